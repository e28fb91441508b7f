#include "store/backup.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"
#include "support/db_query.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::QueryInt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(BackupNamesTest, NamesAreTheUtcTimeAndSortByIt) {
  const absl::Time at = Utc(2026, 11, 20, 23, 5, 9);
  EXPECT_EQ(BackupFileName(at), "makegood-20261120T230509Z.db");
  // An instant, whatever the local zone: 18:05 in New York is 23:05 UTC.
  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  EXPECT_EQ(BackupFileName(absl::FromCivil(
                absl::CivilSecond(2026, 11, 20, 18, 5, 9), new_york)),
            "makegood-20261120T230509Z.db");
  EXPECT_TRUE(IsBackupFileName(BackupFileName(at)));
  EXPECT_LT(BackupFileName(Utc(2026, 12, 31, 23, 59, 59)),
            BackupFileName(Utc(2027, 1, 1, 0, 0, 0)));
}

TEST(BackupNamesTest, OnlyNamesOfExactlyThatFormAreBackups) {
  for (const char* other :
       {"makegood-20261120T230509Z.db-wal", "makegood-20261120T230509Z.db-shm",
        "makegood-20261120T230509Z.db.partial-Ab12Cd", "makegood-latest.db",
        "makegood.db", "xmakegood-20261120T230509Z.db",
        "makegood-2026112OT230509Z.db", "makegood-20261120 230509Z.db",
        "makegood-20261120T230509.db", "makegood-20261120T2305090Z.db", ""}) {
    EXPECT_FALSE(IsBackupFileName(other)) << other;
  }
}

TEST(BackupNamesTest, PrunesTheOldestBeyondKeepAndNothingElse) {
  const std::vector<std::string> names = {
      "makegood-20261118T040000Z.db", "notes.txt",
      "makegood-20261120T040000Z.db", "makegood-20261116T040000Z.db",
      "makegood-latest.db",           "makegood-20261117T040000Z.db",
      "makegood-20261119T040000Z.db", "makegood-20261119T040000Z.db-wal"};
  EXPECT_THAT(BackupsToPrune(names, 3, "makegood-20261120T040000Z.db"),
              ElementsAre("makegood-20261116T040000Z.db",
                          "makegood-20261117T040000Z.db"));
  EXPECT_THAT(BackupsToPrune(names, 1, "makegood-20261120T040000Z.db"),
              ElementsAre("makegood-20261116T040000Z.db",
                          "makegood-20261117T040000Z.db",
                          "makegood-20261118T040000Z.db",
                          "makegood-20261119T040000Z.db"));
  EXPECT_TRUE(BackupsToPrune(names, 5, "makegood-20261120T040000Z.db").empty());
  EXPECT_TRUE(
      BackupsToPrune(names, 14, "makegood-20261120T040000Z.db").empty());
}

TEST(BackupNamesTest, TheBackupJustMadeIsKeptEvenWithAnOlderName) {
  // A clock set back: the new backup's name sorts before the others.
  const std::vector<std::string> names = {"makegood-20261120T040000Z.db",
                                          "makegood-20261119T040000Z.db",
                                          "makegood-20010101T000000Z.db"};
  EXPECT_THAT(BackupsToPrune(names, 2, "makegood-20010101T000000Z.db"),
              ElementsAre("makegood-20261119T040000Z.db"));
  EXPECT_THAT(BackupsToPrune(names, 1, "makegood-20010101T000000Z.db"),
              ElementsAre("makegood-20261119T040000Z.db",
                          "makegood-20261120T040000Z.db"));
}

class BackupFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    makegood::v1::Location location;
    location.set_id(makegood::testing::kLocation);
    location.set_currency("USD");
    location.set_timezone("America/New_York");
    ASSERT_TRUE(store_->RegisterLocation(location).ok());
    auto appended =
        AppendEventsAndWait(*store_,
                            makegood::testing::SyntheticService(
                                500, "e", Utc(2026, 11, 20, 17, 0, 0)),
                            Utc(2026, 11, 20, 23, 0, 0));
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  std::string db_path() const { return dir_.File("live.db"); }
  SqliteStoreOptions Options() const {
    SqliteStoreOptions options;
    options.path = db_path();
    return options;
  }

  makegood::testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(BackupFileTest, ACopyOfAnOpenStoreHoldsEveryCommittedRow) {
  const std::string copy_dir = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copy_dir));
  const std::string copy = copy_dir + "/copy.db";
  auto backup = BackupDatabase(db_path(), copy);
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->path, copy);
  EXPECT_EQ(backup->head.seq, 0);  // Events only: no case, no ledger row.
  EXPECT_GT(backup->pages, 1);
  // The copy alone, no temporary file or -journal left beside it, and
  // readable by its owner only: it holds guest contacts.
  EXPECT_EQ(Names(copy_dir), std::vector<std::string>{"copy.db"});
  struct stat st;
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(QueryInt(copy, "SELECT count(*) FROM order_events"), 500);
  auto verified = VerifyDatabaseFile(copy);
  EXPECT_TRUE(verified.ok()) << verified.status();
}

TEST_F(BackupFileTest, ABackupNeverOverwritesAFile) {
  const std::string taken = dir_.File("taken.db");
  { std::ofstream(taken) << "keep me"; }
  auto backup = BackupDatabase(db_path(), taken);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(backup.status().message(), HasSubstr(taken + " already exists"));
  EXPECT_EQ(makegood::testing::ReadFileOrEmpty(taken), "keep me");
}

TEST_F(BackupFileTest, RestoreWaitsForTheStoreToReleaseTheDatabase) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_TRUE(BackupDatabase(db_path(), copy).ok());

  auto refused = RestoreDatabase(copy, db_path());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("live.db.lock"));
  EXPECT_THAT(refused.status().message(), HasSubstr("nothing was changed"));

  store_->Shutdown();
  store_.reset();
  auto restored = RestoreDatabase(copy, db_path());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->restored.path, db_path());
  auto reopened = SqliteStore::Open(Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  (*reopened)->Shutdown();
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 500);
}

}  // namespace
}  // namespace makegood::store
