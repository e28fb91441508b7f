// Group commit.
//
// Invariants:
//  1. Only the writer thread touches the write connection.
//  2. A job's `done` runs only after the transaction holding its work has
//     committed (synchronous=FULL: it is on disk), or after that
//     transaction failed; never before, so nothing is acknowledged early.
//     The callbacks of all groups run one at a time, in commit order (within
//     a group, in submission order). The writer runs a group's callbacks
//     itself (Deliver) only when the group is small, no job waits for it and
//     the completion thread holds none of an earlier group: then nobody is
//     delayed by it, and a lone request is answered without waking another
//     thread, each wake-up of an idle core costing a VM exit. Otherwise the
//     completion thread runs them, so the writer starts the next group
//     while clients are being answered. Either way before the writer
//     checkpoints (5) or probes (9): a client is not kept waiting for them.
//  3. Each group is one transaction: BEGIN IMMEDIATE, one SAVEPOINT per job
//     (released, or rolled back when the work fails), COMMIT. One fsync
//     covers every job queued while the previous group was committing.
//  4. Jobs are committed in the order they were submitted.
//  5. With a WalRecycler, the writer checkpoints between two groups when
//     the WAL has grown (see wal_recycler.h), never inside a group, and
//     only after a group that committed. Whether jobs were waiting is read
//     as that group's callbacks are delivered, before any runs: work a
//     callback queues does not keep the checkpoint off until busy_at_frames.
//  6. At most max_queued_jobs wait; Submit refuses more before they are
//     queued, so a refused job has run no statement.
//  7. A full or failing disk (FaultOf) fails the whole group: a job that
//     hits it ends the group, which is rolled back, and every job of it is
//     told NotSaved. After such an error SQLite may already have rolled the
//     transaction back itself (it does when a COMMIT fails for the disk;
//     sqlite3_get_autocommit tells): ROLLBACK is issued only while a
//     transaction is still open, and the connection is then ready for the
//     next group. Nothing of a failed group is on disk: in WAL mode a
//     transaction exists for readers and after a crash only once its
//     commit frame is written and synced.
//  8. Only a transaction that wrote something (its jobs changed rows, or
//     the probe) tells WriteHealth that the disk works: a group of reads
//     commits without touching the disk, even a full one.
//  9. While the disk fails (faulted_), the writer commits a probe
//     (ProbeWrite) when probe_interval has passed since the last write it
//     tried, waiting for jobs no longer than that: health recovers without
//     client traffic, and reads through the writer do not hold the probe
//     off. A job's write is as good a probe.
//
// States of the writer: HEALTHY and FAULTED. HEALTHY -> FAULTED when a
// transaction fails for the disk (FaultOf); FAULTED -> HEALTHY when a
// transaction that wrote something commits (8). Other failures change
// nothing.
//
// Errors given to `done`: the work's own status (the rest of the group
// still commits); UNAVAILABLE once stopping (StopAccepting, Shutdown) and
// RESOURCE_EXHAUSTED
// (WRITE_QUEUE_FULL) when the queue is full, both from Submit, the job
// never run; NotSaved (RESOURCE_EXHAUSTED STORE_FULL, UNAVAILABLE
// STORE_UNAVAILABLE) when the disk failed the group; the transaction's
// other errors (INTERNAL). After the last two no job of the group is
// stored.

#include "store/write_queue.h"

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/refusal.h"

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

// Rows changed through the connection so far, rolled back ones included.
int64_t TotalChanges(Connection& db) {
  return sqlite3_total_changes64(db.raw());
}

bool InTransaction(Connection& db) {
  return sqlite3_get_autocommit(db.raw()) == 0;
}

// See invariant 7.
void RollBackIfOpen(Connection& db) {
  if (InTransaction(db)) db.Exec("ROLLBACK").IgnoreError();
}

// Whether a job's failure ends its group: the disk failed, or SQLite has
// rolled the transaction (and the job's savepoint with it) back already.
bool EndsGroup(Connection& db, const absl::Status& status) {
  return FaultOf(status) != WriteFault::kNone || !InTransaction(db);
}

// The probe: rewrites the database header with the application id it
// already has. It changes nothing, but commits a page like any write, so
// it needs the disk to take a write and an fsync.
absl::Status ProbeWrite(Connection& db) {
  int64_t application_id = 0;
  {
    auto read = db.Prepare("PRAGMA application_id");
    if (!read.ok()) return read.status();
    auto row = (*read)->Step();
    if (!row.ok()) return row.status();
    if (*row) application_id = (*read)->Int(0);
  }
  const std::string rewrite =
      absl::StrCat("PRAGMA application_id=", application_id);
  return db.Exec(rewrite.c_str());
}

