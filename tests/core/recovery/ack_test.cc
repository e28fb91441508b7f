#include "core/recovery/ack.h"

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

class AckTest : public RecoveryTest {
 protected:
  static AckCommandRequest AckOf(AckCommandRequest::Result result) {
    AckCommandRequest ack;
    ack.set_request_id("ack-1");
    ack.set_command_id("CMD-9");
    ack.set_result(result);
    if (result == AckCommandRequest::APPLIED) {
      ack.set_pos_reference("POS-77");
    } else {
      ack.set_vendor_reason("item already voided");
    }
    return ack;
  }

  // The command CMD-9 carrying out RA-1, the comp (o2, 20.00) sent on the
  // case.
  AckSnapshot SnapshotOf(RecoveryCase recovery) {
    AckSnapshot snapshot;
    snapshot.command.set_command_id("CMD-9");
    snapshot.command.set_case_id(kCaseId);
    snapshot.command.set_location_id(kLocation);
    snapshot.command.set_check_id(kCheckId);
    snapshot.command.mutable_apply_remedy()->set_kind(makegood::v1::COMP_ITEM);
    snapshot.command.mutable_apply_remedy()->set_line_id("L1");
    snapshot.application_id = "RA-1";
    snapshot.recovery = std::move(recovery);
    return snapshot;
  }

  RecoveryCase SentCase() {
    RecoveryCase recovery = MakeCase();
    AddRemedy(recovery, "RA-1", "o2", AppliedRemedy::SENT, 2000);
    recovery.mutable_remedies(0)->set_command_id("CMD-9");
    return recovery;
  }

  RecoveryRequest Adapter(absl::Time now = kNow) {
    return As("adapter-1", makegood::v1::ADAPTER, now);
  }
};

TEST_F(AckTest, TheFirstAppliedMarksTheRemedyApplied) {
  auto decision = DecideAck(Adapter(), AckOf(AckCommandRequest::APPLIED),
                            SnapshotOf(SentCase()));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->response.command_id(), "CMD-9");
  EXPECT_EQ(decision->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(decision->response.duplicate());
  EXPECT_TRUE(decision->record_ack);

  ASSERT_TRUE(decision->case_change.has_value());
  const CaseDecision& change = *decision->case_change;
  EXPECT_EQ(change.case_write, CaseDecision::CaseWrite::kUpdate);
  const RecoveryCase& recovery = change.recovery;
  ASSERT_EQ(recovery.remedies_size(), 1);
  EXPECT_EQ(recovery.remedies(0).status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(recovery.remedies(0).pos_reference(), "POS-77");
  EXPECT_EQ(recovery.status(), RecoveryCase::REMEDY_APPLIED);
  EXPECT_EQ(recovery.total_cost().minor_units(), 2000);

  ASSERT_EQ(change.remedies.size(), 1u);
  EXPECT_EQ(change.remedies[0].remedy.status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(change.remedies[0].charged_to, "server-1");
  EXPECT_EQ(change.remedies[0].business_day, kToday);
  ASSERT_EQ(change.ledger.size(), 1u);
  const LedgerEntry& entry = change.ledger[0];
  EXPECT_EQ(entry.action, "command_applied");
  EXPECT_EQ(entry.actor, "adapter-1");
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.amount_minor, 2000);
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.detail, "CMD-9 POS-77");
  EXPECT_TRUE(change.alerts.empty());
  EXPECT_TRUE(change.commands.empty());
  EXPECT_TRUE(change.money_off.empty());
}

TEST_F(AckTest, ARemedyCountsInTheBusinessDayItWasRequestedIn) {
  // Requested at 03:30 in New York (business day 2026-06-12), acked at
  // 04:30 (business day 2026-06-13).
  RecoveryCase recovery = SentCase();
  *recovery.mutable_remedies(0)->mutable_requested_at() =
      ToProto(absl::FromCivil(absl::CivilSecond(2026, 6, 13, 7, 30, 0),
                              absl::UTCTimeZone()));
  const absl::Time ack_time = absl::FromCivil(
      absl::CivilSecond(2026, 6, 13, 8, 30, 0), absl::UTCTimeZone());
  auto decision =
      DecideAck(Adapter(ack_time), AckOf(AckCommandRequest::APPLIED),
                SnapshotOf(recovery));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->case_change.has_value());
  ASSERT_EQ(decision->case_change->remedies.size(), 1u);
  EXPECT_EQ(decision->case_change->remedies[0].business_day, "2026-06-12");
  ASSERT_EQ(decision->case_change->ledger.size(), 1u);
  EXPECT_EQ(decision->case_change->ledger[0].at, ack_time);
}

