#include "store/ledger.h"

#include <utility>

#include "absl/time/time.h"
#include "ledger/chain.h"
#include "ledger/ledger_table.h"

namespace makegood::store {

absl::Status AppendLedger(Connection& db, const LedgerEntry& entry) {
  auto head = ledger::ReadLedgerHead(db);
  if (!head.ok()) return head.status();
  const int64_t seq = head->seq + 1;
  const int64_t at_us = absl::ToUnixMicros(entry.at);
  const std::string& prev_hash = head->hash;  // "" before the first row.
  auto insert = db.Prepare(
      "INSERT INTO ledger(seq, at_us, location_id, case_id, action, actor, "
      "approver, amount_minor, detail, prev_hash, hash, device) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, seq)
      .Bind(2, at_us)
      .Bind(3, entry.location_id)
      .Bind(4, entry.case_id)
      .Bind(5, entry.action)
      .Bind(6, entry.actor)
      .Bind(7, entry.approver)
      .Bind(8, entry.amount_minor)
      .Bind(9, entry.detail)
      .Bind(10, prev_hash)
      .Bind(11, ledger::RowHash(
                    prev_hash,
                    ledger::RowFields{seq, at_us, entry.location_id,
                                      entry.case_id, entry.action, entry.actor,
                                      entry.approver, entry.amount_minor,
                                      entry.detail, entry.device}))
      .Bind(12, entry.device)
      .Run();
}

absl::StatusOr<LedgerVerification> VerifyLedgerChain(Connection& db) {
  auto check = ledger::WalkLedgerTable(db);
  if (!check.ok()) return check.status();
  LedgerVerification result;
  result.rows = check->rows;
  result.intact = check->intact;
  result.bad_seq = check->bad_seq;
  result.problem = std::move(check->problem);
  return result;
}

}  // namespace makegood::store
