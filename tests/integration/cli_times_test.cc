// The makegood CLI against the real makegoodd shows times in the location's
// time zone (America/New_York in the sample configuration), names the zone,
// and shows UTC with --utc; JSON stays RFC 3339 UTC.

#include "integration/daemon_fixture.h"
#include "makegood/v1/checks.grpc.pb.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using ::testing::Not;

// Dinner in New York: 18:10 EDT.
constexpr char kDinner[] = "2026-07-14T22:10:00Z";

// The daemon on a simulated clock stopped at kDinner, so the flag's time is
// known to the second.
class CliTimesTest : public DaemonTest {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config_path_, "--listen", "127.0.0.1:0", "--http",
         "127.0.0.1:0", "--db", db_path(), "--simulated-clock", kDinner},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  // Check c1, opened at 17:40 local, and a case flagged on it at 18:10.
  std::string FlagAtDinner() {
    absl::Time dinner;
    std::string error;
    EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, kDinner, &dinner, &error))
        << error;
    const absl::Time opened = dinner - absl::Minutes(30);
    PublishSummary summary;
    EXPECT_TRUE(Publish({CheckOpened("c1-open", "c1", opened),
                         ItemAdded("c1-add1", "c1", "1", opened, 4800)},
                        &summary)
                    .ok());
    EXPECT_EQ(summary.accepted(), 2) << summary.DebugString();
    v1::FlagProblemRequest request;
    request.set_request_id("r1");
    request.set_check_id("c1");
    request.add_line_ids("1");
    request.set_category_id("cold_food");
    request.set_severity(v1::MAJOR);
    v1::RecoveryCase recovery;
    grpc::Status status = v1::RecoveryService::NewStub(channel_)->FlagProblem(
        Context(kServerToken).get(), request, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return recovery.case_id();
  }
};

TEST_F(CliTimesTest, GetLocationTellsEveryCallerTheLocationsTimeZone) {
  auto stub = v1::CheckService::NewStub(channel_);
  v1::Location location;
  grpc::Status status = stub->GetLocation(Context(kServerToken).get(),
                                          v1::GetLocationRequest(), &location);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(location.id(), "downtown-01");
  EXPECT_EQ(location.timezone(), "America/New_York");
  EXPECT_EQ(location.currency(), "USD");
  EXPECT_EQ(location.business_day_starts(), "04:00");
  status =
      stub->GetLocation(Context("").get(), v1::GetLocationRequest(), &location);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(CliTimesTest, ScreensShowLocalTimesAndNameTheZone) {
  const std::string case_id = FlagAtDinner();
  ASSERT_FALSE(case_id.empty());

  CommandResult shown = Cli({"recoveries", "show", case_id}, kServerToken);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("flagged by s-17 at 2026-07-14 18:10"));
  EXPECT_THAT(shown.out, HasSubstr("times in America/New_York"));
  EXPECT_THAT(shown.out, Not(HasSubstr("22:10")));

  CommandResult listed = Cli({"recoveries", "list"}, kServerToken);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("2026-07-14 18:10"));
  EXPECT_THAT(listed.out, HasSubstr("1 cases, times in America/New_York"));

  CommandResult check = Cli({"checks", "show", "c1"}, kServerToken);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("opened 2026-07-14 17:40"));
  EXPECT_THAT(check.out, HasSubstr("times in America/New_York"));
}

TEST_F(CliTimesTest, UtcFlagShowsUtcAndJsonStaysUtc) {
  const std::string case_id = FlagAtDinner();
  ASSERT_FALSE(case_id.empty());

  CommandResult shown =
      Cli({"--utc", "recoveries", "show", case_id}, kServerToken);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("flagged by s-17 at 2026-07-14 22:10"));
  EXPECT_THAT(shown.out, HasSubstr("times in UTC"));
  EXPECT_THAT(shown.out, Not(HasSubstr("18:10")));

  CommandResult listed = Cli({"--utc", "checks", "list"}, kServerToken);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("2026-07-14 21:40"));
  EXPECT_THAT(listed.out, HasSubstr("times in UTC"));

  // JSON is the proto JSON mapping, with or without --utc.
  for (const bool utc : {false, true}) {
    std::vector<std::string> args = {"--output", "json", "recoveries", "show",
                                     case_id};
    if (utc) args.insert(args.begin(), "--utc");
    CommandResult json = Cli(args, kServerToken);
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_EQ(nlohmann::json::parse(json.out)["flagged_at"].get<std::string>(),
              kDinner);
  }
}

}  // namespace
}  // namespace makegood
