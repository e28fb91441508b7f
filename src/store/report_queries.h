#ifndef MAKEGOOD_STORE_REPORT_QUERIES_H_
#define MAKEGOOD_STORE_REPORT_QUERIES_H_

// The reads behind the reports, on a reader connection (their SQL is in
// store/report_sql.h). Instants bound half-open ranges [start, end);
// business days ("YYYY-MM-DD") are inclusive. ReadDayRows and
// StreamStaffRows run their SELECTs in one read transaction (BEGIN ...
// COMMIT), so that they see one snapshot: their connection must not be in
// a transaction already. Each read fills at most
// report_sql::kReportCacheKiB of the connection's page cache and gives the
// connection back with the cache size it had; when that size cannot be put
// back, the read fails with a status marked by MarkConnectionUnfit
// (store/reader_pool.h), so that the pool closes the connection.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"
#include "report/report_rows.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

// How long after a case a guest's return still counts as won back.
inline constexpr absl::Duration kWonBackHorizon = absl::Hours(24 * 90);

absl::StatusOr<report::DayRows> ReadDayRows(Connection& db,
                                            absl::string_view location_id,
                                            absl::Time start, absl::Time end);

// What a staff report of business days [first_day, last_day] (the
// instants [start, end)) is built from, each row handed to `sink` as it is
// read and none kept, so that a year of rows is never in memory at once:
// every check opened within [start, end), then every comp of the days, then
// every case flagged within [start, end) with a guest (StaffRowSink's
// order), all from one snapshot. Returns the first error of SQLite; the
// rows handed over before it stay handed over.
absl::Status StreamStaffRows(Connection& db, absl::string_view location_id,
                             absl::Time start, absl::Time end,
                             absl::string_view first_day,
                             absl::string_view last_day,
                             report::StaffRowSink& sink);

// The rows of StreamStaffRows, held; for a period as short as a day.
absl::StatusOr<report::StaffRows> ReadStaffRows(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end, absl::string_view first_day, absl::string_view last_day);

// Cases flagged in [start, end), oldest first, without contact details.
absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> ReadCasesFlagged(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_REPORT_QUERIES_H_
