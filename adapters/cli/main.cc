// makegood-adapter: the POS vendor adapters' command line.
//
//   makegood-adapter <vendor> --config FILE
//
// runs the vendor's adapter (adapters/runtime): webhooks in,
// OrderEvents to makegoodd, remedy commands written back to the POS.
//
//   makegood-adapter <vendor> translate FILE [--location ID] [--currency C]
//
// prints, as JSON lines, the OrderEvents a vendor payload (a webhook body
// or an order object) yields, without any network: for integrators
// checking what makegood will make of their POS's data.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "adapter_config.h"
#include "adapter_runtime.h"
#include "clover_api.h"
#include "core/event_json.h"
#include "shopify_api.h"
#include "square_api.h"
#include "telemetry/log.h"
#include "toast_api.h"
#include "translate.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

using makegood::telemetry::LogEvent;
using makegood::telemetry::LogLevel;

// --log-format and --log-level of a running adapter.
struct LogOptions {
  std::string format = "logfmt";
  std::string level = "info";
};

// Sets up the log from `options`; false (with the error on stderr) when a
// value is not one of the choices.
bool ConfigureLog(const LogOptions& options) {
  const auto format = makegood::telemetry::ParseLogFormat(options.format);
  if (!format.ok()) {
    std::cerr << "makegood-adapter: --log-format: " << format.status().message()
              << std::endl;
    return false;
  }
  const auto level = makegood::telemetry::ParseLogLevel(options.level);
  if (!level.ok()) {
    std::cerr << "makegood-adapter: --log-level: " << level.status().message()
              << std::endl;
    return false;
  }
  makegood::telemetry::ConfigureLogging(*format, *level, &std::cerr);
  return true;
}

struct TranslateOptions {
  std::string file;
  std::string location;
  std::string currency;
  std::string source;
};

int RunTranslate(const std::string& vendor, const TranslateOptions& options) {
  std::string payload;
  if (options.file == "-") {
    std::stringstream in;
    in << std::cin.rdbuf();
    payload = in.str();
  } else {
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
      std::cerr << "makegood-adapter: " << options.file << ": cannot read"
                << std::endl;
      return kExitBadInput;
    }
    std::stringstream text;
    text << in.rdbuf();
    payload = text.str();
  }
  makegood::adapters::VendorContext context;
  context.source = options.source.empty() ? vendor : options.source;
  context.default_location = options.location;
  context.currency = options.currency;
  auto translation = makegood::adapters::Translate(vendor, payload, context);
  if (!translation.ok()) {
    std::cerr << "makegood-adapter: " << options.file << ": "
              << translation.status().message() << std::endl;
    return kExitBadInput;
  }
  for (const auto& event : translation->events) {
    std::cout << makegood::core::OrderEventJsonLine(event) << "\n";
  }
  for (const auto& fetch : translation->fetch) {
    std::cerr << "makegood-adapter: order " << fetch.order_id
              << " (vendor location " << fetch.vendor_location
              << (fetch.version ? ", version " + std::to_string(fetch.version)
                                : std::string())
              << ") is only named by this webhook: a running adapter fetches "
                 "it from the "
              << vendor << " API" << std::endl;
  }
  return kExitOk;
}

