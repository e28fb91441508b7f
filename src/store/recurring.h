#ifndef MAKEGOOD_STORE_RECURRING_H_
#define MAKEGOOD_STORE_RECURRING_H_

// The problem keys of flagged lines (core/recovery/recurring_keys.h), kept
// so that a flag can tell how often the same problem came back. Used in
// the flag's write transaction.
//
// Errors: INTERNAL (SQLite failed).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/recovery/decision.h"
#include "makegood/v1/recovery.pb.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// For each key: its flags at or after `since`, newest first, at most
// `limit` of them.
absl::StatusOr<std::map<std::string, std::vector<absl::Time>>> RecentFlags(
    Connection& db, absl::string_view location_id,
    const std::vector<std::string>& keys, absl::Time since, int limit);

// Records the keys of a newly flagged case, at its flag time.
absl::Status RecordProblemKeys(Connection& db,
                               const makegood::v1::RecoveryCase& recovery,
                               const std::vector<core::ProblemKeyWrite>& keys);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECURRING_H_
