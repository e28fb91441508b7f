#include "service/remedy_command_service.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "core/record_id.h"
#include "core/recovery/alerts.h"
#include "core/recovery/delivery_stuck.h"
#include "core/refusal.h"
#include "service/command_dispatcher.h"
#include "service/grpc_glue.h"
#include "service/recovery_validation.h"
#include "service/server_limits.h"
#include "service/stream_writer.h"
#include "telemetry/log.h"

namespace makegood::service {

using makegood::v1::RemedyCommand;
using makegood::v1::ReportAdapterProblemRequest;
using telemetry::LogLevel;

namespace {

constexpr size_t kMaxAdapterNameLength = 128;
constexpr size_t kMaxProblemMessageLength = 2000;

absl::Status ValidateProblemReport(const ReportAdapterProblemRequest& request) {
  if (request.adapter_name().empty()) {
    return core::BadField("adapter_name", "is required");
  }
  if (request.adapter_name().size() > kMaxAdapterNameLength) {
    return core::BadField(
        "adapter_name",
        absl::StrCat("is longer than ", kMaxAdapterNameLength, " characters"));
  }
  if (request.problem() == ReportAdapterProblemRequest::PROBLEM_UNSPECIFIED ||
      !ReportAdapterProblemRequest::Problem_IsValid(request.problem())) {
    return core::BadField(
        "problem", "is required (VENDOR_AUTH_FAILED or DELIVERY_UNREADABLE)");
  }
  if (request.message().size() > kMaxProblemMessageLength) {
    return core::BadField(
        "message", absl::StrCat("is longer than ", kMaxProblemMessageLength,
                                " characters"));
  }
  return absl::OkStatus();
}

// One line per answer an adapter gives, by its credential: applied,
// rejected (the option is declined; staff offer the next one) or later.
void LogAck(const makegood::v1::AckCommandRequest& request,
            const makegood::v1::AckCommandResponse& response,
            const std::string& credential) {
  using Result = makegood::v1::AckCommandRequest;
  switch (response.recorded_result()) {
    case Result::APPLIED:
      telemetry::LogEvent(LogLevel::kInfo, "command_applied",
                          {{"command", response.command_id()},
                           {"credential", credential},
                           {"pos_reference", request.pos_reference()},
                           {"duplicate", response.duplicate()}});
      return;
    case Result::REJECTED:
      telemetry::LogEvent(LogLevel::kWarning, "command_rejected",
                          {{"command", response.command_id()},
                           {"credential", credential},
                           {"vendor_reason", request.vendor_reason()},
                           {"duplicate", response.duplicate()}});
      return;
    case Result::RETRY_LATER:
      telemetry::LogEvent(
          LogLevel::kInfo, "command_retry_later",
          {{"command", response.command_id()},
           {"credential", credential},
           {"retry_after_s",
            request.retry_after_seconds() > 0
                ? request.retry_after_seconds()
                : RemedyCommandServiceImpl::kDefaultRetryAfterSeconds},
           {"vendor_reason", request.vendor_reason()}});
      return;
    default:
      return;
  }
}

}  // namespace

// One adapter's stream: the dispatcher leases it commands; the hub only
// tells it when the server stops or a reload revoked its credential
// (RecoveryHub, 6.).
class RemedyCommandServiceImpl::CommandStream final
    : public QueuedWriter<RemedyCommand>,
      public RecoveryHub::Listener,
      public CommandDispatcher::Stream {
 public:
  CommandStream(size_t queue_limit, store::Store& store, RecoveryHub& hub,
                CommandDispatcher& dispatcher, const Authenticator& auth,
                Principal principal, std::set<makegood::v1::CommandKind> kinds,
                std::string adapter_name)
      : QueuedWriter<RemedyCommand>(queue_limit),
        store_(store),
        hub_(hub),
        dispatcher_(dispatcher),
        auth_(auth),
        principal_(std::move(principal)),
        adapter_name_(std::move(adapter_name)),
        connected_at_(absl::Now()) {
    if (!hub_.Add(this)) {
      // Stopping, or a reload revoked the credential since it was checked.
      const absl::Status holds = CredentialsHold();
      Close(holds.ok()
                ? grpc::Status(grpc::UNAVAILABLE, "makegoodd is stopping")
                : ToGrpcStatus(holds));
      return;
    }
    registered_ = true;
    std::string kind_names;
    for (makegood::v1::CommandKind kind : kinds) {
      absl::StrAppend(&kind_names, kind_names.empty() ? "" : ",",
                      makegood::v1::CommandKind_IsValid(kind)
                          ? makegood::v1::CommandKind_Name(kind)
                          : absl::StrCat(static_cast<int>(kind)));
    }
    telemetry::LogEvent(LogLevel::kInfo, "adapter_connected",
                        {{"credential", principal_.id},
                         {"adapter", adapter_name_},
                         {"location", LocationId()},
                         {"kinds", kind_names.empty() ? "all" : kind_names}});
    dispatcher_.AddStream(this, std::move(kinds));
  }

  // Refused when the stream is ending or its client fell behind: the
  // dispatcher then gives this stream's leases to others.
  bool Deliver(const RemedyCommand& command) override {
    if (!Enqueue(command)) return false;
    store_.CountDeliveries({command.command_id()});
    delivered_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  void OnClose() override { Close(); }

  // Under the hub's lock (RecoveryHub, 6.). Commands leased to a revoked
  // stream go back to the dispatcher when it ends.
  absl::Status CredentialsHold() const override {
    return auth_.StillAuthorized(principal_, {makegood::v1::ADAPTER});
  }
  void OnRevoked(const absl::Status& why) override { Abort(ToGrpcStatus(why)); }

 private:
  void Unregister() override {
    if (!registered_) return;
    dispatcher_.RemoveStream(this);
    hub_.Remove(this);
    // Its leased commands go to the next stream.
    telemetry::LogEvent(
        LogLevel::kInfo, "adapter_disconnected",
        {{"credential", principal_.id},
         {"adapter", adapter_name_},
         {"location", LocationId()},
         {"delivered", delivered_.load(std::memory_order_relaxed)},
         {"connected_s", absl::ToInt64Seconds(absl::Now() - connected_at_)}});
  }

  const std::string& LocationId() const {
    return principal_.config->config().location().id();
  }

  store::Store& store_;
  RecoveryHub& hub_;
  CommandDispatcher& dispatcher_;
  const Authenticator& auth_;
  const Principal principal_;
  const std::string adapter_name_;  // StreamCommandsRequest.adapter_name.
  const absl::Time connected_at_;   // Real time, for the log.
  bool registered_ = false;         // Set in the constructor only.
  // Commands handed to the stream, redeliveries included.
  std::atomic<int64_t> delivered_{0};
};

RemedyCommandServiceImpl::RemedyCommandServiceImpl(
    store::Store& store, const Authenticator& auth, const core::Clock& clock,
    RecoveryHub& hub, CommandDispatcher& dispatcher)
    : store_(store),
      auth_(auth),
      clock_(clock),
      hub_(hub),
      dispatcher_(dispatcher) {}

grpc::ServerWriteReactor<RemedyCommand>*
RemedyCommandServiceImpl::StreamCommands(
    grpc::CallbackServerContext* context,
    const makegood::v1::StreamCommandsRequest* request) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) {
    return new FinishedWriteReactor<RemedyCommand>(
        ToGrpcStatus(principal.status()));
  }
  std::set<makegood::v1::CommandKind> kinds;
  for (int kind : request->kinds()) {
    kinds.insert(static_cast<makegood::v1::CommandKind>(kind));
  }
  const size_t queue_limit = StreamQueueLimit(principal->config->config());
  return new CommandStream(queue_limit, store_, hub_, dispatcher_, auth_,
                           *std::move(principal), std::move(kinds),
                           request->adapter_name());
}

