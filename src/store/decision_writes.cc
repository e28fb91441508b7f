#include "store/decision_writes.h"

#include "absl/time/time.h"
#include "core/proto_time.h"
#include "store/ledger.h"
#include "store/outbox.h"
#include "store/recovery_rows.h"
#include "store/recurring.h"

namespace makegood::store {
namespace {

using core::CaseDecision;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

absl::Status InsertFollowUp(Connection& db,
                            const makegood::v1::RecoveryCase& recovery) {
  auto insert = db.Prepare(
      "INSERT INTO follow_ups(case_id, location_id, due_at_us) "
      "VALUES(?1,?2,?3)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, recovery.case_id())
      .Bind(2, recovery.location_id())
      .Bind(3, core::ToUnixMicros(recovery.follow_up_due()))
      .Run();
}

}  // namespace

absl::StatusOr<std::vector<makegood::v1::RemedyCommand>> PersistDecision(
    Connection& db, const CaseDecision& decision,
    const makegood::v1::GuestContact* contact) {
  const makegood::v1::RecoveryCase& recovery = decision.recovery;
  if (decision.case_write == CaseDecision::CaseWrite::kInsert) {
    if (auto s =
            InsertCase(db, recovery, decision.guest_id, decision.business_day);
        !s.ok())
      return s;
    if (decision.contact_forget_at && contact != nullptr) {
      if (auto s = SaveContact(db, recovery.case_id(), *contact,
                               Micros(*decision.contact_forget_at));
          !s.ok())
        return s;
      if (auto s = InsertFollowUp(db, recovery); !s.ok()) return s;
    }
    if (auto s = RecordProblemKeys(db, recovery, decision.problem_keys);
        !s.ok())
      return s;
  }
  for (const core::RemedyWrite& write : decision.remedies) {
    if (auto s = SaveRemedy(db, recovery, write.remedy, write.charged_to,
                            write.business_day);
        !s.ok())
      return s;
  }
  for (const core::MoneyOffWrite& off : decision.money_off) {
    if (auto s =
            SaveMoneyOff(db, off.application_id, recovery.location_id(),
                         recovery.check_id(), off.line_id, off.amount_minor);
        !s.ok())
      return s;
  }
  for (const core::CodeWrite& code : decision.codes) {
    if (auto s = InsertCode(db, code.code, recovery.location_id(),
                            recovery.case_id(), code.application_id,
                            Micros(code.issued_at), Micros(code.expires_at));
        !s.ok())
      return s;
  }
  std::vector<makegood::v1::RemedyCommand> live;
  for (const core::CommandWrite& write : decision.commands) {
    if (auto s = EnqueueCommand(db, write.command, write.application_id);
        !s.ok())
      return s;
    live.push_back(write.command);
    if (live.back().has_guest_follow_up() && contact != nullptr) {
      *live.back().mutable_guest_follow_up()->mutable_contact() = *contact;
    }
  }
  if (decision.case_write == CaseDecision::CaseWrite::kUpdate) {
    if (auto s = UpdateCase(db, recovery); !s.ok()) return s;
  }
  for (const core::LedgerEntry& entry : decision.ledger) {
    if (auto s = AppendLedger(db, entry); !s.ok()) return s;
  }
  return live;
}

}  // namespace makegood::store
