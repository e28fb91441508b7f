#include "store/recovery_rows.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/recovery/id_source.h"
#include "core/refusal.h"
#include "store/stored_message.h"

namespace makegood::store {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

// CountsAsGiven in SQL: AppliedRemedy SENT, APPLIED.
constexpr char kCounted[] = "(3, 4)";
static_assert(AppliedRemedy::SENT == 3 && AppliedRemedy::APPLIED == 4);

absl::StatusOr<int64_t> SingleInt(Statement& stmt) {
  auto row = stmt.Step();
  if (!row.ok()) return row.status();
  return *row ? stmt.Int(0) : 0;
}

}  // namespace

absl::StatusOr<RecoveryCase> LoadCase(Connection& db,
                                      absl::string_view location_id,
                                      absl::string_view case_id) {
  auto stmt =
      db.Prepare("SELECT body FROM cases WHERE case_id=?1 AND location_id=?2");
  if (!stmt.ok()) return stmt.status();
  auto found = (*stmt)->Bind(1, case_id).Bind(2, location_id).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return core::Refuse(
        absl::StatusCode::kNotFound, makegood::v1::Error::UNKNOWN_CASE,
        absl::StrCat("case_id: no recovery case '", case_id, "'"));
  }
  RecoveryCase recovery;
  auto parsed = ParseStored((*stmt)->Blob(0), "case", case_id, recovery);
  if (!parsed.ok()) return parsed;
  return recovery;
}

