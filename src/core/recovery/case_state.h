#ifndef MAKEGOOD_CORE_RECOVERY_CASE_STATE_H_
#define MAKEGOOD_CORE_RECOVERY_CASE_STATE_H_

// The recovery state machine's states, and the helpers every decision
// shares.
//
// Case states (RecoveryCase.Status), derived from the remedies unless
// closed:
//   OPEN               nothing given yet (or only what the guest declined),
//                      nothing waiting
//   PENDING_APPROVAL   a remedy waits for a manager (wins over the others)
//   REMEDY_APPLIED     a remedy was sent to the POS or applied, and the
//                      guest has not declined it
//   RESOLVED           the guest accepted (closed)
//   GUEST_LEFT         the guest left (closed)
// A decline (the guest), a denial (a manager) or a rejection (the POS) marks
// the option declined, so the next one is offered; a closed case stays
// closed.
//
// Remedy states (AppliedRemedy.Status):
//   PENDING_APPROVAL -> SENT (approved) | DENIED
//   SENT -> APPLIED | REJECTED (the adapter's ack)
//   MANAGER_VISIT needs no POS: it is APPLIED at once and raises an alert.
// Pure; thread-safe.

#include <string>

#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

bool IsClosed(const makegood::v1::RecoveryCase& recovery);

// Status and total cost from the remedies; a closed case keeps its status.
void Recompute(makegood::v1::RecoveryCase& recovery,
               const RecoveryRules& rules);

// Whose authority a remedy counts against: the approver's when approved,
// else the requester's; nobody's while it is not given.
std::string ChargedTo(const makegood::v1::AppliedRemedy& remedy);

// nullptr when the case has no such option (among options and extras).
makegood::v1::RemedyOption* FindOption(makegood::v1::RecoveryCase& recovery,
                                       const std::string& option_id);
const makegood::v1::RemedyOption* FindOption(
    const makegood::v1::RecoveryCase& recovery, const std::string& option_id);
// nullptr when the case has no such remedy application.
makegood::v1::AppliedRemedy* FindRemedy(makegood::v1::RecoveryCase& recovery,
                                        const std::string& application_id);

// The first option the case has not tried (not declined), or nullptr.
const makegood::v1::RemedyOption* NextOption(
    const makegood::v1::RecoveryCase& recovery);

// What staff should do next, in English: the next option, or escalate.
std::string NextOfferText(const makegood::v1::RecoveryCase& recovery);

// `alert` with a new alert_id, of the request's id source.
makegood::v1::Alert IdentifiedAlert(const RecoveryRequest& request,
                                    makegood::v1::Alert alert);

// A ledger row of `recovery` by the request's actor, from the request's
// device, now.
LedgerEntry Entry(const RecoveryRequest& request,
                  const makegood::v1::RecoveryCase& recovery,
                  std::string action, int64_t amount_minor, std::string detail);

// The category's label, or its id when no longer configured.
std::string CategoryLabel(const RecoveryRules& rules,
                          const std::string& category_id);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_CASE_STATE_H_
