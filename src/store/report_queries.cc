#include "store/report_queries.h"

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "store/page_cache_cap.h"
#include "store/reader_pool.h"
#include "store/report_sql.h"
#include "store/status_chain.h"
#include "store/stored_message.h"

namespace makegood::store {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time Instant(int64_t micros) { return absl::FromUnixMicros(micros); }

absl::Status ReadDayCases(Connection& db, absl::string_view location_id,
                          absl::Time start, absl::Time end,
                          report::DayRows& day) {
  auto cases = db.Prepare(report_sql::kDayCases);
  if (!cases.ok()) return cases.status();
  (*cases)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  auto status = ForEachRow(**cases, [&](Statement& row) {
    report::ReportCase& c = day.cases.emplace_back();
    c.guest_id = row.Text(1);
    return ParseStored(row.Blob(0), "a recovery case of the day", c.recovery);
  });
  if (!status.ok()) return status;
  for (report::ReportCase& c : day.cases) {
    for (const std::string& line_id : c.recovery.line_ids()) {
      auto line = db.Prepare(report_sql::kFlaggedLine);
      if (!line.ok()) return line.status();
      Statement& row = **line;
      auto found = row.Bind(1, location_id)
                       .Bind(2, c.recovery.check_id())
                       .Bind(3, line_id)
                       .Step();
      if (!found.ok()) return found.status();
      report::ReportLine& out = c.lines.emplace_back();
      out.line_id = line_id;
      if (*found) {
        out.sku = row.Text(0);
        out.name = row.Text(1);
        out.station = row.Text(2);
      }
    }
  }
  return absl::OkStatus();
}

// The guest's latest case flagged before `before`, if any.
absl::StatusOr<std::optional<absl::Time>> LatestCaseOfGuest(
    Connection& db, absl::string_view location_id, absl::string_view guest_id,
    absl::Time before) {
  auto stmt = db.Prepare(report_sql::kLatestCaseOfGuest);
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto found =
      row.Bind(1, location_id).Bind(2, guest_id).Bind(3, Micros(before)).Step();
  if (!found.ok()) return found.status();
  if (row.IsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(Instant(row.Int(0)));
}

absl::Status ReadDaySalesAndReturns(Connection& db,
                                    absl::string_view location_id,
                                    absl::Time start, absl::Time end,
                                    report::DayRows& day) {
  auto checks = db.Prepare(report_sql::kDayChecks);
  if (!checks.ok()) return checks.status();
  (*checks)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  std::vector<report::ReturnVisit> candidates;
  auto status = ForEachRow(**checks, [&](Statement& row) {
    day.sales_minor += row.Int(3);
    if (!row.IsNull(1) && !row.Text(1).empty()) {
      report::ReturnVisit& visit = candidates.emplace_back();
      visit.check_id = row.Text(0);
      visit.guest_key = row.Text(1);
      visit.at = Instant(row.Int(2));
      visit.spent_minor = row.Int(3);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (report::ReturnVisit& visit : candidates) {
    auto recovered =
        LatestCaseOfGuest(db, location_id, visit.guest_key, visit.at);
    if (!recovered.ok()) return recovered.status();
    if (!recovered->has_value() || visit.at - **recovered > kWonBackHorizon)
      continue;
    visit.recovered_at = **recovered;
    day.returns.push_back(std::move(visit));
  }
  return absl::OkStatus();
}

absl::Status ReadDayCodes(Connection& db, absl::string_view location_id,
                          absl::Time start, absl::Time end,
                          report::DayRows& day) {
  auto codes = db.Prepare(report_sql::kDayCodes);
  if (!codes.ok()) return codes.status();
  (*codes)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  return ForEachRow(**codes, [&](Statement& row) {
    report::RedeemedCode& code = day.redeemed_codes.emplace_back();
    code.case_id = row.Text(0);
    code.check_id = row.Text(1);
    code.amount_minor = row.Int(2);
    code.at = Instant(row.Int(3));
    makegood::v1::RecoveryCase recovery;
    if (auto s = ParseStored(row.Blob(8), "case", code.case_id, recovery);
        !s.ok()) {
      return s;
    }
    code.category_id = recovery.category_id();
    report::ReturnVisit visit;
    visit.guest_key =
        row.Text(4).empty() ? absl::StrCat("case:", code.case_id) : row.Text(4);
    visit.check_id = code.check_id;
    visit.recovered_at = Instant(row.Int(5));
    visit.spent_minor = row.Int(6);
    visit.at = Instant(row.Int(7));
    // A return is a later visit: a code redeemed on a check that opened
    // before its case (the very check it was given on) is no return.
    if (visit.at > visit.recovered_at &&
        visit.at - visit.recovered_at <= kWonBackHorizon) {
      day.returns.push_back(std::move(visit));
    }
    return absl::OkStatus();
  });
}

absl::Status ReadDayFollowUps(Connection& db, absl::string_view location_id,
                              absl::Time start, absl::Time end,
                              report::DayRows& day) {
  auto stmt = db.Prepare(report_sql::kDayFollowUps);
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto found = row.Bind(1, location_id)
                   .Bind(2, Micros(start))
                   .Bind(3, Micros(end))
                   .Step();
  if (!found.ok()) return found.status();
  day.follow_ups_due = static_cast<int>(row.Int(0));
  day.follow_ups_done = static_cast<int>(row.Int(1));
  return absl::OkStatus();
}

absl::Status ReadStaffChecks(Connection& db, absl::string_view location_id,
                             absl::Time start, absl::Time end,
                             report::StaffRowSink& sink) {
  auto checks = db.Prepare(report_sql::kStaffChecks);
  if (!checks.ok()) return checks.status();
  (*checks)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  return ForEachRow(**checks, [&](Statement& row) {
    report::CheckRow check;
    check.check_id = row.Text(0);
    check.server_id = row.Text(1);
    check.opened_at = Instant(row.Int(2));
    check.last_activity = Instant(row.Int(3));
    check.sales_minor = row.Int(4);
    check.pos_discount_minor = row.Int(5);
    check.has_case = row.Int(6) != 0;
    sink.AddCheck(check);
    return absl::OkStatus();
  });
}

absl::Status ReadStaffComps(Connection& db, absl::string_view location_id,
                            absl::string_view first_day,
                            absl::string_view last_day,
                            report::StaffRowSink& sink) {
  auto comps = db.Prepare(report_sql::kStaffComps);
  if (!comps.ok()) return comps.status();
  (*comps)->Bind(1, location_id).Bind(2, first_day).Bind(3, last_day);
  return ForEachRow(**comps, [&](Statement& row) {
    report::CompRow comp;
    comp.case_id = row.Text(0);
    comp.check_id = row.Text(1);
    comp.requested_by = row.Text(2);
    comp.business_day = row.Text(3);
    comp.guest_id = row.Text(4);
    comp.cost_minor = row.Int(5);
    comp.requested_at = Instant(row.Int(6));
    if (!row.IsNull(7)) comp.check_paid_at = Instant(row.Int(7));
    sink.AddComp(comp);
    return absl::OkStatus();
  });
}

absl::Status ReadStaffCases(Connection& db, absl::string_view location_id,
                            absl::Time start, absl::Time end,
                            report::StaffRowSink& sink) {
  auto cases = db.Prepare(report_sql::kStaffCases);
  if (!cases.ok()) return cases.status();
  (*cases)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  return ForEachRow(**cases, [&](Statement& row) {
    sink.AddCase(report::CaseRow{row.Text(0), row.Text(1), row.Text(2),
                                 Instant(row.Int(3))});
    return absl::OkStatus();
  });
}

// Holds what it is handed, for ReadStaffRows.
class StaffRowsCollector final : public report::StaffRowSink {
 public:
  void AddCheck(const report::CheckRow& check) override {
    rows_.checks.push_back(check);
  }
  void AddComp(const report::CompRow& comp) override {
    rows_.comps.push_back(comp);
  }
  void AddCase(const report::CaseRow& flagged) override {
    rows_.cases.push_back(flagged);
  }
  report::StaffRows Take() { return std::move(rows_); }

 private:
  report::StaffRows rows_;
};

// Runs `read` in one read transaction, so that all its SELECTs see one
// snapshot (in WAL mode, taken at the first SELECT and held until COMMIT):
// rows written while it reads are in none of them rather than in some. The
// transaction is ended on every path; a connection left in it by a failing
// COMMIT is closed by ReaderPool::With.
absl::Status InReadTransaction(Connection& db,
                               absl::FunctionRef<absl::Status()> read) {
  if (absl::Status begun = db.Exec("BEGIN"); !begun.ok()) return begun;
  absl::Status status = read();
  // Some errors make SQLite roll the transaction back itself.
  if (sqlite3_get_autocommit(db.raw()) != 0) return status;
  return WithFollowUp(std::move(status), db.Exec("COMMIT"),
                      "ending the read transaction");
}

// Runs `read` with the page cache of `db` at report_sql::kReportCacheKiB,
// then puts the connection's own size back, whatever the outcome of
// `read`: a reader goes back to the pool for every other read. The size
// to put back is the one the connection has when the read starts, which
// is its own (sqlite/connection.cc) because a connection whose size could
// not be put back is marked unfit and never reused (ReaderPool::With).
absl::Status WithReportCache(Connection& db,
                             absl::FunctionRef<absl::Status()> read) {
  bool cap_kept = false;
  absl::Status status =
      WithPageCacheCap(db, report_sql::kReportCacheKiB, read, &cap_kept);
  return cap_kept ? MarkConnectionUnfit(std::move(status)) : status;
}

}  // namespace

absl::StatusOr<report::DayRows> ReadDayRows(Connection& db,
                                            absl::string_view location_id,
                                            absl::Time start, absl::Time end) {
  report::DayRows day;
  absl::Status status = WithReportCache(db, [&]() -> absl::Status {
    // One snapshot: a case's lines, the day's sales and its codes agree.
    return InReadTransaction(db, [&]() -> absl::Status {
      if (auto s = ReadDayCases(db, location_id, start, end, day); !s.ok())
        return s;
      if (auto s = ReadDaySalesAndReturns(db, location_id, start, end, day);
          !s.ok())
        return s;
      if (auto s = ReadDayCodes(db, location_id, start, end, day); !s.ok())
        return s;
      return ReadDayFollowUps(db, location_id, start, end, day);
    });
  });
  if (!status.ok()) return status;
  return day;
}

absl::Status StreamStaffRows(Connection& db, absl::string_view location_id,
                             absl::Time start, absl::Time end,
                             absl::string_view first_day,
                             absl::string_view last_day,
                             report::StaffRowSink& sink) {
  return WithReportCache(db, [&]() -> absl::Status {
    // One snapshot: every comp's check, when it was opened in the period,
    // is among the checks read before it, whatever is written meanwhile.
    return InReadTransaction(db, [&]() -> absl::Status {
      // Checks first: a shift's sales decide how its comps are judged.
      if (auto s = ReadStaffChecks(db, location_id, start, end, sink); !s.ok())
        return s;
      if (auto s = ReadStaffComps(db, location_id, first_day, last_day, sink);
          !s.ok())
        return s;
      return ReadStaffCases(db, location_id, start, end, sink);
    });
  });
}

absl::StatusOr<report::StaffRows> ReadStaffRows(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end, absl::string_view first_day, absl::string_view last_day) {
  StaffRowsCollector collector;
  if (auto s = StreamStaffRows(db, location_id, start, end, first_day, last_day,
                               collector);
      !s.ok())
    return s;
  return collector.Take();
}

absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> ReadCasesFlagged(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end) {
  std::vector<makegood::v1::RecoveryCase> cases;
  absl::Status status = WithReportCache(db, [&]() -> absl::Status {
    auto stmt = db.Prepare(report_sql::kCasesFlagged);
    if (!stmt.ok()) return stmt.status();
    (*stmt)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
    return ForEachRow(**stmt, [&](Statement& row) {
      return ParseStored(row.Blob(0), "a recovery case of the period",
                         cases.emplace_back());
    });
  });
  if (!status.ok()) return status;
  return cases;
}

}  // namespace makegood::store
