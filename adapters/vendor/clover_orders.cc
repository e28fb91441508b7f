// Clover REST v3: money in integer cents with the currency on the order,
// a line item's price without its modifications (each its own amount),
// line discounts as a negative amount or a whole percentage, `printed` as
// the only kitchen state, times in Unix milliseconds, webhooks that only
// name the orders to fetch. A payload is an order (expanded with
// lineItems, their modifications and discounts, discounts, payments), a
// list of orders ({"elements": [...]}, GET .../orders) or a webhook.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
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

// When something happened: the device's clientCreatedTime when stated (a
// Clover device stamps the order, payment or refund as it is made), else
// the server's createdTime (when it recorded it, later for a device that
// was offline); InfinitePast when neither is there.
absl::Time ClientOrServerTime(const JsonValue& object) {
  const absl::Time client = object.Field("clientCreatedTime").UnixMillis();
  if (client != absl::InfinitePast()) return client;
  return object.Field("createdTime").UnixMillis();
}

// The whole units of a line item. A Clover line item is one unit, or
// `unitQty` thousandths of one for an item priced per unit (Clover's order
// calculator, OrderCalc/Calc in its Android SDK: price × unitQty / 1000).
// A fraction of a unit is refused: decimal quantities are not translated.
int32_t LineQuantity(const JsonValue& unit_qty) {
  constexpr int64_t kOneUnit = 1000;
  const int64_t thousandths =
      unit_qty.Integer(Need::kOptional, 1, kMaxInt32, kOneUnit);
  if (thousandths % kOneUnit != 0) {
    unit_qty.Fail(absl::StrCat(
        "is ", thousandths,
        " thousandths of a unit; only whole units (multiples of 1000) are "
        "translated"));
    return 1;
  }
  return static_cast<int32_t>(thousandths / kOneUnit);
}

// Prices the item's modifications into `line`, whose unit price holds the
// item's `price` (which leaves them out). Clover keeps one modification
// per modifier chosen, a modifier chosen twice twice, each with the
// `amount` it cost then in cents; its calculator counts a missing amount
// as 0, and so does this.
void AddModifications(const JsonValue& item, const std::string& currency,
                      LineSnapshot& line) {
  const int64_t base_minor = line.unit_price_minor;
  const JsonValue modifications = item.Field("modifications");
  for (const JsonValue& modification : ElementsOf(modifications)) {
    if (!modification.Object(Need::kRequired)) return;
    ModifierSnapshot modifier;
    modifier.name = modification.Field("name").Text();
    modifier.unit_price_minor = modification.Field("amount").Amount(
        Need::kOptional, AmountForm::kMinorUnits, currency);
    AddModifier(line, std::move(modifier), modification);
  }
  // Clover adds a line's modifications once, not once per unit.
  if (line.quantity > 1 && line.unit_price_minor != base_minor) {
    modifications.Fail(absl::StrCat(
        "are priced once on a line of ", line.quantity,
        " units, and makegood prices modifiers per unit; such a line is not "
        "translated"));
  }
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
  const absl::Time created =
      order.Field("createdTime").UnixMillis(Need::kRequired);
  const absl::Time client_created =
      order.Field("clientCreatedTime").UnixMillis();
  snapshot.opened_at =
      client_created != absl::InfinitePast() ? client_created : created;
  snapshot.updated_at = order.Field("modifiedTime").UnixMillis();
  snapshot.version = snapshot.updated_at == absl::InfinitePast()
                         ? 0
                         : absl::ToUnixMicros(snapshot.updated_at);
  snapshot.server_id = order.Field("employee").Field("id").Id();
  snapshot.guest_count = static_cast<int32_t>(
      order.Field("guestCount").Integer(Need::kOptional, 0, kMaxInt32));
  const std::string& money = snapshot.currency;
  IdsSeen lines;
  // What the lines that are not voided come to after their own discounts:
  // what Clover takes the order's percentages of.
  int64_t subtotal = 0;
  // Clover's own priceWithModifiers of the lines that are not voided
  // (a line's price × unitQty / 1000 plus its modifications), while every
  // such line states one.
  int64_t stated_gross = 0;
  int stating_lines = 0;
  bool every_line_states = true;
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
    line.quantity = LineQuantity(item.Field("unitQty"));
    AddModifications(item, money, line);
    int64_t worth = 0;
    if (__builtin_mul_overflow(line.unit_price_minor, line.quantity, &worth)) {
      price.Fail("times the line's units is too large for int64 minor units");
    }
    line.added_at = item.Field("createdTime").UnixMillis();
    if (item.Field("printed").Bool()) line.state = LineSnapshot::State::kFired;
    const bool refunded = item.Field("refunded").Bool();
    const bool exchanged = item.Field("exchanged").Bool();
    if (refunded || exchanged) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = refunded ? "refunded" : "exchanged";
      // An item refunded on its own carries its refund; an exchange, no
      // time.
      if (refunded) line.voided_at = ClientOrServerTime(item.Field("refund"));
    }
    const bool voided = line.state == LineSnapshot::State::kVoided;
    // Clover takes each percentage of the line with its modifications, and
    // each amount as it is (its order-totals guide, step 2).
    int64_t line_off = 0;
    for (const JsonValue& discount : ElementsOf(item.Field("discounts"))) {
      if (!discount.Object(Need::kRequired)) break;
      const std::string discount_id = discount.Field("id").Id(Need::kRequired);
      const int64_t off = DiscountOff(discount, worth, money);
      AddAmount(line.discounts[discount_id], off, discount);
      AddAmount(line_off, off, discount);
      if (auto command = FindRemedyMarker(discount.Field("name").Text())) {
        line.remedy_discounts[discount_id] = *command;
      }
    }
    // Clover's calculator leaves out refunded and exchanged lines, and
    // takes no line below zero.
    if (!voided) {
      AddAmount(subtotal, std::max<int64_t>(0, worth - line_off), item);
    }
    const JsonValue stated = item.Field("priceWithModifiers");
    if (stated.exists()) {
      const int64_t stated_minor =
          stated.Amount(Need::kOptional, AmountForm::kMinorUnits, money);
      if (!voided) {
        AddAmount(stated_gross, stated_minor, stated);
        ++stating_lines;
      }
    } else if (!voided) {
      every_line_states = false;
    }
    snapshot.lines.push_back(std::move(line));
  }
  // Clover's order total holds tax, service charges and discounts, some of
  // them percentages it rounds its own way, and it is kept by the apps
  // that change the order, not by Clover: the lines' own figures are the
  // only exact statement of what they are worth.
  if (every_line_states && stating_lines > 0) {
    snapshot.stated_gross_minor = stated_gross;
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
    // Paid when the last payment was made, if every payment says when.
    absl::Time last_payment = absl::InfinitePast();
    bool every_payment_timed = true;
    for (const JsonValue& payment : ElementsOf(order.Field("payments"))) {
      if (!payment.Object(Need::kRequired)) break;
      // Clover leaves a zero tip out.
      const JsonValue tip = payment.Field("tipAmount");
      AddAmount(snapshot.tip_minor,
                tip.Amount(Need::kOptional, AmountForm::kMinorUnits, money),
                tip);
      const absl::Time made = ClientOrServerTime(payment);
      if (made == absl::InfinitePast()) every_payment_timed = false;
      last_payment = std::max(last_payment, made);
    }
    if (every_payment_timed) snapshot.paid_at = last_payment;
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
