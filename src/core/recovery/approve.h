#ifndef MAKEGOOD_CORE_RECOVERY_APPROVE_H_
#define MAKEGOOD_CORE_RECOVERY_APPROVE_H_

// ApproveRemedy: a manager approves or denies a remedy waiting for approval.
//
// Rules, in order:
//  1. The remedy is on the case (NOT_FOUND, UNKNOWN_REMEDY) and waits for
//     approval (FAILED_PRECONDITION, NOT_PENDING).
//  2. Nobody decides on a request of their own person, whichever credential
//     they use (PERMISSION_DENIED, SELF_APPROVAL).
//  3. A denial marks the option declined, so the next one is offered; it is
//     allowed on a closed case, to clear what still waits.
//  4. An approval needs an open case (CASE_CLOSED) and an option the guest
//     has not declined while it waited (OPTION_DECLINED); a check paid or
//     closed since the request takes only what fits a settled check
//     (CHECK_PAID); the remedy costs what it takes off now (never more than
//     asked); the approver's own limit must cover the case's total with it
//     (OVER_AUTHORITY: a MANAGER's max_per_case; ADMIN has none unless
//     configured); the location's daily budget binds (OVER_BUDGET). Then
//     it is sent, counted against the approver.
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

absl::StatusOr<CaseDecision> DecideApprove(
    const RecoveryRequest& request,
    const makegood::v1::ApproveRemedyRequest& approve,
    const ApproveSnapshot& snapshot);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_APPROVE_H_
