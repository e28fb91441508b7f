#include "core/recovery/outcome.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/recovery/case_state.h"
#include "core/refusal.h"

namespace makegood::core {
namespace {

using makegood::v1::Error;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyOption;

// What the guest declined: the last option given, else the current offer.
RemedyOption* DeclinedOption(RecoveryCase& recovery) {
  for (int i = recovery.remedies_size() - 1; i >= 0; --i) {
    RemedyOption* option =
        FindOption(recovery, recovery.remedies(i).option_id());
    // Options ("o1", "o2") form the ladder; extras ("x1") do not.
    if (option != nullptr && absl::StartsWith(option->option_id(), "o"))
      return option;
  }
  for (auto& option : *recovery.mutable_options()) {
    if (!option.declined()) return &option;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<CaseDecision> DecideOutcome(
    const RecoveryRequest& request,
    const makegood::v1::RecordOutcomeRequest& outcome,
    const OutcomeSnapshot& snapshot) {
  const RecoveryRules& rules = *request.rules;
  CaseDecision decision;
  decision.recovery = snapshot.recovery;
  RecoveryCase& recovery = decision.recovery;
  const auto response = outcome.guest_response();
  if (response != makegood::v1::GUEST_RESPONSE_UNSPECIFIED &&
      IsClosed(recovery)) {
    return Refuse(
        absl::StatusCode::kFailedPrecondition, Error::CASE_CLOSED,
        absl::StrCat("case ", recovery.case_id(), " is already closed (",
                     RecoveryCase::Status_Name(recovery.status()),
                     "); only the root cause and action can still "
                     "be recorded"));
  }
  if (response != makegood::v1::GUEST_RESPONSE_UNSPECIFIED)
    recovery.set_guest_response(response);
  if (outcome.root_cause() != makegood::v1::ROOT_CAUSE_UNSPECIFIED)
    recovery.set_root_cause(outcome.root_cause());
  if (!outcome.action_taken().empty())
    recovery.set_action_taken(outcome.action_taken());
  const bool closes =
      response == makegood::v1::ACCEPTED || response == makegood::v1::LEFT;
  if (closes && rules.config().outcomes().require_root_cause()) {
    if (recovery.root_cause() == makegood::v1::ROOT_CAUSE_UNSPECIFIED) {
      return BadField("root_cause",
                      "required to close a case (outcomes.require_root_cause "
                      "is set)",
                      Error::ROOT_CAUSE_REQUIRED);
    }
    if (recovery.action_taken().empty()) {
      return BadField("action_taken",
                      "required to close a case (outcomes.require_root_cause "
                      "is set)",
                      Error::ROOT_CAUSE_REQUIRED);
    }
  }
  std::string detail = makegood::v1::GuestResponse_Name(response);
  if (response == makegood::v1::ACCEPTED) {
    recovery.set_status(RecoveryCase::RESOLVED);
    *recovery.mutable_closed_at() = ToProto(request.now);
  } else if (response == makegood::v1::LEFT) {
    recovery.set_status(RecoveryCase::GUEST_LEFT);
    *recovery.mutable_closed_at() = ToProto(request.now);
  } else if (response == makegood::v1::DECLINED) {
    if (RemedyOption* declined = DeclinedOption(recovery)) {
      declined->set_declined(true);
      absl::StrAppend(&detail, " ", declined->option_id());
    }
    recovery.set_status(RecoveryCase::OPEN);
  }
  Recompute(recovery, rules);
  if (recovery.root_cause() != makegood::v1::ROOT_CAUSE_UNSPECIFIED) {
    absl::StrAppend(&detail, " cause ",
                    makegood::v1::RootCause_Name(recovery.root_cause()));
  }
  decision.case_write = CaseDecision::CaseWrite::kUpdate;
  decision.ledger.push_back(Entry(request, recovery, "outcome", 0, detail));
  return decision;
}

}  // namespace makegood::core
