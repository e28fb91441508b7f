#include "core/recovery/apply.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/authority.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/proto_time.h"
#include "core/recovery/alerts.h"
#include "core/recovery/case_state.h"
#include "core/recovery/check_view.h"
#include "core/recovery/remedy_sending.h"
#include "core/refusal.h"

namespace makegood::core {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::Error;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyOption;

std::vector<std::string> ChosenOptions(
    const makegood::v1::ApplyRemedyRequest& apply) {
  std::vector<std::string> chosen;
  if (!apply.option_id().empty()) chosen.push_back(apply.option_id());
  chosen.insert(chosen.end(), apply.extra_option_ids().begin(),
                apply.extra_option_ids().end());
  return chosen;
}

// The request field that named chosen[i].
std::string FieldOfChoice(const makegood::v1::ApplyRemedyRequest& apply,
                          size_t i) {
  if (!apply.option_id().empty()) {
    if (i == 0) return "option_id";
    --i;
  }
  return absl::StrCat("extra_option_ids[", i, "]");
}

absl::Status CheckChoosable(RecoveryCase& recovery,
                            const makegood::v1::ApplyRemedyRequest& apply,
                            const std::vector<std::string>& chosen) {
  std::set<std::string> seen;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const std::string& id = chosen[i];
    if (!seen.insert(id).second) {
      return BadField(FieldOfChoice(apply, i),
                      absl::StrCat("option '", id, "' is named twice"));
    }
    const RemedyOption* option = FindOption(recovery, id);
    if (option == nullptr) {
      return BadField(FieldOfChoice(apply, i),
                      absl::StrCat("case ", recovery.case_id(),
                                   " has no option '", id, "'"),
                      Error::UNKNOWN_OPTION);
    }
    if (option->declined()) {
      return Refuse(
          absl::StatusCode::kFailedPrecondition, Error::OPTION_DECLINED,
          absl::StrCat("option ", id, " (", option->label(),
                       ") was declined or refused; ", NextOfferText(recovery)));
    }
    for (const auto& remedy : recovery.remedies()) {
      if (remedy.option_id() == id &&
          (CountsAsGiven(remedy.status()) ||
           remedy.status() == AppliedRemedy::PENDING_APPROVAL)) {
        return Refuse(
            absl::StatusCode::kFailedPrecondition, Error::ALREADY_APPLIED,
            absl::StrCat("option ", id, " (", option->label(),
                         ") is already applied on case ", recovery.case_id(),
                         " as ", remedy.remedy_application_id(), " (",
                         AppliedRemedy::Status_Name(remedy.status()), ")"));
      }
    }
  }
  return absl::OkStatus();
}

// The lines a remedy acts on: each flagged line for item remedies (and
// refunds of flagged lines), otherwise the check itself ("").
std::vector<std::string> Targets(const RecoveryCase& recovery,
                                 makegood::v1::RemedyKind kind) {
  const bool per_line = ActsOnItems(kind) || (kind == makegood::v1::REFUND &&
                                              recovery.line_ids_size() > 0);
  if (!per_line) return {""};
  return {recovery.line_ids().begin(), recovery.line_ids().end()};
}

// What the case's remedies waiting for approval would cost.
int64_t PendingTotal(const RecoveryCase& recovery) {
  int64_t total = 0;
  for (const auto& remedy : recovery.remedies()) {
    if (remedy.status() == AppliedRemedy::PENDING_APPROVAL)
      total += remedy.cost().minor_units();
  }
  return total;
}

}  // namespace

bool ApplyMayCostMoney(const RecoveryCase& recovery,
                       const makegood::v1::ApplyRemedyRequest& apply) {
  RecoveryCase copy = recovery;
  for (const std::string& id : ChosenOptions(apply)) {
    const RemedyOption* option = FindOption(copy, id);
    if (option == nullptr) continue;
    if (option->kind() != makegood::v1::REMAKE &&
        option->kind() != makegood::v1::MANAGER_VISIT)
      return true;
  }
  return false;
}

