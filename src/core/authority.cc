#include "core/authority.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "core/money.h"

namespace makegood::core {

bool CountsAsGiven(makegood::v1::AppliedRemedy::Status status) {
  return status == makegood::v1::AppliedRemedy::SENT ||
         status == makegood::v1::AppliedRemedy::APPLIED;
}

namespace {

// Needs approval: over `limit` (none for NO_AUTHORITY) with `reached`.
AuthorityDecision OverLimit(const RecoveryRules& rules, makegood::v1::Role role,
                            makegood::v1::ApprovalNeed::Limit limit,
                            std::optional<int64_t> limit_minor,
                            int64_t reached_minor) {
  const std::string& currency = rules.currency();
  auto money = [&](int64_t minor) { return FormatAmount(minor, currency); };
  const std::string role_name = makegood::v1::Role_Name(role);
  AuthorityDecision decision;
  decision.needs_approval = true;
  decision.need.set_limit(limit);
  decision.need.set_role(role);
  if (limit_minor) {
    decision.need.mutable_limit_amount()->set_minor_units(*limit_minor);
    decision.need.mutable_limit_amount()->set_currency(currency);
  }
  decision.need.mutable_reached()->set_minor_units(reached_minor);
  decision.need.mutable_reached()->set_currency(currency);
  switch (limit) {
    case makegood::v1::ApprovalNeed::PER_CASE:
      decision.reason = absl::StrCat(
          "over the ", role_name, " limit of ", money(*limit_minor),
          " per case (this case would reach ", money(reached_minor), ")");
      break;
    case makegood::v1::ApprovalNeed::PER_SHIFT:
      decision.reason = absl::StrCat(
          "over the ", role_name, " limit of ", money(*limit_minor),
          " per shift (this shift would reach ", money(reached_minor), ")");
      break;
    default:
      decision.reason =
          absl::StrCat("the ", role_name, " role has no authority to give ",
                       money(reached_minor), " without approval");
      break;
  }
  return decision;
}

}  // namespace

AuthorityDecision CheckAuthority(const RecoveryRules& rules,
                                 makegood::v1::Role role, int64_t cost_minor,
                                 const Spent& spent) {
  if (cost_minor <= 0) return {};
  const RoleAuthority* limits = rules.AuthorityOf(role);
  if (limits == nullptr && role == makegood::v1::ADMIN) return {};
  if (limits == nullptr) {
    return OverLimit(rules, role, makegood::v1::ApprovalNeed::NO_AUTHORITY,
                     std::nullopt, cost_minor);
  }
  const int64_t on_case = spent.requester_on_case + cost_minor;
  if (on_case > limits->max_per_case_minor) {
    return OverLimit(rules, role, makegood::v1::ApprovalNeed::PER_CASE,
                     limits->max_per_case_minor, on_case);
  }
  const int64_t in_shift = spent.requester_in_shift + cost_minor;
  if (limits->max_per_shift_minor && in_shift > *limits->max_per_shift_minor) {
    return OverLimit(rules, role, makegood::v1::ApprovalNeed::PER_SHIFT,
                     *limits->max_per_shift_minor, in_shift);
  }
  return {};
}

std::string CheckDailyBudget(const RecoveryRules& rules, int64_t cost_minor,
                             int64_t location_in_day_minor) {
  const auto budget = rules.location_daily_budget_minor();
  const int64_t in_day = location_in_day_minor + cost_minor;
  if (cost_minor <= 0 || !budget || in_day <= *budget) return "";
  return absl::StrCat("over the location's daily budget of ",
                      FormatAmount(*budget, rules.currency()),
                      " (today would reach ",
                      FormatAmount(in_day, rules.currency()), ")");
}

std::string CheckApproverLimit(const RecoveryRules& rules,
                               makegood::v1::Role approver_role,
                               int64_t case_total_with_it_minor) {
  const RoleAuthority* limits = rules.AuthorityOf(approver_role);
  const std::string role_name = makegood::v1::Role_Name(approver_role);
  if (approver_role != makegood::v1::MANAGER &&
      approver_role != makegood::v1::ADMIN) {
    return absl::StrCat("the ", role_name, " role does not approve remedies");
  }
  if (limits == nullptr && approver_role == makegood::v1::ADMIN) return "";
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

std::string CheckSomeoneCanApprove(const RecoveryRules& rules,
                                   const std::string& requester_person,
                                   int64_t case_total_with_it_minor) {
  std::string why_not;
  for (const auto& [id, role] : rules.Credentials()) {
    if (role != makegood::v1::MANAGER && role != makegood::v1::ADMIN) continue;
    if (rules.PersonOf(id) == requester_person) continue;
    const std::string over =
        CheckApproverLimit(rules, role, case_total_with_it_minor);
    if (over.empty()) return "";
    if (why_not.empty()) why_not = over;
  }
  if (why_not.empty()) {
    return "no other MANAGER or ADMIN is configured to approve it";
  }
  return absl::StrCat("nobody configured can approve it: ", why_not);
}

}  // namespace makegood::core
