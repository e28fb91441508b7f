// Shopify (REST Admin, incl. the POS channel): int64 ids, money as decimal
// strings, discount codes and per-line discount allocations; a fulfilled
// line is the retail counterpart of served. A payload is an order, bare or
// as {"order": ...} (the orders/* webhooks), or {"orders": [...]} (GET
// orders.json).

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "json_reader.h"
#include "order_reading.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

int64_t Money(const JsonValue& value, Need need, const std::string& currency) {
  return value.Amount(need, AmountForm::kMajorString, currency);
}

// For each of the order's discount applications: whether it is one of
// makegood's next-visit codes. The order's discount_codes bring those back
// as a redemption, so their allocations on the lines are no POS discount
// (they would count twice).
std::vector<bool> MakegoodCodes(const JsonValue& order) {
  std::vector<bool> ours;
  for (const JsonValue& application :
       order.Field("discount_applications").Elements()) {
    if (!application.Object(Need::kRequired)) break;
    ours.push_back(application.Field("type").Text() == "discount_code" &&
                   core::CanonicalDiscountCode(application.Field("code").Text())
                       .has_value());
  }
  return ours;
}

OrderSnapshot ShopifyOrder(const JsonValue& order, const VendorContext& context,
                           IdsSeen& orders) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  if (!order.Object(Need::kRequired)) return snapshot;
  const JsonValue id = order.Field("id");
  if (!id.exists()) {
    id.Fail("is required (not a Shopify order or orders/* webhook)");
    return snapshot;
  }
  snapshot.check_id = id.IntegerId(Need::kRequired);
  orders.Add(id, snapshot.check_id);
  const JsonValue location = order.Field("location_id");
  snapshot.location_id = OrderLocation(context, location.IntegerId(), location,
                                       "is required: the order names none");
  snapshot.currency = order.Field("currency").Currency(Need::kRequired);
  const std::string& currency = snapshot.currency;
  snapshot.opened_at = order.Field("created_at").Time(Need::kRequired);
  snapshot.updated_at = order.Field("updated_at").Time();
  if (snapshot.updated_at != absl::InfinitePast()) {
    snapshot.version = absl::ToUnixMicros(snapshot.updated_at);
  }
  snapshot.server_id = order.Field("user_id").IntegerId();
  const bool cancelled =
      order.Field("cancelled_at").Time() != absl::InfinitePast();
  const std::string cancel_reason = order.Field("cancel_reason").Text();
  const std::vector<bool> makegood_codes = MakegoodCodes(order);
  IdsSeen lines;
  for (const JsonValue& item : order.Field("line_items").Elements()) {
    if (!item.Object(Need::kRequired)) break;
    LineSnapshot line;
    const JsonValue line_id = item.Field("id");
    line.line_id = line_id.IntegerId(Need::kRequired);
    lines.Add(line_id, line.line_id);
    line.sku = item.Field("sku").Text();
    const std::string variant = item.Field("variant_id").IntegerId();
    if (line.sku.empty()) line.sku = variant;
    line.name = item.Field("name").Text();
    line.quantity = item.Field("quantity").Quantity(QuantityForm::kInteger);
    line.unit_price_minor =
        Money(item.Field("price"), Need::kRequired, currency);
    line.added_at = snapshot.opened_at;
    if (item.Field("fulfillment_status").Text() == "fulfilled") {
      line.state = LineSnapshot::State::kServed;
    }
    if (cancelled) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = cancel_reason;
    }
    for (const JsonValue& allocation :
         item.Field("discount_allocations").Elements()) {
      if (!allocation.Object(Need::kRequired)) break;
      const JsonValue index_field =
          allocation.Field("discount_application_index");
      const int64_t index = index_field.Integer(
          Need::kRequired, 0, std::numeric_limits<int32_t>::max());
      const JsonValue amount_field = allocation.Field("amount");
      const int64_t amount = Money(amount_field, Need::kRequired, currency);
      if (!allocation.reader().ok()) break;
      if (index >= static_cast<int64_t>(makegood_codes.size())) {
        index_field.Fail(absl::StrCat("names discount application ", index,
                                      ", but the order has ",
                                      makegood_codes.size()));
        break;
      }
      if (makegood_codes[static_cast<size_t>(index)]) continue;
      AddAmount(line.discounts[absl::StrCat("application-", index)], amount,
                amount_field);
    }
    snapshot.lines.push_back(std::move(line));
  }
  for (const JsonValue& code : order.Field("discount_codes").Elements()) {
    if (!code.Object(Need::kRequired)) break;
    const JsonValue name = code.Field("code");
    const std::string text = name.Text(Need::kRequired);
    if (text.empty() && name.present()) name.Fail("is empty; expected a code");
    const JsonValue amount = code.Field("amount");
    AddAmount(snapshot.redeemed_codes[text],
              Money(amount, Need::kRequired, currency), amount);
  }
  const std::string financial = order.Field("financial_status").Text();
  if (financial == "paid" || financial == "partially_refunded" ||
      financial == "refunded") {
    snapshot.paid = true;
    snapshot.paid_total_minor =
        Money(order.Field("total_price"), Need::kRequired, currency);
    snapshot.tip_minor =
        Money(order.Field("total_tip_received"), Need::kOptional, currency);
  }
  snapshot.closed =
      order.Field("closed_at").Time() != absl::InfinitePast() || cancelled;
  return snapshot;
}

}  // namespace

absl::StatusOr<VendorPayload> ParseShopifyPayload(
    const json& payload, const VendorContext& context) {
  JsonReader reader;
  VendorPayload out;
  const JsonValue root = reader.Root(payload, "");
  if (!payload.is_object()) {
    reader.Fail("payload",
                "expected a Shopify order, orders/* webhook or list of orders "
                "(an object), got " +
                    DescribeJson(payload));
    return reader.status();
  }
  // refunds/create sends the refund; the REST API wraps it in "refund".
  for (const char* key : {"refund", "refund_line_items"}) {
    if (root.Field(key).exists()) {
      return absl::UnimplementedError(absl::StrCat(
          key,
          ": a Shopify refund (refunds/create) is not an order; refunds are "
          "not translated"));
    }
  }
  IdsSeen orders;
  if (root.Field("orders").exists() && !root.Field("id").exists()) {
    for (const JsonValue& order :
         root.Field("orders").Elements(Need::kRequired)) {
      out.orders.push_back(ShopifyOrder(order, context, orders));
    }
  } else {
    const JsonValue order = root.Field("order").exists()
                                ? root.Field("order")
                                : reader.Root(payload, "order");
    out.orders.push_back(ShopifyOrder(order, context, orders));
  }
  if (!reader.ok()) return reader.status();
  return out;
}

}  // namespace makegood::adapters
