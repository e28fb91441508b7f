#include "core/recovery/approve.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/authority.h"
#include "core/policy.h"
#include "core/recovery/case_state.h"
#include "core/recovery/check_view.h"
#include "core/recovery/remedy_sending.h"
#include "core/refusal.h"

namespace makegood::core {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::Error;
using makegood::v1::RecoveryCase;

constexpr absl::StatusCode kPrecondition =
    absl::StatusCode::kFailedPrecondition;

}  // namespace

absl::StatusOr<CaseDecision> DecideApprove(
    const RecoveryRequest& request,
    const makegood::v1::ApproveRemedyRequest& approve,
    const ApproveSnapshot& snapshot) {
  const RecoveryRules& rules = *request.rules;
  CaseDecision decision;
  decision.recovery = snapshot.recovery;
  RecoveryCase& recovery = decision.recovery;
  AppliedRemedy* remedy = FindRemedy(recovery, approve.remedy_application_id());
  if (remedy == nullptr) {
    return Refuse(
        absl::StatusCode::kNotFound, Error::UNKNOWN_REMEDY,
        absl::StrCat("remedy_application_id: case ", recovery.case_id(),
                     " has no remedy '", approve.remedy_application_id(), "'"));
  }
  if (remedy->status() != AppliedRemedy::PENDING_APPROVAL) {
    return Refuse(
        kPrecondition, Error::NOT_PENDING,
        absl::StrCat("remedy ", remedy->remedy_application_id(), " is ",
                     AppliedRemedy::Status_Name(remedy->status()),
                     ", not waiting for approval"));
  }
  const std::string requester_person =
      remedy->requested_by_person().empty()
          ? rules.PersonOf(remedy->requested_by())
          : remedy->requested_by_person();
  if (rules.PersonOf(request.actor_id) == requester_person) {
    return Refuse(absl::StatusCode::kPermissionDenied, Error::SELF_APPROVAL,
                  "nobody approves their own request, with this or another of "
                  "their credentials: another manager must approve it");
  }
  const std::string day = rules.BusinessDay(request.now);
  remedy->set_approved_by(request.actor_id);
  if (!approve.approve()) {
    remedy->set_status(AppliedRemedy::DENIED);
    remedy->set_rejection_reason(approve.reason());
    if (auto* option = FindOption(recovery, remedy->option_id()))
      option->set_declined(true);
    decision.remedies.push_back({*remedy, "", day});
    LedgerEntry entry =
        Entry(request, recovery, "remedy_denied", 0,
              absl::StrCat(remedy->remedy_id(), ": ", approve.reason()));
    entry.approver = request.actor_id;
    decision.ledger.push_back(std::move(entry));
    Recompute(recovery, rules);
    decision.case_write = CaseDecision::CaseWrite::kUpdate;
    return decision;
  }

  if (IsClosed(recovery)) {
    return Refuse(kPrecondition, Error::CASE_CLOSED,
                  absl::StrCat("cannot approve: case ", recovery.case_id(),
                               " is closed (",
                               RecoveryCase::Status_Name(recovery.status()),
                               "); deny the remedy instead"));
  }
  if (const auto* option = FindOption(recovery, remedy->option_id());
      option != nullptr && option->declined()) {
    return Refuse(kPrecondition, Error::OPTION_DECLINED,
                  absl::StrCat("cannot approve: the guest declined option ",
                               option->option_id(),
                               " while it waited; deny the remedy instead"));
  }
  if (IsSettled(snapshot.check.check) && !FitsSettledCheck(remedy->kind())) {
    return Refuse(
        kPrecondition, Error::CHECK_PAID,
        absl::StrCat("cannot approve: check ", recovery.check_id(),
                     " was paid since the request, and a ",
                     makegood::v1::RemedyKind_Name(remedy->kind()),
                     " does not fit a settled check; deny it and offer a "
                     "refund or a next-visit code instead"));
  }
  const CompiledRemedy* compiled = rules.FindRemedy(remedy->remedy_id());
  if (compiled == nullptr) {
    return Refuse(kPrecondition, Error::REMEDY_NOT_CONFIGURED,
                  absl::StrCat("remedy '", remedy->remedy_id(),
                               "' is no longer configured"));
  }
  auto cost =
      CostNow(snapshot.check, request.now, *compiled, remedy->line_id());
  if (!cost.ok()) return cost.status();
  const int64_t cost_now = std::min(*cost, remedy->cost().minor_units());
  if (std::string over =
          CheckApproverLimit(rules, request.actor_role,
                             recovery.total_cost().minor_units() + cost_now);
      !over.empty()) {
    return Refuse(kPrecondition, Error::OVER_AUTHORITY,
                  absl::StrCat("cannot approve: ", over));
  }
  if (std::string over =
          CheckDailyBudget(rules, cost_now, snapshot.spent.location_in_day);
      !over.empty()) {
    return Refuse(kPrecondition, Error::OVER_BUDGET,
                  absl::StrCat("cannot approve: ", over));
  }
  remedy->mutable_cost()->set_minor_units(cost_now);
  CheckState check = snapshot.check;
  Spent spent = snapshot.spent;
  SendRemedy(request, *compiled, *remedy, check, spent, decision);
  Recompute(recovery, rules);
  decision.case_write = CaseDecision::CaseWrite::kUpdate;
  return decision;
}

}  // namespace makegood::core
