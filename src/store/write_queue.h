#ifndef MAKEGOOD_STORE_WRITE_QUEUE_H_
#define MAKEGOOD_STORE_WRITE_QUEUE_H_

// The single writer of a SQLite database, committing queued work in groups.
//
// Thread-safe: Submit may be called from any thread. Work runs on the writer
// thread. Completion callbacks run one at a time and in commit order: on the
// writer thread itself when a small group committed and nothing else waits
// (neither a job for the writer nor an earlier group's callbacks), so that a
// lone request wakes no further thread; otherwise on a second thread, so
// that answering clients overlaps the next group's work. Neither may block:
// a callback that waits holds up every commit after it. One run on the
// writer delays the next commit even when it does not wait, so callbacks
// must stay short: logging and a hub's fan-out are fine.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/sqlite_connection.h"
#include "store/wal_recycler.h"
#include "store/write_health.h"
#include "telemetry/metrics.h"

namespace makegood::store {

struct WriteQueueOptions {
  // Jobs waiting for the writer besides the group it is committing; Submit
  // refuses more at once (WRITE_QUEUE_FULL). At least 1.
  int max_queued_jobs = 10000;
  // Told how every transaction ends; must outlive the queue. nullptr: none.
  WriteHealth* health = nullptr;
  // While writes fail for a full or failing disk, the writer tries a tiny
  // write of its own when none was tried for this long, so that health
  // recovers without traffic.
  absl::Duration probe_interval = absl::Seconds(2);
  // Where the writer reports group sizes, commit times and its queue's
  // depth (makegood_store_*); must outlive the queue. nullptr: nowhere.
  telemetry::MetricsRegistry* metrics = nullptr;
};

class WriteQueue {
 public:
  // Runs inside the group's transaction. A non-OK status rolls back this
  // job's changes only; the rest of the group still commits. A full or
  // failing disk (write_health.h) fails the whole group instead.
  using Work = std::function<absl::Status(Connection&)>;
  // Called after the group's COMMIT: with the work's status if it committed,
  // with the commit's error if the group could not be committed. It may
  // Submit more work, but not wait for it.
  using Done = std::function<void(absl::Status)>;

  struct Stats {
    uint64_t groups = 0;   // Transactions committed.
    uint64_t jobs = 0;     // Jobs whose work ran in them.
    uint64_t refused = 0;  // Jobs refused because the queue was full.
    // Groups (committed or not) whose callbacks the writer ran itself.
    uint64_t answered_by_writer = 0;
  };

  // Takes the write connection and starts the writer thread. With a
  // `recycler`, which must outlive the queue, the writer lets it finish
  // checkpoints between groups.
  explicit WriteQueue(std::unique_ptr<Connection> connection,
                      WalRecycler* recycler = nullptr,
                      const WriteQueueOptions& options = {});
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  // Commits everything already queued, then stops the thread.
  ~WriteQueue();

  // Queues a job. `done` is called at once, on this thread, with
  // UNAVAILABLE once StopAccepting or Shutdown has begun, and with
  // RESOURCE_EXHAUSTED (reason WRITE_QUEUE_FULL) when max_queued_jobs are
  // already waiting; the job then never runs.
  void Submit(Work work, Done done);

  // Stops accepting jobs; those already queued still commit and are
  // answered. Returns at once, so a caller can refuse new writes before it
  // waits for other parts to stop.
  void StopAccepting();
  // StopAccepting, then waits until the queued jobs are committed and every
  // callback has run.
  void Shutdown();

  Stats stats() const;

 private:
  struct Job {
    Work work;
    Done done;
  };

  // A committed group's callbacks with their results.
  struct Completion {
    std::vector<Done> dones;
    std::vector<absl::Status> results;
  };

  // How a group ended, for the checkpoint after it (invariant 5).
  struct GroupEnd {
    bool committed = false;
    // No job waited for the writer when the group's callbacks were
    // delivered, before any of them ran: work they queue does not count.
    bool idle = false;
  };

  void Run();
  GroupEnd CommitGroup(std::deque<Job>& group);
  // The tiny write tried while faulted_.
  void Probe();
  // Tells health_ how a transaction of `jobs` jobs ended, which `wrote`
  // something or not; sets faulted_ and next_probe_.
  void NoteOutcome(const absl::Status& commit, bool wrote, int64_t jobs);
  // Writer thread: runs a group's callbacks at once when nothing else
  // waits, else hands them to the completion thread. Returns whether the
  // queue was empty, read before any callback ran (GroupEnd::idle).
  bool Deliver(Completion completion);
  // The completion thread's loop.
  void RunCompletions();
  // Calls each of the group's callbacks with its result, in order.
  static void Answer(Completion& completion);

  // Const after construction.
  const std::unique_ptr<Connection>
      connection_;  // Used by the writer thread only.
  WalRecycler* const recycler_;
  WriteHealth* const health_;
  const size_t max_queued_jobs_;
  const absl::Duration probe_interval_;
  // Of WriteQueueOptions::metrics, or nullptr: jobs per committed group,
  // BEGIN to COMMIT of it, and its COMMIT alone (the WAL write and fsync).
  telemetry::Histogram* const group_size_;
  telemetry::Histogram* const commit_seconds_;
  telemetry::Histogram* const sync_seconds_;

  // Writer thread only: writes fail for the disk, and when to probe next.
  bool faulted_ = false;
  absl::Time next_probe_;

  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);

  // Taken inside mu_ by Deliver, never the other way round.
  absl::Mutex completions_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::deque<Completion> completions_ ABSL_GUARDED_BY(completions_mu_);
  // The completion thread is running callbacks taken from completions_;
  // until it is done, later groups' callbacks must queue behind them.
  bool answering_ ABSL_GUARDED_BY(completions_mu_) = false;
  bool writer_done_ ABSL_GUARDED_BY(completions_mu_) = false;

  // makegood_store_write_queue_depth, read under mu_; before the threads,
  // after what it reads.
  telemetry::GaugeRegistration depth_gauge_;

  // Last: they start after the members above exist.
  std::thread completer_;
  std::thread thread_;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WRITE_QUEUE_H_
