#include "store/report_queries.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace makegood::store {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time Instant(int64_t micros) { return absl::FromUnixMicros(micros); }

absl::Status ReadDayCases(Connection& db, absl::string_view location_id,
                          absl::Time start, absl::Time end,
                          report::DayRows& day) {
  auto cases = db.Prepare(
      "SELECT body, coalesce(guest_id, '') FROM cases WHERE location_id=?1 "
      "AND flagged_at_us>=?2 AND flagged_at_us<?3 "
      "ORDER BY flagged_at_us, case_id");
  if (!cases.ok()) return cases.status();
  (*cases)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  auto status = ForEachRow(**cases, [&](Statement& row) {
    report::ReportCase& c = day.cases.emplace_back();
    c.recovery.ParseFromString(row.Blob(0));
    c.guest_id = row.Text(1);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (report::ReportCase& c : day.cases) {
    for (const std::string& line_id : c.recovery.line_ids()) {
      auto line = db.Prepare(
          "SELECT coalesce(sku, ''), coalesce(name, ''), "
          "coalesce(station, '') FROM line_items WHERE location_id=?1 AND "
          "check_id=?2 AND line_id=?3");
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
  auto stmt = db.Prepare(
      "SELECT max(flagged_at_us) FROM cases WHERE location_id=?1 AND "
      "guest_id=?2 AND flagged_at_us<?3");
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
  auto checks = db.Prepare(
      "SELECT check_id, coalesce(guest_id, ''), first_event_at_us, "
      "paid_total_minor FROM checks WHERE location_id=?1 AND "
      "first_event_at_us>=?2 AND first_event_at_us<?3");
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
  auto codes = db.Prepare(
      "SELECT d.case_id, coalesce(d.redeemed_check_id, ''), "
      "coalesce(d.redeemed_amount_minor, 0), d.redeemed_at_us, "
      "coalesce(c.guest_id, ''), c.flagged_at_us, "
      "coalesce(ch.paid_total_minor, 0), "
      "coalesce(ch.first_event_at_us, d.redeemed_at_us), c.body "
      "FROM discount_codes d JOIN cases c ON c.case_id=d.case_id "
      "LEFT JOIN checks ch ON ch.location_id=d.location_id AND "
      "ch.check_id=d.redeemed_check_id "
      "WHERE d.location_id=?1 AND d.redeemed_at_us>=?2 AND "
      "d.redeemed_at_us<?3 ORDER BY d.redeemed_at_us");
  if (!codes.ok()) return codes.status();
  (*codes)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  return ForEachRow(**codes, [&](Statement& row) {
    report::RedeemedCode& code = day.redeemed_codes.emplace_back();
    code.case_id = row.Text(0);
    code.check_id = row.Text(1);
    code.amount_minor = row.Int(2);
    code.at = Instant(row.Int(3));
    makegood::v1::RecoveryCase recovery;
    recovery.ParseFromString(row.Blob(8));
    code.category_id = recovery.category_id();
    report::ReturnVisit visit;
    visit.guest_key =
        row.Text(4).empty() ? absl::StrCat("case:", code.case_id) : row.Text(4);
    visit.check_id = code.check_id;
    visit.recovered_at = Instant(row.Int(5));
    visit.spent_minor = row.Int(6);
    visit.at = Instant(row.Int(7));
    if (visit.at - visit.recovered_at <= kWonBackHorizon)
      day.returns.push_back(std::move(visit));
    return absl::OkStatus();
  });
}

absl::Status ReadDayFollowUps(Connection& db, absl::string_view location_id,
                              absl::Time start, absl::Time end,
                              report::DayRows& day) {
  auto stmt = db.Prepare(
      "SELECT count(*), count(done_at_us) FROM follow_ups WHERE "
      "location_id=?1 AND due_at_us>=?2 AND due_at_us<?3");
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

}  // namespace

absl::StatusOr<report::DayRows> ReadDayRows(Connection& db,
                                            absl::string_view location_id,
                                            absl::Time start, absl::Time end) {
  report::DayRows day;
  if (auto s = ReadDayCases(db, location_id, start, end, day); !s.ok())
    return s;
  if (auto s = ReadDaySalesAndReturns(db, location_id, start, end, day);
      !s.ok())
    return s;
  if (auto s = ReadDayCodes(db, location_id, start, end, day); !s.ok())
    return s;
  if (auto s = ReadDayFollowUps(db, location_id, start, end, day); !s.ok())
    return s;
  return day;
}

absl::StatusOr<report::StaffRows> ReadStaffRows(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end, absl::string_view first_day, absl::string_view last_day) {
  report::StaffRows rows;
  // Statuses 3 and 4 are AppliedRemedy SENT and APPLIED.
  auto comps = db.Prepare(
      "SELECT r.case_id, r.check_id, r.requested_by, r.business_day, "
      "coalesce(c.guest_id, ''), r.cost_minor, r.requested_at_us, "
      "ch.paid_at_us FROM remedies r JOIN cases c ON c.case_id=r.case_id "
      "LEFT JOIN checks ch ON ch.location_id=r.location_id AND "
      "ch.check_id=r.check_id WHERE r.location_id=?1 AND "
      "r.business_day BETWEEN ?2 AND ?3 AND r.cost_minor>0 AND "
      "r.status IN (3, 4)");
  if (!comps.ok()) return comps.status();
  (*comps)->Bind(1, location_id).Bind(2, first_day).Bind(3, last_day);
  auto status = ForEachRow(**comps, [&](Statement& row) {
    report::CompRow& comp = rows.comps.emplace_back();
    comp.case_id = row.Text(0);
    comp.check_id = row.Text(1);
    comp.requested_by = row.Text(2);
    comp.business_day = row.Text(3);
    comp.guest_id = row.Text(4);
    comp.cost_minor = row.Int(5);
    comp.requested_at = Instant(row.Int(6));
    if (!row.IsNull(7)) comp.check_paid_at = Instant(row.Int(7));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;

  auto checks = db.Prepare(
      "SELECT c.check_id, coalesce(c.server_id, ''), c.first_event_at_us, "
      "max(c.first_event_at_us, coalesce(c.opened_at_us, 0), "
      "coalesce(c.paid_at_us, 0), coalesce(c.closed_at_us, 0)), "
      "c.paid_total_minor, c.pos_discount_minor + (SELECT "
      "coalesce(sum(li.pos_discount_minor), 0) FROM line_items li WHERE "
      "li.location_id=c.location_id AND li.check_id=c.check_id), "
      "EXISTS(SELECT 1 FROM cases k WHERE k.location_id=c.location_id AND "
      "k.check_id=c.check_id) FROM checks c WHERE c.location_id=?1 AND "
      "c.first_event_at_us>=?2 AND c.first_event_at_us<?3");
  if (!checks.ok()) return checks.status();
  (*checks)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  status = ForEachRow(**checks, [&](Statement& row) {
    report::CheckRow& check = rows.checks.emplace_back();
    check.check_id = row.Text(0);
    check.server_id = row.Text(1);
    check.opened_at = Instant(row.Int(2));
    check.last_activity = Instant(row.Int(3));
    check.sales_minor = row.Int(4);
    check.pos_discount_minor = row.Int(5);
    check.has_case = row.Int(6) != 0;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;

  auto cases = db.Prepare(
      "SELECT case_id, flagged_by, guest_id, flagged_at_us FROM cases "
      "WHERE location_id=?1 AND flagged_at_us>=?2 AND flagged_at_us<?3 "
      "AND guest_id IS NOT NULL");
  if (!cases.ok()) return cases.status();
  (*cases)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  status = ForEachRow(**cases, [&](Statement& row) {
    rows.cases.push_back(report::CaseRow{row.Text(0), row.Text(1), row.Text(2),
                                         Instant(row.Int(3))});
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> ReadCasesFlagged(
    Connection& db, absl::string_view location_id, absl::Time start,
    absl::Time end) {
  auto stmt = db.Prepare(
      "SELECT body FROM cases WHERE location_id=?1 AND flagged_at_us>=?2 "
      "AND flagged_at_us<?3 ORDER BY flagged_at_us, case_id");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, location_id).Bind(2, Micros(start)).Bind(3, Micros(end));
  std::vector<makegood::v1::RecoveryCase> cases;
  auto status = ForEachRow(**stmt, [&](Statement& row) {
    cases.emplace_back().ParseFromString(row.Blob(0));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return cases;
}

}  // namespace makegood::store
