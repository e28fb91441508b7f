#include "core/recovery/follow_up_done.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/refusal.h"

namespace makegood::core {

absl::StatusOr<FollowUpDecision> DecideFollowUpDone(
    const RecoveryRequest& request,
    const makegood::v1::CompleteFollowUpRequest& done,
    const FollowUpSnapshot& snapshot) {
  if (snapshot.follow_up.has_done_at()) {
    return Refuse(
        absl::StatusCode::kFailedPrecondition,
        makegood::v1::Error::FOLLOW_UP_DONE,
        absl::StrCat("the follow-up of case ", done.case_id(),
                     " was already done by ", snapshot.follow_up.done_by()));
  }
  FollowUpDecision decision;
  decision.follow_up = snapshot.follow_up;
  *decision.follow_up.mutable_done_at() = ToProto(request.now);
  decision.follow_up.set_done_by(request.actor_id);
  decision.follow_up.set_note(done.note());
  decision.ledger.at = request.now;
  decision.ledger.location_id = request.rules->location_id();
  decision.ledger.case_id = done.case_id();
  decision.ledger.action = "follow_up_done";
  decision.ledger.actor = request.actor_id;
  decision.ledger.device = request.device_id;
  return decision;
}

}  // namespace makegood::core
