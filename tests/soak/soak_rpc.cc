#include "soak/soak_rpc.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "soak/failure.h"

namespace makegood::soak {
namespace {

std::atomic<int64_t> store_full_refusals{0};

}  // namespace

std::shared_ptr<grpc::Channel> DeviceChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC's defaults wait a second and more between attempts to connect;
  // a tablet whose Wi-Fi comes back tries again at once.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   arguments);
}

std::unique_ptr<grpc::ClientContext> CallContext(const Credential& who,
                                                 absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", who.token));
  context->set_wait_for_ready(true);
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
  return context;
}

bool WorthRetrying(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:        // Gone, cut, or stopping.
    case grpc::StatusCode::DEADLINE_EXCEEDED:  // Down longer than an attempt.
    case grpc::StatusCode::CANCELLED:          // Cut by the transport.
    case grpc::StatusCode::ABORTED:
      return true;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: {  // Nothing was saved.
      const std::string reason = ReasonOf(status);
      return reason == "WRITE_QUEUE_FULL" || reason == "STORE_FULL";
    }
    default:
      return false;
  }
}

int64_t StoreFullRefusals() { return store_full_refusals.load(); }

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (status.error_details().empty() ||
      !rpc.ParseFromString(status.error_details())) {
    return "";
  }
  for (const google::protobuf::Any& detail : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (detail.Is<google::rpc::ErrorInfo>() && detail.UnpackTo(&info)) {
      return info.reason();
    }
  }
  return "";
}

std::string Describe(const grpc::Status& status) {
  static const char* const kNames[] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  const int code = static_cast<int>(status.error_code());
  const std::string name = code >= 0 && code <= 16
                               ? std::string(kNames[code])
                               : absl::StrCat("code ", code);
  const std::string reason = ReasonOf(status);
  return absl::StrCat(name, reason.empty() ? "" : " (", reason,
                      reason.empty() ? "" : ")", ": ", status.error_message());
}

grpc::Status CallUntilAnswered(const std::string& what,
                               const RetryOptions& options,
                               const std::function<grpc::Status()>& attempt,
                               std::atomic<int64_t>* retries) {
  const absl::Time give_up = absl::Now() + options.give_up_after;
  for (int tries = 0;; ++tries) {
    if (tries > 0) retries->fetch_add(1, std::memory_order_relaxed);
    const grpc::Status status = attempt();
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
        ReasonOf(status) == "STORE_FULL") {
      store_full_refusals.fetch_add(1);
    }
    if (!options.retry || !WorthRetrying(status)) return status;
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      // A full queue or disk refuses at once; a client waits a moment
      // before it sends again rather than spin on the refusal.
      absl::SleepFor(absl::Milliseconds(10));
    }
    if (absl::Now() >= give_up) {
      Fail(absl::StrCat(what, ": still unanswered after ",
                        absl::FormatDuration(options.give_up_after), " (",
                        tries + 1, " attempts, the last ", Describe(status),
                        "): a client could not carry on"));
    }
  }
}

}  // namespace makegood::soak
