#include "service/rpc_metrics.h"

#include <google/protobuf/descriptor.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace makegood::service {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;

// The canonical names, as grpc-status and the Connect codes spell them.
const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// Whether the call answers once: its length is then the time to answer.
bool AnswersOnce(ServerRpcInfo::Type type) {
  return type == ServerRpcInfo::Type::UNARY ||
         type == ServerRpcInfo::Type::CLIENT_STREAMING;
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(std::string method, bool timed,
                        telemetry::CounterFamily& requests,
                        telemetry::HistogramFamily& durations)
      : method_(std::move(method)),
        timed_(timed),
        started_(absl::Now()),
        requests_(requests),
        durations_(durations) {}

  // The call is over; one that sent no status is counted now.
  ~RpcMetricsInterceptor() override {
    if (!counted_) requests_.WithLabels({method_, "CANCELLED"}).Increment();
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    // Counted before the status goes out: a client that has its answer
    // finds it counted.
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS) &&
        !counted_) {
      counted_ = true;
      const grpc::Status status = methods->GetSendStatus();
      requests_.WithLabels({method_, CodeName(status.error_code())})
          .Increment();
      if (timed_) {
        durations_.WithLabels({method_}).ObserveDuration(absl::Now() -
                                                         started_);
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const bool timed_;
  const absl::Time started_;
  telemetry::CounterFamily& requests_;
  telemetry::HistogramFamily& durations_;
  // gRPC runs one batch of a call's interceptors at a time.
  bool counted_ = false;
};

}  // namespace

std::string MethodLabel(const char* method) {
  constexpr char kUnknown[] = "unknown";
  if (method == nullptr) return kUnknown;
  absl::string_view path(method);
  if (!absl::ConsumePrefix(&path, "/")) return kUnknown;
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return kUnknown;
  const absl::string_view service = path.substr(0, slash);
  const absl::string_view name = path.substr(slash + 1);
  // gRPC's own health service is not generated from a .proto here.
  if (service == "grpc.health.v1.Health") {
    return name == "Check" || name == "Watch" ? std::string(path) : kUnknown;
  }
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  if (descriptor == nullptr ||
      descriptor->FindMethodByName(std::string(name)) == nullptr) {
    return kUnknown;
  }
  return std::string(path);
}

RpcMetricsInterceptorFactory::RpcMetricsInterceptorFactory(
    telemetry::MetricsRegistry& metrics)
    : requests_(metrics.AddCounter(
          "makegood_rpc_requests_total",
          "RPCs answered, by method and status code; the Connect calls of the "
          "HTTP listener included.",
          {"method", "code"})),
      durations_(metrics.AddHistogram(
          "makegood_rpc_duration_seconds",
          "Time from a call's arrival to its status, for unary and "
          "client-streaming calls (server streams are left out).",
          {"method"}, telemetry::LatencyBuckets())) {}

grpc::experimental::Interceptor*
RpcMetricsInterceptorFactory::CreateServerInterceptor(ServerRpcInfo* info) {
  return new RpcMetricsInterceptor(MethodLabel(info->method()),
                                   AnswersOnce(info->type()), requests_,
                                   durations_);
}

}  // namespace makegood::service
