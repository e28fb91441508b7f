#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/chain.h"
#include "store/sqlite_store.h"
#include "support/db_query.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/small_disk.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

using makegood::testing::QueryInt;
using makegood::testing::ReadFileOrEmpty;
using makegood::testing::SmallDisk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Runs `sql` on the SQLite file `path`, created if missing, as no makegood
// code would: to make a file that is damaged, edited or not makegood's. The
// connection's close folds its -wal into the file and deletes it.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  const std::string open_error = sqlite3_errmsg(db);
  if (opened != SQLITE_OK) sqlite3_close(db);
  ASSERT_EQ(opened, SQLITE_OK) << path << ": " << open_error;
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error == nullptr ? "" : error;
  sqlite3_free(error);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
}

// Gives the SQLite file `path` a table of `rows` rows whose index no longer
// matches it: `rows` problems for PRAGMA integrity_check ("row N missing
// from index scratch_a"), though every page still reads.
void BreakAnIndex(const std::string& path, int rows) {
  std::string sql =
      "CREATE TABLE scratch(a, b); CREATE INDEX scratch_a ON scratch(a);";
  for (int i = 1; i <= rows; ++i) {
    absl::StrAppend(&sql, "INSERT INTO scratch VALUES(", i, ", ", i * 10, ");");
  }
  ASSERT_NO_FATAL_FAILURE(ExecSql(path, sql));
  ASSERT_NO_FATAL_FAILURE(ExecSql(
      path,
      "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql='CREATE INDEX "
      "scratch_a ON scratch(b)' WHERE name='scratch_a';"));
}

// Ledger row `seq` of a case, as the chain's rule hashes it after
// `prev_hash`.
ledger::RowFields LedgerRow(int64_t seq) {
  ledger::RowFields row;
  row.seq = seq;
  row.at_us = seq * 1000000;
  row.location_id = makegood::testing::kLocation;
  row.case_id = "case-1";
  row.action = "flagged";
  row.actor = "ana";
  return row;
}

