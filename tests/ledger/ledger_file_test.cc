#include "ledger/ledger_file.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "store/ledger.h"
#include "store/migrations.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace makegood::ledger {
namespace {

using makegood::testing::ReadFileOrEmpty;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

int64_t MtimeNs(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
         st.st_mtim.tv_nsec;
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Appends rows first, first+1, ... as the store does.
void AppendRows(sqlite::Connection& db, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    store::LedgerEntry entry;
    entry.at = absl::FromUnixMicros(1700000000000000 + i);
    entry.location_id = "downtown-01";
    entry.case_id = absl::StrCat("case-", i);
    entry.action = "flagged";
    entry.actor = "s-17";
    entry.amount_minor = 100 * i;
    ASSERT_TRUE(store::AppendLedger(db, entry).ok());
  }
}

// A database as makegoodd's store writes it, with `rows` ledger rows; the
// connection stays open (a live file, its rows in the -wal) until reset.
std::unique_ptr<sqlite::Connection> Write(const std::string& path, int rows) {
  auto db = sqlite::Connection::Open(path, /*read_only=*/false);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  EXPECT_TRUE(store::Migrate(**db).ok());
  AppendRows(**db, 1, rows);
  return *std::move(db);
}

std::string HashOf(sqlite::Connection& db, int64_t seq) {
  auto row = db.Prepare("SELECT hash FROM ledger WHERE seq=?1");
  EXPECT_TRUE(row.ok()) << row.status();
  if (!row.ok()) return "";
  (*row)->Bind(1, seq);
  auto found = (*row)->Step();
  EXPECT_TRUE(found.ok() && *found) << "no row " << seq;
  return found.ok() && *found ? (*row)->Text(0) : "";
}

// The schema version before the ledger's device column (migration 5).
constexpr int kSchemaBeforeDevices = 4;

// Appends row `seq` as binaries before the device column did: without the
// column, hashed over the fields of that time (RowFields without a device,
// which RowHash hashes as it always did; pinned in chain_test.cc).
void AppendRowBeforeDevices(sqlite::Connection& db, int64_t seq) {
  std::string prev_hash;
  if (seq > 1) prev_hash = HashOf(db, seq - 1);
  const RowFields row{seq,
                      1700000000000000 + seq,
                      "downtown-01",
                      absl::StrCat("case-", seq),
                      "flagged",
                      "s-17",
                      "",
                      100 * seq,
                      ""};
  auto insert = db.Prepare(
      "INSERT INTO ledger(seq, at_us, location_id, case_id, action, actor, "
      "approver, amount_minor, detail, prev_hash, hash) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  EXPECT_TRUE((*insert)
                  ->Bind(1, row.seq)
                  .Bind(2, row.at_us)
                  .Bind(3, row.location_id)
                  .Bind(4, row.case_id)
                  .Bind(5, row.action)
                  .Bind(6, row.actor)
                  .Bind(7, row.approver)
                  .Bind(8, row.amount_minor)
                  .Bind(9, row.detail)
                  .Bind(10, prev_hash)
                  .Bind(11, RowHash(prev_hash, row))
                  .Run()
                  .ok());
}

std::unique_ptr<LedgerFile> OpenOrDie(const std::string& path) {
  auto file = LedgerFile::Open(path);
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : nullptr;
}

class LedgerFileTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(LedgerFileTest, ReadsACopyInAReadOnlyDirectoryWithoutWritingBesideIt) {
  const std::string live = dir_.File("makegood.db");
  std::string head_hash;
  {
    auto db = Write(live, 3);
    ASSERT_NE(db, nullptr);
    head_hash = HashOf(*db, 3);
  }  // Closed: SQLite folds the -wal in and deletes it.
  ASSERT_FALSE(Exists(live + "-wal"));
  const std::string audit = dir_.File("audit");
  ASSERT_TRUE(std::filesystem::create_directory(audit));
  const std::string copy = audit + "/copy.db";
  std::filesystem::copy_file(live, copy);
  ASSERT_EQ(::chmod(audit.c_str(), 0555), 0);
  const std::string bytes = ReadFileOrEmpty(copy);
  const int64_t mtime = MtimeNs(copy);

  {
    auto file = OpenOrDie(copy);
    ASSERT_NE(file, nullptr);
    EXPECT_TRUE(file->immutable());
    auto check = file->Verify(Head{3, head_hash});
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_TRUE(check->intact) << check->problem;
    EXPECT_EQ(check->rows, 3);
    auto head = file->ReadHead();
    ASSERT_TRUE(head.ok()) << head.status();
    EXPECT_EQ(head->seq, 3);
    EXPECT_EQ(head->hash, head_hash);
  }
  ::chmod(audit.c_str(), 0755);
  // Tests may run as root, whom 0555 does not stop: the proof is the file
  // itself, unchanged, and nothing created beside it (no -wal, no -shm).
  EXPECT_EQ(ReadFileOrEmpty(copy), bytes);
  EXPECT_EQ(MtimeNs(copy), mtime);
  EXPECT_THAT(Names(audit), ElementsAre("copy.db"));
}

TEST_F(LedgerFileTest, ReadsTheLiveFileThroughItsWal) {
  const std::string live = dir_.File("makegood.db");
  auto writer = Write(live, 2);
  ASSERT_NE(writer, nullptr);
  // Nothing checkpointed yet: the schema and the rows are in the -wal.
  ASSERT_TRUE(Exists(live + "-wal"));

  auto file = OpenOrDie(live);
  ASSERT_NE(file, nullptr);
  EXPECT_FALSE(file->immutable());
  auto check = file->Verify();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->intact) << check->problem;
  EXPECT_EQ(check->rows, 2);

