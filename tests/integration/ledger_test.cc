// `makegood ledger verify` and `makegood ledger head` through the real
// binaries: on the live file while makegoodd runs, on a copy in a read-only
// directory, and on a copy whose last row was removed.

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using makegood::testing::ReadFileOrEmpty;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The file's modification time, in nanoseconds.
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

CommandResult Ledger(std::vector<std::string> args) {
  std::vector<std::string> argv = {MAKEGOOD_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

class LedgerTest : public DaemonTest {
 protected:
  // Opens check `check_id` with one fired line and flags it: a case, and
  // its rows in the ledger.
  void FlagNewCheck(const std::string& check_id) {
    const absl::Time t0 = absl::Now() - absl::Minutes(30);
    std::vector<OrderEvent> events = {
        CheckOpened(check_id + "-open", check_id, t0),
        ItemAdded(check_id + "-add", check_id, "1", t0, 2400),
        ItemFired(check_id + "-fire", check_id, "1", t0 + absl::Minutes(5))};
    PublishSummary summary;
    ASSERT_TRUE(Publish(events, &summary).ok());
    ASSERT_EQ(summary.accepted(), 3) << summary.DebugString();
    v1::FlagProblemRequest request;
    request.set_request_id("flag-" + check_id);
    request.set_check_id(check_id);
    request.add_line_ids("1");
    request.set_category_id("cold_food");
    request.set_severity(v1::MAJOR);
    request.set_guest_words("It came out cold");
    v1::RecoveryCase recovery;
    grpc::Status status = v1::RecoveryService::NewStub(channel_)->FlagProblem(
        Context(kServerToken).get(), request, &recovery);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  int64_t Rows(const std::string& path) {
    return QueryInt(path, "SELECT count(*) FROM ledger");
  }
  std::string NewestHash(const std::string& path) {
    return QueryText(path, "SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1");
  }

  // A consistent copy of the live database, as an auditor would take it.
  std::string CopyOfLiveDatabase(const std::string& name) {
    const std::string copy = dir_.File(name);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, ("VACUUM INTO '" + copy + "'").c_str(), nullptr,
                           nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
    return copy;
  }
};

TEST_F(LedgerTest, VerifiesAndPrintsTheHeadOfTheLiveFileWhileTheDaemonRuns) {
  FlagNewCheck("c1");
  FlagNewCheck("c2");
  // The live file: makegoodd's -wal is beside it, and the rows it has not
  // checkpointed yet are only there.
  ASSERT_TRUE(Exists(db_path() + "-wal"));
  const int64_t rows = Rows(db_path());
  ASSERT_GE(rows, 2);
  const std::string head = absl::StrCat(rows, ":", NewestHash(db_path()));

  CommandResult verify = Ledger({"ledger", "verify", "--db", db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out,
              HasSubstr(absl::StrCat("ledger intact: ", rows,
                                     " rows verified, head ", head)));

  CommandResult printed = Ledger({"ledger", "head", "--db", db_path()});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.out, head + "\n");

  CommandResult json =
      Ledger({"--output", "json", "ledger", "head", "--db", db_path()});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["sequence"].get<int64_t>(), rows);
  EXPECT_EQ(parsed["hash"].get<std::string>(), NewestHash(db_path()));

  // The daemon goes on writing, and the head recorded before still checks:
  // the rows after it link to it.
  FlagNewCheck("c3");
  const int64_t more = Rows(db_path());
  ASSERT_GT(more, rows);
  CommandResult later =
      Ledger({"ledger", "verify", "--db", db_path(), "--expect-head", head});
  EXPECT_EQ(later.exit_code, 0) << later.out << later.err;
  EXPECT_THAT(later.out, HasSubstr(absl::StrCat(more, " rows verified")));
  EXPECT_THAT(later.out,
              HasSubstr(absl::StrCat("expected head ", head, " found, ",
                                     more - rows, " rows after it")));
}

TEST_F(LedgerTest, ReadsACopyInAReadOnlyDirectoryAndChangesNothing) {
  FlagNewCheck("c1");
  FlagNewCheck("c2");
  // Stopped, makegoodd folds its -wal into the file: the file alone is
  // the whole database, as an auditor copies it.
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0);
  ASSERT_FALSE(Exists(db_path() + "-wal"));
  const std::string audit = dir_.File("audit");
  ASSERT_TRUE(std::filesystem::create_directory(audit));
  const std::string copy = audit + "/makegood.db";
  std::filesystem::copy_file(db_path(), copy);
  const int64_t rows = Rows(db_path());
  const std::string head = absl::StrCat(rows, ":", NewestHash(db_path()));
  ASSERT_EQ(::chmod(audit.c_str(), 0555), 0);
  const std::string bytes = ReadFileOrEmpty(copy);
  const int64_t mtime = MtimeNs(copy);
  ASSERT_FALSE(bytes.empty());

  CommandResult verify =
      Ledger({"ledger", "verify", "--db", copy, "--expect-head", head});
  CommandResult printed = Ledger({"ledger", "head", "--db", copy});
  ::chmod(audit.c_str(), 0755);

  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr(absl::StrCat(rows, " rows verified")));
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.out, head + "\n");
  // Tests may run as root, whom 0555 does not stop: what proves that
  // nothing was written is the file itself, and nothing beside it.
  EXPECT_EQ(ReadFileOrEmpty(copy), bytes);
  EXPECT_EQ(MtimeNs(copy), mtime);
  EXPECT_EQ(Names(audit), std::vector<std::string>{"makegood.db"});
}

