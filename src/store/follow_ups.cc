#include "store/follow_ups.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "store/ledger.h"
#include "store/recovery_rows.h"

namespace makegood::store {
namespace {

using makegood::v1::FollowUp;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyCommand;

const char kFollowUpColumns[] =
    "f.case_id, c.check_id, c.body, f.due_at_us, f.done_at_us, "
    "coalesce(f.done_by, ''), coalesce(f.note, '')";

// A row selected with kFollowUpColumns.
FollowUp FollowUpFromRow(const Statement& row) {
  RecoveryCase recovery;
  recovery.ParseFromString(row.Blob(2));
  FollowUp follow_up;
  follow_up.set_case_id(row.Text(0));
  follow_up.set_check_id(row.Text(1));
  follow_up.set_category_id(recovery.category_id());
  *follow_up.mutable_flagged_at() = recovery.flagged_at();
  *follow_up.mutable_due_at() = core::TimestampFromMicros(row.Int(3));
  if (!row.IsNull(4)) {
    *follow_up.mutable_done_at() = core::TimestampFromMicros(row.Int(4));
  }
  follow_up.set_done_by(row.Text(5));
  follow_up.set_note(row.Text(6));
  return follow_up;
}

}  // namespace

absl::StatusOr<RemedyCommand> ScheduleFollowUp(
    Connection& db, const RecoveryCall& call, const RecoveryCase& recovery,
    const makegood::v1::GuestContact& contact) {
  const int64_t due_us = core::ToUnixMicros(recovery.follow_up_due());
  auto insert = db.Prepare(
      "INSERT INTO follow_ups(case_id, location_id, due_at_us) "
      "VALUES(?1,?2,?3)");
  if (!insert.ok()) return insert.status();
  if (auto s = (*insert)
                   ->Bind(1, recovery.case_id())
                   .Bind(2, recovery.location_id())
                   .Bind(3, due_us)
                   .Run();
      !s.ok())
    return s;
  RemedyCommand command;
  command.set_command_id(NewId("CMD-", call.now));
  command.set_case_id(recovery.case_id());
  command.set_location_id(recovery.location_id());
  command.set_check_id(recovery.check_id());
  *command.mutable_created_at() = core::ToProto(call.now);
  auto* action = command.mutable_guest_follow_up();
  action->set_category_id(recovery.category_id());
  *action->mutable_due_at() = recovery.follow_up_due();
  if (auto s = InsertCommand(db, command, /*application_id=*/""); !s.ok())
    return s;
  *action->mutable_contact() = contact;
  return command;
}

absl::StatusOr<FollowUp> CompleteFollowUpInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::CompleteFollowUpRequest& request) {
  const std::string location_id = call.rules->location_id();
  auto select =
      db.Prepare(absl::StrCat("SELECT ", kFollowUpColumns,
                              " FROM follow_ups f JOIN cases c USING(case_id) "
                              "WHERE f.case_id=?1 AND f.location_id=?2")
                     .c_str());
  if (!select.ok()) return select.status();
  Statement& row = **select;
  auto found = row.Bind(1, request.case_id()).Bind(2, location_id).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    return absl::NotFoundError(absl::StrCat(
        "case_id: case '", request.case_id(), "' has no follow-up"));
  }
  FollowUp follow_up = FollowUpFromRow(row);
  if (follow_up.has_done_at()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the follow-up of case ", request.case_id(),
                     " was already done by ", follow_up.done_by()));
  }
  auto update = db.Prepare(
      "UPDATE follow_ups SET done_at_us=?2, done_by=?3, note=?4 "
      "WHERE case_id=?1");
  if (!update.ok()) return update.status();
  const int64_t now_us = absl::ToUnixMicros(call.now);
  if (auto s = (*update)
                   ->Bind(1, request.case_id())
                   .Bind(2, now_us)
                   .Bind(3, call.actor_id)
                   .Bind(4, request.note())
                   .Run();
      !s.ok())
    return s;
  LedgerEntry entry;
  entry.at_us = now_us;
  entry.location_id = location_id;
  entry.case_id = request.case_id();
  entry.action = "follow_up_done";
  entry.actor = call.actor_id;
  if (auto s = AppendLedger(db, entry); !s.ok()) return s;
  *follow_up.mutable_done_at() = core::ToProto(call.now);
  follow_up.set_done_by(call.actor_id);
  follow_up.set_note(request.note());
  return follow_up;
}

absl::StatusOr<std::vector<FollowUp>> ReadDueFollowUps(
    Connection& db, absl::string_view location_id, int64_t due_by_us,
    int64_t now_us) {
  auto select = db.Prepare(
      absl::StrCat("SELECT ", kFollowUpColumns,
                   " FROM follow_ups f JOIN cases c USING(case_id) "
                   "WHERE f.location_id=?1 AND f.due_at_us<=?2 AND "
                   "f.done_at_us IS NULL ORDER BY f.due_at_us, f.case_id")
          .c_str());
  if (!select.ok()) return select.status();
  Statement& row = **select;
  row.Bind(1, location_id).Bind(2, due_by_us);
  std::vector<FollowUp> due;
  auto status = ForEachRow(row, [&](const Statement& r) {
    due.push_back(FollowUpFromRow(r));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (FollowUp& follow_up : due) {
    auto contact = LoadContact(db, follow_up.case_id(), now_us);
    if (!contact.ok()) return contact.status();
    if (contact->has_value()) *follow_up.mutable_contact() = **contact;
  }
  return due;
}

absl::Status AttachFollowUpContacts(Connection& db,
                                    std::vector<RemedyCommand>& commands,
                                    int64_t now_us) {
  for (RemedyCommand& command : commands) {
    if (!command.has_guest_follow_up()) continue;
    auto contact = LoadContact(db, command.case_id(), now_us);
    if (!contact.ok()) return contact.status();
    if (contact->has_value()) {
      *command.mutable_guest_follow_up()->mutable_contact() = **contact;
    }
  }
  return absl::OkStatus();
}

}  // namespace makegood::store
