// StuckCommandAlerts with a fake clock and a real hub. RaiseDue is called
// directly (the timer thread is never started), so nothing depends on
// timing.

#include "service/stuck_command_alerts.h"

#include <string>
#include <vector>

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::service {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryUpdate;
using makegood::v1::RemedyCommand;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kIssued = absl::FromUnixSeconds(1795000000);
constexpr absl::Duration kStuckAfter = absl::Minutes(2);

// The alerts the hub hands a live listener.
class AlertRecorder final : public RecoveryHub::Listener {
 public:
  void OnUpdate(const RecoveryUpdate& update) override {
    if (update.has_alert()) alerts.push_back(update.alert());
  }
  void OnClose() override {}

  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const Alert& alert : alerts) ids.push_back(alert.alert_id());
    return ids;
  }

  std::vector<Alert> alerts;
};

RemedyCommand Comp(const std::string& id, absl::Time issued) {
  RemedyCommand command;
  command.set_command_id(id);
  command.set_case_id("RC-" + id);
  command.set_check_id("42");
  *command.mutable_created_at() = core::ToProto(issued);
  command.mutable_apply_remedy()->set_kind(makegood::v1::COMP_ITEM);
  command.mutable_apply_remedy()->set_line_id("1");
  return command;
}

// The committed request that created `command`, as the hub publishes it.
store::RecoveryResult Created(const RemedyCommand& command) {
  store::RecoveryResult result;
  result.recovery.set_case_id(command.case_id());
  AppliedRemedy* remedy = result.recovery.add_remedies();
  remedy->set_command_id(command.command_id());
  remedy->set_status(AppliedRemedy::SENT);
  result.commands.push_back(command);
  return result;
}

// The committed answer to `command`.
store::RecoveryResult Answered(const RemedyCommand& command,
                               AppliedRemedy::Status status) {
  store::RecoveryResult result = Created(command);
  result.commands.clear();
  result.recovery.mutable_remedies(0)->set_status(status);
  return result;
}

class StuckCommandAlertsTest : public ::testing::Test {
 protected:
  StuckCommandAlertsTest()
      : hub_(RecoveryHubOptions{16, "run-1"}),
        stuck_(hub_, clock_, {.stuck_after = kStuckAfter}) {
    EXPECT_TRUE(hub_.Add(&stuck_));
    EXPECT_TRUE(hub_.Add(&screen_));
  }

  core::FakeClock clock_{kIssued};
  RecoveryHub hub_;
  StuckCommandAlerts stuck_;
  AlertRecorder screen_;
};

TEST_F(StuckCommandAlertsTest, AnUnansweredRemedyRaisesOneAlertAtTheThreshold) {
  const RemedyCommand comp = Comp("CMD-1", kIssued);
  hub_.Publish(Created(comp), kIssued);

  clock_.Advance(kStuckAfter - absl::Seconds(1));
  stuck_.RaiseDue();
  EXPECT_THAT(screen_.alerts, IsEmpty());

  clock_.Advance(absl::Seconds(1));
  stuck_.RaiseDue();
  ASSERT_EQ(screen_.alerts.size(), 1u);
  const Alert& alert = screen_.alerts[0];
  EXPECT_EQ(alert.kind(), Alert::COMMAND_STUCK);
  EXPECT_EQ(alert.alert_id(), "AL-COMMAND_STUCK-CMD-1");
  EXPECT_EQ(alert.case_id(), "RC-CMD-1");
  EXPECT_EQ(alert.check_id(), "42");
  EXPECT_THAT(alert.message(), HasSubstr("did not reach the POS"));
  EXPECT_TRUE(stuck_.Raised(alert));

  // Once per command.
  clock_.Advance(absl::Hours(1));
  stuck_.RaiseDue();
  EXPECT_EQ(screen_.alerts.size(), 1u);
}

TEST_F(StuckCommandAlertsTest, AnAnswerBeforeTheThresholdRaisesNothing) {
  const RemedyCommand applied = Comp("CMD-1", kIssued);
  const RemedyCommand rejected = Comp("CMD-2", kIssued);
  const RemedyCommand waiting = Comp("CMD-3", kIssued);
  for (const RemedyCommand* command : {&applied, &rejected, &waiting})
    hub_.Publish(Created(*command), kIssued);
  hub_.Publish(Answered(applied, AppliedRemedy::APPLIED), kIssued);
  hub_.Publish(Answered(rejected, AppliedRemedy::REJECTED), kIssued);

  clock_.Advance(kStuckAfter);
  stuck_.RaiseDue();
  EXPECT_THAT(screen_.Ids(), ElementsAre("AL-COMMAND_STUCK-CMD-3"));
}

TEST_F(StuckCommandAlertsTest, AnAnswerEndsTheRaisedAlert) {
  const RemedyCommand comp = Comp("CMD-1", kIssued);
  hub_.Publish(Created(comp), kIssued);
  clock_.Advance(kStuckAfter);
  stuck_.RaiseDue();
  ASSERT_EQ(screen_.alerts.size(), 1u);
  const Alert raised = screen_.alerts[0];
  ASSERT_TRUE(stuck_.Raised(raised));

  hub_.Publish(Answered(comp, AppliedRemedy::APPLIED), clock_.Now());
  EXPECT_FALSE(stuck_.Raised(raised));
  stuck_.RaiseDue();
  EXPECT_EQ(screen_.alerts.size(), 1u);
}

TEST_F(StuckCommandAlertsTest, TheBacklogAtStartIsWatchedAndFollowUpsAreNot) {
  RemedyCommand follow_up;
  follow_up.set_command_id("CMD-f");
  follow_up.set_case_id("RC-f");
  *follow_up.mutable_created_at() = core::ToProto(kIssued - absl::Hours(2));
  follow_up.mutable_guest_follow_up()->set_category_id("cold_food");
  // Issued before a restart, long stuck already.
  stuck_.Load({Comp("CMD-old", kIssued - absl::Hours(1)), follow_up});
  stuck_.RaiseDue();
  EXPECT_THAT(screen_.Ids(), ElementsAre("AL-COMMAND_STUCK-CMD-old"));
}

TEST_F(StuckCommandAlertsTest, OnlyRaisedStuckAlertsCountAsRaised) {
  Alert other;
  other.set_alert_id("AL-COMMAND_STUCK-CMD-9");
  other.set_kind(Alert::PENDING_APPROVAL);
  EXPECT_FALSE(stuck_.Raised(other));
  Alert never;
  never.set_alert_id("AL-COMMAND_STUCK-CMD-9");
  never.set_kind(Alert::COMMAND_STUCK);
  EXPECT_FALSE(stuck_.Raised(never));
}

TEST_F(StuckCommandAlertsTest, AClosedHubRaisesNothing) {
  hub_.Publish(Created(Comp("CMD-1", kIssued)), kIssued);
  hub_.Close();
  clock_.Advance(kStuckAfter);
  stuck_.RaiseDue();
  EXPECT_THAT(screen_.alerts, IsEmpty());
}

}  // namespace
}  // namespace makegood::service
