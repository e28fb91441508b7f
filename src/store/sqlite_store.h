#ifndef MAKEGOOD_STORE_SQLITE_STORE_H_
#define MAKEGOOD_STORE_SQLITE_STORE_H_

// The embedded store: one SQLite file in WAL mode, one writer thread with
// group commit, pooled reader connections. Thread-safe.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "store/database_lock.h"
#include "store/reader_pool.h"
#include "store/store.h"
#include "store/write_health.h"
#include "store/write_queue.h"
#include "telemetry/metrics.h"

namespace makegood::store {

struct SqliteStoreOptions {
  // The database file; its directory must exist.
  std::string path;
  // Idle reader connections kept open.
  int max_idle_readers = 4;
  // How often the maintenance thread checkpoints the WAL into the database
  // (PASSIVE: it never blocks the writer or readers).
  absl::Duration checkpoint_interval = absl::Milliseconds(500);
  // How often expired idempotency records and guest contacts past their
  // retention are deleted (CleanUpExpired). The maintenance thread counts
  // this in real time; what has expired is decided by `clock`.
  absl::Duration cleanup_interval = absl::Minutes(1);
  // The source of "now" for everything the store decides by itself: what
  // has expired, and which guest contacts a read may still show. The daemon
  // passes the clock its requests use (simulated under --simulated-clock),
  // so that expiry follows the same time as the requests. Must outlive the
  // store; nullptr: the system clock.
  const core::Clock* clock = nullptr;
  // Where the store reports what no caller hears of: a maintenance pass
  // (checkpoint, cleanup) that fails, once when the failures begin, and
  // once when a pass works again; and likewise writes failing for a full or
  // failing disk (store/write_health.h), with SQLite's error. One line, no
  // newline; called from the store's threads, one call at a time, and must
  // not call the store. Empty: structured events instead (telemetry/log.h:
  // store_write_failed, store_maintenance_failed, ...; the line is their
  // `msg`), as the daemon logs.
  std::function<void(absl::string_view line)> log;
  // Most writes waiting for the writer; more are refused at once with
  // RESOURCE_EXHAUSTED, reason WRITE_QUEUE_FULL (server.write_queue_limit).
  int write_queue_limit = 10000;
  // While writes fail for a full or failing disk and none comes, the writer
  // tries a tiny write this often, so that health recovers by itself once
  // the disk does.
  absl::Duration write_probe_interval = absl::Seconds(2);
  // Where the store reports its metrics (the writer's groups and queue, the
  // WAL, write health, the outbox, open cases, remedies: store_metrics.h);
  // must outlive the store. nullptr: nowhere.
  telemetry::MetricsRegistry* metrics = nullptr;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and brings its schema up to date. First
  // it takes an exclusive lock on "<path>.lock" (which then holds this
  // process's pid), kept until Shutdown: one store, in this process or
  // another, opens a database file at a time. FAILED_PRECONDITION if another
  // store (another makegoodd) holds that lock, with a message naming the
  // file and the holder's pid, or if a newer binary wrote the database;
  // INTERNAL if the lock file cannot be opened or locked, or SQLite cannot
  // open or migrate the database.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(
      const SqliteStoreOptions& options);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  absl::Status RegisterLocation(
      const makegood::v1::Location& location) override;
  void AppendEvents(std::vector<makegood::v1::OrderEvent> events,
                    absl::Time received_at, AppendDone done) override;
  absl::StatusOr<makegood::v1::Check> GetCheck(
      absl::string_view location_id, absl::string_view check_id) override;
  absl::StatusOr<CheckPage> ListChecks(absl::string_view location_id,
                                       const CheckListQuery& query) override;
  void FlagProblem(const RecoveryCall& call,
                   const makegood::v1::FlagProblemRequest& request,
                   RecoveryDone done) override;
  void ApplyRemedy(const RecoveryCall& call,
                   const makegood::v1::ApplyRemedyRequest& request,
                   RecoveryDone done) override;
  void ApproveRemedy(const RecoveryCall& call,
                     const makegood::v1::ApproveRemedyRequest& request,
                     RecoveryDone done) override;
  void RecordOutcome(const RecoveryCall& call,
                     const makegood::v1::RecordOutcomeRequest& request,
                     RecoveryDone done) override;
  void AckCommand(const RecoveryCall& call,
                  const makegood::v1::AckCommandRequest& request,
                  AckDone done) override;
  absl::StatusOr<makegood::v1::RecoveryCase> GetRecovery(
      absl::string_view location_id, absl::string_view case_id,
      bool with_contact) override;
  absl::StatusOr<RecoveryPage> ListRecoveries(
      absl::string_view location_id, const RecoveryListQuery& query) override;
  absl::StatusOr<CommandPage> UnackedCommands(
      absl::string_view location_id, const CommandPageQuery& query) override;
  void CountDeliveries(std::vector<std::string> command_ids) override;
  void ReadWatchSnapshot(const WatchSnapshotQuery& query,
                         WatchSnapshotDone done) override;
  absl::StatusOr<LedgerVerification> VerifyLedger() override;
  void CompleteFollowUp(const RecoveryCall& call,
                        const makegood::v1::CompleteFollowUpRequest& request,
                        FollowUpDone done) override;
  absl::StatusOr<FollowUpPage> DueFollowUps(absl::string_view location_id,
                                            const FollowUpQuery& query,
                                            absl::Time now) override;
  absl::StatusOr<report::DayRows> ReadDay(absl::string_view location_id,
                                          absl::Time start,
                                          absl::Time end) override;
  absl::StatusOr<report::StaffRows> ReadStaff(
      absl::string_view location_id, absl::Time start, absl::Time end,
      absl::string_view first_day, absl::string_view last_day) override;
  absl::Status StreamStaff(absl::string_view location_id, absl::Time start,
                           absl::Time end, absl::string_view first_day,
                           absl::string_view last_day,
                           report::StaffRowSink& sink) override;
  absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> CasesFlagged(
      absl::string_view location_id, absl::Time start, absl::Time end) override;
  void WatchWriteHealth(std::function<void(bool can_write)> observer) override;
  // Also releases the database's lock, once everything is committed and
  // checkpointed.
  void Shutdown() override;

