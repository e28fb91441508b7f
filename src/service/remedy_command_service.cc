#include "service/remedy_command_service.h"

#include <set>
#include <string>
#include <vector>

#include "service/command_dispatcher.h"
#include "service/grpc_glue.h"
#include "service/recovery_validation.h"
#include "service/stream_writer.h"

namespace makegood::service {

using makegood::v1::RemedyCommand;

// One adapter's stream: the dispatcher leases it commands; the hub only
// tells it when the server stops.
class RemedyCommandServiceImpl::CommandStream final
    : public QueuedWriter<RemedyCommand>,
      public RecoveryHub::Listener,
      public CommandDispatcher::Stream {
 public:
  CommandStream(store::Store& store, RecoveryHub& hub,
                CommandDispatcher& dispatcher,
                std::set<makegood::v1::CommandKind> kinds)
      : store_(store), hub_(hub), dispatcher_(dispatcher) {
    if (!hub_.Add(this)) {
      Close(grpc::Status(grpc::UNAVAILABLE, "makegoodd is stopping"));
      return;
    }
    registered_ = true;
    dispatcher_.AddStream(this, std::move(kinds));
  }

  void Deliver(const RemedyCommand& command) override {
    Enqueue(command);
    store_.CountDeliveries({command.command_id()});
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
  return new CommandStream(store_, hub_, dispatcher_, std::move(kinds));
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
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  store_.AckCommand(call, *request,
                    [this, reactor, request, response,
                     at = call.now](absl::StatusOr<store::AckResult> result) {
                      if (!result.ok()) {
                        reactor->Finish(ToGrpcStatus(result.status()));
                        return;
                      }
                      *response = result->response;
                      if (result->case_change)
                        hub_.Publish(*result->case_change, at);
                      ReportToDispatcher(*request, result->response);
                      reactor->Finish(grpc::Status::OK);
                    });
  return reactor;
}

}  // namespace makegood::service
