// makegood-adapter: the POS vendor adapters' command line.
//
//   makegood-adapter <vendor> --config FILE
//
// runs the vendor's adapter (adapters/runtime): webhooks in,
// OrderEvents to makegoodd, remedy commands written back to the POS.
//
//   makegood-adapter <vendor> translate FILE [--location ID] [--currency C]
//       [--staff-map VENDOR_ID=STAFF_ID]... [--table-map VENDOR_ID=NAME]...
//
// prints, as JSON lines, the OrderEvents a vendor payload (a webhook body,
// an order object or a list of orders) yields, without any network: for
// integrators checking what makegood will make of their POS's data. A
// payload it cannot read exactly prints nothing on stdout and the field
// path and the problem on stderr, exit status 2. What translated but is
// doubtful (a check whose lines do not add up to the vendor's figure) is
// said on stderr as "warning:" lines; the exit status stays 0.

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "adapter_config.h"
#include "adapter_runtime.h"
#include "clover_api.h"
#include "core/event_validation.h"
#include "core/money.h"
#include "google/protobuf/util/json_util.h"
#include "names_map.h"
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

struct TranslateOptions {
  std::string file;
  std::string location;
  std::string currency;
  std::string source;
  // VENDOR_ID=STAFF_ID and VENDOR_ID=NAME, one per --staff-map and
  // --table-map.
  std::vector<std::string> staff_map;
  std::vector<std::string> table_map;
};

// An error of the command line or of the payload, on stderr.
int BadInput(const std::string& message) {
  std::cerr << "makegood-adapter: " << message << std::endl;
  return kExitBadInput;
}

// The options as such, before any payload is read: each error names its
// option.
absl::Status CheckTranslateOptions(const std::string& vendor,
                                   const TranslateOptions& options) {
  const std::string& currency = options.currency;
  if (!currency.empty()) {
    const bool three_capitals =
        currency.size() == 3 &&
        std::all_of(currency.begin(), currency.end(),
                    [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!three_capitals ||
        !makegood::core::CurrencyExponent(currency).has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--currency: '", currency.substr(0, 16),
          "' is not an ISO 4217 currency code (three capital letters, e.g. "
          "USD)"));
    }
  } else if (vendor == "toast") {
    return absl::InvalidArgumentError(
        "--currency: is required for toast payloads, which carry none (the "
        "restaurant's currency, e.g. USD)");
  }
  if (options.source.size() > makegood::core::kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--source: is longer than ", makegood::core::kMaxIdLength, " bytes"));
  }
  return absl::OkStatus();
}

// A repeatable VENDOR_ID=VALUE option.
struct NamesMapOption {
  const char* name;  // "--staff-map"
  const char* form;  // "VENDOR_ID=STAFF_ID"
  // What a pair must be (names_map.h).
  absl::Status (*check)(absl::string_view vendor_id, absl::string_view value);
};

constexpr NamesMapOption kStaffMapOption = {
    "--staff-map", "VENDOR_ID=STAFF_ID",
    &makegood::adapters::CheckStaffMapEntry};
constexpr NamesMapOption kTableMapOption = {
    "--table-map", "VENDOR_ID=NAME", &makegood::adapters::CheckTableMapEntry};

// The option's pairs as a map; an error naming the option for a value
// without '=', a pair its check refuses or a vendor id given twice.
absl::StatusOr<std::map<std::string, std::string>> ParseNamesMap(
    const NamesMapOption& option, const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> names;
  for (const std::string& pair : pairs) {
    const size_t equals = pair.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(option.name, ": '", pair.substr(0, 64),
                       "' has no '=': give ", option.form));
    }
    const std::string vendor_id = pair.substr(0, equals);
    const std::string value = pair.substr(equals + 1);
    if (absl::Status s = option.check(vendor_id, value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(option.name, ": ", s.message()));
    }
    if (!names.emplace(vendor_id, value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(option.name, ": '", vendor_id, "' is given twice"));
    }
  }
  return names;
}

absl::StatusOr<std::string> ReadPayload(const std::string& file) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(file + ": cannot read");
  text << in.rdbuf();
  return text.str();
}

