#include "core/policy.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace makegood::core {
namespace {

using makegood::v1::RemedyKind;
using makegood::v1::RemedyOption;

// The items a rule's item conditions look at: the flagged lines, or for a
// whole-check flag the lines still on the check.
const std::vector<PolicyItem>& ItemsInQuestion(const PolicyInput& input) {
  return input.flagged.empty() ? input.live_items : input.flagged;
}

template <typename Values>
bool ContainsOrEmpty(const Values& values, const std::string& value) {
  return values.empty() ||
         std::find(values.begin(), values.end(), value) != values.end();
}

// Minutes an item has waited since `since`: until served, or until now.
absl::Duration Waited(const PolicyItem& item,
                      const std::optional<absl::Time>& since, absl::Time now) {
  if (!since) return absl::ZeroDuration();
  const absl::Time until = item.served_at.value_or(now);
  return until - *since;
}

bool AnyItem(const PolicyInput& input,
             const std::function<bool(const PolicyItem&)>& test) {
  const auto& items = ItemsInQuestion(input);
  return std::any_of(items.begin(), items.end(), test);
}

bool Matches(const CompiledRule& compiled, const PolicyInput& input) {
  const auto& when = compiled.rule.when();
  if (!when.category().empty() && when.category() != input.category_id)
    return false;
  if (when.severity_size() > 0 &&
      std::find(when.severity().begin(), when.severity().end(),
                input.severity) == when.severity().end()) {
    return false;
  }
  if (when.station_size() > 0 || when.sku_size() > 0 ||
      compiled.min_item_price_minor) {
    // Item attributes are about the flagged lines only.
    const bool any = std::any_of(
        input.flagged.begin(), input.flagged.end(), [&](const PolicyItem& i) {
          return ContainsOrEmpty(when.station(), i.station) &&
                 ContainsOrEmpty(when.sku(), i.sku) &&
                 i.unit_price_minor >=
                     compiled.min_item_price_minor.value_or(0);
        });
    if (!any) return false;
  }
  if (input.problems_on_check < when.problems_on_check_at_least()) return false;
  if (when.minutes_since_fired_at_least() > 0 &&
      !AnyItem(input, [&](const PolicyItem& item) {
        return Waited(item, item.fired_at, input.now) >=
               absl::Minutes(when.minutes_since_fired_at_least());
      })) {
    return false;
  }
  if (when.minutes_since_ordered_at_least() > 0 &&
      !AnyItem(input, [&](const PolicyItem& item) {
        return Waited(item, item.ordered_at, input.now) >=
               absl::Minutes(when.minutes_since_ordered_at_least());
      })) {
    return false;
  }
  if (when.guest_history().cases() > 0) {
    const absl::Time since =
        input.now - absl::Hours(24) * when.guest_history().days();
    const auto earlier = std::count_if(
        input.guest_case_times.begin(), input.guest_case_times.end(),
        [&](absl::Time t) { return t >= since && t < input.now; });
    if (earlier < when.guest_history().cases()) return false;
  }
  return true;
}

int64_t Sum(const std::vector<PolicyItem>& items, int64_t PolicyItem::*field) {
  int64_t total = 0;
  for (const auto& item : items) total += item.*field;
  return total;
}

int64_t ItemsValue(const std::vector<PolicyItem>& items) {
  int64_t total = 0;
  for (const auto& item : items) total += item.unit_price_minor * item.quantity;
  return total;
}

}  // namespace

int64_t PercentOf(int64_t amount_minor, int percent) {
  return (amount_minor * percent + 50) / 100;
}

bool ActsOnItems(RemedyKind kind) {
  return kind == makegood::v1::REMAKE || kind == makegood::v1::COMP_ITEM ||
         kind == makegood::v1::DISCOUNT_ITEM || kind == makegood::v1::REPLACE;
}

