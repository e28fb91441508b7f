#ifndef MAKEGOOD_SERVICE_RPC_METRICS_H_
#define MAKEGOOD_SERVICE_RPC_METRICS_H_

// Counts and times every RPC the server answers, from a gRPC server
// interceptor, so that every call is in it: the makegood.v1 services,
// health, reflection, and the Connect calls the HTTP listener makes
// in-process.
//   makegood_rpc_requests_total{method,code}
//       calls answered, by full method name ("makegood.v1.RecoveryService/
//       FlagProblem") and status code name ("OK", "PERMISSION_DENIED"); a
//       call that ends without a status sent (the client went away) counts
//       as CANCELLED when it ends
//   makegood_rpc_duration_seconds{method}
//       from the call's arrival to its status, for unary and
//       client-streaming calls; server streams (WatchRecoveries,
//       StreamCommands) are left out, as their length is how long a client
//       stayed (makegood_watchers_connected, makegood_adapters_connected
//       count them instead)
// A method the server does not serve is counted as method "unknown", so a
// client cannot grow the series without bound.
//
// Thread-safe; the registry must outlive the server that owns the factory.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <string>

#include "telemetry/metrics.h"

namespace makegood::service {

class RpcMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(telemetry::MetricsRegistry& metrics);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  telemetry::CounterFamily& requests_;
  telemetry::HistogramFamily& durations_;
};

// The method label of a call to `method` ("/package.Service/Method"):
// without the leading slash when this process serves it (its service is
// in the generated descriptor pool, or it is grpc.health.v1.Health),
// "unknown" otherwise.
std::string MethodLabel(const char* method);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RPC_METRICS_H_
