#include "core/recovery/ack.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/recovery/alerts.h"
#include "core/recovery/case_state.h"

namespace makegood::core {

using makegood::v1::AckCommandRequest;
using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

absl::StatusOr<AckDecision> DecideAck(const RecoveryRequest& request,
                                      const AckCommandRequest& ack,
                                      const AckSnapshot& snapshot) {
  const RecoveryRules& rules = *request.rules;
  AckDecision decision;
  decision.response.set_command_id(ack.command_id());
  if (snapshot.recorded_result != AckCommandRequest::RESULT_UNSPECIFIED) {
    decision.response.set_recorded_result(snapshot.recorded_result);
    decision.response.set_duplicate(true);
    return decision;
  }
  decision.response.set_recorded_result(ack.result());
  if (ack.result() == AckCommandRequest::RETRY_LATER) return decision;
  decision.record_ack = true;
  if (snapshot.application_id.empty() || !snapshot.recovery) return decision;

  CaseDecision change;
  change.recovery = *snapshot.recovery;
  RecoveryCase& recovery = change.recovery;
  AppliedRemedy* remedy = FindRemedy(recovery, snapshot.application_id);
  if (remedy == nullptr) return decision;  // Not a remedy of this case.
  const bool applied = ack.result() == AckCommandRequest::APPLIED;
  if (applied) {
    remedy->set_status(AppliedRemedy::APPLIED);
    remedy->set_pos_reference(ack.pos_reference());
  } else {
    remedy->set_status(AppliedRemedy::REJECTED);
    remedy->set_rejection_reason(ack.vendor_reason());
    if (auto* option = FindOption(recovery, remedy->option_id()))
      option->set_declined(true);
  }
  Recompute(recovery, rules);
  if (!applied) {
    change.alerts.push_back(
        IdentifiedAlert(request, CommandRejectedAlert(recovery, *remedy)));
  }
  // A remedy counts in the business day it was requested in.
  change.remedies.push_back(
      {*remedy, ChargedTo(*remedy),
       rules.BusinessDay(FromProto(remedy->requested_at()))});
  change.case_write = CaseDecision::CaseWrite::kUpdate;
  change.ledger.push_back(
      Entry(request, recovery, applied ? "command_applied" : "command_rejected",
            remedy->cost().minor_units(),
            absl::StrCat(ack.command_id(), " ",
                         applied ? ack.pos_reference() : ack.vendor_reason())));
  decision.case_change = std::move(change);
  return decision;
}

}  // namespace makegood::core
