#ifndef MAKEGOOD_STORE_STORE_H_
#define MAKEGOOD_STORE_STORE_H_

// The durable state of makegood, behind an interface so that a chain can run
// the same service on PostgreSQL beside the embedded SQLite implementation.
//
// Thread-safe: every method may be called from any thread. Writes complete
// through callbacks run on a store thread (the writer or its completion thread)
// after the commit; reads return directly.
//
// Every write may also fail, with nothing of it stored, because the store
// could not take it: RESOURCE_EXHAUSTED with reason WRITE_QUEUE_FULL (too
// many writes waiting; the callback then runs at once, on the caller's
// thread) or STORE_FULL (the disk is full), UNAVAILABLE with reason
// STORE_UNAVAILABLE (the disk cannot be written). These carry no internal
// detail: a client may be told them as they are.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/refusal.h"
#include "makegood/v1/checks.pb.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/order_events.pb.h"
#include "makegood/v1/report.pb.h"
#include "report/report_rows.h"
#include "store/recovery_types.h"
#include "store/watch_types.h"

namespace makegood::store {

// What became of one appended event.
enum class EventOutcome {
  kAccepted,   // Stored now.
  kDuplicate,  // (source, event_id) was already stored; nothing changed.
  kRejected,   // Refused by the stored state (a code already redeemed);
               // nothing of it is stored.
};

struct EventResult {
  EventOutcome outcome = EventOutcome::kAccepted;
  // When rejected: the event's id, why, and why for programs.
  std::string event_id;
  std::string reason;
  core::Reason error_reason = makegood::v1::Error::REASON_UNSPECIFIED;

  bool operator==(const EventResult&) const = default;
};

using AppendDone =
    std::function<void(absl::StatusOr<std::vector<EventResult>>)>;

struct CheckListQuery {
  // Only checks neither paid nor closed.
  bool open_only = false;
  // Checks per page, 1 to 1000.
  int page_size = 100;
  // From a previous CheckPage; empty for the first page.
  std::string page_token;
};

struct CheckPage {
  // Most recently started first, without items.
  std::vector<makegood::v1::Check> checks;
  // Empty on the last page.
  std::string next_page_token;
};

class Store {
 public:
  virtual ~Store() = default;

  // Records the location's currency and time zone (from the configuration)
  // so that stored amounts and times can be read back. Blocks until
  // committed.
  virtual absl::Status RegisterLocation(
      const makegood::v1::Location& location) = 0;

  // Stores validated events and updates their checks. Events already stored
  // (same source and event_id, also earlier in `events`) are duplicates and
  // change nothing. `done` gets one outcome per event, in order, once the
  // transaction holding them has committed; it runs on a store thread (the
  // writer or its completion thread) and must not block.
  virtual void AppendEvents(std::vector<makegood::v1::OrderEvent> events,
                            absl::Time received_at, AppendDone done) = 0;

  // NOT_FOUND when no event of the check is stored.
  virtual absl::StatusOr<makegood::v1::Check> GetCheck(
      absl::string_view location_id, absl::string_view check_id) = 0;

  // INVALID_ARGUMENT for a page token not from a previous page.
  virtual absl::StatusOr<CheckPage> ListChecks(absl::string_view location_id,
                                               const CheckListQuery& query) = 0;

  // Recovery requests. Each runs in one write transaction: the request id
  // is checked, the case and everything it implies (remedies, ledger rows,
  // commands, codes) are written, and `done` runs after the commit, on the
  // store thread (the writer or its completion thread), in commit order. A
  // failed request changes nothing. The request's fields are validated by the
  // caller; the store answers NOT_FOUND, FAILED_PRECONDITION, PERMISSION_DENIED
  // and ALREADY_EXISTS (a request id reused for a different request).
  virtual void FlagProblem(const RecoveryCall& call,
                           const makegood::v1::FlagProblemRequest& request,
                           RecoveryDone done) = 0;
  virtual void ApplyRemedy(const RecoveryCall& call,
                           const makegood::v1::ApplyRemedyRequest& request,
                           RecoveryDone done) = 0;
  virtual void ApproveRemedy(const RecoveryCall& call,
                             const makegood::v1::ApproveRemedyRequest& request,
                             RecoveryDone done) = 0;
  virtual void RecordOutcome(const RecoveryCall& call,
                             const makegood::v1::RecordOutcomeRequest& request,
                             RecoveryDone done) = 0;
  virtual void AckCommand(const RecoveryCall& call,
                          const makegood::v1::AckCommandRequest& request,
                          AckDone done) = 0;

