#include "core/recovery/apply.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/proto_time.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recovery_test_support.h"

namespace makegood::core::recovery_test {
namespace {

using makegood::v1::ApplyRemedyRequest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ApplyTest : public RecoveryTest {
 protected:
  static ApplyRemedyRequest Choose(
      const std::string& option_id,
      const std::vector<std::string>& extras = {}) {
    ApplyRemedyRequest apply;
    apply.set_request_id("req-2");
    apply.set_case_id(kCaseId);
    apply.set_option_id(option_id);
    for (const std::string& id : extras) apply.add_extra_option_ids(id);
    return apply;
  }

  static ApplySnapshot SnapshotOf(RecoveryCase recovery, Check check,
                                  Spent spent = {}) {
    ApplySnapshot snapshot;
    snapshot.recovery = std::move(recovery);
    snapshot.check = StateOf(std::move(check));
    snapshot.spent = spent;
    return snapshot;
  }

  static Spent SpentOf(int64_t on_case, int64_t in_shift, int64_t in_day) {
    Spent spent;
    spent.requester_on_case = on_case;
    spent.requester_in_shift = in_shift;
    spent.location_in_day = in_day;
    return spent;
  }
};

// --- Refusals before anything is given -------------------------------------

TEST_F(ApplyTest, AClosedCaseIsRefused) {
  for (auto status : {RecoveryCase::RESOLVED, RecoveryCase::GUEST_LEFT}) {
    RecoveryCase recovery = MakeCase();
    recovery.set_status(status);
    auto decision = DecideApply(Server(), Choose("o1"),
                                SnapshotOf(recovery, MakeCheck({Ribeye()})));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::CASE_CLOSED));
    EXPECT_THAT(decision.status().message(),
                HasSubstr(RecoveryCase::Status_Name(status)));
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(ApplyTest, AnOptionNotOfferedIsABadOptionId) {
  auto decision = DecideApply(Server(), Choose("o9"),
                              SnapshotOf(MakeCase(), MakeCheck({Ribeye()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kInvalidArgument,
                      Error::UNKNOWN_OPTION));
  EXPECT_EQ(FieldOf(decision.status()), "option_id");
  EXPECT_THAT(decision.status().message(), HasSubstr("o9"));
}

// The BadRequest must name the field that is wrong: here the extra, not the
// (valid) option_id.
TEST_F(ApplyTest, AnExtraNotOfferedNamesTheExtraField) {
  auto decision = DecideApply(Server(), Choose("o1", {"x9"}),
                              SnapshotOf(MakeCase(), MakeCheck({Ribeye()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kInvalidArgument,
                      Error::UNKNOWN_OPTION));
  EXPECT_THAT(FieldOf(decision.status()), StartsWith("extra_option_ids"));
}

TEST_F(ApplyTest, AnOptionNamedTwiceIsABadRequest) {
  const std::pair<ApplyRemedyRequest, std::string> cases[] = {
      {Choose("x1", {"x1"}), "extra_option_ids[0]"},
      {Choose("", {"x2", "x2"}), "extra_option_ids[1]"}};
  for (const auto& [apply, field] : cases) {
    auto decision = DecideApply(Server(), apply,
                                SnapshotOf(MakeCase(), MakeCheck({Ribeye()})));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kInvalidArgument,
                        Error::INVALID_FIELD));
    EXPECT_EQ(FieldOf(decision.status()), field);
    EXPECT_THAT(decision.status().message(), HasSubstr("named twice"));
  }
}

TEST_F(ApplyTest, ADeclinedOptionIsRefusedWithTheNextOffer) {
  RecoveryCase recovery = MakeCase();
  recovery.mutable_options(1)->set_declined(true);  // o2
  auto decision = DecideApply(Server(), Choose("o2"),
                              SnapshotOf(recovery, MakeCheck({Ribeye()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::OPTION_DECLINED));
  EXPECT_THAT(decision.status().message(),
              HasSubstr("offer the next option: Refire (o1)"));
}

TEST_F(ApplyTest, AnOptionGivenOrWaitingIsAlreadyApplied) {
  for (auto status : {AppliedRemedy::SENT, AppliedRemedy::APPLIED,
                      AppliedRemedy::PENDING_APPROVAL}) {
    RecoveryCase recovery = MakeCase();
    AddRemedy(recovery, "RA-0", "o2", status, 2000);
    auto decision = DecideApply(Server(), Choose("o2"),
                                SnapshotOf(recovery, MakeCheck({Ribeye()})));
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::ALREADY_APPLIED));
    EXPECT_THAT(decision.status().message(), HasSubstr("RA-0"));
  }
}

TEST_F(ApplyTest, ARemedyNoLongerConfiguredIsRefused) {
  RecoveryCase recovery = MakeCase();
  *recovery.add_options() =
      MakeOption("o6", "gone", makegood::v1::COMP_ITEM, "Gone");
  auto decision = DecideApply(Manager(), Choose("o6"),
                              SnapshotOf(recovery, MakeCheck({Ribeye()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::REMEDY_NOT_CONFIGURED));
}

// --- Within authority ------------------------------------------------------

TEST_F(ApplyTest, AServerCompWithinTheirLimitIsSent) {
  auto decision =
      DecideApply(Server(), Choose("o2"),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kUpdate);
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.status(), RecoveryCase::REMEDY_APPLIED);
  EXPECT_EQ(recovery.total_cost().minor_units(), 2000);

  ASSERT_EQ(recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = recovery.remedies(0);
  EXPECT_EQ(remedy.remedy_application_id(), "RA-1");
  EXPECT_EQ(remedy.option_id(), "o2");
  EXPECT_EQ(remedy.remedy_id(), "comp");
  EXPECT_EQ(remedy.kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 2000);
  EXPECT_EQ(remedy.cost().currency(), "USD");
  EXPECT_EQ(remedy.requested_by(), "server-1");
  EXPECT_EQ(remedy.requested_by_person(), "server-1");
  EXPECT_EQ(remedy.approved_by(), "");
  EXPECT_EQ(FromProto(remedy.requested_at()), kNow);
  EXPECT_EQ(FromProto(remedy.applied_at()), kNow);
  EXPECT_EQ(remedy.line_id(), "L1");
  EXPECT_TRUE(remedy.waste());  // The ribeye was fired.
  EXPECT_EQ(remedy.command_id(), "CMD-1");
  EXPECT_EQ(remedy.approval_reason(), "");

  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].remedy.remedy_application_id(), "RA-1");
  EXPECT_EQ(decision->remedies[0].remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(decision->remedies[0].charged_to, "server-1");
  EXPECT_EQ(decision->remedies[0].business_day, kToday);

  ASSERT_EQ(decision->money_off.size(), 1u);
  EXPECT_EQ(decision->money_off[0].application_id, "RA-1");
  EXPECT_EQ(decision->money_off[0].line_id, "L1");
  EXPECT_EQ(decision->money_off[0].amount_minor, 2000);

  ASSERT_EQ(decision->commands.size(), 1u);
  EXPECT_EQ(decision->commands[0].application_id, "RA-1");
  const RemedyCommand& command = decision->commands[0].command;
  EXPECT_EQ(command.command_id(), "CMD-1");
  EXPECT_EQ(command.case_id(), kCaseId);
  EXPECT_EQ(command.location_id(), kLocation);
  EXPECT_EQ(command.check_id(), kCheckId);
  EXPECT_EQ(FromProto(command.created_at()), kNow);
  ASSERT_TRUE(command.has_apply_remedy());
  const makegood::v1::ApplyRemedyAction& action = command.apply_remedy();
  EXPECT_EQ(action.kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(action.line_id(), "L1");
  EXPECT_EQ(action.amount().minor_units(), 2000);
  EXPECT_EQ(action.amount().currency(), "USD");
  EXPECT_TRUE(action.waste());
  EXPECT_EQ(action.reason(), "Recovery: Cold food");
  EXPECT_EQ(action.discount_code(), "");

  ASSERT_EQ(decision->ledger.size(), 1u);
  const LedgerEntry& entry = decision->ledger[0];
  EXPECT_EQ(entry.action, "remedy_sent");
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.location_id, kLocation);
  EXPECT_EQ(entry.case_id, kCaseId);
  EXPECT_EQ(entry.actor, "server-1");
  EXPECT_EQ(entry.approver, "");
  EXPECT_EQ(entry.amount_minor, 2000);
  EXPECT_EQ(entry.detail, "comp COMP_ITEM line L1 (waste)");

  EXPECT_TRUE(decision->alerts.empty());
  EXPECT_TRUE(decision->codes.empty());
}

TEST_F(ApplyTest, ACompOfAnItemNotYetMadeIsAVoid) {
  auto decision =
      DecideApply(Server(), Choose("o2"),
                  SnapshotOf(MakeCase({"L2"}), MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  EXPECT_FALSE(decision->recovery.remedies(0).waste());
  EXPECT_EQ(decision->recovery.remedies(0).cost().minor_units(), 1200);
  ASSERT_EQ(decision->commands.size(), 1u);
  EXPECT_FALSE(decision->commands[0].command.apply_remedy().waste());
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].detail, "comp COMP_ITEM line L2");
}

TEST_F(ApplyTest, ARefireCostsNothingAndNeedsNoAuthority) {
  // The server is past both their limits already.
  auto decision = DecideApply(
      Server(), Choose("o1"),
      SnapshotOf(MakeCase(), MakeCheck({Ribeye()}), SpentOf(5000, 9000, 0)));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 0);
  EXPECT_EQ(remedy.line_id(), "L1");
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "server-1");
  EXPECT_TRUE(decision->money_off.empty());
  ASSERT_EQ(decision->commands.size(), 1u);
  EXPECT_EQ(decision->commands[0].command.apply_remedy().kind(),
            makegood::v1::REMAKE);
  EXPECT_EQ(decision->commands[0].command.apply_remedy().amount().minor_units(),
            0);
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_sent");
  EXPECT_EQ(decision->ledger[0].amount_minor, 0);
  EXPECT_TRUE(decision->alerts.empty());
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::REMEDY_APPLIED);
}

TEST_F(ApplyTest, AnExtraAloneIsGivenOnTheCheck) {
  auto decision =
      DecideApply(Server(), Choose("", {"x1"}),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.option_id(), "x1");
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 800);
  EXPECT_EQ(remedy.line_id(), "");
  // A gift adds an item; it takes nothing off the check.
  EXPECT_TRUE(decision->money_off.empty());
  ASSERT_EQ(decision->commands.size(), 1u);
  const auto& action = decision->commands[0].command.apply_remedy();
  EXPECT_EQ(action.kind(), makegood::v1::COMPLIMENTARY_ITEM);
  EXPECT_EQ(action.sku(), "DESSERT");
  EXPECT_EQ(action.amount().minor_units(), 800);
  EXPECT_EQ(decision->recovery.total_cost().minor_units(), 800);
}

// --- Above authority -------------------------------------------------------

TEST_F(ApplyTest, OverTheServersPerCaseLimitItWaitsForApproval) {
  auto decision =
      DecideApply(Server(), Choose("o2"),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const std::string reason =
      "over the SERVER limit of 25.00 per case (this case would reach 32.00)";
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.status(), RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(recovery.total_cost().minor_units(), 0);
  ASSERT_EQ(recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = recovery.remedies(0);
  EXPECT_EQ(remedy.remedy_application_id(), "RA-1");
  EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(remedy.cost().minor_units(), 3200);
  EXPECT_EQ(remedy.requested_by(), "server-1");
  EXPECT_EQ(remedy.requested_by_person(), "server-1");
  EXPECT_EQ(FromProto(remedy.requested_at()), kNow);
  EXPECT_FALSE(remedy.has_applied_at());
  EXPECT_EQ(remedy.command_id(), "");
  EXPECT_EQ(remedy.approval_reason(), reason);
  EXPECT_EQ(remedy.approval_need().limit(),
            makegood::v1::ApprovalNeed::PER_CASE);
  EXPECT_EQ(remedy.approval_need().role(), makegood::v1::SERVER);
  EXPECT_EQ(remedy.approval_need().limit_amount().minor_units(), 2500);
  EXPECT_EQ(remedy.approval_need().reached().minor_units(), 3200);

  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "");
  EXPECT_EQ(decision->remedies[0].business_day, kToday);
  EXPECT_EQ(decision->remedies[0].remedy.status(),
            AppliedRemedy::PENDING_APPROVAL);

  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_pending");
  EXPECT_EQ(decision->ledger[0].actor, "server-1");
  EXPECT_EQ(decision->ledger[0].amount_minor, 3200);
  EXPECT_EQ(decision->ledger[0].detail, "comp: " + reason);

  ASSERT_EQ(decision->alerts.size(), 1u);
  const Alert& alert = decision->alerts[0];
  EXPECT_EQ(alert.kind(), Alert::PENDING_APPROVAL);
  EXPECT_EQ(alert.alert_id(), "AL-1");
  EXPECT_EQ(alert.case_id(), kCaseId);
  EXPECT_EQ(alert.check_id(), kCheckId);
  EXPECT_EQ(
      alert.message(),
      "server-1 asks approval for Comp item (32.00) on check CHK-1: " + reason);
  ASSERT_TRUE(alert.has_approval_asked());
  const Alert::ApprovalAsked& facts = alert.approval_asked();
  EXPECT_EQ(facts.remedy_application_id(), remedy.remedy_application_id());
  EXPECT_EQ(facts.requested_by(), "server-1");
  EXPECT_EQ(facts.option_id(), remedy.option_id());
  EXPECT_EQ(facts.remedy_id(), "comp");
  EXPECT_EQ(facts.remedy_kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(facts.cost().minor_units(), 3200);
  EXPECT_EQ(facts.need().SerializeAsString(),
            remedy.approval_need().SerializeAsString());

  EXPECT_TRUE(decision->commands.empty());
  EXPECT_TRUE(decision->money_off.empty());
  EXPECT_TRUE(decision->codes.empty());
}

TEST_F(ApplyTest, WhatTheServerGaveOnTheCaseCounts) {
  auto decision = DecideApply(Server(), Choose("o2"),
                              SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}),
                                         SpentOf(1000, 1000, 0)));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  EXPECT_EQ(decision->recovery.remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(
      decision->recovery.remedies(0).approval_reason(),
      "over the SERVER limit of 25.00 per case (this case would reach 30.00)");
}

TEST_F(ApplyTest, ThePerShiftLimitCountsTheServersShift) {
  auto over = DecideApply(Server(), Choose("o2"),
                          SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}),
                                     SpentOf(0, 5000, 5000)));
  ASSERT_TRUE(over.ok()) << over.status();
  ASSERT_EQ(over->recovery.remedies_size(), 1);
  EXPECT_EQ(over->recovery.remedies(0).status(),
            AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(over->recovery.remedies(0).approval_reason(),
            "over the SERVER limit of 60.00 per shift (this shift would reach "
            "70.00)");

  // Reaching the limit exactly is within it.
  auto at = DecideApply(Server(), Choose("o2"),
                        SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}),
                                   SpentOf(0, 4000, 4000)));
  ASSERT_TRUE(at.ok()) << at.status();
  ASSERT_EQ(at->recovery.remedies_size(), 1);
  EXPECT_EQ(at->recovery.remedies(0).status(), AppliedRemedy::SENT);
}

