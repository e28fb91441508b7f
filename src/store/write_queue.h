#ifndef MAKEGOOD_STORE_WRITE_QUEUE_H_
#define MAKEGOOD_STORE_WRITE_QUEUE_H_

// The single writer of a SQLite database, committing queued work in groups.
//
// Thread-safe: Submit may be called from any thread. Work runs on the writer
// thread; completion callbacks run on a second thread, one at a time and in
// commit order, so that answering clients overlaps the next group's work.
// Neither may block.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "store/sqlite_connection.h"
#include "store/wal_recycler.h"

namespace makegood::store {

class WriteQueue {
 public:
  // Runs inside the group's transaction. A non-OK status rolls back this
  // job's changes only; the rest of the group still commits.
  using Work = std::function<absl::Status(Connection&)>;
  // Called after the group's COMMIT: with the work's status if it committed,
  // with the commit's error if the group could not be committed.
  using Done = std::function<void(absl::Status)>;

  struct Stats {
    uint64_t groups = 0;  // Transactions committed.
    uint64_t jobs = 0;    // Jobs whose work ran in them.
  };

  // Takes the write connection and starts the writer thread. With a
  // `recycler`, which must outlive the queue, the writer lets it finish
  // checkpoints between groups.
  explicit WriteQueue(std::unique_ptr<Connection> connection,
                      WalRecycler* recycler = nullptr);
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  // Commits everything already queued, then stops the thread.
  ~WriteQueue();

  // Queues a job. After Shutdown, `done` is called at once with UNAVAILABLE.
  void Submit(Work work, Done done);

  // Stops accepting jobs and waits until the queued ones are committed.
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

  void Run();
  void CommitGroup(std::deque<Job>& group);
  void RunCompletions();

  // Const after construction.
  const std::unique_ptr<Connection>
      connection_;  // Used by the writer thread only.
  WalRecycler* const recycler_;

  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);

  absl::Mutex completions_mu_;
  std::deque<Completion> completions_ ABSL_GUARDED_BY(completions_mu_);
  bool writer_done_ ABSL_GUARDED_BY(completions_mu_) = false;

  // Last: they start after the members above exist.
  std::thread completer_;
  std::thread thread_;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_WRITE_QUEUE_H_
