// A manager screen that stops reading, through the real makegoodd with
// server.stream_queue_limit: 2. gRPC's transport takes updates only while
// the screen's HTTP/2 window is open; behind it, more than 2 updates wait
// and the daemon ends the stream with RESOURCE_EXHAUSTED
// (STREAM_OVERLOADED) instead of holding them. The daemon stays up, and the
// screen resumes from the last update it read and gets exactly what it
// missed: a catch-up does not count against the limit.
//
// Deterministic without timing: the screen's channel has no BDP probing,
// so its window stays at gRPC's initial 64 KiB, and the test produces far
// more than that (300 cases of about 2 KiB each) before reading anything.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "integration/error_details.h"
#include "integration/recovery_calls.h"

namespace makegood {
namespace {

using v1::RecoveryUpdate;

constexpr int kFlags = 300;

class StreamOverloadTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    RecoveryCallsTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(
        RestartWithServerSettings("  stream_queue_limit: 2\n"));
  }

  // A channel whose receive window stays at its initial size.
  std::shared_ptr<grpc::Channel> FixedWindowChannel() {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    return grpc::CreateCustomChannel(
        daemon_->address(), grpc::InsecureChannelCredentials(), arguments);
  }

  std::unique_ptr<grpc::ClientReader<RecoveryUpdate>> Watch(
      const std::shared_ptr<grpc::Channel>& channel,
      grpc::ClientContext* context, int64_t after_sequence = 0,
      const std::string& epoch = "") {
    v1::WatchRecoveriesRequest request;
    request.set_after_sequence(after_sequence);
    request.set_stream_epoch(epoch);
    stubs_.push_back(v1::RecoveryService::NewStub(channel));
    return stubs_.back()->WatchRecoveries(context, request);
  }

  // kFlags new cases on check c1, each carrying 2000 characters of the
  // guest's words.
  void FlagMany() {
    SeedCheck("c1", {2000});
    v1::FlagProblemRequest request;
    request.set_check_id("c1");
    request.add_line_ids("1");
    request.set_category_id("cold_food");
    request.set_severity(v1::MINOR);
    request.set_guest_words(std::string(2000, 'w'));
    request.set_new_problem(true);
    for (int i = 0; i < kFlags; ++i) {
      request.set_request_id(absl::StrCat("flag-", i));
      v1::RecoveryCase flagged;
      grpc::Status status = Recovery()->FlagProblem(Context(kServerToken).get(),
                                                    request, &flagged);
      ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
    }
  }

  // Outlive the streams they opened.
  std::vector<std::unique_ptr<v1::RecoveryService::Stub>> stubs_;
};

TEST_F(StreamOverloadTest, AScreenThatStopsReadingIsEndedAndResumes) {
  auto channel = FixedWindowChannel();
  auto context = Context(kManagerToken);
  auto slow = Watch(channel, context.get());
  // The screen reads nothing while the cases come.
  ASSERT_NO_FATAL_FAILURE(FlagMany());

  // What the transport had taken, then the status.
  std::vector<RecoveryUpdate> read;
  RecoveryUpdate update;
  while (slow->Read(&update)) read.push_back(update);
  const grpc::Status ended = slow->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << ended.error_message();
  EXPECT_EQ(ReasonOf(ended), "STREAM_OVERLOADED");
  EXPECT_THAT(ended.error_message(), HasSubstr("resume the stream"));

  // It had its catch-up and some live updates, not all of them.
  ASSERT_GE(read.size(), 2u);
  ASSERT_TRUE(read[0].has_caught_up()) << read[0].ShortDebugString();
  const RecoveryUpdate& last = read.back();
  EXPECT_GT(last.sequence(), 0);

  // The daemon is up; the screen resumes after the last update it read and
  // gets every later one, in order, then the caught_up.
  CommandResult health = Cli({"health"}, "");
  EXPECT_EQ(health.out, "SERVING\n") << health.err;
  auto resumed_context = Context(kManagerToken);
  auto resumed = Watch(channel_, resumed_context.get(), last.sequence(),
                       last.stream_epoch());
  int64_t expected = last.sequence() + 1;
  RecoveryUpdate caught_up;
  while (resumed->Read(&update)) {
    if (update.has_caught_up()) {
      caught_up = update;
      break;
    }
    ASSERT_EQ(update.sequence(), expected) << update.ShortDebugString();
    ++expected;
  }
  ASSERT_TRUE(caught_up.has_caught_up()) << "the resumed stream ended early";
  EXPECT_EQ(caught_up.caught_up().start(), v1::CaughtUp::RESUMED);
  EXPECT_EQ(caught_up.sequence(), expected - 1);
  // The overloaded screen had not read all of them.
  EXPECT_GT(caught_up.sequence(), last.sequence());
  EXPECT_GE(caught_up.sequence(), kFlags);
  resumed_context->TryCancel();
  resumed->Finish().IgnoreError();
}

}  // namespace
}  // namespace makegood
