#include "soak/answer_log.h"

#include <utility>

namespace makegood::soak {

void AnswerLog::AddRecovery(RecoveryAnswer answer) {
  auto entry = std::make_shared<const RecoveryAnswer>(std::move(answer));
  absl::MutexLock lock(&mu_);
  log_.recovery.push_back(std::move(entry));
}

void AnswerLog::AddAck(AckAnswer answer) {
  auto entry = std::make_shared<const AckAnswer>(std::move(answer));
  absl::MutexLock lock(&mu_);
  log_.acks.push_back(std::move(entry));
}

void AnswerLog::AddEvents(const std::vector<std::string>& event_ids) {
  absl::MutexLock lock(&mu_);
  log_.event_ids.insert(log_.event_ids.end(), event_ids.begin(),
                        event_ids.end());
}

AnswerLog::Snapshot AnswerLog::Take() const {
  absl::MutexLock lock(&mu_);
  return log_;
}

int64_t AnswerLog::answers() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(log_.recovery.size() + log_.acks.size());
}

std::set<std::string> AnswerLog::CommandIds() const {
  absl::MutexLock lock(&mu_);
  std::set<std::string> ids;
  for (const auto& entry : log_.recovery) {
    for (const auto& remedy : entry->answer.remedies()) {
      if (!remedy.command_id().empty()) ids.insert(remedy.command_id());
    }
  }
  return ids;
}

}  // namespace makegood::soak
