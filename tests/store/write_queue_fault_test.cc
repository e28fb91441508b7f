// The writer on a disk that fails: whole groups refused with a reason and
// nothing of them stored, one log line per episode, health that follows,
// and a connection that writes again once the disk does.

#include <sqlite3.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/write_health.h"
#include "store/write_queue.h"
#include "support/faulty_vfs.h"
#include "support/log_lines.h"
#include "support/temp_dir.h"
#include "write_queue_support.h"

namespace makegood::store {
namespace {

using makegood::testing::FaultyVfs;
using makegood::testing::LogLines;
using makegood::v1::Error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

WriteQueue::Work Insert(int value) {
  return [value](Connection& db) {
    auto stmt = db.Prepare("INSERT INTO t(v) VALUES(?1)");
    if (!stmt.ok()) return stmt.status();
    return (*stmt)->Bind(1, value).Run();
  };
}

class WriteQueueFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open(path_, /*read_only=*/false);
    ASSERT_TRUE(connection.ok()) << connection.status();
    ASSERT_TRUE((*connection)->Exec("CREATE TABLE t(v INTEGER UNIQUE)").ok());
    health_.Watch([this](bool can_write) {
      absl::MutexLock lock(&mu_);
      seen_.push_back(can_write);
    });
    queue_ = std::make_unique<WriteQueue>(
        *std::move(connection), /*recycler=*/nullptr,
        WriteQueueOptions{.health = &health_,
                          .probe_interval = absl::Milliseconds(20)});
  }

  void TearDown() override {
    queue_.reset();
    health_.Watch(nullptr);
  }