absl::Status InsertCase(Connection& db, const RecoveryCase& recovery,
                        absl::string_view guest_id,
                        absl::string_view business_day) {
  auto stmt = db.Prepare(
      "INSERT INTO cases(case_id, location_id, check_id, guest_id, status, "
      "flagged_by, flagged_at_us, business_day, body) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, recovery.case_id())
      .Bind(2, recovery.location_id())
      .Bind(3, recovery.check_id())
      .BindOptional(4, guest_id)
      .Bind(5, recovery.status())
      .Bind(6, recovery.flagged_by())
      .Bind(7, core::ToUnixMicros(recovery.flagged_at()))
      .Bind(8, business_day)
      .BindBlob(9, recovery.SerializeAsString())
      .Run();
}

absl::Status UpdateCase(Connection& db, const RecoveryCase& recovery) {
  auto stmt =
      db.Prepare("UPDATE cases SET status=?2, body=?3 WHERE case_id=?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, recovery.case_id())
      .Bind(2, recovery.status())
      .BindBlob(3, recovery.SerializeAsString())
      .Run();
}

absl::Status SaveContact(Connection& db, absl::string_view case_id,
                         const makegood::v1::GuestContact& contact,
                         int64_t delete_after_us) {
  auto stmt = db.Prepare(
      "INSERT INTO guest_contacts(case_id, contact, delete_after_us) "
      "VALUES(?1,?2,?3)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, case_id)
      .BindBlob(2, contact.SerializeAsString())
      .Bind(3, delete_after_us)
      .Run();
}

absl::StatusOr<std::optional<makegood::v1::GuestContact>> LoadContact(
    Connection& db, absl::string_view case_id, int64_t now_us) {
  auto stmt = db.Prepare(
      "SELECT contact FROM guest_contacts WHERE case_id=?1 "
      "AND delete_after_us > ?2");
  if (!stmt.ok()) return stmt.status();
  auto found = (*stmt)->Bind(1, case_id).Bind(2, now_us).Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<makegood::v1::GuestContact>();
  makegood::v1::GuestContact contact;
  if (auto s = ParseStored((*stmt)->Blob(0), "the guest contact of case",
                           case_id, contact);
      !s.ok()) {
    return s;
  }
  return std::optional<makegood::v1::GuestContact>(std::move(contact));
}

core::IdSource& StoreIds() {
  static core::RandomIdSource* const ids =
      new core::RandomIdSource(core::SecureRandomBytes());
  return *ids;
}

namespace {

absl::Status AddSpending(Connection& db, absl::string_view location_id,
                         absl::string_view business_day,
                         absl::string_view charged_to, int64_t delta) {
  auto stmt = db.Prepare(
      "INSERT INTO spending(location_id, business_day, charged_to, "
      "amount_minor) VALUES(?1,?2,?3,?4) ON CONFLICT DO UPDATE SET "
      "amount_minor=amount_minor+excluded.amount_minor");
  if (!stmt.ok()) return stmt.status();
  for (absl::string_view who : {charged_to, absl::string_view()}) {
    absl::Status s = (*stmt)
                         ->Bind(1, location_id)
                         .Bind(2, business_day)
                         .Bind(3, who)
                         .Bind(4, delta)
                         .Run();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaveRemedy(Connection& db, const RecoveryCase& in,
                        const AppliedRemedy& remedy,
                        absl::string_view charged_to,
                        absl::string_view business_day) {
  // What the row counted before, to move the running totals by the change.
  int64_t old_counted = 0;
  std::string old_charged_to, day(business_day);
  {
    auto old = db.Prepare(
        "SELECT status, cost_minor, coalesce(charged_to, ''), business_day "
        "FROM remedies WHERE application_id=?1");
    if (!old.ok()) return old.status();
    auto found = (*old)->Bind(1, remedy.remedy_application_id()).Step();
    if (!found.ok()) return found.status();
    if (*found) {
      const auto old_status =
          static_cast<AppliedRemedy::Status>((*old)->Int(0));
      if (core::CountsAsGiven(old_status)) old_counted = (*old)->Int(1);
      old_charged_to = (*old)->Text(2);
      day = (*old)->Text(3);
    }
  }
  auto stmt = db.Prepare(
      "INSERT INTO remedies(application_id, case_id, location_id, check_id, "
      "kind, status, cost_minor, requested_by, charged_to, business_day, "
      "requested_at_us) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) "
      "ON CONFLICT DO UPDATE SET status=excluded.status, "
      "cost_minor=excluded.cost_minor, charged_to=excluded.charged_to");
  if (!stmt.ok()) return stmt.status();
  absl::Status saved = (*stmt)
                           ->Bind(1, remedy.remedy_application_id())
                           .Bind(2, in.case_id())
                           .Bind(3, in.location_id())
                           .Bind(4, in.check_id())
                           .Bind(5, remedy.kind())
                           .Bind(6, remedy.status())
                           .Bind(7, remedy.cost().minor_units())
                           .Bind(8, remedy.requested_by())
                           .BindOptional(9, charged_to)
                           .Bind(10, business_day)
                           .Bind(11, core::ToUnixMicros(remedy.requested_at()))
                           .Run();
  if (!saved.ok()) return saved;
  const int64_t new_counted =
      core::CountsAsGiven(remedy.status()) ? remedy.cost().minor_units() : 0;
  if (old_counted != 0) {
    if (auto s = AddSpending(db, in.location_id(), day, old_charged_to,
                             -old_counted);
        !s.ok())
      return s;
  }
  if (new_counted != 0) {
    return AddSpending(db, in.location_id(), day, charged_to, new_counted);
  }
  return absl::OkStatus();
}

absl::Status SaveMoneyOff(Connection& db, absl::string_view application_id,
                          absl::string_view location_id,
                          absl::string_view check_id, absl::string_view line_id,
                          int64_t amount_minor) {
  auto stmt = db.Prepare(
      "INSERT INTO remedy_money_off(application_id, location_id, check_id, "
      "line_id, amount_minor) VALUES(?1,?2,?3,?4,?5)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, application_id)
      .Bind(2, location_id)
      .Bind(3, check_id)
      .Bind(4, line_id)
      .Bind(5, amount_minor)
      .Run();
}

absl::StatusOr<MoneyOff> MoneyOffCheck(Connection& db,
                                       absl::string_view location_id,
                                       absl::string_view check_id) {
  static const std::string sql = absl::StrCat(
      "SELECT m.line_id, sum(m.amount_minor) FROM remedy_money_off m "
      "JOIN remedies r ON r.application_id=m.application_id "
      "WHERE m.location_id=?1 AND m.check_id=?2 AND r.status IN ",
      kCounted, " GROUP BY m.line_id");
  auto stmt = db.Prepare(sql.c_str());
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, location_id).Bind(2, check_id);
  MoneyOff off;
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) return off;
    off.by_line[row.Text(0)] = row.Int(1);
    off.total += row.Int(1);
  }
}

absl::StatusOr<core::Spent> SpentSoFar(Connection& db,
                                       absl::string_view location_id,
                                       absl::string_view case_id,
                                       absl::string_view staff_id,
                                       absl::string_view business_day) {
  static const std::string on_case_sql = absl::StrCat(
      "SELECT coalesce(sum(cost_minor), 0) FROM remedies WHERE case_id=?1 "
      "AND charged_to=?2 AND status IN ",
      kCounted);
  core::Spent spent;
  {
    auto stmt = db.Prepare(on_case_sql.c_str());
    if (!stmt.ok()) return stmt.status();
    auto value = SingleInt((*stmt)->Bind(1, case_id).Bind(2, staff_id));
    if (!value.ok()) return value.status();
    spent.requester_on_case = *value;
  }
  for (auto [who, total] : {std::pair<absl::string_view, int64_t*>{
                                staff_id, &spent.requester_in_shift},
                            {absl::string_view(), &spent.location_in_day}}) {
    auto stmt = db.Prepare(
        "SELECT amount_minor FROM spending WHERE location_id=?1 "
        "AND business_day=?2 AND charged_to=?3");
    if (!stmt.ok()) return stmt.status();
    auto value = SingleInt(
        (*stmt)->Bind(1, location_id).Bind(2, business_day).Bind(3, who));
    if (!value.ok()) return value.status();
    *total = *value;
  }
  return spent;
}

absl::StatusOr<std::vector<RecoveryCase>> CasesOnCheck(
    Connection& db, absl::string_view location_id, absl::string_view check_id) {
  auto stmt = db.Prepare(
      "SELECT case_id, body FROM cases WHERE location_id=?1 AND check_id=?2 "
      "ORDER BY flagged_at_us");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, location_id).Bind(2, check_id);
  std::vector<RecoveryCase> cases;
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) return cases;
    auto parsed =
        ParseStored(row.Blob(1), "case", row.Text(0), cases.emplace_back());
    if (!parsed.ok()) return parsed;
  }
}

absl::StatusOr<std::vector<absl::Time>> GuestCaseTimes(
    Connection& db, absl::string_view location_id, absl::string_view guest_id) {
  std::vector<absl::Time> times;
  if (guest_id.empty()) return times;
  auto stmt = db.Prepare(
      "SELECT flagged_at_us FROM cases WHERE location_id=?1 AND guest_id=?2");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  row.Bind(1, location_id).Bind(2, guest_id);
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) return times;
    times.push_back(absl::FromUnixMicros(row.Int(0)));
  }
}

absl::Status InsertCode(Connection& db, absl::string_view code,
                        absl::string_view location_id,
                        absl::string_view case_id,
                        absl::string_view application_id, int64_t issued_at_us,
                        int64_t expires_at_us) {
  auto stmt = db.Prepare(
      "INSERT INTO discount_codes(code, location_id, case_id, application_id, "
      "issued_at_us, expires_at_us) VALUES(?1,?2,?3,?4,?5,?6)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, code)
      .Bind(2, location_id)
      .Bind(3, case_id)
      .Bind(4, application_id)
      .Bind(5, issued_at_us)
      .Bind(6, expires_at_us)
      .Run();
}

}  // namespace makegood::store
