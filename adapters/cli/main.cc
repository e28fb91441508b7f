// makegood-adapter: the POS vendor adapters' command line.
//
//   makegood-adapter <vendor> translate FILE [--location ID] [--currency C]
//
// prints, as JSON lines, the OrderEvents a vendor payload (a webhook body
// or an order object) yields, without any network: for integrators
// checking what makegood will make of their POS's data.

#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "core/event_json.h"
#include "translate.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"makegood-adapter: connect a POS vendor to makegoodd.",
               "makegood-adapter"};
  app.require_subcommand(1);
  int exit_code = kExitOk;
  TranslateOptions options;
  for (const std::string& vendor : makegood::adapters::KnownVendors()) {
    CLI::App* vendor_app =
        app.add_subcommand(vendor, "The " + vendor + " adapter");
    vendor_app->require_subcommand(1);
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
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