  // The writer goes on while the file is open, and the next read sees it.
  AppendRows(*writer, 3, 2);
  auto head = file->ReadHead();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->seq, 4);
  EXPECT_EQ(head->hash, HashOf(*writer, 4));
  auto again = file->Verify(Head{2, HashOf(*writer, 2)});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->intact) << again->problem;
  EXPECT_EQ(again->rows, 4);
}

TEST_F(LedgerFileTest, ReadsThroughTheWalOnceAWriterOpensTheFile) {
  const std::string path = dir_.File("makegood.db");
  Write(path, 2).reset();
  auto file = OpenOrDie(path);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->immutable());

  // makegoodd starts on the file: its rows go to a new -wal, which an
  // immutable connection would not see.
  auto writer = sqlite::Connection::Open(path, /*read_only=*/false);
  ASSERT_TRUE(writer.ok()) << writer.status();
  AppendRows(**writer, 3, 1);
  ASSERT_TRUE(Exists(path + "-wal"));

  auto check = file->Verify();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->rows, 3);
  EXPECT_EQ(check->head.seq, 3);
  EXPECT_FALSE(file->immutable());
}

TEST_F(LedgerFileTest, TheExpectedHeadDetectsTheLastRowRemoved) {
  const std::string original = dir_.File("makegood.db");
  std::string hash2, hash3;
  {
    auto db = Write(original, 3);
    ASSERT_NE(db, nullptr);
    hash2 = HashOf(*db, 2);
    hash3 = HashOf(*db, 3);
  }
  const std::string copy = dir_.File("tampered.db");
  std::filesystem::copy_file(original, copy);
  // As an attacker would: the trigger refuses, so drop it first.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(copy.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM ledger WHERE seq=3", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TRIGGER ledger_no_delete; "
                         "DELETE FROM ledger WHERE seq=3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close(raw);

  auto file = OpenOrDie(copy);
  ASSERT_NE(file, nullptr);
  auto alone = file->Verify();
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_TRUE(alone->intact);  // The chain alone cannot tell.
  EXPECT_EQ(alone->rows, 2);

  auto expected = file->Verify(Head{3, hash3});
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_FALSE(expected->intact);
  EXPECT_EQ(expected->bad_seq, 3);
  EXPECT_THAT(expected->problem, HasSubstr("removed from the end"));

  // An older head still holds, on the copy and on the original.
  auto older = file->Verify(Head{2, hash2});
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_TRUE(older->intact) << older->problem;
  auto whole = OpenOrDie(original);
  ASSERT_NE(whole, nullptr);
  auto on_original = whole->Verify(Head{2, hash2});
  ASSERT_TRUE(on_original.ok()) << on_original.status();
  EXPECT_TRUE(on_original->intact) << on_original->problem;
  EXPECT_EQ(on_original->rows, 3);
}

TEST_F(LedgerFileTest,
       AFileWrittenBeforeDevicesVerifiesBeforeAndAfterMigrating) {
  const std::string path = dir_.File("older.db");
  {
    auto db = sqlite::Connection::Open(path, /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(store::MigrateTo(**db, kSchemaBeforeDevices).ok());
    AppendRowBeforeDevices(**db, 1);
    AppendRowBeforeDevices(**db, 2);
  }  // Closed: the -wal is folded in.

  // Not migrated: the audit reads the table without a device column.
  std::string head_hash;
  {
    auto file = OpenOrDie(path);
    ASSERT_NE(file, nullptr);
    auto check = file->Verify();
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_TRUE(check->intact) << check->problem;
    EXPECT_EQ(check->rows, 2);
    head_hash = check->head.hash;
  }

  // Migrated, as the daemon does when it opens the file, and a row appended
  // from a tablet: the old rows keep their hashes, the chain runs on.
  {
    auto db = sqlite::Connection::Open(path, /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(store::Migrate(**db).ok());
    EXPECT_EQ(HashOf(**db, 2), head_hash);
    store::LedgerEntry entry;
    entry.at = absl::FromUnixMicros(1700000000000003);
    entry.location_id = "downtown-01";
    entry.case_id = "case-3";
    entry.action = "flagged";
    entry.actor = "s-17";
    entry.device = "tablet-1";
    ASSERT_TRUE(store::AppendLedger(**db, entry).ok());
  }
  auto file = OpenOrDie(path);
  ASSERT_NE(file, nullptr);
  auto check = file->Verify(Head{2, head_hash});
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->intact) << check->problem;
  EXPECT_EQ(check->rows, 3);
}

TEST_F(LedgerFileTest, ErrorsNameTheFile) {
  const std::string missing = dir_.File("missing.db");
  auto none = LedgerFile::Open(missing);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr(missing));
  EXPECT_FALSE(Exists(missing));  // Not created either.

  auto directory = LedgerFile::Open(dir_.path());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));

  const std::string text = dir_.File("notes.txt");
  std::ofstream(text) << "these are not the rows you are looking for\n";
  auto not_sqlite = LedgerFile::Open(text);
  EXPECT_EQ(not_sqlite.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_sqlite.status().message(),
              HasSubstr(text + " is not a makegood database"));
  EXPECT_THAT(not_sqlite.status().message(),
              HasSubstr("not a SQLite database"));

  const std::string empty = dir_.File("empty.db");
  std::ofstream(empty).close();
  auto no_tables = LedgerFile::Open(empty);
  EXPECT_EQ(no_tables.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_tables.status().message(),
              HasSubstr(empty + " is not a makegood database"));

  const std::string older = dir_.File("older.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(older.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE order_events(seq INTEGER)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto no_ledger = LedgerFile::Open(older);
  EXPECT_EQ(no_ledger.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_ledger.status().message(),
              HasSubstr(older + " is a makegood database without a ledger"));
}

}  // namespace
}  // namespace makegood::ledger
