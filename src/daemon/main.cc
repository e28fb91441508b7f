// makegoodd: the makegood sidecar daemon.

#include <grpc/support/log.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "config/config_loader.h"
#include "core/clock.h"
#include "http/http_server.h"
#include "makegood/version.h"
#include "service/server.h"
#include "store/sqlite_store.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;
// How long in-flight calls get to finish on SIGTERM/SIGINT.
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

using makegood::telemetry::LogEvent;
using makegood::telemetry::LogLevel;

// gRPC's own messages (errors, unless GRPC_VERBOSITY says otherwise), as
// events of the same log, so that every line of it has one format.
void LogGrpcMessage(gpr_log_func_args* args) {
  const LogLevel level =
      args->severity == GPR_LOG_SEVERITY_ERROR  ? LogLevel::kError
      : args->severity == GPR_LOG_SEVERITY_INFO ? LogLevel::kInfo
                                                : LogLevel::kDebug;
  LogEvent(
      level, "grpc",
      {{"msg", args->message}, {"file", args->file}, {"line", args->line}});
}

// "SIGTERM" for the log; strsignal's words for people are in `msg`.
std::string SignalName(int signal_number) {
  switch (signal_number) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return absl::StrCat(signal_number);
  }
}

int CheckConfig(const std::string& path) {
  auto config = makegood::config::LoadConfigFile(path);
  if (!config.ok()) {
    std::cerr << config.status().message() << std::endl;
    return kExitBadConfig;
  }
  std::cout << path << ": OK (location " << config->location().id() << ", "
            << config->staff_size() << " staff, " << config->devices_size()
            << " devices, " << config->categories_size() << " categories, "
            << config->remedies_size() << " remedies, " << config->policy_size()
            << " policy rules)" << std::endl;
  return kExitOk;
}

absl::Status EnsureParentDirectory(const std::string& database) {
  std::filesystem::path parent = std::filesystem::path(database).parent_path();
  if (parent.empty()) return absl::OkStatus();
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the database directory ", parent.string(),
                     ": ", error.message()));
  }
  return absl::OkStatus();
}

// SIGHUP: `next` is the file read again, with the same command-line
// overrides. A file that does not load, or that the server refuses, changes
// nothing: every problem is logged (reload_failed), and the running
// configuration stays. Otherwise it runs from now on (Server::Reload):
// `reload` says what changed, `reload_needs_restart` what keeps its running
// value until a restart. The HTTP listener (`http`, null when off) then reads
// its TLS files again; files that are not valid keep its running
// certificate (reload_tls_failed). The gRPC listener reads its own by itself.
void Reload(const std::string& config_path,
            const absl::StatusOr<makegood::v1::Config>& next,
            makegood::service::Server& server,
            makegood::http::HttpServer* http) {
  const absl::StatusOr<makegood::service::ReloadReport> report =
      next.ok()
          ? server.Reload(*next)
          : absl::StatusOr<makegood::service::ReloadReport>(next.status());
  if (!report.ok()) {
    // The loader's message has one problem a line.
    const std::vector<std::string> problems =
        absl::StrSplit(report.status().message(), '\n', absl::SkipEmpty());
    for (const std::string& problem : problems) {
      LogEvent(LogLevel::kError, "reload_failed",
               {{"config", config_path},
                {"problems", problems.size()},
                {"problem", problem},
                {"running", "unchanged"}});
    }
    return;
  }
  const bool http_tls = http != nullptr && http->tls();
  const absl::Status tls_reloaded =
      http_tls ? http->ReloadTls() : absl::OkStatus();
  const std::string certificate = http_tls ? http->TlsCertificate() : "";
  const std::string changed = report->changed.empty()
                                  ? std::string("nothing")
                                  : absl::StrJoin(report->changed, ",");
  std::vector<makegood::telemetry::LogField> fields = {
      {"config", config_path},
      {"changed", changed},
      {"sessions_ended", report->sessions_ended},
      {"streams_ended", report->streams_ended},
      {"http_tls",
       !http_tls ? "off" : (tls_reloaded.ok() ? "reloaded" : "unchanged")}};
  if (http_tls) fields.push_back({"http_certificate", certificate});
  LogEvent(LogLevel::kInfo, "reload", fields);
  if (!tls_reloaded.ok()) {
    LogEvent(
        LogLevel::kError, "reload_tls_failed",
        {{"listener", "http"},
         {"problem", tls_reloaded.message()},
         {"running", "unchanged"},
         {"http_certificate", certificate},
         {"msg", "the HTTP listener goes on serving its running certificate"}});
  }
  if (!report->needs_restart.empty()) {
    LogEvent(LogLevel::kWarning, "reload_needs_restart",
             {{"config", config_path},
              {"fields", absl::StrJoin(report->needs_restart, ",")},
              {"msg",
               "these fields keep their running values until makegoodd "
               "restarts"}});
  }
}

