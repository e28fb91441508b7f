#include "store/write_queue.h"

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/wal_recycler.h"
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

  // Replaces the queue by one with `options` (and `recycler`) on the same
  // database.
  void Reopen(const WriteQueueOptions& options,
              WalRecycler* recycler = nullptr) {
    queue_.reset();
    auto connection = Connection::Open(dir_.File("q.db"), false);
    ASSERT_TRUE(connection.ok()) << connection.status();
    queue_ =
        std::make_unique<WriteQueue>(*std::move(connection), recycler, options);
  }

  // Waits until the writer has dealt with the callbacks of `groups` groups
  // that wrote (ran them or handed them on): with recycler_, it checkpoints
  // after every such group, and only after that.
  void AwaitGroupsPastTheirCallbacks(int groups) {
    absl::MutexLock lock(&reports_mu_);
    const auto reached = [this, groups] {
      reports_mu_.AssertReaderHeld();
      return checkpoint_reports_ >= groups;
    };
    reports_mu_.Await(absl::Condition(&reached));
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
  absl::Mutex reports_mu_;
  int checkpoint_reports_ ABSL_GUARDED_BY(reports_mu_) = 0;
  // Checkpoints after every group that wrote a frame, and says so.
  WalRecycler recycler_{
      WalRecycler::Limits{.idle_at_frames = 1, .busy_at_frames = 1},
      [this](const absl::Status&) {
        absl::MutexLock lock(&reports_mu_);
        ++checkpoint_reports_;
      }};
  std::unique_ptr<WriteQueue> queue_;  // Last: stopped before the above go.
};

// The callbacks' calls, from whichever thread runs them.
class CallLog {
 public:
  void Add(std::string call) {
    absl::MutexLock lock(&mu_);
    calls_.push_back(std::move(call));
  }
  std::vector<std::string> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
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

TEST_F(WriteQueueTest, TheWriterAnswersALoneJobItself) {
  absl::Notification committed;
  queue_->Submit(Insert(1), [&](absl::Status status) {
    EXPECT_TRUE(status.ok()) << status;
    committed.Notify();
  });
  committed.WaitForNotification();
  // Nothing waited behind it: no other thread was woken to answer it.
  EXPECT_EQ(queue_->stats().answered_by_writer, 1u);
  EXPECT_EQ(CountRows(), 1);
}

TEST_F(WriteQueueTest, ACallbackMaySubmitMoreWork) {
  absl::Notification second_done;
  absl::Status second;
  queue_->Submit(Insert(1), [&](absl::Status first) {
    EXPECT_TRUE(first.ok()) << first;
    // On the writer thread: queued for the writer's next group.
    queue_->Submit(Insert(2), [&](absl::Status status) {
      second = std::move(status);
      second_done.Notify();
    });
  });
  second_done.WaitForNotification();
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_EQ(CountRows(), 2);
  const WriteQueue::Stats stats = queue_->stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.answered_by_writer, 2u);
}

// The second group is alone and nothing waits for the writer, but the
// completion thread has taken the first group's callback and is still
// running it: the writer may not answer the second group before it.
TEST_F(WriteQueueTest, CallbacksKeepCommitOrderAcrossThreads) {
  ASSERT_NO_FATAL_FAILURE(Reopen({}, &recycler_));
  CallLog log;
  absl::Notification holding, release, first_running, all_done;
  queue_->Submit(
      [&](Connection&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();  // Writes nothing: no checkpoint.
      },
      [&](absl::Status status) {
        EXPECT_TRUE(status.ok()) << status;
        // The next two jobs were queued while this group's work ran, so
        // this runs on the completion thread, which has emptied its queue
        // to run it. It holds that thread until the writer has committed
        // the next group and dealt with its callbacks.
        first_running.Notify();
        AwaitGroupsPastTheirCallbacks(1);
        log.Add("first");
      });
  holding.WaitForNotification();
  queue_->Submit(
      [&](Connection& db) {
        // The second group is handed over only once the completion thread
        // is running the first group's callback.
        first_running.WaitForNotification();
        return Insert(1)(db);
      },
      [&](absl::Status status) {
        EXPECT_TRUE(status.ok()) << status;
        log.Add("second");
      });
  queue_->Submit(Insert(2), [&](absl::Status status) {
    EXPECT_TRUE(status.ok()) << status;
    log.Add("third");
    all_done.Notify();
  });
  release.Notify();
  all_done.WaitForNotification();
  EXPECT_THAT(log.calls(), ::testing::ElementsAre("first", "second", "third"));
  const WriteQueue::Stats stats = queue_->stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.answered_by_writer, 0u);
  EXPECT_EQ(CountRows(), 2);
}

