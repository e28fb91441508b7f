// Shopify (REST Admin, incl. the POS channel): int64 ids, money as decimal
// strings, discount codes and per-line discount allocations; a fulfilled
// line is the retail counterpart of served.

#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

absl::StatusOr<int64_t> MoneyAt(const json& object, const char* key,
                                const std::string& currency,
                                const std::string& path) {
  if (!object.contains(key) || object[key].is_null()) return 0;
  return MajorToMinor(object[key], currency, path);
}

// True when discount application `index` is one of makegood's next-visit
// codes: the order's discount_codes bring it back as a redemption, so its
// allocations on the lines are no POS discount (they would count twice).
bool OfMakegoodCode(const json& order, int64_t index) {
  const json& applications = ArrayAt(order, "discount_applications");
  if (index < 0 || index >= static_cast<int64_t>(applications.size())) {
    return false;
  }
  const json& application = applications[static_cast<size_t>(index)];
  return TextAt(application, "type") == "discount_code" &&
         core::CanonicalDiscountCode(TextAt(application, "code")).has_value();
}

absl::StatusOr<OrderSnapshot> ShopifyOrder(const json& order,
                                           const VendorContext& context) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  snapshot.check_id = TextAt(order, "id");
  if (snapshot.check_id.empty()) {
    return absl::InvalidArgumentError(
        "order.id: is required (not a Shopify order or orders/* webhook)");
  }
  snapshot.location_id = context.Location(TextAt(order, "location_id"));
  snapshot.currency = TextAt(order, "currency");
  const std::string& currency = snapshot.currency;
  if (currency.empty()) {
    return absl::InvalidArgumentError("order.currency: is required");
  }
  auto created =
      ParseVendorTime(TextAt(order, "created_at"), "order.created_at");
  if (!created.ok()) return created.status();
  snapshot.opened_at = *created;
  if (std::string text = TextAt(order, "updated_at"); !text.empty()) {
    auto updated = ParseVendorTime(text, "order.updated_at");
    if (!updated.ok()) return updated.status();
    snapshot.updated_at = *updated;
    snapshot.version = absl::ToUnixMicros(*updated);
  }
  snapshot.server_id = TextAt(order, "user_id");
  const std::string cancelled = TextAt(order, "cancelled_at");
  const json& lines = ArrayAt(order, "line_items");
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& item = lines[i];
    const std::string path = absl::StrCat("order.line_items[", i, "]");
    LineSnapshot line;
    line.line_id = TextAt(item, "id");
    line.sku = TextAt(item, "sku");
    if (line.sku.empty()) line.sku = TextAt(item, "variant_id");
    line.name = TextAt(item, "name");
    auto quantity =
        WholeQuantity(item.contains("quantity") ? item["quantity"] : json(1),
                      path + ".quantity");
    if (!quantity.ok()) return quantity.status();
    line.quantity = *quantity;
    auto price = MoneyAt(item, "price", currency, path + ".price");
    if (!price.ok()) return price.status();
    line.unit_price_minor = *price;
    line.added_at = snapshot.opened_at;
    if (TextAt(item, "fulfillment_status") == "fulfilled") {
      line.state = LineSnapshot::State::kServed;
    }
    if (!cancelled.empty()) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = TextAt(order, "cancel_reason");
    }
    const json& allocations = ArrayAt(item, "discount_allocations");
    for (size_t a = 0; a < allocations.size(); ++a) {
      if (OfMakegoodCode(
              order, IntAt(allocations[a], "discount_application_index", -1))) {
        continue;
      }
      auto amount =
          MoneyAt(allocations[a], "amount", currency,
                  absl::StrCat(path, ".discount_allocations[", a, "].amount"));
      if (!amount.ok()) return amount.status();
      line.discounts[absl::StrCat(
          "application-",
          IntAt(allocations[a], "discount_application_index"))] += *amount;
    }
    snapshot.lines.push_back(std::move(line));
  }
  const json& codes = ArrayAt(order, "discount_codes");
  for (size_t i = 0; i < codes.size(); ++i) {
    auto amount = MoneyAt(codes[i], "amount", currency,
                          absl::StrCat("order.discount_codes[", i, "].amount"));
    if (!amount.ok()) return amount.status();
    snapshot.redeemed_codes[TextAt(codes[i], "code")] += *amount;
  }
  const std::string financial = TextAt(order, "financial_status");
  if (financial == "paid" || financial == "partially_refunded" ||
      financial == "refunded") {
    snapshot.paid = true;
    auto total = MoneyAt(order, "total_price", currency, "order.total_price");
    if (!total.ok()) return total.status();
    snapshot.paid_total_minor = *total;
    auto tip = MoneyAt(order, "total_tip_received", currency,
                       "order.total_tip_received");
    if (!tip.ok()) return tip.status();
    snapshot.tip_minor = *tip;
  }
  snapshot.closed = !TextAt(order, "closed_at").empty() || !cancelled.empty();
  return snapshot;
}

}  // namespace

absl::StatusOr<VendorPayload> ParseShopifyPayload(
    const json& payload, const VendorContext& context) {
  const json& order = payload.contains("order") ? payload["order"] : payload;
  auto snapshot = ShopifyOrder(order, context);
  if (!snapshot.ok()) return snapshot.status();
  VendorPayload out;
  out.orders.push_back(*std::move(snapshot));
  return out;
}

}  // namespace makegood::adapters
