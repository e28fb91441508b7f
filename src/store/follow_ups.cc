#include "store/follow_ups.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/recovery/follow_up_done.h"
#include "core/refusal.h"
#include "store/ledger.h"
#include "store/page_token.h"
#include "store/recovery_flow.h"
#include "store/recovery_rows.h"
#include "store/stored_message.h"

namespace makegood::store {
namespace {

using makegood::v1::FollowUp;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyCommand;

const char kFollowUpColumns[] =
    "f.case_id, c.check_id, c.body, f.due_at_us, f.done_at_us, "
    "coalesce(f.done_by, ''), coalesce(f.note, '')";

// A row selected with kFollowUpColumns.
absl::StatusOr<FollowUp> FollowUpFromRow(const Statement& row) {
  RecoveryCase recovery;
  if (auto s = ParseStored(row.Blob(2), "case", row.Text(0), recovery);
      !s.ok()) {
    return s;
  }
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
    return core::Refuse(absl::StatusCode::kNotFound,
                        makegood::v1::Error::NO_FOLLOW_UP,
                        absl::StrCat("case_id: case '", request.case_id(),
                                     "' has no follow-up"));
  }
  auto stored = FollowUpFromRow(row);
  if (!stored.ok()) return stored.status();
  core::FollowUpSnapshot snapshot{*std::move(stored)};
  select->reset();
  auto decision = core::DecideFollowUpDone(RequestOf(call), request, snapshot);
  if (!decision.ok()) return decision.status();
  auto update = db.Prepare(
      "UPDATE follow_ups SET done_at_us=?2, done_by=?3, note=?4 "
      "WHERE case_id=?1");
  if (!update.ok()) return update.status();
  if (auto s = (*update)
                   ->Bind(1, request.case_id())
                   .Bind(2, core::ToUnixMicros(decision->follow_up.done_at()))
                   .Bind(3, decision->follow_up.done_by())
                   .Bind(4, decision->follow_up.note())
                   .Run();
      !s.ok())
    return s;
  if (auto s = AppendLedger(db, decision->ledger); !s.ok()) return s;
  return decision->follow_up;
}

absl::StatusOr<FollowUpPage> ReadDueFollowUps(Connection& db,
                                              absl::string_view location_id,
                                              const FollowUpQuery& query,
                                              int64_t now_us) {
  if (query.page_size < 1 || query.page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1 to 1000, got ", query.page_size));
  }
  // Ascending, so an empty token starts before the soonest.
  PageToken after{INT64_MIN, ""};
  if (!query.page_token.empty()) {
    auto parsed = ParsePageToken(query.page_token);
    if (!parsed.ok()) return parsed.status();
    after = *std::move(parsed);
  }
  auto select =
      db.Prepare(absl::StrCat("SELECT ", kFollowUpColumns,
                              " FROM follow_ups f JOIN cases c USING(case_id) "
                              "WHERE f.location_id=?1 AND f.due_at_us<=?2 AND "
                              "f.done_at_us IS NULL AND f.due_at_us>=?3 AND "
                              "(f.due_at_us, f.case_id) > (?3, ?4) "
                              "ORDER BY f.due_at_us, f.case_id LIMIT ?5")
                     .c_str());
  if (!select.ok()) return select.status();
  Statement& row = **select;
  row.Bind(1, location_id)
      .Bind(2, absl::ToUnixMicros(query.due_by))
      .Bind(3, after.at_us)
      .Bind(4, after.id)
      .Bind(5, int64_t{query.page_size} + 1);  // One more says there are more.
  FollowUpPage page;
  bool more = false;
  auto status = ForEachRow(row, [&](const Statement& r) {
    if (static_cast<int>(page.follow_ups.size()) == query.page_size) {
      more = true;
      return absl::OkStatus();
    }
    auto follow_up = FollowUpFromRow(r);
    if (!follow_up.ok()) return follow_up.status();
    page.follow_ups.push_back(*std::move(follow_up));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (more) {
    const FollowUp& last = page.follow_ups.back();
    page.next_page_token =
        FormatPageToken(core::ToUnixMicros(last.due_at()), last.case_id());
  }
  for (FollowUp& follow_up : page.follow_ups) {
    auto contact = LoadContact(db, follow_up.case_id(), now_us);
    if (!contact.ok()) return contact.status();
    if (contact->has_value()) *follow_up.mutable_contact() = **contact;
  }
  return page;
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
