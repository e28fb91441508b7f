#include "store/wal_recycler.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "store/write_queue.h"
#include "support/faulty_vfs.h"
#include "support/log_lines.h"
#include "support/temp_dir.h"

namespace makegood::store {
namespace {

constexpr int kIdleAt = 64;
constexpr int kBusyAt = 256;
constexpr int64_t kFrameBytes = 4096 + 24;

class WalRecyclerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open(path_, false);
    ASSERT_TRUE(connection.ok()) << connection.status();
    ASSERT_TRUE((*connection)->Exec("CREATE TABLE t(v BLOB)").ok());
    queue_ = std::make_unique<WriteQueue>(*std::move(connection), &recycler_);
  }

  // One committed row of about a page at a time, each waiting for its
  // answer: the next is queued only after the writer has found the queue
  // empty for this one, so it is idle after each commit.
  void InsertRows(int count) {
    for (int i = 0; i < count; ++i) {
      absl::Notification done;
      queue_->Submit(
          [](Connection& db) {
            return db.Exec("INSERT INTO t VALUES(zeroblob(3000))");
          },
          [&](absl::Status status) {
            EXPECT_TRUE(status.ok()) << status;
            done.Notify();
          });
      done.WaitForNotification();
    }
  }

  int64_t WalBytes() const {
    return static_cast<int64_t>(std::filesystem::file_size(path_ + "-wal"));
  }

  int64_t CountRows() {
    auto reader = Connection::Open(path_, true);
    auto stmt = (*reader)->Prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(*(*stmt)->Step());
    return (*stmt)->Int(0);
  }

  makegood::testing::TempDir dir_;
  const std::string path_ = dir_.File("wal.db");
  WalRecycler recycler_{WalRecycler::Limits{kIdleAt, kBusyAt}};
  std::unique_ptr<WriteQueue> queue_;
};

TEST_F(WalRecyclerTest, SteadyCommitsReuseTheWalInsteadOfGrowingIt) {
  InsertRows(2000);
  EXPECT_EQ(CountRows(), 2000);
  EXPECT_GE(recycler_.checkpoints(), 2000 / kBusyAt);
  // Without restarts the WAL would hold every page written: over 2000
  // frames. Restarted, it never holds much more than kIdleAt, or kBusyAt
  // when the next row was already queued as a group committed.
  EXPECT_LE(WalBytes(), (kBusyAt + 16) * kFrameBytes);
}

TEST_F(WalRecyclerTest, AReaderOnAnOldSnapshotDelaysTheRestartButLosesNothing) {
  InsertRows(10);
  auto reader = Connection::Open(path_, true);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Exec("BEGIN").ok());
  auto count = (*reader)->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*(*count)->Step());
  EXPECT_EQ((*count)->Int(0), 10);
  (*count).reset();

  // The open snapshot pins the WAL: it grows, and every row still commits.
  InsertRows(3 * kIdleAt);
  EXPECT_GT(WalBytes(), 2 * kIdleAt * kFrameBytes);
  auto again = (*reader)->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*(*again)->Step());
  EXPECT_EQ((*again)->Int(0), 10);  // The reader's snapshot is intact.
  (*again).reset();
  ASSERT_TRUE((*reader)->Exec("COMMIT").ok());

  // Released: the checkpoint after the next commit catches up and the WAL
  // starts again from its beginning, so the file stops growing.
  InsertRows(1);
  const int64_t pinned = WalBytes();
  InsertRows(4 * kIdleAt);
  EXPECT_EQ(WalBytes(), pinned);
  EXPECT_EQ(CountRows(), 10 + 3 * kIdleAt + 1 + 4 * kIdleAt);
}

TEST_F(WalRecyclerTest, NothingHappensBelowTheLimit) {
  InsertRows(kIdleAt / 4);
  EXPECT_EQ(recycler_.checkpoints(), 0);
  EXPECT_GT(recycler_.wal_frames(), 0);
}

TEST(WalRecyclerReportTest, AFailedCheckpointIsReportedAndRetriedAfterCommits) {
  makegood::testing::FaultyVfs vfs;  // Before the connection opens.
  makegood::testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  makegood::testing::LogLines reports;
  const auto report_line = reports.Callback();
  WalRecycler recycler(
      WalRecycler::Limits{kIdleAt, kBusyAt}, [&](const absl::Status& status) {
        report_line(status.ok() ? std::string("ok")
                                : absl::StrCat("failed: ", status.message()));
      });
  auto connection = Connection::Open(path, false);
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->Exec("CREATE TABLE t(v BLOB)").ok());
  WriteQueue queue(*std::move(connection), &recycler);
  const auto insert_rows = [&](int count) {
    for (int i = 0; i < count; ++i) {
      absl::Notification done;
      queue.Submit(
          [](Connection& db) {
            return db.Exec("INSERT INTO t VALUES(zeroblob(3000))");
          },
          [&](absl::Status status) {
            EXPECT_TRUE(status.ok()) << status;
            done.Notify();
          });
      done.WaitForNotification();
    }
  };

  // Commits reach the WAL; the checkpoint, which writes the database file,
  // fails. Past the busy limit a checkpoint is tried whether or not the
  // queue is idle.
  vfs.FailWrites("/wal.db", SQLITE_IOERR_WRITE);
  insert_rows(kBusyAt + 8);
  ASSERT_TRUE(
      reports.WaitFor("failed: checkpoint of the WAL by the writer: "
                      "disk I/O error",
                      absl::Seconds(10)));
  EXPECT_EQ(recycler.checkpoints(), 0);
  const std::vector<std::string> failed = reports.lines();
  EXPECT_EQ(std::count(failed.begin(), failed.end(), "ok"), 0);

  // The WAL still holds every frame, so the next commit tries again.
  vfs.Heal();
  insert_rows(1);
  ASSERT_TRUE(reports.WaitFor("ok", absl::Seconds(10)));
  EXPECT_GE(recycler.checkpoints(), 1);
  queue.Shutdown();
}

}  // namespace
}  // namespace makegood::store
