// Square Orders API (2025-08-20): ids, Money{amount, currency} in minor
// units, quantities as decimal strings, modifiers priced per unit of their
// line, no kitchen states and no time of a line's own. A payload is an
// order, {"order": ...} (RetrieveOrder), {"orders": [...]} (SearchOrders,
// BatchRetrieveOrders) or an order.* webhook, which is thin: its order is
// to be fetched.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "json_reader.h"
#include "order_reading.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// The amount of the Money{amount, currency} at `money`, in minor units of
// the order's `currency` (set by the first Money read when still empty:
// Square gives every Money its currency, one per order). A Money that is
// absent is 0 when optional; a null one is refused.
int64_t MoneyAt(const JsonValue& money, Need need, std::string& currency) {
  if (money.is_null()) {
    money.Fail("is null; expected a Money (left out when there is none)");
    return 0;
  }
  if (!money.Object(need)) return 0;
  const JsonValue code = money.Field("currency");
  const std::string its = code.Currency(Need::kRequired);
  if (!money.reader().ok()) return 0;
  if (currency.empty()) {
    currency = its;
  } else if (its != currency) {
    code.Fail(absl::StrCat("'", its, "' is not the order's currency '",
                           currency, "'"));
    return 0;
  }
  return money.Field("amount").Amount(Need::kRequired, AmountForm::kMinorUnits,
                                      currency);
}

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A modifier's quantity on one unit of its line: a decimal string of a
// whole count, 0 ("no cheese") or more; Square's default "1" when it is
// left out. The reader's Quantity takes positive counts only.
int32_t ModifierQuantity(const JsonValue& quantity) {
  if (!quantity.present()) return 1;
  const std::string text = quantity.Text(Need::kRequired);
  if (!quantity.reader().ok()) return 1;
  absl::string_view whole = text;
  bool whole_count = true;
  if (const size_t point = whole.find('.'); point != absl::string_view::npos) {
    const absl::string_view fraction = whole.substr(point + 1);
    whole = whole.substr(0, point);
    whole_count = !fraction.empty() &&
                  fraction.find_first_not_of('0') == absl::string_view::npos;
  }
  int32_t count = 0;
  if (!whole_count || !AllDigits(whole) || !absl::SimpleAtoi(whole, &count)) {
    quantity.Fail(absl::StrCat("expected a whole quantity from 0 to ",
                               std::numeric_limits<int32_t>::max(),
                               " (a decimal string like \"2\"), got ",
                               DescribeJson(json(text))));
    return 1;
  }
  return count;
}

// The line's modifiers, priced into its unit price (which holds the base
// price already): a modifier's base_price_money is for one of it on one
// unit of the line, and the line's base_price_money leaves it out.
void AddModifiers(const JsonValue& item, LineSnapshot& line,
                  std::string& currency) {
  for (const JsonValue& modifier : item.Field("modifiers").Elements()) {
    if (!modifier.Object(Need::kRequired)) return;
    ModifierSnapshot chosen;
    chosen.name = modifier.Field("name").Text();
    chosen.quantity = ModifierQuantity(modifier.Field("quantity"));
    chosen.unit_price_minor =
        MoneyAt(modifier.Field("base_price_money"), Need::kRequired, currency);
    if (!modifier.reader().ok()) return;
    AddModifier(line, std::move(chosen), modifier);
  }
}

// What Square's lines say they are worth, gathered while reading them.
struct LinesGross {
  bool every_line_states = true;  // Each line has its gross_sales_money.
  bool service_charged = false;   // A line has an apportioned service charge.
  int64_t sum = 0;                // Of the gross_sales_money stated.
};

void AddLineGross(const JsonValue& item, LinesGross& gross,
                  std::string& currency) {
  const JsonValue stated = item.Field("gross_sales_money");
  if (stated.exists()) {
    AddAmount(gross.sum, MoneyAt(stated, Need::kRequired, currency), stated);
  } else {
    gross.every_line_states = false;
  }
  if (MoneyAt(item.Field("total_service_charge_money"), Need::kOptional,
              currency) > 0) {
    gross.service_charged = true;
  }
}

bool HasInclusiveTax(const JsonValue& order) {
  for (const JsonValue& tax : order.Field("taxes").Elements()) {
    if (!tax.Object(Need::kRequired)) return false;
    if (tax.Field("type").Text() == "INCLUSIVE") return true;
  }
  return false;
}

