#include "service/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "config/config_validation.h"
#include "config/file_text.h"
#include "core/proto_time.h"
#include "service/server_limits.h"

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
  // No more leases than the stream's queue takes: a backlog never
  // overloads an adapter's stream.
  options.max_leases_per_stream = static_cast<int>(StreamQueueLimit(config));
  return options;
}

// How often a client may ping while it sends no data: under every client's
// own keepalive (client/connection.h, 1 s at the least), so that none is
// cut off as too_many_pings, yet not a flood.
constexpr int kMinClientPingIntervalMs = 500;

// Keepalive on every connection: makegoodd pings each client every
// `period`, also with no call open and on a stream that has sent nothing
// for long, and closes the connection when a ping is not answered within
// `period`. A half-open connection so ends its streams in about two
// periods, and an adapter's leased commands go to another adapter.
void AddKeepalive(grpc::ServerBuilder& builder, absl::Duration period) {
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(period));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      kMinClientPingIntervalMs);
}

// Every command not yet answered, a page at a time: to the dispatcher,
// which leases them as adapters connect, and to the stuck-delivery alerts.
absl::Status LoadBacklog(store::Store& store, const std::string& location_id,
                         CommandDispatcher& dispatcher,
                         StuckCommandAlerts& stuck) {
  store::CommandPageQuery query;
  for (;;) {
    auto page = store.UnackedCommands(location_id, query);
    if (!page.ok()) return page.status();
    if (!page->commands.empty()) {
      const makegood::v1::RemedyCommand& last = page->commands.back();
      query.after_created_us = core::ToUnixMicros(last.created_at());
      query.after_command_id = last.command_id();
    }
    const bool more = page->more;
    stuck.Load(page->commands);
    dispatcher.Load(std::move(page->commands));
    if (!more) return absl::OkStatus();
  }
}

// The health service follows the store: "" and every makegood service
// report NOT_SERVING while the store cannot write (a full or failing disk:
// writes are refused with STORE_FULL or STORE_UNAVAILABLE), and SERVING
// again once a write commits. Load balancers and `makegood health` see it.
void FollowWriteHealth(grpc::Server& server, store::Store& store) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  for (const char* service : {
           makegood::v1::OrderEventService::service_full_name(),
           makegood::v1::CheckService::service_full_name(),
           makegood::v1::RecoveryService::service_full_name(),
           makegood::v1::RemedyCommandService::service_full_name(),
           makegood::v1::ReportService::service_full_name(),
           makegood::v1::SessionService::service_full_name(),
       }) {
    health->SetServingStatus(service, true);
  }
  // Called at once with the current answer, then at each change.
  store.WatchWriteHealth(
      [health](bool can_write) { health->SetServingStatus(can_write); });
}

}  // namespace

Server::Server(const makegood::v1::Config& config, core::RecoveryRules rules,
               store::Store& store, const core::Clock& clock)
    : sessions_(SessionIdleLimit(config)),
      auth_(config, &sessions_, &clock),
      order_events_(EventOptions(config), store, auth_, clock),
      checks_(config.location(), store, auth_, readers_),
      rules_(std::move(rules)),
      dispatcher_(DispatcherOptions(config)),
      stuck_(
          hub_, clock,
          StuckCommandAlertsOptions{.stuck_after = CommandStuckAfter(config)}),
      recovery_(rules_, store, auth_, clock, hub_, readers_, stuck_),
      remedy_commands_(rules_, store, auth_, clock, hub_, dispatcher_),
      reports_(rules_, store, auth_, clock, readers_),
      session_service_(config, rules_, auth_, sessions_, clock, readers_) {}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

Server::~Server() {
  Shutdown(absl::ZeroDuration());
  // Also when Start failed before anything was served.
  stuck_.Stop();
  readers_.Shutdown();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const makegood::v1::Config& config, store::Store& store,
    const core::Clock& clock, core::FakeClock* simulated) {
  auto credentials = Credentials(config.server());
  if (!credentials.ok()) return credentials.status();

  auto rules = core::RecoveryRules::Compile(config);
  if (!rules.ok()) return rules.status();
  std::unique_ptr<Server> server(
      new Server(config, *std::move(rules), store, clock));
  // Every command not yet answered, leased as adapters connect and watched
  // until answered; new ones come through the hub.
  if (auto loaded = LoadBacklog(store, config.location().id(),
                                server->dispatcher_, server->stuck_);
      !loaded.ok()) {
    return loaded;
  }
  server->hub_.Add(&server->dispatcher_);
  server->hub_.Add(&server->stuck_);
  server->stuck_.Start();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  AddKeepalive(builder, KeepaliveTime(config));
  builder.AddListeningPort(config.server().listen(), *credentials,
                           &server->port_);
  builder.RegisterService(&server->order_events_);
  builder.RegisterService(&server->checks_);
  builder.RegisterService(&server->recovery_);
  builder.RegisterService(&server->remedy_commands_);
  builder.RegisterService(&server->reports_);
  builder.RegisterService(&server->session_service_);
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
  FollowWriteHealth(*server->server_, store);
  server->watched_store_ = &store;
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  // First: the store's observer uses the health service of server_.
  if (watched_store_ != nullptr) {
    watched_store_->WatchWriteHealth(nullptr);
    watched_store_ = nullptr;
  }
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  hub_.Close();  // Live streams end now instead of holding up the grace.
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
  // No call waits for a read any more: the queued ones finish now, before
  // the store is shut down.
  readers_.Shutdown();
  stuck_.Stop();
}

}  // namespace makegood::service
