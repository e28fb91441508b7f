#include "store/migrations.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/chain.h"
#include "store/ledger.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

int64_t Pragma(Connection& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(*(*stmt)->Step());
  return (*stmt)->Int(0);
}

TEST(MigrationsTest, BringsANewDatabaseToTheLatestVersionWithDurablePragmas) {
  makegood::testing::TempDir dir;
  {
    auto store = SqliteStore::Open({.path = dir.File("m.db")});
    ASSERT_TRUE(store.ok()) << store.status();
  }
  auto db = Connection::Open(dir.File("m.db"), false);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Pragma(**db, "PRAGMA user_version"), LatestSchemaVersion());
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*(*mode)->Step());
  EXPECT_EQ((*mode)->Text(0), "wal");
  mode->reset();
  EXPECT_EQ(Pragma(**db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(Pragma(**db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(Pragma(**db, "PRAGMA temp_store"), 2);  // MEMORY
}

TEST(MigrationsTest, ReopeningChangesNothing) {
  makegood::testing::TempDir dir;
  for (int i = 0; i < 2; ++i) {
    auto store = SqliteStore::Open({.path = dir.File("m.db")});
    ASSERT_TRUE(store.ok()) << store.status();
  }
  auto db = Connection::Open(dir.File("m.db"), false);
  EXPECT_EQ(Pragma(**db, "PRAGMA user_version"), LatestSchemaVersion());
}

TEST(MigrationsTest, RefusesADatabaseFromANewerBinary) {
  makegood::testing::TempDir dir;
  {
    auto db = Connection::Open(dir.File("m.db"), false);
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version=999").ok());
  }
  auto store = SqliteStore::Open({.path = dir.File("m.db")});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(MigrationsTest, AnOlderDatabaseIsBroughtForwardOneVersionAtATime) {
  makegood::testing::TempDir dir;
  auto db = Connection::Open(dir.File("m.db"), false);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(MigrateTo(**db, LatestSchemaVersion() + 1).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(MigrateTo(**db, 3).ok());
  EXPECT_EQ(Pragma(**db, "PRAGMA user_version"), 3);
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_EQ(Pragma(**db, "PRAGMA user_version"), LatestSchemaVersion());
}

TEST(MigrationsTest, TheDeviceColumnKeepsEveryEarlierLedgerRowAndItsHash) {
  makegood::testing::TempDir dir;
  auto db = Connection::Open(dir.File("m.db"), false);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(MigrateTo(**db, 4).ok());
  // A row as written at version 4: no device, the hash of that time.
  const ledger::RowFields row{
      1, 1700000000000001, "downtown-01", "case-1", "flagged", "s-17", "", 0,
      ""};
  const std::string hash = ledger::RowHash("", row);
  auto insert = (*db)->Prepare(
      "INSERT INTO ledger(seq, at_us, location_id, case_id, action, actor, "
      "approver, amount_minor, detail, prev_hash, hash) "
      "VALUES(1, 1700000000000001, 'downtown-01', 'case-1', 'flagged', "
      "'s-17', '', 0, '', '', ?1)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  ASSERT_TRUE((*insert)->Bind(1, hash).Run().ok());
  insert->reset();

  ASSERT_TRUE(MigrateTo(**db, 5).ok());
  auto device = (*db)->Prepare("SELECT device, hash FROM ledger WHERE seq=1");
  ASSERT_TRUE(device.ok()) << device.status();
  ASSERT_TRUE(*(*device)->Step());
  EXPECT_EQ((*device)->Text(0), "");
  EXPECT_EQ((*device)->Text(1), hash);
  device->reset();

  // A row from a tablet after it; the whole chain verifies.
  LedgerEntry entry;
  entry.at = absl::FromUnixMicros(1700000000000002);
  entry.location_id = "downtown-01";
  entry.case_id = "case-1";
  entry.action = "remedy_sent";
  entry.actor = "s-17";
  entry.device = "tablet-1";
  ASSERT_TRUE(AppendLedger(**db, entry).ok());
  auto verified = VerifyLedgerChain(**db);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->rows, 2);
}

TEST(MigrationsTest, AnUnopenableFileIsAnError) {
  auto store = SqliteStore::Open({.path = "/nonexistent-dir/m.db"});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace makegood::store
