#ifndef MAKEGOOD_SERVICE_RPC_LOG_H_
#define MAKEGOOD_SERVICE_RPC_LOG_H_

// One log line per RPC, at debug level (telemetry/log.h):
//   event=rpc method=/makegood.v1.CheckService/ListChecks principal=s-17
//   code=OK latency_ms=1.204 peer=ipv4:127.0.0.1:50412
// from a gRPC server interceptor, so that every call is in it: the
// makegood.v1 services, health, reflection, and the Connect calls the HTTP
// listener makes in-process. A failed call also has its ErrorInfo `reason`;
// never its message, nor anything of the request.
//
// The principal is the one the call's handler authenticated: AuthorizeCall
// (service/grpc_glue.h) records it here, so there is no second token
// lookup and never a token in the line. "none" when no handler
// authenticated (health, reflection). A call ended without a status sent
// (the client went away) is logged as CANCELLED when it ends.
//
// Thread-safe: a registry of the calls in flight, keyed by their
// ServerContextBase, one mutex.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <string>

#include "absl/strings/string_view.h"

namespace makegood::service {

class RpcLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

// Records who the call of `context` is from: a credential id ("unknown" or
// "none" when refused, AuthAttempt::refused_id) and, for a tablet session,
// its device. Nothing for a call no interceptor of this file sees.
void RecordCallPrincipal(const grpc::ServerContextBase& context,
                         absl::string_view principal,
                         absl::string_view device_id);

// The full method name of the call of `context`
// ("/makegood.v1.CheckService/ListChecks"), or "" when no interceptor of
// this file sees it.
std::string CallMethod(const grpc::ServerContextBase& context);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RPC_LOG_H_
