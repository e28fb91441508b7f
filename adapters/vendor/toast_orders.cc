// Toast orders API v2: guids, money as JSON doubles in major units with no
// currency (it comes from the configuration), fulfillmentStatus as the only
// kitchen state (SENT, READY), voided selections, modifiers that are
// selections of their own. A payload is an order_updated webhook (the full
// order), an order, or a list of orders (the ordersBulk array).
//
// Times: a check opens at its openedDate, a selection is added at its
// createdDate and voided at its voidDate, a check is paid at its paidDate
// and closed at its closedDate. Toast states no time at which a selection
// was fired: the nearest it states is the selection's modifiedDate, its
// last change, which for a fired selection is its firing or later. The
// order's businessDate is not carried: the contract has no field for it.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "core/event_validation.h"
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

// `total` (read at `at`) shared out over `count` units; refused when it is
// no whole amount of minor units for each.
int64_t Each(int64_t total, int32_t count, const JsonValue& at,
             const std::string& currency, const char* units) {
  if (total % count != 0) {
    at.Fail(absl::StrCat(core::FormatAmount(total, currency),
                         " is no whole amount for each of ", count, " ",
                         units));
    return 0;
  }
  return total / count;
}

// The applied discounts of a selection (`line`) or of the check (`line`
// null). makegood's own carry its marker in `externalId` (in what the
// orders API returns; Toast's webhooks send externalId as null). A
// discount that came with a promotion code counts once: one of makegood's
// next-visit codes is that code's redemption only; the shop's own code is
// one discount, on the line Toast applied it to, or the check's code
// discount when Toast applied it to the check.
void ReadDiscounts(const JsonValue& holder, const std::string& currency,
                   LineSnapshot* line, OrderSnapshot& snapshot) {
  for (const JsonValue& applied : holder.Field("appliedDiscounts").Elements()) {
    if (!applied.Object(Need::kRequired)) return;
    const JsonValue amount_field = applied.Field("discountAmount");
    const int64_t amount = Money(amount_field, Need::kRequired, currency);
    const std::string guid = applied.Field("guid").Id(Need::kRequired);
    const std::string code = applied.Field("appliedPromoCode").Text();
    const std::string external = applied.Field("externalId").Text();
    const std::optional<std::string> ours = core::CanonicalDiscountCode(code);
    if (!code.empty() && (line == nullptr || ours.has_value())) {
      // A makegood code is kept in its one spelling: typed two ways on a
      // selection and on the check, it is still one redemption.
      AddAmount(snapshot.redeemed_codes[ours.value_or(code)], amount,
                amount_field);
      continue;
    }
    // The check-level code discount's id, "code-<code>", names the code on
    // the line too.
    const std::string id = code.empty() ? guid : "code-" + code;
    auto& discounts =
        line != nullptr ? line->discounts : snapshot.check_discounts;
    auto& remedies = line != nullptr ? line->remedy_discounts
                                     : snapshot.remedy_check_discounts;
    AddAmount(discounts[id], amount, amount_field);
    if (auto command = FindRemedyMarker(external)) remedies[id] = *command;
  }
}

// A modifier as read, to be added to its line once the line's own price is
// known.
struct ToastModifier {
  ModifierSnapshot modifier;
  JsonValue at;
};

// The price of one of `modifier` (of `quantity` on its whole line): its
// receiptLinePrice, which leaves out quantity, discounts and the modifiers
// under it, else its preDiscountPrice shared over its quantity.
int64_t OneModifierPrice(const JsonValue& modifier, int32_t quantity,
                         bool has_modifiers, const std::string& currency) {
  const JsonValue one = modifier.Field("receiptLinePrice");
  if (one.present()) return Money(one, Need::kRequired, currency);
  const JsonValue all = modifier.Field("preDiscountPrice");
  if (!all.exists()) {
    all.Fail("is required when receiptLinePrice is not given");
    return 0;
  }
  if (has_modifiers) {
    all.Fail(
        "includes the prices of the modifiers under it; receiptLinePrice is "
        "required to price this modifier on its own");
    return 0;
  }
  return Each(Money(all, Need::kRequired, currency), quantity, all, currency,
              "of it");
}

