#include "core/recovery/approve.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/proto_time.h"
#include "core/recovery/apply.h"
#include "core/recovery/case_state.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

using makegood::v1::ApplyRemedyRequest;
using makegood::v1::ApproveRemedyRequest;
using ::testing::HasSubstr;

class ApproveTest : public RecoveryTest {
 protected:
  static ApproveRemedyRequest Approval(const std::string& application_id) {
    ApproveRemedyRequest approve;
    approve.set_request_id("req-3");
    approve.set_case_id(kCaseId);
    approve.set_remedy_application_id(application_id);
    approve.set_approve(true);
    return approve;
  }

  static ApproveRemedyRequest Denial(const std::string& application_id,
                                     const std::string& reason) {
    ApproveRemedyRequest deny = Approval(application_id);
    deny.set_approve(false);
    deny.set_reason(reason);
    return deny;
  }

  static ApproveSnapshot SnapshotOf(RecoveryCase recovery, Check check,
                                    int64_t location_in_day = 0) {
    ApproveSnapshot snapshot;
    snapshot.recovery = std::move(recovery);
    snapshot.check = StateOf(std::move(check));
    snapshot.spent.location_in_day = location_in_day;
    return snapshot;
  }

  // A case flagged on `line` (L1 for a check-level remedy, line "") whose
  // option `option_id` (costing `cost`) waits for approval as RA-P1,
  // requested by `requested_by`, as DecideApply leaves it.
  RecoveryCase Pending(const std::string& option_id, int64_t cost,
                       const std::string& requested_by = "server-1",
                       const std::string& line = "L1") {
    RecoveryCase recovery = MakeCase({line.empty() ? std::string("L1") : line});
    AddRemedy(recovery, "RA-P1", option_id, AppliedRemedy::PENDING_APPROVAL,
              cost, requested_by, line);
    AppliedRemedy& remedy = *recovery.mutable_remedies(0);
    remedy.set_approval_reason("over the limit");
    // The comped lines of these tests (the ribeye, the tomahawk) were fired.
    remedy.set_waste(remedy.kind() == makegood::v1::COMP_ITEM);
    EXPECT_EQ(recovery.status(), RecoveryCase::PENDING_APPROVAL);
    return recovery;
  }

  static Check BigCheck() {
    return MakeCheck(
        {{"L1", "RIBEYE", "Ribeye", "grill", 12000, makegood::v1::FIRED},
         {"L2", "WINE", "Bottle of wine", "bar", 8000, makegood::v1::SERVED}});
  }
};

TEST_F(ApproveTest, AnUnknownRemedyIsNotFound) {
  auto decision =
      DecideApprove(Manager(), Approval("RA-9"),
                    SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200)})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kNotFound,
                      Error::UNKNOWN_REMEDY));
  EXPECT_THAT(decision.status().message(), HasSubstr("RA-9"));
}

TEST_F(ApproveTest, ARemedyNotWaitingIsNotPending) {
  for (auto status :
       {AppliedRemedy::SENT, AppliedRemedy::DENIED, AppliedRemedy::APPLIED}) {
    RecoveryCase recovery = MakeCase();
    AddRemedy(recovery, "RA-P1", "o2", status, 3200);
    for (bool approve : {true, false}) {
      ApproveRemedyRequest request = Approval("RA-P1");
      request.set_approve(approve);
      request.set_reason("no");
      auto decision = DecideApprove(
          Manager(), request, SnapshotOf(recovery, MakeCheck({Ribeye(3200)})));
      ASSERT_FALSE(decision.ok());
      EXPECT_TRUE(Refused(decision.status(),
                          absl::StatusCode::kFailedPrecondition,
                          Error::NOT_PENDING));
    }
  }
}

