#include "service/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "config/config_validation.h"
#include "config/file_text.h"
#include "core/proto_time.h"
#include "service/reload_changes.h"
#include "service/rpc_log.h"
#include "service/rpc_metrics.h"
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

// How often the gRPC listener reads its TLS files (certificate chain, key,
// client CA) again: renewed files, written at the same paths, are served
// within this long, with no restart and no reload. Reading two small files
// this often costs nothing.
constexpr unsigned int kTlsFileRefreshSeconds = 10;

// A key file that is encrypted is refused, never prompted for.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

// INVALID_ARGUMENT unless `key_pem` is the private key of the certificate
// `cert_pem` starts with: a wrong pair fails at start, not at every
// handshake.
absl::Status CheckKeyPair(const makegood::v1::TlsConfig& tls,
                          const std::string& cert_pem,
                          const std::string& key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())),
      &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
      &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)
               : nullptr,
      &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &NoPassphrase,
                                        nullptr)
              : nullptr,
      &EVP_PKEY_free);
  const bool match = cert != nullptr && key != nullptr &&
                     X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();  // Nothing of OpenSSL's queue is ours to keep.
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "server.tls.cert_file: no PEM certificate in '", tls.cert_file(), "'"));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("server.tls.key_file: no unencrypted PEM private key in '",
                     tls.key_file(), "'"));
  }
  if (!match) {
    return absl::InvalidArgumentError(
        absl::StrCat("server.tls.key_file: '", tls.key_file(),
                     "' is not the private key of the certificate in '",
                     tls.cert_file(), "'"));
  }
  return absl::OkStatus();
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
  if (auto pair = CheckKeyPair(tls, *cert, *key); !pair.ok()) return pair;
  if (!tls.client_ca_file().empty()) {
    auto ca = ReadFile("server.tls.client_ca_file", tls.client_ca_file());
    if (!ca.ok()) return ca.status();
  }
  // The files are read again every kTlsFileRefreshSeconds, so that renewed
  // ones are served without a restart.
  auto files =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.key_file(), tls.cert_file(), tls.client_ca_file(),
          kTlsFileRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(std::move(files));
  options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file().empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
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

// The streams connected now, read at each scrape.
std::vector<telemetry::GaugeRegistration> ConnectionGauges(
    telemetry::MetricsRegistry& metrics, const CommandDispatcher& dispatcher,
    const RecoveryHub& hub) {
  std::vector<telemetry::GaugeRegistration> gauges;
  gauges.push_back(metrics.AddGauge(
      "makegood_adapters_connected",
      "Adapter streams (RemedyCommandService.StreamCommands) taking remedy "
      "commands now.",
      {}, [&dispatcher] {
        return std::vector<telemetry::GaugeSample>{
            {{}, static_cast<double>(dispatcher.StreamCount())}};
      }));
  gauges.push_back(metrics.AddGauge(
      "makegood_watchers_connected",
      "Manager screens following RecoveryService.WatchRecoveries now.", {},
      [&hub] {
        return std::vector<telemetry::GaugeSample>{
            {{}, static_cast<double>(hub.WatcherCount())}};
      }));
  return gauges;
}

}  // namespace

// What is read from `config` here is restart-only (service/reload_changes.h):
// a reload keeps it at these values.
Server::Server(std::shared_ptr<const ConfigSnapshot> config,
               store::Store& store, const core::Clock& clock,
               telemetry::MetricsRegistry* metrics)
    : own_metrics_(metrics == nullptr
                       ? std::make_unique<telemetry::MetricsRegistry>()
                       : nullptr),
      metrics_(metrics != nullptr ? *metrics : *own_metrics_),
      live_(config),
      sessions_(SessionIdleLimit(config->config())),
      auth_(live_, &sessions_, &clock, &metrics_),
      order_events_(EventOptions(config->config()), store, auth_, clock),
      checks_(store, auth_, readers_),
      dispatcher_(DispatcherOptions(config->config())),
      stuck_(hub_, clock,
             StuckCommandAlertsOptions{
                 .stuck_after = CommandStuckAfter(config->config())}),
      recovery_(store, auth_, clock, hub_, readers_, stuck_),
      remedy_commands_(store, auth_, clock, hub_, dispatcher_),
      reports_(store, auth_, clock, readers_),
      session_service_(auth_, sessions_, clock, readers_) {}

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
    const core::Clock& clock, core::FakeClock* simulated,
    telemetry::MetricsRegistry* metrics) {
  auto credentials = Credentials(config.server());
  if (!credentials.ok()) return credentials.status();

  auto snapshot = ConfigSnapshot::Build(config);
  if (!snapshot.ok()) return snapshot.status();
  std::unique_ptr<Server> server(
      new Server(*std::move(snapshot), store, clock, metrics));
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
  // Every call's interceptors, in the order they see it. SetInterceptorCreators
  // replaces the whole list: add each one here.
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<RpcLogInterceptorFactory>());
  interceptors.push_back(
      std::make_unique<RpcMetricsInterceptorFactory>(server->metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.server().listen(),
        ": the address is in use or not available on this machine"));
  }
  FollowWriteHealth(*server->server_, store);
  server->watched_store_ = &store;
  server->gauges_ =
      ConnectionGauges(server->metrics_, server->dispatcher_, server->hub_);
  return server;
}

absl::Status Server::AuthorizeScrape(absl::string_view authorization) const {
  return auth_
      .TryAuthorize(
          authorization,
          {makegood::v1::METRICS, makegood::v1::REPORTER, makegood::v1::ADMIN})
      .principal.status();
}

absl::StatusOr<ReloadReport> Server::Reload(const makegood::v1::Config& next) {
  const std::shared_ptr<const ConfigSnapshot> running = live_.Get();
  const makegood::v1::Config& was = running->config();
  if (absl::Status reloadable = CheckReloadable(was, next); !reloadable.ok()) {
    return reloadable;
  }
  ReloadReport report;
  report.needs_restart = RestartOnlyChanges(was, next);
  const makegood::v1::Config effective = KeepRestartOnly(was, next);
  report.changed = ChangedFields(was, effective);
  auto snapshot = ConfigSnapshot::Build(effective);
  if (!snapshot.ok()) return snapshot.status();
  // The swap first: from here every call runs under the new configuration.
  // Then what the old one let in and the new one does not: its tablet
  // sessions, then its open streams (RecoveryHub, 6.).
  live_.Replace(*std::move(snapshot));
  report.sessions_ended = auth_.EndRevokedSessions(*running);
  report.streams_ended = hub_.RecheckCredentials();
  return report;
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