TEST_F(WriteQueueTest, ShutdownRunsEveryWaitingCallbackExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(Reopen({}, &recycler_));
  constexpr int kQueued = 20;
  absl::Mutex mu;
  std::vector<int> calls(kQueued + 1, 0);
  const auto called = [&](int job, const absl::Status& status) {
    EXPECT_TRUE(status.ok()) << "job " << job << ": " << status;
    absl::MutexLock lock(&mu);
    calls[job] += 1;
  };
  absl::Notification holding, release;
  queue_->Submit(
      [&](Connection&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      },
      [&](absl::Status status) {
        // Holds the completion thread until the queued group has committed
        // and its callbacks wait behind this one.
        AwaitGroupsPastTheirCallbacks(1);
        called(0, status);
      });
  holding.WaitForNotification();
  for (int i = 1; i <= kQueued; ++i) {
    queue_->Submit(Insert(i),
                   [&, i](absl::Status status) { called(i, status); });
  }
  // Shutdown's first step, taken while the writer still holds the first
  // job and all the others are queued: from here on Submit refuses.
  queue_->StopAccepting();
  int refusals = 0;
  absl::Status refused;
  queue_->Submit(Insert(kQueued + 1), [&](absl::Status status) {
    refused = std::move(status);
    ++refusals;
  });
  EXPECT_EQ(refusals, 1);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  release.Notify();
  queue_->Shutdown();  // Waits for the queued jobs and their callbacks.
  {
    absl::MutexLock lock(&mu);
    EXPECT_THAT(calls, ::testing::Each(1));
  }
  EXPECT_EQ(refusals, 1);
  const WriteQueue::Stats stats = queue_->stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.jobs, kQueued + 1u);
  EXPECT_EQ(stats.answered_by_writer, 0u);
  EXPECT_EQ(CountRows(), kQueued);
}

// The writer answers a lone group itself while the queue is stopping: a
// Submit from that callback is refused there and then, on the writer, and
// Shutdown still finishes.
TEST_F(WriteQueueTest, ACallbackOnTheWriterIsRefusedAtOnceWhileStopping) {
  absl::Notification holding, release;
  // Written on the writer thread; read once Shutdown has joined it.
  int refusals = 0;
  bool refused_before_submit_returned = false;
  absl::Status refused;
  std::atomic<bool> refused_work_ran{false};
  queue_->Submit(
      [&](Connection& db) {
        holding.Notify();
        release.WaitForNotification();
        return Insert(1)(db);
      },
      [&](absl::Status status) {
        EXPECT_TRUE(status.ok()) << status;
        bool submit_returned = false;
        queue_->Submit(
            [&](Connection& db) {
              refused_work_ran = true;
              return Insert(2)(db);
            },
            [&](absl::Status again) {
              refused = std::move(again);
              ++refusals;
              refused_before_submit_returned = !submit_returned;
            });
        submit_returned = true;
      });
  holding.WaitForNotification();
  // The job was accepted before this: it still commits, and nothing is
  // queued behind it, so the writer runs its callback.
  queue_->StopAccepting();
  release.Notify();
  queue_->Shutdown();
  EXPECT_EQ(refusals, 1);
  EXPECT_TRUE(refused_before_submit_returned);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(refused_work_ran);
  const WriteQueue::Stats stats = queue_->stats();
  EXPECT_EQ(stats.groups, 1u);
  EXPECT_EQ(stats.answered_by_writer, 1u);
  EXPECT_EQ(CountRows(), 1);
  EXPECT_EQ(CountRows("v = 2"), 0);
}

}  // namespace
}  // namespace makegood::store