// The modifiers of `holder` (a selection, or a modifier that has modifiers
// of its own), in order, appended to `out` with their quantity on one unit
// of a line of `line_quantity`: Toast gives a modifier its line's quantity
// ("two cheeseburgers" with bacon: bacon 2). A nested modifier is a
// modifier of its own named after the one it refines ("Salad: Ranch"), so
// that the kitchen reads what it refines and each keeps its own price; as
// each is priced without the ones under it, none counts twice. A modifier
// voided on a line that is not voided is off the item; a voided line keeps
// the modifiers it was added with.
void ReadModifiers(const JsonValue& holder, const std::string& prefix,
                   int32_t line_quantity, bool line_voided,
                   const std::string& currency,
                   std::vector<ToastModifier>& out) {
  for (const JsonValue& modifier : holder.Field("modifiers").Elements()) {
    // One past the most a line holds is enough for AddModifier to refuse
    // the line; reading on would only recurse deeper.
    if (out.size() > static_cast<size_t>(core::kMaxModifiersPerItem)) return;
    if (!modifier.Object(Need::kRequired)) return;
    if (modifier.Field("voided").Bool() && !line_voided) continue;
    ToastModifier read{ModifierSnapshot{}, modifier};
    const std::string name = modifier.Field("displayName").Text();
    // A modifier without a name stays without one: AddModifier refuses it.
    read.modifier.name = name.empty() ? "" : prefix + name;
    const JsonValue quantity_field = modifier.Field("quantity");
    const int32_t quantity = quantity_field.Quantity(QuantityForm::kNumber);
    if (quantity % line_quantity != 0) {
      quantity_field.Fail(
          absl::StrCat(quantity, " is no whole number for each of the line's ",
                       line_quantity,
                       " items (Toast gives a modifier its line's quantity)"));
    }
    read.modifier.quantity = quantity / line_quantity;
    const bool has_modifiers = !modifier.Field("modifiers").Elements().empty();
    read.modifier.unit_price_minor =
        OneModifierPrice(modifier, quantity, has_modifiers, currency);
    // A size (a group that replaces its item's price) adds nothing: Toast
    // gives the size's price as the item's own ("for items that use size
    // pricing, receiptLinePrice is the price of the selected size").
    if (modifier.Field("optionGroupPricingMode").Text() == "REPLACES_PRICE") {
      read.modifier.unit_price_minor = 0;
    }
    out.push_back(read);
    ReadModifiers(modifier, read.modifier.name + ": ", line_quantity,
                  line_voided, currency, out);
  }
}

// What `modifiers` add to one unit of their line.
int64_t ModifiersOnEach(const std::vector<ToastModifier>& modifiers) {
  int64_t sum = 0;
  for (const ToastModifier& read : modifiers) {
    int64_t price = 0;
    if (__builtin_mul_overflow(read.modifier.unit_price_minor,
                               read.modifier.quantity, &price)) {
      read.at.Fail("makes a price too large for int64 minor units");
      return 0;
    }
    AddAmount(sum, price, read.at);
  }
  return sum;
}

// Toast's own figure for a selection, for the check's stated gross.
struct SelectionGross {
  std::optional<int64_t> amount;  // preDiscountPrice, when stated.
  bool comparable = true;         // False when tax may be in the price.
  JsonValue at;
};

// The order-wide facts each of its checks shares.
struct ToastOrderFacts {
  std::string location_id;
  absl::Time opened_at = absl::InfinitePast();
  std::string table;
  std::string server_id;
  int32_t guest_count = 0;
};

