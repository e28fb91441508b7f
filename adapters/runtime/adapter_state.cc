#include "adapter_state.h"

#include "absl/time/clock.h"

namespace makegood::adapters {

absl::StatusOr<std::unique_ptr<AdapterState>> AdapterState::Open(
    const std::string& path) {
  auto db = sqlite::Connection::Open(path, /*read_only=*/false);
  if (!db.ok()) return db.status();
  if (absl::Status s = (*db)->Exec(R"sql(
      CREATE TABLE IF NOT EXISTS inbox(
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        received_at_us INTEGER NOT NULL,
        processed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS orders(
        order_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outcomes(
        command_id TEXT PRIMARY KEY,
        applied INTEGER NOT NULL,
        pos_reference TEXT NOT NULL,
        vendor_reason TEXT NOT NULL,
        at_us INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS quarantine(
        seq INTEGER PRIMARY KEY REFERENCES inbox(seq),
        error TEXT NOT NULL,
        at_us INTEGER NOT NULL);)sql");
      !s.ok()) {
    return s;
  }
  return std::unique_ptr<AdapterState>(new AdapterState(*std::move(db)));
}

absl::StatusOr<bool> AdapterState::AddDelivery(const std::string& event_id,
                                               const std::string& body) {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "INSERT INTO inbox(event_id, body, received_at_us) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(event_id) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = (*stmt)
                           ->Bind(1, event_id)
                           .Bind(2, body)
                           .Bind(3, absl::ToUnixMicros(absl::Now()))
                           .Run();
      !s.ok()) {
    return s;
  }
  return db_->Changes() == 1;
}

absl::StatusOr<std::optional<Delivery>> AdapterState::NextDelivery() {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "SELECT seq, event_id, body FROM inbox WHERE processed = 0 "
      "ORDER BY seq LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return Delivery{(*stmt)->Int(0), (*stmt)->Text(1), (*stmt)->Text(2)};
}

absl::Status AdapterState::MarkProcessed(int64_t seq) {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare("UPDATE inbox SET processed = 1 WHERE seq = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, seq).Run();
}

absl::Status AdapterState::Quarantine(int64_t seq, const std::string& error) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = db_->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  if (absl::Status s = QuarantineLocked(seq, error); !s.ok()) {
    db_->Exec("ROLLBACK").IgnoreError();
    return s;
  }
  return db_->Exec("COMMIT");
}

absl::Status AdapterState::QuarantineLocked(int64_t seq,
                                            const std::string& error) {
  auto add = db_->Prepare(
      "INSERT INTO quarantine(seq, error, at_us) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(seq) DO NOTHING");
  if (!add.ok()) return add.status();
  if (absl::Status s = (*add)
                           ->Bind(1, seq)
                           .Bind(2, error)
                           .Bind(3, absl::ToUnixMicros(absl::Now()))
                           .Run();
      !s.ok()) {
    return s;
  }
  auto processed =
      db_->Prepare("UPDATE inbox SET processed = 1 WHERE seq = ?1");
  if (!processed.ok()) return processed.status();
  return (*processed)->Bind(1, seq).Run();
}

absl::StatusOr<std::vector<QuarantinedDelivery>> AdapterState::Quarantined() {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "SELECT q.seq, i.event_id, q.error, q.at_us FROM quarantine q "
      "JOIN inbox i ON i.seq = q.seq ORDER BY q.seq");
  if (!stmt.ok()) return stmt.status();
  std::vector<QuarantinedDelivery> out;
  if (absl::Status s =
          sqlite::ForEachRow(**stmt,
                             [&](sqlite::Statement& row) {
                               out.push_back(QuarantinedDelivery{
                                   row.Int(0), row.Text(1), row.Text(2),
                                   absl::FromUnixMicros(row.Int(3))});
                               return absl::OkStatus();
                             });
      !s.ok()) {
    return s;
  }
  return out;
}

absl::StatusOr<std::optional<StoredOrder>> AdapterState::LastOrder(
    const std::string& order_id) {
  absl::MutexLock lock(&mu_);
  auto stmt =
      db_->Prepare("SELECT version, body FROM orders WHERE order_id = ?1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, order_id);
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return StoredOrder{(*stmt)->Int(0), (*stmt)->Text(1)};
}

absl::Status AdapterState::SaveOrder(const std::string& order_id,
                                     const StoredOrder& order) {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "INSERT INTO orders(order_id, version, body) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(order_id) DO UPDATE SET version = excluded.version, "
      "body = excluded.body WHERE excluded.version >= orders.version");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, order_id)
      .Bind(2, order.version)
      .Bind(3, order.body)
      .Run();
}

absl::StatusOr<std::optional<CommandOutcome>> AdapterState::Outcome(
    const std::string& command_id) {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "SELECT applied, pos_reference, vendor_reason FROM outcomes "
      "WHERE command_id = ?1");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, command_id);
  auto row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return CommandOutcome{(*stmt)->Int(0) != 0, (*stmt)->Text(1),
                        (*stmt)->Text(2)};
}

absl::Status AdapterState::SaveOutcome(const std::string& command_id,
                                       const CommandOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  auto stmt = db_->Prepare(
      "INSERT INTO outcomes(command_id, applied, pos_reference, "
      "vendor_reason, at_us) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(command_id) DO NOTHING");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, command_id)
      .Bind(2, outcome.applied ? 1 : 0)
      .Bind(3, outcome.pos_reference)
      .Bind(4, outcome.vendor_reason)
      .Bind(5, absl::ToUnixMicros(absl::Now()))
      .Run();
}

}  // namespace makegood::adapters