TEST_F(ApproveTest, NobodyDecidesOnTheirOwnRequest) {
  const ApproveSnapshot snapshot =
      SnapshotOf(Pending("o2", 15000, "manager-1", "L3"),
                 MakeCheck({Ribeye(), Tomahawk()}));
  auto approve = DecideApprove(Manager(), Approval("RA-P1"), snapshot);
  ASSERT_FALSE(approve.ok());
  EXPECT_TRUE(Refused(approve.status(), absl::StatusCode::kPermissionDenied,
                      Error::SELF_APPROVAL));
  auto deny =
      DecideApprove(Manager(), Denial("RA-P1", "changed my mind"), snapshot);
  ASSERT_FALSE(deny.ok());
  EXPECT_TRUE(Refused(deny.status(), absl::StatusCode::kPermissionDenied,
                      Error::SELF_APPROVAL));
}

TEST_F(ApproveTest, AnotherCredentialOfTheSamePersonIsStillSelfApproval) {
  FindCredential(config_, "manager-1")->set_person_id("pat");
  makegood::v1::Credential* tablet = config_.add_devices();
  tablet->set_id("floor-tablet");
  tablet->set_role(makegood::v1::MANAGER);
  tablet->set_person_id("pat");
  AddAdmin(config_);

  RecoveryCase recovery = Pending("o2", 15000, "manager-1", "L3");
  EXPECT_EQ(recovery.remedies(0).requested_by_person(), "pat");
  const Check check = MakeCheck({Ribeye(), Tomahawk()});
  const RecoveryRequest tablet_request =
      As("floor-tablet", makegood::v1::MANAGER);
  auto refused = DecideApprove(tablet_request, Approval("RA-P1"),
                               SnapshotOf(recovery, check));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(Refused(refused.status(), absl::StatusCode::kPermissionDenied,
                      Error::SELF_APPROVAL));

  // A remedy stored before requested_by_person existed: the person is the
  // requester's credential's.
  RecoveryCase legacy = recovery;
  legacy.mutable_remedies(0)->clear_requested_by_person();
  auto also_refused = DecideApprove(tablet_request, Approval("RA-P1"),
                                    SnapshotOf(legacy, check));
  ASSERT_FALSE(also_refused.ok());
  EXPECT_TRUE(Refused(also_refused.status(),
                      absl::StatusCode::kPermissionDenied,
                      Error::SELF_APPROVAL));

  // Someone else may.
  auto approved =
      DecideApprove(Admin(), Approval("RA-P1"), SnapshotOf(recovery, check));
  ASSERT_TRUE(approved.ok()) << approved.status();
}

TEST_F(ApproveTest, ADenialDeclinesTheOptionSoTheNextIsOffered) {
  auto decision = DecideApprove(
      Manager(), Denial("RA-P1", "guest already has dessert"),
      SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kUpdate);
  const RecoveryCase& recovery = decision->recovery;
  ASSERT_EQ(recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::DENIED);
  EXPECT_EQ(remedy.approved_by(), "manager-1");
  EXPECT_EQ(remedy.rejection_reason(), "guest already has dessert");
  EXPECT_EQ(remedy.command_id(), "");
  EXPECT_TRUE(OptionOf(recovery, "o2").declined());
  EXPECT_FALSE(OptionOf(recovery, "o1").declined());
  EXPECT_EQ(recovery.status(), RecoveryCase::OPEN);
  EXPECT_EQ(recovery.total_cost().minor_units(), 0);

  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].remedy.status(), AppliedRemedy::DENIED);
  EXPECT_EQ(decision->remedies[0].charged_to, "");
  EXPECT_EQ(decision->remedies[0].business_day, kToday);
  ASSERT_EQ(decision->ledger.size(), 1u);
  const LedgerEntry& entry = decision->ledger[0];
  EXPECT_EQ(entry.action, "remedy_denied");
  EXPECT_EQ(entry.actor, "manager-1");
  EXPECT_EQ(entry.approver, "manager-1");
  EXPECT_EQ(entry.amount_minor, 0);
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.detail, "comp: guest already has dessert");
  EXPECT_TRUE(decision->commands.empty());
  EXPECT_TRUE(decision->money_off.empty());
  EXPECT_TRUE(decision->codes.empty());
  EXPECT_TRUE(decision->alerts.empty());
}

