#ifndef MAKEGOOD_SERVICE_SERVER_H_
#define MAKEGOOD_SERVICE_SERVER_H_

// The gRPC server of makegoodd: every makegood.v1 service, health and
// reflection, on one listening address. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "makegood/v1/config.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "makegood/v1/report.grpc.pb.h"
#include "service/auth.h"
#include "service/check_service.h"
#include "service/command_dispatcher.h"
#include "service/live_config.h"
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
#include "telemetry/metrics.h"

namespace makegood::service {

// What a reload changed (Server::Reload).
struct ReloadReport {
  // The fields that took effect ("staff", "location.name"), in schema
  // order (service/reload_changes.h).
  std::vector<std::string> changed;
  // The fields that changed in the file but keep their running values
  // until a restart ("server.listen").
  std::vector<std::string> needs_restart;
  // Tablet sessions of a removed staff member or tablet, ended.
  int sessions_ended = 0;
  // Open WatchRecoveries and StreamCommands streams of a revoked
  // credential, ended.
  int streams_ended = 0;
};

class Server {
 public:
  // Listens on config.server().listen (port 0 picks a free port) with the
  // services over `store`. FAILED_PRECONDITION when the address is not
  // loopback and no TLS is configured; INVALID_ARGUMENT when a TLS file
  // cannot be read; UNAVAILABLE when the address cannot be bound.
  // `store` and `clock` must outlive the server. With `simulated` (which
  // must be `clock`), SimulationService is served too, to move it.
  // The services count into `metrics` (RPCs, auth failures, connected
  // adapters and watchers), which must outlive the server; nullptr: a
  // registry of the server's own. The registry is passed down explicitly
  // (the daemon owns it and gives it to the store too) rather than kept
  // process-wide, so that two servers in one process, as in tests, count
  // apart.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const makegood::v1::Config& config, store::Store& store,
      const core::Clock& clock, core::FakeClock* simulated = nullptr,
      telemetry::MetricsRegistry* metrics = nullptr);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // The port actually bound.
  int port() const { return port_; }

  // Makes `next` (loaded and validated as at start) the running
  // configuration, in one step: each call runs wholly under the old one or
  // wholly under the new (service/live_config.h). The fields that need a
  // restart keep their running values and are listed
  // (service/reload_changes.h). A credential that is gone or has another
  // token stops working at once: new calls are UNAUTHENTICATED, its open
  // WatchRecoveries and StreamCommands streams end with UNAUTHENTICATED
  // (PERMISSION_DENIED for a role that no longer may), and tablet sessions
  // of a removed staff member or tablet end. FAILED_PRECONDITION when
  // `next` changes a field a reload may not (location.id,
  // location.currency), INVALID_ARGUMENT when its rules do not compile:
  // then nothing changes. Call it from one thread, not during Shutdown.
  absl::StatusOr<ReloadReport> Reload(const makegood::v1::Config& next);

  // A channel to these services inside the process: the HTTP listener's
  // Connect calls run through it, so each RPC has one implementation.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // What the services count into: GET /metrics renders it.
  telemetry::MetricsRegistry& metrics() { return metrics_; }

  // Whether `authorization` ("Bearer <token>") may scrape GET /metrics: OK
  // for a METRICS, REPORTER or ADMIN credential, UNAUTHENTICATED or
  // PERMISSION_DENIED (counted as auth failures) otherwise.
  absl::Status AuthorizeScrape(absl::string_view authorization) const;

  // Reports NOT_SERVING, stops accepting calls, waits up to `grace` for
  // calls in flight to finish, then cancels what remains. Until then,
  // grpc.health.v1 reports NOT_SERVING also while the store cannot write
  // (a full or failing disk), for "" and each makegood service.
  void Shutdown(absl::Duration grace);

 private:
  Server(std::shared_ptr<const ConfigSnapshot> config, store::Store& store,
         const core::Clock& clock, telemetry::MetricsRegistry* metrics);

  // First: everything below may count into it. own_metrics_ is set when
  // Start was given no registry.
  std::unique_ptr<telemetry::MetricsRegistry> own_metrics_;
  telemetry::MetricsRegistry& metrics_;

  // The running configuration; every service reads it through auth_.
  LiveConfig live_;
  // Before auth_, which looks session tokens up in it.
  SessionTable sessions_;
  Authenticator auth_;
  // Drained by Shutdown (and destroyed last): every read a call still
  // waits for runs before the store shuts down.
  ReadExecutor readers_;
  OrderEventServiceImpl order_events_;
  CheckServiceImpl checks_;
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
  // makegood_adapters_connected, makegood_watchers_connected. Last:
  // unregistered before what they read is destroyed.
  std::vector<telemetry::GaugeRegistration> gauges_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SERVER_H_