TEST_F(ApplyTest, TheDailyBudgetBindsEveryoneAndNothingIsWritten) {
  AddAdmin(config_);
  const ApplySnapshot snapshot =
      SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}), SpentOf(0, 0, 49000));
  for (const RecoveryRequest& request : {Server(), Manager(), Admin()}) {
    SCOPED_TRACE(request.actor_id);
    auto decision = DecideApply(request, Choose("o2"), snapshot);
    ASSERT_FALSE(decision.ok());
    EXPECT_TRUE(Refused(decision.status(),
                        absl::StatusCode::kFailedPrecondition,
                        Error::OVER_BUDGET));
    EXPECT_THAT(decision.status().message(),
                HasSubstr("over the location's daily budget of 500.00 (today "
                          "would reach 510.00)"));
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(ApplyTest, ARemedyOverTheBudgetIsRefusedNotLeftWaiting) {
  // Above the server's limit too, but the budget decides first.
  auto decision = DecideApply(
      Server(), Choose("o2"),
      SnapshotOf(MakeCase(), MakeCheck({Ribeye(3200)}), SpentOf(0, 0, 47000)));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::OVER_BUDGET));
}

TEST_F(ApplyTest, ReachingTheBudgetExactlyIsWithinIt) {
  auto decision = DecideApply(
      Server(), Choose("o2"),
      SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}), SpentOf(0, 0, 48000)));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  EXPECT_EQ(decision->recovery.remedies(0).status(), AppliedRemedy::SENT);
}