// The INSERT of LedgerRow(seq) with the hashes given.
std::string InsertLedgerRow(int64_t seq, const std::string& prev_hash,
                            const std::string& hash) {
  const ledger::RowFields row = LedgerRow(seq);
  return absl::StrCat(
      "INSERT INTO ledger(seq, at_us, location_id, case_id, action, actor, "
      "prev_hash, hash) VALUES (",
      row.seq, ", ", row.at_us, ", '", row.location_id, "', '", row.case_id,
      "', '", row.action, "', '", row.actor, "', '", prev_hash, "', '", hash,
      "');");
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

TEST(BackupNamesTest, WithoutABackupJustMadeTheNewestKeepRemain) {
  const std::vector<std::string> names = {"makegood-20261118T040000Z.db",
                                          "makegood-20261120T040000Z.db",
                                          "makegood-20261119T040000Z.db"};
  EXPECT_THAT(BackupsToPrune(names, 2, ""),
              ElementsAre("makegood-20261118T040000Z.db"));
  // Fewer than one is one: the newest is never pruned.
  EXPECT_THAT(BackupsToPrune(names, 0, ""),
              ElementsAre("makegood-20261118T040000Z.db",
                          "makegood-20261119T040000Z.db"));
  EXPECT_THAT(BackupsToPrune(names, 0, "makegood-20261118T040000Z.db"),
              ElementsAre("makegood-20261119T040000Z.db",
                          "makegood-20261120T040000Z.db"));
}

TEST(PruneBackupsTest, DeletesOldBackupsWithTheirWalAndShmAndNothingElse) {
  makegood::testing::TempDir dir;
  const std::string elsewhere = dir.File("elsewhere.db");
  WriteFile(elsewhere, "a file a link points to");
  const std::string backups = dir.File("backups");
  ASSERT_TRUE(std::filesystem::create_directory(backups));
  for (const char* name :
       {"makegood-20010101T040000Z.db", "makegood-20010101T040000Z.db-wal",
        "makegood-20010101T040000Z.db-shm", "makegood-20020101T040000Z.db",
        "makegood-20030101T040000Z.db", "makegood-20040101T040000Z.db",
        // A crashed backup's temporary, and files that are no backups.
        "makegood-20000101T040000Z.db.partial-Ab12Cd",
        "makegood-before-upgrade.db", "notes.txt"}) {
    WriteFile(backups + "/" + name, name);
  }
  // Named like an old backup, but a directory: not a file to delete.
  ASSERT_TRUE(std::filesystem::create_directory(
      backups + "/makegood-19990101T040000Z.db"));
  // Named like an old backup, a link: the link goes, not what it names.
  std::filesystem::create_symlink(elsewhere,
                                  backups + "/makegood-19980101T040000Z.db");

  auto removed = PruneBackups(backups, 2, "makegood-20040101T040000Z.db");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(*removed, ElementsAre(backups + "/makegood-19980101T040000Z.db",
                                    backups + "/makegood-20010101T040000Z.db",
                                    backups + "/makegood-20020101T040000Z.db"));
  EXPECT_THAT(Names(backups),
              ElementsAre("makegood-19990101T040000Z.db",
                          "makegood-20000101T040000Z.db.partial-Ab12Cd",
                          "makegood-20030101T040000Z.db",
                          "makegood-20040101T040000Z.db",
                          "makegood-before-upgrade.db", "notes.txt"));
  EXPECT_EQ(ReadFileOrEmpty(elsewhere), "a file a link points to");
  EXPECT_EQ(ReadFileOrEmpty(backups + "/notes.txt"), "notes.txt");

  // Nothing more to prune: the same call removes nothing.
  auto again = PruneBackups(backups, 2, "makegood-20040101T040000Z.db");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(*again, IsEmpty());
}

TEST(PruneBackupsTest, ADirectoryThatCannotBeListedIsInternalAndNamed) {
  makegood::testing::TempDir dir;
  const std::string missing = dir.File("no-backups-here");
  auto removed = PruneBackups(missing, 2, "");
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(removed.status().message(),
              HasSubstr("cannot list " + missing + ": "));
  EXPECT_FALSE(std::filesystem::exists(missing));
}

// An open descriptor of `path` holding an exclusive flock(2), as the
// process writing a temporary holds it; released when it goes.
class HeldFile {
 public:
  explicit HeldFile(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    EXPECT_GE(fd_, 0) << path << ": " << std::strerror(errno);
    EXPECT_EQ(::flock(fd_, LOCK_EX | LOCK_NB), 0) << std::strerror(errno);
  }
  HeldFile(const HeldFile&) = delete;
  HeldFile& operator=(const HeldFile&) = delete;
  ~HeldFile() { ::close(fd_); }

 private:
  const int fd_;
};

TEST(RemoveAbandonedCopiesTest, RemovesTheCopiesNoProcessHoldsAndNothingElse) {
  makegood::testing::TempDir dir;
  const std::string backups = dir.File("backups");
  ASSERT_TRUE(std::filesystem::create_directory(backups));
  for (const char* name :
       {// Left by backups that stopped midway, one with its -journal.
        "makegood-20261120T043000Z.db.partial-Ab12Cd",
        "makegood-20261120T043000Z.db.partial-Ab12Cd-journal",
        "makegood-20261121T043000Z.db.partial-zz9ZZ9",
        // Being written: its writer holds it.
        "makegood-20261122T043000Z.db.partial-Qw34Er",
        // Backups, and files that are no backup's copy.
        "makegood-20261119T043000Z.db", "notes.db.partial-Ab12Cd",
        "makegood-20261120T043000Z.db.partial-toolong",
        "makegood-20261120T043000Z.db.partial-Ab1.Cd",
        "makegood-2026.db.partial-Ab12Cd"}) {
    WriteFile(backups + "/" + name, name);
  }
  const HeldFile writing(backups +
                         "/makegood-20261122T043000Z.db.partial-Qw34Er");
  // Named like one, a link: neither it nor what it names is touched.
  const std::string elsewhere = dir.File("elsewhere.db");
  WriteFile(elsewhere, "a file a link points to");
  std::filesystem::create_symlink(
      elsewhere, backups + "/makegood-20261123T043000Z.db.partial-Ln56Kk");

  auto removed = RemoveAbandonedCopies(backups);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(
      *removed,
      ElementsAre(backups + "/makegood-20261120T043000Z.db.partial-Ab12Cd",
                  backups + "/makegood-20261121T043000Z.db.partial-zz9ZZ9"));
  EXPECT_THAT(Names(backups),
              ElementsAre("makegood-2026.db.partial-Ab12Cd",
                          "makegood-20261119T043000Z.db",
                          "makegood-20261120T043000Z.db.partial-Ab1.Cd",
                          "makegood-20261120T043000Z.db.partial-toolong",
                          "makegood-20261122T043000Z.db.partial-Qw34Er",
                          "makegood-20261123T043000Z.db.partial-Ln56Kk",
                          "notes.db.partial-Ab12Cd"));
  EXPECT_EQ(ReadFileOrEmpty(elsewhere), "a file a link points to");

  auto again = RemoveAbandonedCopies(backups);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(*again, IsEmpty());
}

TEST(RemoveAbandonedCopiesTest,
     ADirectoryThatCannotBeListedIsInternalAndNamed) {
  makegood::testing::TempDir dir;
  const std::string missing = dir.File("no-backups-here");
  auto removed = RemoveAbandonedCopies(missing);
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(removed.status().message(),
              HasSubstr("cannot list " + missing + ": "));
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
  // Stops the store: the database is free for a restore.
  void StopStore() {
    store_->Shutdown();
    store_.reset();
  }
  // Backs the live database up to `path`: a lone file, no -wal beside it.
  void CopyLiveTo(const std::string& path) {
    auto backup = BackupDatabase(db_path(), path);
    ASSERT_TRUE(backup.ok()) << backup.status();
  }
  // Rows of 4000 bytes, a page each, added to a file by Pad.
  static constexpr int kPaddingRows = 50;
  // Makes the SQLite file `path` some 200 KB larger, so that a copy page by
  // page has steps enough to act between.
  void Pad(const std::string& path) {
    const std::string sql = absl::StrCat(
        "PRAGMA journal_mode=WAL; CREATE TABLE padding(b); ",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n ",
        "WHERE i < ", kPaddingRows, ") ",
        "INSERT INTO padding SELECT zeroblob(4000) FROM n;");
    ASSERT_NO_FATAL_FAILURE(ExecSql(path, sql));
  }
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

TEST_F(BackupFileTest, ABackupIntoADirectoryThatDoesNotExistMakesNothing) {
  const std::string missing = dir_.File("no-such-dir");
  const std::string copy = missing + "/copy.db";
  const std::vector<std::string> before = Names(dir_.path());
  auto backup = BackupDatabase(db_path(), copy);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(backup.status().message(),
              HasSubstr("the directory " + missing + " of " + copy +
                        " does not exist"));
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, ABackupWhoseDirectoryIsAFileIsRefusedNamingThePath) {
  const std::string plain = dir_.File("plain");
  WriteFile(plain, "a file, not a directory");
  const std::string copy = plain + "/copy.db";
  const std::vector<std::string> before = Names(dir_.path());
  auto backup = BackupDatabase(db_path(), copy);
  // As a restore refuses it: a file where the directory is meant.
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      backup.status().message(),
      HasSubstr(plain + " (the directory of " + copy + ") is not a directory"));
  EXPECT_EQ(ReadFileOrEmpty(plain), "a file, not a directory");
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, ABackupDoesNotFollowASymbolicLinkAtItsDestination) {
  // A link to a file that does not exist yet is still a name taken.
  const std::string target = dir_.File("target.db");
  const std::string link = dir_.File("link.db");
  std::filesystem::create_symlink(target, link);
  auto backup = BackupDatabase(db_path(), link);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(backup.status().message(), HasSubstr(link + " already exists"));
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(BackupFileTest, ANameWithNoRoomForItsTemporaryIsRefusedAndMakesNothing) {
  // 250 characters fit a file name; "<name>.partial-XXXXXX" does not.
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string copy = copies + "/" + std::string(247, 'b') + ".db";
  auto backup = BackupDatabase(db_path(), copy);
  // A file that cannot be created (backup.h): FAILED_PRECONDITION.
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      backup.status().message(),
      HasSubstr("cannot create a file in " + copies + ": File name too long"));
  EXPECT_THAT(Names(copies), IsEmpty());
}

TEST_F(BackupFileTest, ASourceThatIsNoMakegoodDatabaseIsRefusedBeforeAnyWrite) {
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string text = dir_.File("notes.db");
  std::string bytes;
  for (int i = 0; i < 200; ++i) bytes += "these are notes, not a database\n";
  WriteFile(text, bytes);
  auto from_text = BackupDatabase(text, copies + "/copy.db");
  EXPECT_EQ(from_text.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      from_text.status().message(),
      HasSubstr(text +
                " is not a makegood database: it is not a SQLite database"));

  const std::string other = dir_.File("other.db");
  ASSERT_NO_FATAL_FAILURE(ExecSql(other, "CREATE TABLE photos(id, data);"));
  auto from_other = BackupDatabase(other, copies + "/copy.db");
  EXPECT_EQ(from_other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(from_other.status().message(),
              HasSubstr(other + " is not a makegood database: it has no "
                                "makegood tables"));

  auto from_nothing = BackupDatabase(dir_.File("nothing.db"), copies + "/c.db");
  EXPECT_EQ(from_nothing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(from_nothing.status().message(),
              HasSubstr(dir_.File("nothing.db") + ": no such file"));

  EXPECT_THAT(Names(copies), IsEmpty());
  EXPECT_EQ(ReadFileOrEmpty(text), bytes);
}

TEST_F(BackupFileTest, ACopyThatFailsIntegrityCheckIsDeletedAndTheSourceNamed) {
  const std::string damaged = dir_.File("damaged.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(damaged));
  ASSERT_NO_FATAL_FAILURE(BreakAnIndex(damaged, 5));
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string copy = copies + "/copy.db";

  auto backup = BackupDatabase(damaged, copy);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(backup.status().message(),
              HasSubstr("the copy of " + damaged +
                        " does not verify, so it was deleted"));
  // The first three problems of five, then a mark for the rest.
  EXPECT_THAT(backup.status().message(),
              HasSubstr("PRAGMA integrity_check found 5 problems: row 1 "
                        "missing from index scratch_a; row 2 missing from "
                        "index scratch_a; row 3 missing from index "
                        "scratch_a; ...)"));
  EXPECT_THAT(
      backup.status().message(),
      HasSubstr("check it with `makegood ledger verify --db " + damaged + "`"));
  EXPECT_THAT(Names(copies), IsEmpty());
}

TEST_F(BackupFileTest, ADamagedPageInTheSourceIsCaughtBeforeTheCopyIsNamed) {
  const std::string good = dir_.File("good.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(good));
  const int64_t page_size = QueryInt(good, "PRAGMA page_size");
  const int64_t root = QueryInt(
      good, "SELECT rootpage FROM sqlite_master WHERE name='order_events'");
  ASSERT_GE(page_size, 512);
  ASSERT_GT(root, 1);  // Not the schema's page: the file still opens.
  // The header of the events table's first page overwritten.
  std::string bytes = ReadFileOrEmpty(good);
  const size_t start = static_cast<size_t>((root - 1) * page_size);
  ASSERT_LT(start + 8, bytes.size());
  for (size_t i = start; i < start + 8; ++i) bytes[i] = '\xff';
  const std::string damaged = dir_.File("damaged.db");
  WriteFile(damaged, bytes);
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));

  auto backup = BackupDatabase(damaged, copies + "/copy.db");
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(backup.status().message(),
              HasSubstr("the copy of " + damaged +
                        " does not verify, so it was deleted"));
  EXPECT_THAT(backup.status().message(), HasSubstr(" is damaged: "));
  EXPECT_THAT(Names(copies), IsEmpty());
  EXPECT_TRUE(ReadFileOrEmpty(damaged) == bytes);
}

TEST_F(BackupFileTest, ABrokenLedgerInTheSourceIsCaughtInTheCopy) {
  const std::string edited = dir_.File("edited.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(edited));
  const std::string first = ledger::RowHash("", LedgerRow(1));
  // Row 2 links to row 1 but carries a hash its fields do not make.
  ASSERT_NO_FATAL_FAILURE(
      ExecSql(edited, InsertLedgerRow(1, "", first) +
                          InsertLedgerRow(2, first, std::string(64, 'a'))));
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));

  auto backup = BackupDatabase(edited, copies + "/copy.db");
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(backup.status().message(),
              HasSubstr("the copy of " + edited +
                        " does not verify, so it was deleted"));
  EXPECT_THAT(backup.status().message(),
              HasSubstr(": the ledger is broken at row 2 of 2: row 2 was "
                        "changed after it was written"));
  EXPECT_THAT(Names(copies), IsEmpty());

  auto verified = VerifyDatabaseFile(edited);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verified.status().message(),
              HasSubstr(edited + ": the ledger is broken at row 2 of 2"));
}

TEST_F(BackupFileTest, ABackupReportsTheHeadOfTheLedgerItCopied) {
  const std::string source = dir_.File("source.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(source));
  const std::string first = ledger::RowHash("", LedgerRow(1));
  const std::string second = ledger::RowHash(first, LedgerRow(2));
  ASSERT_NO_FATAL_FAILURE(ExecSql(
      source,
      InsertLedgerRow(1, "", first) + InsertLedgerRow(2, first, second)));

  const std::string copy = dir_.File("copy.db");
  auto backup = BackupDatabase(source, copy);
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->ledger_rows, 2);
  EXPECT_EQ(backup->head.seq, 2);
  EXPECT_EQ(backup->head.hash, second);
  auto verified = VerifyDatabaseFile(copy);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->intact);
  EXPECT_EQ(verified->rows, 2);
  EXPECT_EQ(verified->head.hash, second);
}

