// makegood-adapter-jsonl: publishes the order events of a JSON-lines export
// to makegoodd, resuming after a restart just after the last line makegoodd
// acknowledged. For POS systems that can only export.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/connection.h"
#include "core/event_json.h"
#include "line_reader.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "resume_state.h"

namespace {

using makegood::adapters::LineReader;
using makegood::adapters::ResumeState;
using makegood::v1::OrderEvent;

constexpr int kExitOk = 0;
constexpr int kExitServer = 1;
constexpr int kExitInput = 2;

volatile std::sig_atomic_t stop_requested = 0;
void RequestStop(int) { stop_requested = 1; }

// Seconds before a PublishBatch call gives up (and is retried).
constexpr int kCallTimeoutSeconds = 30;

struct Settings {
  makegood::client::ConnectionOptions connection;
  std::string token;
  std::string file;
  std::string state_path;
  bool follow = false;
  int batch = 256;
  int poll_ms = 200;
};

// Events read but not yet acknowledged, with where they came from.
struct Pending {
  std::vector<OrderEvent> events;
  std::vector<int64_t> lines;  // The line number of each event.
  ResumeState after;           // Where to resume once they are stored.
};

class Publisher {
 public:
  Publisher(const Settings& settings, std::shared_ptr<grpc::Channel> channel)
      : settings_(settings),
        stub_(makegood::v1::OrderEventService::NewStub(std::move(channel))) {}

  // Publishes and, once makegoodd acknowledged, saves where to resume.
  // Waits out an unreachable makegoodd (retrying with backoff) unless
  // asked to stop. Returns an exit code, or -1 to go on.
  int Flush(Pending& pending) {
    if (pending.events.empty()) return Save(pending.after);
    makegood::v1::PublishBatchRequest request;
    for (OrderEvent& event : pending.events) {
      *request.add_events() = std::move(event);
    }
    absl::Duration retry = absl::Milliseconds(200);
    for (;;) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(kCallTimeoutSeconds));
      makegood::client::AddBearerToken(context, settings_.token);
      makegood::v1::PublishSummary summary;
      const grpc::Status status =
          stub_->PublishBatch(&context, request, &summary);
      if (status.ok()) {
        Report(summary, pending.lines);
        pending.events.clear();
        pending.lines.clear();
        return Save(pending.after);
      }
      const bool transient =
          status.error_code() == grpc::StatusCode::UNAVAILABLE ||
          status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
      if (!transient || stop_requested) {
        std::cerr << "makegood-adapter-jsonl: publish: "
                  << status.error_message() << std::endl;
        return kExitServer;
      }
      std::cerr << "makegood-adapter-jsonl: makegoodd unavailable ("
                << status.error_message() << "); retrying in " << retry
                << std::endl;
      absl::SleepFor(retry);
      retry = std::min(retry * 2, absl::Seconds(10));
    }
  }

  int64_t accepted() const { return accepted_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t rejected() const { return rejected_; }

 private:
  void Report(const makegood::v1::PublishSummary& summary,
              const std::vector<int64_t>& lines) {
    accepted_ += summary.accepted();
    duplicates_ += summary.duplicates();
    rejected_ += summary.rejected();
    for (const auto& rejection : summary.rejections()) {
      std::cerr << settings_.file << ":" << lines[rejection.index()]
                << ": event " << rejection.event_id()
                << " rejected: " << rejection.reason() << std::endl;
    }
  }

  int Save(const ResumeState& state) {
    if (settings_.state_path.empty()) return -1;
    if (absl::Status s =
            makegood::adapters::SaveResumeState(settings_.state_path, state);
        !s.ok()) {
      std::cerr << "makegood-adapter-jsonl: " << s.message() << std::endl;
      return kExitServer;
    }
    return -1;
  }

  const Settings& settings_;
  std::unique_ptr<makegood::v1::OrderEventService::Stub> stub_;
  int64_t accepted_ = 0, duplicates_ = 0, rejected_ = 0;
};

