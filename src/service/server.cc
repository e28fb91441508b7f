#include "service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "config/config_validation.h"
#include "config/file_text.h"

namespace makegood::service {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& field,
                                     const std::string& path) {
  std::optional<std::string> text = config::ReadFileText(path);
  if (!text) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot read '", path, "'"));
  }
  return *std::move(text);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const makegood::v1::ServerConfig& server) {
  const auto& tls = server.tls();
  if (tls.cert_file().empty()) {
    if (!config::IsLoopbackListenAddress(server.listen())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to listen on ", server.listen(),
          " without TLS: guests' data and staff tokens would cross the "
          "network in clear. Set server.tls.cert_file and server.tls.key_file "
          "in the configuration, or listen on 127.0.0.1"));
    }
    return grpc::InsecureServerCredentials();
  }
  auto cert = ReadFile("server.tls.cert_file", tls.cert_file());
  if (!cert.ok()) return cert.status();
  auto key = ReadFile("server.tls.key_file", tls.key_file());
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!tls.client_ca_file().empty()) {
    auto ca = ReadFile("server.tls.client_ca_file", tls.client_ca_file());
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

OrderEventServiceOptions EventOptions(const makegood::v1::Config& config) {
  OrderEventServiceOptions options;
  options.location_id = config.location().id();
  options.currency = config.location().currency();
  return options;
}

CommandDispatcherOptions DispatcherOptions(const makegood::v1::Config& config) {
  CommandDispatcherOptions options;
  if (config.server().command_ack_deadline_seconds() > 0) {
    options.ack_deadline =
        absl::Seconds(config.server().command_ack_deadline_seconds());
  }
  return options;
}

}  // namespace

Server::Server(const makegood::v1::Config& config, core::RecoveryRules rules,
               store::Store& store, const core::Clock& clock)
    : auth_(config),
      order_events_(EventOptions(config), store, auth_, clock),
      checks_(config.location(), store, auth_),
      rules_(std::move(rules)),
      dispatcher_(DispatcherOptions(config)),
      recovery_(rules_, store, auth_, clock, hub_),
      remedy_commands_(rules_, store, auth_, clock, hub_, dispatcher_),
      reports_(rules_, store, auth_, clock) {}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const makegood::v1::Config& config, store::Store& store,
    const core::Clock& clock, core::FakeClock* simulated) {
  auto credentials = Credentials(config.server());
  if (!credentials.ok()) return credentials.status();

  auto rules = core::RecoveryRules::Compile(config);
  if (!rules.ok()) return rules.status();
  std::unique_ptr<Server> server(
      new Server(config, *std::move(rules), store, clock));
  // Every command not yet answered, leased as adapters connect; new ones
  // come through the hub.
  auto backlog = store.UnackedCommands(config.location().id());
  if (!backlog.ok()) return backlog.status();
  server->hub_.Add(&server->dispatcher_);
  server->dispatcher_.Load(*std::move(backlog));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.server().listen(), *credentials,
                           &server->port_);
  builder.RegisterService(&server->order_events_);
  builder.RegisterService(&server->checks_);
  builder.RegisterService(&server->recovery_);
  builder.RegisterService(&server->remedy_commands_);
  builder.RegisterService(&server->reports_);
  if (simulated != nullptr) {
    server->simulation_ =
        std::make_unique<SimulationServiceImpl>(*simulated, server->auth_);
    builder.RegisterService(server->simulation_.get());
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.server().listen(),
        ": the address is in use or not available on this machine"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  hub_.Close();  // Live streams end now instead of holding up the grace.
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
}

}  // namespace makegood::service
