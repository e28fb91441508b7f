// WatchRecoveries through the real makegoodd: the opening snapshot of what is
// pending, sequence numbers, and a manager screen that reconnects.
//
// No test waits by sleeping: every Read blocks until an update arrives or
// the call's deadline (Context(): 30 seconds) passes.

#include <memory>
#include <string>
#include <vector>

#include "integration/daemon_fixture.h"
#include "support/sample_events.h"

namespace makegood {
namespace {

using makegood::testing::CheckOpened;
using makegood::testing::ItemAdded;
using makegood::testing::ItemFired;
using v1::AckCommandRequest;
using v1::Alert;
using v1::AppliedRemedy;
using v1::CaughtUp;
using v1::RecoveryCase;
using v1::RecoveryUpdate;

// One manager screen's stream.
class Watch {
 public:
  Watch(std::unique_ptr<grpc::ClientContext> context,
        const std::shared_ptr<grpc::Channel>& channel,
        const v1::WatchRecoveriesRequest& request)
      : context_(std::move(context)),
        stub_(v1::RecoveryService::NewStub(channel)),
        reader_(stub_->WatchRecoveries(context_.get(), request)) {}
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;
  ~Watch() { Close().IgnoreError(); }

  // The next update; false when the stream ended (or the deadline passed).
  bool Next(RecoveryUpdate* update) { return reader_->Read(update); }

  // The updates up to the caught_up, which goes to `caught_up`.
  std::vector<RecoveryUpdate> CatchUp(RecoveryUpdate* caught_up) {
    std::vector<RecoveryUpdate> updates;
    RecoveryUpdate update;
    while (Next(&update)) {
      if (update.has_caught_up()) {
        *caught_up = update;
        return updates;
      }
      updates.push_back(update);
    }
    ADD_FAILURE() << "the stream ended before its caught_up";
    return updates;
  }

  // The client disconnects: the screen lost its Wi-Fi.
  grpc::Status Close() {
    if (closed_) return grpc::Status::OK;
    closed_ = true;
    context_->TryCancel();
    return reader_->Finish();
  }

  // Ends the stream from the server's side: its status.
  grpc::Status Finish() {
    closed_ = true;
    return reader_->Finish();
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<v1::RecoveryService::Stub> stub_;
  std::unique_ptr<grpc::ClientReader<RecoveryUpdate>> reader_;
  bool closed_ = false;
};

class WatchTest : public DaemonTest {
 protected:
  // A check of table 12 with one ribeye (grill) line per price.
  void SeedCheck(const std::string& check_id, std::vector<int64_t> prices) {
    const absl::Time t0 = absl::Now() - absl::Minutes(30);
    std::vector<OrderEvent> events = {
        CheckOpened(check_id + "-open", check_id, t0)};
    for (size_t i = 0; i < prices.size(); ++i) {
      const std::string line = std::to_string(i + 1);
      events.push_back(
          ItemAdded(check_id + "-add" + line, check_id, line, t0, prices[i]));
      events.push_back(ItemFired(check_id + "-fire" + line, check_id, line,
                                 t0 + absl::Minutes(5)));
    }
    PublishSummary summary;
    ASSERT_TRUE(Publish(events, &summary).ok());
    ASSERT_EQ(summary.accepted(), static_cast<int>(events.size()));
  }

  RecoveryCase Flag(const std::string& request_id, const std::string& check_id,
                    const std::string& category, v1::Severity severity) {
    v1::FlagProblemRequest request;
    request.set_request_id(request_id);
    request.set_check_id(check_id);
    request.add_line_ids("1");
    request.set_category_id(category);
    request.set_severity(severity);
    RecoveryCase flagged;
    grpc::Status status =
        Recovery()->FlagProblem(Context(kServerToken).get(), request, &flagged);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged;
  }

