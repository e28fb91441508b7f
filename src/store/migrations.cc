// Schema migrations.
//
// Invariants:
//  1. PRAGMA user_version is the number of migrations applied; migration i
//     (1-based) is applied exactly once, in its own transaction, together
//     with the version bump.
//  2. A migration is never edited once released; changes are new migrations.
//  3. Times are INTEGER microseconds since the Unix epoch (UTC); money is
//     INTEGER minor units of the location's currency.
//
// Errors: FAILED_PRECONDITION (database newer than this binary), INTERNAL
// (SQLite failed; the failing migration is rolled back).

#include "store/migrations.h"

#include <iterator>

#include "absl/strings/str_cat.h"

namespace makegood::store {
namespace {

const char* const kMigrations[] = {
    // 1: locations, order events and the projection of checks and items.
    R"sql(
CREATE TABLE locations(
  location_id TEXT PRIMARY KEY,
  currency TEXT NOT NULL,
  timezone TEXT NOT NULL
) WITHOUT ROWID;

-- Every accepted order event, as received. Never updated.
CREATE TABLE order_events(
  seq INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  received_at_us INTEGER NOT NULL,
  payload BLOB NOT NULL,  -- the OrderEvent, protobuf binary
  UNIQUE(source, event_id)
);

-- Checks as projected from their events. A row exists as soon as any event
-- of the check arrived; fields stay NULL until the event that sets them.
CREATE TABLE checks(
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  table_name TEXT,
  guest_count INTEGER,
  server_id TEXT,
  guest_id TEXT,
  opened_at_us INTEGER,
  paid_at_us INTEGER,
  closed_at_us INTEGER,
  paid_total_minor INTEGER NOT NULL DEFAULT 0,
  tip_minor INTEGER NOT NULL DEFAULT 0,
  pos_discount_minor INTEGER NOT NULL DEFAULT 0,  -- check-level only
  first_event_at_us INTEGER NOT NULL,  -- earliest occurred_at of its events
  state TEXT GENERATED ALWAYS AS (
    CASE WHEN closed_at_us IS NOT NULL THEN 'CLOSED'
         WHEN paid_at_us IS NOT NULL THEN 'PAID'
         ELSE 'OPEN' END) VIRTUAL,
  PRIMARY KEY(location_id, check_id)
) WITHOUT ROWID;
CREATE INDEX checks_by_start ON checks(location_id, first_event_at_us, check_id);

-- Line items. Later states win, so the state is derived from the times.
CREATE TABLE line_items(
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  line_id TEXT NOT NULL,
  sku TEXT,
  name TEXT,
  station TEXT,
  quantity INTEGER,
  unit_price_minor INTEGER,
  seat INTEGER,
  ordered_at_us INTEGER,
  fired_at_us INTEGER,
  served_at_us INTEGER,
  voided_at_us INTEGER,
  void_reason TEXT,
  pos_discount_minor INTEGER NOT NULL DEFAULT 0,
  state TEXT GENERATED ALWAYS AS (
    CASE WHEN voided_at_us IS NOT NULL THEN 'VOIDED'
         WHEN served_at_us IS NOT NULL THEN 'SERVED'
         WHEN fired_at_us IS NOT NULL THEN 'FIRED'
         ELSE 'ORDERED' END) VIRTUAL,
  PRIMARY KEY(location_id, check_id, line_id),
  FOREIGN KEY(location_id, check_id) REFERENCES checks(location_id, check_id)
) WITHOUT ROWID;
)sql",
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

absl::Status Migrate(Connection& db) {
  auto version_stmt = db.Prepare("PRAGMA user_version");
  if (!version_stmt.ok()) return version_stmt.status();
  auto row = (*version_stmt)->Step();
  if (!row.ok()) return row.status();
  const int current = static_cast<int>((*version_stmt)->Int(0));
  version_stmt->reset();
  if (current > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database has schema version ", current,
                     " but this makegoodd knows only up to ",
                     LatestSchemaVersion(), ": use a newer makegoodd"));
  }
  for (int version = current + 1; version <= LatestSchemaVersion(); ++version) {
    if (auto s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    absl::Status status = db.Exec(kMigrations[version - 1]);
    if (status.ok()) {
      status = db.Exec(absl::StrCat("PRAGMA user_version=", version).c_str());
    }
    if (status.ok()) status = db.Exec("COMMIT");
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return absl::InternalError(absl::StrCat("migration to schema version ",
                                              version,
                                              " failed: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace makegood::store