TEST_F(ApplyTest, AManagerAboveEveryApproversLimitIsRefusedNoApprover) {
  auto decision = DecideApply(
      Manager(), Choose("o2"),
      SnapshotOf(MakeCase({"L3"}), MakeCheck({Ribeye(), Tomahawk()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NO_APPROVER));
  EXPECT_THAT(decision.status().message(),
              HasSubstr("over the MANAGER limit of 100.00 per case (this case "
                        "would reach 150.00)"));
  EXPECT_THAT(decision.status().message(),
              HasSubstr("nobody configured can approve it"));
}

TEST_F(ApplyTest, WithAnAdminConfiguredTheManagersRemedyWaits) {
  AddAdmin(config_);
  auto decision = DecideApply(
      Manager(), Choose("o2"),
      SnapshotOf(MakeCase({"L3"}), MakeCheck({Ribeye(), Tomahawk()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(remedy.cost().minor_units(), 15000);
  EXPECT_EQ(remedy.requested_by(), "manager-1");
  EXPECT_EQ(remedy.requested_by_person(), "manager-1");
  EXPECT_EQ(remedy.approval_reason(),
            "over the MANAGER limit of 100.00 per case (this case would reach "
            "150.00)");
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::PENDING_APPROVAL);
  ASSERT_EQ(decision->alerts.size(), 1u);
  EXPECT_EQ(decision->alerts[0].kind(), Alert::PENDING_APPROVAL);
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_pending");
}

TEST_F(ApplyTest, WithNoManagerConfiguredAServerCannotAskForApproval) {
  config_.clear_staff();
  makegood::v1::Credential* server = config_.add_staff();
  server->set_id("server-1");
  server->set_role(makegood::v1::SERVER);
  auto decision =
      DecideApply(Server(), Choose("o2"),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(3200)})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NO_APPROVER));
  EXPECT_THAT(decision.status().message(),
              HasSubstr("no other MANAGER or ADMIN is configured"));
}

TEST_F(ApplyTest, AnAdminWithoutALimitsEntryIsWithinAuthority) {
  auto decision = DecideApply(
      Admin(), Choose("o2"),
      SnapshotOf(MakeCase({"L3"}), MakeCheck({Ribeye(), Tomahawk()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  EXPECT_EQ(decision->recovery.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(decision->recovery.remedies(0).cost().minor_units(), 15000);
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "admin-1");
  ASSERT_EQ(decision->money_off.size(), 1u);
  EXPECT_EQ(decision->money_off[0].line_id, "L3");
  EXPECT_EQ(decision->money_off[0].amount_minor, 15000);
  EXPECT_EQ(decision->commands.size(), 1u);
}

// --- Next-visit codes ------------------------------------------------------

TEST_F(ApplyTest, AFixedCodeCountsAtItsAmountAndIsIssued) {
  auto decision =
      DecideApply(Server(), Choose("", {"x2"}),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.kind(), makegood::v1::DISCOUNT_CODE);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 1000);
  EXPECT_EQ(remedy.line_id(), "");
  EXPECT_EQ(remedy.discount_code(), "CODE-1");
  EXPECT_EQ(FromProto(remedy.code_expires_at()), kNow + Days(30));
  EXPECT_EQ(remedy.command_id(), "CMD-1");

  ASSERT_EQ(decision->codes.size(), 1u);
  EXPECT_EQ(decision->codes[0].code, "CODE-1");
  EXPECT_EQ(decision->codes[0].application_id, "RA-1");
  EXPECT_EQ(decision->codes[0].issued_at, kNow);
  EXPECT_EQ(decision->codes[0].expires_at, kNow + Days(30));

  ASSERT_EQ(decision->commands.size(), 1u);
  const auto& action = decision->commands[0].command.apply_remedy();
  EXPECT_EQ(action.kind(), makegood::v1::DISCOUNT_CODE);
  EXPECT_EQ(action.line_id(), "");
  EXPECT_EQ(action.discount_code(), "CODE-1");
  EXPECT_EQ(FromProto(action.code_expires_at()), kNow + Days(30));
  EXPECT_EQ(action.amount().minor_units(), 1000);
  EXPECT_EQ(action.percent_bps(), 0);

  // A code takes nothing off this check, but counts against the server.
  EXPECT_TRUE(decision->money_off.empty());
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "server-1");
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].amount_minor, 1000);
  EXPECT_EQ(decision->ledger[0].detail, "code_10 DISCOUNT_CODE code issued");
  EXPECT_EQ(decision->recovery.total_cost().minor_units(), 1000);
}

TEST_F(ApplyTest, AFixedCodeCountsAgainstTheServersLimit) {
  auto decision = DecideApply(
      Server(), Choose("", {"x2"}),
      SnapshotOf(MakeCase(), MakeCheck({Ribeye()}), SpentOf(2000, 2000, 2000)));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(remedy.cost().minor_units(), 1000);
  EXPECT_EQ(
      remedy.approval_reason(),
      "over the SERVER limit of 25.00 per case (this case would reach 30.00)");
  // No code exists until the remedy is given.
  EXPECT_EQ(remedy.discount_code(), "");
  EXPECT_TRUE(decision->codes.empty());
  EXPECT_TRUE(decision->commands.empty());
}

TEST_F(ApplyTest, APercentCodeCountsAtItsShareOfTheCheck) {
  // 20% of a 200.00 check is 40.00: above the server's 25.00.
  const Check big = MakeCheck(
      {{"L1", "RIBEYE", "Ribeye", "grill", 12000, makegood::v1::FIRED},
       {"L2", "WINE", "Bottle of wine", "bar", 8000, makegood::v1::SERVED}});
  auto decision =
      DecideApply(Server(), Choose("o4"), SnapshotOf(MakeCase(), big));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(remedy.cost().minor_units(), 4000);
  EXPECT_EQ(remedy.line_id(), "");
  EXPECT_EQ(
      remedy.approval_reason(),
      "over the SERVER limit of 25.00 per case (this case would reach 40.00)");
  EXPECT_TRUE(decision->codes.empty());
}

TEST_F(ApplyTest, APercentCodeIsCappedAndThePosGetsItsPercent) {
  const Check big = MakeCheck(
      {{"L1", "RIBEYE", "Ribeye", "grill", 12000, makegood::v1::FIRED},
       {"L2", "WINE", "Bottle of wine", "bar", 8000, makegood::v1::SERVED}});
  auto decision =
      DecideApply(Manager(), Choose("", {"x3"}), SnapshotOf(MakeCase(), big));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.status(), AppliedRemedy::SENT);
  EXPECT_EQ(remedy.cost().minor_units(), 3000);  // 40.00 capped at 30.00.
  EXPECT_EQ(remedy.discount_code(), "CODE-1");
  ASSERT_EQ(decision->codes.size(), 1u);
  EXPECT_EQ(decision->codes[0].expires_at, kNow + Days(60));
  ASSERT_EQ(decision->commands.size(), 1u);
  const auto& action = decision->commands[0].command.apply_remedy();
  EXPECT_EQ(action.percent_bps(), 2000);
  EXPECT_EQ(action.amount().minor_units(), 0);
  EXPECT_EQ(action.discount_code(), "CODE-1");
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "manager-1");
}

