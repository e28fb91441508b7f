#ifndef MAKEGOOD_SERVICE_SERVER_H_
#define MAKEGOOD_SERVICE_SERVER_H_

// The gRPC server of makegoodd: every makegood.v1 service, health and
// reflection, on one listening address. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/recovery_rules.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "makegood/v1/report.grpc.pb.h"
#include "service/auth.h"
#include "service/check_service.h"
#include "service/command_dispatcher.h"
#include "service/order_event_service.h"
#include "service/read_executor.h"
#include "service/recovery_hub.h"
#include "service/recovery_service.h"
#include "service/remedy_command_service.h"
#include "service/report_service.h"
#include "service/session_service.h"
#include "service/sessions.h"
#include "service/simulation_service.h"
#include "service/stuck_command_alerts.h"

namespace makegood::service {

class Server {
 public:
  // Listens on config.server().listen (port 0 picks a free port) with the
  // services over `store`. FAILED_PRECONDITION when the address is not
  // loopback and no TLS is configured; INVALID_ARGUMENT when a TLS file
  // cannot be read; UNAVAILABLE when the address cannot be bound.
  // `store` and `clock` must outlive the server. With `simulated` (which
  // must be `clock`), SimulationService is served too, to move it.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const makegood::v1::Config& config, store::Store& store,
      const core::Clock& clock, core::FakeClock* simulated = nullptr);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // The port actually bound.
  int port() const { return port_; }

  // A channel to these services inside the process: the HTTP listener's
  // Connect calls run through it, so each RPC has one implementation.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Reports NOT_SERVING, stops accepting calls, waits up to `grace` for
  // calls in flight to finish, then cancels what remains. Until then,
  // grpc.health.v1 reports NOT_SERVING also while the store cannot write
  // (a full or failing disk), for "" and each makegood service.
  void Shutdown(absl::Duration grace);

 private:
  Server(const makegood::v1::Config& config, core::RecoveryRules rules,
         store::Store& store, const core::Clock& clock);

  // Before auth_, which looks session tokens up in it.
  SessionTable sessions_;
  Authenticator auth_;
  // Drained by Shutdown (and destroyed last): every read a call still
  // waits for runs before the store shuts down.
  ReadExecutor readers_;
  OrderEventServiceImpl order_events_;
  CheckServiceImpl checks_;
  core::RecoveryRules rules_;
  RecoveryHub hub_;
  // After the hub: destroyed first, since the hub may still call it.
  CommandDispatcher dispatcher_;
  // After the hub too; its timer is stopped by Shutdown.
  StuckCommandAlerts stuck_;
  RecoveryServiceImpl recovery_;
  RemedyCommandServiceImpl remedy_commands_;
  ReportServiceImpl reports_;
  SessionServiceImpl session_service_;
  std::unique_ptr<SimulationServiceImpl> simulation_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  // Whose write health the health service follows, from Start until
  // Shutdown.
  store::Store* watched_store_ = nullptr;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SERVER_H_
