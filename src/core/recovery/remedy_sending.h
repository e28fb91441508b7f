#ifndef MAKEGOOD_CORE_RECOVERY_REMEDY_SENDING_H_
#define MAKEGOOD_CORE_RECOVERY_REMEDY_SENDING_H_

// Giving a remedy that is within authority (or approved): the money it
// takes off the check, its next-visit code, the command for the POS, the
// manager-visit alert and its ledger row. Shared by apply and approve.
// Pure; thread-safe.

#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"

namespace makegood::core {

// Sends `remedy` (already in `decision.recovery`, requested, with its cost
// set): marks it SENT (APPLIED for a manager visit) and adds its writes to
// `decision`. `check` is updated with the money it takes off and `spent`
// with what it costs, so that a later remedy of the same request sees them.
void SendRemedy(const RecoveryRequest& request, const CompiledRemedy& compiled,
                makegood::v1::AppliedRemedy& remedy, CheckState& check,
                Spent& spent, CaseDecision& decision);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_REMEDY_SENDING_H_
