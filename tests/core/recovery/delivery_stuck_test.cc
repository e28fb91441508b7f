#include "core/recovery/delivery_stuck.h"

#include <initializer_list>
#include <string>

#include "core/clock.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using ::testing::HasSubstr;

const absl::Time kSent = absl::FromUnixSeconds(1795000000);
constexpr absl::Duration kStuckAfter = absl::Minutes(2);

// A case of check 42 with one remedy per status, each sent at kSent.
RecoveryCase CaseWith(std::initializer_list<AppliedRemedy::Status> statuses) {
  RecoveryCase recovery;
  recovery.set_case_id("RC-1");
  recovery.set_check_id("42");
  int n = 0;
  for (AppliedRemedy::Status status : statuses) {
    AppliedRemedy* remedy = recovery.add_remedies();
    ++n;
    remedy->set_remedy_application_id("RA-" + std::to_string(n));
    remedy->set_command_id("CMD-" + std::to_string(n));
    remedy->set_kind(makegood::v1::COMP_ITEM);
    remedy->set_line_id("1");
    remedy->set_status(status);
    *remedy->mutable_applied_at() = ToProto(kSent);
  }
  return recovery;
}

TEST(DeliveryStuckTest, AnUnansweredCommandIsStuckFromTheThresholdOn) {
  FakeClock clock(kSent);
  EXPECT_FALSE(IsDeliveryStuck(kSent, clock.Now(), kStuckAfter));
  clock.Advance(kStuckAfter - absl::Seconds(1));
  EXPECT_FALSE(IsDeliveryStuck(kSent, clock.Now(), kStuckAfter));
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(IsDeliveryStuck(kSent, clock.Now(), kStuckAfter));
  EXPECT_EQ(StuckAt(kSent, kStuckAfter), clock.Now());
  clock.Advance(absl::Hours(5));
  EXPECT_TRUE(IsDeliveryStuck(kSent, clock.Now(), kStuckAfter));
}

TEST(DeliveryStuckTest, OnlySentRemediesPastTheThresholdAreMarked) {
  FakeClock clock(kSent + kStuckAfter - absl::Seconds(1));
  RecoveryCase recovery =
      CaseWith({AppliedRemedy::SENT, AppliedRemedy::APPLIED,
                AppliedRemedy::REJECTED, AppliedRemedy::PENDING_APPROVAL});
  MarkStuckDeliveries(recovery, clock.Now(), kStuckAfter);
  for (const AppliedRemedy& remedy : recovery.remedies())
    EXPECT_FALSE(remedy.delivery_stuck()) << remedy.ShortDebugString();

  clock.Advance(absl::Seconds(1));
  MarkStuckDeliveries(recovery, clock.Now(), kStuckAfter);
  EXPECT_TRUE(recovery.remedies(0).delivery_stuck());
  EXPECT_FALSE(recovery.remedies(1).delivery_stuck());
  EXPECT_FALSE(recovery.remedies(2).delivery_stuck());
  EXPECT_FALSE(recovery.remedies(3).delivery_stuck());
}

TEST(DeliveryStuckTest, AnAnsweredRemedyIsNoLongerMarked) {
  RecoveryCase recovery = CaseWith({AppliedRemedy::SENT});
  MarkStuckDeliveries(recovery, kSent + absl::Hours(1), kStuckAfter);
  ASSERT_TRUE(recovery.remedies(0).delivery_stuck());
  recovery.mutable_remedies(0)->set_status(AppliedRemedy::APPLIED);
  MarkStuckDeliveries(recovery, kSent + absl::Hours(1), kStuckAfter);
  EXPECT_FALSE(recovery.remedies(0).delivery_stuck());
}

TEST(DeliveryStuckTest, TheAlertNamesTheCheckAndIsTheSameFromCaseOrCommand) {
  const RecoveryCase recovery = CaseWith({AppliedRemedy::SENT});
  makegood::v1::RemedyCommand command;
  command.set_command_id("CMD-1");
  command.set_case_id("RC-1");
  command.set_check_id("42");
  command.mutable_apply_remedy()->set_kind(makegood::v1::COMP_ITEM);
  command.mutable_apply_remedy()->set_line_id("1");

  const Alert from_case =
      StuckAlert(StuckDeliveryOf(recovery, recovery.remedies(0)), kStuckAfter);
  const Alert from_command = StuckAlert(StuckDeliveryOf(command), kStuckAfter);
  EXPECT_EQ(from_case.SerializeAsString(), from_command.SerializeAsString());
  EXPECT_EQ(from_case.alert_id(), "AL-COMMAND_STUCK-CMD-1");
  EXPECT_EQ(from_case.kind(), Alert::COMMAND_STUCK);
  EXPECT_EQ(from_case.case_id(), "RC-1");
  EXPECT_EQ(from_case.check_id(), "42");
  EXPECT_EQ(from_case.message(),
            "The comp item for check 42 (line 1) did not reach the POS: no "
            "adapter confirmed it 2 minutes after it was sent. makegood keeps "
            "sending it; tell a manager, and do not ring it in by hand.");
  ASSERT_TRUE(from_case.has_command_stuck());
  EXPECT_EQ(from_case.command_stuck().command_id(), "CMD-1");
  EXPECT_EQ(from_case.command_stuck().remedy_kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(from_case.command_stuck().line_id(), "1");
  EXPECT_EQ(from_case.command_stuck().stuck_after_seconds(), 120);
  EXPECT_THAT(StuckAlert(StuckDeliveryOf(command), absl::Seconds(90)).message(),
              HasSubstr("90 seconds after"));
}

}  // namespace
}  // namespace makegood::core
