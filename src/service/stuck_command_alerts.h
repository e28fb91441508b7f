#ifndef MAKEGOOD_SERVICE_STUCK_COMMAND_ALERTS_H_
#define MAKEGOOD_SERVICE_STUCK_COMMAND_ALERTS_H_

// Raises a COMMAND_STUCK alert on the hub for each remedy command that no
// adapter answered (APPLIED or REJECTED) server.command_stuck_after_seconds
// after it was issued, so that the server at the table knows the remedy
// did not reach the POS. The rule is core/recovery/delivery_stuck.h; this is
// the timer and the bookkeeping beside the CommandDispatcher.
//
// Invariants:
//  1. A remedy command is watched from its commit (OnCommand, under the
//     hub's lock) or from the start (Load) until its answer is published:
//     a case_changed in which the remedy carrying it is no longer SENT
//     (OnUpdate, under the hub's lock). Follow-up commands are not watched.
//  2. Each watched command's alert is raised at most once, through
//     RecoveryHub::PublishAlertIf, whose check runs under the hub's lock:
//     an answer published before it can never be followed by the alert.
//  3. Raised() is true from that publication until the answer's, both
//     under the hub's lock; a WatchRecoveries snapshot keeps exactly the
//     COMMAND_STUCK alerts it is true for (RecoveryHub, 5.), so a screen
//     gets each alert once: in its snapshot or live.
//  4. Lock order: the hub's lock, then mu_. Nothing here calls the hub
//     while holding mu_.
// "Now" is the injected clock's (simulated under --simulated-clock); the
// timer wakes every `check_every` of real time.
// Thread-safe.

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/recovery/delivery_stuck.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "service/recovery_hub.h"

namespace makegood::service {

struct StuckCommandAlertsOptions {
  // server.command_stuck_after_seconds.
  absl::Duration stuck_after = absl::Minutes(2);
  // How often the timer looks (real time); an alert comes at most this
  // late.
  absl::Duration check_every = absl::Seconds(1);
};

class StuckCommandAlerts final : public RecoveryHub::Listener {
 public:
  // `hub` and `clock` must outlive this. Register it with hub.Add; no
  // timer runs before Start.
  StuckCommandAlerts(RecoveryHub& hub, const core::Clock& clock,
                     StuckCommandAlertsOptions options);
  StuckCommandAlerts(const StuckCommandAlerts&) = delete;
  StuckCommandAlerts& operator=(const StuckCommandAlerts&) = delete;
  // Stops the timer.
  ~StuckCommandAlerts() override;

  // Unanswered commands at start (a page of the store's backlog).
  void Load(const std::vector<makegood::v1::RemedyCommand>& backlog);

  // Starts the timer thread, which calls RaiseDue. Stop ends it; both
  // once.
  void Start();
  void Stop();

  // Raises the alerts due at the clock's now (2.); the timer's work, public
  // for tests.
  void RaiseDue();

  // Whether `alert` is a COMMAND_STUCK alert raised and not yet answered
  // (3.). Called under the hub's lock.
  bool Raised(const makegood::v1::Alert& alert) const;

  // RecoveryHub::Listener, under the hub's lock (1.).
  void OnCommand(const makegood::v1::RemedyCommand& command) override;
  void OnUpdate(const makegood::v1::RecoveryUpdate& update) override;
  void OnClose() override {}

 private:
  struct Watched {
    core::StuckDelivery delivery;
    absl::Time issued_at;
    bool raised = false;
  };

  void WatchLocked(const makegood::v1::RemedyCommand& command)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks the command's alert raised, if it is still watched and was not
  // raised yet; whether it did. PublishAlertIf's check.
  bool MarkRaised(const std::string& command_id);

  // Const after construction.
  RecoveryHub& hub_;
  const core::Clock& clock_;
  const StuckCommandAlertsOptions options_;

  mutable absl::Mutex mu_;
  std::map<std::string, Watched> watched_ ABSL_GUARDED_BY(mu_);  // By id.
  std::set<std::string> raised_alert_ids_ ABSL_GUARDED_BY(mu_);

  absl::Notification stop_;
  std::thread timer_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_STUCK_COMMAND_ALERTS_H_
