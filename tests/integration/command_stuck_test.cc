// Stuck deliveries through the real makegoodd: with no adapter connected, a
// comp is not answered; server.command_stuck_after_seconds (1 here) after
// it was sent, manager screens get one COMMAND_STUCK alert, the case shows
// delivery_stuck wherever it is read, a screen that connects later finds
// the alert in its snapshot, and the POS's answer clears it.
//
// No test sleeps: a stream's Read blocks until the next update (or the
// call's 30 s deadline). That an alert came once is shown by a later
// event: the second comp's alert, raised after the first's, on the same
// stream.

#include <memory>
#include <string>
#include <vector>

#include "integration/recovery_calls.h"

namespace makegood {
namespace {

using v1::Alert;
using v1::AppliedRemedy;
using v1::RecoveryCase;
using v1::RecoveryUpdate;

class CommandStuckTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    RecoveryCallsTest::SetUp();
    // Leases never expire here: nothing but time makes a delivery stuck.
    ASSERT_NO_FATAL_FAILURE(
        RestartWithServerSettings("  command_stuck_after_seconds: 1\n"
                                  "  command_ack_deadline_seconds: 3600\n"));
  }

  // No adapter is connected: the comp stays unanswered.
  RecoveryCase Comp(const std::string& check_id) {
    return CompOneLine(check_id);
  }

  // A manager screen's stream, read to its caught_up; the snapshot's
  // updates go to `snapshot`.
  std::unique_ptr<grpc::ClientReader<RecoveryUpdate>> OpenWatch(
      grpc::ClientContext* context, std::vector<RecoveryUpdate>* snapshot) {
    if (watch_stub_ == nullptr) watch_stub_ = Recovery();
    auto reader =
        watch_stub_->WatchRecoveries(context, v1::WatchRecoveriesRequest());
    RecoveryUpdate update;
    while (reader->Read(&update)) {
      if (update.has_caught_up()) return reader;
      snapshot->push_back(update);
    }
    ADD_FAILURE() << "the stream ended before its caught_up";
    return reader;
  }

  // Reads up to the next COMMAND_STUCK alert; the updates before it go to
  // `before`. False when the stream ended first.
  static bool NextStuckAlert(grpc::ClientReader<RecoveryUpdate>& reader,
                             Alert* alert,
                             std::vector<RecoveryUpdate>* before) {
    RecoveryUpdate update;
    while (reader.Read(&update)) {
      if (update.has_alert() && update.alert().kind() == Alert::COMMAND_STUCK) {
        *alert = update.alert();
        return true;
      }
      before->push_back(update);
    }
    return false;
  }

  RecoveryCase Get(const std::string& case_id) {
    v1::GetRecoveryRequest request;
    request.set_case_id(case_id);
    RecoveryCase recovery;
    grpc::Status status = Recovery()->GetRecovery(Context(kServerToken).get(),
                                                  request, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return recovery;
  }

  // The snapshot's COMMAND_STUCK alerts of a screen that connects now.
  std::vector<Alert> StuckAlertsInASnapshot(
      std::vector<RecoveryUpdate>* snapshot) {
    auto context = Context(kManagerToken);
    auto reader = OpenWatch(context.get(), snapshot);
    context->TryCancel();
    reader->Finish().IgnoreError();
    std::vector<Alert> stuck;
    for (const RecoveryUpdate& update : *snapshot) {
      if (update.alert().kind() == Alert::COMMAND_STUCK)
        stuck.push_back(update.alert());
    }
    return stuck;
  }

  // Outlives the streams it opened.
  std::unique_ptr<v1::RecoveryService::Stub> watch_stub_;
};

TEST_F(CommandStuckTest, AnUnansweredCompRaisesOneAlertAndTheCaseShowsIt) {
  auto context = Context(kManagerToken);
  std::vector<RecoveryUpdate> opening;
  auto screen = OpenWatch(context.get(), &opening);

  const RecoveryCase applied = Comp("c1");
  ASSERT_EQ(applied.remedies_size(), 1);
  const AppliedRemedy& comp = applied.remedies(0);
  ASSERT_EQ(comp.status(), AppliedRemedy::SENT);
  EXPECT_FALSE(comp.delivery_stuck());  // Just sent.

  Alert alert;
  std::vector<RecoveryUpdate> before;
  ASSERT_TRUE(NextStuckAlert(*screen, &alert, &before));
  EXPECT_EQ(alert.alert_id(), "AL-COMMAND_STUCK-" + comp.command_id());
  EXPECT_EQ(alert.case_id(), applied.case_id());
  EXPECT_EQ(alert.check_id(), "c1");
  EXPECT_THAT(alert.message(),
              HasSubstr("The comp item for check c1 (line 1) did not reach "
                        "the POS"));
  // The comp's own case change came first.
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.back().case_changed().remedies(0).command_id(),
            comp.command_id());

