#ifndef MAKEGOOD_STORE_SQLITE_STORE_H_
#define MAKEGOOD_STORE_SQLITE_STORE_H_

// The embedded store: one SQLite file in WAL mode, one writer thread with
// group commit, pooled reader connections. Thread-safe.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "core/clock.h"
#include "store/reader_pool.h"
#include "store/store.h"
#include "store/write_queue.h"

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
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and brings its schema up to date.
  // FAILED_PRECONDITION if a newer binary wrote it; INTERNAL if SQLite
  // cannot open or migrate it.
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
  absl::StatusOr<std::vector<makegood::v1::RemedyCommand>> UnackedCommands(
      absl::string_view location_id) override;
  void CountDeliveries(std::vector<std::string> command_ids) override;
  void ReadWatchSnapshot(const WatchSnapshotQuery& query,
                         WatchSnapshotDone done) override;
  absl::StatusOr<LedgerVerification> VerifyLedger() override;
  void CompleteFollowUp(const RecoveryCall& call,
                        const makegood::v1::CompleteFollowUpRequest& request,
                        FollowUpDone done) override;
  absl::StatusOr<std::vector<makegood::v1::FollowUp>> DueFollowUps(
      absl::string_view location_id, absl::Time due_by,
      absl::Time now) override;
  absl::StatusOr<report::DayRows> ReadDay(absl::string_view location_id,
                                          absl::Time start,
                                          absl::Time end) override;
  absl::StatusOr<report::StaffRows> ReadStaff(
      absl::string_view location_id, absl::Time start, absl::Time end,
      absl::string_view first_day, absl::string_view last_day) override;
  absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> CasesFlagged(
      absl::string_view location_id, absl::Time start, absl::Time end) override;
  void Shutdown() override;

  // Deletes what has expired at the store's clock's now: idempotency
  // records older than kIdempotencyRetention and guest contacts past their
  // retention. The maintenance thread runs it every cleanup_interval; it may
  // also be called directly (tests with a fake clock, a tool before a
  // backup). Blocks until committed; UNAVAILABLE after Shutdown, INTERNAL
  // when SQLite fails.
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

  SqliteStore(std::unique_ptr<Connection> writer,
              std::unique_ptr<Connection> checkpointer,
              const SqliteStoreOptions& options);

  // Checkpoints and cleanup until stop_maintenance_ is notified.
  void Maintain(absl::Duration checkpoint_interval,
                absl::Duration cleanup_interval);
  // Queues the deletions of CleanUpExpired; `done` runs after the commit.
  void SubmitCleanUp(WriteQueue::Done done);

  const core::Clock& clock_;  // SqliteStoreOptions::clock, or the system's.
  WalRecycler wal_;           // Before writer_, which uses it.
  WriteQueue writer_;
  ReaderPool readers_;
  std::unique_ptr<Connection> checkpointer_;  // The maintenance thread's.
  absl::Notification stop_maintenance_;
  std::thread maintenance_;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_SQLITE_STORE_H_
