#ifndef MAKEGOOD_TESTS_INTEGRATION_DAEMON_FIXTURE_H_
#define MAKEGOOD_TESTS_INTEGRATION_DAEMON_FIXTURE_H_

// A real makegoodd on a loopback port with a temporary SQLite file, and
// helpers to drive it with a real gRPC client and the makegood CLI (to
// completion, or in the background).

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/events_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/running_cli.h"
#include "makegood/v1/checks.grpc.pb.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "makegood/v1/report.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "support/db_query.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood {

using makegood::testing::CommandResult;
using makegood::testing::DaemonProcess;
using makegood::testing::QueryInt;
using makegood::testing::QueryText;
using makegood::testing::RunCommand;
using makegood::testing::RunningCli;
using makegood::v1::OrderEvent;
using makegood::v1::PublishSummary;
using ::testing::HasSubstr;

// Demo tokens of packaging/config/sample.yaml.
inline constexpr char kAdapterToken[] = "demo-adapter-pos";
inline constexpr char kServerToken[] = "demo-server-dana";        // s-17
inline constexpr char kOtherServerToken[] = "demo-server-marco";  // s-22
inline constexpr char kManagerToken[] = "demo-manager-lee";       // m-2
inline constexpr char kReporterToken[] = "demo-reporter-office";
inline constexpr char kAdminToken[] = "demo-admin-owner";  // o-1

inline std::vector<OrderEvent> DinnerEvents() {
  std::ifstream in(MAKEGOOD_DINNER_EVENTS);
  auto events = cli::ReadEventsJsonl(in, "dinner.jsonl");
  EXPECT_TRUE(events.ok()) << events.status();
  return *events;
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon(); }

  void StartDaemon() {
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config_path_, "--listen", "127.0.0.1:0", "--http",
         "127.0.0.1:0", "--db", db_path()},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  std::string db_path() const { return dir_.File("makegood.db"); }
  // Restarts the daemon on the sample configuration plus `extra_yaml`.
  void RestartWithConfig(const std::string& extra_yaml) {
    daemon_.reset();
    std::ifstream in(MAKEGOOD_SAMPLE_CONFIG);
    std::stringstream sample;
    sample << in.rdbuf();
    config_path_ = dir_.File("config.yaml");
    std::ofstream(config_path_) << sample.str() << "\n" << extra_yaml << "\n";
    StartDaemon();
  }

  // Restarts the daemon on the sample configuration with `lines` (each
  // "  key: value\n") added to its `server:` block; the database stays.
  void RestartWithServerSettings(const std::string& lines) {
    std::ifstream in(MAKEGOOD_SAMPLE_CONFIG);
    std::stringstream sample;
    sample << in.rdbuf();
    std::string yaml = sample.str();
    const std::string block = "\nserver:\n";
    const size_t at = yaml.find(block);
    ASSERT_NE(at, std::string::npos) << "the sample has no server: block";
    yaml.insert(at + block.size(), lines);
    daemon_.reset();
    config_path_ = dir_.File("server-settings.yaml");
    {
      std::ofstream out(config_path_);
      out << yaml;
    }
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    if (!token.empty())
      context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  // Streams `events` through Publish.
  grpc::Status Publish(const std::vector<OrderEvent>& events,
                       PublishSummary* summary,
                       const std::string& token = kAdapterToken) {
    auto stub = v1::OrderEventService::NewStub(channel_);
    auto context = Context(token);
    auto writer = stub->Publish(context.get(), summary);
    for (const auto& event : events) {
      if (!writer->Write(event)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  CommandResult Cli(std::vector<std::string> args, const std::string& token) {
    std::vector<std::string> argv = {MAKEGOOD_BIN, "--server",
                                     daemon_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env;
    if (!token.empty()) env.push_back(absl::StrCat("MAKEGOOD_TOKEN=", token));
    return RunCommand(argv, env);
  }

  // `makegood --server ADDRESS args...` in the background, with `env`
  // ("NAME=value") instead of the test's MAKEGOOD_* variables; its stderr
  // in `stderr_name` under dir_. Fails the test when it cannot start.
  std::unique_ptr<RunningCli> StartCli(const std::vector<std::string>& args,
                                       const std::vector<std::string>& env,
                                       const std::string& stderr_name) {
    std::vector<std::string> argv = {MAKEGOOD_BIN, "--server",
                                     daemon_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto cli = RunningCli::Start(argv, env, dir_.File(stderr_name));
    EXPECT_TRUE(cli != nullptr) << "cannot start " << MAKEGOOD_BIN;
    return cli;
  }

  int64_t StoredEvents() {
    return QueryInt(db_path(), "SELECT count(*) FROM order_events");
  }

  std::string DaemonLog() const {
    return makegood::testing::ReadFileOrEmpty(dir_.File("makegoodd.log"));
  }

  // SIGTERM: every call must reach its end and every reactor be freed for
  // the daemon to exit 0 with "stopped" (and, under the sanitizers, with no
  // report).
  void ExpectStopsCleanly() {
    daemon_->Signal(SIGTERM);
    auto exited = std::async(std::launch::async, [daemon = daemon_.get()] {
      return daemon->Wait();
    });
    if (exited.wait_for(std::chrono::seconds(60)) !=
        std::future_status::ready) {
      ADD_FAILURE() << "makegoodd did not stop within 60 s of SIGTERM: a "
                       "call that never finishes holds up the shutdown\n"
                    << DaemonLog();
      daemon_->Signal(SIGKILL);
    }
    const int exit_code = exited.get();
    const std::string log = DaemonLog();
    EXPECT_EQ(exit_code, 0) << log;
    EXPECT_THAT(log, HasSubstr("stopped"));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Sanitizer"))) << log;
    EXPECT_THAT(log, ::testing::Not(HasSubstr("runtime error:"))) << log;
  }

  makegood::testing::TempDir dir_;
  std::string config_path_ = MAKEGOOD_SAMPLE_CONFIG;
  std::unique_ptr<DaemonProcess> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_DAEMON_FIXTURE_H_