TEST_F(ApplyTest, APercentCodeIsOfTheSubtotalNotOfWhatIsLeft) {
  ApplySnapshot snapshot =
      SnapshotOf(MakeCase(), MakeCheck({{"L1", "RIBEYE", "Ribeye", "grill",
                                         12000, makegood::v1::FIRED},
                                        {"L2", "WINE", "Bottle of wine", "bar",
                                         8000, makegood::v1::SERVED}}));
  snapshot.check.money_off.by_line["L1"] = 12000;
  snapshot.check.money_off.total = 12000;
  auto decision = DecideApply(Manager(), Choose("o4"), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  EXPECT_EQ(decision->recovery.remedies(0).cost().minor_units(), 4000);
}

// --- Several lines, several remedies ---------------------------------------

TEST_F(ApplyTest, EachFlaggedLineGetsItsOwnRemedyAndCommand) {
  auto decision = DecideApply(
      Manager(), Choose("o2"),
      SnapshotOf(MakeCase({"L1", "L2"}), MakeCheck({Ribeye(2000), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const RecoveryCase& recovery = decision->recovery;
  ASSERT_EQ(recovery.remedies_size(), 2);
  EXPECT_EQ(recovery.remedies(0).remedy_application_id(), "RA-1");
  EXPECT_EQ(recovery.remedies(0).line_id(), "L1");
  EXPECT_EQ(recovery.remedies(0).cost().minor_units(), 2000);
  EXPECT_TRUE(recovery.remedies(0).waste());
  EXPECT_EQ(recovery.remedies(0).command_id(), "CMD-1");
  EXPECT_EQ(recovery.remedies(1).remedy_application_id(), "RA-2");
  EXPECT_EQ(recovery.remedies(1).line_id(), "L2");
  EXPECT_EQ(recovery.remedies(1).cost().minor_units(), 1200);
  EXPECT_FALSE(recovery.remedies(1).waste());
  EXPECT_EQ(recovery.remedies(1).command_id(), "CMD-2");
  EXPECT_EQ(recovery.total_cost().minor_units(), 3200);
  EXPECT_EQ(recovery.status(), RecoveryCase::REMEDY_APPLIED);

  ASSERT_EQ(decision->commands.size(), 2u);
  EXPECT_EQ(decision->commands[0].application_id, "RA-1");
  EXPECT_EQ(decision->commands[0].command.apply_remedy().line_id(), "L1");
  EXPECT_EQ(decision->commands[0].command.apply_remedy().amount().minor_units(),
            2000);
  EXPECT_EQ(decision->commands[1].application_id, "RA-2");
  EXPECT_EQ(decision->commands[1].command.apply_remedy().line_id(), "L2");
  EXPECT_EQ(decision->commands[1].command.apply_remedy().amount().minor_units(),
            1200);
  ASSERT_EQ(decision->money_off.size(), 2u);
  EXPECT_EQ(decision->money_off[0].line_id, "L1");
  EXPECT_EQ(decision->money_off[1].line_id, "L2");
  EXPECT_EQ(decision->money_off[1].amount_minor, 1200);
  ASSERT_EQ(decision->remedies.size(), 2u);
  EXPECT_EQ(decision->remedies[0].charged_to, "manager-1");
  EXPECT_EQ(decision->remedies[1].charged_to, "manager-1");
  ASSERT_EQ(decision->ledger.size(), 2u);
  EXPECT_EQ(decision->ledger[0].amount_minor, 2000);
  EXPECT_EQ(decision->ledger[1].amount_minor, 1200);
}

TEST_F(ApplyTest, ALaterLineOfTheSameRequestSeesWhatTheFirstCost) {
  // 20.00 is within the server's 25.00; the next 12.00 takes the case to
  // 32.00.
  auto decision = DecideApply(
      Server(), Choose("o2"),
      SnapshotOf(MakeCase({"L1", "L2"}), MakeCheck({Ribeye(2000), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const RecoveryCase& recovery = decision->recovery;
  ASSERT_EQ(recovery.remedies_size(), 2);
  EXPECT_EQ(recovery.remedies(0).status(), AppliedRemedy::SENT);
  EXPECT_EQ(recovery.remedies(1).status(), AppliedRemedy::PENDING_APPROVAL);
  EXPECT_EQ(
      recovery.remedies(1).approval_reason(),
      "over the SERVER limit of 25.00 per case (this case would reach 32.00)");
  EXPECT_EQ(recovery.status(), RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(recovery.total_cost().minor_units(), 2000);
  EXPECT_EQ(decision->commands.size(), 1u);
  EXPECT_EQ(decision->alerts.size(), 1u);
  ASSERT_EQ(decision->remedies.size(), 2u);
  EXPECT_EQ(decision->remedies[0].charged_to, "server-1");
  EXPECT_EQ(decision->remedies[1].charged_to, "");
  ASSERT_EQ(decision->ledger.size(), 2u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_sent");
  EXPECT_EQ(decision->ledger[1].action, "remedy_pending");
}

TEST_F(ApplyTest, ASecondCompOfTheSameLineInOneRequestHasNothingLeft) {
  RecoveryCase recovery = MakeCase();
  *recovery.add_extras() =
      MakeOption("x4", "comp_again", makegood::v1::COMP_ITEM, "Second comp");
  auto decision =
      DecideApply(Manager(), Choose("o2", {"x4"}),
                  SnapshotOf(recovery, MakeCheck({Ribeye(2000), Salad()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NOTHING_LEFT_TO_TAKE_OFF));
  EXPECT_THAT(decision.status().message(), HasSubstr("line L1"));
}

TEST_F(ApplyTest, EarlierRemediesAndPosDiscountsLimitAComp) {
  ApplySnapshot covered = SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}));
  covered.check.money_off.by_line["L1"] = 2000;
  covered.check.money_off.total = 2000;
  auto none = DecideApply(Manager(), Choose("o2"), covered);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(Refused(none.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NOTHING_LEFT_TO_TAKE_OFF));

  Check discounted = MakeCheck({Ribeye(2000)});
  discounted.mutable_items(0)->mutable_pos_discounts()->set_minor_units(2000);
  discounted.mutable_pos_discounts()->set_minor_units(2000);
  auto pos =
      DecideApply(Manager(), Choose("o2"), SnapshotOf(MakeCase(), discounted));
  ASSERT_FALSE(pos.ok());
  EXPECT_TRUE(Refused(pos.status(), absl::StatusCode::kFailedPrecondition,
                      Error::NOTHING_LEFT_TO_TAKE_OFF));

  ApplySnapshot partly = SnapshotOf(MakeCase(), MakeCheck({Ribeye(2000)}));
  partly.check.money_off.by_line["L1"] = 500;
  partly.check.money_off.total = 500;
  auto rest = DecideApply(Manager(), Choose("o2"), partly);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->recovery.remedies_size(), 1);
  EXPECT_EQ(rest->recovery.remedies(0).cost().minor_units(), 1500);
}

TEST_F(ApplyTest, AManagerVisitIsAppliedAtOnceWithAnAlertAndNoCommand) {
  auto decision =
      DecideApply(Server(), Choose("o3"),
                  SnapshotOf(MakeCase(), MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->recovery.remedies_size(), 1);
  const AppliedRemedy& remedy = decision->recovery.remedies(0);
  EXPECT_EQ(remedy.kind(), makegood::v1::MANAGER_VISIT);
  EXPECT_EQ(remedy.status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(remedy.cost().minor_units(), 0);
  EXPECT_EQ(FromProto(remedy.applied_at()), kNow);
  EXPECT_EQ(remedy.command_id(), "");
  EXPECT_TRUE(decision->commands.empty());
  EXPECT_TRUE(decision->money_off.empty());
  ASSERT_EQ(decision->alerts.size(), 1u);
  const Alert& alert = decision->alerts[0];
  EXPECT_EQ(alert.kind(), Alert::MANAGER_VISIT_REQUESTED);
  EXPECT_EQ(alert.alert_id(), "AL-1");
  EXPECT_EQ(alert.case_id(), kCaseId);
  EXPECT_EQ(alert.check_id(), kCheckId);
  EXPECT_EQ(alert.message(),
            "Manager to the table 12 (check CHK-1): Cold food, MAJOR");
  ASSERT_TRUE(alert.has_manager_visit());
  EXPECT_EQ(alert.manager_visit().remedy_application_id(),
            remedy.remedy_application_id());
  EXPECT_EQ(alert.manager_visit().table(), "12");
  EXPECT_EQ(alert.manager_visit().category_id(), "cold_food");
  EXPECT_EQ(alert.manager_visit().severity(), makegood::v1::MAJOR);
  ASSERT_EQ(decision->remedies.size(), 1u);
  EXPECT_EQ(decision->remedies[0].charged_to, "server-1");
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "remedy_sent");
  EXPECT_EQ(decision->ledger[0].detail, "manager MANAGER_VISIT");
  EXPECT_EQ(decision->recovery.status(), RecoveryCase::REMEDY_APPLIED);
}

TEST_F(ApplyTest, OnlyRemediesThatCostMoneyNeedWhatWasSpent) {
  const RecoveryCase recovery = MakeCase();
  EXPECT_FALSE(ApplyMayCostMoney(recovery, Choose("o1")));
  EXPECT_FALSE(ApplyMayCostMoney(recovery, Choose("o3")));
  EXPECT_FALSE(ApplyMayCostMoney(recovery, Choose("o9")));
  EXPECT_TRUE(ApplyMayCostMoney(recovery, Choose("o2")));
  EXPECT_TRUE(ApplyMayCostMoney(recovery, Choose("o1", {"x1"})));
  EXPECT_TRUE(ApplyMayCostMoney(recovery, Choose("", {"x2"})));
}

}  // namespace
}  // namespace makegood::core::recovery_test