  RecoveryCase Apply(const std::string& request_id, const std::string& case_id,
                     const std::string& option_id) {
    v1::ApplyRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_option_id(option_id);
    RecoveryCase applied;
    grpc::Status status =
        Recovery()->ApplyRemedy(Context(kServerToken).get(), request, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return applied;
  }

  RecoveryCase Approve(const std::string& request_id,
                       const std::string& case_id,
                       const std::string& application_id) {
    v1::ApproveRemedyRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_remedy_application_id(application_id);
    request.set_approve(true);
    RecoveryCase approved;
    grpc::Status status = Recovery()->ApproveRemedy(
        Context(kManagerToken).get(), request, &approved);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return approved;
  }

  void Reject(const std::string& request_id, const std::string& command_id,
              const std::string& reason) {
    AckCommandRequest request;
    request.set_request_id(request_id);
    request.set_command_id(command_id);
    request.set_result(AckCommandRequest::REJECTED);
    request.set_vendor_reason(reason);
    v1::AckCommandResponse response;
    auto stub = v1::RemedyCommandService::NewStub(channel_);
    grpc::Status status =
        stub->AckCommand(Context(kAdapterToken).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // A wrong item at 30.00, flagged by s-17, whose comp (over the SERVER's
  // 25.00 per case) waits for a manager. The pending case.
  RecoveryCase PendingComp(const std::string& check_id) {
    SeedCheck(check_id, {3000});
    RecoveryCase flagged =
        Flag("f-" + check_id, check_id, "wrong_item", v1::MAJOR);
    // "o2" is comp_item for wrong_item: [refire, comp_item].
    RecoveryCase applied = Apply("a-" + check_id, flagged.case_id(), "o2");
    EXPECT_EQ(applied.status(), RecoveryCase::PENDING_APPROVAL);
    return applied;
  }

  std::unique_ptr<Watch> OpenWatch(int64_t after_sequence = 0,
                                   const std::string& stream_epoch = "",
                                   const std::string& token = kManagerToken) {
    v1::WatchRecoveriesRequest request;
    request.set_after_sequence(after_sequence);
    request.set_stream_epoch(stream_epoch);
    return std::make_unique<Watch>(Context(token), channel_, request);
  }

  std::unique_ptr<v1::RecoveryService::Stub> Recovery() {
    return v1::RecoveryService::NewStub(channel_);
  }
};

TEST_F(WatchTest, AScreenOpenedAfterARequestSeesItPendingInTheSnapshot) {
  const RecoveryCase pending = PendingComp("c1");
  ASSERT_EQ(pending.remedies_size(), 1);

  auto screen = OpenWatch();
  RecoveryUpdate caught_up;
  const auto snapshot = screen->CatchUp(&caught_up);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].case_changed().case_id(), pending.case_id());
  EXPECT_EQ(snapshot[0].case_changed().status(),
            RecoveryCase::PENDING_APPROVAL);
  const Alert& alert = snapshot[1].alert();
  EXPECT_EQ(alert.kind(), Alert::PENDING_APPROVAL);
  EXPECT_EQ(alert.case_id(), pending.case_id());
  EXPECT_EQ(alert.check_id(), "c1");
  EXPECT_THAT(alert.message(), HasSubstr("s-17 asks approval for"));
  EXPECT_THAT(alert.message(), HasSubstr("(30.00)"));
  for (const auto& update : snapshot) {
    EXPECT_TRUE(update.snapshot());
    EXPECT_EQ(update.sequence(), 0);
    EXPECT_EQ(update.stream_epoch(), caught_up.stream_epoch());
  }
  EXPECT_EQ(caught_up.caught_up().start(), CaughtUp::SNAPSHOT);
  EXPECT_EQ(caught_up.caught_up().updates(), 2);
  EXPECT_FALSE(caught_up.stream_epoch().empty());
  EXPECT_GT(caught_up.sequence(), 0);  // The flag and the apply were live.

  // The approval arrives live, with the next number.
  Approve("ok-1", pending.case_id(),
          pending.remedies(0).remedy_application_id());
  RecoveryUpdate live;
  ASSERT_TRUE(screen->Next(&live));
  EXPECT_FALSE(live.snapshot());
  EXPECT_EQ(live.sequence(), caught_up.sequence() + 1);
  EXPECT_EQ(live.case_changed().case_id(), pending.case_id());
  EXPECT_EQ(live.case_changed().remedies(0).status(), AppliedRemedy::SENT);
}

TEST_F(WatchTest, TheSnapshotHoldsRejectedCommandsAndTheDaysRecurringProblems) {
  // The same ribeye from the grill flagged cold on three checks: the sample
  // configuration raises two alerts (item, station) at 3 within 90 minutes.
  for (int i = 1; i <= 3; ++i) {
    const std::string check = absl::StrCat("c", i);
    SeedCheck(check, {4200});
    Flag(absl::StrCat("f", i), check, "cold_food", v1::MINOR);
  }
  // A refire the POS refused, not offered again since.
  SeedCheck("c4", {2000});
  RecoveryCase flagged = Flag("f4", "c4", "wrong_item", v1::MINOR);
  RecoveryCase applied = Apply("a4", flagged.case_id(), "o1");
  ASSERT_EQ(applied.remedies_size(), 1);
  ASSERT_FALSE(applied.remedies(0).command_id().empty());
  Reject("k4", applied.remedies(0).command_id(),
         "Orders created in the Square POS app cannot be updated");

  auto screen = OpenWatch();
  RecoveryUpdate caught_up;
  const auto snapshot = screen->CatchUp(&caught_up);
  ASSERT_EQ(snapshot.size(), 4u);
  EXPECT_EQ(snapshot[0].case_changed().case_id(), flagged.case_id());
  EXPECT_EQ(snapshot[1].alert().kind(), Alert::COMMAND_REJECTED);
  EXPECT_THAT(snapshot[1].alert().message(), HasSubstr("cannot be updated"));
  EXPECT_THAT(snapshot[1].alert().message(),
              HasSubstr("offer the next option"));
  EXPECT_EQ(snapshot[2].alert().kind(), Alert::RECURRING_PROBLEM);
  EXPECT_EQ(snapshot[2].alert().check_id(), "c3");
  EXPECT_THAT(snapshot[2].alert().message(),
              HasSubstr("Ribeye 12oz flagged 3 times for Cold food between "));
  EXPECT_EQ(snapshot[3].alert().kind(), Alert::RECURRING_PROBLEM);
  EXPECT_THAT(snapshot[3].alert().message(),
              HasSubstr("Station grill flagged 3 times for Cold food"));
  EXPECT_EQ(caught_up.caught_up().start(), CaughtUp::SNAPSHOT);
}

TEST_F(WatchTest, AScreenThatReconnectsGetsExactlyWhatItMissed) {
  SeedCheck("c1", {3000});
  // A screen that stays connected throughout, to compare with.
  auto steady = OpenWatch();
  RecoveryUpdate steady_start;
  EXPECT_TRUE(steady->CatchUp(&steady_start).empty());

  auto screen = OpenWatch();
  RecoveryUpdate start;
  EXPECT_TRUE(screen->CatchUp(&start).empty());
  EXPECT_EQ(start.stream_epoch(), steady_start.stream_epoch());
  const RecoveryCase flagged = Flag("f1", "c1", "wrong_item", v1::MAJOR);
  RecoveryUpdate update;
  int64_t last = 0;
  while (last == 0 && screen->Next(&update)) {
    if (update.case_changed().case_id() == flagged.case_id())
      last = update.sequence();
  }
  ASSERT_GT(last, 0);
  const std::string epoch = update.stream_epoch();

  // The Wi-Fi drops; meanwhile a comp over the server's authority waits.
  screen->Close().IgnoreError();
  const RecoveryCase pending = Apply("a1", flagged.case_id(), "o2");
  ASSERT_EQ(pending.status(), RecoveryCase::PENDING_APPROVAL);

  auto back = OpenWatch(last, epoch);
  RecoveryUpdate caught_up;
  const auto replayed = back->CatchUp(&caught_up);
  EXPECT_EQ(caught_up.caught_up().start(), CaughtUp::RESUMED);
  // What the steady screen got after `last`, up to where `back` caught up.
  std::vector<RecoveryUpdate> missed;
  while ((missed.empty() || missed.back().sequence() < caught_up.sequence()) &&
         steady->Next(&update)) {
    if (update.sequence() > last) missed.push_back(update);
  }
  ASSERT_EQ(replayed.size(), missed.size());
  ASSERT_GE(replayed.size(), 2u);  // The case change and its alert.
  for (size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(replayed[i].sequence(), last + 1 + static_cast<int64_t>(i));
    EXPECT_FALSE(replayed[i].snapshot());
    EXPECT_EQ(replayed[i].SerializeAsString(), missed[i].SerializeAsString())
        << i;
  }
  EXPECT_EQ(replayed.front().case_changed().status(),
            RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(replayed.back().alert().kind(), Alert::PENDING_APPROVAL);
  EXPECT_EQ(caught_up.sequence(), replayed.back().sequence());
  EXPECT_EQ(caught_up.caught_up().updates(), static_cast<int>(replayed.size()));

  // Live again: the approval is the next number, nothing repeated between.
  Approve("ok-1", pending.case_id(),
          pending.remedies(0).remedy_application_id());
  ASSERT_TRUE(back->Next(&update));
  EXPECT_EQ(update.sequence(), caught_up.sequence() + 1);
  EXPECT_EQ(update.case_changed().remedies(0).status(), AppliedRemedy::SENT);
}

TEST_F(WatchTest, AResumePointTooNewOrFromAnotherRunGetsAFreshSnapshot) {
  const RecoveryCase pending = PendingComp("c1");
  auto first = OpenWatch();
  RecoveryUpdate start;
  ASSERT_EQ(first->CatchUp(&start).size(), 2u);
  first->Close().IgnoreError();

  // Not a sequence this run has kept (here: not sent yet).
  auto unknown = OpenWatch(start.sequence() + 5000, start.stream_epoch());
  RecoveryUpdate caught_up;
  auto snapshot = unknown->CatchUp(&caught_up);
  EXPECT_EQ(caught_up.caught_up().start(), CaughtUp::SNAPSHOT_TOO_OLD);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_TRUE(snapshot[0].snapshot());
  EXPECT_EQ(snapshot[1].alert().kind(), Alert::PENDING_APPROVAL);
  unknown->Close().IgnoreError();

  // makegoodd restarts: the pending comp is still there, the numbers start
  // again under another epoch.
  daemon_.reset();
  StartDaemon();
  auto after_restart = OpenWatch(start.sequence(), start.stream_epoch());
  snapshot = after_restart->CatchUp(&caught_up);
  EXPECT_EQ(caught_up.caught_up().start(), CaughtUp::SNAPSHOT_OTHER_RUN);
  EXPECT_NE(caught_up.stream_epoch(), start.stream_epoch());
  EXPECT_EQ(caught_up.sequence(), 0);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_TRUE(snapshot[0].snapshot());
  EXPECT_EQ(snapshot[0].case_changed().case_id(), pending.case_id());
  EXPECT_EQ(snapshot[1].alert().kind(), Alert::PENDING_APPROVAL);
}

TEST_F(WatchTest, BadResumePointsAndNonManagersAreRefused) {
  struct Bad {
    int64_t after_sequence;
    std::string epoch;
    std::string token;
    grpc::StatusCode code;
    std::string field;
  };
  for (const Bad& c : std::vector<Bad>{
           {-1, "", kManagerToken, grpc::StatusCode::INVALID_ARGUMENT,
            "after_sequence"},
           {7, "", kManagerToken, grpc::StatusCode::INVALID_ARGUMENT,
            "stream_epoch"},
           {0, "", kServerToken, grpc::StatusCode::PERMISSION_DENIED, ""}}) {
    auto watch = OpenWatch(c.after_sequence, c.epoch, c.token);
    RecoveryUpdate update;
    EXPECT_FALSE(watch->Next(&update));
    grpc::Status status = watch->Finish();
    EXPECT_EQ(status.error_code(), c.code) << c.after_sequence;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field));
  }
}

}  // namespace
}  // namespace makegood
