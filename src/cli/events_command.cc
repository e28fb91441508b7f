// `makegood events publish --file F.jsonl`.

#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/events_file.h"
#include "makegood/v1/order_events.grpc.pb.h"

namespace makegood::cli {
namespace {

int RunPublish(const ClientOptions& options, const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) {
      std::cerr << "makegood: cannot read " << path << std::endl;
      return kExitUsage;
    }
    in = &file;
  }
  auto events = ReadEventsJsonl(*in, path == "-" ? "stdin" : path);
  if (!events.ok()) {
    std::cerr << "makegood: " << events.status().message()
              << "\nmakegood: nothing was sent" << std::endl;
    return kExitUsage;
  }
  auto stub = makegood::v1::OrderEventService::NewStub(MakeChannel(options));
  grpc::ClientContext context;
  PrepareContext(options, context);
  makegood::v1::PublishSummary summary;
  auto writer = stub->Publish(&context, &summary);
  for (const auto& event : *events) {
    if (!writer->Write(event)) break;  // The server ended the call; see Finish.
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return ReportRpcError(options, status);
  if (options.output == OutputFormat::kJson) {
    PrintJson(summary, /*print_zero_values=*/true);
  } else {
    std::cout << "published " << events->size()
              << " events: " << summary.accepted() << " accepted, "
              << summary.duplicates() << " duplicates, " << summary.rejected()
              << " rejected" << std::endl;
    for (const auto& rejection : summary.rejections()) {
      // Events are numbered from 1 here, like the lines of the file.
      std::cout << "  rejected event " << rejection.index() + 1 << " ("
                << (rejection.event_id().empty() ? "no event_id"
                                                 : rejection.event_id())
                << "): " << rejection.reason() << std::endl;
    }
  }
  return summary.rejected() > 0 ? kExitServerSaidNo : kExitOk;
}

}  // namespace

void AddEventsCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code) {
  CLI::App* events =
      app.add_subcommand("events", "Order events (needs an ADAPTER token)");
  events->require_subcommand(1);
  CLI::App* publish = events->add_subcommand(
      "publish",
      "Publish a JSON-lines file of OrderEvents (proto JSON mapping, one per "
      "line). The whole file is parsed first: a bad line is reported with its "
      "number and nothing is sent. Exits 1 if the server rejected any event.");
  auto path = std::make_shared<std::string>();
  publish
      ->add_option("--file", *path, "The .jsonl file, or - for standard input")
      ->required();
  publish->callback(
      [&options, exit_code, path] { *exit_code = RunPublish(options, *path); });
}

}  // namespace makegood::cli
