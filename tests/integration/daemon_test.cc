// The real makegoodd on a loopback port with a temporary SQLite file, driven
// by a real gRPC client and by the makegood CLI.

#include "integration/daemon_fixture.h"

namespace makegood {
namespace {

TEST_F(DaemonTest, HealthAnswersServingWithoutAToken) {
  CommandResult health = Cli({"health"}, "");
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
}

TEST_F(DaemonTest, PublishedDinnerReadsBackThroughCliAndSqlite) {
  PublishSummary summary;
  grpc::Status status = Publish(DinnerEvents(), &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(summary.accepted(), 55);
  EXPECT_EQ(summary.duplicates(), 0);
  EXPECT_EQ(summary.rejected(), 0);

  CommandResult show = Cli({"checks", "show", "1042"}, kServerToken);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("House burger, well done"));
  EXPECT_THAT(show.out, HasSubstr("VOIDED"));
  EXPECT_THAT(show.out, HasSubstr("rang in medium"));
  EXPECT_THAT(show.out, HasSubstr("POS discount 4.50"));

  CommandResult list =
      Cli({"--output", "json", "checks", "list", "--open"}, kServerToken);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto json = nlohmann::json::parse(list.out);
  std::vector<std::string> open_checks;
  for (const auto& check : json["checks"])
    open_checks.push_back(check["check_id"]);
  EXPECT_THAT(open_checks, ::testing::UnorderedElementsAre("1042", "1043"));

  // Straight from the file: the knife whose serve event came before
  // everything else is SERVED with its name, and check 1041 is closed.
  EXPECT_EQ(StoredEvents(), 55);
  EXPECT_EQ(
      QueryInt(db_path(),
               "SELECT count(*) FROM line_items WHERE check_id='1044' AND "
               "line_id='1' AND state='SERVED' AND name=\"Chef's knife 8in\""),
      1);
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM checks WHERE check_id='1041' "
                     "AND state='CLOSED' AND paid_total_minor=25340"),
            1);
}

TEST_F(DaemonTest, CliPublishesTheFixtureAndCountsDuplicatesTheSecondTime) {
  CommandResult first = Cli(
      {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS}, kAdapterToken);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("55 accepted, 0 duplicates, 0 rejected"));
  CommandResult second = Cli(
      {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS}, kAdapterToken);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("0 accepted, 55 duplicates, 0 rejected"));
  EXPECT_EQ(StoredEvents(), 55);
}

