#include "store/watch_queries.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "store/stored_message.h"

namespace makegood::store {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

absl::Status ReadCases(sqlite::Connection& db, const WatchSnapshotQuery& query,
                       std::vector<WatchCase>& cases) {
  // The cases come from two small sets, each read through its own index:
  // the open cases (cases_by_status) with such a remedy, and the cases of
  // commands not acknowledged (commands_unacked), open or closed, since a
  // remedy the POS has not answered may be stuck. Neither set grows with the
  // location's history. CROSS JOIN keeps SQLite from walking every case in
  // cases_by_time to save the sort of the few found.
  auto stmt = db.Prepare(
      "WITH watched(case_id) AS ("
      "  SELECT c.case_id FROM cases c "
      "  WHERE c.status IN (?2, ?3, ?4) AND c.location_id=?1 "
      "  AND EXISTS(SELECT 1 FROM remedies r WHERE r.case_id=c.case_id "
      "    AND (r.status IN (?5, ?6) OR r.kind=?7)) "
      "  UNION "
      "  SELECT m.case_id FROM commands m "
      "  WHERE m.location_id=?1 AND m.acked_at_us IS NULL "
      "  AND m.application_id IS NOT NULL) "
      "SELECT c.body, ch.table_name, c.case_id FROM watched w "
      "CROSS JOIN cases c ON c.case_id=w.case_id "
      "LEFT JOIN checks ch ON ch.location_id=c.location_id "
      "  AND ch.check_id=c.check_id "
      "ORDER BY c.flagged_at_us, c.case_id");
  if (!stmt.ok()) return stmt.status();
  sqlite::Statement& row = **stmt;
  row.Bind(1, query.location_id)
      .Bind(2, int64_t{RecoveryCase::OPEN})
      .Bind(3, int64_t{RecoveryCase::PENDING_APPROVAL})
      .Bind(4, int64_t{RecoveryCase::REMEDY_APPLIED})
      .Bind(5, int64_t{AppliedRemedy::PENDING_APPROVAL})
      .Bind(6, int64_t{AppliedRemedy::REJECTED})
      .Bind(7, int64_t{makegood::v1::MANAGER_VISIT});
  return sqlite::ForEachRow(row, [&](sqlite::Statement& r) -> absl::Status {
    WatchCase found;
    auto parsed = ParseStored(r.Blob(0), "case", r.Text(2), found.recovery);
    if (!parsed.ok()) return parsed;
    found.table = r.Text(1);
    cases.push_back(std::move(found));
    return absl::OkStatus();
  });
}

// The name of the item `sku` on the check, as the POS sent it; the SKU when
// it sent none (as recurring.cc describes an item).
absl::StatusOr<std::string> ItemName(sqlite::Connection& db,
                                     const std::string& location_id,
                                     const std::string& check_id,
                                     const std::string& sku) {
  auto stmt = db.Prepare(
      "SELECT name FROM line_items WHERE location_id=?1 AND check_id=?2 "
      "AND sku=?3 AND name IS NOT NULL AND name<>'' LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  sqlite::Statement& row = **stmt;
  auto found = row.Bind(1, location_id).Bind(2, check_id).Bind(3, sku).Step();
  if (!found.ok()) return found.status();
  return *found ? row.Text(0) : sku;
}

absl::Status ReadRecurring(sqlite::Connection& db,
                           const WatchSnapshotQuery& query,
                           std::vector<RecurringProblem>& recurring) {
  // For each flag of the day, the flags of its key in the window before it
  // (itself included); the one whose count is the threshold raised the
  // alert. problem_keys' primary key makes the inner range one index read.
  auto stmt = db.Prepare(
      "SELECT k.problem_key, k.flagged_at_us, k.case_id, "
      "  min(p.flagged_at_us), max(c.check_id) "
      "FROM problem_keys k "
      "JOIN problem_keys p ON p.location_id=k.location_id "
      "  AND p.problem_key=k.problem_key "
      "  AND p.flagged_at_us>=k.flagged_at_us-?4 "
      "  AND (p.flagged_at_us, p.case_id)<=(k.flagged_at_us, k.case_id) "
      "LEFT JOIN cases c ON c.case_id=k.case_id "
      "WHERE k.location_id=?1 AND k.flagged_at_us>=?2 AND k.flagged_at_us<?3 "
      "GROUP BY k.problem_key, k.flagged_at_us, k.case_id "
      "HAVING count(*)=?5 "
      "ORDER BY k.flagged_at_us, k.case_id, k.problem_key");
  if (!stmt.ok()) return stmt.status();
  sqlite::Statement& row = **stmt;
  row.Bind(1, query.location_id)
      .Bind(2, absl::ToUnixMicros(query.recurring_from))
      .Bind(3, absl::ToUnixMicros(query.recurring_to))
      .Bind(4, absl::ToInt64Microseconds(query.recurring_window))
      .Bind(5, int64_t{query.recurring_count});
  auto status =
      sqlite::ForEachRow(row, [&](sqlite::Statement& r) -> absl::Status {
        // The key as recurring.cc stores it: kind, id and category,
        // separated by \x1f.
        std::vector<std::string> parts = absl::StrSplit(r.Text(0), '\x1f');
        if (parts.size() != 3) return absl::OkStatus();  // Not ours.
        RecurringProblem problem;
        problem.key_kind = parts[0];
        problem.key_id = parts[1];
        problem.category_id = parts[2];
        problem.at = absl::FromUnixMicros(r.Int(1));
        problem.case_id = r.Text(2);
        problem.first_at = absl::FromUnixMicros(r.Int(3));
        problem.check_id = r.Text(4);
        recurring.push_back(std::move(problem));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (RecurringProblem& problem : recurring) {
    if (problem.key_kind == "item") {
      auto name =
          ItemName(db, query.location_id, problem.check_id, problem.key_id);
      if (!name.ok()) return name.status();
      problem.item_name = *std::move(name);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WatchSnapshot> ReadWatchSnapshotRows(
    sqlite::Connection& db, const WatchSnapshotQuery& query) {
  WatchSnapshot snapshot;
  if (auto s = ReadCases(db, query, snapshot.cases); !s.ok()) return s;
  if (auto s = ReadRecurring(db, query, snapshot.recurring); !s.ok()) return s;
  return snapshot;
}

}  // namespace makegood::store