TEST_F(ApproveTest, TheRowsOfADecisionRecordTheApproversDevice) {
  // The manager decides on their tablet: the row is theirs (actor and
  // approver), and so is the device, whatever the requester used.
  RecoveryRequest manager = Manager();
  manager.device_id = "tablet-bar";
  auto approved =
      DecideApprove(manager, Approval("RA-P1"),
                    SnapshotOf(Pending("o2", 3200),
                               MakeCheck({Ribeye(3200), Salad()}), 1000));
  ASSERT_TRUE(approved.ok()) << approved.status();
  ASSERT_EQ(approved->ledger.size(), 1u);
  EXPECT_EQ(approved->ledger[0].action, "remedy_sent");
  EXPECT_EQ(approved->ledger[0].approver, "manager-1");
  EXPECT_EQ(approved->ledger[0].device, "tablet-bar");

  auto denied = DecideApprove(
      manager, Denial("RA-P1", "guest already has dessert"),
      SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(denied.ok()) << denied.status();
  ASSERT_EQ(denied->ledger.size(), 1u);
  EXPECT_EQ(denied->ledger[0].action, "remedy_denied");
  EXPECT_EQ(denied->ledger[0].device, "tablet-bar");
}

TEST_F(ApproveTest, ADenialIsAllowedOnAClosedCase) {
  RecoveryCase recovery = Pending("o2", 3200);
  recovery.set_status(RecoveryCase::RESOLVED);
  auto decision =
      DecideApprove(Manager(), Denial("RA-P1", "guest left happy"),
                    SnapshotOf(recovery, MakeCheck({Ribeye(3200)})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::RESOLVED);
  EXPECT_EQ(decision->recovery.remedies(0).status(), AppliedRemedy::DENIED);
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_denied");
}

TEST_F(ApproveTest, AnApprovalOnAClosedCaseIsRefused) {
  for (auto status : {RecoveryCase::RESOLVED, RecoveryCase::GUEST_LEFT}) {
    RecoveryCase recovery = Pending("o2", 3200);
    recovery.set_status(status);
    auto decision = DecideApprove(Manager(), Approval("RA-P1"),
                                  SnapshotOf(recovery, MakeCheck({Ribeye()})));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::CASE_CLOSED));
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(ApproveTest, AnOptionTheGuestDeclinedWhileItWaitedIsNotApproved) {
  RecoveryCase recovery = Pending("o2", 3200);
  FindOption(recovery, "o2")->set_declined(true);
  auto decision = DecideApprove(Manager(), Approval("RA-P1"),
                                SnapshotOf(recovery, MakeCheck({Ribeye()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::OPTION_DECLINED));
  EXPECT_EQ(ids_.issued(), 0);
  auto denied = DecideApprove(Manager(), Denial("RA-P1", "guest declined"),
                              SnapshotOf(recovery, MakeCheck({Ribeye()})));
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_EQ(denied->recovery.remedies(0).status(), AppliedRemedy::DENIED);
}

TEST_F(ApproveTest, ACompOnACheckPaidSinceIsRefused) {
  Check paid = MakeCheck({Ribeye(3200)});
  PayCheck(paid, kNow - absl::Minutes(2));
  auto decision = DecideApprove(Manager(), Approval("RA-P1"),
                                SnapshotOf(Pending("o2", 3200), paid));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::CHECK_PAID));

  Check closed = MakeCheck({Ribeye(3200)});
  CloseCheck(closed, kNow - absl::Minutes(1));
  auto also = DecideApprove(Manager(), Approval("RA-P1"),
                            SnapshotOf(Pending("o2", 3200), closed));
  ASSERT_FALSE(also.ok());
  EXPECT_TRUE(Refused(also.status(), absl::StatusCode::kFailedPrecondition,
                      Error::CHECK_PAID));
}

TEST_F(ApproveTest, ACodeOnACheckPaidSinceIsApproved) {
  Check paid = BigCheck();
  PayCheck(paid, kNow - absl::Minutes(2));
  auto decision =
      DecideApprove(Manager(), Approval("RA-P1"),
                    SnapshotOf(Pending("o4", 4000, "server-1", ""), paid));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 4000);
  EXPECT_EQ(remedy.discount_code(), "CODE-1");
  ASSERT_EQ(decision->codes.size(), 1u);
  EXPECT_EQ(decision->codes[0].application_id, "RA-P1");
  EXPECT_EQ(decision->codes[0].expires_at, kNow + Days(60));
  ASSERT_EQ(decision->commands.size(), 1u);
  EXPECT_EQ(decision->commands[0].command.apply_remedy().discount_code(),
            "CODE-1");
  EXPECT_EQ(decision->commands[0].command.apply_remedy().percent_bps(), 2000);
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "manager-1");
}

