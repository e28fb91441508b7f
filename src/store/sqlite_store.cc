#include "store/sqlite_store.h"

#include <utility>

#include "absl/synchronization/notification.h"
#include "store/check_queries.h"
#include "store/event_projection.h"
#include "store/migrations.h"

namespace makegood::store {

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(
    const SqliteStoreOptions& options) {
  auto connection = Connection::Open(options.path, /*read_only=*/false);
  if (!connection.ok()) return connection.status();
  if (auto s = Migrate(**connection); !s.ok()) return s;
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(*std::move(connection), options));
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> writer,
                         const SqliteStoreOptions& options)
    : writer_(std::move(writer)),
      readers_(options.path, options.max_idle_readers) {}

SqliteStore::~SqliteStore() { Shutdown(); }

void SqliteStore::Shutdown() { writer_.Shutdown(); }

absl::Status SqliteStore::RegisterLocation(
    const makegood::v1::Location& location) {
  absl::Notification committed;
  absl::Status result;
  writer_.Submit(
      [&location](Connection& db) -> absl::Status {
        auto stmt = db.Prepare(
            "INSERT INTO locations(location_id, currency, timezone) "
            "VALUES(?1,?2,?3) ON CONFLICT DO UPDATE SET "
            "currency=excluded.currency, timezone=excluded.timezone");
        if (!stmt.ok()) return stmt.status();
        return (*stmt)
            ->Bind(1, location.id())
            .Bind(2, location.currency())
            .Bind(3, location.timezone())
            .Run();
      },
      [&](absl::Status status) {
        result = std::move(status);
        committed.Notify();
      });
  committed.WaitForNotification();
  return result;
}

void SqliteStore::AppendEvents(std::vector<makegood::v1::OrderEvent> events,
                               absl::Time received_at, AppendDone done) {
  auto outcomes = std::make_shared<std::vector<EventOutcome>>();
  auto shared_events = std::make_shared<std::vector<makegood::v1::OrderEvent>>(
      std::move(events));
  const int64_t received_at_us = absl::ToUnixMicros(received_at);
  writer_.Submit(
      [shared_events, outcomes,
       received_at_us](Connection& db) -> absl::Status {
        outcomes->clear();  // A failed job leaves nothing half-counted.
        outcomes->reserve(shared_events->size());
        for (const auto& event : *shared_events) {
          auto outcome = AppendEvent(db, event, received_at_us);
          if (!outcome.ok()) return outcome.status();
          outcomes->push_back(*outcome);
        }
        return absl::OkStatus();
      },
      [outcomes, done = std::move(done)](absl::Status status) {
        if (!status.ok()) {
          done(std::move(status));
        } else {
          done(std::move(*outcomes));
        }
      });
}

absl::StatusOr<makegood::v1::Check> SqliteStore::GetCheck(
    absl::string_view location_id, absl::string_view check_id) {
  return readers_.With<makegood::v1::Check>(
      [&](Connection& db) { return ReadCheck(db, location_id, check_id); });
}

absl::StatusOr<CheckPage> SqliteStore::ListChecks(absl::string_view location_id,
                                                  const CheckListQuery& query) {
  return readers_.With<CheckPage>(
      [&](Connection& db) { return ReadCheckPage(db, location_id, query); });
}

}  // namespace makegood::store
