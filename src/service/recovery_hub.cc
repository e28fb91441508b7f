#include "service/recovery_hub.h"

#include "core/proto_time.h"

namespace makegood::service {

bool RecoveryHub::Add(Listener* listener) {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  listeners_.insert(listener);
  return true;
}

void RecoveryHub::Remove(Listener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(listener);
}

void RecoveryHub::Publish(const store::RecoveryResult& result, absl::Time at) {
  if (result.replayed) return;  // Nothing changed.
  makegood::v1::RecoveryUpdate changed;
  *changed.mutable_at() = core::ToProto(at);
  *changed.mutable_case_changed() = result.recovery;
  absl::MutexLock lock(&mu_);
  for (Listener* listener : listeners_) {
    listener->OnUpdate(changed);
    for (const auto& alert : result.alerts) {
      makegood::v1::RecoveryUpdate update;
      *update.mutable_at() = core::ToProto(at);
      *update.mutable_alert() = alert;
      listener->OnUpdate(update);
    }
    for (const auto& command : result.commands) listener->OnCommand(command);
  }
}

void RecoveryHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (Listener* listener : listeners_) listener->OnClose();
}

}  // namespace makegood::service
