#ifndef MAKEGOOD_STORE_STORE_METRICS_H_
#define MAKEGOOD_STORE_STORE_METRICS_H_

// The store's gauges, read at each scrape of GET /metrics:
//   makegood_store_wal_bytes            size of the database's -wal file
//   makegood_store_writable             1 while writes commit, 0 while the
//                                       disk refuses them (write_health.h)
//   makegood_outbox_backlog_commands{location}
//                                       commands not yet acknowledged
//   makegood_outbox_oldest_unacked_age_seconds{location}
//                                       age of the oldest of them, by the
//                                       store's clock; 0 when there is none
//   makegood_cases_open                 cases not closed: OPEN,
//                                       PENDING_APPROVAL, REMEDY_APPLIED
//   makegood_remedies{status}           remedies by AppliedRemedy.Status
// The counts are read on a reader connection, each through an index and
// none from the tables' rows: the outbox through its partial index, the
// open cases through cases_by_status (only theirs), the remedies in one
// pass over remedies_by_status (an entry of a few bytes each). A read that
// fails leaves its family without samples for that scrape.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "makegood/v1/recovery.pb.h"
#include "store/reader_pool.h"
#include "store/sqlite_connection.h"
#include "store/write_health.h"
#include "telemetry/metrics.h"

namespace makegood::store {

// What the gauges read; everything must outlive the registrations.
struct StoreGaugeSources {
  // The database file; its WAL is "<path>-wal".
  std::string database_path;
  const WriteHealth* health = nullptr;
  ReaderPool* readers = nullptr;
  const core::Clock* clock = nullptr;
};

// Registers the gauges above; they are read until the registrations are
// destroyed.
std::vector<telemetry::GaugeRegistration> RegisterStoreGauges(
    telemetry::MetricsRegistry& metrics, const StoreGaugeSources& sources);

// makegood_cases_open: the cases of every location not closed yet.
absl::StatusOr<int64_t> CountOpenCases(Connection& db);

// makegood_remedies: every AppliedRemedy.Status but STATUS_UNSPECIFIED,
// in the enum's order, with how many remedies have it (0 included).
struct RemedyStatusCount {
  makegood::v1::AppliedRemedy::Status status;
  int64_t remedies = 0;
};
absl::StatusOr<std::vector<RemedyStatusCount>> CountRemediesByStatus(
    Connection& db);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_STORE_METRICS_H_
