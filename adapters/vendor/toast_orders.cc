// Toast orders API v2: guids, money as JSON doubles in major units with no
// currency (it comes from the configuration), fulfillmentStatus as the only
// kitchen state (SENT, READY), voided selections. A payload is an
// order_updated webhook (the full order), an order, or a list of orders
// (the ordersBulk array).

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/money.h"
#include "json_reader.h"
#include "order_reading.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

int64_t Money(const JsonValue& value, Need need, const std::string& currency) {
  return value.Amount(need, AmountForm::kMajorNumber, currency);
}

// The applied discounts of a selection or check. makegood's own carry its
// marker in `externalId` (in what the orders API returns; Toast's webhooks
// send externalId as null). A discount that came with a promotion code is
// that code's redemption only, so that its money counts once.
void ReadDiscounts(const JsonValue& holder, const std::string& currency,
                   std::map<std::string, int64_t>& discounts,
                   std::map<std::string, std::string>& remedies,
                   std::map<std::string, int64_t>& codes) {
  for (const JsonValue& applied : holder.Field("appliedDiscounts").Elements()) {
    if (!applied.Object(Need::kRequired)) return;
    const JsonValue amount_field = applied.Field("discountAmount");
    const int64_t amount = Money(amount_field, Need::kRequired, currency);
    const std::string guid = applied.Field("guid").Id(Need::kRequired);
    const std::string code = applied.Field("appliedPromoCode").Text();
    const std::string external = applied.Field("externalId").Text();
    if (!code.empty()) {
      AddAmount(codes[code], amount, amount_field);
      continue;
    }
    AddAmount(discounts[guid], amount, amount_field);
    if (auto command = FindRemedyMarker(external)) remedies[guid] = *command;
  }
}

// The order-wide facts each of its checks shares.
struct ToastOrderFacts {
  std::string location_id;
  absl::Time opened_at = absl::InfinitePast();
  std::string table;
  std::string server_id;
  int32_t guest_count = 0;
};

OrderSnapshot ToastCheck(const JsonValue& check, const ToastOrderFacts& order,
                         const VendorContext& context, IdsSeen& checks) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  const std::string& currency = context.currency;
  const JsonValue guid = check.Field("guid");
  snapshot.check_id = guid.Id(Need::kRequired);
  checks.Add(guid, snapshot.check_id);
  snapshot.location_id = order.location_id;
  snapshot.currency = currency;
  const JsonValue opened = check.Field("openedDate");
  snapshot.opened_at = opened.Time();
  if (snapshot.opened_at == absl::InfinitePast()) {
    snapshot.opened_at = order.opened_at;
  }
  if (snapshot.opened_at == absl::InfinitePast()) {
    opened.Fail("is required (here or as the order's openedDate)");
  }
  snapshot.updated_at = check.Field("modifiedDate").Time();
  snapshot.version = snapshot.updated_at == absl::InfinitePast()
                         ? 0
                         : absl::ToUnixMicros(snapshot.updated_at);
  snapshot.table = order.table;
  snapshot.server_id = order.server_id;
  snapshot.guest_count = order.guest_count;
  IdsSeen lines;
  for (const JsonValue& selection : check.Field("selections").Elements()) {
    if (!selection.Object(Need::kRequired)) break;
    if (selection.Field("deleted").Bool()) continue;
    LineSnapshot line;
    const JsonValue line_guid = selection.Field("guid");
    line.line_id = line_guid.Id(Need::kRequired);
    lines.Add(line_guid, line.line_id);
    line.sku = selection.Field("item").Field("guid").Id();
    line.name = selection.Field("displayName").Text();
    line.quantity = selection.Field("quantity").Quantity(QuantityForm::kNumber);
    const JsonValue unit = selection.Field("receiptLinePrice");
    if (unit.present()) {
      line.unit_price_minor = Money(unit, Need::kRequired, currency);
    } else {
      // The selection's price before discounts, for all its items.
      const JsonValue before = selection.Field("preDiscountPrice");
      if (!before.exists()) {
        before.Fail("is required when receiptLinePrice is not given");
      }
      const int64_t all = Money(before, Need::kRequired, currency);
      if (all % line.quantity != 0) {
        before.Fail(absl::StrCat(core::FormatAmount(all, currency),
                                 " is no whole amount for each of ",
                                 line.quantity, " items"));
      }
      line.unit_price_minor = all / line.quantity;
    }
    line.added_at = selection.Field("createdDate").Time();
    const std::string status = selection.Field("fulfillmentStatus").Text();
    if (status == "SENT" || status == "READY") {
      line.state = LineSnapshot::State::kFired;
    }
    const bool voided = selection.Field("voided").Bool();
    const std::string reason = selection.Field("voidReason").Field("guid").Id();
    if (voided) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = reason;
    }
    ReadDiscounts(selection, currency, line.discounts, line.remedy_discounts,
                  snapshot.redeemed_codes);
    snapshot.lines.push_back(std::move(line));
  }
  ReadDiscounts(check, currency, snapshot.check_discounts,
                snapshot.remedy_check_discounts, snapshot.redeemed_codes);
  const std::string payment = check.Field("paymentStatus").Text();
  if (payment == "PAID" || payment == "CLOSED") {
    snapshot.paid = true;
    snapshot.paid_total_minor =
        Money(check.Field("totalAmount"), Need::kRequired, currency);
    for (const JsonValue& paid : check.Field("payments").Elements()) {
      if (!paid.Object(Need::kRequired)) break;
      const JsonValue tip = paid.Field("tipAmount");
      AddAmount(snapshot.tip_minor, Money(tip, Need::kOptional, currency), tip);
    }
  }
  const bool voided = check.Field("voided").Bool();
  if (voided) {
    for (LineSnapshot& line : snapshot.lines) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = "check voided";
    }
  }
  snapshot.closed =
      check.Field("closedDate").Time() != absl::InfinitePast() || voided;
  return snapshot;
}

