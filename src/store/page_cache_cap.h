#ifndef MAKEGOOD_STORE_PAGE_CACHE_CAP_H_
#define MAKEGOOD_STORE_PAGE_CACHE_CAP_H_

// A connection's page cache capped for one piece of work. A connection's own
// cache (sqlite/connection.cc) keeps up to 64 MiB of the pages it read, and
// keeps them once read: a read or a deletion that walks many pages once (a
// year's report, the cleanup of days of expired records) would otherwise
// leave the process that much larger for good.

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// PRAGMA cache_size of `db`: pages when positive, KiB when negative.
absl::StatusOr<int64_t> CacheSizeOf(Connection& db);

// Runs `work` with the page cache of `db` at most `kib` KiB (SQLite frees
// the pages over it at once), then puts back the size the connection had
// before, whatever `work` returned. Returns `work`'s status; when the size
// could not be put back, an error saying so (with `work`'s, if it failed
// too), and `*cap_kept` (when given) is set: the connection still has the
// capped cache.
absl::Status WithPageCacheCap(Connection& db, int64_t kib,
                              absl::FunctionRef<absl::Status()> work,
                              bool* cap_kept = nullptr);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_PAGE_CACHE_CAP_H_