// The one series of a histogram without labels, or nullptr without
// metrics.
telemetry::Histogram* HistogramOf(telemetry::MetricsRegistry* metrics,
                                  absl::string_view name,
                                  absl::string_view help,
                                  std::vector<double> bounds) {
  if (metrics == nullptr) return nullptr;
  return &metrics->AddHistogram(name, help, {}, std::move(bounds))
              .WithLabels({});
}

// The most callbacks of one group the writer runs itself: a bigger group
// means requests are arriving faster than one commit, and the next one
// should not wait while these are answered.
constexpr size_t kMostAnsweredByWriter = 8;

absl::Status QueueFull(size_t limit) {
  return core::Refuse(
      absl::StatusCode::kResourceExhausted,
      makegood::v1::Error::WRITE_QUEUE_FULL,
      absl::StrCat("not saved: the server has ", limit,
                   " writes waiting already, so nothing of this request was "
                   "stored; retry it shortly"));
}

}  // namespace

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection,
                       WalRecycler* recycler, const WriteQueueOptions& options)
    : connection_(Attached(std::move(connection), recycler)),
      recycler_(recycler),
      health_(options.health),
      max_queued_jobs_(
          static_cast<size_t>(std::max(1, options.max_queued_jobs))),
      probe_interval_(options.probe_interval),
      group_size_(HistogramOf(
          options.metrics, "makegood_store_commit_group_size",
          "Jobs committed together in one transaction (group commit).",
          telemetry::ExponentialBuckets(1, 2, 11))),
      commit_seconds_(HistogramOf(
          options.metrics, "makegood_store_commit_duration_seconds",
          "Time of one group's transaction, BEGIN to COMMIT: its jobs' "
          "work, the WAL write and the fsync.",
          telemetry::LatencyBuckets())),
      sync_seconds_(HistogramOf(
          options.metrics, "makegood_store_commit_sync_duration_seconds",
          "Time of one group's COMMIT statement alone: writing its WAL "
          "frames and the fsync.",
          telemetry::LatencyBuckets())),
      completer_([this] { RunCompletions(); }),
      thread_([this] { Run(); }) {
  if (options.metrics != nullptr) {
    depth_gauge_ = options.metrics->AddGauge(
        "makegood_store_write_queue_depth",
        "Writes waiting for the writer, besides the group it is committing.",
        {}, [this] {
          absl::MutexLock lock(&mu_);
          return std::vector<telemetry::GaugeSample>{
              {{}, static_cast<double>(queue_.size())}};
        });
  }
}

WriteQueue::~WriteQueue() { Shutdown(); }

void WriteQueue::Submit(Work work, Done done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = absl::UnavailableError("the store is shutting down");
    } else if (queue_.size() >= max_queued_jobs_) {
      stats_.refused += 1;
      refused = QueueFull(max_queued_jobs_);
    } else {
      queue_.push_back(Job{std::move(work), std::move(done)});
      return;
    }
  }
  done(std::move(refused));
}

void WriteQueue::StopAccepting() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void WriteQueue::Shutdown() {
  StopAccepting();
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
      const absl::Condition has_work(
          +[](WriteQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
            return q->stopping_ || !q->queue_.empty();
          },
          this);
      if (faulted_) {
        mu_.AwaitWithDeadline(has_work, next_probe_);
      } else {
        mu_.Await(has_work);
      }
      if (stopping_ && queue_.empty()) return;  // Stopping and drained.
      group.swap(queue_);
    }
    if (!group.empty()) {
      const GroupEnd end = CommitGroup(group);
      if (end.committed && recycler_ != nullptr) {
        recycler_->AfterCommit(*connection_, end.idle);  // Invariant 5.
      }
    }
    if (faulted_ && absl::Now() >= next_probe_) Probe();  // Invariant 9.
  }
}