bool FitsSettledCheck(RemedyKind kind) {
  return kind == makegood::v1::DISCOUNT_CODE || kind == makegood::v1::REFUND ||
         kind == makegood::v1::REPLACE ||
         kind == makegood::v1::COMPLIMENTARY_ITEM;
}

bool TakesMoneyOffCheck(RemedyKind kind) {
  return kind == makegood::v1::COMP_ITEM ||
         kind == makegood::v1::DISCOUNT_ITEM ||
         kind == makegood::v1::DISCOUNT_CHECK || kind == makegood::v1::REFUND;
}

int64_t RemedyCost(const CompiledRemedy& compiled, const PolicyInput& input) {
  const auto& remedy = compiled.remedy;
  const int64_t items_left =
      std::min(Sum(input.flagged, &PolicyItem::remaining_minor),
               input.check_remaining_minor);
  auto off = [&](int64_t base) {
    const int64_t wanted = remedy.percent() > 0
                               ? PercentOf(base, remedy.percent())
                               : compiled.amount_minor;
    return std::clamp<int64_t>(wanted, 0, base);
  };
  switch (remedy.kind()) {
    case makegood::v1::COMP_ITEM:
      return std::max<int64_t>(items_left, 0);
    case makegood::v1::DISCOUNT_ITEM:
      return off(std::max<int64_t>(items_left, 0));
    case makegood::v1::DISCOUNT_CHECK:
      return off(std::max<int64_t>(input.check_remaining_minor, 0));
    case makegood::v1::REFUND: {
      const int64_t base =
          input.flagged.empty() ? input.check_remaining_minor : items_left;
      return compiled.amount_minor > 0 ? off(std::max<int64_t>(base, 0))
                                       : std::max<int64_t>(base, 0);
    }
    case makegood::v1::REPLACE:
      return ItemsValue(input.flagged);
    case makegood::v1::COMPLIMENTARY_ITEM:
      return compiled.value_minor;
    case makegood::v1::DISCOUNT_CODE: {
      if (remedy.percent() <= 0) return compiled.amount_minor;
      const int64_t face = PercentOf(input.check_value_minor, remedy.percent());
      return compiled.max_value_minor
                 ? std::min(face, *compiled.max_value_minor)
                 : face;
    }
    case makegood::v1::REMAKE:
    case makegood::v1::MANAGER_VISIT:
    default:
      return 0;
  }
}

PolicyDecision ChooseRemedies(const RecoveryRules& rules,
                              const PolicyInput& input) {
  PolicyDecision decision;
  std::set<std::string> added;
  auto add = [&](const std::string& remedy_id, const std::string& rule,
                 std::vector<RemedyOption>& into, const char* prefix) {
    const CompiledRemedy* compiled = rules.FindRemedy(remedy_id);
    if (compiled == nullptr || !added.insert(remedy_id).second) return;
    const RemedyKind kind = compiled->remedy.kind();
    if (input.flagged.empty() && ActsOnItems(kind)) return;
    if (input.check_settled && !FitsSettledCheck(kind)) return;
    RemedyOption option;
    option.set_option_id(absl::StrCat(prefix, into.size() + 1));
    option.set_remedy_id(remedy_id);
    option.set_kind(kind);
    option.set_label(compiled->remedy.label().empty()
                         ? remedy_id
                         : compiled->remedy.label());
    option.mutable_estimated_cost()->set_minor_units(
        RemedyCost(*compiled, input));
    option.mutable_estimated_cost()->set_currency(rules.currency());
    option.set_rule(rule);
    into.push_back(std::move(option));
  };
  for (const CompiledRule& compiled : rules.rules()) {
    if (!Matches(compiled, input)) continue;
    for (const auto& id : compiled.rule.offer())
      add(id, compiled.name, decision.options, "o");
    for (const auto& id : compiled.rule.extra())
      add(id, compiled.name, decision.extras, "x");
  }
  return decision;
}

}  // namespace makegood::core