TEST_F(ApproveTest, ARefundOnACheckPaidSinceIsApproved) {
  Check paid = MakeCheck({Ribeye(3200), Salad()});
  PayCheck(paid, kNow - absl::Minutes(2));
  auto decision = DecideApprove(Manager(), Approval("RA-P1"),
                                SnapshotOf(Pending("o5", 3200), paid));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 3200);
  ASSERT_EQ(decision->money_off.size(), 1u);
  EXPECT_EQ(decision->money_off[0].application_id, "RA-P1");
  EXPECT_EQ(decision->money_off[0].line_id, "L1");
  EXPECT_EQ(decision->money_off[0].amount_minor, 3200);
  ASSERT_EQ(decision->commands.size(), 1u);
  const auto& action = decision->commands[0].command.apply_remedy();
  EXPECT_EQ(action.kind(), makegood::v1::REFUND);
  EXPECT_EQ(action.line_id(), "L1");
  EXPECT_EQ(action.amount().minor_units(), 3200);
}

TEST_F(ApproveTest, AManagersOwnPerCaseLimitBoundsTheCasesTotal) {
  // 150.00 on its own is above the MANAGER's 100.00.
  auto alone = DecideApprove(Manager(), Approval("RA-P1"),
                             SnapshotOf(Pending("o2", 15000, "server-1", "L3"),
                                        MakeCheck({Ribeye(), Tomahawk()})));
  ASSERT_FALSE(alone.ok());
  EXPECT_TRUE(Refused(alone.status(), absl::StatusCode::kFailedPrecondition,
                      Error::OVER_AUTHORITY));
  EXPECT_THAT(alone.status().message(),
              HasSubstr("over the MANAGER limit of 100.00 per case (the case "
                        "would reach 150.00)"));

  // 32.00 with the 70.00 given on the case already makes 102.00.
  RecoveryCase recovery = Pending("o2", 3200);
  AddRemedy(recovery, "RA-0", "o5", AppliedRemedy::SENT, 7000, "manager-2",
            "L3");
  ASSERT_EQ(recovery.total_cost().minor_units(), 7000);
  auto total = DecideApprove(
      Manager(), Approval("RA-P1"),
      SnapshotOf(recovery, MakeCheck({Ribeye(3200), Tomahawk()})));
  ASSERT_FALSE(total.ok());
  EXPECT_TRUE(Refused(total.status(), absl::StatusCode::kFailedPrecondition,
                      Error::OVER_AUTHORITY));
  EXPECT_THAT(total.status().message(), HasSubstr("would reach 102.00"));

  // 68.00 given: exactly 100.00 is within it.
  RecoveryCase at_limit = Pending("o2", 3200);
  AddRemedy(at_limit, "RA-0", "o5", AppliedRemedy::SENT, 6800, "manager-2",
            "L3");
  auto within = DecideApprove(
      Manager(), Approval("RA-P1"),
      SnapshotOf(at_limit, MakeCheck({Ribeye(3200), Tomahawk()})));
  ASSERT_TRUE(within.ok()) << within.status();
  EXPECT_EQ(within->recovery.total_cost().minor_units(), 10000);
}

