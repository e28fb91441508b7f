#include "store/write_queue.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "write_queue_support.h"

namespace makegood::store {
namespace {

class WriteQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connection = Connection::Open(dir_.File("q.db"), false);
    ASSERT_TRUE(connection.ok()) << connection.status();
    ASSERT_TRUE((*connection)->Exec("CREATE TABLE t(v INTEGER UNIQUE)").ok());
    queue_ = std::make_unique<WriteQueue>(*std::move(connection));
  }

  // Replaces the queue by one with `options` on the same database.
  void Reopen(const WriteQueueOptions& options) {
    queue_.reset();
    auto connection = Connection::Open(dir_.File("q.db"), false);
    ASSERT_TRUE(connection.ok()) << connection.status();
    queue_ = std::make_unique<WriteQueue>(*std::move(connection),
                                          /*recycler=*/nullptr, options);
  }

  int64_t CountRows(const char* where = "1") {
    auto reader = Connection::Open(dir_.File("q.db"), true);
    const std::string sql =
        std::string("SELECT count(*) FROM t WHERE ") + where;
    auto stmt = (*reader)->Prepare(sql.c_str());
    EXPECT_TRUE(*(*stmt)->Step());
    return (*stmt)->Int(0);
  }

  static WriteQueue::Work Insert(int value) {
    return [value](Connection& db) {
      auto stmt = db.Prepare("INSERT INTO t(v) VALUES(?1)");
      if (!stmt.ok()) return stmt.status();
      return (*stmt)->Bind(1, value).Run();
    };
  }

  // Writes a row, then fails.
  static WriteQueue::Work InsertThenFail(int value) {
    return [value](Connection& db) {
      if (auto s = Insert(value)(db); !s.ok()) return s;
      return absl::InvalidArgumentError("job refuses");
    };
  }

  std::vector<absl::Status> RunAsOneGroup(std::vector<WriteQueue::Work> jobs) {
    return store::RunAsOneGroup(*queue_, std::move(jobs));
  }

  makegood::testing::TempDir dir_;
  std::unique_ptr<WriteQueue> queue_;
};

TEST_F(WriteQueueTest, CommitsEverythingQueuedMeanwhileInOneGroup) {
  absl::Notification first_running, release_first;
  queue_->Submit(
      [&](Connection& db) {
        first_running.Notify();
        release_first.WaitForNotification();
        return Insert(0)(db);
      },
      [](absl::Status) {});
  first_running.WaitForNotification();
  // The writer is busy with the first group; these 50 queue up behind it.
  constexpr int kQueued = 50;
  std::atomic<int> done{0};
  absl::Notification all_done;
  for (int i = 1; i <= kQueued; ++i) {
    queue_->Submit(Insert(i), [&](absl::Status status) {
      EXPECT_TRUE(status.ok()) << status;
      if (++done == kQueued) all_done.Notify();
    });
  }
  release_first.Notify();
  all_done.WaitForNotification();
  WriteQueue::Stats stats = queue_->stats();
  EXPECT_EQ(stats.jobs, kQueued + 1u);
  EXPECT_EQ(stats.groups, 2u);  // The first alone, then all 50 together.
  EXPECT_EQ(CountRows(), kQueued + 1);
}

TEST_F(WriteQueueTest,
       AnswersOnlyAfterTheRowsAreReadableFromAnotherConnection) {
  absl::Notification committed;
  int64_t rows_seen_in_done = -1;
  queue_->Submit(Insert(7), [&](absl::Status status) {
    ASSERT_TRUE(status.ok());
    rows_seen_in_done = CountRows();
    committed.Notify();
  });
  committed.WaitForNotification();
  EXPECT_EQ(rows_seen_in_done, 1);
}

TEST_F(WriteQueueTest, AFailingJobRollsBackOnlyItself) {
  std::vector<absl::Status> results = RunAsOneGroup({
      Insert(1),
      InsertThenFail(2),  // Its row must not survive.
      Insert(1),          // UNIQUE violation.
  });
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(results[2].code(), absl::StatusCode::kInternal);
  EXPECT_EQ(CountRows(), 1);
}

// Failures at the start and the end of a group, around a job that succeeds.
TEST_F(WriteQueueTest, FailingJobsAroundAGoodOneLeaveOnlyItsRow) {
  std::vector<absl::Status> results = RunAsOneGroup({
      InsertThenFail(10),
      InsertThenFail(11),
      Insert(12),
      InsertThenFail(13),
  });
  EXPECT_EQ(results[0].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(results[1].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[2].ok()) << results[2];
  EXPECT_EQ(results[3].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->stats().groups, 2u);  // The holding job, then these four.
  EXPECT_EQ(CountRows(), 1);              // Only 12.
}

TEST_F(WriteQueueTest, RefusesJobsBeyondTheLimitAtOnceAndCommitsTheQueuedOnes) {
  constexpr int kLimit = 3;
  ASSERT_NO_FATAL_FAILURE(Reopen(WriteQueueOptions{.max_queued_jobs = kLimit}));
  // The writer holds a first job, so that the next ones wait in the queue.
  absl::Notification holding, release;
  queue_->Submit(
      [&](Connection&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      },
      [](absl::Status) {});
  holding.WaitForNotification();
  std::vector<absl::Status> results(kLimit);
  std::atomic<int> done{0};
  absl::Notification all_done;
  for (int i = 0; i < kLimit; ++i) {
    queue_->Submit(Insert(i + 1), [&, i](absl::Status s) {
      results[i] = std::move(s);
      if (++done == kLimit) all_done.Notify();
    });
  }

  // One more: refused before Submit returns, and its work never runs.
  std::atomic<bool> ran{false};
  std::optional<absl::Status> refused;
  queue_->Submit(
      [&](Connection& db) {
        ran = true;
        return Insert(99)(db);
      },
      [&](absl::Status s) { refused = std::move(s); });
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(core::ReasonOf(*refused), makegood::v1::Error::WRITE_QUEUE_FULL);
  EXPECT_THAT(std::string(refused->message()),
              ::testing::HasSubstr("not saved"));
  EXPECT_EQ(queue_->stats().refused, 1u);

  // The queued ones all commit.
  release.Notify();
  all_done.WaitForNotification();
  for (const absl::Status& result : results) EXPECT_TRUE(result.ok()) << result;
  EXPECT_FALSE(ran);
  EXPECT_EQ(CountRows(), kLimit);
  EXPECT_EQ(CountRows("v = 99"), 0);

  // Drained: there is room again.
  absl::Notification committed;
  absl::Status later;
  queue_->Submit(Insert(4), [&](absl::Status s) {
    later = std::move(s);
    committed.Notify();
  });
  committed.WaitForNotification();
  EXPECT_TRUE(later.ok()) << later;
  EXPECT_EQ(queue_->stats().refused, 1u);
}

TEST_F(WriteQueueTest, RefusesWorkAfterShutdownButCommitsWhatWasQueued) {
  absl::Notification committed;
  queue_->Submit(Insert(1), [&](absl::Status s) {
    EXPECT_TRUE(s.ok());
    committed.Notify();
  });
  queue_->Shutdown();
  EXPECT_TRUE(committed.HasBeenNotified());
  absl::Status after;
  queue_->Submit(Insert(2), [&](absl::Status s) { after = s; });
  EXPECT_EQ(after.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CountRows(), 1);
}

}  // namespace
}  // namespace makegood::store