absl::StatusOr<CaseDecision> DecideApply(
    const RecoveryRequest& request,
    const makegood::v1::ApplyRemedyRequest& apply,
    const ApplySnapshot& snapshot) {
  const RecoveryRules& rules = *request.rules;
  CaseDecision decision;
  decision.recovery = snapshot.recovery;
  RecoveryCase& recovery = decision.recovery;
  if (IsClosed(recovery)) {
    return Refuse(
        absl::StatusCode::kFailedPrecondition, Error::CASE_CLOSED,
        absl::StrCat("case ", recovery.case_id(), " is closed (",
                     RecoveryCase::Status_Name(recovery.status()), ")"));
  }
  const std::vector<std::string> chosen = ChosenOptions(apply);
  if (auto s = CheckChoosable(recovery, apply, chosen); !s.ok()) return s;

  CheckState check = snapshot.check;
  Spent spent = snapshot.spent;
  const std::string requester_person = rules.PersonOf(request.actor_id);
  const std::string day = rules.BusinessDay(request.now);
  for (const std::string& id : chosen) {
    const RemedyOption option = *FindOption(recovery, id);
    const CompiledRemedy* compiled = rules.FindRemedy(option.remedy_id());
    if (compiled == nullptr) {
      return Refuse(
          absl::StatusCode::kFailedPrecondition, Error::REMEDY_NOT_CONFIGURED,
          absl::StrCat("option ", id, ": remedy '", option.remedy_id(),
                       "' is no longer configured"));
    }
    if (IsSettled(check.check) && !FitsSettledCheck(option.kind())) {
      return Refuse(
          absl::StatusCode::kFailedPrecondition, Error::CHECK_PAID,
          absl::StrCat("option ", id, " (", option.label(), "): check ",
                       recovery.check_id(), " was paid since the flag, and a ",
                       makegood::v1::RemedyKind_Name(option.kind()),
                       " does not fit a settled check; offer a refund or a "
                       "next-visit code instead"));
    }
    for (const std::string& line : Targets(recovery, option.kind())) {
      auto cost = CostNow(check, request.now, *compiled, line);
      if (!cost.ok()) return cost.status();
      if (std::string over =
              CheckDailyBudget(rules, *cost, spent.location_in_day);
          !over.empty()) {
        return Refuse(
            absl::StatusCode::kFailedPrecondition, Error::OVER_BUDGET,
            absl::StrCat("cannot give ", option.label(), " (",
                         FormatAmount(*cost, rules.currency()), "): ", over));
      }
      const AuthorityDecision authority =
          CheckAuthority(rules, request.actor_role, *cost, spent);
      AppliedRemedy& remedy = *recovery.add_remedies();
      remedy.set_remedy_application_id(request.ids->NewId("RA-", request.now));
      remedy.set_option_id(id);
      remedy.set_remedy_id(option.remedy_id());
      remedy.set_kind(option.kind());
      remedy.mutable_cost()->set_minor_units(*cost);
      remedy.mutable_cost()->set_currency(rules.currency());
      remedy.set_requested_by(request.actor_id);
      remedy.set_requested_by_person(requester_person);
      *remedy.mutable_requested_at() = ToProto(request.now);
      remedy.set_line_id(line);
      remedy.set_waste(option.kind() == makegood::v1::COMP_ITEM &&
                       ItemWasMade(check.check, line));
      if (!authority.needs_approval) {
        SendRemedy(request, *compiled, remedy, check, spent, decision);
        continue;
      }
      // Every remedy waiting on the case is approved onto the same total,
      // so the approver must be able to cover all of them.
      Recompute(recovery, rules);
      const int64_t total_with_it =
          recovery.total_cost().minor_units() + PendingTotal(recovery) + *cost;
      if (std::string nobody =
              CheckSomeoneCanApprove(rules, requester_person, total_with_it);
          !nobody.empty()) {
        return Refuse(
            absl::StatusCode::kFailedPrecondition, Error::NO_APPROVER,
            absl::StrCat(option.label(), " (",
                         FormatAmount(*cost, rules.currency()), ") is ",
                         authority.reason, ", and ", nobody));
      }
      remedy.set_status(AppliedRemedy::PENDING_APPROVAL);
      remedy.set_approval_reason(authority.reason);
      *remedy.mutable_approval_need() = authority.need;
      decision.remedies.push_back({remedy, "", day});
      decision.ledger.push_back(
          Entry(request, recovery, "remedy_pending", *cost,
                absl::StrCat(option.remedy_id(), ": ", authority.reason)));
      decision.alerts.push_back(IdentifiedAlert(
          request, ApprovalAskedAlert(rules, recovery, remedy)));
    }
  }
  Recompute(recovery, rules);
  decision.case_write = CaseDecision::CaseWrite::kUpdate;
  return decision;
}

}  // namespace makegood::core