  // Deletes what has expired at the store's clock's now: idempotency
  // records older than kIdempotencyRetention and guest contacts past their
  // retention. The maintenance thread runs it every cleanup_interval; it may
  // also be called directly (tests with a fake clock, a tool before a
  // backup). Blocks until committed; UNAVAILABLE after Shutdown, the
  // writer's refusals (write_queue.h), INTERNAL when SQLite fails. A
  // failure is also logged (SqliteStoreOptions::log) as a maintenance
  // error: once until a cleanup works again.
  absl::Status CleanUpExpired();

  // Group-commit counters, for tests and benchmarks.
  WriteQueue::Stats write_stats() const { return writer_.stats(); }

 private:
  // Runs a request with its request id: a repeated id with the same
  // fingerprint gets the stored answer, a new one runs `work` and stores its
  // answer in the same transaction.
  template <typename Result, typename Request, typename Work>
  void SubmitIdempotent(const char* method, const RecoveryCall& call,
                        const Request& request, Work work,
                        std::function<void(absl::StatusOr<Result>)> done);

  // The exclusive lock on "<path>.lock" (sqlite_store.cc).
  // The maintenance passes whose failures are logged.
  enum class Upkeep { kCheckpoint, kWriterCheckpoint, kCleanUp };

  SqliteStore(std::unique_ptr<DatabaseLock> lock,
              std::unique_ptr<Connection> writer,
              std::unique_ptr<Connection> checkpointer,
              const SqliteStoreOptions& options);

  // Checkpoints and cleanup until stop_maintenance_ is notified.
  void Maintain(absl::Duration checkpoint_interval,
                absl::Duration cleanup_interval);
  // Queues the deletions of CleanUpExpired; `done` runs after the last
  // commit. The expired contacts go in one job, then the expired answers in
  // jobs of kCleanUpBatch each, until a job finds fewer: after days without
  // a cleanup (a daemon stopped, a year imported) there may be millions,
  // and one transaction of them would hold the writer for seconds and grow
  // its page cache and the WAL by as much.
  void SubmitCleanUp(WriteQueue::Done done);
  void SubmitExpiredAnswersBatch(absl::Time now, WriteQueue::Done done);
  static constexpr int64_t kCleanUpBatch = 1000;
  // The writer's page cache while a batch runs, in KiB (page_cache_cap.h).
  static constexpr int64_t kCleanUpCacheKiB = 2 * 1024;
  // Logs a failed pass of `task` when the one before it worked, and a pass
  // that works when the one before it failed: one line per episode. The
  // next pass is the retry.
  void ReportUpkeep(Upkeep task, const absl::Status& status);

  // Const after construction.
  const std::unique_ptr<DatabaseLock> lock_;  // Released by Shutdown.
  // SqliteStoreOptions::log; empty: structured events.
  const std::function<void(absl::string_view)> log_;
  // Set first thing in Shutdown: the writer's refusals are then no fault.
  std::atomic<bool> shutting_down_{false};

  absl::Mutex upkeep_mu_;  // Also serializes the calls of log_.
  bool checkpoint_failing_ ABSL_GUARDED_BY(upkeep_mu_) = false;
  bool writer_checkpoint_failing_ ABSL_GUARDED_BY(upkeep_mu_) = false;
  bool cleanup_failing_ ABSL_GUARDED_BY(upkeep_mu_) = false;

  const core::Clock& clock_;  // SqliteStoreOptions::clock, or the system's.
  WriteHealth health_;        // Before writer_, which reports to it.
  WalRecycler wal_;           // Before writer_, which uses it.
  WriteQueue writer_;
  ReaderPool readers_;
  std::unique_ptr<Connection> checkpointer_;  // The maintenance thread's.
  absl::Notification stop_maintenance_;
  std::thread maintenance_;
  // Last: destroyed first, so no scrape reads what is being destroyed.
  std::vector<telemetry::GaugeRegistration> gauges_;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_SQLITE_STORE_H_