void RemedyCommandServiceImpl::ReportToDispatcher(
    const makegood::v1::AckCommandRequest& request,
    const makegood::v1::AckCommandResponse& response) {
  using Result = makegood::v1::AckCommandRequest;
  switch (response.recorded_result()) {
    case Result::APPLIED:
    case Result::REJECTED:
      dispatcher_.Acked(response.command_id());
      break;
    case Result::RETRY_LATER:
      dispatcher_.RetryLater(response.command_id(),
                             absl::Seconds(request.retry_after_seconds() > 0
                                               ? request.retry_after_seconds()
                                               : kDefaultRetryAfterSeconds));
      break;
    default:
      break;
  }
}

grpc::ServerUnaryReactor* RemedyCommandServiceImpl::AckCommand(
    grpc::CallbackServerContext* context,
    const makegood::v1::AckCommandRequest* request,
    makegood::v1::AckCommandResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (auto valid = ValidateAck(*request); !valid.ok())
    return FinishUnary(context, valid);
  // The call's one configuration (service/live_config.h); `done` holds it
  // until the store is done with the write.
  std::shared_ptr<const ConfigSnapshot> config = principal->config;
  store::RecoveryCall call{principal->id, principal->role, clock_.Now(),
                           &config->rules(), principal->device_id};
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_.AckCommand(
      call, *request,
      [this, reactor, request, response, config, credential = principal->id,
       at = call.now](absl::StatusOr<store::AckResult> result) {
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        *response = result->response;
        if (result->case_change) {
          // An answer ends the remedy's stuck delivery.
          core::MarkStuckDeliveries(result->case_change->recovery, at,
                                    CommandStuckAfter(config->config()));
          hub_.Publish(*result->case_change, at);
        }
        ReportToDispatcher(*request, result->response);
        LogAck(*request, result->response, credential);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* RemedyCommandServiceImpl::ReportAdapterProblem(
    grpc::CallbackServerContext* context,
    const ReportAdapterProblemRequest* request,
    makegood::v1::ReportAdapterProblemResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (auto valid = ValidateProblemReport(*request); !valid.ok()) {
    return FinishUnary(context, valid);
  }
  const absl::Time now = clock_.Now();
  // The two enums have the same values (recovery.proto).
  static_assert(
      static_cast<int>(ReportAdapterProblemRequest::VENDOR_AUTH_FAILED) ==
      makegood::v1::Alert::AdapterProblem::VENDOR_AUTH_FAILED);
  static_assert(
      static_cast<int>(ReportAdapterProblemRequest::DELIVERY_UNREADABLE) ==
      makegood::v1::Alert::AdapterProblem::DELIVERY_UNREADABLE);
  static_assert(static_cast<int>(ReportAdapterProblemRequest::Problem_MAX) ==
                makegood::v1::Alert::AdapterProblem::Problem_MAX);
  makegood::v1::Alert alert = core::AdapterProblemAlert(
      request->adapter_name(), request->message(),
      static_cast<makegood::v1::Alert::AdapterProblem::Problem>(
          request->problem()));
  alert.set_alert_id(core::NewRecordId("AL-", now, core::SecureRandomBytes()));
  hub_.PublishAlert(alert, now);
  response->set_alert_id(alert.alert_id());
  // Not the vendor's words: they might quote the vendor token.
  telemetry::LogEvent(LogLevel::kWarning, "adapter_problem",
                      {{"credential", principal->id},
                       {"adapter", request->adapter_name()},
                       {"problem", ReportAdapterProblemRequest::Problem_Name(
                                       request->problem())},
                       {"alert", alert.alert_id()}});
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace makegood::service
