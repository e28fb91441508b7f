#ifndef MAKEGOOD_CORE_RECOVERY_APPLY_H_
#define MAKEGOOD_CORE_RECOVERY_APPLY_H_

// ApplyRemedy: gives the chosen option and extras, one remedy per flagged
// line for item remedies.
//
// Rules, in order:
//  1. The case is open (FAILED_PRECONDITION, CASE_CLOSED); each option is
//     offered on the case (INVALID_ARGUMENT, UNKNOWN_OPTION), named once,
//     not declined (OPTION_DECLINED) and not already given or waiting
//     (ALREADY_APPLIED); its remedy is still configured
//     (REMEDY_NOT_CONFIGURED).
//     On a check paid since the flag, only what fits a settled check
//     (CHECK_PAID otherwise).
//  2. A remedy costs what it takes off now (NOTHING_LEFT_TO_TAKE_OFF when
//     that is nothing); a next-visit code costs its face value.
//  3. The location's daily budget binds everyone: a remedy that would pass
//     it is refused (OVER_BUDGET), never left waiting.
//  4. Within the requester's per-case and per-shift limits, it is sent;
//     above them it waits in PENDING_APPROVAL, provided someone the
//     configuration names (another person, MANAGER or ADMIN) could approve
//     it together with whatever else waits on the case; otherwise it is
//     refused (NO_APPROVER).
// A request is all or nothing: one refused remedy refuses the request.
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

absl::StatusOr<CaseDecision> DecideApply(
    const RecoveryRequest& request,
    const makegood::v1::ApplyRemedyRequest& apply,
    const ApplySnapshot& snapshot);

// Whether the request may cost money, so that the store must read what was
// spent so far (a refire or a manager visit needs no authority).
bool ApplyMayCostMoney(const makegood::v1::RecoveryCase& recovery,
                       const makegood::v1::ApplyRemedyRequest& apply);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_APPLY_H_
