#include "client/command_receiver.h"

#include <algorithm>
#include <utility>

namespace makegood::client {
namespace {

constexpr absl::Duration kFirstRetry = absl::Milliseconds(100);
constexpr absl::Duration kLongestRetry = absl::Seconds(5);

}  // namespace

CommandReceiver::CommandReceiver(std::shared_ptr<grpc::Channel> channel,
                                 ContextFactory new_context,
                                 std::string adapter_name, Handler handler,
                                 Ended ended,
                                 std::vector<makegood::v1::CommandKind> kinds)
    : stub_(makegood::v1::RemedyCommandService::NewStub(std::move(channel))),
      new_context_(std::move(new_context)),
      adapter_name_(std::move(adapter_name)),
      handler_(std::move(handler)),
      ended_(std::move(ended)),
      kinds_(std::move(kinds)),
      thread_([this] { Run(); }) {}

CommandReceiver::~CommandReceiver() { Stop(); }

void CommandReceiver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool CommandReceiver::SleepUnlessStopped(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
  return !stopping_;
}

void CommandReceiver::Run() {
  absl::Duration retry = kFirstRetry;
  makegood::v1::StreamCommandsRequest request;
  request.set_adapter_name(adapter_name_);
  for (makegood::v1::CommandKind kind : kinds_) request.add_kinds(kind);
  for (;;) {
    std::unique_ptr<grpc::ClientContext> context = new_context_();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      current_ = context.get();
    }
    auto reader = stub_->StreamCommands(context.get(), request);
    makegood::v1::RemedyCommand command;
    while (reader->Read(&command)) {
      retry = kFirstRetry;  // Connected: the next outage starts afresh.
      handler_(command);
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      current_ = nullptr;
      if (stopping_) return;
    }
    if (ended_) ended_(status);  // Any end is followed by a reconnect.
    if (!SleepUnlessStopped(retry)) return;
    retry = std::min(retry * 2, kLongestRetry);
  }
}

}  // namespace makegood::client