int Serve(const std::string& config_path, const std::string& listen,
          const std::string& http_listen, const std::string& database,
          std::optional<absl::Time> simulated_start) {
  // The file with the command line's overrides: at start and at each
  // SIGHUP.
  const auto load = [&]() -> absl::StatusOr<makegood::v1::Config> {
    auto loaded = makegood::config::LoadConfigFile(config_path);
    if (!loaded.ok()) return loaded;
    if (!listen.empty()) loaded->mutable_server()->set_listen(listen);
    if (!database.empty()) loaded->mutable_server()->set_database(database);
    if (!http_listen.empty()) loaded->mutable_server()->set_http(http_listen);
    return loaded;
  };
  auto config = load();
  if (!config.ok()) {
    LogEvent(LogLevel::kError, "config_invalid",
             {{"config", config_path}, {"error", config.status().message()}});
    return kExitBadConfig;
  }

  // Block the signals in every thread; the main thread waits for them:
  // SIGINT and SIGTERM stop, SIGHUP reloads the configuration.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string& db_path = config->server().database();
  if (auto s = EnsureParentDirectory(db_path); !s.ok()) {
    LogEvent(LogLevel::kError, "store_open_failed",
             {{"database", db_path}, {"error", s.message()}});
    return kExitFailure;
  }
  // One clock for everything the daemon does: requests, and the store's
  // expiry and cleanup.
  makegood::core::SystemClock system_clock;
  std::unique_ptr<makegood::core::FakeClock> simulated;
  if (simulated_start.has_value()) {
    simulated = std::make_unique<makegood::core::FakeClock>(*simulated_start);
    LogEvent(LogLevel::kWarning, "simulated_clock",
             {{"from", absl::FormatTime(absl::RFC3339_full, *simulated_start,
                                        absl::UTCTimeZone())},
              {"msg",
               "SIMULATED CLOCK: for training and makegood-sim only; it moves "
               "only through SimulationService.SetClock"}});
  }
  const makegood::core::Clock& clock =
      simulated ? static_cast<const makegood::core::Clock&>(*simulated)
                : system_clock;
  // What GET /metrics shows; the store and the services count into it.
  // Declared before both, so it outlives them.
  makegood::telemetry::MetricsRegistry metrics;
  makegood::store::SqliteStoreOptions store_options;
  store_options.path = db_path;
  store_options.clock = &clock;
  store_options.write_queue_limit = config->server().write_queue_limit();
  store_options.metrics = &metrics;
  auto store = makegood::store::SqliteStore::Open(store_options);
  if (!store.ok()) {
    LogEvent(LogLevel::kError, "store_open_failed",
             {{"database", db_path},
              {"error", store.status().message()},
              {"msg", absl::StrCat("cannot open the database ", db_path, ": ",
                                   store.status().message())}});
    return kExitFailure;
  }
  if (auto s = (*store)->RegisterLocation(config->location()); !s.ok()) {
    LogEvent(LogLevel::kError, "store_open_failed",
             {{"database", db_path},
              {"error", s.message()},
              {"msg", "cannot record the location"}});
    return kExitFailure;
  }
  auto server = makegood::service::Server::Start(*config, **store, clock,
                                                 simulated.get(), &metrics);
  if (!server.ok()) {
    LogEvent(LogLevel::kError, "listen_failed",
             {{"listener", "grpc"},
              {"address", config->server().listen()},
              {"error", server.status().message()}});
    return kExitFailure;
  }
  std::unique_ptr<makegood::http::HttpServer> http;
  if (makegood::http::HttpEnabled(config->server())) {
    makegood::http::HttpServerOptions http_options =
        makegood::http::HttpOptionsOf(config->server(),
                                      (*server)->InProcessChannel());
    // Scrapers are authenticated as the RPCs are, by the server's
    // credentials (reloaded with them).
    const makegood::service::Server* grpc_server = server->get();
    http_options.metrics.registry = &metrics;
    http_options.metrics.authorize =
        [grpc_server](absl::string_view authorization) {
          return grpc_server->AuthorizeScrape(authorization);
        };
    auto started = makegood::http::HttpServer::Start(std::move(http_options));
    if (!started.ok()) {
      LogEvent(LogLevel::kError, "listen_failed",
               {{"listener", "http"},
                {"address", config->server().http()},
                {"error", started.status().message()}});
      (*server)->Shutdown(absl::ZeroDuration());
      return kExitFailure;
    }
    http = *std::move(started);
  }
  const std::string address = config->server().listen();
  const std::string host = address.substr(0, address.rfind(':'));
  // Logged before the stdout line, so that it is the first line of the
  // log a reader of that line sees.
  const std::string grpc_address = absl::StrCat(host, ":", (*server)->port());
  const std::string http_address =
      http == nullptr ? "off" : absl::StrCat(http->host(), ":", http->port());
  LogEvent(LogLevel::kInfo, "start",
           {{"version", MAKEGOOD_VERSION},
            {"location", config->location().id()},
            {"database", db_path},
            {"listen", grpc_address},
            {"http", http_address},
            {"tls", config->server().tls().cert_file().empty() ? "off" : "on"},
            {"simulated_clock", simulated != nullptr}});
  // The one line on stdout: scripts and tests read the bound ports from it.
  std::cout << "makegoodd " << MAKEGOOD_VERSION << " listening on " << host
            << ":" << (*server)->port();
  if (http != nullptr) {
    std::cout << ", http on " << http->host() << ":" << http->port();
  }
  std::cout << std::endl;

  int signal_number = 0;
  for (;;) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP) break;
    Reload(config_path, load(), **server, http.get());
  }
  LogEvent(LogLevel::kInfo, "signal",
           {{"signal", SignalName(signal_number)},
            {"msg", absl::StrCat("received ", strsignal(signal_number),
                                 ": finishing calls in flight")}});
  // The HTTP side first: its calls run on the gRPC server.
  if (http != nullptr) http->Stop();
  (*server)->Shutdown(kShutdownGrace);
  (*store)->Shutdown();  // Commits whatever is still queued.
  LogEvent(LogLevel::kInfo, "stop", {{"msg", "stopped"}});
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "makegoodd: the makegood service-recovery sidecar.\n"
      "Serves the makegood.v1 gRPC services (order events, recovery, remedy\n"
      "commands, reports) plus grpc.health.v1 and server reflection, backed\n"
      "by an embedded SQLite database; on its HTTP listener, the same RPCs\n"
      "over the Connect protocol and the tablet and manager web app.\n"
      "Stop it with SIGTERM or Ctrl-C: it finishes the calls in flight and\n"
      "commits their work before exiting. SIGHUP reloads the configuration\n"
      "(README, \"Reload\").",
      "makegoodd"};
  std::string config_path, listen, http_listen, database, check_config,
      simulated_clock;
  std::string log_format_name = "logfmt", log_level_name = "info";
  app.add_option("--config", config_path, "The location's YAML configuration")
      ->check(CLI::ExistingFile);
  app.add_option(
      "--listen", listen,
      "host:port to listen on (default: server.listen in the config, "
      "else 127.0.0.1:50051); port 0 picks a free port");
  app.add_option(
      "--http", http_listen,
      "host:port of the HTTP listener: the tablet and manager web app and the "
      "Connect protocol (default: server.http in the config, else "
      "127.0.0.1:8080); \"off\" turns it off; port 0 picks a free port");
  app.add_option("--db", database,
                 "SQLite database file (default: server.database in the "
                 "config, else var/makegood.db)");
  app.add_option(
      "--check-config", check_config,
      "Validate FILE, print every problem, and exit: 0 valid, 2 not");
  app.add_option(
      "--simulated-clock", simulated_clock,
      "Training and makegood-sim only: the daemon's clock starts at this RFC "
      "3339 time and moves only through SimulationService.SetClock (ADMIN)");
  app.add_option("--log-format", log_format_name,
                 "How standard error's log lines are written: logfmt "
                 "(key=value) or json (one object a line)")
      ->capture_default_str();
  app.add_option("--log-level", log_level_name,
                 "The least important events logged: debug (also one line "
                 "per RPC), info, warning or error")
      ->capture_default_str();
  app.set_version_flag("--version",
                       std::string("makegoodd ") + MAKEGOOD_VERSION);
  app.footer(
      "Exit status: 0 after a clean stop, 1 when the database or the listener "
      "fails, 2 for a bad command line or configuration.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitBadConfig;
  }
  const auto log_format = makegood::telemetry::ParseLogFormat(log_format_name);
  if (!log_format.ok()) {
    std::cerr << "makegoodd: --log-format: " << log_format.status().message()
              << std::endl;
    return kExitBadConfig;
  }
  const auto log_level = makegood::telemetry::ParseLogLevel(log_level_name);
  if (!log_level.ok()) {
    std::cerr << "makegoodd: --log-level: " << log_level.status().message()
              << std::endl;
    return kExitBadConfig;
  }
  makegood::telemetry::ConfigureLogging(*log_format, *log_level, &std::cerr);
  gpr_set_log_function(LogGrpcMessage);
  if (!check_config.empty()) return CheckConfig(check_config);
  if (config_path.empty()) {
    std::cerr << "makegoodd: --config FILE is required (see --help)"
              << std::endl;
    return kExitBadConfig;
  }
  std::optional<absl::Time> simulated_start;
  if (!simulated_clock.empty()) {
    absl::Time start;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, simulated_clock, &start, &error)) {
      std::cerr << "makegoodd: --simulated-clock: '" << simulated_clock
                << "' is not an RFC 3339 time (" << error << ")" << std::endl;
      return kExitBadConfig;
    }
    simulated_start = start;
  }
  return Serve(config_path, listen, http_listen, database, simulated_start);
}
