#ifndef MAKEGOOD_PLUGIN_COMMAND_RECEIVER_H_
#define MAKEGOOD_PLUGIN_COMMAND_RECEIVER_H_

// Streams a location's remedy commands on its own thread and hands each to
// the POS's callback, reconnecting with backoff until stopped.
// Thread-safe: Stop may be called from any thread but the callback's.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"

namespace makegood::plugin {

class CommandReceiver {
 public:
  using Handler = std::function<void(const makegood::v1::RemedyCommand&)>;
  // Prepares a call: deadline-free, with the bearer token.
  using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

  CommandReceiver(std::shared_ptr<grpc::Channel> channel,
                  ContextFactory new_context, std::string adapter_name,
                  Handler handler);
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

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread thread_;  // Last: starts after the members above exist.
};

}  // namespace makegood::plugin

#endif  // MAKEGOOD_PLUGIN_COMMAND_RECEIVER_H_
