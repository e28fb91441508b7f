#ifndef MAKEGOOD_SERVICE_WATCH_SNAPSHOT_H_
#define MAKEGOOD_SERVICE_WATCH_SNAPSHOT_H_

// The opening snapshot of a WatchRecoveries stream: what a manager still has
// to act on, as RecoveryUpdates (the rules are in recovery.proto, at
// RecoveryUpdate). The store reads the candidates (store/watch_types.h);
// these functions decide what of them is pending and word the alerts.
// Pure; thread-safe.

#include <vector>

#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"
#include "store/watch_types.h"

namespace makegood::service {

// What to read for a snapshot at `now`: the location's open cases, and the
// recurring problems of the business day holding `now`.
store::WatchSnapshotQuery SnapshotQuery(const core::RecoveryRules& rules,
                                        absl::Time now);

// The snapshot's updates, each stamped `at`: for every case with something
// pending, oldest flagged first, the case (with delivery_stuck worked out
// at `at`), then one alert per pending remedy in the case's order
// (PENDING_APPROVAL; MANAGER_VISIT_REQUESTED for a manager visit;
// COMMAND_REJECTED for a rejected remedy with no remedy SENT or APPLIED
// after it; COMMAND_STUCK for a remedy stuck at `at`, also on a closed
// case); then one RECURRING_PROBLEM alert per recurring problem. Not marked
// as snapshot nor numbered: RecoveryHub does that, and keeps only the
// COMMAND_STUCK alerts already raised live (stuck_command_alerts.h).
std::vector<makegood::v1::RecoveryUpdate> SnapshotUpdates(
    const store::WatchSnapshot& snapshot, const core::RecoveryRules& rules,
    absl::Time at);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_WATCH_SNAPSHOT_H_
