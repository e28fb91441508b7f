#include "store/recurring.h"

#include <cstdint>

#include "core/proto_time.h"

namespace makegood::store {

absl::StatusOr<std::map<std::string, std::vector<absl::Time>>> RecentFlags(
    Connection& db, absl::string_view location_id,
    const std::vector<std::string>& keys, absl::Time since, int limit) {
  std::map<std::string, std::vector<absl::Time>> flags;
  for (const std::string& key : keys) {
    auto select = db.Prepare(
        "SELECT flagged_at_us FROM problem_keys WHERE location_id=?1 AND "
        "problem_key=?2 AND flagged_at_us>=?3 ORDER BY flagged_at_us DESC "
        "LIMIT ?4");
    if (!select.ok()) return select.status();
    Statement& row = **select;
    row.Bind(1, location_id)
        .Bind(2, key)
        .Bind(3, absl::ToUnixMicros(since))
        .Bind(4, int64_t{limit});
    std::vector<absl::Time>& times = flags[key];
    auto status = ForEachRow(row, [&](const Statement& r) {
      times.push_back(absl::FromUnixMicros(r.Int(0)));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
  }
  return flags;
}

absl::Status RecordProblemKeys(Connection& db,
                               const makegood::v1::RecoveryCase& recovery,
                               const std::vector<core::ProblemKeyWrite>& keys) {
  for (const core::ProblemKeyWrite& key : keys) {
    auto insert = db.Prepare(
        "INSERT OR IGNORE INTO problem_keys(location_id, problem_key, "
        "flagged_at_us, case_id) VALUES(?1,?2,?3,?4)");
    if (!insert.ok()) return insert.status();
    if (auto s = (*insert)
                     ->Bind(1, recovery.location_id())
                     .Bind(2, key.key)
                     .Bind(3, core::ToUnixMicros(recovery.flagged_at()))
                     .Bind(4, recovery.case_id())
                     .Run();
        !s.ok())
      return s;
  }
  return absl::OkStatus();
}

}  // namespace makegood::store
