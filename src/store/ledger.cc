#include "store/ledger.h"

#include "absl/strings/str_cat.h"
#include "core/sha256.h"

namespace makegood::store {
namespace {

// Length-prefixed fields, so no two different rows hash the same text.
std::string RowHash(const std::string& prev_hash, int64_t seq,
                    const LedgerEntry& e) {
  std::string text;
  for (const std::string& field :
       {prev_hash, absl::StrCat(seq), absl::StrCat(e.at_us), e.location_id,
        e.case_id, e.action, e.actor, e.approver, absl::StrCat(e.amount_minor),
        e.detail}) {
    absl::StrAppend(&text, field.size(), ":", field, ";");
  }
  return core::Sha256Hex(text);
}

}  // namespace

absl::Status AppendLedger(Connection& db, const LedgerEntry& entry) {
  auto last =
      db.Prepare("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  auto found = (*last)->Step();
  if (!found.ok()) return found.status();
  const int64_t seq = *found ? (*last)->Int(0) + 1 : 1;
  const std::string prev_hash = *found ? (*last)->Text(1) : "";
  last->reset();
  auto insert = db.Prepare(
      "INSERT INTO ledger(seq, at_us, location_id, case_id, action, actor, "
      "approver, amount_minor, detail, prev_hash, hash) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, seq)
      .Bind(2, entry.at_us)
      .Bind(3, entry.location_id)
      .Bind(4, entry.case_id)
      .Bind(5, entry.action)
      .Bind(6, entry.actor)
      .Bind(7, entry.approver)
      .Bind(8, entry.amount_minor)
      .Bind(9, entry.detail)
      .Bind(10, prev_hash)
      .Bind(11, RowHash(prev_hash, seq, entry))
      .Run();
}

absl::StatusOr<LedgerVerification> VerifyLedgerChain(Connection& db) {
  auto rows = db.Prepare(
      "SELECT seq, at_us, location_id, case_id, action, actor, approver, "
      "amount_minor, detail, prev_hash, hash FROM ledger ORDER BY seq");
  if (!rows.ok()) return rows.status();
  Statement& row = **rows;
  LedgerVerification result;
  std::string prev_hash;
  int64_t expected_seq = 1;
  auto fail = [&](int64_t seq, std::string problem) {
    result.intact = false;
    result.bad_seq = seq;
    result.problem = std::move(problem);
  };
  for (;;) {
    auto more = row.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++result.rows;
    if (!result.intact) continue;  // Keep counting rows.
    const int64_t seq = row.Int(0);
    LedgerEntry entry{row.Int(1),  row.Text(2), row.Text(3), row.Text(4),
                      row.Text(5), row.Text(6), row.Int(7),  row.Text(8)};
    if (seq != expected_seq) {
      fail(expected_seq,
           absl::StrCat("row ", expected_seq, " is missing (the next row is ",
                        seq, ")"));
    } else if (row.Text(9) != prev_hash) {
      fail(seq, absl::StrCat("row ", seq, " does not link to row ", seq - 1,
                             ": a row before it was changed or removed"));
    } else if (RowHash(prev_hash, seq, entry) != row.Text(10)) {
      fail(seq, absl::StrCat("row ", seq,
                             " was changed after it was written (its hash "
                             "does not match its fields)"));
    }
    prev_hash = row.Text(10);
    expected_seq = seq + 1;
  }
  return result;
}

}  // namespace makegood::store
