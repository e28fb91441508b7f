#include "ledger/ledger_table.h"

namespace makegood::ledger {
namespace {

// The rows, oldest first, with the device column (schema version 5 on) or,
// in a database written before it, '' in its place: rows of that time have
// no device, and RowHash leaves an empty one out.
constexpr char kRowsWithDevice[] =
    "SELECT seq, at_us, location_id, case_id, action, actor, approver, "
    "amount_minor, detail, prev_hash, hash, device FROM ledger ORDER BY seq";
constexpr char kRowsBeforeDevice[] =
    "SELECT seq, at_us, location_id, case_id, action, actor, approver, "
    "amount_minor, detail, prev_hash, hash, '' FROM ledger ORDER BY seq";

absl::StatusOr<bool> HasDeviceColumn(sqlite::Connection& db) {
  auto column = db.Prepare(
      "SELECT count(*) FROM pragma_table_info('ledger') WHERE name='device'");
  if (!column.ok()) return column.status();
  auto found = (*column)->Step();
  if (!found.ok()) return found.status();
  return *found && (*column)->Int(0) > 0;
}

}  // namespace

absl::StatusOr<ChainCheck> WalkLedgerTable(
    sqlite::Connection& db, const std::optional<Head>& expected) {
  auto has_device = HasDeviceColumn(db);
  if (!has_device.ok()) return has_device.status();
  auto rows = db.Prepare(*has_device ? kRowsWithDevice : kRowsBeforeDevice);
  if (!rows.ok()) return rows.status();
  ChainWalker walker(expected);
  absl::Status status = sqlite::ForEachRow(**rows, [&](sqlite::Statement& row) {
    StoredRow stored;
    stored.fields = RowFields{
        row.Int(0),  row.Int(1),  row.Text(2), row.Text(3), row.Text(4),
        row.Text(5), row.Text(6), row.Int(7),  row.Text(8), row.Text(11)};
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
