#ifndef MAKEGOOD_STORE_RECOVERY_FLOW_H_
#define MAKEGOOD_STORE_RECOVERY_FLOW_H_

// The recovery requests inside the writer's transaction: load the snapshot
// core needs (core/recovery/snapshot.h), let core decide
// (core/recovery/flag.h, apply.h, approve.h, outcome.h, ack.h), persist the
// decision (store/decision_writes.h). Every rule is core's; this file only
// reads and writes.
//
// Errors: those of the decisions (core/recovery/*.h), NOT_FOUND with reason
// UNKNOWN_CHECK or UNKNOWN_CASE, INTERNAL (SQLite failed).

#include "absl/status/statusor.h"
#include "core/recovery/request.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// The core request of a store call, with the store's id source.
core::RecoveryRequest RequestOf(const RecoveryCall& call);

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
