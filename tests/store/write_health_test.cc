#include "store/write_health.h"

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite/connection.h"
#include "support/log_lines.h"

namespace makegood::store {
namespace {

using makegood::testing::LogLines;
using makegood::v1::Error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A status as SqliteError makes it for extended result `code`.
absl::Status SqliteStatus(int code, absl::string_view text) {
  absl::Status status = absl::InternalError(
      absl::StrCat("COMMIT: ", text, " (sqlite code ", code, ")"));
  status.SetPayload(sqlite::kInternalDetailPayload, absl::Cord());
  status.SetPayload(sqlite::kSqliteCodePayload, absl::Cord(absl::StrCat(code)));
  return status;
}

TEST(FaultOfTest, TellsAFullDiskFromAFailingOneFromEverythingElse) {
  EXPECT_EQ(FaultOf(SqliteStatus(SQLITE_FULL, "database or disk is full")),
            WriteFault::kFull);
  for (int code : {SQLITE_IOERR, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC,
                   SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_READONLY_DBMOVED}) {
    EXPECT_EQ(FaultOf(SqliteStatus(code, "disk I/O error")),
              WriteFault::kUnavailable)
        << code;
  }
  for (int code :
       {SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY, SQLITE_ERROR, SQLITE_CORRUPT}) {
    EXPECT_EQ(FaultOf(SqliteStatus(code, "other")), WriteFault::kNone) << code;
  }
  EXPECT_EQ(FaultOf(absl::InvalidArgumentError("check_id: is required")),
            WriteFault::kNone);
  EXPECT_EQ(FaultOf(absl::ResourceExhaustedError("no payload")),
            WriteFault::kNone);
  EXPECT_EQ(FaultOf(absl::OkStatus()), WriteFault::kNone);
}

TEST(FaultOfTest, ReadsTheCodeSqliteErrorRecords) {
  // A database at its page limit fails with SQLITE_FULL, as a full disk
  // does.
  auto db = sqlite::Connection::Open(":memory:", /*read_only=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v BLOB)").ok());
  auto page_count = (*db)->Prepare("PRAGMA page_count");
  ASSERT_TRUE(page_count.ok() && *(*page_count)->Step());
  const std::string limit =
      absl::StrCat("PRAGMA max_page_count=", (*page_count)->Int(0));
  page_count->reset();
  ASSERT_TRUE((*db)->Exec(limit.c_str()).ok());
  const absl::Status full =
      (*db)->Exec("INSERT INTO t VALUES(zeroblob(100000))");
  EXPECT_EQ(sqlite::SqliteCodeOf(full), SQLITE_FULL);
  EXPECT_EQ(FaultOf(full), WriteFault::kFull);
  EXPECT_EQ(sqlite::SqliteCodeOf(absl::InternalError("made elsewhere")),
            SQLITE_OK);
}

TEST(NotSavedTest, SaysNothingWasStoredWithAReasonAndNoInternalDetail) {
  const absl::Status full = NotSaved(WriteFault::kFull);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(core::ReasonOf(full), Error::STORE_FULL);
  EXPECT_THAT(std::string(full.message()), HasSubstr("not saved"));
  EXPECT_THAT(std::string(full.message()), HasSubstr("disk is full"));
  EXPECT_THAT(std::string(full.message()), HasSubstr("retry"));

  const absl::Status failing = NotSaved(WriteFault::kUnavailable);
  EXPECT_EQ(failing.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(core::ReasonOf(failing), Error::STORE_UNAVAILABLE);
  EXPECT_THAT(std::string(failing.message()), HasSubstr("not saved"));
  EXPECT_THAT(std::string(failing.message()), HasSubstr("retry"));

  for (const absl::Status& status : {full, failing}) {
    EXPECT_FALSE(status.GetPayload(sqlite::kInternalDetailPayload).has_value());
    EXPECT_EQ(sqlite::SqliteCodeOf(status), SQLITE_OK);
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("sqlite")));
  }
}

// What the observer was told, in order.
class Seen {
 public:
  WriteHealth::Observer Observer() {
    return [this](bool can_write) {
      absl::MutexLock lock(&mu_);
      values_.push_back(can_write);
    };
  }
  std::vector<bool> values() {
    absl::MutexLock lock(&mu_);
    return values_;
  }

 private:
  absl::Mutex mu_;
  std::vector<bool> values_ ABSL_GUARDED_BY(mu_);
};

class WriteHealthTest : public ::testing::Test {
 protected:
  LogLines log_;
  WriteHealth health_{log_.Callback()};
  Seen seen_;
};

TEST_F(WriteHealthTest, AnEpisodeIsLoggedWhenItBeginsAndWhenItEndsOnly) {
  health_.Watch(seen_.Observer());
  EXPECT_THAT(seen_.values(), ElementsAre(true));  // Told at once.
  health_.Committed();
  EXPECT_TRUE(log_.lines().empty());

  const absl::Status cause =
      SqliteStatus(SQLITE_FULL, "database or disk is full");
  health_.Failed(WriteFault::kFull, cause, 3);
  EXPECT_FALSE(health_.can_write());
  ASSERT_EQ(log_.lines().size(), 1u);
  EXPECT_THAT(log_.lines()[0], HasSubstr("store: cannot write (disk full): "
                                         "COMMIT: database or disk is full "
                                         "(sqlite code 13)"));
  EXPECT_THAT(log_.lines()[0], HasSubstr("STORE_FULL"));
  EXPECT_THAT(seen_.values(), ElementsAre(true, false));

  // More failures of the same kind: counted, not logged, not told again.
  health_.Failed(WriteFault::kFull, cause, 2);
  health_.Failed(WriteFault::kFull, cause, 0);  // A probe.
  EXPECT_EQ(log_.lines().size(), 1u);
  EXPECT_THAT(seen_.values(), ElementsAre(true, false));

  health_.Committed();
  EXPECT_TRUE(health_.can_write());
  ASSERT_EQ(log_.lines().size(), 2u);
  EXPECT_EQ(log_.lines()[1],
            "store: writing again; 5 writes were refused meanwhile");
  EXPECT_THAT(seen_.values(), ElementsAre(true, false, true));

  health_.Committed();
  EXPECT_EQ(log_.lines().size(), 2u);
  EXPECT_THAT(seen_.values(), ElementsAre(true, false, true));
}

TEST_F(WriteHealthTest, AnotherKindOfFaultIsLoggedWithinTheEpisode) {
  health_.Watch(seen_.Observer());
  health_.Failed(WriteFault::kFull,
                 SqliteStatus(SQLITE_FULL, "database or disk is full"), 1);
  health_.Failed(WriteFault::kUnavailable,
                 SqliteStatus(SQLITE_IOERR_WRITE, "disk I/O error"), 1);
  ASSERT_EQ(log_.lines().size(), 2u);
  EXPECT_THAT(log_.lines()[1],
              HasSubstr("store: still cannot write, now (I/O error): "
                        "COMMIT: disk I/O error (sqlite code 778)"));
  EXPECT_THAT(log_.lines()[1], HasSubstr("STORE_UNAVAILABLE"));
  // Still the one episode for the observer.
  EXPECT_THAT(seen_.values(), ElementsAre(true, false));
  health_.Committed();
  EXPECT_EQ(log_.lines()[2],
            "store: writing again; 2 writes were refused meanwhile");
}

TEST_F(WriteHealthTest, EachEpisodeCountsItsOwnRefusals) {
  const absl::Status cause = SqliteStatus(SQLITE_IOERR_FSYNC, "disk I/O error");
  health_.Failed(WriteFault::kUnavailable, cause, 4);
  health_.Committed();
  health_.Failed(WriteFault::kUnavailable, cause, 1);
  health_.Committed();
  const std::vector<std::string> lines = log_.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "store: writing again; 4 writes were refused meanwhile");
  EXPECT_THAT(lines[2], HasSubstr("store: cannot write (I/O error)"));
  EXPECT_EQ(lines[3], "store: writing again; 1 write was refused meanwhile");
}

TEST_F(WriteHealthTest, FailuresThatSayNothingOfTheDiskChangeNothing) {
  health_.Watch(seen_.Observer());
  health_.Failed(WriteFault::kNone, absl::InternalError("bad statement"), 1);
  EXPECT_TRUE(health_.can_write());
  EXPECT_TRUE(log_.lines().empty());
  EXPECT_THAT(seen_.values(), ElementsAre(true));
}

TEST_F(WriteHealthTest, AWatcherJoiningMidEpisodeHearsAtOnceAndAClearedOneNot) {
  health_.Failed(WriteFault::kFull,
                 SqliteStatus(SQLITE_FULL, "database or disk is full"), 1);
  health_.Watch(seen_.Observer());
  EXPECT_THAT(seen_.values(), ElementsAre(false));
  health_.Watch(nullptr);
  health_.Committed();
  EXPECT_THAT(seen_.values(), ElementsAre(false));
  EXPECT_TRUE(health_.can_write());
}

}  // namespace
}  // namespace makegood::store