TEST_F(DaemonTest, CliRefusesAFileWithABadLineAndSendsNothing) {
  const std::string path = dir_.File("bad.jsonl");
  std::ifstream good(MAKEGOOD_DINNER_EVENTS);
  std::string first_line;
  std::getline(good, first_line);
  std::ofstream(path) << first_line
                      << "\n{\"event_id\": \"x\", \"colour\": 1}\n";
  CommandResult result =
      Cli({"events", "publish", "--file", path}, kAdapterToken);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("bad.jsonl:2: "));
  EXPECT_THAT(result.err, HasSubstr("nothing was sent"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(DaemonTest, InvalidEventIsRejectedWithItsIndexAndNothingOfItIsStored) {
  const absl::Time now = absl::Now();
  std::vector<OrderEvent> events = {
      makegood::testing::CheckOpened("ok-1", "c-9", now),
      makegood::testing::ItemAdded("bad-1", "c-9", "1", now, 4200,
                                   /*quantity=*/0),
      makegood::testing::ItemAdded("ok-2", "c-9", "2", now)};
  PublishSummary summary;
  ASSERT_TRUE(Publish(events, &summary).ok());
  EXPECT_EQ(summary.accepted(), 2);
  EXPECT_EQ(summary.rejected(), 1);
  ASSERT_EQ(summary.rejections_size(), 1);
  EXPECT_EQ(summary.rejections(0).index(), 1);
  EXPECT_EQ(summary.rejections(0).event_id(), "bad-1");
  EXPECT_EQ(summary.rejections(0).reason(),
            "item_added.quantity: must be positive, got 0");
  EXPECT_EQ(
      QueryInt(db_path(),
               "SELECT count(*) FROM order_events WHERE event_id='bad-1'"),
      0);
  EXPECT_EQ(QueryInt(db_path(),
                     "SELECT count(*) FROM line_items WHERE check_id='c-9'"),
            1);

  CommandResult cli = Cli({"checks", "show", "c-9"}, kServerToken);
  EXPECT_EQ(cli.exit_code, 0);
}

TEST_F(DaemonTest, PublishBatchAcceptsAndRefusesOversizedBatches) {
  auto stub = v1::OrderEventService::NewStub(channel_);
  v1::PublishBatchRequest request;
  for (auto& event : makegood::testing::SyntheticService(
           20, "b", absl::Now() - absl::Hours(3))) {
    *request.add_events() = event;
  }
  PublishSummary summary;
  ASSERT_TRUE(
      stub->PublishBatch(Context(kAdapterToken).get(), request, &summary).ok());
  EXPECT_EQ(summary.accepted(), 20);

  v1::PublishBatchRequest huge;
  for (auto& event : makegood::testing::SyntheticService(
           10001, "h", absl::Now() - absl::Hours(3))) {
    *huge.add_events() = event;
  }
  grpc::Status status =
      stub->PublishBatch(Context(kAdapterToken).get(), huge, &summary);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("events: at most 10000"));
  EXPECT_EQ(StoredEvents(), 20);
}

TEST_F(DaemonTest, UnauthenticatedAndWrongRoleCallsAreRefusedAndStoreNothing) {
  const auto events = DinnerEvents();
  PublishSummary summary;
  EXPECT_EQ(Publish(events, &summary, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Publish(events, &summary, "not-a-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status denied = Publish(events, &summary, kServerToken);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("needs ADAPTER"));
  EXPECT_EQ(StoredEvents(), 0);

  CommandResult no_token = Cli({"checks", "list"}, "");
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_THAT(no_token.err, HasSubstr("UNAUTHENTICATED"));
  CommandResult wrong_role = Cli(
      {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS}, kServerToken);
  EXPECT_EQ(wrong_role.exit_code, 1);
  EXPECT_THAT(wrong_role.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(DaemonTest, ReportsCheckTheCallerAndTheDate) {
  auto stub = v1::ReportService::NewStub(channel_);
  v1::EndOfDayRequest request;
  v1::EndOfDayReport response;
  request.set_business_date("2026-11-23");
  EXPECT_EQ(stub->EndOfDay(Context(kServerToken).get(), request, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub->EndOfDay(Context(kReporterToken).get(), request, &response).ok());
  EXPECT_EQ(response.cases(), 0);
  for (const char* bad : {"", "2026-13-01", "23/11/2026", "2026-11-23x"}) {
    request.set_business_date(bad);
    grpc::Status status =
        stub->EndOfDay(Context(kManagerToken).get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(status.error_message(), HasSubstr("business_date")) << bad;
  }
  v1::StaffReportRequest period;
  v1::StaffReportResponse staff;
  period.set_from_date("2026-11-23");
  period.set_to_date("2026-11-01");
  grpc::Status backwards =
      stub->StaffReport(Context(kManagerToken).get(), period, &staff);
  EXPECT_EQ(backwards.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(backwards.error_message(), HasSubstr("to_date"));
  // Follow-ups hold guest contact details: managers only.
  v1::ListFollowUpsRequest list;
  v1::ListFollowUpsResponse due;
  EXPECT_EQ(stub->ListFollowUps(Context(kReporterToken).get(), list, &due)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CompleteFollowUpRequest done;
  done.set_request_id("fu-1");
  done.set_case_id("RC-1");
  v1::FollowUp follow_up;
  grpc::Status no_note =
      stub->CompleteFollowUp(Context(kManagerToken).get(), done, &follow_up);
  EXPECT_EQ(no_note.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_note.error_message(), HasSubstr("note: is required"));
}

TEST_F(DaemonTest, CliExitCodes) {
  CommandResult missing =
      Cli({"checks", "show", "no-such-check"}, kServerToken);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Cli({"checks"}, kServerToken).exit_code, 2);
  EXPECT_EQ(Cli({"bogus"}, kServerToken).exit_code, 2);
  CommandResult help = Cli({"events", "publish", "--help"}, "");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--file"));
}

TEST_F(DaemonTest, EveryAcknowledgedEventSurvivesKillDashNine) {
  const auto events = makegood::testing::SyntheticService(
      5000, "k", absl::Now() - absl::Hours(3));
  PublishSummary summary;
  ASSERT_TRUE(Publish(events, &summary).ok());
  ASSERT_EQ(summary.accepted(), 5000);
  daemon_->Signal(SIGKILL);  // Right after the summary: no clean shutdown.
  EXPECT_EQ(daemon_->Wait(), 128 + SIGKILL);
  daemon_.reset();

  EXPECT_EQ(StoredEvents(), 5000);
  StartDaemon();
  PublishSummary again;
  ASSERT_TRUE(Publish(events, &again).ok());
  EXPECT_EQ(again.accepted(), 0);
  EXPECT_EQ(again.duplicates(), 5000);
}

TEST_F(DaemonTest, SigtermStopsCleanly) {
  PublishSummary summary;
  ASSERT_TRUE(Publish(DinnerEvents(), &summary).ok());
  daemon_->Signal(SIGTERM);
  EXPECT_EQ(daemon_->Wait(), 0);
  EXPECT_THAT(makegood::testing::ReadFileOrEmpty(dir_.File("makegoodd.log")),
              HasSubstr("stopped"));
  daemon_.reset();
  EXPECT_EQ(StoredEvents(), 55);
}

TEST(DaemonStartupTest, RefusesANonLoopbackAddressWithoutTls) {
  makegood::testing::TempDir dir;
  CommandResult result =
      RunCommand({MAKEGOODD_BIN, "--config", MAKEGOOD_SAMPLE_CONFIG, "--listen",
                  "0.0.0.0:0", "--db", dir.File("x.db")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("refusing to listen on 0.0.0.0:0 without TLS"));
}

TEST(DaemonStartupTest, CheckConfigExitsZeroOrTwo) {
  CommandResult good =
      RunCommand({MAKEGOODD_BIN, "--check-config", MAKEGOOD_SAMPLE_CONFIG});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("OK"));
  makegood::testing::TempDir dir;
  std::ofstream(dir.File("bad.yaml"))
      << "location: { id: x, currency: USX, timezone: UTC }\n";
  CommandResult bad =
      RunCommand({MAKEGOODD_BIN, "--check-config", dir.File("bad.yaml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(
      bad.err,
      HasSubstr("bad.yaml: location.currency: 'USX' is not an ISO 4217"));
  CommandResult version = RunCommand({MAKEGOODD_BIN, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("makegoodd "));
}

TEST(DaemonStartupTest, AnInvalidConfigNeverStartsTheDaemon) {
  makegood::testing::TempDir dir;
  std::ofstream(dir.File("bad.yaml")) << "location: { id: x, currency: USD }\n";
  CommandResult result =
      RunCommand({MAKEGOODD_BIN, "--config", dir.File("bad.yaml"), "--listen",
                  "127.0.0.1:0", "--db", dir.File("x.db")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("location.timezone: is required"));
}

}  // namespace
}  // namespace makegood