TEST_F(ApproveTest, AnAdminWithoutALimitsEntryApprovesAnyAmountWithinBudget) {
  auto decision =
      DecideApprove(Admin(), Approval("RA-P1"),
                    SnapshotOf(Pending("o2", 15000, "server-1", "L3"),
                               MakeCheck({Ribeye(), Tomahawk()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.approved_by(), "admin-1");
  EXPECT_EQ(remedy.cost().minor_units(), 15000);
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "admin-1");
}

TEST_F(ApproveTest, TheDailyBudgetBindsApprovals) {
  for (const RecoveryRequest& request : {Manager(), Admin()}) {
    SCOPED_TRACE(request.actor_id);
    auto decision = DecideApprove(
        request, Approval("RA-P1"),
        SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200)}), 48000));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::OVER_BUDGET));
    EXPECT_THAT(decision.status().message(),
                HasSubstr("daily budget of 500.00"));
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(ApproveTest, AnApprovalSendsTheRemedyCountedAgainstTheApprover) {
  auto decision =
      DecideApprove(Manager(), Approval("RA-P1"),
                    SnapshotOf(Pending("o2", 3200),
                               MakeCheck({Ribeye(3200), Salad()}), 1000));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kUpdate);
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.status(), RecoveryCase::REMEDY_APPLIED);
  EXPECT_EQ(recovery.total_cost().minor_units(), 3200);
  ASSERT_EQ(recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.requested_by(), "server-1");
  EXPECT_EQ(remedy.approved_by(), "manager-1");
  EXPECT_EQ(FromProto(remedy.applied_at()), kNow);
  EXPECT_EQ(remedy.cost().minor_units(), 3200);
  EXPECT_EQ(remedy.command_id(), "CMD-1");

  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "manager-1");
  EXPECT_EQ(decision->remedies[0].business_day, kToday);
  ASSERT_EQ(decision->commands.size(), 1u);
  EXPECT_EQ(decision->commands[0].application_id, "RA-P1");
  const RemedyCommand& command = decision->commands[0].command;
  EXPECT_EQ(command.command_id(), "CMD-1");
  EXPECT_EQ(command.case_id(), kCaseId);
  EXPECT_EQ(command.check_id(), kCheckId);
  EXPECT_EQ(command.apply_remedy().kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(command.apply_remedy().line_id(), "L1");
  EXPECT_EQ(command.apply_remedy().amount().minor_units(), 3200);
  EXPECT_TRUE(command.apply_remedy().waste());
  ASSERT_EQ(decision->money_off.size(), 1u);
  EXPECT_EQ(decision->money_off[0].application_id, "RA-P1");
  EXPECT_EQ(decision->money_off[0].amount_minor, 3200);
  ASSERT_EQ(decision->ledger.size(), 1u);
  const LedgerEntry& entry = decision->ledger[0];
  EXPECT_EQ(entry.action, "remedy_sent");
  EXPECT_EQ(entry.actor, "manager-1");
  EXPECT_EQ(entry.approver, "manager-1");
  EXPECT_EQ(entry.amount_minor, 3200);
  EXPECT_EQ(entry.detail, "comp COMP_ITEM line L1 (waste)");
  EXPECT_TRUE(decision->alerts.empty());
}

TEST_F(ApproveTest, AnApprovalCostsWhatIsLeftNowNeverMoreThanAsked) {
  ApproveSnapshot discounted =
      SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200), Salad()}));
  discounted.check.money_off.by_line["L1"] = 1000;
  discounted.check.money_off.total = 1000;
  auto less = DecideApprove(Manager(), Approval("RA-P1"), discounted);
  ASSERT_TRUE(less.ok()) << less.status();
  EXPECT_EQ(less->recovery.remedies(0).cost().minor_units(), 2200);
  ASSERT_EQ(less->commands.size(), 1u);
  EXPECT_EQ(less->commands[0].command.apply_remedy().amount().minor_units(),
            2200);
  ASSERT_EQ(less->money_off.size(), 1u);
  EXPECT_EQ(less->money_off[0].amount_minor, 2200);
  ASSERT_EQ(less->ledger.size(), 1u);
  EXPECT_EQ(less->ledger[0].amount_minor, 2200);
  EXPECT_EQ(less->recovery.total_cost().minor_units(), 2200);

  auto asked = DecideApprove(
      Manager(), Approval("RA-P1"),
      SnapshotOf(Pending("o2", 2500), MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->recovery.remedies(0).cost().minor_units(), 2500);

  ApproveSnapshot covered =
      SnapshotOf(Pending("o2", 3200), MakeCheck({Ribeye(3200), Salad()}));
  covered.check.money_off.by_line["L1"] = 3200;
  covered.check.money_off.total = 3200;
  auto nothing = DecideApprove(Manager(), Approval("RA-P1"), covered);
  ASSERT_FALSE(nothing.ok());
  EXPECT_TRUE(Refused(nothing.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NOTHING_LEFT_TO_TAKE_OFF));
}

