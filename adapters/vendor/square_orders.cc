// Square Orders API (2025-08-20): ids, Money{amount, currency} in minor
// units, quantities as decimal strings, no kitchen states.

#include "absl/strings/str_cat.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

int64_t AmountAt(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return 0;
  const json& money = object[key];
  return money.is_object() && money.contains("amount") &&
                 money["amount"].is_number_integer()
             ? money["amount"].get<int64_t>()
             : 0;
}

std::string CurrencyOf(const json& order) {
  for (const char* key : {"total_money", "net_amounts"}) {
    const json& money = ObjectAt(order, key);
    if (std::string c = TextAt(money, "currency"); !c.empty()) return c;
  }
  for (const json& line : ArrayAt(order, "line_items")) {
    std::string c = TextAt(ObjectAt(line, "base_price_money"), "currency");
    if (!c.empty()) return c;
  }
  return "";
}

absl::StatusOr<OrderSnapshot> SquareOrder(const json& order,
                                          const VendorContext& context) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  snapshot.check_id = TextAt(order, "id");
  if (snapshot.check_id.empty()) {
    return absl::InvalidArgumentError(
        "order.id: is required (not a Square order, RetrieveOrder response or "
        "order.* webhook)");
  }
  snapshot.location_id = context.Location(TextAt(order, "location_id"));
  snapshot.currency = CurrencyOf(order);
  snapshot.version = IntAt(order, "version");
  auto created =
      ParseVendorTime(TextAt(order, "created_at"), "order.created_at");
  if (!created.ok()) return created.status();
  snapshot.opened_at = *created;
  const std::string updated_text = TextAt(order, "updated_at");
  if (!updated_text.empty()) {
    auto updated = ParseVendorTime(updated_text, "order.updated_at");
    if (!updated.ok()) return updated.status();
    snapshot.updated_at = *updated;
  }
  snapshot.table = TextAt(order, "ticket_name");
  const std::string state = TextAt(order, "state");
  const json& lines = ArrayAt(order, "line_items");
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& item = lines[i];
    const std::string path = absl::StrCat("order.line_items[", i, "]");
    LineSnapshot line;
    line.line_id = TextAt(item, "uid");
    line.name = TextAt(item, "name");
    line.sku = TextAt(item, "catalog_object_id");
    if (line.sku.empty()) line.sku = line.name;
    auto quantity =
        WholeQuantity(item.contains("quantity") ? item["quantity"] : json("1"),
                      path + ".quantity");
    if (!quantity.ok()) return quantity.status();
    line.quantity = *quantity;
    line.unit_price_minor = AmountAt(item, "base_price_money");
    line.added_at = snapshot.opened_at;
    for (const json& applied : ArrayAt(item, "applied_discounts")) {
      const std::string uid = TextAt(applied, "discount_uid");
      line.discounts[uid] += AmountAt(applied, "applied_money");
      // makegood's discounts have its marker as their uid.
      if (auto command = FindRemedyMarker(uid)) {
        line.remedy_discounts[uid] = *command;
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
    snapshot.paid_total_minor = AmountAt(order, "total_money");
    snapshot.tip_minor = AmountAt(order, "total_tip_money");
  }
  snapshot.closed = state == "COMPLETED" || state == "CANCELED";
  return snapshot;
}

}  // namespace

absl::StatusOr<VendorPayload> ParseSquarePayload(const json& payload,
                                                 const VendorContext& context) {
  VendorPayload out;
  if (payload.contains("event_id") && payload.contains("data")) {
    out.event_id = TextAt(payload, "event_id");
    const json& object = ObjectAt(payload["data"], "object");
    for (const auto& [name, summary] : object.items()) {
      if (!summary.is_object() || !summary.contains("order_id")) continue;
      out.fetch.push_back(OrderToFetch{TextAt(summary, "order_id"),
                                       TextAt(summary, "location_id"),
                                       IntAt(summary, "version")});
    }
    if (out.fetch.empty()) {
      return absl::InvalidArgumentError(
          "data.object: no order_id (not an order.* webhook)");
    }
    return out;
  }
  const json& order = payload.contains("order") ? payload["order"] : payload;
  auto snapshot = SquareOrder(order, context);
  if (!snapshot.ok()) return snapshot.status();
  out.orders.push_back(*std::move(snapshot));
  return out;
}

}  // namespace makegood::adapters
