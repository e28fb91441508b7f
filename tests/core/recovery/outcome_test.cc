#include "core/recovery/outcome.h"

#include <string>

#include "absl/time/time.h"
#include "core/proto_time.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

using makegood::v1::RecordOutcomeRequest;
using ::testing::HasSubstr;

class OutcomeTest : public RecoveryTest {
 protected:
  static RecordOutcomeRequest Outcome(
      makegood::v1::GuestResponse response,
      makegood::v1::RootCause cause = makegood::v1::ROOT_CAUSE_UNSPECIFIED,
      const std::string& action = "") {
    RecordOutcomeRequest outcome;
    outcome.set_request_id("req-4");
    outcome.set_case_id(kCaseId);
    outcome.set_guest_response(response);
    outcome.set_root_cause(cause);
    outcome.set_action_taken(action);
    return outcome;
  }

  static OutcomeSnapshot SnapshotOf(RecoveryCase recovery) {
    OutcomeSnapshot snapshot;
    snapshot.recovery = std::move(recovery);
    return snapshot;
  }

  // A case whose comp (o2, 20.00) was sent.
  RecoveryCase GivenCase() {
    RecoveryCase recovery = MakeCase();
    AddRemedy(recovery, "RA-1", "o2", AppliedRemedy::SENT, 2000);
    EXPECT_EQ(recovery.status(), RecoveryCase::REMEDY_APPLIED);
    return recovery;
  }

  // A case the guest accepted an hour before kNow.
  RecoveryCase ResolvedCase() {
    RecoveryCase recovery = GivenCase();
    recovery.set_status(RecoveryCase::RESOLVED);
    recovery.set_guest_response(makegood::v1::ACCEPTED);
    *recovery.mutable_closed_at() = ToProto(kNow - absl::Hours(1));
    return recovery;
  }
};

TEST_F(OutcomeTest, AcceptedResolvesTheCase) {
  auto decision = DecideOutcome(
      Server(),
      Outcome(makegood::v1::ACCEPTED, makegood::v1::KITCHEN, "Heat lamp fixed"),
      SnapshotOf(GivenCase()));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kUpdate);
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(recovery.guest_response(), makegood::v1::ACCEPTED);
  ASSERT_TRUE(recovery.has_closed_at());
  EXPECT_EQ(FromProto(recovery.closed_at()), kNow);
  EXPECT_EQ(recovery.root_cause(), makegood::v1::KITCHEN);
  EXPECT_EQ(recovery.action_taken(), "Heat lamp fixed");
  EXPECT_EQ(recovery.total_cost().minor_units(), 2000);
  ASSERT_EQ(decision->ledger.size(), 1u);
  const LedgerEntry& entry = decision->ledger[0];
  EXPECT_EQ(entry.action, "outcome");
  EXPECT_EQ(entry.actor, "server-1");
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.amount_minor, 0);
  EXPECT_EQ(entry.detail, "ACCEPTED cause KITCHEN");
  EXPECT_TRUE(decision->remedies.empty());
  EXPECT_TRUE(decision->commands.empty());
  EXPECT_TRUE(decision->alerts.empty());
}

TEST_F(OutcomeTest, LeftClosesTheCaseAsGuestLeft) {
  auto decision = DecideOutcome(Server(), Outcome(makegood::v1::LEFT),
                                SnapshotOf(GivenCase()));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::GUEST_LEFT);
  EXPECT_EQ(decision->recovery.guest_response(), makegood::v1::LEFT);
  EXPECT_EQ(FromProto(decision->recovery.closed_at()), kNow);
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].detail, "LEFT");
}

TEST_F(OutcomeTest, DeclinedWithNothingGivenDeclinesTheCurrentOffer) {
  auto first = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                             SnapshotOf(MakeCase()));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(OptionOf(first->recovery, "o1").declined());
  EXPECT_FALSE(OptionOf(first->recovery, "o2").declined());
  EXPECT_EQ(first->recovery.status(), RecoveryCase::OPEN);
  EXPECT_FALSE(first->recovery.has_closed_at());
  ASSERT_EQ(first->ledger.size(), 1u);
  EXPECT_EQ(first->ledger[0].detail, "DECLINED o1");

  auto second = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                              SnapshotOf(first->recovery));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(OptionOf(second->recovery, "o2").declined());
  EXPECT_FALSE(OptionOf(second->recovery, "o3").declined());
  ASSERT_EQ(second->ledger.size(), 1u);
  EXPECT_EQ(second->ledger[0].detail, "DECLINED o2");
}

TEST_F(OutcomeTest, DeclinedMarksTheLastOptionGivenNotAnExtra) {
  RecoveryCase recovery = GivenCase();  // o2 sent
  AddRemedy(recovery, "RA-2", "x1", AppliedRemedy::SENT, 800, "server-1", "");
  auto decision = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                                SnapshotOf(recovery));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(OptionOf(decision->recovery, "o2").declined());
  EXPECT_FALSE(OptionOf(decision->recovery, "x1").declined());
  EXPECT_FALSE(OptionOf(decision->recovery, "o1").declined());
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].detail, "DECLINED o2");
  EXPECT_FALSE(decision->recovery.has_closed_at());
}

