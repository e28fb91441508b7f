#include "service/rpc_log.h"

#include <cmath>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "telemetry/log.h"

namespace makegood::service {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;
using telemetry::LogField;
using telemetry::LogLevel;

class RpcLogInterceptor;

// The calls in flight, each with its interceptor. Never destroyed: gRPC's
// threads may end calls during exit.
class CallRegistry {
 public:
  static CallRegistry& Get() {
    static CallRegistry* const registry = new CallRegistry;
    return *registry;
  }

  void Add(const grpc::ServerContextBase* context, RpcLogInterceptor* call) {
    absl::MutexLock lock(&mu_);
    calls_[context] = call;
  }

  // Only `call`'s own entry: a later call may reuse the address.
  void Remove(const grpc::ServerContextBase* context, RpcLogInterceptor* call) {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(context);
    if (it != calls_.end() && it->second == call) calls_.erase(it);
  }

  // Runs `f` on the call of `context`, if any, under the registry's lock.
  template <typename F>
  void With(const grpc::ServerContextBase* context, F f) {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(context);
    if (it != calls_.end()) f(*it->second);
  }

  absl::Mutex& mu() { return mu_; }

 private:
  absl::Mutex mu_;
  std::unordered_map<const grpc::ServerContextBase*, RpcLogInterceptor*> calls_
      ABSL_GUARDED_BY(mu_);
};

// The ErrorInfo reason of a failed call's status, or "".
std::string ReasonOf(const grpc::Status& status) {
  if (status.ok() || status.error_details().empty()) return "";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
      return info.reason();
    }
  }
  return "";
}

class RpcLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcLogInterceptor(ServerRpcInfo* info)
      : context_(info->server_context()),
        method_(info->method() != nullptr ? info->method() : ""),
        start_(absl::Now()) {
    CallRegistry::Get().Add(context_, this);
  }

  ~RpcLogInterceptor() override {
    CallRegistry::Get().Remove(context_, this);
    // No status went out: the call was cancelled, or its client left.
    if (!logged_) Log(grpc::Status(grpc::StatusCode::CANCELLED, ""), "");
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      logged_ = true;
      if (telemetry::LogEnabled(LogLevel::kDebug)) {
        Log(methods->GetSendStatus(), context_->peer());
      }
    }
    methods->Proceed();
  }

  const std::string& method() const { return method_; }

  // Under the registry's lock.
  void SetPrincipal(absl::string_view principal, absl::string_view device_id) {
    principal_ = std::string(principal);
    device_id_ = std::string(device_id);
  }

 private:
  void Log(const grpc::Status& status, const std::string& peer) {
    if (!telemetry::LogEnabled(LogLevel::kDebug)) return;
    const double latency_ms =
        std::round(absl::ToDoubleMilliseconds(absl::Now() - start_) * 1000) /
        1000;
    std::string principal, device_id;
    {
      absl::MutexLock lock(&CallRegistry::Get().mu());
      principal = principal_.empty() ? "none" : principal_;
      device_id = device_id_;
    }
    const std::string code(absl::StatusCodeToString(
        static_cast<absl::StatusCode>(status.error_code())));
    const std::string reason = ReasonOf(status);
    std::vector<LogField> fields = {{"method", method_},
                                    {"principal", principal}};
    if (!device_id.empty()) fields.push_back({"device", device_id});
    fields.push_back({"code", code});
    if (!reason.empty()) fields.push_back({"reason", reason});
    fields.push_back({"latency_ms", latency_ms});
    if (!peer.empty()) fields.push_back({"peer", peer});
    telemetry::LogEvent(LogLevel::kDebug, "rpc", fields);
  }

  // Const after construction.
  const grpc::ServerContextBase* const context_;
  const std::string method_;
  const absl::Time start_;

  // Guarded by the registry's lock (set by AuthorizeCall's thread).
  std::string principal_;
  std::string device_id_;
  // The call's own: PRE_SEND_STATUS comes before the end.
  bool logged_ = false;
};

}  // namespace

grpc::experimental::Interceptor*
RpcLogInterceptorFactory::CreateServerInterceptor(ServerRpcInfo* info) {
  return new RpcLogInterceptor(info);
}

void RecordCallPrincipal(const grpc::ServerContextBase& context,
                         absl::string_view principal,
                         absl::string_view device_id) {
  CallRegistry::Get().With(&context, [&](RpcLogInterceptor& call) {
    call.SetPrincipal(principal, device_id);
  });
}

std::string CallMethod(const grpc::ServerContextBase& context) {
  std::string method;
  CallRegistry::Get().With(
      &context, [&](RpcLogInterceptor& call) { method = call.method(); });
  return method;
}

}  // namespace makegood::service