// Prints the payload's events on stdout only once all of it translated:
// a payload that fails anywhere prints nothing there.
int RunTranslate(const std::string& vendor, const TranslateOptions& options) {
  if (absl::Status valid = CheckTranslateOptions(vendor, options);
      !valid.ok()) {
    return BadInput(std::string(valid.message()));
  }
  auto staff_map = ParseNamesMap(kStaffMapOption, options.staff_map);
  if (!staff_map.ok()) {
    return BadInput(std::string(staff_map.status().message()));
  }
  auto table_map = ParseNamesMap(kTableMapOption, options.table_map);
  if (!table_map.ok()) {
    return BadInput(std::string(table_map.status().message()));
  }
  absl::StatusOr<std::string> payload = ReadPayload(options.file);
  if (!payload.ok()) return BadInput(std::string(payload.status().message()));
  makegood::adapters::VendorContext context;
  context.source = options.source.empty() ? vendor : options.source;
  context.default_location = options.location;
  context.staff_map = *std::move(staff_map);
  context.table_map = *std::move(table_map);
  context.currency = options.currency;
  auto translation = makegood::adapters::Translate(vendor, *payload, context);
  if (!translation.ok()) {
    return BadInput(
        absl::StrCat(options.file, ": ", translation.status().message()));
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  for (const auto& event : translation->events) {
    std::string line;
    if (!google::protobuf::util::MessageToJsonString(event, &line, print)
             .ok()) {
      // Translate checks every event against the contract; this is the
      // last guard against printing a cut-off line.
      return BadInput(absl::StrCat(options.file, ": event '", event.event_id(),
                                   "' cannot be written as JSON"));
    }
    absl::StrAppend(&out, line, "\n");
  }
  std::cout << out << std::flush;
  for (const auto& fetch : translation->fetch) {
    std::cerr << "makegood-adapter: order " << fetch.order_id
              << " (vendor location " << fetch.vendor_location
              << (fetch.version ? ", version " + std::to_string(fetch.version)
                                : std::string())
              << ") is only named by this webhook: a running adapter fetches "
                 "it from the "
              << vendor << " API" << std::endl;
  }
  // Published as translated by a running adapter (which logs them), so not
  // an error here either.
  for (const std::string& warning : translation->warnings) {
    std::cerr << "makegood-adapter: warning: " << options.file << ": "
              << warning << std::endl;
  }
  return kExitOk;
}

// Runs the adapter until SIGTERM or SIGINT.
int RunAdapter(const std::string& vendor, const std::string& config_path,
               const LogOptions& log) {
  if (absl::Status configured = makegood::telemetry::ConfigureLoggingFromFlags(
          log.format, log.level, &std::cerr);
      !configured.ok()) {
    std::cerr << "makegood-adapter: " << configured.message() << std::endl;
    return kExitBadInput;
  }
  auto config = makegood::adapters::LoadAdapterConfig(config_path, vendor);
  if (!config.ok()) {
    std::cerr << config.status().message() << std::endl;
    return kExitBadInput;
  }
  const makegood::adapters::VendorContext context =
      makegood::adapters::VendorContextOf(*config, vendor);
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
  // A vendor makegood does not know is named as such, with the known ones
  // (CLI11 would only say that the argument was not expected).
  if (argc > 1 && argv[1][0] != '-') {
    if (absl::Status known = makegood::adapters::CheckVendor(argv[1]);
        !known.ok()) {
      return BadInput(std::string(known.message()));
    }
  }
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
            " payload file (webhook body, order or list of orders) yields, as "
            "JSON lines; no network. Exit status 2, with the field and the "
            "problem on stderr and nothing on stdout, when it is not one.");
    translate->add_option("file", options.file, "Payload file, - for stdin")
        ->required();
    translate->add_option("--location", options.location,
                          "makegood location id for the vendor's location "
                          "(default: the vendor's id)");
    translate->add_option("--currency", options.currency,
                          "ISO 4217 currency (USD), for vendors whose payloads "
                          "have none (Toast: required)");
    translate->add_option("--source", options.source,
                          "Event source (default: the vendor's name)");
    translate
        ->add_option("--staff-map", options.staff_map,
                     "The vendor's employee id to the makegood staff id "
                     "(makegoodd's staff[].id) for the check's server; "
                     "repeatable. An unmapped id stays as the vendor sent it")
        ->type_name(kStaffMapOption.form)
        ->allow_extra_args(false);
    translate
        ->add_option("--table-map", options.table_map,
                     "The vendor's table id to the table's name (\"12\", "
                     "\"Bar 3\"); repeatable. An unmapped id stays as the "
                     "vendor sent it")
        ->type_name(kTableMapOption.form)
        ->allow_extra_args(false);
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
