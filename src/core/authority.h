#ifndef MAKEGOOD_CORE_AUTHORITY_H_
#define MAKEGOOD_CORE_AUTHORITY_H_

// Whether a person may give a remedy without a manager's approval.
// The store gathers what was already given inside the write transaction
// that records the new remedy, so concurrent requests see each other.
// Pure; thread-safe.

#include <cstdint>
#include <string>

#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

// Whether a remedy in `status` counts as given: against authority, budgets,
// what is left of a check, and in reports. SENT and APPLIED do; pending,
// denied and rejected ones do not.
bool CountsAsGiven(makegood::v1::AppliedRemedy::Status status);

// What has already been given, in minor units, counting remedies sent to
// the POS or applied (not pending, denied or rejected ones).
struct Spent {
  // By the requester on this case.
  int64_t requester_on_case = 0;
  // By the requester in their shift (their business day).
  int64_t requester_in_shift = 0;
  // By the whole location in the business day.
  int64_t location_in_day = 0;
};

struct AuthorityDecision {
  bool needs_approval = false;
  // Why approval is needed, in English: "over the SERVER limit of 25.00
  // per case (this case would reach 30.00)".
  std::string reason;
  // The same in parts, for screens in other languages.
  makegood::v1::ApprovalNeed need;
};

// Costless remedies never need approval. Otherwise the role's per-case and
// per-shift limits must hold. A role without limits needs approval for any
// cost, except ADMIN, which has no limit unless one is configured. The
// daily budget is not an approval matter: see CheckDailyBudget.
AuthorityDecision CheckAuthority(const RecoveryRules& rules,
                                 makegood::v1::Role role, int64_t cost_minor,
                                 const Spent& spent);

// Whether the location may give `cost_minor` more today: the daily budget
// binds everyone, approvals included. The empty string when it may,
// otherwise why not.
std::string CheckDailyBudget(const RecoveryRules& rules, int64_t cost_minor,
                             int64_t location_in_day_minor);

// Whether a person of `approver_role` may approve a remedy that takes the
// case's total to `case_total_with_it_minor`: MANAGER within its own
// configured max_per_case (no entry: it cannot approve money), ADMIN within
// its entry if it has one, otherwise without limit; no other role approves.
// The empty string when they may, otherwise why not.
std::string CheckApproverLimit(const RecoveryRules& rules,
                               makegood::v1::Role approver_role,
                               int64_t case_total_with_it_minor);

// Whether some credential of the configuration, held by a person other than
// `requester_person`, could approve such a remedy. The empty string when
// someone could, otherwise why nobody can.
std::string CheckSomeoneCanApprove(const RecoveryRules& rules,
                                   const std::string& requester_person,
                                   int64_t case_total_with_it_minor);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_AUTHORITY_H_
