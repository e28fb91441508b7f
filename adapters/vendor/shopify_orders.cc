// Shopify (REST Admin, incl. the POS channel): int64 ids, money as decimal
// strings, line item properties, discount applications allocated to the
// lines, discount codes; a fulfilled line is the retail counterpart of
// served. A payload is an order, bare or as {"order": ...} (the orders/*
// webhooks), or {"orders": [...]} (GET orders.json).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

// One of the order's discount_applications, which the lines'
// discount_allocations name by index.
struct Application {
  // The code it applies; "" when it applies none.
  std::string code;
  // When the code is one of makegood's next-visit codes: its canonical form.
  std::optional<std::string> makegood;
};

// The code an application applies: a "discount_code" application's `code`,
// or a "manual" one's `title`. Shopify records a code given in the
// discount_codes of an order created through the API as a manual
// application titled with the code, and lists it in discount_codes too
// (tests/fixtures/pos/shopify/sdk_rest_order_create_with_code.json).
std::vector<Application> Applications(const JsonValue& order) {
  std::vector<Application> applications;
  for (const JsonValue& application :
       order.Field("discount_applications").Elements()) {
    if (!application.Object(Need::kRequired)) break;
    const std::string type = application.Field("type").Text(Need::kRequired);
    Application read;
    if (type == "discount_code") {
      read.code = application.Field("code").Text(Need::kRequired);
    } else if (type == "manual") {
      read.code = application.Field("title").Text();
    }
    read.makegood = core::CanonicalDiscountCode(read.code);
    applications.push_back(std::move(read));
  }
  return applications;
}

// Shopify's line item properties (a name and a value each, no price: an
// engraving, a choice on the product form) as modifiers of price 0, one per
// unit, named "name: value" as Shopify's order notifications print them.
// Like those, it leaves out a property whose name starts with "_" (hidden
// from the customer: an app's own data, not what the guest chose) or whose
// value is blank (a field of the form left empty).
void AddProperties(const JsonValue& properties, LineSnapshot& line) {
  for (const JsonValue& property : properties.Elements()) {
    if (!property.Object(Need::kRequired)) return;
    const JsonValue name_field = property.Field("name");
    const std::string name = name_field.Text(Need::kRequired);
    const std::string value = property.Field("value").Text(Need::kRequired);
    if (!property.reader().ok()) return;
    if (name.empty()) {
      name_field.Fail("is empty; a property is shown by its name");
      return;
    }
    if (name.front() == '_' || absl::StripAsciiWhitespace(value).empty()) {
      continue;
    }
    AddModifier(line,
                ModifierSnapshot{.name = absl::StrCat(name, ": ", value),
                                 .quantity = 1,
                                 .unit_price_minor = 0},
                property);
  }
}

// When each line (by id) went out: the creation of the successful
// fulfillment that names it, the latest one when it went out in parts.
std::map<std::string, absl::Time> FulfilledAt(const JsonValue& order) {
  std::map<std::string, absl::Time> fulfilled;
  for (const JsonValue& fulfillment : order.Field("fulfillments").Elements()) {
    if (!fulfillment.Object(Need::kRequired)) break;
    if (fulfillment.Field("status").Text() != "success") continue;
    const absl::Time at = fulfillment.Field("created_at").Time(Need::kRequired);
    for (const JsonValue& item : fulfillment.Field("line_items").Elements()) {
      if (!item.Object(Need::kRequired)) break;
      const std::string id = item.Field("id").IntegerId(Need::kRequired);
      if (!item.reader().ok()) break;
      auto [it, added] = fulfilled.emplace(id, at);
      if (!added) it->second = std::max(it->second, at);
    }
  }
  return fulfilled;
}

