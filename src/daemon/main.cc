// makegoodd: the makegood sidecar daemon.

#include <signal.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "config/config_loader.h"
#include "core/clock.h"
#include "http/http_server.h"
#include "makegood/version.h"
#include "service/server.h"
#include "store/sqlite_store.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;
// How long in-flight calls get to finish on SIGTERM/SIGINT.
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

void Log(const std::string& line) {
  std::cerr << "makegoodd: " << line << std::endl;
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

int Serve(const std::string& config_path, const std::string& listen,
          const std::string& http_listen, const std::string& database,
          std::optional<absl::Time> simulated_start) {
  auto config = makegood::config::LoadConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << std::endl;
    return kExitBadConfig;
  }
  if (!listen.empty()) config->mutable_server()->set_listen(listen);
  if (!database.empty()) config->mutable_server()->set_database(database);
  if (!http_listen.empty()) config->mutable_server()->set_http(http_listen);

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string& db_path = config->server().database();
  if (auto s = EnsureParentDirectory(db_path); !s.ok()) {
    Log(std::string(s.message()));
    return kExitFailure;
  }
  // One clock for everything the daemon does: requests, and the store's
  // expiry and cleanup.
  makegood::core::SystemClock system_clock;
  std::unique_ptr<makegood::core::FakeClock> simulated;
  if (simulated_start.has_value()) {
    simulated = std::make_unique<makegood::core::FakeClock>(*simulated_start);
    Log(absl::StrCat("SIMULATED CLOCK from ",
                     absl::FormatTime(*simulated_start),
                     ": for training and makegood-sim only; it moves only "
                     "through SimulationService.SetClock"));
  }
  const makegood::core::Clock& clock =
      simulated ? static_cast<const makegood::core::Clock&>(*simulated)
                : system_clock;
  makegood::store::SqliteStoreOptions store_options;
  store_options.path = db_path;
  store_options.clock = &clock;
  store_options.write_queue_limit = config->server().write_queue_limit();
  auto store = makegood::store::SqliteStore::Open(store_options);
  if (!store.ok()) {
    Log(absl::StrCat("cannot open the database ", db_path, ": ",
                     store.status().message()));
    return kExitFailure;
  }
  if (auto s = (*store)->RegisterLocation(config->location()); !s.ok()) {
    Log(absl::StrCat("cannot record the location: ", s.message()));
    return kExitFailure;
  }
  auto server = makegood::service::Server::Start(*config, **store, clock,
                                                 simulated.get());
  if (!server.ok()) {
    Log(std::string(server.status().message()));
    return kExitFailure;
  }
  std::unique_ptr<makegood::http::HttpServer> http;
  if (makegood::http::HttpEnabled(config->server())) {
    auto started =
        makegood::http::HttpServer::Start(makegood::http::HttpOptionsOf(
            config->server(), (*server)->InProcessChannel()));
    if (!started.ok()) {
      Log(std::string(started.status().message()));
      (*server)->Shutdown(absl::ZeroDuration());
      return kExitFailure;
    }
    http = *std::move(started);
  }
  const std::string address = config->server().listen();
  const std::string host = address.substr(0, address.rfind(':'));
  // The one line on stdout: scripts and tests read the bound ports from it.
  std::cout << "makegoodd " << MAKEGOOD_VERSION << " listening on " << host
            << ":" << (*server)->port();
  if (http != nullptr) {
    std::cout << ", http on " << http->host() << ":" << http->port();
  }
  std::cout << std::endl;
  Log(absl::StrCat("location ", config->location().id(), ", database ", db_path,
                   ", TLS ",
                   config->server().tls().cert_file().empty() ? "off" : "on"));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(absl::StrCat("received ", strsignal(signal_number),
                   ": finishing calls in flight"));
  // The HTTP side first: its calls run on the gRPC server.
  if (http != nullptr) http->Stop();
  (*server)->Shutdown(kShutdownGrace);
  (*store)->Shutdown();  // Commits whatever is still queued.
  Log("stopped");
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
      "commits their work before exiting.",
      "makegoodd"};
  std::string config_path, listen, http_listen, database, check_config,
      simulated_clock;
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
