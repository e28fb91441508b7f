#ifndef MAKEGOOD_STORE_WATCH_TYPES_H_
#define MAKEGOOD_STORE_WATCH_TYPES_H_

// What the store reads for the opening snapshot of a WatchRecoveries
// stream (Store::ReadWatchSnapshot): the candidates only. Which of their
// remedies are still pending, and the alerts' texts, are decided by the
// caller (service/watch_snapshot.h), not in SQL.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::store {

struct WatchSnapshotQuery {
  std::string location_id;
  // Recurring problems reached in [recurring_from, recurring_to): the
  // current business day.
  absl::Time recurring_from = absl::InfinitePast();
  absl::Time recurring_to = absl::InfiniteFuture();
  // The configuration's recurring.window_minutes and recurring.count.
  absl::Duration recurring_window = absl::Minutes(90);
  int recurring_count = 3;
};

// An open case with a remedy pending approval, rejected, or of kind
// MANAGER_VISIT; or a case, open or closed, with a remedy command not yet
// acknowledged (a delivery that may be stuck).
struct WatchCase {
  // Without guest contact details.
  makegood::v1::RecoveryCase recovery;
  // The check's table; empty when the POS sent none.
  std::string table;
};

// A flag that brought a problem key to recurring.count flags within the
// window: the moment a RECURRING_PROBLEM alert was raised.
struct RecurringProblem {
  // "item" or "station", and the SKU or station id.
  std::string key_kind;
  std::string key_id;
  // For an item's key: its name on the check (its SKU when it has none).
  std::string item_name;
  std::string category_id;
  // The flag that reached the count.
  std::string case_id;
  std::string check_id;
  absl::Time at;
  // The earliest flag counted.
  absl::Time first_at;
};

struct WatchSnapshot {
  // Oldest flagged first.
  std::vector<WatchCase> cases;
  // In the order they were reached.
  std::vector<RecurringProblem> recurring;
};

using WatchSnapshotDone = std::function<void(absl::StatusOr<WatchSnapshot>)>;

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WATCH_TYPES_H_