// Whether the lines carry money of an application that applies `code`
// (that is then where the code's discount is).
bool OnTheLines(const std::vector<Application>& applications,
                const std::vector<bool>& allocated, const std::string& code) {
  for (size_t i = 0; i < applications.size(); ++i) {
    if (allocated[i] && absl::EqualsIgnoreCase(applications[i].code, code)) {
      return true;
    }
  }
  return false;
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
  // Lines have no time of their own: they came with the order's creation.
  snapshot.opened_at = order.Field("created_at").Time(Need::kRequired);
  snapshot.updated_at = order.Field("updated_at").Time();
  if (snapshot.updated_at != absl::InfinitePast()) {
    snapshot.version = absl::ToUnixMicros(snapshot.updated_at);
  }
  const absl::Time processed_at = order.Field("processed_at").Time();
  const absl::Time closed_at = order.Field("closed_at").Time();
  const absl::Time cancelled_at = order.Field("cancelled_at").Time();
  snapshot.server_id = order.Field("user_id").IntegerId();
  const bool cancelled = cancelled_at != absl::InfinitePast();
  const std::string cancel_reason = order.Field("cancel_reason").Text();
  const std::vector<Application> applications = Applications(order);
  // Which applications put money on the lines, and how much of makegood's
  // codes they took off (by canonical code).
  std::vector<bool> allocated(applications.size(), false);
  std::map<std::string, int64_t> makegood_allocated;
  const std::map<std::string, absl::Time> fulfilled_at = FulfilledAt(order);
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
    // The variant's title is part of the name, its price is the price.
    line.name = item.Field("name").Text();
    line.quantity = item.Field("quantity").Quantity(QuantityForm::kInteger);
    line.unit_price_minor =
        Money(item.Field("price"), Need::kRequired, currency);
    AddProperties(item.Field("properties"), line);
    line.added_at = snapshot.opened_at;
    if (item.Field("fulfillment_status").Text() == "fulfilled") {
      line.state = LineSnapshot::State::kServed;
      if (auto at = fulfilled_at.find(line.line_id); at != fulfilled_at.end()) {
        line.served_at = at->second;
        // Shopify has no kitchen step: the line was sent on no later than
        // it went out, not when the order last changed.
        line.fired_at = at->second;
      }
    }
    if (cancelled) {
      line.state = LineSnapshot::State::kVoided;
      line.void_reason = cancel_reason;
      line.voided_at = cancelled_at;
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
      if (index >= static_cast<int64_t>(applications.size())) {
        index_field.Fail(absl::StrCat("names discount application ", index,
                                      ", but the order has ",
                                      applications.size()));
        break;
      }
      const Application& application = applications[static_cast<size_t>(index)];
      // makegood's code counts once, as its redemption (below), never as
      // a discount of the POS's.
      if (application.makegood.has_value()) {
        AddAmount(makegood_allocated[*application.makegood], amount,
                  amount_field);
        continue;
      }
      AddAmount(line.discounts[absl::StrCat("application-", index)], amount,
                amount_field);
      if (amount > 0) allocated[static_cast<size_t>(index)] = true;
    }
    snapshot.lines.push_back(std::move(line));
  }
  // A code is one discount: makegood's codes are their redemption; any
  // other code is where Shopify allocated it, on the lines, and only a code
  // whose money is on no line (an order from before discount applications,
  // a code off shipping) is a discount of the whole check. makegood's codes
  // are kept by their canonical form: the same code written twice is one
  // redemption.
  std::set<std::string> makegood_listed;
  for (const JsonValue& code : order.Field("discount_codes").Elements()) {
    if (!code.Object(Need::kRequired)) break;
    const JsonValue name = code.Field("code");
    const std::string text = name.Text(Need::kRequired);
    if (text.empty() && name.present()) name.Fail("is empty; expected a code");
    const JsonValue amount = code.Field("amount");
    const int64_t money = Money(amount, Need::kRequired, currency);
    if (!code.reader().ok()) break;
    std::string key = text;
    if (std::optional<std::string> ours = core::CanonicalDiscountCode(text)) {
      key = *ours;
      makegood_listed.insert(key);
    } else if (OnTheLines(applications, allocated, text)) {
      continue;
    }
    AddAmount(snapshot.redeemed_codes[key], money, amount);
  }
  // A makegood code that took money off the lines but that discount_codes
  // does not list is still its redemption, of what the lines say.
  for (const auto& [ours, money] : makegood_allocated) {
    if (makegood_listed.count(ours) == 0) {
      AddAmount(snapshot.redeemed_codes[ours], money,
                order.Field("discount_applications"));
    }
  }
  const std::string financial = order.Field("financial_status").Text();
  if (financial == "paid" || financial == "partially_refunded" ||
      financial == "refunded") {
    snapshot.paid = true;
    snapshot.paid_total_minor =
        Money(order.Field("total_price"), Need::kRequired, currency);
    snapshot.tip_minor =
        Money(order.Field("total_tip_received"), Need::kOptional, currency);
    // An order carries no transactions (they are a resource of their own):
    // processed_at, when Shopify processed the order (the POS checkout), is
    // its time of payment.
    snapshot.paid_at = processed_at;
  }
  snapshot.closed = closed_at != absl::InfinitePast() || cancelled;
  snapshot.closed_at =
      closed_at != absl::InfinitePast() ? closed_at : cancelled_at;
  // total_line_items_price is Σ price × quantity over every line item,
  // removed ones (current_quantity 0) included, as the lines here are. A
  // cancelled order's lines are all voided here, and Shopify's figure
  // still counts them: it then says nothing of the lines that stand.
  const JsonValue gross = order.Field("total_line_items_price");
  if (gross.exists()) {
    const int64_t stated = Money(gross, Need::kOptional, currency);
    if (!cancelled) snapshot.stated_gross_minor = stated;
  }
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
