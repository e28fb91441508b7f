#ifndef MAKEGOOD_CORE_POLICY_H_
#define MAKEGOOD_CORE_POLICY_H_

// The policy engine: which remedies to offer for a flagged problem.
//
// Rules are read in configuration order; every rule whose conditions all
// hold adds its `offer` remedies to the ranked options and its `extra`
// remedies to the extras, skipping remedies already added (the first rule
// to name a remedy is the one recorded on it). Then two filters apply:
//  - a flag without lines (the whole check) offers no remedy that acts on
//    an item (REMAKE, COMP_ITEM, DISCOUNT_ITEM, REPLACE);
//  - a paid or closed check offers only what still makes sense after
//    payment: DISCOUNT_CODE, REFUND, REPLACE and COMPLIMENTARY_ITEM (a gift).
// Pure and deterministic; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

// One line of the check as the policy sees it.
struct PolicyItem {
  std::string line_id;
  std::string sku;
  std::string name;  // For messages ("Ribeye flagged 3 times…").
  std::string station;
  int32_t quantity = 1;
  int64_t unit_price_minor = 0;
  // What is left of the line's value after POS discounts and earlier
  // remedies; a comp never takes more.
  int64_t remaining_minor = 0;
  std::optional<absl::Time> ordered_at;
  std::optional<absl::Time> fired_at;
  std::optional<absl::Time> served_at;
};

struct PolicyInput {
  std::string category_id;
  makegood::v1::Severity severity = makegood::v1::SEVERITY_UNSPECIFIED;
  // The flagged lines; empty when the whole check is flagged.
  std::vector<PolicyItem> flagged;
  // Lines of the check not voided: what a whole-check flag waits on.
  std::vector<PolicyItem> live_items;
  bool check_settled = false;  // Paid or closed.
  // What is left of the check's value for money-off remedies.
  int64_t check_remaining_minor = 0;
  // The check's subtotal: what a percent next-visit code is a percent of.
  int64_t check_value_minor = 0;
  // Cases on this check including this one (2: the second problem).
  int problems_on_check = 1;
  // When the check's guest had earlier cases (any order).
  std::vector<absl::Time> guest_case_times;
  absl::Time now;
};

struct PolicyDecision {
  std::vector<makegood::v1::RemedyOption> options;  // Best first.
  std::vector<makegood::v1::RemedyOption> extras;
};

PolicyDecision ChooseRemedies(const RecoveryRules& rules,
                              const PolicyInput& input);

// What `remedy` would cost the business on this case, in minor units,
// never more than the value left: the flagged lines' remaining value for
// item remedies, the check's for check remedies. REMAKE and MANAGER_VISIT
// cost nothing. A DISCOUNT_CODE costs its face value: its amount, or its
// percent of the check's subtotal capped by its max_value (reports count
// it when redeemed instead, at what the POS took off).
int64_t RemedyCost(const CompiledRemedy& remedy, const PolicyInput& input);

// `percent` of `amount_minor`, rounded half up to the minor unit
// (12.5 cents -> 13). Percentages are whole numbers 0 to 100.
int64_t PercentOf(int64_t amount_minor, int percent);

// Whether the kind acts on flagged items (and so needs some).
bool ActsOnItems(makegood::v1::RemedyKind kind);
// Whether the kind still makes sense once the check is paid or closed.
bool FitsSettledCheck(makegood::v1::RemedyKind kind);
// Whether the kind takes money off the check (and so counts against its
// remaining value).
bool TakesMoneyOffCheck(makegood::v1::RemedyKind kind);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_POLICY_H_