TEST_F(ApproveTest, ARemedyLeftWaitingByApplyIsApprovedByAnotherManager) {
  const Check check = MakeCheck({Ribeye(3200), Salad()});
  ApplyRemedyRequest apply;
  apply.set_request_id("req-2");
  apply.set_case_id(kCaseId);
  apply.set_option_id("o2");
  ApplySnapshot applied_from;
  applied_from.recovery = MakeCase();
  applied_from.check = StateOf(check);
  auto applied = DecideApply(Server(), apply, applied_from);
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_EQ(applied->recovery.remedies_size(), 1);
  const std::string id = applied->recovery.remedies(0).remedy_application_id();

  auto decision =
      DecideApprove(As("manager-2", makegood::v1::MANAGER), Approval(id),
                    SnapshotOf(applied->recovery, check));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->recovery.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(decision->recovery.remedies(0).approved_by(), "manager-2");
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "manager-2");
  EXPECT_EQ(decision->commands.size(), 1u);
}

// apply.h promises that a remedy left waiting is one someone configured
// could approve. Two remedies of one request that each fit a manager's
// 100.00, but not together, must not leave the second waiting for an
// approval nobody can give: either apply refuses it (NO_APPROVER) or each
// can be approved in turn.
TEST_F(ApproveTest, EveryRemedyLeftWaitingCanBeApproved) {
  const LineSpec second{"L2",    "RIBEYE", "Ribeye",
                        "grill", 6000,     makegood::v1::FIRED};
  const Check check = MakeCheck({Ribeye(6000), second});
  ApplyRemedyRequest apply;
  apply.set_request_id("req-2");
  apply.set_case_id(kCaseId);
  apply.set_option_id("o2");
  ApplySnapshot applied_from;
  applied_from.recovery = MakeCase({"L1", "L2"});
  applied_from.check = StateOf(check);
  auto applied = DecideApply(Server(), apply, applied_from);
  if (!applied.ok()) {
    EXPECT_TRUE(Refused(applied.status(), absl::StatusCode::kFailedPrecondition,
                        Error::NO_APPROVER));
    return;
  }
  ASSERT_EQ(applied->recovery.remedies_size(), 2);
  ASSERT_EQ(applied->recovery.remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  ASSERT_EQ(applied->recovery.remedies(1).status(),
            AppliedRemedy::PENDING_APPROVAL);

  auto first = DecideApprove(
      Manager(),
      Approval(applied->recovery.remedies(0).remedy_application_id()),
      SnapshotOf(applied->recovery, check));
  ASSERT_TRUE(first.ok()) << first.status();
  ApproveSnapshot after_first = SnapshotOf(first->recovery, check, 6000);
  after_first.check.money_off.by_line["L1"] = 6000;
  after_first.check.money_off.total = 6000;
  auto second_approval = DecideApprove(
      As("manager-2", makegood::v1::MANAGER),
      Approval(applied->recovery.remedies(1).remedy_application_id()),
      after_first);
  EXPECT_TRUE(second_approval.ok())
      << "the second remedy waits for an approval nobody configured can "
         "give: "
      << second_approval.status();
}

}  // namespace
}  // namespace makegood::core::recovery_test
