#ifndef MAKEGOOD_STORE_LEDGER_H_
#define MAKEGOOD_STORE_LEDGER_H_

// The ledger: one appended row per change of a case, hash-chained.
//
// Invariants:
//  1. Rows are only inserted; triggers refuse UPDATE and DELETE.
//  2. Row n's prev_hash is row n-1's hash ("" for the first row), and its
//     hash is SHA-256 over prev_hash and the row's fields, so a changed
//     row breaks its own hash and a removed row breaks its successor's
//     link.
//  3. seq values run 1, 2, 3, ... without gaps.
//
// Errors: INTERNAL (SQLite failed).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

struct LedgerEntry {
  int64_t at_us = 0;
  std::string location_id;
  std::string case_id;
  // What happened: "flagged", "remedy_sent", "remedy_pending",
  // "remedy_approved", "remedy_denied", "command_applied",
  // "command_rejected", "outcome".
  std::string action;
  std::string actor;
  std::string approver;
  int64_t amount_minor = 0;
  std::string detail;
};

// Appends inside the caller's write transaction.
absl::Status AppendLedger(Connection& db, const LedgerEntry& entry);

// Walks the whole chain.
absl::StatusOr<LedgerVerification> VerifyLedgerChain(Connection& db);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_LEDGER_H_
