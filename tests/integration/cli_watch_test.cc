// `makegood watch` (the real CLI binary) against the real makegoodd: the
// screen starts with what is pending and a snapshot marker, goes live, and
// after makegoodd restarts on the same database and port reconnects by
// itself and shows a fresh snapshot of the other run. A refused watch does
// not reconnect, and --output json errors carry the reason and the field.
//
// No test sleeps: the CLI's stdout is a pipe read with poll() against a
// deadline, so each wait ends as soon as the awaited line arrives.

#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using ::testing::AnyOf;
using ::testing::Not;
using ::testing::StartsWith;
using v1::RecoveryCase;

// The last non-empty line of `text`: an error line, after anything gRPC
// itself may have logged on the same stderr.
std::string LastLine(const std::string& text) {
  std::string last;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

class CliWatchTest : public DaemonTest {
 protected:
  // Check `check_id` with one fired 30.00 line; a wrong item flagged on it
  // by s-17, whose comp (over the SERVER's 25.00 per case) waits for a
  // manager. The pending case.
  RecoveryCase PendingComp(const std::string& check_id) {
    const absl::Time t0 = absl::Now() - absl::Minutes(30);
    PublishSummary summary;
    EXPECT_TRUE(Publish({CheckOpened(check_id + "-open", check_id, t0),
                         ItemAdded(check_id + "-add1", check_id, "1", t0, 3000),
                         ItemFired(check_id + "-fire1", check_id, "1",
                                   t0 + absl::Minutes(5))},
                        &summary)
                    .ok());
    EXPECT_EQ(summary.accepted(), 3) << summary.DebugString();
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::FlagProblemRequest flag;
    flag.set_request_id("f-" + check_id);
    flag.set_check_id(check_id);
    flag.add_line_ids("1");
    flag.set_category_id("wrong_item");
    flag.set_severity(v1::MAJOR);
    RecoveryCase flagged;
    grpc::Status status =
        stub->FlagProblem(Context(kServerToken).get(), flag, &flagged);
    EXPECT_TRUE(status.ok()) << status.error_message();
    // "o2" is comp_item for wrong_item: [refire, comp_item].
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("a-" + check_id);
    apply.set_case_id(flagged.case_id());
    apply.set_option_id("o2");
    RecoveryCase applied;
    status = stub->ApplyRemedy(Context(kServerToken).get(), apply, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(applied.status(), RecoveryCase::PENDING_APPROVAL);
    EXPECT_EQ(applied.remedies_size(), 1);
    return applied;
  }

  void Approve(const RecoveryCase& pending) {
    ASSERT_EQ(pending.remedies_size(), 1);
    v1::ApproveRemedyRequest request;
    request.set_request_id("ok-" + pending.case_id());
    request.set_case_id(pending.case_id());
    request.set_remedy_application_id(
        pending.remedies(0).remedy_application_id());
    request.set_approve(true);
    RecoveryCase approved;
    grpc::Status status = v1::RecoveryService::NewStub(channel_)->ApproveRemedy(
        Context(kManagerToken).get(), request, &approved);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // `makegood [global...] watch` with `token`, in the background.
  std::unique_ptr<RunningCli> StartWatch(
      const std::vector<std::string>& global = {},
      const std::string& token = kManagerToken) {
    std::vector<std::string> args = global;
    args.push_back("watch");
    return StartCli(args, {absl::StrCat("MAKEGOOD_TOKEN=", token)},
                    "watch.err");
  }

  // makegoodd dies (SIGKILL) and starts again on the same database and the
  // same port, so that a client keeps its --server.
  void RestartOnTheSamePort() {
    const int port = daemon_->port();
    daemon_.reset();
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config_path_, "--listen", absl::StrCat("127.0.0.1:", port),
         "--http", "127.0.0.1:0", "--db", db_path()},
        dir_.File("makegoodd-restarted.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }
};

TEST_F(CliWatchTest, ShowsWhatIsPendingThenTheSnapshotMarkerThenLiveChanges) {
  const RecoveryCase pending = PendingComp("c1");
  ASSERT_FALSE(pending.case_id().empty());

  auto watch = StartWatch();
  ASSERT_TRUE(watch != nullptr);
  const size_t marker = watch->WaitFor("— 1 pending (snapshot) —");
  ASSERT_NE(marker, std::string::npos) << watch->out() << watch->err();
  const std::string screen = watch->out().substr(0, marker);
  EXPECT_THAT(screen, StartsWith("Watching case changes and alerts; times in "
                                 "America/New_York\n"));
  // Snapshot items say "pending" where a change says its time.
  EXPECT_THAT(screen, HasSubstr("pending   " + pending.case_id() +
                                "  PENDING_APPROVAL  check c1  wrong_item"));
  EXPECT_THAT(screen, HasSubstr("pending   ALERT PENDING_APPROVAL  s-17 asks "
                                "approval for"));

  // Live after the marker: the approval, with its time.
  Approve(pending);
  const size_t live = watch->WaitFor(pending.case_id(), marker);
  ASSERT_NE(live, std::string::npos) << watch->out() << watch->err();
  EXPECT_THAT(watch->LineAt(live), Not(StartsWith("pending")));
  EXPECT_THAT(watch->LineAt(live), HasSubstr("check c1"));
}

TEST_F(CliWatchTest, AfterMakegooddRestartsTheWatchReconnectsToAFreshSnapshot) {
  const RecoveryCase pending = PendingComp("c1");
  ASSERT_FALSE(pending.case_id().empty());
  auto watch = StartWatch();
  ASSERT_TRUE(watch != nullptr);
  const size_t first = watch->WaitFor("— 1 pending (snapshot) —");
  ASSERT_NE(first, std::string::npos) << watch->out() << watch->err();

  // The stream breaks (UNAVAILABLE). The watch had a resume point (the
  // flag and the apply were numbered in the first run), so it resumes with
  // it and the new run answers with its own snapshot.
  RestartOnTheSamePort();
  if (HasFatalFailure()) return;
  const size_t second = watch->WaitFor(
      "— fresh snapshot: makegoodd restarted, 1 pending —", first);
  ASSERT_NE(second, std::string::npos) << watch->out() << watch->err();
  const std::string again = watch->out().substr(first, second - first);
  EXPECT_THAT(again, HasSubstr("pending   " + pending.case_id() +
                               "  PENDING_APPROVAL"));
  EXPECT_THAT(again, HasSubstr("pending   ALERT PENDING_APPROVAL"));
  EXPECT_THAT(watch->err(), HasSubstr("makegood: watch: "));
  EXPECT_THAT(watch->err(), HasSubstr("reconnecting in 500ms"));

  // And live on the new run.
  Approve(pending);
  const size_t live = watch->WaitFor(pending.case_id(), second);
  ASSERT_NE(live, std::string::npos) << watch->out() << watch->err();
  EXPECT_THAT(watch->LineAt(live), Not(StartsWith("pending")));
}

TEST_F(CliWatchTest, JsonPrintsEachUpdateOnALineWithSequenceAndCatchUp) {
  const RecoveryCase pending = PendingComp("c1");
  auto watch = StartWatch({"--output", "json"});
  ASSERT_TRUE(watch != nullptr);
  const size_t marker = watch->WaitFor("\"caught_up\"");
  ASSERT_NE(marker, std::string::npos) << watch->out() << watch->err();
  ASSERT_NE(watch->WaitFor("\n", marker), std::string::npos);

  std::vector<nlohmann::json> lines;
  std::stringstream out(watch->out());
  for (std::string line; std::getline(out, line);) {
    lines.push_back(nlohmann::json::parse(line));
    if (lines.back().contains("caught_up")) break;
  }
  ASSERT_EQ(lines.size(), 3u) << watch->out();
  EXPECT_EQ(lines[0]["case_changed"]["case_id"].get<std::string>(),
            pending.case_id());
  EXPECT_EQ(lines[1]["alert"]["kind"].get<std::string>(), "PENDING_APPROVAL");
  const std::string epoch = lines[2]["stream_epoch"].get<std::string>();
  EXPECT_FALSE(epoch.empty());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(lines[i]["snapshot"].get<bool>()) << i;
    EXPECT_FALSE(lines[i].contains("sequence")) << i;  // 0: no resume point.
    EXPECT_EQ(lines[i]["stream_epoch"].get<std::string>(), epoch) << i;
  }
  EXPECT_EQ(lines[2]["caught_up"]["start"].get<std::string>(), "SNAPSHOT");
  EXPECT_EQ(lines[2]["caught_up"]["updates"].get<int>(), 2);
  // int64 is a string in the proto JSON mapping.
  EXPECT_GT(std::stoll(lines[2]["sequence"].get<std::string>()), 0);
}

TEST_F(CliWatchTest, ARefusedWatchEndsAtOnceWithTheReasonInJson) {
  // A SERVER may not watch: PERMISSION_DENIED, not worth a reconnect.
  auto watch = StartWatch({"--output", "json"}, kServerToken);
  ASSERT_TRUE(watch != nullptr);
  ASSERT_TRUE(watch->WaitForEnd()) << "still running; stderr:\n"
                                   << watch->err();
  EXPECT_EQ(watch->Wait(), 1);
  EXPECT_EQ(watch->out(), "");
  const std::string err = watch->err();
  // Refused once, not retried.
  EXPECT_THAT(err, Not(HasSubstr("retry_in_seconds")));
  const nlohmann::json error = nlohmann::json::parse(LastLine(err));
  EXPECT_EQ(error["code"].get<std::string>(), "PERMISSION_DENIED");
  EXPECT_EQ(error["reason"].get<std::string>(), "ROLE_NOT_ALLOWED");
}

TEST_F(CliWatchTest, ErrorsNameTheirReasonAndJsonErrorsTheField) {
  CommandResult text = Cli(
      {"flag", "c1", "--category", "no_such_category", "--severity", "MAJOR"},
      kServerToken);
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.err, HasSubstr("makegood: INVALID_ARGUMENT ("));
  EXPECT_THAT(text.err, HasSubstr("category_id: "));

  CommandResult json = Cli({"--output", "json", "flag", "c1", "--category",
                            "no_such_category", "--severity", "MAJOR"},
                           kServerToken);
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(json.out, "");
  const nlohmann::json error = nlohmann::json::parse(LastLine(json.err));
  EXPECT_EQ(error["code"].get<std::string>(), "INVALID_ARGUMENT");
  EXPECT_THAT(
      error["reason"].get<std::string>(),
      AnyOf(std::string("INVALID_FIELD"), std::string("UNKNOWN_CATEGORY")));
  EXPECT_EQ(error["field"].get<std::string>(), "category_id");
  EXPECT_THAT(error["message"].get<std::string>(),
              HasSubstr("no_such_category"));
}

}  // namespace
}  // namespace makegood
