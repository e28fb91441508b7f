#include "service/command_dispatcher.h"

#include <limits>

#include "absl/time/clock.h"
#include "core/proto_time.h"

namespace makegood::service {

using makegood::v1::CommandKind;
using makegood::v1::RemedyCommand;

CommandDispatcher::CommandDispatcher(CommandDispatcherOptions options)
    : options_(options), timer_([this] { RunTimer(); }) {}

CommandDispatcher::~CommandDispatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  timer_.join();
}

CommandKind CommandDispatcher::KindOf(const RemedyCommand& command) {
  return command.has_guest_follow_up() ? makegood::v1::COMMAND_KIND_FOLLOW_UP
                                       : makegood::v1::COMMAND_KIND_REMEDY;
}

CommandDispatcher::Key CommandDispatcher::KeyOf(const RemedyCommand& command) {
  return {core::ToUnixMicros(command.created_at()), command.command_id()};
}

void CommandDispatcher::Load(std::vector<RemedyCommand> backlog) {
  absl::MutexLock lock(&mu_);
  for (RemedyCommand& command : backlog) {
    const Key key = KeyOf(command);
    if (keys_.count(command.command_id()) > 0) continue;
    keys_[command.command_id()] = key;
    pending_[key].command = std::move(command);
  }
  PumpLocked();
}

void CommandDispatcher::OnCommand(const RemedyCommand& command) {
  absl::MutexLock lock(&mu_);
  if (keys_.count(command.command_id()) > 0) return;
  const Key key = KeyOf(command);
  keys_[command.command_id()] = key;
  Pending& pending = pending_[key];
  pending.command = command;
  pending.command.set_delivery_attempt(1);
  PumpLocked();
}

void CommandDispatcher::AddStream(Stream* stream, std::set<CommandKind> kinds) {
  absl::MutexLock lock(&mu_);
  kinds.erase(makegood::v1::COMMAND_KIND_UNSPECIFIED);
  streams_[stream] = StreamState{std::move(kinds), 0, next_order_++};
  PumpLocked();
}

void CommandDispatcher::RemoveStream(Stream* stream) {
  absl::MutexLock lock(&mu_);
  if (DropStreamLocked(stream)) PumpLocked();
}

bool CommandDispatcher::DropStreamLocked(Stream* stream) {
  if (streams_.erase(stream) == 0) return false;
  for (auto& [key, pending] : pending_) {
    if (pending.leased_to == stream) {
      pending.leased_to = nullptr;
      pending.lease_ends = absl::InfinitePast();
    }
  }
  return true;
}

void CommandDispatcher::Acked(const std::string& command_id) {
  absl::MutexLock lock(&mu_);
  auto key = keys_.find(command_id);
  if (key == keys_.end()) return;
  auto pending = pending_.find(key->second);
  if (pending != pending_.end()) {
    ReleaseLocked(pending->second);
    pending_.erase(pending);
  }
  keys_.erase(key);
  PumpLocked();
}

void CommandDispatcher::RetryLater(const std::string& command_id,
                                   absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  auto key = keys_.find(command_id);
  if (key == keys_.end()) return;
  Pending& pending = pending_[key->second];
  ReleaseLocked(pending);
  pending.not_before = absl::Now() + delay;
  PumpLocked();
}

std::pair<int, int> CommandDispatcher::LeasedAndWaiting() const {
  absl::MutexLock lock(&mu_);
  int leased = 0;
  for (const auto& [key, pending] : pending_)
    leased += pending.leased_to != nullptr ? 1 : 0;
  return {leased, static_cast<int>(pending_.size()) - leased};
}

int CommandDispatcher::StreamCount() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

void CommandDispatcher::ReleaseLocked(Pending& pending) {
  if (pending.leased_to == nullptr) return;
  auto stream = streams_.find(pending.leased_to);
  if (stream != streams_.end()) --stream->second.leases;
  pending.leased_to = nullptr;
  pending.lease_ends = absl::InfinitePast();
}

void CommandDispatcher::PumpLocked() {
  // Each refusal drops a stream, so this ends.
  while (!PumpPassLocked()) {
  }
}

bool CommandDispatcher::PumpPassLocked() {
  if (streams_.empty()) return true;
  const absl::Time now = absl::Now();
  for (auto& [key, pending] : pending_) {
    if (pending.leased_to != nullptr || pending.not_before > now) continue;
    const CommandKind kind = KindOf(pending.command);
    Stream* chosen = nullptr;
    const StreamState* best = nullptr;
    for (auto& [stream, state] : streams_) {
      if (!state.kinds.empty() && state.kinds.count(kind) == 0) continue;
      if (state.leases >= options_.max_leases_per_stream) continue;
      if (best == nullptr || state.leases < best->leases ||
          (state.leases == best->leases && state.order < best->order)) {
        chosen = stream;
        best = &state;
      }
    }
    if (chosen == nullptr) continue;  // Nobody takes this kind now.
    pending.command.set_lease_seconds(static_cast<int32_t>(absl::ToInt64Seconds(
        absl::Ceil(options_.ack_deadline, absl::Seconds(1)))));
    if (!chosen->Deliver(pending.command)) {
      DropStreamLocked(chosen);  // The command was not leased to it.
      return false;
    }
    ++streams_[chosen].leases;
    pending.leased_to = chosen;
    pending.lease_ends = now + options_.ack_deadline;
    pending.command.set_delivery_attempt(pending.command.delivery_attempt() +
                                         1);
  }
  return true;
}

void CommandDispatcher::RunTimer() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    absl::Time next = now + absl::Seconds(1);
    bool expired = false;
    for (auto& [key, pending] : pending_) {
      if (pending.leased_to != nullptr) {
        if (pending.lease_ends <= now) {
          ReleaseLocked(pending);
          expired = true;
        } else {
          next = std::min(next, pending.lease_ends);
        }
      } else if (pending.not_before > now) {
        next = std::min(next, pending.not_before);
      } else {
        expired = true;  // Retry time has come.
      }
    }
    if (expired) PumpLocked();
    // Woken early by stopping_; otherwise at the next deadline (at most a
    // second, so a command waiting for a stream of its kind is not held).
    mu_.AwaitWithDeadline(absl::Condition(&stopping_), next);
  }
}

}  // namespace makegood::service
