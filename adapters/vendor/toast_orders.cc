// Toast orders API v2: guids, money as JSON doubles in major units with no
// currency (it comes from the configuration), fulfillmentStatus as the only
// kitchen state (SENT, READY), voided selections.

#include "absl/strings/str_cat.h"
#include "remedy_marker.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

std::string GuidAt(const json& object, const char* key) {
  return object.is_object() && object.contains(key)
             ? TextAt(object[key], "guid")
             : "";
}

// An optional time field; InfinitePast when absent.
absl::StatusOr<absl::Time> OptionalTime(const json& object, const char* key,
                                        const std::string& path) {
  const std::string text = TextAt(object, key);
  if (text.empty()) return absl::InfinitePast();
  return ParseVendorTime(text, path);
}

absl::StatusOr<int64_t> OptionalMoney(const json& object, const char* key,
                                      const std::string& currency,
                                      const std::string& path) {
  if (!object.contains(key) || object[key].is_null()) return 0;
  return MajorToMinor(object[key], currency, path);
}

// makegood's own discounts carry its marker in `externalId` (in what the
// orders API returns; Toast's webhooks send externalId as null).
absl::Status ReadDiscounts(const json& holder, const std::string& currency,
                           const std::string& path,
                           std::map<std::string, int64_t>& discounts,
                           std::map<std::string, std::string>& remedies,
                           std::map<std::string, int64_t>& codes) {
  const json& applied = ArrayAt(holder, "appliedDiscounts");
  for (size_t i = 0; i < applied.size(); ++i) {
    const std::string where = absl::StrCat(path, ".appliedDiscounts[", i, "]");
    auto amount = OptionalMoney(applied[i], "discountAmount", currency,
                                where + ".discountAmount");
    if (!amount.ok()) return amount.status();
    const std::string code = TextAt(applied[i], "appliedPromoCode");
    if (!code.empty()) codes[code] += *amount;
    const std::string guid = TextAt(applied[i], "guid");
    discounts[guid] += *amount;
    if (auto command = FindRemedyMarker(TextAt(applied[i], "externalId"))) {
      remedies[guid] = *command;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<OrderSnapshot> ToastCheck(const json& order, const json& check,
                                         const std::string& path,
                                         const std::string& restaurant,
                                         const VendorContext& context) {
  OrderSnapshot snapshot;
  snapshot.source = context.source;
  snapshot.check_id = TextAt(check, "guid");
  if (snapshot.check_id.empty()) {
    return absl::InvalidArgumentError(path + ".guid: is required");
  }
  snapshot.location_id = context.Location(restaurant);
  snapshot.currency = context.currency;
  auto opened = OptionalTime(check, "openedDate", path + ".openedDate");
  if (!opened.ok()) return opened.status();
  if (*opened == absl::InfinitePast()) {
    opened = OptionalTime(order, "openedDate", "order.openedDate");
    if (!opened.ok()) return opened.status();
  }
  snapshot.opened_at = *opened;
  auto modified = OptionalTime(check, "modifiedDate", path + ".modifiedDate");
  if (!modified.ok()) return modified.status();
  snapshot.updated_at = *modified;
  snapshot.version =
      *modified == absl::InfinitePast() ? 0 : absl::ToUnixMicros(*modified);
  snapshot.table = GuidAt(order, "table");
  snapshot.server_id = GuidAt(order, "server");
  snapshot.guest_count = static_cast<int32_t>(IntAt(order, "numberOfGuests"));
  const json& selections = ArrayAt(check, "selections");
  for (size_t i = 0; i < selections.size(); ++i) {
    const json& selection = selections[i];
    const std::string where = absl::StrCat(path, ".selections[", i, "]");
    if (BoolAt(selection, "deleted")) continue;
    LineSnapshot line;
    line.line_id = TextAt(selection, "guid");
    line.sku = GuidAt(selection, "item");
    line.name = TextAt(selection, "displayName");
    auto quantity = WholeQuantity(
        selection.contains("quantity") ? selection["quantity"] : json(1),
        where + ".quantity");
    if (!quantity.ok()) return quantity.status();
    line.quantity = *quantity;
    if (selection.contains("receiptLinePrice") &&
        !selection["receiptLinePrice"].is_null()) {
      auto unit = MajorToMinor(selection["receiptLinePrice"], context.currency,
                               where + ".receiptLinePrice");
      if (!unit.ok()) return unit.status();
      line.unit_price_minor = *unit;
    } else {
      auto before =
          OptionalMoney(selection, "preDiscountPrice", context.currency,
                        where + ".preDiscountPrice");
      if (!before.ok()) return before.status();
      line.unit_price_minor = *before / line.quantity;
    }
    auto created =
        OptionalTime(selection, "createdDate", where + ".createdDate");
    if (!created.ok()) return created.status();
    line.added_at = *created;
    const std::string status = TextAt(selection, "fulfillmentStatus");
    if (status == "SENT" || status == "READY") {
      line.state = LineSnapshot::State::kFired;
    }
    if (BoolAt(selection, "voided")) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = GuidAt(selection, "voidReason");
    }
    if (absl::Status s =
            ReadDiscounts(selection, context.currency, where, line.discounts,
                          line.remedy_discounts, snapshot.redeemed_codes);
        !s.ok()) {
      return s;
    }
    snapshot.lines.push_back(std::move(line));
  }
  if (absl::Status s = ReadDiscounts(
          check, context.currency, path, snapshot.check_discounts,
          snapshot.remedy_check_discounts, snapshot.redeemed_codes);
      !s.ok()) {
    return s;
  }
  const std::string payment = TextAt(check, "paymentStatus");
  if (payment == "PAID" || payment == "CLOSED") {
    snapshot.paid = true;
    auto total = OptionalMoney(check, "totalAmount", context.currency,
                               path + ".totalAmount");
    if (!total.ok()) return total.status();
    snapshot.paid_total_minor = *total;
    const json& payments = ArrayAt(check, "payments");
    for (size_t i = 0; i < payments.size(); ++i) {
      auto tip =
          OptionalMoney(payments[i], "tipAmount", context.currency,
                        absl::StrCat(path, ".payments[", i, "].tipAmount"));
      if (!tip.ok()) return tip.status();
      snapshot.tip_minor += *tip;
    }
  }
  if (BoolAt(check, "voided")) {
    for (LineSnapshot& line : snapshot.lines) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = "check voided";
    }
  }
  snapshot.closed =
      !TextAt(check, "closedDate").empty() || BoolAt(check, "voided");
  return snapshot;
}

}  // namespace

absl::StatusOr<VendorPayload> ParseToastPayload(const json& payload,
                                                const VendorContext& context) {
  if (context.currency.empty()) {
    return absl::InvalidArgumentError(
        "currency: Toast payloads carry none; configure the restaurant's");
  }
  VendorPayload out;
  const json* order = &payload;
  std::string restaurant;
  if (payload.contains("details")) {
    out.event_id = TextAt(payload, "guid");
    restaurant = TextAt(payload["details"], "restaurantGuid");
    if (!payload["details"].contains("order")) {
      return absl::InvalidArgumentError("details.order: is required");
    }
    order = &payload["details"]["order"];
  }
  if (!order->is_object() || !order->contains("checks")) {
    return absl::InvalidArgumentError(
        "not a Toast order or order webhook (no checks)");
  }
  const json& checks = (*order)["checks"];
  for (size_t i = 0; i < checks.size(); ++i) {
    if (BoolAt(checks[i], "deleted")) continue;
    auto snapshot =
        ToastCheck(*order, checks[i], absl::StrCat("order.checks[", i, "]"),
                   restaurant, context);
    if (!snapshot.ok()) return snapshot.status();
    out.orders.push_back(*std::move(snapshot));
  }
  return out;
}

}  // namespace makegood::adapters