  // Runs `work` as a job of its own and waits for its answer.
  absl::Status Run(WriteQueue::Work work) {
    absl::Notification done;
    absl::Status result;
    queue_->Submit(std::move(work), [&](absl::Status status) {
      result = std::move(status);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  absl::Status Write(int value) { return Run(Insert(value)); }

  std::vector<absl::Status> RunAsOneGroup(std::vector<WriteQueue::Work> jobs) {
    return store::RunAsOneGroup(*queue_, std::move(jobs));
  }

  int64_t Query(const std::string& sql) {
    auto reader = Connection::Open(path_, /*read_only=*/true);
    auto stmt = (*reader)->Prepare(sql.c_str());
    EXPECT_TRUE(*(*stmt)->Step());
    return (*stmt)->Int(0);
  }
  int64_t CountRows() { return Query("SELECT count(*) FROM t"); }

  std::vector<bool> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

  // Waits up to `timeout` until the observer was last told `can_write`.
  bool WaitForHealth(bool can_write, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const auto told = [this, can_write] {
      mu_.AssertReaderHeld();
      return !seen_.empty() && seen_.back() == can_write;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&told), timeout);
  }

  // `status` is the refusal of a write the disk did not take: `code` and
  // `reason`, a message for people and nothing of SQLite's.
  void ExpectNotSaved(const absl::Status& status, absl::StatusCode code,
                      Error::Reason reason) {
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_EQ(core::ReasonOf(status), reason) << status;
    const std::string message(status.message());
    EXPECT_THAT(message, HasSubstr("not saved"));
    EXPECT_THAT(message, Not(HasSubstr("sqlite")));
    EXPECT_THAT(message, Not(HasSubstr("INSERT")));
    EXPECT_THAT(message, Not(HasSubstr(dir_.path())));
  }

  FaultyVfs vfs_;  // First: every connection below goes through it.
  makegood::testing::TempDir dir_;
  const std::string path_ = dir_.File("q.db");
  LogLines log_;
  WriteHealth health_{log_.Callback()};
  absl::Mutex mu_;
  std::vector<bool> seen_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WriteQueue> queue_;
};

TEST_F(WriteQueueFaultTest, AFullDiskFailsTheWholeGroupAndStoresNothingOfIt) {
  ASSERT_TRUE(Write(1).ok());
  vfs_.FailWrites("q.db-wal", SQLITE_FULL);
  const std::vector<absl::Status> results =
      RunAsOneGroup({Insert(2), Insert(3)});
  for (const absl::Status& result : results) {
    ExpectNotSaved(result, absl::StatusCode::kResourceExhausted,
                   Error::STORE_FULL);
  }
  EXPECT_GT(vfs_.failed_writes(), 0);
  EXPECT_FALSE(health_.can_write());
  EXPECT_EQ(CountRows(), 1);

  // The same connection writes again once the disk does, and the retries
  // go in whole: nothing of the failed group was left behind (2 and 3 are
  // UNIQUE).
  vfs_.Heal();
  EXPECT_TRUE(Write(2).ok());
  EXPECT_TRUE(Write(3).ok());
  EXPECT_EQ(CountRows(), 3);
  EXPECT_TRUE(health_.can_write());
}

TEST_F(WriteQueueFaultTest, AFailingDiskIsUnavailableWithItsOwnReason) {
  vfs_.FailWrites("q.db-wal", SQLITE_IOERR_WRITE);
  ExpectNotSaved(Write(1), absl::StatusCode::kUnavailable,
                 Error::STORE_UNAVAILABLE);
  ASSERT_EQ(log_.lines().size(), 1u);
  EXPECT_THAT(log_.lines()[0], HasSubstr("store: cannot write (I/O error): "));
  EXPECT_THAT(log_.lines()[0], HasSubstr("disk I/O error"));
  EXPECT_THAT(log_.lines()[0], HasSubstr("STORE_UNAVAILABLE"));
  vfs_.Heal();
  EXPECT_TRUE(Write(1).ok());
  EXPECT_EQ(CountRows(), 1);
}

TEST_F(WriteQueueFaultTest, AnEpisodeIsLoggedOnceWithSqlitesErrorAndEndsOnce) {
  vfs_.FailWrites("q.db-wal", SQLITE_FULL);
  for (int i = 1; i <= 3; ++i) {
    ExpectNotSaved(Write(i), absl::StatusCode::kResourceExhausted,
                   Error::STORE_FULL);
  }
  ASSERT_EQ(log_.lines().size(), 1u);
  EXPECT_THAT(log_.lines()[0], HasSubstr("store: cannot write (disk full): "));
  EXPECT_THAT(log_.lines()[0], HasSubstr("database or disk is full"));
  EXPECT_THAT(seen(), ElementsAre(true, false));

  vfs_.Heal();
  EXPECT_TRUE(Write(4).ok());
  // The recovery may have been the probe's or the write's: either way one
  // line, and the observer told once.
  ASSERT_EQ(log_.lines().size(), 2u);
  EXPECT_EQ(log_.lines()[1],
            "store: writing again; 3 writes were refused meanwhile");
  EXPECT_THAT(seen(), ElementsAre(true, false, true));
}

TEST_F(WriteQueueFaultTest, HealthRecoversWithoutAnyJobThroughTheProbe) {
  vfs_.FailWrites("q.db-wal", SQLITE_FULL);
  ExpectNotSaved(Write(1), absl::StatusCode::kResourceExhausted,
                 Error::STORE_FULL);
  ASSERT_FALSE(health_.can_write());

  vfs_.Heal();  // No job follows: only the probe can notice.
  ASSERT_TRUE(WaitForHealth(true, absl::Seconds(10)));
  EXPECT_TRUE(health_.can_write());
  EXPECT_EQ(log_.lines().back(),
            "store: writing again; 1 write was refused meanwhile");
  // The probe wrote the header as it was, and no row.
  EXPECT_EQ(Query("PRAGMA application_id"), 0);
  EXPECT_EQ(CountRows(), 0);
}

TEST_F(WriteQueueFaultTest, ReadsThroughTheWriterNeitherEndNorStartAnEpisode) {
  const auto read = [](Connection& db) -> absl::Status {
    auto stmt = db.Prepare("SELECT count(*) FROM t");
    if (!stmt.ok()) return stmt.status();
    auto row = (*stmt)->Step();
    return row.ok() ? absl::OkStatus() : row.status();
  };
  vfs_.FailWrites("q.db-wal", SQLITE_FULL);
  EXPECT_TRUE(Run(read).ok());  // Commits without touching the disk.
  EXPECT_TRUE(health_.can_write());
  ExpectNotSaved(Write(1), absl::StatusCode::kResourceExhausted,
                 Error::STORE_FULL);
  EXPECT_TRUE(Run(read).ok());
  EXPECT_FALSE(health_.can_write());  // Still failing: no recovery claimed.
  EXPECT_EQ(log_.lines().size(), 1u);
  EXPECT_THAT(seen(), ElementsAre(true, false));
}

TEST_F(WriteQueueFaultTest, AJobThatMeetsAFullDatabaseEndsItsGroup) {
  ASSERT_TRUE(Write(1).ok());
  // From now on the database may not grow by a page: the job that needs
  // one fails inside the group with SQLite's own SQLITE_FULL, which may
  // roll the whole transaction back under the savepoints.
  ASSERT_TRUE(Run([](Connection& db) {
                return db.Exec("PRAGMA max_page_count=1");
              }).ok());
  const std::vector<absl::Status> results = RunAsOneGroup({
      Insert(2),
      [](Connection& db) {
        return db.Exec("INSERT INTO t(v) VALUES(zeroblob(100000))");
      },
      Insert(3),
  });
  for (const absl::Status& result : results) {
    ExpectNotSaved(result, absl::StatusCode::kResourceExhausted,
                   Error::STORE_FULL);
  }
  EXPECT_EQ(CountRows(), 1);

  ASSERT_TRUE(Run([](Connection& db) {
                return db.Exec("PRAGMA max_page_count=1073741823");
              }).ok());
  EXPECT_TRUE(Write(2).ok());
  EXPECT_TRUE(Write(3).ok());
  EXPECT_EQ(CountRows(), 3);
}

}  // namespace
}  // namespace makegood::store