TEST_F(LedgerTest, ExpectHeadDetectsTheLastRowRemoved) {
  FlagNewCheck("c1");
  FlagNewCheck("c2");
  const std::string copy = CopyOfLiveDatabase("tampered.db");
  CommandResult printed = Ledger({"ledger", "head", "--db", copy});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  const std::string head(absl::StripAsciiWhitespace(printed.out));
  const int64_t rows = Rows(copy);

  // As an attacker would: the trigger refuses, so drop it first.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(copy.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM ledger WHERE seq=1", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER ledger_no_delete; "
                         "DELETE FROM ledger WHERE seq=(SELECT max(seq) FROM "
                         "ledger)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  ASSERT_EQ(Rows(copy), rows - 1);

  // The chain alone still holds: only the recorded head shows the loss.
  CommandResult alone = Ledger({"ledger", "verify", "--db", copy});
  EXPECT_EQ(alone.exit_code, 0) << alone.out << alone.err;
  CommandResult expected =
      Ledger({"ledger", "verify", "--db", copy, "--expect-head", head});
  EXPECT_EQ(expected.exit_code, 1) << expected.out << expected.err;
  EXPECT_THAT(expected.out, HasSubstr(absl::StrCat("BROKEN at row ", rows)));
  EXPECT_THAT(expected.out, HasSubstr("removed from the end"));

  CommandResult json = Ledger({"--output", "json", "ledger", "verify", "--db",
                               copy, "--expect-head", head});
  EXPECT_EQ(json.exit_code, 1);
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_FALSE(parsed["intact"].get<bool>());
  EXPECT_EQ(parsed["bad_sequence"].get<int64_t>(), rows);
  EXPECT_EQ(parsed["rows"].get<int64_t>(), rows - 1);
}

TEST_F(LedgerTest, BadExpectHeadIsAUsageErrorNamingTheFlag) {
  FlagNewCheck("c1");
  const std::string hash(64, 'a');
  for (const std::string& bad :
       {std::string("12"), std::string("abc:def"), "0:" + hash,
        "1:" + hash.substr(1), "1:" + std::string(64, 'g'), ":" + hash}) {
    CommandResult result =
        Ledger({"ledger", "verify", "--db", db_path(), "--expect-head", bad});
    EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.out;
    EXPECT_THAT(result.err, HasSubstr("--expect-head")) << bad;
    EXPECT_THAT(result.err, HasSubstr("SEQ:HASH")) << bad;
    EXPECT_EQ(result.out, "") << bad;
  }
}

TEST_F(LedgerTest, AFileThatIsNotAMakegoodDatabaseIsAnInputErrorNamingIt) {
  const std::string missing = dir_.File("missing.db");
  CommandResult none = Ledger({"ledger", "verify", "--db", missing});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr(missing + ": no such file"));
  EXPECT_FALSE(Exists(missing));

  const std::string text = dir_.File("notes.txt");
  std::ofstream(text) << "these are not the rows you are looking for\n";
  CommandResult not_sqlite = Ledger({"ledger", "head", "--db", text});
  EXPECT_EQ(not_sqlite.exit_code, 2);
  EXPECT_THAT(not_sqlite.err, HasSubstr(text + " is not a makegood database"));

  const std::string other = dir_.File("other.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  CommandResult not_makegood = Ledger({"ledger", "verify", "--db", other});
  EXPECT_EQ(not_makegood.exit_code, 2);
  EXPECT_THAT(not_makegood.err,
              HasSubstr(other + " is not a makegood database"));
}

}  // namespace
}  // namespace makegood