// Runs the adapter until SIGTERM or SIGINT.
int RunAdapter(const std::string& vendor, const std::string& config_path,
               const LogOptions& log) {
  if (!ConfigureLog(log)) return kExitBadInput;
  auto config = makegood::adapters::LoadAdapterConfig(config_path, vendor);
  if (!config.ok()) {
    std::cerr << config.status().message() << std::endl;
    return kExitBadInput;
  }
  makegood::adapters::VendorContext context;
  context.source = vendor;
  context.locations.insert(config->locations().begin(),
                           config->locations().end());
  context.default_location = config->location();
  context.currency = config->currency();
  // The signals are waited for here, not delivered to the threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto runtime = makegood::adapters::AdapterRuntime::Start(
      *config,
      [&](makegood::adapters::AdapterState& state,
          const makegood::adapters::RetryPolicy& retry)
          -> std::unique_ptr<makegood::adapters::VendorApi> {
        if (vendor == "toast") {
          return std::make_unique<makegood::adapters::ToastApi>(
              config->toast(), context, &state, retry);
        }
        if (vendor == "clover") {
          return std::make_unique<makegood::adapters::CloverApi>(
              config->clover(), context, &state, retry);
        }
        if (vendor == "shopify") {
          return std::make_unique<makegood::adapters::ShopifyApi>(
              config->shopify(), context, retry);
        }
        return std::make_unique<makegood::adapters::SquareApi>(config->square(),
                                                               context, retry);
      });
  if (!runtime.ok()) {
    LogEvent(LogLevel::kError, "start_failed",
             {{"vendor", vendor}, {"error", runtime.status().message()}});
    return kExitFailed;
  }
  const std::string host =
      config->listen().substr(0, config->listen().rfind(':'));
  LogEvent(LogLevel::kInfo, "start",
           {{"vendor", vendor},
            {"adapter", config->adapter_name()},
            {"location", config->location()},
            {"makegood", config->makegood().server()},
            {"listen", absl::StrCat(host, ":", (*runtime)->port())}});
  std::printf("makegood-adapter %s listening on %s:%d%s\n", vendor.c_str(),
              config->listen().substr(0, config->listen().rfind(':')).c_str(),
              (*runtime)->port(), config->webhook_path().c_str());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogEvent(LogLevel::kInfo, "signal",
           {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*runtime)->Stop();
  LogEvent(LogLevel::kInfo, "stop", {{"msg", "stopped"}});
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"makegood-adapter: connect a POS vendor to makegoodd.",
               "makegood-adapter"};
  app.require_subcommand(1);
  int exit_code = kExitOk;
  TranslateOptions options;
  std::string config_path;
  LogOptions log;
  for (const std::string& vendor : makegood::adapters::KnownVendors()) {
    CLI::App* vendor_app =
        app.add_subcommand(vendor, "The " + vendor + " adapter");
    vendor_app->require_subcommand(0, 1);
    vendor_app
        ->add_option("--config", config_path,
                     "Run the adapter with this configuration "
                     "(makegood.v1.AdapterConfig as YAML)")
        ->check(CLI::ExistingFile);
    vendor_app
        ->add_option("--log-format", log.format,
                     "How the running adapter's log lines (stderr) are "
                     "written: logfmt or json")
        ->capture_default_str();
    vendor_app
        ->add_option("--log-level", log.level,
                     "The least important events logged: debug, info, "
                     "warning or error")
        ->capture_default_str();
    vendor_app->callback([&, vendor_app] {
      if (!vendor_app->get_subcommands().empty()) return;
      if (config_path.empty()) {
        throw CLI::RequiredError("--config FILE (or translate)");
      }
      exit_code = RunAdapter(vendor, config_path, log);
    });
    CLI::App* translate = vendor_app->add_subcommand(
        "translate",
        "Print the OrderEvents a " + vendor +
            " payload file (webhook body or order) yields, as JSON lines; no "
            "network. Exit status 2 when it is not one.");
    translate->add_option("file", options.file, "Payload file, - for stdin")
        ->required();
    translate->add_option("--location", options.location,
                          "makegood location id for the vendor's location "
                          "(default: the vendor's id)");
    translate->add_option("--currency", options.currency,
                          "ISO 4217 currency, for vendors whose payloads have "
                          "none (Toast)");
    translate->add_option("--source", options.source,
                          "Event source (default: the vendor's name)");
    translate->callback(
        [&, vendor] { exit_code = RunTranslate(vendor, options); });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any other command-line mistake is a usage error.
    return app.exit(e) == 0 ? 0 : kExitBadInput;
  }
  return exit_code;
}
