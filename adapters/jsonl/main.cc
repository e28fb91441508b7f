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
#include "client/connection_flags.h"
#include "core/event_json.h"
#include "line_reader.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "resume_state.h"
#include "telemetry/log.h"

namespace {

using makegood::adapters::LineReader;
using makegood::adapters::ResumeState;
using makegood::telemetry::LogEvent;
using makegood::telemetry::LogLevel;
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
      const std::string code(absl::StatusCodeToString(
          static_cast<absl::StatusCode>(status.error_code())));
      if (!transient || stop_requested) {
        LogEvent(LogLevel::kError, "publish_failed",
                 {{"code", code},
                  {"error", status.error_message()},
                  {"msg", absl::StrCat("publish: ", status.error_message())}});
        return kExitServer;
      }
      LogEvent(LogLevel::kWarning, "publish_retry",
               {{"code", code},
                {"error", status.error_message()},
                {"retry_in_ms", absl::ToInt64Milliseconds(retry)},
                {"msg", "makegoodd unavailable; retrying"}});
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
      const int64_t line = lines[rejection.index()];
      LogEvent(LogLevel::kWarning, "event_rejected",
               {{"file", settings_.file},
                {"line", line},
                {"event_id", rejection.event_id()},
                {"reason", rejection.reason()},
                {"msg", absl::StrCat(settings_.file, ":", line, ": event ",
                                     rejection.event_id(),
                                     " rejected: ", rejection.reason())}});
    }
  }

  int Save(const ResumeState& state) {
    if (settings_.state_path.empty()) return -1;
    if (absl::Status s =
            makegood::adapters::SaveResumeState(settings_.state_path, state);
        !s.ok()) {
      LogEvent(LogLevel::kError, "state_save_failed",
               {{"state", settings_.state_path}, {"error", s.message()}});
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
      LogEvent(LogLevel::kError, "state_invalid",
               {{"state", settings.state_path},
                {"error", loaded.status().message()}});
      return kExitInput;
    }
    state = *loaded;
  }
  auto reader = LineReader::Open(settings.file, 0);
  if (!reader.ok()) {
    LogEvent(LogLevel::kError, "file_unreadable",
             {{"file", settings.file}, {"error", reader.status().message()}});
    return kExitInput;
  }
  if (state.inode != 0 && state.inode != (*reader)->inode()) {
    LogEvent(LogLevel::kInfo, "file_rotated",
             {{"file", settings.file},
              {"msg", "a new file (rotated); starting at its first line"}});
    state = ResumeState{};
  } else if (state.offset > 0) {
    reader = LineReader::Open(settings.file, state.offset);
    if (!reader.ok()) {
      LogEvent(LogLevel::kError, "file_unreadable",
               {{"file", settings.file}, {"error", reader.status().message()}});
      return kExitInput;
    }
    LogEvent(LogLevel::kInfo, "resume",
             {{"file", settings.file},
              {"after_line", state.line},
              {"msg", absl::StrCat("resuming ", settings.file, " after line ",
                                   state.line)}});
  }
  state.inode = (*reader)->inode();

  auto channel = makegood::client::OpenChannel(
      settings.connection, makegood::client::TlsFlagNames());
  if (!channel.ok()) {
    LogEvent(LogLevel::kError, "connect_failed",
             {{"makegood", settings.connection.server},
              {"error", channel.status().message()}});
    return kExitInput;
  }
  LogEvent(LogLevel::kInfo, "start",
           {{"file", settings.file},
            {"makegood", settings.connection.server},
            {"follow", settings.follow}});
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
        const int64_t bad_line = pending.after.line + 1;
        LogEvent(LogLevel::kError, "bad_line",
                 {{"file", settings.file},
                  {"line", bad_line},
                  {"error", event.status().message()},
                  {"msg", absl::StrCat(settings.file, ":", bad_line, ": ",
                                       event.status().message())}});
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
  LogEvent(LogLevel::kInfo, "done",
           {{"file", settings.file},
            {"accepted", publisher.accepted()},
            {"duplicates", publisher.duplicates()},
            {"rejected", publisher.rejected()},
            {"msg", absl::StrCat(publisher.accepted(), " accepted, ",
                                 publisher.duplicates(), " duplicates, ",
                                 publisher.rejected(), " rejected")}});
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
  std::string log_format = "logfmt", log_level = "info";
  app.add_option("--log-format", log_format,
                 "How the log lines (stderr) are written: logfmt or json")
      ->capture_default_str();
  app.add_option("--log-level", log_level,
                 "The least important events logged: debug, info, warning or "
                 "error")
      ->capture_default_str();
  makegood::client::TokenFlags token_flags;
  token_flags.help = "ADAPTER bearer token";
  token_flags.required = true;
  makegood::client::AddConnectionFlags(app, settings.connection,
                                       &settings.token, token_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; any other command-line mistake is a usage error.
    return app.exit(e) == 0 ? 0 : kExitInput;
  }
  if (absl::Status configured = makegood::telemetry::ConfigureLoggingFromFlags(
          log_format, log_level, &std::cerr);
      !configured.ok()) {
    std::cerr << "makegood-adapter-jsonl: " << configured.message()
              << std::endl;
    return kExitInput;
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
