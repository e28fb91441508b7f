#ifndef MAKEGOOD_STORE_RECOVERY_FLOW_H_
#define MAKEGOOD_STORE_RECOVERY_FLOW_H_

// The recovery state machine, run inside the writer's transaction: read the
// case and the check, let core decide (policy, authority), write the case,
// its remedies, ledger rows, commands and codes.
//
// Case states (RecoveryCase.Status):
//   OPEN -> PENDING_APPROVAL   a remedy above the requester's authority
//   OPEN -> REMEDY_APPLIED     a remedy sent to the POS
//   any open state -> OPEN     the guest declined, the POS rejected or a
//                              manager denied: the next option is offered
//   open states -> RESOLVED    the guest accepted (closed)
//   open states -> GUEST_LEFT  (closed)
// While any remedy waits for approval the case is PENDING_APPROVAL.
//
// Remedy states (AppliedRemedy.Status):
//   PENDING_APPROVAL -> SENT (approved) | DENIED
//   SENT -> APPLIED | REJECTED (the adapter's ack)
//   MANAGER_VISIT needs no POS: it is APPLIED at once and raises an alert.
//
// Errors: NOT_FOUND (case, check, line, command), FAILED_PRECONDITION
// (closed case, declined or already applied option, nothing left to take
// off, above the approver's own limit), PERMISSION_DENIED (approving one's
// own request), INVALID_ARGUMENT (unknown option), INTERNAL.

#include "absl/status/statusor.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

absl::StatusOr<RecoveryResult> FlagProblemInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::FlagProblemRequest& request);
absl::StatusOr<RecoveryResult> ApplyRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApplyRemedyRequest& request);
absl::StatusOr<RecoveryResult> ApproveRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApproveRemedyRequest& request);
absl::StatusOr<RecoveryResult> RecordOutcomeInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::RecordOutcomeRequest& request);
absl::StatusOr<AckResult> AckCommandInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::AckCommandRequest& request);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECOVERY_FLOW_H_
