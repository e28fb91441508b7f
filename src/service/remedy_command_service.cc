#include "service/remedy_command_service.h"

#include <set>
#include <string>
#include <vector>

#include "service/grpc_glue.h"
#include "service/recovery_validation.h"
#include "service/stream_writer.h"

namespace makegood::service {

using makegood::v1::RemedyCommand;

class RemedyCommandServiceImpl::CommandStream final
    : public QueuedWriter<RemedyCommand>,
      public RecoveryHub::Listener {
 public:
  CommandStream(store::Store& store, RecoveryHub& hub,
                const std::string& location_id)
      : store_(store), hub_(hub) {
    // Listen first, then read the backlog: a command committed in between
    // arrives both ways and is sent once.
    if (!hub_.Add(this)) {
      Close(grpc::Status(grpc::UNAVAILABLE, "makegoodd is stopping"));
      return;
    }
    auto backlog = store_.UnackedCommands(location_id);
    if (!backlog.ok()) {
      Close(ToGrpcStatus(backlog.status()));
      return;
    }
    std::vector<std::string> sent;
    for (const auto& command : *backlog) {
      if (Send(command)) sent.push_back(command.command_id());
    }
    store_.CountDeliveries(std::move(sent));  // One write for the backlog.
  }

  void OnCommand(const RemedyCommand& command) override {
    RemedyCommand first = command;
    first.set_delivery_attempt(1);
    if (Send(first)) store_.CountDeliveries({command.command_id()});
  }
  void OnClose() override { Close(); }

 private:
  // Queues the command unless this stream already sent it; true if queued.
  bool Send(const RemedyCommand& command) {
    {
      absl::MutexLock lock(&mu_);
      if (!sent_.insert(command.command_id()).second) return false;
    }
    Enqueue(command);
    return true;
  }

  void Unregister() override { hub_.Remove(this); }

  store::Store& store_;
  RecoveryHub& hub_;
  absl::Mutex mu_;
  std::set<std::string> sent_ ABSL_GUARDED_BY(mu_);
};

RemedyCommandServiceImpl::RemedyCommandServiceImpl(
    const core::RecoveryRules& rules, store::Store& store,
    const Authenticator& auth, const core::Clock& clock, RecoveryHub& hub)
    : rules_(rules), store_(store), auth_(auth), clock_(clock), hub_(hub) {}

grpc::ServerWriteReactor<RemedyCommand>*
RemedyCommandServiceImpl::StreamCommands(
    grpc::CallbackServerContext* context,
    const makegood::v1::StreamCommandsRequest* /*request*/) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) {
    return new FinishedWriteReactor<RemedyCommand>(
        ToGrpcStatus(principal.status()));
  }
  return new CommandStream(store_, hub_, rules_.location_id());
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
                    [this, reactor, response,
                     at = call.now](absl::StatusOr<store::AckResult> result) {
                      if (!result.ok()) {
                        reactor->Finish(ToGrpcStatus(result.status()));
                        return;
                      }
                      *response = result->response;
                      if (result->case_change)
                        hub_.Publish(*result->case_change, at);
                      reactor->Finish(grpc::Status::OK);
                    });
  return reactor;
}

}  // namespace makegood::service
