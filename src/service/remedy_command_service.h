#ifndef MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_
#define MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_

// RemedyCommandService: the outbox, delivered to POS adapters. A stream
// first sends every unacknowledged command of the location (redelivery
// after a disconnect), then each new one as its transaction commits; a
// command is sent at most once per stream. Thread-safe.

#include "core/clock.h"
#include "core/recovery_rules.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "service/auth.h"
#include "service/recovery_hub.h"
#include "store/store.h"

namespace makegood::service {

class RemedyCommandServiceImpl final
    : public makegood::v1::RemedyCommandService::CallbackService {
 public:
  // Everything passed must outlive the service.
  RemedyCommandServiceImpl(const core::RecoveryRules& rules,
                           store::Store& store, const Authenticator& auth,
                           const core::Clock& clock, RecoveryHub& hub);

  grpc::ServerWriteReactor<makegood::v1::RemedyCommand>* StreamCommands(
      grpc::CallbackServerContext* context,
      const makegood::v1::StreamCommandsRequest* request) override;
  grpc::ServerUnaryReactor* AckCommand(
      grpc::CallbackServerContext* context,
      const makegood::v1::AckCommandRequest* request,
      makegood::v1::AckCommandResponse* response) override;

 private:
  class CommandStream;

  const core::RecoveryRules& rules_;
  store::Store& store_;
  const Authenticator& auth_;
  const core::Clock& clock_;
  RecoveryHub& hub_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_REMEDY_COMMAND_SERVICE_H_
