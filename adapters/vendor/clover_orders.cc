// Clover REST v3: money in integer cents with the currency on the order,
// line discounts as a negative amount or a whole percentage, `printed` as
// the only kitchen state, webhooks that only name the orders to fetch.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// The Clover discount's money off `base_minor`: a negative `amount` in
// cents, or a `percentage` (rounded half up to the cent).
int64_t DiscountOff(const json& discount, int64_t base_minor) {
  if (discount.contains("amount") && discount["amount"].is_number_integer()) {
    return -discount["amount"].get<int64_t>();
  }
  const int64_t percent = IntAt(discount, "percentage");
  return (base_minor * percent + 50) / 100;
}

absl::Time FromMillis(const json& object, const char* key) {
  const int64_t ms = IntAt(object, key, -1);
  return ms < 0 ? absl::InfinitePast() : absl::FromUnixMillis(ms);
}

absl::StatusOr<OrderSnapshot> CloverOrder(const json& order,
                                          const VendorContext& context) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  snapshot.check_id = TextAt(order, "id");
  if (snapshot.check_id.empty()) {
    return absl::InvalidArgumentError(
        "order.id: is required (not a Clover order or webhook)");
  }
  snapshot.location_id = context.Location(CloverMerchantOf(order));
  snapshot.currency = TextAt(order, "currency");
  if (snapshot.currency.empty()) snapshot.currency = context.currency;
  snapshot.opened_at = FromMillis(order, "createdTime");
  snapshot.updated_at = FromMillis(order, "modifiedTime");
  snapshot.version = IntAt(order, "modifiedTime") * 1000;
  snapshot.server_id = TextAt(ObjectAt(order, "employee"), "id");
  snapshot.guest_count = static_cast<int32_t>(IntAt(order, "guestCount"));
  for (const json& item : ArrayAt(ObjectAt(order, "lineItems"), "elements")) {
    LineSnapshot line;
    line.line_id = TextAt(item, "id");
    line.name = TextAt(item, "name");
    line.sku = TextAt(ObjectAt(item, "item"), "id");
    if (line.sku.empty()) line.sku = line.name;
    line.unit_price_minor = IntAt(item, "price");
    line.added_at = FromMillis(item, "createdTime");
    if (BoolAt(item, "printed")) line.state = LineSnapshot::State::kFired;
    if (BoolAt(item, "refunded") || BoolAt(item, "exchanged")) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = BoolAt(item, "refunded") ? "refunded" : "exchanged";
    }
    for (const json& discount :
         ArrayAt(ObjectAt(item, "discounts"), "elements")) {
      const std::string id = TextAt(discount, "id");
      line.discounts[id] += DiscountOff(discount, line.unit_price_minor);
      if (auto command = FindRemedyMarker(TextAt(discount, "name"))) {
        line.remedy_discounts[id] = *command;
      }
    }
    snapshot.lines.push_back(std::move(line));
  }
  int64_t subtotal = 0;
  for (const LineSnapshot& line : snapshot.lines) {
    subtotal += line.unit_price_minor;
  }
  for (const json& discount :
       ArrayAt(ObjectAt(order, "discounts"), "elements")) {
    const std::string id = TextAt(discount, "id");
    snapshot.check_discounts[id] += DiscountOff(discount, subtotal);
    // makegood names its discounts with its marker.
    if (auto command = FindRemedyMarker(TextAt(discount, "name"))) {
      snapshot.remedy_check_discounts[id] = *command;
    }
  }
  if (TextAt(order, "state") == "locked" ||
      TextAt(order, "paymentState") == "PAID") {
    snapshot.paid = true;
    snapshot.paid_total_minor = IntAt(order, "total");
    for (const json& payment :
         ArrayAt(ObjectAt(order, "payments"), "elements")) {
      snapshot.tip_minor += IntAt(payment, "tipAmount");
    }
  }
  return snapshot;
}

}  // namespace

std::string CloverMerchantOf(const json& order) {
  const std::string href = TextAt(order, "href");
  const size_t start = href.find("/merchants/");
  if (start == std::string::npos) return "";
  const size_t from = start + std::string("/merchants/").size();
  return href.substr(from, href.find('/', from) - from);
}

absl::StatusOr<VendorPayload> ParseCloverPayload(const json& payload,
                                                 const VendorContext& context) {
  VendorPayload out;
  if (payload.contains("merchants")) {
    // A doorbell: several notifications for one order within milliseconds
    // come as one fetch.
    for (const auto& [merchant, notifications] : payload["merchants"].items()) {
      for (const json& notification : notifications) {
        const std::string object = TextAt(notification, "objectId");
        if (!absl::StartsWith(object, "O:")) continue;  // Orders only.
        const std::string order_id = object.substr(2);
        bool known = false;
        for (const OrderToFetch& fetch : out.fetch) {
          known = known || fetch.order_id == order_id;
        }
        if (!known) out.fetch.push_back(OrderToFetch{order_id, merchant, 0});
      }
    }
    return out;
  }
  auto snapshot = CloverOrder(payload, context);
  if (!snapshot.ok()) return snapshot.status();
  if (snapshot->currency.empty()) {
    return absl::InvalidArgumentError("order.currency: is required");
  }
  out.orders.push_back(*std::move(snapshot));
  return out;
}

}  // namespace makegood::adapters
