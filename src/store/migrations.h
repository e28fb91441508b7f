#ifndef MAKEGOOD_STORE_MIGRATIONS_H_
#define MAKEGOOD_STORE_MIGRATIONS_H_

// The versioned schema of the SQLite store.

#include "absl/status/status.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// The schema version this binary writes (PRAGMA user_version).
int LatestSchemaVersion();

// Brings the database up to LatestSchemaVersion(), one transaction per
// migration, so a crash leaves it at some whole version.
// FAILED_PRECONDITION if the database was written by a newer binary;
// INTERNAL if SQLite fails.
absl::Status Migrate(Connection& db);

// Brings the database up to `target_version` only, as Migrate does; a
// database already at or past it is left alone. For tests of a migration
// over data written at an older version. INVALID_ARGUMENT for a version
// this binary does not have.
absl::Status MigrateTo(Connection& db, int target_version);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_MIGRATIONS_H_
