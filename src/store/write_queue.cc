// Group commit.
//
// Invariants:
//  1. Only the writer thread touches the write connection.
//  2. A job's `done` runs only after the transaction holding its work has
//     committed (synchronous=FULL: it is on disk), or after that
//     transaction failed; never before, so nothing is acknowledged early.
//     It runs on the completion thread, so the writer starts the next group
//     while clients are being answered; completions keep commit order.
//  3. Each group is one transaction: BEGIN IMMEDIATE, one SAVEPOINT per job
//     (released, or rolled back when the work fails), COMMIT. One fsync
//     covers every job queued while the previous group was committing.
//  4. Jobs are committed in the order they were submitted.
//  5. With a WalRecycler, the writer checkpoints between two groups when
//     the WAL has grown (see wal_recycler.h), never inside a group.
//
// Errors given to `done`: the work's own status; UNAVAILABLE after
// Shutdown; the commit's INTERNAL/RESOURCE_EXHAUSTED error (then no job of
// the group is stored).

#include "store/write_queue.h"

#include <pthread.h>

#include <utility>

namespace makegood::store {

namespace {

// Before the writer thread starts: the connection is not shared.
std::unique_ptr<Connection> Attached(std::unique_ptr<Connection> connection,
                                     WalRecycler* recycler) {
  if (recycler != nullptr) recycler->Attach(*connection);
  return connection;
}

// Transaction control runs for every group: prepared once, not parsed each
// time as Exec would.
absl::Status RunCached(Connection& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Run();
}

}  // namespace

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection,
                       WalRecycler* recycler)
    : connection_(Attached(std::move(connection), recycler)),
      recycler_(recycler),
      completer_([this] { RunCompletions(); }),
      thread_([this] { Run(); }) {}

WriteQueue::~WriteQueue() { Shutdown(); }

void WriteQueue::Submit(Work work, Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(Job{std::move(work), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("the store is shutting down"));
}

void WriteQueue::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&completions_mu_);
    writer_done_ = true;
  }
  if (completer_.joinable()) completer_.join();
}

WriteQueue::Stats WriteQueue::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void WriteQueue::Run() {
  pthread_setname_np(pthread_self(), "store-writer");
  for (;;) {
    std::deque<Job> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WriteQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
            return q->stopping_ || !q->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // Stopping and drained.
      group.swap(queue_);
    }
    CommitGroup(group);
    if (recycler_ != nullptr) {
      bool idle;
      {
        absl::MutexLock lock(&mu_);
        idle = queue_.empty();
      }
      recycler_->AfterCommit(*connection_, idle);
    }
  }
}

void WriteQueue::CommitGroup(std::deque<Job>& group) {
  Connection& db = *connection_;
  std::vector<absl::Status> results;
  results.reserve(group.size());
  absl::Status commit = RunCached(db, "BEGIN IMMEDIATE");
  if (commit.ok()) {
    for (Job& job : group) {
      absl::Status status = RunCached(db, "SAVEPOINT job");
      if (status.ok()) status = job.work(db);
      if (status.ok()) {
        status = RunCached(db, "RELEASE job");
      } else if (absl::Status undo = db.Exec("ROLLBACK TO job; RELEASE job");
                 !undo.ok()) {
        commit = undo;  // The transaction can no longer be trusted.
        break;
      }
      results.push_back(std::move(status));
    }
  }
  if (commit.ok()) commit = RunCached(db, "COMMIT");
  if (!commit.ok()) {
    db.Exec("ROLLBACK").IgnoreError();
  } else {
    absl::MutexLock lock(&mu_);
    stats_.groups += 1;
    stats_.jobs += group.size();
  }
  Completion completion;
  completion.dones.reserve(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    completion.dones.push_back(std::move(group[i].done));
    completion.results.push_back(commit.ok() ? std::move(results[i]) : commit);
  }
  absl::MutexLock lock(&completions_mu_);
  completions_.push_back(std::move(completion));
}

void WriteQueue::RunCompletions() {
  pthread_setname_np(pthread_self(), "store-answers");
  for (;;) {
    std::deque<Completion> ready;
    {
      absl::MutexLock lock(&completions_mu_);
      completions_mu_.Await(absl::Condition(
          +[](WriteQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->completions_mu_) {
            return q->writer_done_ || !q->completions_.empty();
          },
          this));
      if (completions_.empty()) return;  // The writer stopped; all answered.
      ready.swap(completions_);
    }
    for (Completion& completion : ready) {
      for (size_t i = 0; i < completion.dones.size(); ++i) {
        completion.dones[i](std::move(completion.results[i]));
      }
    }
  }
}

}  // namespace makegood::store