TEST_F(OutcomeTest, DeclinedAfterOnlyAnExtraDeclinesTheCurrentOffer) {
  RecoveryCase recovery = MakeCase();
  AddRemedy(recovery, "RA-1", "x1", AppliedRemedy::SENT, 800, "server-1", "");
  auto decision = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                                SnapshotOf(recovery));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(OptionOf(decision->recovery, "o1").declined());
  EXPECT_FALSE(OptionOf(decision->recovery, "x1").declined());
}

// outcome.cc sets OPEN on a decline (the next option is to be offered, and
// REMEDY_APPLIED means "the guest's answer is not recorded yet", per
// recovery.proto), but Recompute then derives REMEDY_APPLIED again from the
// remedy that was sent.
TEST_F(OutcomeTest, ADeclineReopensTheCaseForTheNextOffer) {
  auto decision = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                                SnapshotOf(GivenCase()));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(OptionOf(decision->recovery, "o2").declined());
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::OPEN);
}

TEST_F(OutcomeTest, AClosedCaseTakesNoGuestResponse) {
  for (auto response :
       {makegood::v1::ACCEPTED, makegood::v1::DECLINED, makegood::v1::LEFT}) {
    auto decision =
        DecideOutcome(Server(), Outcome(response), SnapshotOf(ResolvedCase()));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::CASE_CLOSED));
    EXPECT_THAT(decision.status().message(), HasSubstr("RESOLVED"));
  }
}

TEST_F(OutcomeTest, AClosedCaseStillTakesTheRootCauseAndAction) {
  auto decision =
      DecideOutcome(Manager(),
                    Outcome(makegood::v1::GUEST_RESPONSE_UNSPECIFIED,
                            makegood::v1::SUPPLIER, "Changed the supplier"),
                    SnapshotOf(ResolvedCase()));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(recovery.guest_response(), makegood::v1::ACCEPTED);
  EXPECT_EQ(FromProto(recovery.closed_at()), kNow - absl::Hours(1));
  EXPECT_EQ(recovery.root_cause(), makegood::v1::SUPPLIER);
  EXPECT_EQ(recovery.action_taken(), "Changed the supplier");
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kUpdate);
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].actor, "manager-1");
  EXPECT_EQ(decision->ledger[0].detail,
            "GUEST_RESPONSE_UNSPECIFIED cause SUPPLIER");
}

TEST_F(OutcomeTest, ClosingCanRequireTheRootCauseAndTheAction) {
  config_.mutable_outcomes()->set_require_root_cause(true);
  for (auto response : {makegood::v1::ACCEPTED, makegood::v1::LEFT}) {
    auto no_cause =
        DecideOutcome(Server(), Outcome(response), SnapshotOf(GivenCase()));
    ASSERT_FALSE(no_cause.ok());
    EXPECT_TRUE(Refused(no_cause.status(), absl::StatusCode::kInvalidArgument,
                        Error::ROOT_CAUSE_REQUIRED));
    EXPECT_EQ(FieldOf(no_cause.status()), "root_cause");

    auto no_action =
        DecideOutcome(Server(), Outcome(response, makegood::v1::KITCHEN),
                      SnapshotOf(GivenCase()));
    ASSERT_FALSE(no_action.ok());
    EXPECT_TRUE(Refused(no_action.status(), absl::StatusCode::kInvalidArgument,
                        Error::ROOT_CAUSE_REQUIRED));
    EXPECT_EQ(FieldOf(no_action.status()), "action_taken");
  }

  auto both = DecideOutcome(
      Server(),
      Outcome(makegood::v1::ACCEPTED, makegood::v1::KITCHEN, "Heat lamp fixed"),
      SnapshotOf(GivenCase()));
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->recovery.status(), RecoveryCase::RESOLVED);

  // A case that has both already closes without them.
  RecoveryCase known = GivenCase();
  known.set_root_cause(makegood::v1::PROCESS);
  known.set_action_taken("Ticket times reviewed");
  auto already = DecideOutcome(Server(), Outcome(makegood::v1::ACCEPTED),
                               SnapshotOf(known));
  ASSERT_TRUE(already.ok()) << already.status();
  EXPECT_EQ(already->recovery.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(already->recovery.root_cause(), makegood::v1::PROCESS);

  // A decline does not close the case.
  auto declined = DecideOutcome(Server(), Outcome(makegood::v1::DECLINED),
                                SnapshotOf(GivenCase()));
  ASSERT_TRUE(declined.ok()) << declined.status();
}

}  // namespace
}  // namespace makegood::core::recovery_test
