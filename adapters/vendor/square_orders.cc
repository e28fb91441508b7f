// Square Orders API (2025-08-20): ids, Money{amount, currency} in minor
// units, quantities as decimal strings, no kitchen states. A payload is an
// order, {"order": ...} (RetrieveOrder), {"orders": [...]} (SearchOrders,
// BatchRetrieveOrders) or an order.* webhook, which is thin: its order is
// to be fetched.

#include <cstdint>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
  snapshot.table = order.Field("ticket_name").Text();
  IdsSeen lines;
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
    }
    snapshot.lines.push_back(std::move(line));
  }
  if (state == "COMPLETED") {
    snapshot.paid = true;
    snapshot.paid_total_minor = total;
    snapshot.tip_minor = MoneyAt(order.Field("total_tip_money"),
                                 Need::kOptional, snapshot.currency);
  }
  snapshot.closed = state == "COMPLETED" || state == "CANCELED";
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