TEST_F(BackupFileTest, IntegrityProblemsAreCountedAndTheFirstThreeShown) {
  const std::string one = dir_.File("one.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(one));
  ASSERT_NO_FATAL_FAILURE(BreakAnIndex(one, 1));
  auto verified = VerifyDatabaseFile(one);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(verified.status().message(),
            one +
                " is damaged: PRAGMA integrity_check found 1 problem: row 1 "
                "missing from index scratch_a");

  const std::string three = dir_.File("three.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(three));
  ASSERT_NO_FATAL_FAILURE(BreakAnIndex(three, 3));
  verified = VerifyDatabaseFile(three);
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(verified.status().message(),
            three +
                " is damaged: PRAGMA integrity_check found 3 problems: "
                "row 1 missing from index scratch_a; row 2 missing from "
                "index scratch_a; row 3 missing from index scratch_a");

  auto missing = VerifyDatabaseFile(dir_.File("missing.db"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr(dir_.File("missing.db") + ": no such file"));
}

TEST_F(BackupFileTest, ACopyMadeOnePageAtATimeHoldsEveryRowToo) {
  StopStore();  // A file that does not change between the two copies.
  const std::string whole = dir_.File("whole.db");
  auto at_once = BackupDatabase(db_path(), whole);
  ASSERT_TRUE(at_once.ok()) << at_once.status();
  BackupOptions options;
  options.pages_per_step = 1;
  const std::string paged = dir_.File("paged.db");
  auto by_page = BackupDatabase(db_path(), paged, options);
  ASSERT_TRUE(by_page.ok()) << by_page.status();
  EXPECT_EQ(by_page->pages, at_once->pages);
  EXPECT_GT(by_page->pages, 1);
  EXPECT_EQ(QueryInt(paged, "SELECT count(*) FROM order_events"), 500);
}

TEST_F(BackupFileTest, TheCopyBeingWrittenIsHeldSoNoPruneRemovesIt) {
  const std::string source = dir_.File("large.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(source));
  ASSERT_NO_FATAL_FAILURE(Pad(source));
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string copy = copies + "/makegood-20261120T043000Z.db";
  BackupOptions options;
  options.pages_per_step = 8;
  int steps = 0;
  options.after_step = [&] {
    // What a second `makegood backup --to` to the same directory does
    // meanwhile: the copy under way is no abandoned one.
    auto removed = RemoveAbandonedCopies(copies);
    ASSERT_TRUE(removed.ok()) << removed.status();
    EXPECT_THAT(*removed, IsEmpty());
    EXPECT_THAT(
        Names(copies),
        ::testing::Contains(::testing::MatchesRegex(
            R"(makegood-20261120T043000Z\.db\.partial-[A-Za-z0-9]{6})")));
    ++steps;
  };
  auto backup = BackupDatabase(source, copy, options);
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_GT(steps, 0);
  EXPECT_THAT(Names(copies), ElementsAre("makegood-20261120T043000Z.db"));
  EXPECT_TRUE(VerifyDatabaseFile(copy).ok());
}

TEST_F(BackupFileTest, ACopyPastItsDeadlineIsAbandonedAndNothingIsKept) {
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  BackupOptions options;
  options.pages_per_step = 1;
  options.max_duration = absl::ZeroDuration();  // Past after the first step.
  auto backup = BackupDatabase(db_path(), copies + "/copy.db", options);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(backup.status().message(),
              HasSubstr("the copy of " + db_path() +
                        " did not finish within 0 (1 of "));
  EXPECT_THAT(backup.status().message(),
              HasSubstr(" pages copied); nothing was kept"));
  EXPECT_THAT(Names(copies), IsEmpty());
}

TEST_F(BackupFileTest,
       ABackupOntoAFullDiskIsResourceExhaustedAndLeavesNothing) {
  auto disk = SmallDisk::Mount(dir_.File("disk"), 16);
  ASSERT_TRUE(disk.ok()) << disk.status();
  const absl::Status filled = (*disk)->Fill();
  ASSERT_TRUE(filled.ok()) << filled;
  const std::string copy = (*disk)->File("copy.db");

  auto backup = BackupDatabase(db_path(), copy);
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(
      backup.status().message(),
      HasSubstr("the copy of " + db_path() + " does not fit on the disk"));
  EXPECT_EQ(Names((*disk)->path()), std::vector<std::string>{"ballast"});

  // The refusal was for the space: with room again, the same backup works.
  ASSERT_TRUE((*disk)->Empty().ok());
  auto again = BackupDatabase(db_path(), copy);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Names((*disk)->path()), std::vector<std::string>{"copy.db"});
}

TEST_F(BackupFileTest, ANameTakenWhileTheBackupIsUnderWayIsNotReplaced) {
  const std::string source = dir_.File("large.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(source));
  ASSERT_NO_FATAL_FAILURE(Pad(source));
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string copy = copies + "/copy.db";
  // Page by page, so that the copy has steps; after its first, another
  // process takes the name.
  BackupOptions options;
  options.pages_per_step = 1;
  bool taken = false;
  options.after_step = [&] {
    if (taken) return;
    const int fd =
        open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << copy << ": " << std::strerror(errno);
    const std::string text = "someone else's file\n";
    ASSERT_EQ(write(fd, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    close(fd);
    taken = true;
  };
  auto backup = BackupDatabase(source, copy, options);
  ASSERT_TRUE(taken) << "the copy had no step with pages left";
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(backup.status().message(),
              HasSubstr(copy + " appeared while the backup was taken; it "
                               "was not overwritten, and the copy was "
                               "deleted"));
  EXPECT_EQ(ReadFileOrEmpty(copy), "someone else's file\n");
  EXPECT_EQ(Names(copies), std::vector<std::string>{"copy.db"});
}

TEST_F(BackupFileTest, ACommitToAWalThatAppearsDuringTheCopyIsInTheBackup) {
  // A stopped makegoodd's file: no -wal, so read as immutable at first.
  const std::string source = dir_.File("padded.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(source));
  ASSERT_NO_FATAL_FAILURE(Pad(source));
  const std::string copies = dir_.File("copies");
  ASSERT_TRUE(std::filesystem::create_directory(copies));
  const std::string copy = copies + "/copy.db";
  const std::string row = ledger::RowHash("", LedgerRow(1));
  BackupOptions options;
  options.pages_per_step = 1;
  // A makegoodd starting on the file after the copy's first step: its
  // commit goes to the -wal, which it keeps open (and so there) until the
  // backup is done.
  sqlite3* writer = nullptr;
  bool committed = false;
  options.after_step = [&] {
    if (writer != nullptr) return;
    ASSERT_EQ(sqlite3_open_v2(source.c_str(), &writer, SQLITE_OPEN_READWRITE,
                              nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(writer, InsertLedgerRow(1, "", row).c_str(), nullptr,
                           nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(writer);
    committed = true;
  };
  auto backup = BackupDatabase(source, copy, options);
  sqlite3_close(writer);  // Folds the -wal into the file.
  ASSERT_TRUE(committed) << "the copy had no step with pages left";
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->head.seq, 1);
  EXPECT_EQ(backup->head.hash, row);
  EXPECT_EQ(backup->ledger_rows, 1);
  EXPECT_EQ(Names(copies), std::vector<std::string>{"copy.db"});
  EXPECT_EQ(QueryInt(copy, "SELECT count(*) FROM padding"), kPaddingRows);
}

TEST_F(BackupFileTest, RestoreOfAMissingBackupChangesNothing) {
  StopStore();
  const std::string database = ReadFileOrEmpty(db_path());
  ASSERT_FALSE(database.empty());
  const std::vector<std::string> before = Names(dir_.path());
  const std::string gone = dir_.File("gone.db");

  auto restored = RestoreDatabase(gone, db_path());
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(restored.status().message(), HasSubstr(gone + ": no such file"));
  EXPECT_THAT(
      restored.status().message(),
      HasSubstr("; nothing was restored, " + db_path() + " is as it was"));
  EXPECT_TRUE(ReadFileOrEmpty(db_path()) == database);
  EXPECT_EQ(Names(dir_.path()), before);
  // The lock was let go: the store opens on the file again.
  EXPECT_EQ(ReadFileOrEmpty(db_path() + ".lock"), "");
  auto reopened = SqliteStore::Open(Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  (*reopened)->Shutdown();
}

TEST_F(BackupFileTest, RestoreOfADamagedBackupChangesNothing) {
  const std::string damaged = dir_.File("damaged.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(damaged));
  ASSERT_NO_FATAL_FAILURE(BreakAnIndex(damaged, 2));
  const std::string text = dir_.File("notes.db");
  WriteFile(text, std::string(8192, 'n'));
  StopStore();
  const std::string database = ReadFileOrEmpty(db_path());
  const std::vector<std::string> before = Names(dir_.path());

  auto from_damaged = RestoreDatabase(damaged, db_path());
  EXPECT_EQ(from_damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(from_damaged.status().message(),
              HasSubstr(damaged + " is damaged: PRAGMA integrity_check found "
                                  "2 problems"));
  EXPECT_THAT(
      from_damaged.status().message(),
      HasSubstr("nothing was restored, " + db_path() + " is as it was"));

  auto from_text = RestoreDatabase(text, db_path());
  EXPECT_EQ(from_text.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(from_text.status().message(),
              HasSubstr(text + " is not a makegood database"));
  EXPECT_THAT(
      from_text.status().message(),
      HasSubstr("nothing was restored, " + db_path() + " is as it was"));

  EXPECT_TRUE(ReadFileOrEmpty(db_path()) == database);
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, RestoreOntoADirectoryIsRefusedBeforeItLocksAnything) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  const std::string directory = dir_.File("a-directory");
  ASSERT_TRUE(std::filesystem::create_directory(directory));
  const std::vector<std::string> before = Names(dir_.path());

  auto restored = RestoreDatabase(copy, directory);
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(restored.status().message(),
              HasSubstr(directory + " is a directory, not a database file"));
  EXPECT_THAT(Names(directory), IsEmpty());
  EXPECT_EQ(Names(dir_.path()), before);  // No a-directory.lock either.
}

TEST_F(BackupFileTest, RestoreIntoADirectoryThatIsMissingOrAFileIsRefused) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  const std::string plain = dir_.File("plain");
  WriteFile(plain, "a file, not a directory");
  const std::vector<std::string> before = Names(dir_.path());

  const std::string missing = dir_.File("no-such-dir");
  auto into_missing = RestoreDatabase(copy, missing + "/makegood.db");
  EXPECT_EQ(into_missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(into_missing.status().message(),
              HasSubstr("the directory " + missing + " of " + missing +
                        "/makegood.db does not exist"));

  auto into_file = RestoreDatabase(copy, plain + "/makegood.db");
  EXPECT_EQ(into_file.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(into_file.status().message(),
              HasSubstr(plain + " (the directory of " + plain +
                        "/makegood.db) is not a directory"));

  EXPECT_EQ(ReadFileOrEmpty(plain), "a file, not a directory");
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, RestoreIsRefusedWhenTheLockFileCannotBeOpened) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  const std::string database = dir_.File("other.db");
  const std::string lock =
      std::filesystem::weakly_canonical(database).string() + ".lock";
  ASSERT_TRUE(std::filesystem::create_directory(lock));
  const std::vector<std::string> before = Names(dir_.path());

  auto restored = RestoreDatabase(copy, database);
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(
      restored.status().message(),
      HasSubstr("cannot open the lock file " + lock + ": Is a directory"));
  EXPECT_FALSE(std::filesystem::exists(database));
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, ARestoreWhereNoDatabaseWasMakesOneOnlyItsOwnerReads) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  const std::string fresh = dir_.File("fresh");
  ASSERT_TRUE(std::filesystem::create_directory(fresh));
  const std::string database = fresh + "/makegood.db";

  auto restored = RestoreDatabase(copy, database);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->restored.path, database);
  EXPECT_GT(restored->restored.pages, 1);
  EXPECT_THAT(restored->removed, IsEmpty());
  EXPECT_EQ(Names(fresh),
            (std::vector<std::string>{"makegood.db", "makegood.db.lock"}));
  struct stat st;
  ASSERT_EQ(::stat(database.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(QueryInt(database, "SELECT count(*) FROM order_events"), 500);
}

TEST_F(BackupFileTest, RestoreRemovesTheStaleFilesOfTheReplacedDatabase) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  StopStore();
  // What a makegoodd that crashed might leave: SQLite would replay them
  // into the restored file.
  const std::vector<std::string> stale = {
      db_path() + "-journal", db_path() + "-wal", db_path() + "-shm"};
  for (const std::string& path : stale) WriteFile(path, "stale " + path);

  auto restored = RestoreDatabase(copy, db_path());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->removed, stale);
  for (const std::string& path : stale) {
    EXPECT_FALSE(std::filesystem::exists(path)) << path;
  }
  EXPECT_EQ(Names(dir_.path()),
            (std::vector<std::string>{"copy.db", "live.db", "live.db.lock"}));
  auto verified = VerifyDatabaseFile(db_path());
  EXPECT_TRUE(verified.ok()) << verified.status();
}

TEST_F(BackupFileTest, RestoreThroughASymbolicLinkReplacesTheFileItNames) {
  // A backup of the day's start, then more events on the live file.
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  auto appended =
      AppendEventsAndWait(*store_,
                          makegood::testing::SyntheticService(
                              20, "later", Utc(2026, 11, 21, 17, 0, 0)),
                          Utc(2026, 11, 21, 23, 0, 0));
  ASSERT_TRUE(appended.ok()) << appended.status();
  StopStore();
  ASSERT_GT(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 500);
  // --db as an operator's link to where the file really is.
  const std::string link = dir_.File("makegood.db");
  std::filesystem::create_symlink(db_path(), link);

  auto restored = RestoreDatabase(copy, link);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->restored.path, db_path());
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(std::filesystem::read_symlink(link), db_path());
  EXPECT_EQ(Names(dir_.path()),
            (std::vector<std::string>{"copy.db", "live.db", "live.db.lock",
                                      "makegood.db"}));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 500);
}

TEST_F(BackupFileTest, RestoreRemovesTheCopyARestoreStoppedMidwayLeft) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  StopStore();
  // A whole database, guest contacts and all, left by a killed restore;
  // and a file that only looks like one.
  const std::string left = db_path() + ".restoring-Ab12Cd";
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(left));
  WriteFile(left + "-journal", "a journal of the copy");
  const std::string other = dir_.File("other.db.restoring-Ab12Cd");
  WriteFile(other, "another database's");

  auto restored = RestoreDatabase(copy, db_path());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->removed, std::vector<std::string>{left});
  EXPECT_EQ(Names(dir_.path()),
            (std::vector<std::string>{"copy.db", "live.db", "live.db.lock",
                                      "other.db.restoring-Ab12Cd"}));
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 500);
}

TEST_F(BackupFileTest,
       ARestoreThatCannotMoveAStaleFileAsidePutsBackWhatItMoved) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  StopStore();
  const std::string database = ReadFileOrEmpty(db_path());
  // What a makegoodd that crashed mid-transaction leaves: a journal and a
  // WAL, whose contents belong to the old file. The WAL cannot be moved
  // aside: its aside name is a directory that is not empty.
  const std::string journal = db_path() + "-journal";
  const std::string wal = db_path() + "-wal";
  WriteFile(journal, "old journal");
  WriteFile(wal, "old wal");
  ASSERT_TRUE(
      std::filesystem::create_directories(wal + ".replaced/in-the-way"));
  const std::vector<std::string> before = Names(dir_.path());

  auto restored = RestoreDatabase(copy, db_path());
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(restored.status().message(),
              HasSubstr("cannot move " + wal + " aside to " + wal +
                        ".replaced: Is a directory; nothing was restored, " +
                        db_path() + " is as it was"));
  // The old file has everything it had, the journal moved back included;
  // the copy made beside it is gone.
  EXPECT_TRUE(ReadFileOrEmpty(db_path()) == database);
  EXPECT_EQ(ReadFileOrEmpty(journal), "old journal");
  EXPECT_EQ(ReadFileOrEmpty(wal), "old wal");
  EXPECT_EQ(Names(dir_.path()), before);
}

TEST_F(BackupFileTest, TheRestoredFileKeepsTheOwnerGroupAndModeOfTheOldOne) {
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  StopStore();
  // makegoodd's own user, as a root `makegood restore` finds it.
  constexpr uid_t kUid = 4321;
  constexpr gid_t kGid = 4322;
  if (::chown(db_path().c_str(), kUid, kGid) != 0) {
    GTEST_SKIP() << "giving a file to another user needs root: "
                 << std::strerror(errno);
  }
  ASSERT_EQ(::chmod(db_path().c_str(), 0640), 0);

  auto restored = RestoreDatabase(copy, db_path());
  ASSERT_TRUE(restored.ok()) << restored.status();
  struct stat st;
  ASSERT_EQ(::stat(db_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  // The lock file too, so that makegoodd, as that user, can lock it.
  ASSERT_EQ(::stat((db_path() + ".lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
  EXPECT_EQ(QueryInt(db_path(), "SELECT count(*) FROM order_events"), 500);
}

TEST_F(BackupFileTest, RestoreOntoAFullDiskChangesNothing) {
  auto disk = SmallDisk::Mount(dir_.File("disk"), 16);
  ASSERT_TRUE(disk.ok()) << disk.status();
  const std::string database = (*disk)->File("makegood.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(database));
  const std::string copy = dir_.File("copy.db");
  ASSERT_NO_FATAL_FAILURE(CopyLiveTo(copy));
  const absl::Status filled = (*disk)->Fill();
  ASSERT_TRUE(filled.ok()) << filled;
  const std::string bytes = ReadFileOrEmpty(database);
  ASSERT_FALSE(bytes.empty());

  auto restored = RestoreDatabase(copy, database);
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(restored.status().message(),
              HasSubstr("the copy of " + copy + " does not fit on the disk"));
  EXPECT_THAT(restored.status().message(),
              HasSubstr("nothing was restored, " + database + " is as it was"));
  EXPECT_TRUE(ReadFileOrEmpty(database) == bytes);
  EXPECT_EQ(
      Names((*disk)->path()),
      (std::vector<std::string>{"ballast", "makegood.db", "makegood.db.lock"}));
}

}  // namespace
}  // namespace makegood::store
