#ifndef MAKEGOOD_STORE_WATCH_QUERIES_H_
#define MAKEGOOD_STORE_WATCH_QUERIES_H_

// The reads behind the opening snapshot of a WatchRecoveries stream (see
// store/watch_types.h). Read-only; run on any connection, inside the
// caller's transaction so that both reads see one state (SqliteStore runs
// them as a job of the writer, to order them with the writes' callbacks).
//
// Invariants:
//  1. Cases come from their stored bodies (without guest contact), with
//     the check's table; only open cases (neither RESOLVED nor GUEST_LEFT)
//     with a remedy PENDING_APPROVAL, REJECTED or of kind MANAGER_VISIT.
//  2. Recurring problems are recomputed from problem_keys exactly as
//     store/recurring.cc raises them: a flag of a key alerts when the flags
//     of that key within `recurring_window` before it, itself included,
//     number `recurring_count`. Flags of one key in the same microsecond
//     count in case id order.
//
// Errors: INTERNAL (SQLite failed).

#include "absl/status/statusor.h"
#include "sqlite/connection.h"
#include "store/watch_types.h"

namespace makegood::store {

absl::StatusOr<WatchSnapshot> ReadWatchSnapshotRows(
    sqlite::Connection& db, const WatchSnapshotQuery& query);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WATCH_QUERIES_H_
