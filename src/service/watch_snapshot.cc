#include "service/watch_snapshot.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/authority.h"
#include "core/proto_time.h"
#include "core/recovery/alerts.h"
#include "core/recovery/case_state.h"
#include "core/recovery/delivery_stuck.h"
#include "service/server_limits.h"

namespace makegood::service {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using makegood::v1::RecoveryUpdate;

using core::IsClosed;

// Whether a remedy after the one at `index` was sent or applied: the
// rejected one was re-offered.
bool ReofferedAfter(const RecoveryCase& recovery, int index) {
  for (int i = index + 1; i < recovery.remedies_size(); ++i) {
    if (core::CountsAsGiven(recovery.remedies(i).status())) return true;
  }
  return false;
}

// The remedy's id, for an alert derived from it: the same in every snapshot.
Alert Identified(Alert alert, const AppliedRemedy& remedy) {
  alert.set_alert_id(absl::StrCat("AL-", Alert::Kind_Name(alert.kind()), "-",
                                  remedy.remedy_application_id()));
  return alert;
}

// The alert the remedy at `index` still calls for, if any.
std::optional<Alert> PendingAlert(const store::WatchCase& open, int index,
                                  const core::RecoveryRules& rules) {
  const RecoveryCase& recovery = open.recovery;
  const AppliedRemedy& remedy = recovery.remedies(index);
  if (remedy.status() == AppliedRemedy::PENDING_APPROVAL) {
    return Identified(core::ApprovalAskedAlert(rules, recovery, remedy),
                      remedy);
  }
  if (remedy.kind() == makegood::v1::MANAGER_VISIT &&
      core::CountsAsGiven(remedy.status())) {
    return Identified(
        core::ManagerVisitAlert(rules, recovery, remedy, open.table), remedy);
  }
  if (remedy.status() == AppliedRemedy::REJECTED &&
      !ReofferedAfter(recovery, index)) {
    return Identified(core::CommandRejectedAlert(recovery, remedy), remedy);
  }
  return std::nullopt;
}

RecoveryUpdate At(absl::Time at) {
  RecoveryUpdate update;
  *update.mutable_at() = core::ToProto(at);
  return update;
}

}  // namespace

store::WatchSnapshotQuery SnapshotQuery(const core::RecoveryRules& rules,
                                        absl::Time now) {
  store::WatchSnapshotQuery query;
  query.location_id = rules.location_id();
  auto day = rules.BoundsOf(rules.BusinessDay(now));
  if (day.ok()) {
    query.recurring_from = day->start;
    query.recurring_to = day->end;
  } else {  // Not for a valid configuration; the last day then.
    query.recurring_from = now - absl::Hours(24);
    query.recurring_to = now + absl::Seconds(1);
  }
  const auto& recurring = rules.config().recurring();
  query.recurring_window = absl::Minutes(recurring.window_minutes());
  query.recurring_count = recurring.count();
  return query;
}

std::vector<RecoveryUpdate> SnapshotUpdates(
    const store::WatchSnapshot& snapshot, const core::RecoveryRules& rules,
    absl::Time at) {
  const absl::Duration stuck_after = CommandStuckAfter(rules.config());
  std::vector<RecoveryUpdate> updates;
  for (const store::WatchCase& read : snapshot.cases) {
    store::WatchCase open = read;
    core::MarkStuckDeliveries(open.recovery, at, stuck_after);
    // A closed case still lacks a stuck remedy at the POS; nothing else of
    // it is pending.
    const bool closed = IsClosed(open.recovery);
    std::vector<Alert> alerts;
    for (int i = 0; i < open.recovery.remedies_size(); ++i) {
      const AppliedRemedy& remedy = open.recovery.remedies(i);
      if (remedy.delivery_stuck()) {
        alerts.push_back(core::StuckAlert(
            core::StuckDeliveryOf(open.recovery, remedy), stuck_after));
      } else if (!closed) {
        if (auto alert = PendingAlert(open, i, rules)) {
          alerts.push_back(*std::move(alert));
        }
      }
    }
    if (alerts.empty()) continue;
    RecoveryUpdate changed = At(at);
    *changed.mutable_case_changed() = open.recovery;
    updates.push_back(std::move(changed));
    for (Alert& alert : alerts) {
      RecoveryUpdate update = At(at);
      *update.mutable_alert() = std::move(alert);
      updates.push_back(std::move(update));
    }
  }
  for (const store::RecurringProblem& problem : snapshot.recurring) {
    RecoveryUpdate update = At(at);
    Alert& alert = *update.mutable_alert();
    alert = core::RecurringProblemAlert(
        rules,
        {problem.key_kind == "item" ? problem.item_name : "",
         problem.key_kind == "station" ? problem.key_id : "",
         problem.category_id, problem.check_id, problem.first_at, problem.at});
    alert.set_alert_id(absl::StrCat("AL-RECURRING_PROBLEM-", problem.case_id,
                                    "-", problem.key_kind, "-",
                                    problem.key_id));
    updates.push_back(std::move(update));
  }
  return updates;
}

}  // namespace makegood::service
