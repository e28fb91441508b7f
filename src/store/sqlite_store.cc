#include "store/sqlite_store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "store/check_queries.h"
#include "store/database_lock.h"
#include "store/event_projection.h"
#include "store/follow_ups.h"
#include "store/idempotency.h"
#include "store/ledger.h"
#include "store/migrations.h"
#include "store/outbox.h"
#include "store/page_cache_cap.h"
#include "store/recovery_flow.h"
#include "store/recovery_queries.h"
#include "store/recovery_rows.h"
#include "store/report_queries.h"
#include "store/store_metrics.h"
#include "store/stored_message.h"
#include "store/watch_queries.h"
#include "telemetry/log.h"

namespace makegood::store {
namespace {

const core::Clock& ClockOf(const SqliteStoreOptions& options) {
  static const core::SystemClock* const kSystemClock = new core::SystemClock;
  return options.clock != nullptr ? *options.clock : *kSystemClock;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(
    const SqliteStoreOptions& options) {
  // Before anything touches the database: a second store must not even
  // migrate it.
  auto lock = DatabaseLock::Acquire(
      options.path, "stop it first, or use another database file");
  if (!lock.ok()) return lock.status();
  auto connection = Connection::Open(options.path, /*read_only=*/false);
  if (!connection.ok()) return connection.status();
  // The writer is the one connection that deletes: with secure_delete what
  // it deletes (guest contacts past their retention) is overwritten with
  // zeros, in the WAL and then the file, not left in a page's free space.
  if (auto s = (*connection)->Exec("PRAGMA secure_delete=ON;"); !s.ok()) {
    return s;
  }
  if (auto s = Migrate(**connection); !s.ok()) return s;
  auto checkpointer = Connection::Open(options.path, /*read_only=*/false);
  if (!checkpointer.ok()) return checkpointer.status();
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(*std::move(lock), *std::move(connection),
                      *std::move(checkpointer), options));
}

SqliteStore::SqliteStore(std::unique_ptr<DatabaseLock> lock,
                         std::unique_ptr<Connection> writer,
                         std::unique_ptr<Connection> checkpointer,
                         const SqliteStoreOptions& options)
    : lock_(std::move(lock)),
      log_(options.log),
      clock_(ClockOf(options)),
      // Its lines take their turn with the maintenance lines; without
      // log_, it writes structured events itself.
      health_(log_ ? WriteHealth::Log([this](absl::string_view line) {
        absl::MutexLock lock(&upkeep_mu_);
        log_(line);
      })
                   : WriteHealth::Log()),
      wal_(WalRecycler::Limits{},
           [this](const absl::Status& status) {
             ReportUpkeep(Upkeep::kWriterCheckpoint, status);
           }),
      writer_(std::move(writer), &wal_,
              WriteQueueOptions{
                  .max_queued_jobs = options.write_queue_limit,
                  .health = &health_,
                  .probe_interval = options.write_probe_interval,
                  .metrics = options.metrics,
              }),
      readers_(options.path, options.max_idle_readers),
      checkpointer_(std::move(checkpointer)),
      maintenance_([this, checkpoint = options.checkpoint_interval,
                    cleanup = options.cleanup_interval] {
        Maintain(checkpoint, cleanup);
      }) {
  if (options.metrics != nullptr) {
    gauges_ = RegisterStoreGauges(
        *options.metrics, StoreGaugeSources{.database_path = options.path,
                                            .health = &health_,
                                            .readers = &readers_,
                                            .clock = &clock_});
  }
}

SqliteStore::~SqliteStore() { Shutdown(); }

void SqliteStore::Shutdown() {
  shutting_down_.store(true);
  writer_.Shutdown();
  if (!stop_maintenance_.HasBeenNotified()) stop_maintenance_.Notify();
  if (maintenance_.joinable()) maintenance_.join();
  if (lock_ != nullptr) lock_->Release();  // Nothing writes the file now.
}

void SqliteStore::Maintain(absl::Duration checkpoint_interval,
                           absl::Duration cleanup_interval) {
  pthread_setname_np(pthread_self(), "store-upkeep");
  // The waits are the timer, in real time: a cleanup every so many
  // checkpoint periods. What has expired is decided by clock_, in
  // SubmitCleanUp.
  const int64_t periods_per_cleanup =
      checkpoint_interval <= absl::ZeroDuration()
          ? 1
          : std::max<int64_t>(1, cleanup_interval / checkpoint_interval);
  int64_t periods_since_cleanup = periods_per_cleanup;  // Clean up at once.
  for (;;) {
    const bool stopping =
        stop_maintenance_.WaitForNotificationWithTimeout(checkpoint_interval);
    // PASSIVE copies what it can without waiting for anyone (a checkpoint
    // it cannot finish is no error: the pragma reports it in its row); the
    // last one at shutdown leaves the database file complete. An error is
    // logged; the next period's checkpoint is the retry.
    ReportUpkeep(Upkeep::kCheckpoint,
                 checkpointer_->Exec("PRAGMA wal_checkpoint(PASSIVE)"));
    if (stopping) return;
    if (++periods_since_cleanup < periods_per_cleanup) continue;
    periods_since_cleanup = 0;
    // SubmitCleanUp logs a failure; the next cleanup period is the retry.
    SubmitCleanUp([](absl::Status) {});
  }
}

void SqliteStore::ReportUpkeep(Upkeep task, const absl::Status& status) {
  // The writer refuses work once Shutdown has begun: the store closing,
  // not a fault.
  if (status.code() == absl::StatusCode::kUnavailable &&
      shutting_down_.load()) {
    return;
  }
  const char* what = task == Upkeep::kCheckpoint ? "checkpoint of the WAL"
                     : task == Upkeep::kWriterCheckpoint
                         ? "checkpoint of the WAL between writes"
                         : "cleanup of expired records";
  // The task field of the structured events.
  const char* task_name = task == Upkeep::kCheckpoint ? "checkpoint"
                          : task == Upkeep::kWriterCheckpoint
                              ? "writer_checkpoint"
                              : "cleanup";
  absl::MutexLock lock(&upkeep_mu_);
  bool& failing = task == Upkeep::kCheckpoint ? checkpoint_failing_
                  : task == Upkeep::kWriterCheckpoint
                      ? writer_checkpoint_failing_
                      : cleanup_failing_;
  if (status.ok()) {
    if (!failing) return;
    failing = false;
    const std::string line = absl::StrCat("maintenance ok again: ", what);
    if (log_) {
      log_(line);
    } else {
      telemetry::LogEvent(telemetry::LogLevel::kInfo,
                          "store_maintenance_recovered",
                          {{"task", task_name}, {"msg", line}});
    }
    return;
  }
  if (failing) return;  // Logged when the episode began.
  failing = true;
  const std::string code = absl::StatusCodeToString(status.code());
  const std::string line = absl::StrCat(
      "maintenance: ", what,
      " failed; retried at each pass, logged again when it works: ", code, ": ",
      status.message());
  if (log_) {
    log_(line);
  } else {
    telemetry::LogEvent(telemetry::LogLevel::kError, "store_maintenance_failed",
                        {{"task", task_name},
                         {"code", code},
                         {"error", status.message()},
                         {"msg", line}});
  }
}

void SqliteStore::SubmitCleanUp(WriteQueue::Done done) {
  const absl::Time now = clock_.Now();
  writer_.Submit(
      [now](Connection& db) -> absl::Status {
        auto contacts = db.Prepare(
            "DELETE FROM guest_contacts WHERE delete_after_us <= ?1");
        if (!contacts.ok()) return contacts.status();
        return (*contacts)->Bind(1, absl::ToUnixMicros(now)).Run();
      },
      [this, now, done = std::move(done)](absl::Status status) mutable {
        if (!status.ok()) {
          ReportUpkeep(Upkeep::kCleanUp, status);  // Before the caller hears.
          done(std::move(status));
          return;
        }
        SubmitExpiredAnswersBatch(now, std::move(done));
      });
}

void SqliteStore::SubmitExpiredAnswersBatch(absl::Time now,
                                            WriteQueue::Done done) {
  auto deleted = std::make_shared<int64_t>(0);
  writer_.Submit(
      [now, deleted](Connection& db) -> absl::Status {
        // The batches walk a table of days of requests once: read through
        // a small cache, its pages do not stay in the writer's.
        return WithPageCacheCap(db, kCleanUpCacheKiB, [&]() -> absl::Status {
          auto batch = DeleteExpiredAnswers(db, now, kCleanUpBatch);
          if (!batch.ok()) return batch.status();
          *deleted = *batch;
          return absl::OkStatus();
        });
      },
      [this, now, deleted,
       done = std::move(done)](absl::Status status) mutable {
        // A full batch may have left more: the next one is queued behind
        // the writes that came meanwhile, so none waits for the whole
        // cleanup.
        if (status.ok() && *deleted == kCleanUpBatch) {
          SubmitExpiredAnswersBatch(now, std::move(done));
          return;
        }
        ReportUpkeep(Upkeep::kCleanUp, status);  // Before the caller hears.
        done(std::move(status));
      });
}

void SqliteStore::WatchWriteHealth(
    std::function<void(bool can_write)> observer) {
  health_.Watch(std::move(observer));
}

absl::Status SqliteStore::CleanUpExpired() {
  absl::Notification committed;
  absl::Status result;
  SubmitCleanUp([&](absl::Status status) {
    result = std::move(status);
    committed.Notify();
  });
  committed.WaitForNotification();
  return result;
}

absl::Status SqliteStore::RegisterLocation(
    const makegood::v1::Location& location) {
  absl::Notification committed;
  absl::Status result;
  writer_.Submit(
      [&location](Connection& db) -> absl::Status {
        auto stmt = db.Prepare(
            "INSERT INTO locations(location_id, currency, timezone) "
            "VALUES(?1,?2,?3) ON CONFLICT DO UPDATE SET "
            "currency=excluded.currency, timezone=excluded.timezone");
        if (!stmt.ok()) return stmt.status();
        return (*stmt)
            ->Bind(1, location.id())
            .Bind(2, location.currency())
            .Bind(3, location.timezone())
            .Run();
      },
      [&](absl::Status status) {
        result = std::move(status);
        committed.Notify();
      });
  committed.WaitForNotification();
  return result;
}

void SqliteStore::AppendEvents(std::vector<makegood::v1::OrderEvent> events,
                               absl::Time received_at, AppendDone done) {
  auto outcomes = std::make_shared<std::vector<EventResult>>();
  auto shared_events = std::make_shared<std::vector<makegood::v1::OrderEvent>>(
      std::move(events));
  const int64_t received_at_us = absl::ToUnixMicros(received_at);
  writer_.Submit(
      [shared_events, outcomes,
       received_at_us](Connection& db) -> absl::Status {
        outcomes->clear();  // A failed job leaves nothing half-counted.
        outcomes->reserve(shared_events->size());
        for (const auto& event : *shared_events) {
          auto outcome = AppendEvent(db, event, received_at_us);
          if (!outcome.ok()) return outcome.status();
          outcomes->push_back(*outcome);
        }
        return absl::OkStatus();
      },
      [outcomes, done = std::move(done)](absl::Status status) {
        if (!status.ok()) {
          done(std::move(status));
        } else {
          done(std::move(*outcomes));
        }
      });
}

absl::StatusOr<makegood::v1::Check> SqliteStore::GetCheck(
    absl::string_view location_id, absl::string_view check_id) {
  return readers_.With<makegood::v1::Check>(
      [&](Connection& db) { return ReadCheck(db, location_id, check_id); });
}

absl::StatusOr<CheckPage> SqliteStore::ListChecks(absl::string_view location_id,
                                                  const CheckListQuery& query) {
  return readers_.With<CheckPage>(
      [&](Connection& db) { return ReadCheckPage(db, location_id, query); });
}

namespace {

// The stored answer of each kind of request, and a result rebuilt from it.
std::string AnswerOf(const RecoveryResult& result) {
  return result.recovery.SerializeAsString();
}
std::string AnswerOf(const AckResult& result) {
  return result.response.SerializeAsString();
}
// A stored answer that no longer parses is refused, never replayed empty.
constexpr char kStoredAnswer[] = "the answer to this request id";
absl::Status Replay(const std::string& answer, RecoveryResult& result) {
  result.replayed = true;
  return ParseStored(answer, kStoredAnswer, result.recovery);
}
absl::Status Replay(const std::string& answer, AckResult& result) {
  return ParseStored(answer, kStoredAnswer, result.response);
}
std::string AnswerOf(const makegood::v1::FollowUp& result) {
  return result.SerializeAsString();
}
absl::Status Replay(const std::string& answer, makegood::v1::FollowUp& result) {
  return ParseStored(answer, kStoredAnswer, result);
}

}  // namespace

template <typename Result, typename Request, typename Work>
void SqliteStore::SubmitIdempotent(
    const char* method, const RecoveryCall& call, const Request& request,
    Work work, std::function<void(absl::StatusOr<Result>)> done) {
  auto result = std::make_shared<Result>();
  // Hashed here, on the caller's thread: the writer thread is the one
  // every write waits for, so it does only what needs the transaction.
  std::string fingerprint = RequestFingerprint(method, call.actor_id, request);
  writer_.Submit(
      [method, call, request, work, result,
       fingerprint = std::move(fingerprint)](Connection& db) -> absl::Status {
        auto answer = FindAnswer(db, call.actor_id, request.request_id(),
                                 method, fingerprint);
        if (!answer.ok()) return answer.status();
        if (answer->has_value()) {
          *result = Result{};
          return Replay(**answer, *result);
        }
        auto done = work(db, call, request);
        if (!done.ok()) return done.status();
        *result = *std::move(done);
        return SaveAnswer(db, call.actor_id, request.request_id(), method,
                          fingerprint, AnswerOf(*result), call.now);
      },
      [result, done = std::move(done)](absl::Status status) {
        if (!status.ok()) {
          done(std::move(status));
        } else {
          done(std::move(*result));
        }
      });
}

void SqliteStore::FlagProblem(const RecoveryCall& call,
                              const makegood::v1::FlagProblemRequest& request,
                              RecoveryDone done) {
  SubmitIdempotent<RecoveryResult>("FlagProblem", call, request,
                                   FlagProblemInTransaction, std::move(done));
}

void SqliteStore::ApplyRemedy(const RecoveryCall& call,
                              const makegood::v1::ApplyRemedyRequest& request,
                              RecoveryDone done) {
  SubmitIdempotent<RecoveryResult>("ApplyRemedy", call, request,
                                   ApplyRemedyInTransaction, std::move(done));
}

void SqliteStore::ApproveRemedy(
    const RecoveryCall& call, const makegood::v1::ApproveRemedyRequest& request,
    RecoveryDone done) {
  SubmitIdempotent<RecoveryResult>("ApproveRemedy", call, request,
                                   ApproveRemedyInTransaction, std::move(done));
}

void SqliteStore::RecordOutcome(
    const RecoveryCall& call, const makegood::v1::RecordOutcomeRequest& request,
    RecoveryDone done) {
  SubmitIdempotent<RecoveryResult>("RecordOutcome", call, request,
                                   RecordOutcomeInTransaction, std::move(done));
}

void SqliteStore::AckCommand(const RecoveryCall& call,
                             const makegood::v1::AckCommandRequest& request,
                             AckDone done) {
  SubmitIdempotent<AckResult>("AckCommand", call, request,
                              AckCommandInTransaction, std::move(done));
}

absl::StatusOr<makegood::v1::RecoveryCase> SqliteStore::GetRecovery(
    absl::string_view location_id, absl::string_view case_id,
    bool with_contact) {
  const int64_t now_us = absl::ToUnixMicros(clock_.Now());
  return readers_.With<makegood::v1::RecoveryCase>([&](Connection& db) {
    return ReadRecovery(db, location_id, case_id, with_contact, now_us);
  });
}

absl::StatusOr<RecoveryPage> SqliteStore::ListRecoveries(
    absl::string_view location_id, const RecoveryListQuery& query) {
  const int64_t now_us = absl::ToUnixMicros(clock_.Now());
  return readers_.With<RecoveryPage>([&](Connection& db) {
    return ReadRecoveryPage(db, location_id, query, now_us);
  });
}

absl::StatusOr<CommandPage> SqliteStore::UnackedCommands(
    absl::string_view location_id, const CommandPageQuery& query) {
  // Read through the writer, after every write queued before it: delivery
  // counts of a stream that just ended are then part of what a reconnecting
  // adapter is told.
  const int64_t now_us = absl::ToUnixMicros(clock_.Now());
  absl::StatusOr<CommandPage> commands;
  absl::Notification read;
  writer_.Submit(
      [&](Connection& db) -> absl::Status {
        commands = ReadUnackedCommands(db, location_id, query);
        if (!commands.ok()) return commands.status();
        return AttachFollowUpContacts(db, commands->commands, now_us);
      },
      [&](absl::Status status) {
        if (!status.ok()) commands = status;
        read.Notify();
      });
  read.WaitForNotification();
  return commands;
}

void SqliteStore::CountDeliveries(std::vector<std::string> command_ids) {
  if (command_ids.empty()) return;
  writer_.Submit(
      [ids = std::move(command_ids)](Connection& db) {
        return CountDeliveriesInTransaction(db, ids);
      },
      [](absl::Status) {});
}

void SqliteStore::ReadWatchSnapshot(const WatchSnapshotQuery& query,
                                    WatchSnapshotDone done) {
  // A job of the writer, so that its `done` takes its place among the
  // writes' callbacks in commit order (see Store::ReadWatchSnapshot). It
  // makes two small reads and does not wait: the caller's thread is
  // not blocked, and the writer only briefly.
  auto snapshot = std::make_shared<WatchSnapshot>();
  writer_.Submit(
      [query, snapshot](Connection& db) -> absl::Status {
        auto read = ReadWatchSnapshotRows(db, query);
        if (!read.ok()) return read.status();
        *snapshot = *std::move(read);
        return absl::OkStatus();
      },
      [snapshot, done = std::move(done)](absl::Status status) {
        if (!status.ok()) {
          done(std::move(status));
        } else {
          done(std::move(*snapshot));
        }
      });
}

absl::StatusOr<LedgerVerification> SqliteStore::VerifyLedger() {
  return readers_.With<LedgerVerification>(
      [](Connection& db) { return VerifyLedgerChain(db); });
}

void SqliteStore::CompleteFollowUp(
    const RecoveryCall& call,
    const makegood::v1::CompleteFollowUpRequest& request, FollowUpDone done) {
  SubmitIdempotent<makegood::v1::FollowUp>("CompleteFollowUp", call, request,
                                           CompleteFollowUpInTransaction,
                                           std::move(done));
}

absl::StatusOr<FollowUpPage> SqliteStore::DueFollowUps(
    absl::string_view location_id, const FollowUpQuery& query, absl::Time now) {
  return readers_.With<FollowUpPage>([&](Connection& db) {
    return ReadDueFollowUps(db, location_id, query, absl::ToUnixMicros(now));
  });
}

absl::StatusOr<report::DayRows> SqliteStore::ReadDay(
    absl::string_view location_id, absl::Time start, absl::Time end) {
  return readers_.With<report::DayRows>(
      [&](Connection& db) { return ReadDayRows(db, location_id, start, end); });
}

absl::StatusOr<report::StaffRows> SqliteStore::ReadStaff(
    absl::string_view location_id, absl::Time start, absl::Time end,
    absl::string_view first_day, absl::string_view last_day) {
  return readers_.With<report::StaffRows>([&](Connection& db) {
    return ReadStaffRows(db, location_id, start, end, first_day, last_day);
  });
}

absl::Status SqliteStore::StreamStaff(absl::string_view location_id,
                                      absl::Time start, absl::Time end,
                                      absl::string_view first_day,
                                      absl::string_view last_day,
                                      report::StaffRowSink& sink) {
  // ReaderPool::With returns a value; a stream has nothing but its status.
  auto streamed =
      readers_.With<bool>([&](Connection& db) -> absl::StatusOr<bool> {
        if (auto s = StreamStaffRows(db, location_id, start, end, first_day,
                                     last_day, sink);
            !s.ok())
          return s;
        return true;
      });
  return streamed.status();
}

absl::StatusOr<std::vector<makegood::v1::RecoveryCase>>
SqliteStore::CasesFlagged(absl::string_view location_id, absl::Time start,
                          absl::Time end) {
  return readers_.With<std::vector<makegood::v1::RecoveryCase>>(
      [&](Connection& db) {
        return ReadCasesFlagged(db, location_id, start, end);
      });
}

}  // namespace makegood::store
