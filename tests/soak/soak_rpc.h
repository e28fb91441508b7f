#ifndef MAKEGOOD_TESTS_SOAK_SOAK_RPC_H_
#define MAKEGOOD_TESTS_SOAK_SOAK_RPC_H_

// The soaks' gRPC clients: a connection of its own per simulated device,
// calls that wait for the connection while makegoodd restarts or a cut
// connection is made again, and the retry of a request with the same
// request id until it is answered, as every client of the contract does
// (proto/makegood/v1/common.proto, "Request ids").

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace makegood::soak {

// A demo credential of packaging/config/sample.yaml: its token, and its
// id, the caller that makegoodd scopes request ids to.
struct Credential {
  const char* token;
  const char* id;
};
inline constexpr Credential kDana{"demo-server-dana", "s-17"};
inline constexpr Credential kMarco{"demo-server-marco", "s-22"};
inline constexpr Credential kLee{"demo-manager-lee", "m-2"};
inline constexpr Credential kPosAdapter{"demo-adapter-pos", "pos-adapter-1"};
inline constexpr Credential kOfficeScreen{"demo-reporter-office",
                                          "office-screen"};

// A channel with a TCP connection of its own to `address` (not shared with
// the process's other channels, so that a cut or a restart reaches each
// device separately), reconnecting within a few tens of milliseconds.
std::shared_ptr<grpc::Channel> DeviceChannel(const std::string& address);

// A context for one attempt of a call by `who`: the bearer token, a
// deadline `timeout` away, and wait_for_ready, so that an attempt made
// while the connection is down waits for it to come back.
std::unique_ptr<grpc::ClientContext> CallContext(
    const Credential& who, absl::Duration timeout = absl::Seconds(10));

// Whether an attempt that ended with `status` may not have been answered
// (the connection was lost, makegoodd went away, its write queue or its
// disk was full): the same request is sent again.
bool WorthRetrying(const grpc::Status& status);

// Attempts of CallUntilAnswered refused with STORE_FULL (nothing saved, the
// disk is full) so far, in the whole process.
int64_t StoreFullRefusals();

// The google.rpc.ErrorInfo reason of a refusal; "" when it has none.
std::string ReasonOf(const grpc::Status& status);

// "FAILED_PRECONDITION (OPTION_DECLINED): <message>", for messages.
std::string Describe(const grpc::Status& status);

struct RetryOptions {
  // False: every attempt's status is the answer (the load soak injects no
  // faults, so an attempt that fails is an error).
  bool retry = true;
  // A request still unanswered this long after its first attempt is a
  // violation: the clients must always be able to carry on.
  absl::Duration give_up_after = absl::Seconds(120);
};

// Runs `attempt` until its status is not WorthRetrying (with
// options.retry) and returns that status; each attempt after the first
// adds one to `*retries`. Fails the soak (failure.h), naming `what`, when
// give_up_after passes first.
grpc::Status CallUntilAnswered(const std::string& what,
                               const RetryOptions& options,
                               const std::function<grpc::Status()>& attempt,
                               std::atomic<int64_t>* retries);

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_SOAK_RPC_H_
