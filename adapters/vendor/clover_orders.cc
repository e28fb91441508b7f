// Clover REST v3: money in integer cents with the currency on the order,
// line discounts as a negative amount or a whole percentage, `printed` as
// the only kitchen state, webhooks that only name the orders to fetch. A
// payload is an order (expanded with lineItems, discounts, payments), a
// list of orders ({"elements": [...]}, GET .../orders) or a webhook.

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/event_validation.h"
#include "json_reader.h"
#include "order_reading.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// The elements of a Clover list ({"elements": [...]}: an expanded
// order's lineItems, discounts, payments); none when it is left out.
std::vector<JsonValue> ElementsOf(const JsonValue& list) {
  if (list.is_null()) {
    list.Fail("is null; expected {\"elements\": [...]} (left out when empty)");
    return {};
  }
  return list.Field("elements").Elements();
}

// The merchant id in an href (".../merchants/<mId>/..."); "" when none.
std::string MerchantIn(const std::string& href) {
  const size_t start = href.find("/merchants/");
  if (start == std::string::npos) return "";
  const size_t from = start + std::string("/merchants/").size();
  return href.substr(from, href.find('/', from) - from);
}

// The Clover discount's money off `base_minor`: a negative `amount` in
// cents, or a whole `percentage` (rounded half up to the cent).
int64_t DiscountOff(const JsonValue& discount, int64_t base_minor,
                    const std::string& currency) {
  const JsonValue amount = discount.Field("amount");
  if (amount.exists()) {
    const int64_t cents =
        amount.Amount(Need::kRequired, AmountForm::kMinorUnits, currency,
                      AmountSign::kNotPositive);
    if (cents == std::numeric_limits<int64_t>::min()) {
      amount.Fail("is out of range");
      return 0;
    }
    return -cents;
  }
  const JsonValue percentage = discount.Field("percentage");
  if (!percentage.exists()) {
    discount.Fail("amount or percentage is required");
    return 0;
  }
  const int64_t percent = percentage.Integer(Need::kRequired, 0, 100);
  // At most base_minor: no overflow in 128 bits.
  return static_cast<int64_t>(
      (static_cast<__int128>(base_minor) * percent + 50) / 100);
}

OrderSnapshot CloverOrder(const JsonValue& order, const VendorContext& context,
                          IdsSeen& orders) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  if (!order.Object(Need::kRequired)) return snapshot;
  const JsonValue id = order.Field("id");
  if (!id.exists()) {
    id.Fail("is required (not a Clover order or webhook)");
    return snapshot;
  }
  snapshot.check_id = id.Id(Need::kRequired);
  orders.Add(id, snapshot.check_id);
  if (order.Field("orderRef").exists()) {
    order.Fail(
        "has an orderRef: it is part of an order (a line item, discount or "
        "payment), not an order");
    return snapshot;
  }
  const JsonValue currency = order.Field("currency");
  snapshot.currency = currency.Currency();
  if (snapshot.currency.empty()) snapshot.currency = context.currency;
  if (snapshot.currency.empty()) currency.Fail("is required");
  const JsonValue href = order.Field("href");
  snapshot.location_id =
      OrderLocation(context, MerchantIn(href.Text()), href,
                    "names no merchant (.../merchants/<mId>/...)");
  snapshot.opened_at = order.Field("createdTime").UnixMillis(Need::kRequired);
  snapshot.updated_at = order.Field("modifiedTime").UnixMillis();
  snapshot.version = snapshot.updated_at == absl::InfinitePast()
                         ? 0
                         : absl::ToUnixMicros(snapshot.updated_at);
  snapshot.server_id = order.Field("employee").Field("id").Id();
  snapshot.guest_count = static_cast<int32_t>(
      order.Field("guestCount").Integer(Need::kOptional, 0, kMaxInt32));
  const std::string& money = snapshot.currency;
  IdsSeen lines;
  int64_t subtotal = 0;
  for (const JsonValue& item : ElementsOf(order.Field("lineItems"))) {
    if (!item.Object(Need::kRequired)) break;
    LineSnapshot line;
    const JsonValue line_id = item.Field("id");
    line.line_id = line_id.Id(Need::kRequired);
    lines.Add(line_id, line.line_id);
    line.name = item.Field("name").Text();
    line.sku = item.Field("item").Field("id").Id();
    if (line.sku.empty()) line.sku = line.name;
    const JsonValue price = item.Field("price");
    line.unit_price_minor =
        price.Amount(Need::kRequired, AmountForm::kMinorUnits, money);
    AddAmount(subtotal, line.unit_price_minor, price);
    line.added_at = item.Field("createdTime").UnixMillis();
    if (item.Field("printed").Bool()) line.state = LineSnapshot::State::kFired;
    const bool refunded = item.Field("refunded").Bool();
    const bool exchanged = item.Field("exchanged").Bool();
    if (refunded || exchanged) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = refunded ? "refunded" : "exchanged";
    }
    for (const JsonValue& discount : ElementsOf(item.Field("discounts"))) {
      if (!discount.Object(Need::kRequired)) break;
      const std::string discount_id = discount.Field("id").Id(Need::kRequired);
      AddAmount(line.discounts[discount_id],
                DiscountOff(discount, line.unit_price_minor, money), discount);
      if (auto command = FindRemedyMarker(discount.Field("name").Text())) {
        line.remedy_discounts[discount_id] = *command;
      }
    }
    snapshot.lines.push_back(std::move(line));
  }
  for (const JsonValue& discount : ElementsOf(order.Field("discounts"))) {
    if (!discount.Object(Need::kRequired)) break;
    const std::string discount_id = discount.Field("id").Id(Need::kRequired);
    AddAmount(snapshot.check_discounts[discount_id],
              DiscountOff(discount, subtotal, money), discount);
    // makegood names its discounts with its marker.
    if (auto command = FindRemedyMarker(discount.Field("name").Text())) {
      snapshot.remedy_check_discounts[discount_id] = *command;
    }
  }
  if (order.Field("state").Text() == "locked" ||
      order.Field("paymentState").Text() == "PAID") {
    snapshot.paid = true;
    snapshot.paid_total_minor = order.Field("total").Amount(
        Need::kRequired, AmountForm::kMinorUnits, money);
    for (const JsonValue& payment : ElementsOf(order.Field("payments"))) {
      if (!payment.Object(Need::kRequired)) break;
      // Clover leaves a zero tip out.
      const JsonValue tip = payment.Field("tipAmount");
      AddAmount(snapshot.tip_minor,
                tip.Amount(Need::kOptional, AmountForm::kMinorUnits, money),
                tip);
    }
  }
  return snapshot;
}

