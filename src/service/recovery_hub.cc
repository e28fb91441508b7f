#include "service/recovery_hub.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"

namespace makegood::service {
namespace {

using makegood::v1::CaughtUp;
using makegood::v1::RecoveryUpdate;

// 64 random bits as 16 hex digits: another run gets another epoch.
std::string RandomEpoch() {
  std::random_device random;
  const uint64_t high = random();
  const uint64_t low = random();
  return absl::StrCat(absl::Hex((high << 32) ^ low, absl::kZeroPad16));
}

}  // namespace

RecoveryHub::RecoveryHub(RecoveryHubOptions options)
    : ring_capacity_(options.ring_capacity),
      epoch_(options.epoch.empty() ? RandomEpoch() : std::move(options.epoch)) {
}

bool RecoveryHub::Add(Listener* listener) {
  absl::MutexLock lock(&mu_);
  if (closed_ || !listener->CredentialsHold().ok()) return false;
  listeners_.insert(listener);
  return true;
}

void RecoveryHub::Remove(Listener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(listener);
  watchers_.erase(listener);
}

absl::StatusOr<CaughtUp::Start> RecoveryHub::Resume(Listener* listener,
                                                    absl::string_view epoch,
                                                    int64_t after_sequence,
                                                    absl::Time at) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::UnavailableError("makegoodd is stopping");
  if (absl::Status holds = listener->CredentialsHold(); !holds.ok()) {
    return holds;
  }
  if (after_sequence <= 0) return CaughtUp::SNAPSHOT;
  if (epoch != epoch_) return CaughtUp::SNAPSHOT_OTHER_RUN;
  // ring_[i] holds sequence oldest_after + 1 + i.
  const int64_t oldest_after =
      last_sequence_ - static_cast<int64_t>(ring_.size());
  if (after_sequence > last_sequence_ || after_sequence < oldest_after) {
    return CaughtUp::SNAPSHOT_TOO_OLD;
  }
  int replayed = 0;
  for (size_t i = static_cast<size_t>(after_sequence - oldest_after);
       i < ring_.size(); ++i) {
    listener->OnUpdate(ring_[i]);
    ++replayed;
  }
  listener->OnUpdate(CaughtUpLocked(CaughtUp::RESUMED, replayed, at));
  listeners_.insert(listener);
  watchers_.insert(listener);
  return CaughtUp::RESUMED;
}

bool RecoveryHub::StartWithSnapshot(
    Listener* listener, std::vector<RecoveryUpdate> snapshot,
    CaughtUp::Start start, absl::Time at,
    const std::function<bool(const RecoveryUpdate&)>& keep) {
  absl::MutexLock lock(&mu_);
  if (closed_ || !listener->CredentialsHold().ok()) return false;
  int handed = 0;
  for (RecoveryUpdate& update : snapshot) {
    if (keep && !keep(update)) continue;
    update.set_sequence(0);
    update.set_stream_epoch(epoch_);
    update.set_snapshot(true);
    listener->OnUpdate(update);
    ++handed;
  }
  listener->OnUpdate(CaughtUpLocked(start, handed, at));
  listeners_.insert(listener);
  watchers_.insert(listener);
  return true;
}

void RecoveryHub::Publish(const store::RecoveryResult& result, absl::Time at) {
  if (result.replayed) return;  // Nothing changed.
  RecoveryUpdate changed;
  *changed.mutable_at() = core::ToProto(at);
  *changed.mutable_case_changed() = result.recovery;
  absl::MutexLock lock(&mu_);
  PublishLocked(std::move(changed));
  for (const auto& alert : result.alerts) {
    RecoveryUpdate update;
    *update.mutable_at() = core::ToProto(at);
    *update.mutable_alert() = alert;
    PublishLocked(std::move(update));
  }
  for (Listener* listener : listeners_) {
    for (const auto& command : result.commands) listener->OnCommand(command);
  }
}

void RecoveryHub::PublishAlert(const makegood::v1::Alert& alert,
                               absl::Time at) {
  RecoveryUpdate update;
  *update.mutable_at() = core::ToProto(at);
  *update.mutable_alert() = alert;
  absl::MutexLock lock(&mu_);
  PublishLocked(std::move(update));
}

bool RecoveryHub::PublishAlertIf(const makegood::v1::Alert& alert,
                                 absl::Time at,
                                 const std::function<bool()>& still_due) {
  RecoveryUpdate update;
  *update.mutable_at() = core::ToProto(at);
  *update.mutable_alert() = alert;
  absl::MutexLock lock(&mu_);
  if (closed_ || !still_due()) return false;
  PublishLocked(std::move(update));
  return true;
}

void RecoveryHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (Listener* listener : listeners_) listener->OnClose();
}

int RecoveryHub::RecheckCredentials() {
  absl::MutexLock lock(&mu_);
  int revoked = 0;
  for (Listener* listener : listeners_) {
    if (absl::Status holds = listener->CredentialsHold(); !holds.ok()) {
      // A listener that finishes here is removed (and freed) only after
      // mu_ is released: Remove takes it.
      listener->OnRevoked(holds);
      ++revoked;
    }
  }
  return revoked;
}

int RecoveryHub::WatcherCount() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watchers_.size());
}

void RecoveryHub::PublishLocked(RecoveryUpdate update) {
  update.set_sequence(++last_sequence_);
  update.set_stream_epoch(epoch_);
  for (Listener* listener : listeners_) listener->OnUpdate(update);
  ring_.push_back(std::move(update));
  while (ring_.size() > ring_capacity_) ring_.pop_front();
}

RecoveryUpdate RecoveryHub::CaughtUpLocked(CaughtUp::Start start, int updates,
                                           absl::Time at) const {
  RecoveryUpdate update;
  *update.mutable_at() = core::ToProto(at);
  update.set_sequence(last_sequence_);
  update.set_stream_epoch(epoch_);
  update.mutable_caught_up()->set_start(start);
  update.mutable_caught_up()->set_updates(updates);
  return update;
}

}  // namespace makegood::service
