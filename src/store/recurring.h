#ifndef MAKEGOOD_STORE_RECURRING_H_
#define MAKEGOOD_STORE_RECURRING_H_

// Recurring problems, detected as they are flagged ("Ribeye flagged 3 times
// for Cold food between 19:00 and 20:30"): the same item with the
// same category, or the same station with the same category, flagged
// `recurring.count` times within `recurring.window_minutes` (both ends
// included) raises one RECURRING_PROBLEM alert, on the flag that reaches the
// count. Runs on the writer thread inside the flag's transaction.

#include <vector>

#include "absl/status/statusor.h"
#include "core/policy.h"
#include "makegood/v1/recovery.pb.h"
#include "store/recovery_types.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// Records the problem keys of `recovery`'s flagged lines and returns the
// alerts of the keys that just reached the count.
absl::StatusOr<std::vector<makegood::v1::Alert>> RecordProblemKeys(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::RecoveryCase& recovery,
    const std::vector<core::PolicyItem>& flagged);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECURRING_H_