// Each check of `order` that is not deleted, as a snapshot.
void ToastOrder(const JsonValue& order, const std::string& restaurant,
                const VendorContext& context, IdsSeen& checks,
                std::vector<OrderSnapshot>& out) {
  if (!order.Object(Need::kRequired)) return;
  const JsonValue checks_field = order.Field("checks");
  if (!checks_field.exists()) {
    checks_field.Fail("is required (not a Toast order or order webhook)");
    return;
  }
  ToastOrderFacts facts;
  facts.location_id =
      OrderLocation(context, restaurant, order,
                    "names no restaurant (an order_updated webhook's "
                    "details.restaurantGuid does)");
  facts.opened_at = order.Field("openedDate").Time();
  facts.table = order.Field("table").Field("guid").Id();
  facts.server_id = order.Field("server").Field("guid").Id();
  facts.guest_count = static_cast<int32_t>(
      order.Field("numberOfGuests").Integer(Need::kOptional, 0, kMaxInt32));
  for (const JsonValue& check : checks_field.Elements(Need::kRequired)) {
    if (!check.Object(Need::kRequired)) return;
    if (check.Field("deleted").Bool()) continue;
    out.push_back(ToastCheck(check, facts, context, checks));
  }
}

}  // namespace

absl::StatusOr<VendorPayload> ParseToastPayload(const json& payload,
                                                const VendorContext& context) {
  if (context.currency.empty()) {
    return absl::InvalidArgumentError(
        "currency: Toast payloads carry none; configure the restaurant's");
  }
  if (!core::CurrencyExponent(context.currency).has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "currency: '", context.currency, "' is not an ISO 4217 currency code"));
  }
  JsonReader reader;
  VendorPayload out;
  IdsSeen checks;
  const JsonValue root = reader.Root(payload, "");
  if (payload.is_array()) {
    // GET /ordersBulk: a page of orders.
    for (const JsonValue& order : root.Elements(Need::kRequired)) {
      ToastOrder(order, "", context, checks, out.orders);
    }
  } else if (!payload.is_object()) {
    reader.Fail("payload",
                "expected a Toast order, order webhook or list of orders (an "
                "object or an array), got " +
                    DescribeJson(payload));
  } else if (root.Field("details").exists()) {
    out.event_id = root.Field("guid").Id(Need::kRequired);
    const JsonValue details = root.Field("details");
    if (details.Object(Need::kRequired)) {
      const std::string restaurant = details.Field("restaurantGuid").Id();
      const std::string category = root.Field("eventCategory").Text();
      const JsonValue order = details.Field("order");
      if (reader.ok() && !order.exists()) {
        // A webhook of another kind: well formed, nothing to translate.
        return absl::UnimplementedError(absl::StrCat(
            "details.order: is absent: not an order webhook (eventCategory ",
            DescribeJson(json(category)),
            "); it carries no order to translate"));
      }
      ToastOrder(order, restaurant, context, checks, out.orders);
    }
  } else {
    ToastOrder(reader.Root(payload, "order"), "", context, checks, out.orders);
  }
  if (!reader.ok()) return reader.status();
  return out;
}

}  // namespace makegood::adapters