// A doorbell: several notifications for one order within milliseconds come
// as one fetch.
void CloverWebhook(const JsonValue& merchants, VendorPayload& out) {
  for (const auto& [merchant, notifications] :
       merchants.Members(Need::kRequired)) {
    if (!UrlSafeId(merchant)) {
      notifications.Fail("is no merchant id (letters, digits, '-' and '_')");
      return;
    }
    for (const JsonValue& notification :
         notifications.Elements(Need::kRequired)) {
      if (!notification.Object(Need::kRequired)) return;
      const JsonValue object_id = notification.Field("objectId");
      const std::string object = object_id.Text(Need::kRequired);
      if (!absl::StartsWith(object, "O:")) continue;  // Orders only.
      const std::string order_id = object.substr(2);
      if (!UrlSafeId(order_id)) {
        object_id.Fail(
            absl::StrCat("'O:' must be followed by an order id (1 to ",
                         core::kMaxIdLength, " letters, digits, '-' and '_')"));
        return;
      }
      bool known = false;
      for (const OrderToFetch& fetch : out.fetch) {
        known = known || (fetch.order_id == order_id &&
                          fetch.vendor_location == merchant);
      }
      if (!known) out.fetch.push_back(OrderToFetch{order_id, merchant, 0});
    }
  }
}

}  // namespace

std::string CloverMerchantOf(const json& order) {
  return MerchantIn(TextAt(order, "href"));
}

absl::StatusOr<VendorPayload> ParseCloverPayload(const json& payload,
                                                 const VendorContext& context) {
  JsonReader reader;
  VendorPayload out;
  const JsonValue root = reader.Root(payload, "");
  if (!payload.is_object()) {
    reader.Fail("payload",
                "expected a Clover order, list of orders or webhook (an "
                "object), got " +
                    DescribeJson(payload));
    return reader.status();
  }
  IdsSeen orders;
  if (root.Field("merchants").exists()) {
    CloverWebhook(root.Field("merchants"), out);
  } else if (root.Field("elements").exists() && !root.Field("id").exists()) {
    for (const JsonValue& order :
         root.Field("elements").Elements(Need::kRequired)) {
      out.orders.push_back(CloverOrder(order, context, orders));
    }
  } else {
    out.orders.push_back(
        CloverOrder(reader.Root(payload, "order"), context, orders));
  }
  if (!reader.ok()) return reader.status();
  return out;
}

}  // namespace makegood::adapters
