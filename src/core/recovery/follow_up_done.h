#ifndef MAKEGOOD_CORE_RECOVERY_FOLLOW_UP_DONE_H_
#define MAKEGOOD_CORE_RECOVERY_FOLLOW_UP_DONE_H_

// CompleteFollowUp: marks a guest's follow-up done, once
// (FAILED_PRECONDITION, FOLLOW_UP_DONE when it already is).
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/report.pb.h"

namespace makegood::core {

absl::StatusOr<FollowUpDecision> DecideFollowUpDone(
    const RecoveryRequest& request,
    const makegood::v1::CompleteFollowUpRequest& done,
    const FollowUpSnapshot& snapshot);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_FOLLOW_UP_DONE_H_