// One selection of a check as a line, and Toast's figure for it.
LineSnapshot ToastLine(const JsonValue& selection, bool check_voided,
                       absl::Time check_voided_at, const std::string& currency,
                       OrderSnapshot& snapshot, IdsSeen& lines,
                       std::vector<SelectionGross>& gross) {
  LineSnapshot line;
  const JsonValue line_guid = selection.Field("guid");
  line.line_id = line_guid.Id(Need::kRequired);
  lines.Add(line_guid, line.line_id);
  line.sku = selection.Field("item").Field("guid").Id();
  line.name = selection.Field("displayName").Text();
  line.quantity = selection.Field("quantity").Quantity(QuantityForm::kNumber);
  const bool voided_itself = selection.Field("voided").Bool();
  const bool voided = voided_itself || check_voided;
  std::vector<ToastModifier> modifiers;
  ReadModifiers(selection, "", line.quantity, voided, currency, modifiers);
  const JsonValue unit = selection.Field("receiptLinePrice");
  const JsonValue before = selection.Field("preDiscountPrice");
  if (unit.present()) {
    // One unit without its modifiers.
    line.unit_price_minor = Money(unit, Need::kRequired, currency);
  } else {
    // The selection's price before discounts, for all its units and their
    // modifiers.
    if (!before.exists()) {
      before.Fail("is required when receiptLinePrice is not given");
    }
    const int64_t each = Each(Money(before, Need::kRequired, currency),
                              line.quantity, before, currency, "items");
    const int64_t added = ModifiersOnEach(modifiers);
    if (added > each) {
      before.Fail(absl::StrCat(core::FormatAmount(each, currency),
                               " for each item is less than its modifiers' ",
                               core::FormatAmount(added, currency)));
    }
    line.unit_price_minor = each - added;
  }
  for (ToastModifier& read : modifiers) {
    AddModifier(line, std::move(read.modifier), read.at);
  }
  line.added_at = selection.Field("createdDate").Time();
  const absl::Time modified_at = selection.Field("modifiedDate").Time();
  const std::string status = selection.Field("fulfillmentStatus").Text();
  if (status == "SENT" || status == "READY") {
    line.state = LineSnapshot::State::kFired;
    line.fired_at = modified_at;
  }
  const std::string reason = selection.Field("voidReason").Field("guid").Id();
  const absl::Time voided_at = selection.Field("voidDate").Time();
  if (voided) {
    line.state = LineSnapshot::State::kVoided;
    line.void_reason = voided_itself && !check_voided ? reason : "check voided";
    line.voided_at = voided_at;
    // Toast's selections take their check's voidDate when it is voided.
    if (line.voided_at == absl::InfinitePast() && check_voided) {
      line.voided_at = check_voided_at;
    }
    if (line.voided_at == absl::InfinitePast()) line.voided_at = modified_at;
  }
  ReadDiscounts(selection, currency, &line, snapshot);
  SelectionGross figure{std::nullopt, true, before};
  if (before.present()) {
    figure.amount = Money(before, Need::kRequired, currency);
  }
  // Any taxInclusion but these may put tax in receiptLinePrice, which
  // preDiscountPrice leaves out: the two do not compare.
  const JsonValue inclusion = selection.Field("taxInclusion");
  const std::string tax = inclusion.Text();
  figure.comparable =
      !inclusion.present() || tax == "NOT_INCLUDED" || tax == "INHERITED";
  gross.push_back(figure);
  return line;
}

// Toast's own gross for the check (stated_gross_minor): the
// preDiscountPrice of each selection that is not voided, Toast's "gross
// sale price ... excludes tax". It includes the selection's modifiers: its
// price, which is preDiscountPrice less its discounts, includes "modifier
// prices". The check's amount plus its discounts would also count its
// service charges. Stated only when every such selection states one that
// compares with its line's price.
std::optional<int64_t> StatedGross(const OrderSnapshot& snapshot,
                                   const std::vector<SelectionGross>& gross) {
  int64_t sum = 0;
  for (size_t i = 0; i < snapshot.lines.size(); ++i) {
    if (snapshot.lines[i].state == LineSnapshot::State::kVoided) continue;
    if (!gross[i].amount.has_value() || !gross[i].comparable) {
      return std::nullopt;
    }
    AddAmount(sum, *gross[i].amount, gross[i].at);
  }
  return sum;
}

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
  const bool voided = check.Field("voided").Bool();
  const absl::Time voided_at = check.Field("voidDate").Time();
  IdsSeen lines;
  std::vector<SelectionGross> gross;
  for (const JsonValue& selection : check.Field("selections").Elements()) {
    if (!selection.Object(Need::kRequired)) break;
    if (selection.Field("deleted").Bool()) continue;
    snapshot.lines.push_back(ToastLine(selection, voided, voided_at, currency,
                                       snapshot, lines, gross));
  }
  ReadDiscounts(check, currency, nullptr, snapshot);
  const std::string payment = check.Field("paymentStatus").Text();
  if (payment == "PAID" || payment == "CLOSED") {
    snapshot.paid = true;
    snapshot.paid_total_minor =
        Money(check.Field("totalAmount"), Need::kRequired, currency);
    // The check's paidDate is its last payment's; without it, the latest
    // of its payments' own.
    snapshot.paid_at = check.Field("paidDate").Time();
    absl::Time last_payment = absl::InfinitePast();
    for (const JsonValue& paid : check.Field("payments").Elements()) {
      if (!paid.Object(Need::kRequired)) break;
      const JsonValue tip = paid.Field("tipAmount");
      AddAmount(snapshot.tip_minor, Money(tip, Need::kOptional, currency), tip);
      last_payment = std::max(last_payment, paid.Field("paidDate").Time());
    }
    if (snapshot.paid_at == absl::InfinitePast()) {
      snapshot.paid_at = last_payment;
    }
  }
  snapshot.closed_at = check.Field("closedDate").Time();
  if (snapshot.closed_at == absl::InfinitePast() && voided) {
    snapshot.closed_at = voided_at;
  }
  snapshot.closed = snapshot.closed_at != absl::InfinitePast() || voided;
  snapshot.stated_gross_minor = StatedGross(snapshot, gross);
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
