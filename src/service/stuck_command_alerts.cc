#include "service/stuck_command_alerts.h"

#include <pthread.h>

#include <utility>

#include "core/proto_time.h"
#include "telemetry/log.h"

namespace makegood::service {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RemedyCommand;

StuckCommandAlerts::StuckCommandAlerts(RecoveryHub& hub,
                                       const core::Clock& clock,
                                       StuckCommandAlertsOptions options)
    : hub_(hub), clock_(clock), options_(options) {}

StuckCommandAlerts::~StuckCommandAlerts() { Stop(); }

void StuckCommandAlerts::Load(const std::vector<RemedyCommand>& backlog) {
  absl::MutexLock lock(&mu_);
  for (const RemedyCommand& command : backlog) WatchLocked(command);
}

void StuckCommandAlerts::Start() {
  timer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "stuck-commands");
    while (!stop_.WaitForNotificationWithTimeout(options_.check_every)) {
      RaiseDue();
    }
  });
}

void StuckCommandAlerts::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (timer_.joinable()) timer_.join();
}

void StuckCommandAlerts::RaiseDue() {
  const absl::Time now = clock_.Now();
  struct Due {
    std::string command_id;
    core::StuckDelivery delivery;  // For the log.
    Alert alert;
  };
  std::vector<Due> due;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, watched] : watched_) {
      if (watched.raised || !core::IsDeliveryStuck(watched.issued_at, now,
                                                   options_.stuck_after)) {
        continue;
      }
      due.push_back(
          Due{id, watched.delivery,
              core::StuckAlert(watched.delivery, options_.stuck_after)});
    }
  }
  // Outside mu_ (4.): the hub asks MarkRaised under its own lock, where no
  // answer can slip in between (2.).
  for (const Due& entry : due) {
    const std::string& id = entry.command_id;
    if (!hub_.PublishAlertIf(entry.alert, now,
                             [this, &id] { return MarkRaised(id); })) {
      continue;
    }
    const core::StuckDelivery& stuck = entry.delivery;
    telemetry::LogEvent(
        telemetry::LogLevel::kWarning, "command_stuck",
        {{"command", id},
         {"case", stuck.case_id},
         {"check", stuck.check_id},
         {"line", stuck.line_id},
         {"kind", makegood::v1::RemedyKind_Name(stuck.kind)},
         {"stuck_after_s", absl::ToInt64Seconds(options_.stuck_after)}});
  }
}

bool StuckCommandAlerts::MarkRaised(const std::string& command_id) {
  absl::MutexLock lock(&mu_);
  auto watched = watched_.find(command_id);
  if (watched == watched_.end() || watched->second.raised) return false;
  watched->second.raised = true;
  raised_alert_ids_.insert(core::StuckAlertId(command_id));
  return true;
}

bool StuckCommandAlerts::Raised(const Alert& alert) const {
  if (alert.kind() != Alert::COMMAND_STUCK) return false;
  absl::MutexLock lock(&mu_);
  return raised_alert_ids_.count(alert.alert_id()) > 0;
}

void StuckCommandAlerts::OnCommand(const RemedyCommand& command) {
  absl::MutexLock lock(&mu_);
  WatchLocked(command);
}

void StuckCommandAlerts::OnUpdate(const makegood::v1::RecoveryUpdate& update) {
  if (!update.has_case_changed()) return;
  absl::MutexLock lock(&mu_);
  for (const AppliedRemedy& remedy : update.case_changed().remedies()) {
    if (remedy.command_id().empty() || remedy.status() == AppliedRemedy::SENT) {
      continue;
    }
    // Answered (1.).
    if (watched_.erase(remedy.command_id()) > 0) {
      raised_alert_ids_.erase(core::StuckAlertId(remedy.command_id()));
    }
  }
}

void StuckCommandAlerts::WatchLocked(const RemedyCommand& command) {
  if (!command.has_apply_remedy()) return;  // A follow-up.
  watched_.try_emplace(command.command_id(),
                       Watched{core::StuckDeliveryOf(command),
                               core::FromProto(command.created_at())});
}

}  // namespace makegood::service
