#ifndef MAKEGOOD_CORE_RECOVERY_FLAG_H_
#define MAKEGOOD_CORE_RECOVERY_FLAG_H_

// FlagProblem: opens a case with the remedies the policy offers, or returns
// the open case that already covers the same problem.
//
// Rules, in order:
//  1. The category must be configured (INVALID_ARGUMENT, UNKNOWN_CATEGORY)
//     and every line on the check (NOT_FOUND, UNKNOWN_LINE).
//  2. Unless the request says `new_problem`, an open case of the check with
//     the same category whose lines include the flagged ones (or, for a
//     whole-check flag, another whole-check case) is returned as it is,
//     with `already_open` set: a retried press never opens a second case.
//  3. A check closed (or paid) longer ago than
//     recovery.flag_closed_within_hours is flagged by a MANAGER or ADMIN
//     only (PERMISSION_DENIED, FLAG_TOO_LATE).
//  4. The case counts the check's earlier cases and the guest's history
//     for the policy; consent schedules a follow-up; every problem key that
//     reaches the recurring count raises an alert.
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

absl::StatusOr<CaseDecision> DecideFlag(
    const RecoveryRequest& request,
    const makegood::v1::FlagProblemRequest& flag, const FlagSnapshot& snapshot);

// The open case of `snapshot` that rule 2 returns, or nullptr.
const makegood::v1::RecoveryCase* OpenCaseCovering(
    const makegood::v1::FlagProblemRequest& flag, const FlagSnapshot& snapshot);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_FLAG_H_
