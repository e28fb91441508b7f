#ifndef MAKEGOOD_CLIENT_COMMAND_RECEIVER_H_
#define MAKEGOOD_CLIENT_COMMAND_RECEIVER_H_

// Streams a location's remedy commands on its own thread and hands each to
// a handler, reconnecting with backoff until stopped. Used by the POS
// plugin and by the vendor adapters.
// Thread-safe: Stop may be called from any thread but the callback's.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"

namespace makegood::client {

class CommandReceiver {
 public:
  using Handler = std::function<void(const makegood::v1::RemedyCommand&)>;
  // Prepares a call: deadline-free, with the bearer token.
  using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;
  // Told how a stream ended before the receiver reconnects (not on Stop).
  using Ended = std::function<void(const grpc::Status&)>;

  // `kinds`: the commands this client handles (empty: every kind).
  CommandReceiver(std::shared_ptr<grpc::Channel> channel,
                  ContextFactory new_context, std::string adapter_name,
                  Handler handler, Ended ended = nullptr,
                  std::vector<makegood::v1::CommandKind> kinds = {});
  CommandReceiver(const CommandReceiver&) = delete;
  CommandReceiver& operator=(const CommandReceiver&) = delete;
  ~CommandReceiver();  // Stops.

  void Stop();

 private:
  void Run();
  // Waits `delay` unless stopped first; false when stopped.
  bool SleepUnlessStopped(absl::Duration delay);

  // Const after construction.
  const std::unique_ptr<makegood::v1::RemedyCommandService::Stub> stub_;
  const ContextFactory new_context_;
  const std::string adapter_name_;
  const Handler handler_;
  const Ended ended_;
  const std::vector<makegood::v1::CommandKind> kinds_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread thread_;  // Last: starts after the members above exist.
};

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_COMMAND_RECEIVER_H_
