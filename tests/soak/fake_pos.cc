#include "soak/fake_pos.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "soak/failure.h"

namespace makegood::soak {

std::optional<std::string> FakePos::ReadBack(
    const std::string& command_id) const {
  absl::MutexLock lock(&mu_);
  auto found = written_.find(command_id);
  if (found == written_.end()) return std::nullopt;
  return found->second.reference;
}

std::string FakePos::Write(const makegood::v1::RemedyCommand& command,
                           const std::string& adapter) {
  std::string first_writer;
  {
    absl::MutexLock lock(&mu_);
    ++writes_;
    Written& written = written_[command.command_id()];
    if (++written.writes == 1) {
      written.reference = absl::StrCat("pos-", command.command_id());
      written.adapter = adapter;
      return written.reference;
    }
    first_writer = written.adapter;
  }
  Fail(absl::StrCat("command ", command.command_id(), " (case ",
                    command.case_id(), ") was written on the POS twice: by ",
                    first_writer, ", then by ", adapter,
                    " on delivery attempt ", command.delivery_attempt(),
                    ", after both read the POS back without finding it: two "
                    "streams held its lease at once"));
}

std::map<std::string, FakePos::Written> FakePos::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return written_;
}

int64_t FakePos::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

int64_t AckBook::StreamOpening() {
  absl::MutexLock lock(&mu_);
  return ++clock_;
}

void AckBook::CheckDelivery(const makegood::v1::RemedyCommand& command,
                            int64_t stream_opened,
                            const std::string& adapter) const {
  int64_t acked_tick = 0;
  {
    absl::MutexLock lock(&mu_);
    auto found = acked_.find(command.command_id());
    if (found == acked_.end() || found->second.tick > stream_opened) return;
    acked_tick = found->second.tick;
  }
  Fail(absl::StrCat("command ", command.command_id(), " (case ",
                    command.case_id(), ") was handed to ", adapter,
                    " (delivery attempt ", command.delivery_attempt(),
                    ") on a stream opened at tick ", stream_opened,
                    ", after makegoodd had answered its ack at tick ",
                    acked_tick, ": an acknowledged command was offered again"));
}

void AckBook::Answered(const std::string& command_id,
                       makegood::v1::AckCommandRequest::Result recorded) {
  absl::MutexLock lock(&mu_);
  ++clock_;
  acked_.try_emplace(command_id, Ack{clock_, recorded});
}

std::vector<std::string> AckBook::WaitForAll(
    const std::set<std::string>& command_ids, absl::Duration timeout) const {
  auto all_acked = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    for (const std::string& id : command_ids) {
      if (!acked_.contains(id)) return false;
    }
    return true;
  };
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&all_acked), timeout);
  std::vector<std::string> missing;
  for (const std::string& id : command_ids) {
    if (!acked_.contains(id)) missing.push_back(id);
  }
  return missing;
}

int64_t AckBook::answered() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(acked_.size());
}

}  // namespace makegood::soak
