#ifndef MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_
#define MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_

// RemedyCommandService: the outbox, delivered to POS adapters. Each
// unacknowledged command is leased to one stream at a time by the
// CommandDispatcher (service/command_dispatcher.h); answers end or renew
// the lease. Thread-safe.

#include "core/clock.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "service/auth.h"
#include "service/command_dispatcher.h"
#include "service/recovery_hub.h"
#include "store/store.h"

namespace makegood::service {

class RemedyCommandServiceImpl final
    : public makegood::v1::RemedyCommandService::CallbackService {
 public:
  // Everything passed must outlive the service. Each call runs under the
  // configuration its authentication took (service/live_config.h).
  RemedyCommandServiceImpl(store::Store& store, const Authenticator& auth,
                           const core::Clock& clock, RecoveryHub& hub,
                           CommandDispatcher& dispatcher);

  grpc::ServerWriteReactor<makegood::v1::RemedyCommand>* StreamCommands(
      grpc::CallbackServerContext* context,
      const makegood::v1::StreamCommandsRequest* request) override;
  grpc::ServerUnaryReactor* AckCommand(
      grpc::CallbackServerContext* context,
      const makegood::v1::AckCommandRequest* request,
      makegood::v1::AckCommandResponse* response) override;
  // Publishes an ADAPTER_PROBLEM alert through the hub; stores nothing.
  grpc::ServerUnaryReactor* ReportAdapterProblem(
      grpc::CallbackServerContext* context,
      const makegood::v1::ReportAdapterProblemRequest* request,
      makegood::v1::ReportAdapterProblemResponse* response) override;

  // RETRY_LATER without a delay.
  static constexpr int kDefaultRetryAfterSeconds = 30;

 private:
  class CommandStream;

  // Ends the command's lease for an answer, or renews it later.
  void ReportToDispatcher(const makegood::v1::AckCommandRequest& request,
                          const makegood::v1::AckCommandResponse& response);

  store::Store& store_;
  const Authenticator& auth_;
  const core::Clock& clock_;
  RecoveryHub& hub_;
  CommandDispatcher& dispatcher_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_