int Run(const Settings& settings) {
  ResumeState state;
  if (!settings.state_path.empty()) {
    auto loaded = makegood::adapters::LoadResumeState(settings.state_path);
    if (!loaded.ok()) {
      std::cerr << "makegood-adapter-jsonl: " << loaded.status().message()
                << std::endl;
      return kExitInput;
    }
    state = *loaded;
  }
  auto reader = LineReader::Open(settings.file, 0);
  if (!reader.ok()) {
    std::cerr << "makegood-adapter-jsonl: " << reader.status().message()
              << std::endl;
    return kExitInput;
  }
  if (state.inode != 0 && state.inode != (*reader)->inode()) {
    std::cerr << "makegood-adapter-jsonl: " << settings.file
              << " is a new file (rotated); starting at its first line"
              << std::endl;
    state = ResumeState{};
  } else if (state.offset > 0) {
    reader = LineReader::Open(settings.file, state.offset);
    if (!reader.ok()) {
      std::cerr << "makegood-adapter-jsonl: " << reader.status().message()
                << std::endl;
      return kExitInput;
    }
    std::cerr << "makegood-adapter-jsonl: resuming " << settings.file
              << " after line " << state.line << std::endl;
  }
  state.inode = (*reader)->inode();

  auto channel = makegood::client::OpenChannel(settings.connection);
  if (!channel.ok()) {
    std::cerr << "makegood-adapter-jsonl: --tls-ca: "
              << channel.status().message() << std::endl;
    return kExitInput;
  }
  Publisher publisher(settings, *std::move(channel));
  Pending pending;
  pending.after = state;
  std::string line;
  int64_t end_offset = 0;
  for (;;) {
    if (stop_requested) break;
    const LineReader::Result result =
        (*reader)->Next(settings.follow, line, end_offset);
    if (result == LineReader::Result::kLine) {
      pending.after.line += 1;
      pending.after.offset = end_offset;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      auto event = makegood::core::ParseOrderEventJson(line);
      if (!event.ok()) {
        // Publish what came before, so the state points at this line.
        pending.after.line -= 1;
        pending.after.offset =
            end_offset - static_cast<int64_t>(line.size()) - 1;
        if (int code = publisher.Flush(pending); code >= 0) return code;
        std::cerr << settings.file << ":" << pending.after.line + 1 << ": "
                  << event.status().message() << std::endl;
        return kExitInput;
      }
      pending.events.push_back(*std::move(event));
      pending.lines.push_back(pending.after.line);
      if (static_cast<int>(pending.events.size()) < settings.batch) continue;
    }
    if (int code = publisher.Flush(pending); code >= 0) return code;
    if (result == LineReader::Result::kEnd) break;
    if (result == LineReader::Result::kNoneYet) {
      absl::SleepFor(absl::Milliseconds(settings.poll_ms));
    }
  }
  if (int code = publisher.Flush(pending); code >= 0) return code;
  std::cerr << "makegood-adapter-jsonl: " << publisher.accepted()
            << " accepted, " << publisher.duplicates() << " duplicates, "
            << publisher.rejected() << " rejected" << std::endl;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "makegood-adapter-jsonl: publish the order events of a JSON-lines file "
      "to makegoodd.\n"
      "Each line is one makegood.v1.OrderEvent in the protobuf JSON mapping "
      "(see tests/fixtures/events/dinner.jsonl). With --state the adapter "
      "records the last line makegoodd acknowledged and resumes after it; "
      "with --follow it keeps reading as the file grows, until SIGTERM.\n"
      "Exit status: 0 done, 1 makegoodd refused, 2 bad input.",
      "makegood-adapter-jsonl"};
  Settings settings;
  app.add_option("--file", settings.file, "The JSON-lines file, - for stdin")
      ->required();
  app.add_option("--state", settings.state_path,
                 "Resume state file (not with stdin)");
  app.add_flag("--follow", settings.follow,
               "Keep reading as the file grows, until SIGTERM or SIGINT");
  app.add_option("--batch", settings.batch, "Events per PublishBatch call")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--poll-ms", settings.poll_ms,
                 "How often --follow looks for new lines")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  app.add_option("--server", settings.connection.server,
                 "makegoodd address, host:port")
      ->capture_default_str();
  app.add_option("--token", settings.token,
                 "ADAPTER bearer token (env MAKEGOOD_TOKEN)")
      ->envname("MAKEGOOD_TOKEN")
      ->required();
  app.add_option("--tls-ca", settings.connection.tls_ca_file,
                 "Connect with TLS, trusting this PEM CA bundle")
      ->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any other command-line mistake is a usage error.
    return app.exit(e) == 0 ? 0 : kExitInput;
  }
  if (settings.file == "-" && !settings.state_path.empty()) {
    std::cerr << "makegood-adapter-jsonl: --state needs a file: stdin cannot "
                 "be resumed"
              << std::endl;
    return kExitInput;
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  return Run(settings);
}