WriteQueue::GroupEnd WriteQueue::CommitGroup(std::deque<Job>& group) {
  Connection& db = *connection_;
  std::vector<absl::Status> results;
  results.reserve(group.size());
  const int64_t changes_before = TotalChanges(db);
  const absl::Time began = absl::Now();
  absl::Time commit_began = began;
  absl::Status commit = RunCached(db, "BEGIN IMMEDIATE");
  if (commit.ok()) {
    for (Job& job : group) {
      absl::Status status = RunCached(db, "SAVEPOINT job");
      if (status.ok()) status = job.work(db);
      if (!status.ok() && EndsGroup(db, status)) {
        commit = std::move(status);
        break;
      }
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
  if (commit.ok()) {
    commit_began = absl::Now();
    commit = RunCached(db, "COMMIT");
  }
  // Before anyone is answered: a client that heard OK finds its group
  // counted.
  if (commit.ok() && group_size_ != nullptr) {
    const absl::Time committed = absl::Now();
    group_size_->Observe(static_cast<double>(group.size()));
    commit_seconds_->ObserveDuration(committed - began);
    sync_seconds_->ObserveDuration(committed - commit_began);
  }
  if (!commit.ok()) {
    RollBackIfOpen(db);
  } else {
    absl::MutexLock lock(&mu_);
    stats_.groups += 1;
    stats_.jobs += group.size();
  }
  NoteOutcome(commit, /*wrote=*/TotalChanges(db) != changes_before,
              static_cast<int64_t>(group.size()));
  // The callers of a group the disk failed hear that nothing was saved;
  // SQLite's own error (SQL text, the file's path) stays in the log.
  const WriteFault fault = FaultOf(commit);
  const absl::Status failed =
      fault == WriteFault::kNone ? commit : NotSaved(fault);
  Completion completion;
  completion.dones.reserve(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    completion.dones.push_back(std::move(group[i].done));
    completion.results.push_back(commit.ok() ? std::move(results[i]) : failed);
  }
  const bool idle = Deliver(std::move(completion));
  return GroupEnd{.committed = commit.ok(), .idle = idle};
}

bool WriteQueue::Deliver(Completion completion) {
  bool idle;
  {
    // mu_ for the queue and stats_. A job queued just after this look waits
    // for these callbacks: at most kMostAnsweredByWriter short ones.
    absl::MutexLock lock(&mu_);
    absl::MutexLock answers_lock(&completions_mu_);
    // Before the callbacks run: what they queue is not a client that was
    // waiting when the group committed.
    idle = queue_.empty();
    const bool nothing_waits = idle && completions_.empty() && !answering_;
    if (!nothing_waits || completion.dones.size() > kMostAnsweredByWriter) {
      completions_.push_back(std::move(completion));
      return idle;
    }
    stats_.answered_by_writer += 1;
  }
  // Only this thread adds to completions_, so the completion thread stays
  // idle until these have run: still one group's callbacks at a time.
  Answer(completion);
  return idle;
}

void WriteQueue::Probe() {
  Connection& db = *connection_;
  absl::Status status = RunCached(db, "BEGIN IMMEDIATE");
  if (status.ok()) status = ProbeWrite(db);
  if (status.ok()) status = RunCached(db, "COMMIT");
  if (!status.ok()) RollBackIfOpen(db);
  NoteOutcome(status, /*wrote=*/true, /*jobs=*/0);
  // Also after a failure that says nothing of the disk (a busy lock).
  next_probe_ = absl::Now() + probe_interval_;
}

void WriteQueue::NoteOutcome(const absl::Status& commit, bool wrote,
                             int64_t jobs) {
  if (commit.ok()) {
    if (!wrote) return;  // Invariant 8.
    faulted_ = false;
    if (health_ != nullptr) health_->Committed();
    return;
  }
  const WriteFault fault = FaultOf(commit);
  // Any other failure (a bad statement, a busy lock) says nothing of the
  // disk: the state stays as it was, and a probe keeps probing.
  if (fault == WriteFault::kNone) return;
  faulted_ = true;
  next_probe_ = absl::Now() + probe_interval_;
  if (health_ != nullptr) health_->Failed(fault, commit, jobs);
}

void WriteQueue::RunCompletions() {
  pthread_setname_np(pthread_self(), "store-answers");
  for (;;) {
    std::deque<Completion> ready;
    {
      absl::MutexLock lock(&completions_mu_);
      answering_ = false;  // Those taken last time have all run.
      completions_mu_.Await(absl::Condition(
          +[](WriteQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->completions_mu_) {
            return q->writer_done_ || !q->completions_.empty();
          },
          this));
      if (completions_.empty()) return;  // The writer stopped; all answered.
      ready.swap(completions_);
      answering_ = true;
    }
    for (Completion& completion : ready) Answer(completion);
  }
}

void WriteQueue::Answer(Completion& completion) {
  for (size_t i = 0; i < completion.dones.size(); ++i) {
    completion.dones[i](std::move(completion.results[i]));
  }
}

}  // namespace makegood::store