  // NOT_FOUND for an unknown case.
  virtual absl::StatusOr<makegood::v1::RecoveryCase> GetRecovery(
      absl::string_view location_id, absl::string_view case_id,
      bool with_contact) = 0;
  // INVALID_ARGUMENT for a bad page token or size.
  virtual absl::StatusOr<RecoveryPage> ListRecoveries(
      absl::string_view location_id, const RecoveryListQuery& query) = 0;
  // One page of the location's commands not yet acknowledged, oldest
  // first (store/outbox.h); read after every write queued before the call.
  // INVALID_ARGUMENT for a limit out of range.
  virtual absl::StatusOr<CommandPage> UnackedCommands(
      absl::string_view location_id, const CommandPageQuery& query) = 0;
  // Counts a delivery of each command (fire and forget).
  virtual void CountDeliveries(std::vector<std::string> command_ids) = 0;
  // What a WatchRecoveries stream starts with (store/watch_types.h), read
  // in the writer's order: `done` runs on a store thread after the
  // `done` of every write queued before this call and before the `done` of
  // any write queued after it. A caller that registers for live changes in
  // `done`, where the writes' results are published, so sees every change
  // exactly once: in the snapshot or live. INTERNAL when SQLite fails,
  // UNAVAILABLE after Shutdown (then `done` may run before this returns).
  virtual void ReadWatchSnapshot(const WatchSnapshotQuery& query,
                                 WatchSnapshotDone done) = 0;
  // Recomputes the ledger's hash chain from the first row.
  virtual absl::StatusOr<LedgerVerification> VerifyLedger() = 0;

  // Marks a follow-up done (idempotent by request id, like the recovery
  // requests). NOT_FOUND, FAILED_PRECONDITION (already done).
  virtual void CompleteFollowUp(
      const RecoveryCall& call,
      const makegood::v1::CompleteFollowUpRequest& request,
      FollowUpDone done) = 0;
  // One page of the follow-ups not done and due by query.due_by, soonest
  // first, with the contact details kept at `now`. INVALID_ARGUMENT for a
  // bad page token or size.
  virtual absl::StatusOr<FollowUpPage> DueFollowUps(
      absl::string_view location_id, const FollowUpQuery& query,
      absl::Time now) = 0;

  // What the reports aggregate (see report/report_rows.h), each call's rows
  // read from one snapshot.
  virtual absl::StatusOr<report::DayRows> ReadDay(absl::string_view location_id,
                                                  absl::Time start,
                                                  absl::Time end) = 0;
  virtual absl::StatusOr<report::StaffRows> ReadStaff(
      absl::string_view location_id, absl::Time start, absl::Time end,
      absl::string_view first_day, absl::string_view last_day) = 0;
  // The rows of ReadStaff handed to `sink` as they are read, none held, for
  // periods up to a year (report::StaffRowSink gives the order), all from
  // one snapshot. `sink` is called on the caller's thread, before this
  // returns, while the read holds a reader connection and its snapshot
  // open: it must not call the store (this or any other method).
  virtual absl::Status StreamStaff(absl::string_view location_id,
                                   absl::Time start, absl::Time end,
                                   absl::string_view first_day,
                                   absl::string_view last_day,
                                   report::StaffRowSink& sink) = 0;
  virtual absl::StatusOr<std::vector<makegood::v1::RecoveryCase>> CasesFlagged(
      absl::string_view location_id, absl::Time start, absl::Time end) = 0;

  // Whether writes can be stored: `observer` is called at once, on this
  // thread, with the answer, then from the store's writer with false when
  // writes begin to fail for a full or failing disk (STORE_FULL,
  // STORE_UNAVAILABLE) and with true when one commits again; one call at a
  // time. It must not block or call the store. Replaces the previous
  // observer (nullptr: none); once this returns, no call to a previous
  // observer runs.
  virtual void WatchWriteHealth(
      std::function<void(bool can_write)> observer) = 0;

  // Commits what is queued and stops accepting writes (later writes fail
  // with UNAVAILABLE). Blocks until done.
  virtual void Shutdown() = 0;
};

// Convenience for callers that may block (tests, tools): AppendEvents and
// wait for the commit.
absl::StatusOr<std::vector<EventResult>> AppendEventsAndWait(
    Store& store, std::vector<makegood::v1::OrderEvent> events,
    absl::Time received_at);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_STORE_H_
