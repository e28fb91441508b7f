#include "ledger/ledger_table.h"

namespace makegood::ledger {

absl::StatusOr<ChainCheck> WalkLedgerTable(
    sqlite::Connection& db, const std::optional<Head>& expected) {
  auto rows = db.Prepare(
      "SELECT seq, at_us, location_id, case_id, action, actor, approver, "
      "amount_minor, detail, prev_hash, hash FROM ledger ORDER BY seq");
  if (!rows.ok()) return rows.status();
  ChainWalker walker(expected);
  absl::Status status = sqlite::ForEachRow(**rows, [&](sqlite::Statement& row) {
    StoredRow stored;
    stored.fields = RowFields{row.Int(0),  row.Int(1),  row.Text(2),
                              row.Text(3), row.Text(4), row.Text(5),
                              row.Text(6), row.Int(7),  row.Text(8)};
    stored.prev_hash = row.Text(9);
    stored.hash = row.Text(10);
    walker.Add(stored);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return walker.Finish();
}

absl::StatusOr<Head> ReadLedgerHead(sqlite::Connection& db) {
  auto last =
      db.Prepare("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  auto found = (*last)->Step();
  if (!found.ok()) return found.status();
  if (!*found) return Head{};
  return Head{(*last)->Int(0), (*last)->Text(1)};
}

}  // namespace makegood::ledger