// total − tax − tip − service charges + discounts: what the lines are worth
// by the order's totals, when Square states all five and nothing else is
// in the total (no cash rounding, no returns).
std::optional<int64_t> GrossFromTotals(const JsonValue& order,
                                       std::string& currency) {
  if (order.Has("rounding_adjustment") ||
      !order.Field("returns").Elements().empty()) {
    return std::nullopt;
  }
  constexpr const char* kTotals[] = {
      "total_money", "total_tax_money", "total_tip_money",
      "total_service_charge_money", "total_discount_money"};
  int64_t amounts[std::size(kTotals)] = {};
  for (size_t i = 0; i < std::size(kTotals); ++i) {
    const JsonValue money = order.Field(kTotals[i]);
    if (!money.exists()) return std::nullopt;
    amounts[i] = MoneyAt(money, Need::kRequired, currency);
  }
  if (!order.reader().ok()) return std::nullopt;
  // Each amount fits int64: no overflow in 128 bits.
  const __int128 gross = static_cast<__int128>(amounts[0]) - amounts[1] -
                         amounts[2] - amounts[3] + amounts[4];
  if (gross < std::numeric_limits<int64_t>::min() || gross > kMaxInt64) {
    order.Field("total_money")
        .Fail(
            "with the other totals, gives the lines a worth outside int64 "
            "minor units");
    return std::nullopt;
  }
  return static_cast<int64_t>(gross);
}

// Square's own figure for what the lines are worth (modifiers in;
// discounts, tax, tips and service charges out): the lines'
// gross_sales_money, (base + modifiers) × quantity, when every line states
// one, else derived from the order's totals. None for a canceled order
// (its lines are voided), nor with an inclusive tax: Square takes it out
// of gross sales in the US, and counts it in total_tax_money though the
// prices hold it. Not from the lines when one has a service charge, which
// its gross sales can hold.
std::optional<int64_t> StatedGross(const JsonValue& order, bool canceled,
                                   bool has_lines, const LinesGross& lines,
                                   std::string& currency) {
  if (canceled || !has_lines || HasInclusiveTax(order)) return std::nullopt;
  if (lines.every_line_states && !lines.service_charged) return lines.sum;
  return GrossFromTotals(order, currency);
}

// When a COMPLETED order was paid: its last tender's created_at. An order
// that has fulfillments stays OPEN after payment until they are done, so
// closed_at can come much later; it stands in when no tender states a time.
absl::Time PaidAt(const JsonValue& order, absl::Time closed_at) {
  absl::Time last = absl::InfinitePast();
  for (const JsonValue& tender : order.Field("tenders").Elements()) {
    if (!tender.Object(Need::kRequired)) break;
    last = std::max(last, tender.Field("created_at").Time());
  }
  return last != absl::InfinitePast() ? last : closed_at;
}

OrderSnapshot SquareOrder(const JsonValue& order, const VendorContext& context,
                          IdsSeen& orders) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  if (!order.Object(Need::kRequired)) return snapshot;
  const JsonValue id = order.Field("id");
  if (!id.exists()) {
    id.Fail(
        "is required (not a Square order, RetrieveOrder response or order.* "
        "webhook)");
    return snapshot;
  }
  snapshot.check_id = id.Id(Need::kRequired);
  orders.Add(id, snapshot.check_id);
  const JsonValue location = order.Field("location_id");
  snapshot.location_id = OrderLocation(context, location.Id(), location,
                                       "is required: the order names none");
  const std::string state = order.Field("state").Text();
  // The order's currency is its total's, else its first line's.
  const int64_t total =
      MoneyAt(order.Field("total_money"),
              state == "COMPLETED" ? Need::kRequired : Need::kOptional,
              snapshot.currency);
  snapshot.version =
      order.Field("version").Integer(Need::kOptional, 0, kMaxInt64);
  snapshot.opened_at = order.Field("created_at").Time(Need::kRequired);
  snapshot.updated_at = order.Field("updated_at").Time();
  // When the order reached COMPLETED or CANCELED.
  const absl::Time closed_at = order.Field("closed_at").Time();
  snapshot.table = order.Field("ticket_name").Text();
  IdsSeen lines;
  LinesGross gross;
  for (const JsonValue& item : order.Field("line_items").Elements()) {
    if (!item.Object(Need::kRequired)) break;
    LineSnapshot line;
    const JsonValue uid = item.Field("uid");
    line.line_id = uid.Id(Need::kRequired);
    lines.Add(uid, line.line_id);
    line.name = item.Field("name").Text();
    line.sku = item.Field("catalog_object_id").Text();
    if (line.sku.empty()) line.sku = line.name;
    line.quantity =
        item.Field("quantity").Quantity(QuantityForm::kDecimalString);
    line.unit_price_minor = MoneyAt(item.Field("base_price_money"),
                                    Need::kRequired, snapshot.currency);
    AddModifiers(item, line, snapshot.currency);
    AddLineGross(item, gross, snapshot.currency);
    // Square states no time for a line; the order's creation is the
    // nearest it says.
    line.added_at = snapshot.opened_at;
    for (const JsonValue& applied :
         item.Field("applied_discounts").Elements()) {
      if (!applied.Object(Need::kRequired)) break;
      const std::string discount =
          applied.Field("discount_uid").Id(Need::kRequired);
      const JsonValue money = applied.Field("applied_money");
      AddAmount(line.discounts[discount],
                MoneyAt(money, Need::kRequired, snapshot.currency), money);
      // makegood's discounts have its marker as their uid.
      if (auto command = FindRemedyMarker(discount)) {
        line.remedy_discounts[discount] = *command;
      }
    }
    if (state == "CANCELED") {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = "order canceled";
      line.voided_at = closed_at;
    }
    snapshot.lines.push_back(std::move(line));
  }
  if (state == "COMPLETED") {
    snapshot.paid = true;
    snapshot.paid_total_minor = total;
    snapshot.tip_minor = MoneyAt(order.Field("total_tip_money"),
                                 Need::kOptional, snapshot.currency);
    snapshot.paid_at = PaidAt(order, closed_at);
  }
  snapshot.closed = state == "COMPLETED" || state == "CANCELED";
  if (snapshot.closed) snapshot.closed_at = closed_at;
  snapshot.stated_gross_minor =
      StatedGross(order, state == "CANCELED", !snapshot.lines.empty(), gross,
                  snapshot.currency);
  return snapshot;
}

