#ifndef MAKEGOOD_SERVICE_RECOVERY_SERVICE_H_
#define MAKEGOOD_SERVICE_RECOVERY_SERVICE_H_

// RecoveryService: the tablets' button presses and the manager screens.
// Validates requests, hands them to the store's writer and answers after
// the commit; publishes committed changes to the hub. Reads run on the
// reader executor. Every case it answers or publishes shows which of its
// remedies are stuck now (AppliedRemedy.delivery_stuck). Thread-safe.

#include "core/clock.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "service/auth.h"
#include "service/read_executor.h"
#include "service/recovery_hub.h"
#include "service/stuck_command_alerts.h"
#include "store/store.h"

namespace makegood::service {

class RecoveryServiceImpl final
    : public makegood::v1::RecoveryService::CallbackService {
 public:
  // Everything passed must outlive the service. Each call runs under the
  // configuration its authentication took (service/live_config.h).
  RecoveryServiceImpl(store::Store& store, const Authenticator& auth,
                      const core::Clock& clock, RecoveryHub& hub,
                      ReadExecutor& readers, const StuckCommandAlerts& stuck);

  grpc::ServerUnaryReactor* FlagProblem(
      grpc::CallbackServerContext* context,
      const makegood::v1::FlagProblemRequest* request,
      makegood::v1::RecoveryCase* response) override;
  grpc::ServerUnaryReactor* ApplyRemedy(
      grpc::CallbackServerContext* context,
      const makegood::v1::ApplyRemedyRequest* request,
      makegood::v1::RecoveryCase* response) override;
  grpc::ServerUnaryReactor* ApproveRemedy(
      grpc::CallbackServerContext* context,
      const makegood::v1::ApproveRemedyRequest* request,
      makegood::v1::RecoveryCase* response) override;
  grpc::ServerUnaryReactor* RecordOutcome(
      grpc::CallbackServerContext* context,
      const makegood::v1::RecordOutcomeRequest* request,
      makegood::v1::RecoveryCase* response) override;
  grpc::ServerUnaryReactor* GetRecovery(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetRecoveryRequest* request,
      makegood::v1::RecoveryCase* response) override;
  grpc::ServerUnaryReactor* ListRecoveries(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListRecoveriesRequest* request,
      makegood::v1::ListRecoveriesResponse* response) override;
  grpc::ServerWriteReactor<makegood::v1::RecoveryUpdate>* WatchRecoveries(
      grpc::CallbackServerContext* context,
      const makegood::v1::WatchRecoveriesRequest* request) override;

 private:
  class WatchReactor;

  // Authorizes, checks the request with `validate` (given the call's
  // rules), runs `submit` on the store with a RecoveryCall, answers with
  // the committed case and publishes it.
  template <typename Validate, typename Submit>
  grpc::ServerUnaryReactor* Mutate(
      grpc::CallbackServerContext* context,
      std::initializer_list<makegood::v1::Role> roles, Validate validate,
      makegood::v1::RecoveryCase* response, Submit submit);

  store::Store& store_;
  const Authenticator& auth_;
  const core::Clock& clock_;
  RecoveryHub& hub_;
  ReadExecutor& readers_;
  const StuckCommandAlerts& stuck_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RECOVERY_SERVICE_H_
