#ifndef MAKEGOOD_STORE_LEDGER_H_
#define MAKEGOOD_STORE_LEDGER_H_

// The ledger: one appended row per change of a case, hash-chained.
//
// Invariants:
//  1. Rows are only inserted; triggers refuse UPDATE and DELETE.
//  2. Rows follow the chain's rule (ledger/chain.h, shared with
//     `makegood ledger verify`): seq values run 1, 2, 3, ... without gaps;
//     row n's prev_hash is row n-1's hash ("" for the first row), and its
//     hash is ledger::RowHash over prev_hash and the row's fields, so a
//     changed row breaks its own hash and a removed row breaks its
//     successor's link.
//  3. A row records who acted (actor, approver) and, for a tablet
//     session, the device it acted from (device, '' otherwise); the hash
//     covers the device only when it is set, so rows written before the
//     column existed keep theirs.
//
// Errors: INTERNAL (SQLite failed).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// A row to append: the decisions' ledger entries (core/recovery/decision.h).
using LedgerEntry = core::LedgerEntry;

// Appends inside the caller's write transaction.
absl::Status AppendLedger(Connection& db, const LedgerEntry& entry);

// Walks the whole chain.
absl::StatusOr<LedgerVerification> VerifyLedgerChain(Connection& db);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_LEDGER_H_