// An order.* webhook: the orders its data.object summaries name.
void SquareWebhook(const JsonValue& root, VendorPayload& out) {
  out.event_id = root.Field("event_id").Id(Need::kRequired);
  const JsonValue object = root.Field("data").Field("object");
  for (const auto& [name, summary] : object.Members()) {
    // order_created, order_updated, order_fulfillment_updated; anything
    // else in data.object is no order's summary.
    if (!summary.is_object() || !summary.Field("order_id").exists()) continue;
    OrderToFetch fetch;
    const JsonValue order_id = summary.Field("order_id");
    fetch.order_id = order_id.Id(Need::kRequired);
    CheckUrlSafeId(order_id, fetch.order_id);
    fetch.vendor_location = summary.Field("location_id").Id();
    fetch.version =
        summary.Field("version").Integer(Need::kOptional, 0, kMaxInt64);
    out.fetch.push_back(std::move(fetch));
  }
  if (root.reader().ok() && out.fetch.empty()) {
    root.reader().Fail(object.path(), "no order_id (not an order.* webhook)");
  }
}

}  // namespace

absl::StatusOr<VendorPayload> ParseSquarePayload(const json& payload,
                                                 const VendorContext& context) {
  JsonReader reader;
  VendorPayload out;
  const JsonValue root = reader.Root(payload, "");
  if (!payload.is_object()) {
    reader.Fail("payload",
                "expected a Square order, RetrieveOrder or SearchOrders "
                "response, or order.* webhook (an object), got " +
                    DescribeJson(payload));
    return reader.status();
  }
  IdsSeen orders;
  if (root.Field("event_id").exists() && root.Field("data").exists()) {
    // Square's other webhooks (a test notification, payments...) carry no
    // order: well formed, and nothing to translate.
    const JsonValue type = root.Field("type");
    const std::string kind = type.Text();
    if (!reader.ok()) return reader.status();
    if (!kind.empty() && !absl::StartsWith(kind, "order.")) {
      return absl::UnimplementedError(absl::StrCat(
          "type: ", DescribeJson(json(kind)),
          " is not an order.* webhook; it carries no order to translate"));
    }
    SquareWebhook(root, out);
  } else if (root.Field("orders").exists() && !root.Field("id").exists()) {
    for (const JsonValue& order :
         root.Field("orders").Elements(Need::kRequired)) {
      out.orders.push_back(SquareOrder(order, context, orders));
    }
  } else {
    const JsonValue order = root.Field("order").exists()
                                ? root.Field("order")
                                : reader.Root(payload, "order");
    out.orders.push_back(SquareOrder(order, context, orders));
  }
  if (!reader.ok()) return reader.status();
  return out;
}

}  // namespace makegood::adapters
