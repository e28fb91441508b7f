#include "store/migrations.h"

#include "gtest/gtest.h"
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

TEST(MigrationsTest, AnUnopenableFileIsAnError) {
  auto store = SqliteStore::Open({.path = "/nonexistent-dir/m.db"});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace makegood::store
