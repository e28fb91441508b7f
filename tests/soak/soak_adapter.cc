#include "soak/soak_adapter.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "soak/failure.h"

namespace makegood::soak {

using makegood::v1::AckCommandRequest;
using makegood::v1::RemedyCommand;

SoakAdapter::SoakAdapter(std::string name,
                         std::shared_ptr<grpc::Channel> channel, uint64_t seed,
                         RetryOptions retry, FakePos& pos, AckBook& acks,
                         AnswerLog& log)
    : name_(std::move(name)),
      seed_(seed),
      retry_(retry),
      pos_(pos),
      acks_(acks),
      log_(log),
      stub_(makegood::v1::RemedyCommandService::NewStub(channel)),
      receiver_(
          channel, [this] { return NewStreamContext(); }, name_,
          [this](const RemedyCommand& command) { Handle(command); },
          [this](const grpc::Status& status) { StreamEnded(status); },
          {makegood::v1::COMMAND_KIND_REMEDY}) {}

SoakAdapter::~SoakAdapter() { Stop(); }

void SoakAdapter::Stop() { receiver_.Stop(); }

SoakAdapter::Counts SoakAdapter::counts() const {
  absl::MutexLock lock(&mu_);
  Counts counts = counts_;
  counts.ack_retries = ack_retries_.load();
  return counts;
}

bool SoakAdapter::PosRefuses(const std::string& command_id, uint64_t seed) {
  // FNV-1a over the seed and the id: the same in every adapter and run.
  uint64_t hash = 14695981039346656037ull ^ seed;
  for (const unsigned char c : command_id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash % 10 == 0;
}

std::unique_ptr<grpc::ClientContext> SoakAdapter::NewStreamContext() {
  // Made right before each StreamCommands call, on the receiver's thread.
  stream_opened_ = acks_.StreamOpening();
  {
    absl::MutexLock lock(&mu_);
    ++counts_.streams;
  }
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization",
                       absl::StrCat("Bearer ", kPosAdapter.token));
  context->set_wait_for_ready(true);  // Through makegoodd's restarts.
  return context;
}

void SoakAdapter::StreamEnded(const grpc::Status& status) {
  // Without faults a stream has no reason to end before Stop.
  if (!retry_.retry) {
    Fail(absl::StrCat(name_, "'s command stream ended: ", Describe(status)));
  }
}

void SoakAdapter::Handle(const RemedyCommand& command) {
  acks_.CheckDelivery(command, stream_opened_, name_);
  const std::string& id = command.command_id();
  {
    absl::MutexLock lock(&mu_);
    ++counts_.deliveries;
  }
  if (!command.has_apply_remedy()) {
    Fail(absl::StrCat(name_, " asked for remedies only and was handed command ",
                      id, ", which is not one"));
  }
  auto known = outcomes_.find(id);
  if (known != outcomes_.end()) {
    // Redelivered: acknowledge again, do not redo.
    {
      absl::MutexLock lock(&mu_);
      ++counts_.known_again;
    }
    Acknowledge(command, known->second);
    return;
  }
  Outcome outcome;
  if (PosRefuses(id, seed_)) {
    absl::MutexLock lock(&mu_);
    ++counts_.rejected;
  } else if (auto reference = pos_.ReadBack(id)) {
    outcome = Outcome{true, *reference};
    absl::MutexLock lock(&mu_);
    ++counts_.found_by_marker;
  } else {
    outcome = Outcome{true, pos_.Write(command, name_)};
    absl::MutexLock lock(&mu_);
    ++counts_.written;
  }
  // Saved before it is acknowledged, as the real state store does.
  outcomes_[id] = outcome;
  Acknowledge(command, outcome);
}

void SoakAdapter::Acknowledge(const RemedyCommand& command,
                              const Outcome& outcome) {
  AckCommandRequest request;
  request.set_request_id("ack-" + command.command_id());
  request.set_command_id(command.command_id());
  if (outcome.applied) {
    request.set_result(AckCommandRequest::APPLIED);
    request.set_pos_reference(outcome.pos_reference);
  } else {
    request.set_result(AckCommandRequest::REJECTED);
    request.set_vendor_reason("the check is closed at the terminal");
  }
  makegood::v1::AckCommandResponse response;
  const grpc::Status status = CallUntilAnswered(
      absl::StrCat(name_, " acking ", command.command_id()), retry_,
      [&] {
        response.Clear();
        return stub_->AckCommand(CallContext(kPosAdapter).get(), request,
                                 &response);
      },
      &ack_retries_);
  if (!status.ok()) {
    Fail(absl::StrCat(name_, ": the ack of ", command.command_id(), " (case ",
                      command.case_id(), ") was refused: ", Describe(status)));
  }
  if (response.command_id() != command.command_id() ||
      response.recorded_result() != request.result()) {
    Fail(absl::StrCat(name_, ": the ack of ", command.command_id(),
                      " was answered with ", response.ShortDebugString(),
                      ", not the ",
                      AckCommandRequest::Result_Name(request.result()),
                      " every adapter gives for it"));
  }
  acks_.Answered(command.command_id(), response.recorded_result());
  log_.AddAck(AckAnswer{kPosAdapter.id, request.request_id(),
                        command.command_id(), response.recorded_result()});
  absl::MutexLock lock(&mu_);
  ++counts_.acks;
}

}  // namespace makegood::soak
