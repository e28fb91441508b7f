#ifndef MAKEGOOD_STORE_REPORT_QUERIES_H_
#define MAKEGOOD_STORE_REPORT_QUERIES_H_

// The reads behind the reports, on a reader connection. Instants bound
// half-open ranges [start, end); business days ("YYYY-MM-DD") are
// inclusive.

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

absl::StatusOr<report::StaffRows> ReadStaffRows(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end, absl::string_view first_day, absl::string_view last_day);

// Cases flagged in [start, end), oldest first, without contact details.
absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> ReadCasesFlagged(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_REPORT_QUERIES_H_