  // Every read of the case shows it.
  EXPECT_TRUE(Get(applied.case_id()).remedies(0).delivery_stuck());
  v1::ListRecoveriesResponse list;
  ASSERT_TRUE(Recovery()
                  ->ListRecoveries(Context(kServerToken).get(),
                                   v1::ListRecoveriesRequest(), &list)
                  .ok());
  ASSERT_EQ(list.cases_size(), 1);
  EXPECT_TRUE(list.cases(0).remedies(0).delivery_stuck());

  // A screen that connects now finds it in its snapshot, once, right after
  // its case.
  std::vector<RecoveryUpdate> snapshot;
  const std::vector<Alert> in_snapshot = StuckAlertsInASnapshot(&snapshot);
  ASSERT_EQ(in_snapshot.size(), 1u);
  EXPECT_EQ(in_snapshot[0].alert_id(), alert.alert_id());
  EXPECT_EQ(in_snapshot[0].message(), alert.message());
  ASSERT_GE(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].case_changed().case_id(), applied.case_id());
  EXPECT_TRUE(snapshot[0].case_changed().remedies(0).delivery_stuck());

  // The POS applies it at last: the case change says so, and the case no
  // longer shows it.
  v1::AckCommandResponse ack;
  ASSERT_TRUE(Ack("applied-1", comp.command_id(),
                  v1::AckCommandRequest::APPLIED, "pos-1", &ack)
                  .ok());
  RecoveryUpdate answered;
  ASSERT_TRUE(screen->Read(&answered));
  ASSERT_TRUE(answered.has_case_changed()) << answered.ShortDebugString();
  EXPECT_EQ(answered.case_changed().remedies(0).status(),
            AppliedRemedy::APPLIED);
  EXPECT_FALSE(answered.case_changed().remedies(0).delivery_stuck());
  EXPECT_FALSE(Get(applied.case_id()).remedies(0).delivery_stuck());

  // A second comp's alert comes on the same stream; nothing about the first
  // came again before it.
  const RecoveryCase second = Comp("c2");
  ASSERT_EQ(second.remedies_size(), 1);
  Alert next;
  std::vector<RecoveryUpdate> between;
  ASSERT_TRUE(NextStuckAlert(*screen, &next, &between));
  EXPECT_EQ(next.alert_id(),
            "AL-COMMAND_STUCK-" + second.remedies(0).command_id());
  // And a new snapshot holds the second only.
  std::vector<RecoveryUpdate> later;
  const std::vector<Alert> now_stuck = StuckAlertsInASnapshot(&later);
  ASSERT_EQ(now_stuck.size(), 1u);
  EXPECT_EQ(now_stuck[0].alert_id(), next.alert_id());

  context->TryCancel();
  screen->Finish().IgnoreError();
}

TEST_F(CommandStuckTest, ACaseTheGuestLeftStillShowsItsStuckRemedy) {
  auto context = Context(kManagerToken);
  std::vector<RecoveryUpdate> opening;
  auto screen = OpenWatch(context.get(), &opening);

  // The guest leaves right after the comp was sent: the check at the POS
  // still lacks it.
  const RecoveryCase applied = Comp("c1");
  ASSERT_EQ(applied.remedies_size(), 1);
  v1::RecordOutcomeRequest left;
  left.set_request_id("left-1");
  left.set_case_id(applied.case_id());
  left.set_guest_response(v1::LEFT);
  RecoveryCase closed;
  grpc::Status status =
      Recovery()->RecordOutcome(Context(kServerToken).get(), left, &closed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(closed.status(), RecoveryCase::GUEST_LEFT);

  Alert alert;
  std::vector<RecoveryUpdate> before;
  ASSERT_TRUE(NextStuckAlert(*screen, &alert, &before));
  EXPECT_EQ(alert.case_id(), applied.case_id());
  EXPECT_TRUE(Get(applied.case_id()).remedies(0).delivery_stuck());

  // The closed case and its alert are in a later screen's snapshot.
  std::vector<RecoveryUpdate> snapshot;
  const std::vector<Alert> in_snapshot = StuckAlertsInASnapshot(&snapshot);
  ASSERT_EQ(in_snapshot.size(), 1u);
  EXPECT_EQ(in_snapshot[0].alert_id(), alert.alert_id());
  ASSERT_FALSE(snapshot.empty());
  EXPECT_EQ(snapshot[0].case_changed().status(), RecoveryCase::GUEST_LEFT);

  context->TryCancel();
  screen->Finish().IgnoreError();
}

}  // namespace
}  // namespace makegood
