#ifndef MAKEGOOD_HTTP_RPC_CALL_H_
#define MAKEGOOD_HTTP_RPC_CALL_H_

// One call to makegoodd's own gRPC server through its in-process channel,
// for a request that came over HTTP: the same handler, auth and role check
// as a gRPC client gets. Any method shape (unary or streaming) runs as a
// bidirectional stream on the wire, which gRPC allows: the requests are
// written, then the responses read one at a time as the HTTP side asks for
// them, so a slow browser slows the stream instead of filling memory.
// Thread-safe; Next is called by one thread at a time.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace makegood::http {

struct RpcCallOptions {
  // "/makegood.v1.CheckService/ListChecks".
  std::string method_path;
  // The request's Authorization header; empty when it had none.
  std::string authorization;
  // From Connect-Timeout-Ms.
  std::optional<absl::Duration> timeout;
  // Serialized request messages, in order.
  std::vector<std::string> requests;
};

class RpcCall {
 public:
  // Starts the call on `channel`.
  static std::unique_ptr<RpcCall> Start(
      const std::shared_ptr<grpc::Channel>& channel, RpcCallOptions options);
  RpcCall(const RpcCall&) = delete;
  RpcCall& operator=(const RpcCall&) = delete;
  // Cancels the call if it is still running; gRPC finishes it on its own
  // threads.
  ~RpcCall();

  // What Next saw.
  struct Event {
    // A serialized response message, or nullopt once the call ended.
    std::optional<std::string> message;
    // Set with the end.
    grpc::Status status;
    // Neither came within the wait.
    bool waiting = false;
  };
  // The next response message or the end, waiting at most `wait`.
  Event Next(absl::Duration wait);

  // Ends the call early (the HTTP client went away); Next then ends it.
  void Cancel();

 private:
  class Reactor;
  explicit RpcCall(std::shared_ptr<Reactor> reactor)
      : reactor_(std::move(reactor)) {}

  // Shared with the reactor itself, which keeps itself alive until gRPC's
  // last reaction (OnDone) has returned.
  std::shared_ptr<Reactor> reactor_;
};

// A call that answers one message (a unary RPC), run to its end.
struct UnaryAnswer {
  grpc::Status status;
  // The response; nullopt when the call failed, or sent none.
  std::optional<std::string> message;
};
UnaryAnswer CallUnary(const std::shared_ptr<grpc::Channel>& channel,
                      RpcCallOptions options);

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_RPC_CALL_H_
