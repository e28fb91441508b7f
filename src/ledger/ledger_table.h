#ifndef MAKEGOOD_LEDGER_LEDGER_TABLE_H_
#define MAKEGOOD_LEDGER_LEDGER_TABLE_H_

// Reads the `ledger` table of a makegood database (schema in
// store/migrations.cc) and checks it against the rules of ledger/chain.h.
// Only reads: appending is the store's (store/ledger.h). Each function runs
// one statement, so it sees one consistent snapshot of the table, also
// while the daemon writes to it.
//
// Errors: those of sqlite::SqliteError (INTERNAL when SQLite fails).

#include <optional>

#include "absl/status/statusor.h"
#include "ledger/chain.h"
#include "sqlite/connection.h"

namespace makegood::ledger {

// Walks every row, oldest first, through a ChainWalker(expected).
absl::StatusOr<ChainCheck> WalkLedgerTable(
    sqlite::Connection& db, const std::optional<Head>& expected = std::nullopt);

// The newest row as stored; seq 0 when the table is empty.
absl::StatusOr<Head> ReadLedgerHead(sqlite::Connection& db);

}  // namespace makegood::ledger

#endif  // MAKEGOOD_LEDGER_LEDGER_TABLE_H_
