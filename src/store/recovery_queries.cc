#include "store/recovery_queries.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "store/page_token.h"
#include "store/recovery_rows.h"
#include "store/stored_message.h"

namespace makegood::store {
namespace {

using makegood::v1::RecoveryCase;

absl::Status AddContact(Connection& db, RecoveryCase& recovery,
                        int64_t now_us) {
  auto contact = LoadContact(db, recovery.case_id(), now_us);
  if (!contact.ok()) return contact.status();
  if (contact->has_value()) *recovery.mutable_guest_contact() = **contact;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecoveryCase> ReadRecovery(Connection& db,
                                          absl::string_view location_id,
                                          absl::string_view case_id,
                                          bool with_contact, int64_t now_us) {
  auto recovery = LoadCase(db, location_id, case_id);
  if (!recovery.ok()) return recovery.status();
  if (with_contact) {
    if (auto s = AddContact(db, *recovery, now_us); !s.ok()) return s;
  }
  return recovery;
}

absl::StatusOr<RecoveryPage> ReadRecoveryPage(Connection& db,
                                              absl::string_view location_id,
                                              const RecoveryListQuery& query,
                                              int64_t now_us) {
  if (query.page_size < 1 || query.page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1 to 1000, got ", query.page_size));
  }
  auto after = ParsePageToken(query.page_token);
  if (!after.ok()) return after.status();
  auto stmt = db.Prepare(
      "SELECT body FROM cases c WHERE c.location_id=?1 "
      "AND (?2=0 OR c.status=?2) "
      "AND c.flagged_at_us >= ?3 AND c.flagged_at_us < ?4 "
      "AND (c.flagged_at_us, c.case_id) < (?5, ?6) "
      "AND (?7='' OR c.flagged_by=?7 OR EXISTS(SELECT 1 FROM remedies r "
      "  WHERE r.case_id=c.case_id AND (r.requested_by=?7 OR "
      "r.charged_to=?7))) "
      "ORDER BY c.flagged_at_us DESC, c.case_id DESC LIMIT ?8");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto micros = [](absl::Time t, int64_t if_infinite) {
    return t == absl::InfinitePast() || t == absl::InfiniteFuture()
               ? if_infinite
               : absl::ToUnixMicros(t);
  };
  row.Bind(1, location_id)
      .Bind(2, query.status)
      .Bind(3, micros(query.from, INT64_MIN))
      .Bind(4, micros(query.to, INT64_MAX))
      .Bind(5, after->at_us)
      .Bind(6, after->id)
      .Bind(7, query.staff_id)
      .Bind(8, query.page_size + 1);
  RecoveryPage page;
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    RecoveryCase recovery;
    if (auto s = ParseStored(row.Blob(0), "a recovery case", recovery);
        !s.ok()) {
      return s;
    }
    if (static_cast<int>(page.cases.size()) == query.page_size) {
      const RecoveryCase& last = page.cases.back();
      page.next_page_token = FormatPageToken(
          core::ToUnixMicros(last.flagged_at()), last.case_id());
      break;
    }
    page.cases.push_back(std::move(recovery));
  }
  if (query.with_contact) {
    for (auto& recovery : page.cases) {
      if (recovery.contact_on_file()) {
        if (auto s = AddContact(db, recovery, now_us); !s.ok()) return s;
      }
    }
  }
  return page;
}

}  // namespace makegood::store
