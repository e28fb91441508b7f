#ifndef MAKEGOOD_CORE_RECOVERY_OUTCOME_H_
#define MAKEGOOD_CORE_RECOVERY_OUTCOME_H_

// RecordOutcome: the guest accepted (RESOLVED), left (GUEST_LEFT) or
// declined (the last thing given, else the current offer, is marked
// declined and the next option offered); the root cause and action.
//
// Rules: a closed case takes only a root cause and an action
// (FAILED_PRECONDITION, CASE_CLOSED); with outcomes.require_root_cause,
// closing needs both (INVALID_ARGUMENT, ROOT_CAUSE_REQUIRED).
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

absl::StatusOr<CaseDecision> DecideOutcome(
    const RecoveryRequest& request,
    const makegood::v1::RecordOutcomeRequest& outcome,
    const OutcomeSnapshot& snapshot);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_OUTCOME_H_
