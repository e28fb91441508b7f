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
// (SQLite failed; the failing migration is rolled back), INVALID_ARGUMENT
// (MigrateTo a version that does not exist).

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
    // 2: recovery cases, remedies, the outbox of remedy commands, discount
    // codes, idempotency records and the hash-chained ledger.
    R"sql(
-- One guest problem. `body` is the RecoveryCase (protobuf binary) without
-- guest contact details; the columns are what queries filter on.
CREATE TABLE cases(
  case_id TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  guest_id TEXT,
  status INTEGER NOT NULL,
  flagged_by TEXT NOT NULL,
  flagged_at_us INTEGER NOT NULL,
  business_day TEXT NOT NULL,
  body BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX cases_by_time ON cases(location_id, flagged_at_us, case_id);
CREATE INDEX cases_by_check ON cases(location_id, check_id);
CREATE INDEX cases_by_guest ON cases(location_id, guest_id, flagged_at_us)
  WHERE guest_id IS NOT NULL;

-- Stored only with the guest's consent; deleted after the retention.
CREATE TABLE guest_contacts(
  case_id TEXT PRIMARY KEY REFERENCES cases(case_id),
  contact BLOB NOT NULL,  -- GuestContact, protobuf binary
  delete_after_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Every remedy applied or requested. Spending counts SENT and APPLIED
-- rows (statuses of AppliedRemedy.Status) against `charged_to`: the
-- requester when within their authority, the approver otherwise.
CREATE TABLE remedies(
  application_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(case_id),
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  status INTEGER NOT NULL,
  cost_minor INTEGER NOT NULL,
  requested_by TEXT NOT NULL,
  charged_to TEXT,
  business_day TEXT NOT NULL,
  requested_at_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX remedies_by_day ON remedies(location_id, business_day, charged_to);
CREATE INDEX remedies_by_case ON remedies(case_id);

-- Running totals of what counts against authority, kept by SaveRemedy so
-- a budget check reads one row instead of summing the day: per business
-- day and staff member, and for the whole location under charged_to ''.
CREATE TABLE spending(
  location_id TEXT NOT NULL,
  business_day TEXT NOT NULL,
  charged_to TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  PRIMARY KEY(location_id, business_day, charged_to)
) WITHOUT ROWID;

-- Money a remedy takes off each line ('' for the check itself), so that no
-- later remedy takes more than is left.
CREATE TABLE remedy_money_off(
  application_id TEXT NOT NULL REFERENCES remedies(application_id),
  location_id TEXT NOT NULL,
  check_id TEXT NOT NULL,
  line_id TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  PRIMARY KEY(application_id, line_id)
) WITHOUT ROWID;
CREATE INDEX money_off_by_check ON remedy_money_off(location_id, check_id);

-- The outbox: commands for the POS adapters, written in the transaction
-- that applied the remedy. Unacknowledged ones are sent again on reconnect.
CREATE TABLE commands(
  command_id TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  application_id TEXT,
  created_at_us INTEGER NOT NULL,
  body BLOB NOT NULL,  -- RemedyCommand, protobuf binary
  deliveries INTEGER NOT NULL DEFAULT 0,
  acked_at_us INTEGER,
  result INTEGER,
  pos_reference TEXT,
  vendor_reason TEXT
) WITHOUT ROWID;
CREATE INDEX commands_unacked ON commands(location_id, created_at_us)
  WHERE acked_at_us IS NULL;

-- Next-visit codes: single use, with an expiry.
CREATE TABLE discount_codes(
  code TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  application_id TEXT NOT NULL,
  issued_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL,
  redeemed_at_us INTEGER,
  redeemed_check_id TEXT,
  redeemed_amount_minor INTEGER
) WITHOUT ROWID;

-- The first answer to each mutating request, returned again on a retry.
-- No index on the age: the once-a-minute cleanup scans, so that each
-- request writes one page less.
CREATE TABLE idempotency(
  request_id TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,  -- SHA-256 of method, caller and request
  response BLOB NOT NULL,
  created_at_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Every change of every case, append-only and hash-chained: `hash` is the
-- SHA-256 of `prev_hash` and the row's fields (see store/ledger.cc).
CREATE TABLE ledger(
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  location_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  approver TEXT NOT NULL DEFAULT '',
  amount_minor INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be changed'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be deleted'); END;
)sql",
    // 3: follow-ups, recurring problems, codes by redemption for reports.
    R"sql(
-- A consenting guest to contact `follow_up.after_days` after their case.
CREATE TABLE follow_ups(
  case_id TEXT PRIMARY KEY REFERENCES cases(case_id),
  location_id TEXT NOT NULL,
  due_at_us INTEGER NOT NULL,
  done_at_us INTEGER,
  done_by TEXT,
  note TEXT
) WITHOUT ROWID;
CREATE INDEX follow_ups_by_due ON follow_ups(location_id, due_at_us);

-- One row per flagged line and problem key (the item's SKU with the
-- category, the station with the category), so that a flag counts the
-- same problem in the recent window with one range read.
CREATE TABLE problem_keys(
  location_id TEXT NOT NULL,
  problem_key TEXT NOT NULL,
  flagged_at_us INTEGER NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY(location_id, problem_key, flagged_at_us, case_id)
) WITHOUT ROWID;

CREATE INDEX codes_by_redemption ON discount_codes(location_id, redeemed_at_us)
  WHERE redeemed_at_us IS NOT NULL;
)sql",
    // 4: request ids are scoped per caller. The key becomes (caller,
    // request_id), so one caller's id never reaches another caller's stored
    // answer nor blocks their request. Records kept from before carry caller
    // '' (their caller is known only inside the fingerprint) and expire with
    // the retention like the others.
    R"sql(
CREATE TABLE idempotency_by_caller(
  caller TEXT NOT NULL,  -- the principal (credential) id; '' before v4
  request_id TEXT NOT NULL,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,  -- SHA-256 of method, caller and request
  response BLOB NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY(caller, request_id)
) WITHOUT ROWID;
INSERT INTO idempotency_by_caller(caller, request_id, method, fingerprint,
                                  response, created_at_us)
  SELECT '', request_id, method, fingerprint, response, created_at_us
  FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_by_caller RENAME TO idempotency;
)sql",
    // 5: the ledger records the device a tablet session acted from, beside
    // the staff member who acted. Rows kept from before, and rows by a plain
    // credential, have device ''; the hash covers the device only when it is
    // set (ledger/chain.h, rule 3), so every earlier row keeps its hash. The
    // append-only triggers refuse UPDATE and DELETE only: adding a column
    // rewrites no row.
    R"sql(
ALTER TABLE ledger ADD COLUMN device TEXT NOT NULL DEFAULT '';
)sql",
    // 6: indexes that keep each request's reads to the rows it needs, however
    // long the location's history. SQLite's planner, given a choice between
    // seeking with one column and sorting a few rows or walking an index in
    // order, picks the walk: on (location_id, check_id) alone the cases of a
    // check, wanted by flagged_at_us, were read by walking every case of the
    // location in cases_by_time, at every flag. Each index below serves a
    // statement named beside it; tests/store/history_cost_test.cc holds
    // each request's cost to the same at any size of history.
    R"sql(
-- recovery_rows.cc CasesOnCheck: a check's cases in the order flagged.
DROP INDEX cases_by_check;
CREATE INDEX cases_by_check ON cases(location_id, check_id, flagged_at_us);
-- watch_queries.cc ReadRecurring: the day's flags of every problem key.
CREATE INDEX problem_keys_by_time ON problem_keys(location_id, flagged_at_us);
-- watch_queries.cc ReadCases: the open cases; store_metrics.cc:
-- makegood_cases_open and makegood_remedies{status} at every scrape,
-- without reading the cases' and remedies' rows.
CREATE INDEX cases_by_status ON cases(status, location_id);
CREATE INDEX remedies_by_status ON remedies(status);
)sql",
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

absl::Status Migrate(Connection& db) {
  return MigrateTo(db, LatestSchemaVersion());
}

absl::Status MigrateTo(Connection& db, int target_version) {
  if (target_version < 0 || target_version > LatestSchemaVersion()) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema version ", target_version, " does not exist"));
  }
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
  for (int version = current + 1; version <= target_version; ++version) {
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
