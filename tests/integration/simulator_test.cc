// makegood-sim against the real makegoodd on a simulated clock: a day of
// service lands on its date, a seed plays the same day, and guests from
// earlier days come back with their codes.

#include <regex>

#include "core/proto_time.h"
#include "daemon_fixture.h"
#include "makegood/v1/simulation.grpc.pb.h"

namespace makegood {
namespace {

// A makegoodd whose clock starts at midnight UTC of `date`.
class SimulatedDaemon {
 public:
  SimulatedDaemon(const std::string& date) {
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0",
         "--http", "127.0.0.1:0", "--db", dir_.File("makegood.db"),
         "--simulated-clock", date + "T00:00:00Z"},
        dir_.File("makegoodd.log"));
    EXPECT_TRUE(daemon.ok()) << daemon.status();
    if (daemon.ok()) daemon_ = *std::move(daemon);
  }

  CommandResult Simulate(const std::string& date, int covers, int seed) {
    return RunCommand({MAKEGOOD_SIM_BIN, "--server", daemon_->address(),
                       "--date", date, "--covers", std::to_string(covers),
                       "--seed", std::to_string(seed)});
  }

  // The end-of-day report as JSON, with the random case ids replaced.
  std::string Report(const std::string& date) {
    CommandResult report =
        RunCommand({MAKEGOOD_BIN, "--server", daemon_->address(), "report",
                    "eod", "--date", date, "--format", "json"},
                   {absl::StrCat("MAKEGOOD_TOKEN=", kManagerToken)});
    EXPECT_EQ(report.exit_code, 0) << report.err;
    static const std::regex kRecordId("RC-[0-9A-Z]+");
    return std::regex_replace(report.out, kRecordId, "RC-*");
  }

  DaemonProcess& daemon() { return *daemon_; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST(SimulatorTest, TheSameSeedPlaysTheSameDay) {
  SimulatedDaemon first("2026-11-20"), second("2026-11-20");
  CommandResult run = first.Simulate("2026-11-20", 160, 7);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("simulated 2026-11-20 (seed 7): 160 covers"));
  EXPECT_THAT(run.out, HasSubstr(", 0 failed calls"));
  ASSERT_EQ(second.Simulate("2026-11-20", 160, 7).exit_code, 0);

  const std::string report = first.Report("2026-11-20");
  const nlohmann::json json = nlohmann::json::parse(report);
  // The day is on its date, with cases, costs and response times.
  EXPECT_EQ(json["businessDate"], "2026-11-20");
  EXPECT_GT(json["cases"].get<int>(), 0);
  EXPECT_GT(std::stoll(json["sales"]["minorUnits"].get<std::string>()), 0);
  EXPECT_TRUE(json.contains("responseP50"));
  EXPECT_EQ(report, second.Report("2026-11-20"));

  // Another seed is another day.
  SimulatedDaemon third("2026-11-20");
  ASSERT_EQ(third.Simulate("2026-11-20", 160, 8).exit_code, 0);
  EXPECT_NE(report, third.Report("2026-11-20"));
}

TEST(SimulatorTest, GuestsComeBackWithTheirCodesOnLaterDays) {
  SimulatedDaemon daemon("2026-11-20");
  for (const char* date : {"2026-11-20", "2026-11-21", "2026-11-22"}) {
    CommandResult run = daemon.Simulate(date, 400, 20 + (date[9] - '0'));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const nlohmann::json day3 =
      nlohmann::json::parse(daemon.Report("2026-11-22"));
  EXPECT_GT(day3["codesRedeemed"].get<int>(), 0) << day3.dump();
  EXPECT_TRUE(day3.contains("wonBack"));
}

TEST(SimulatorTest, ExplainsWhatToDoWithoutASimulatedClock) {
  testing::TempDir dir;
  auto daemon = DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0", "--http",
       "127.0.0.1:0", "--db", dir.File("makegood.db")},
      dir.File("makegoodd.log"));
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  CommandResult run =
      RunCommand({MAKEGOOD_SIM_BIN, "--server", (*daemon)->address(), "--date",
                  "2026-11-20", "--covers", "10"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("Start makegoodd with --simulated-clock "
                                 "2026-11-20T00:00:00Z"));
  EXPECT_EQ(QueryInt(dir.File("makegood.db"), "SELECT count(*) FROM cases"), 0);

  CommandResult bad_date = RunCommand({MAKEGOOD_SIM_BIN, "--date", "20-11"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("--date: '20-11' is not YYYY-MM-DD"));
}

TEST(SimulatorTest, TheClockMovesOnlyForwardAndOnlyForAnAdmin) {
  SimulatedDaemon daemon("2026-11-20");
  auto channel = grpc::CreateChannel(daemon.daemon().address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::SimulationService::NewStub(channel);
  auto call = [&](const std::string& token, absl::Time to) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::SetClockRequest request;
    *request.mutable_time() = core::ToProto(to);
    v1::SetClockResponse response;
    return stub->SetClock(&context, request, &response);
  };
  const absl::Time noon =
      absl::FromCivil(absl::CivilHour(2026, 11, 20, 12), absl::UTCTimeZone());
  EXPECT_EQ(call(kManagerToken, noon).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(call(kAdminToken, noon).ok());
  const grpc::Status back = call(kAdminToken, noon - absl::Hours(1));
  EXPECT_EQ(back.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(back.error_message(), HasSubstr("only moves forward"));
}

}  // namespace
}  // namespace makegood
