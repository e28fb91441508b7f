#include "service/remedy_command_service.h"

#include <set>
#include <string>
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

namespace makegood::service {

using makegood::v1::RemedyCommand;
using makegood::v1::ReportAdapterProblemRequest;

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
    return core::BadField("problem", "is required (VENDOR_AUTH_FAILED)");
  }
  if (request.message().size() > kMaxProblemMessageLength) {
    return core::BadField(
        "message", absl::StrCat("is longer than ", kMaxProblemMessageLength,
                                " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

// One adapter's stream: the dispatcher leases it commands; the hub only
// tells it when the server stops.
class RemedyCommandServiceImpl::CommandStream final
    : public QueuedWriter<RemedyCommand>,
      public RecoveryHub::Listener,
      public CommandDispatcher::Stream {
 public:
  CommandStream(size_t queue_limit, store::Store& store, RecoveryHub& hub,
                CommandDispatcher& dispatcher,
                std::set<makegood::v1::CommandKind> kinds)
      : QueuedWriter<RemedyCommand>(queue_limit),
        store_(store),
        hub_(hub),
        dispatcher_(dispatcher) {
    if (!hub_.Add(this)) {
      Close(grpc::Status(grpc::UNAVAILABLE, "makegoodd is stopping"));
      return;
    }
    registered_ = true;
    dispatcher_.AddStream(this, std::move(kinds));
  }

  // Refused when the stream is ending or its client fell behind: the
  // dispatcher then gives this stream's leases to others.
  bool Deliver(const RemedyCommand& command) override {
    if (!Enqueue(command)) return false;
    store_.CountDeliveries({command.command_id()});
    return true;
  }
  void OnClose() override { Close(); }

 private:
  void Unregister() override {
    if (!registered_) return;
    dispatcher_.RemoveStream(this);
    hub_.Remove(this);
  }

  store::Store& store_;
  RecoveryHub& hub_;
  CommandDispatcher& dispatcher_;
  bool registered_ = false;  // Set in the constructor only.
};

RemedyCommandServiceImpl::RemedyCommandServiceImpl(
    const core::RecoveryRules& rules, store::Store& store,
    const Authenticator& auth, const core::Clock& clock, RecoveryHub& hub,
    CommandDispatcher& dispatcher)
    : rules_(rules),
      store_(store),
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
  return new CommandStream(StreamQueueLimit(rules_.config()), store_, hub_,
                           dispatcher_, std::move(kinds));
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
  store::RecoveryCall call{principal->id, principal->role, clock_.Now(),
                           &rules_};
  call.device_id = principal->device_id;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_.AckCommand(call, *request,
                    [this, reactor, request, response,
                     at = call.now](absl::StatusOr<store::AckResult> result) {
                      if (!result.ok()) {
                        reactor->Finish(ToGrpcStatus(result.status()));
                        return;
                      }
                      *response = result->response;
                      if (result->case_change) {
                        // An answer ends the remedy's stuck delivery.
                        core::MarkStuckDeliveries(
                            result->case_change->recovery, at,
                            CommandStuckAfter(rules_.config()));
                        hub_.Publish(*result->case_change, at);
                      }
                      ReportToDispatcher(*request, result->response);
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
  makegood::v1::Alert alert =
      core::AdapterProblemAlert(request->adapter_name(), request->message());
  alert.set_alert_id(core::NewRecordId("AL-", now, core::SecureRandomBytes()));
  hub_.PublishAlert(alert, now);
  response->set_alert_id(alert.alert_id());
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace makegood::service