TEST_F(AckTest, ARejectionDeclinesTheOptionAndAlertsWithTheNextOffer) {
  RecoveryCase recovery = SentCase();
  recovery.mutable_options(0)->set_declined(true);  // o1, earlier.
  auto decision = DecideAck(Adapter(), AckOf(AckCommandRequest::REJECTED),
                            SnapshotOf(recovery));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->response.recorded_result(), AckCommandRequest::REJECTED);
  EXPECT_FALSE(decision->response.duplicate());
  EXPECT_TRUE(decision->record_ack);
  ASSERT_TRUE(decision->case_change.has_value());
  const CaseDecision& change = *decision->case_change;
  const RecoveryCase& changed = change.recovery;
  ASSERT_EQ(changed.remedies_size(), 1);
  EXPECT_EQ(changed.remedies(0).status(), AppliedRemedy::REJECTED);
  EXPECT_EQ(changed.remedies(0).rejection_reason(), "item already voided");
  EXPECT_TRUE(OptionOf(changed, "o2").declined());
  EXPECT_FALSE(OptionOf(changed, "o3").declined());
  EXPECT_EQ(changed.status(), RecoveryCase::OPEN);
  EXPECT_EQ(changed.total_cost().minor_units(), 0);

  ASSERT_EQ(change.alerts.size(), 1u);
  const Alert& alert = change.alerts[0];
  EXPECT_EQ(alert.kind(), Alert::COMMAND_REJECTED);
  EXPECT_EQ(alert.alert_id(), "AL-1");
  EXPECT_EQ(alert.case_id(), kCaseId);
  EXPECT_EQ(alert.check_id(), kCheckId);
  EXPECT_EQ(alert.message(),
            "The POS refused comp on check CHK-1: item already voided. offer "
            "the next option: Manager visit (o3)");
  ASSERT_TRUE(alert.has_command_rejected());
  const Alert::CommandRejected& facts = alert.command_rejected();
  EXPECT_EQ(facts.remedy_application_id(),
            changed.remedies(0).remedy_application_id());
  EXPECT_EQ(facts.remedy_id(), "comp");
  EXPECT_EQ(facts.remedy_kind(), changed.remedies(0).kind());
  EXPECT_EQ(facts.vendor_reason(), "item already voided");
  EXPECT_EQ(facts.next_option_id(), "o3");
  EXPECT_EQ(facts.next_option_label(), "Manager visit");
  ASSERT_EQ(change.remedies.size(), 1u);
  EXPECT_EQ(change.remedies[0].charged_to, "");
  ASSERT_EQ(change.ledger.size(), 1u);
  EXPECT_EQ(change.ledger[0].action, "command_rejected");
  EXPECT_EQ(change.ledger[0].amount_minor, 2000);
  EXPECT_EQ(change.ledger[0].detail, "CMD-9 item already voided");
}

TEST_F(AckTest, ALaterAckGetsTheFirstAnswerAndChangesNothing) {
  for (auto second :
       {AckCommandRequest::REJECTED, AckCommandRequest::APPLIED}) {
    AckSnapshot snapshot = SnapshotOf(SentCase());
    snapshot.recorded_result = AckCommandRequest::APPLIED;
    auto decision = DecideAck(Adapter(), AckOf(second), snapshot);
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_EQ(decision->response.command_id(), "CMD-9");
    EXPECT_EQ(decision->response.recorded_result(), AckCommandRequest::APPLIED);
    EXPECT_TRUE(decision->response.duplicate());
    EXPECT_FALSE(decision->record_ack);
    EXPECT_FALSE(decision->case_change.has_value());
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(AckTest, AFollowUpCommandsAckIsRecordedWithoutACaseChange) {
  AckSnapshot snapshot = SnapshotOf(SentCase());
  snapshot.command.mutable_guest_follow_up()->set_category_id("cold_food");
  snapshot.application_id = "";
  auto decision =
      DecideAck(Adapter(), AckOf(AckCommandRequest::APPLIED), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(decision->record_ack);
  EXPECT_EQ(decision->response.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(decision->response.duplicate());
  EXPECT_FALSE(decision->case_change.has_value());
}

TEST_F(AckTest, ACommandWithoutItsCaseOrRemedyChangesNoCase) {
  AckSnapshot no_case = SnapshotOf(SentCase());
  no_case.recovery.reset();
  auto without_case =
      DecideAck(Adapter(), AckOf(AckCommandRequest::APPLIED), no_case);
  ASSERT_TRUE(without_case.ok()) << without_case.status();
  EXPECT_TRUE(without_case->record_ack);
  EXPECT_FALSE(without_case->case_change.has_value());

  AckSnapshot other_remedy = SnapshotOf(SentCase());
  other_remedy.application_id = "RA-9";
  auto without_remedy =
      DecideAck(Adapter(), AckOf(AckCommandRequest::REJECTED), other_remedy);
  ASSERT_TRUE(without_remedy.ok()) << without_remedy.status();
  EXPECT_TRUE(without_remedy->record_ack);
  EXPECT_FALSE(without_remedy->case_change.has_value());
}

TEST_F(AckTest, AnAckOnAClosedCaseKeepsItClosed) {
  RecoveryCase recovery = SentCase();
  recovery.set_status(RecoveryCase::RESOLVED);
  auto decision = DecideAck(Adapter(), AckOf(AckCommandRequest::APPLIED),
                            SnapshotOf(recovery));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->case_change.has_value());
  EXPECT_EQ(decision->case_change->recovery.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(decision->case_change->recovery.remedies(0).status(),
            AppliedRemedy::APPLIED);
}

}  // namespace
}  // namespace makegood::core::recovery_test
