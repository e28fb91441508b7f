#include "core/authority.h"

#include "absl/strings/str_cat.h"
#include "core/money.h"

namespace makegood::core {

bool CountsAsGiven(makegood::v1::AppliedRemedy::Status status) {
  return status == makegood::v1::AppliedRemedy::SENT ||
         status == makegood::v1::AppliedRemedy::APPLIED;
}

AuthorityDecision CheckAuthority(const RecoveryRules& rules,
                                 makegood::v1::Role role, int64_t cost_minor,
                                 const Spent& spent) {
  AuthorityDecision decision;
  if (cost_minor <= 0) return decision;
  const std::string& currency = rules.currency();
  auto money = [&](int64_t minor) { return FormatAmount(minor, currency); };
  const std::string role_name = makegood::v1::Role_Name(role);
  const RoleAuthority* limits = rules.AuthorityOf(role);
  if (limits == nullptr) {
    decision.needs_approval = true;
    decision.reason =
        absl::StrCat("the ", role_name, " role has no authority to give ",
                     money(cost_minor), " without approval");
    return decision;
  }
  const int64_t on_case = spent.requester_on_case + cost_minor;
  if (on_case > limits->max_per_case_minor) {
    decision.needs_approval = true;
    decision.reason = absl::StrCat(
        "over the ", role_name, " limit of ", money(limits->max_per_case_minor),
        " per case (this case would reach ", money(on_case), ")");
    return decision;
  }
  const int64_t in_shift = spent.requester_in_shift + cost_minor;
  if (limits->max_per_shift_minor && in_shift > *limits->max_per_shift_minor) {
    decision.needs_approval = true;
    decision.reason = absl::StrCat("over the ", role_name, " limit of ",
                                   money(*limits->max_per_shift_minor),
                                   " per shift (this shift would reach ",
                                   money(in_shift), ")");
    return decision;
  }
  const int64_t in_day = spent.location_in_day + cost_minor;
  if (auto budget = rules.location_daily_budget_minor();
      budget && in_day > *budget) {
    decision.needs_approval = true;
    decision.reason =
        absl::StrCat("over the location's daily budget of ", money(*budget),
                     " (today would reach ", money(in_day), ")");
  }
  return decision;
}

std::string CheckApproverLimit(const RecoveryRules& rules,
                               makegood::v1::Role approver_role,
                               int64_t case_total_with_it_minor) {
  const RoleAuthority* limits = rules.AuthorityOf(approver_role);
  const std::string role_name = makegood::v1::Role_Name(approver_role);
  if (limits == nullptr) {
    return absl::StrCat("the ", role_name,
                        " role has no authority configured to approve it");
  }
  if (case_total_with_it_minor > limits->max_per_case_minor) {
    return absl::StrCat(
        "over the ", role_name, " limit of ",
        FormatAmount(limits->max_per_case_minor, rules.currency()),
        " per case (the case would reach ",
        FormatAmount(case_total_with_it_minor, rules.currency()), ")");
  }
  return "";
}

}  // namespace makegood::core
