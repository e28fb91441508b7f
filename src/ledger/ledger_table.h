#ifndef MAKEGOOD_LEDGER_LEDGER_TABLE_H_
#define MAKEGOOD_LEDGER_LEDGER_TABLE_H_

// Reads the `ledger` table of a makegood database (schema in
// store/migrations.cc) and checks it against the rules of ledger/chain.h.
// Only reads: appending is the store's (store/ledger.h). Each function reads
// the rows with one statement, so it sees one consistent snapshot of the
// table, also while the daemon writes to it.
//
// Any schema version with a ledger is read: the device column (version 5)
// is read where the table has it, and is empty for every row elsewhere, as
// rows of that time were written. WalkLedgerTable looks the column up just
// before it reads the rows; a daemon migrates a file before it appends, so
// only a migration and an append both in that instant could make the walk
// miss a device (reporting that row as changed; a second walk reads it).
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
