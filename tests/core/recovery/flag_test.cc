#include "core/recovery/flag.h"

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

using makegood::v1::FlagProblemRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FlagTest : public RecoveryTest {
 protected:
  static FlagProblemRequest FlagOf(const std::vector<std::string>& line_ids,
                                   const std::string& category = "cold_food") {
    FlagProblemRequest flag;
    flag.set_request_id("req-1");
    flag.set_check_id(kCheckId);
    for (const std::string& id : line_ids) flag.add_line_ids(id);
    flag.set_category_id(category);
    flag.set_severity(makegood::v1::MAJOR);
    flag.set_guest_words("It is cold");
    return flag;
  }

  static FlagSnapshot SnapshotOf(Check check) {
    FlagSnapshot snapshot;
    snapshot.check = StateOf(std::move(check));
    return snapshot;
  }

  // An open case of the check, as the store would load it.
  static RecoveryCase OpenCaseOf(const std::string& case_id,
                                 const std::vector<std::string>& line_ids,
                                 const std::string& category) {
    RecoveryCase recovery = MakeCase(line_ids);
    recovery.set_case_id(case_id);
    recovery.set_category_id(category);
    recovery.set_status(RecoveryCase::REMEDY_APPLIED);
    return recovery;
  }
};

TEST_F(FlagTest, TheLedgerEntryRecordsTheDeviceOfATabletSession) {
  RecoveryRequest request = Server();
  request.device_id = "tablet-1";
  auto decision = DecideFlag(request, FlagOf({"L1"}),
                             SnapshotOf(MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].action, "flagged");
  EXPECT_EQ(decision->ledger[0].actor, "server-1");
  EXPECT_EQ(decision->ledger[0].device, "tablet-1");
}

TEST_F(FlagTest, AnUnknownCategoryIsABadCategoryId) {
  auto decision = DecideFlag(Server(), FlagOf({"L1"}, "burnt"),
                             SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kInvalidArgument,
                      Error::UNKNOWN_CATEGORY));
  EXPECT_EQ(FieldOf(decision.status()), "category_id");
  EXPECT_THAT(decision.status().message(), HasSubstr("burnt"));
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(FlagTest, ALineNotOnTheCheckIsNotFound) {
  auto decision = DecideFlag(Server(), FlagOf({"L1", "L9"}),
                             SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_FALSE(decision.ok());
  EXPECT_TRUE(Refused(decision.status(), absl::StatusCode::kNotFound,
                      Error::UNKNOWN_LINE));
  EXPECT_THAT(decision.status().message(), HasSubstr("L9"));
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(FlagTest, OpensACaseWithThePolicysOptionsAndExtras) {
  auto decision = DecideFlag(Server(), FlagOf({"L1"}),
                             SnapshotOf(MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kInsert);
  EXPECT_EQ(decision->guest_id, "G-1");
  EXPECT_EQ(decision->business_day, kToday);

  const RecoveryCase& recovery = decision->recovery;
  EXPECT_EQ(recovery.case_id(), "RC-1");
  EXPECT_EQ(recovery.location_id(), kLocation);
  EXPECT_EQ(recovery.check_id(), kCheckId);
  EXPECT_THAT(LinesOf(recovery), ElementsAre("L1"));
  EXPECT_EQ(recovery.category_id(), "cold_food");
  EXPECT_EQ(recovery.severity(), makegood::v1::MAJOR);
  EXPECT_EQ(recovery.guest_words(), "It is cold");
  EXPECT_EQ(recovery.status(), RecoveryCase::OPEN);
  EXPECT_EQ(recovery.flagged_by(), "server-1");
  EXPECT_EQ(FromProto(recovery.flagged_at()), kNow);
  EXPECT_EQ(recovery.guidance(), "Apologize, offer a refire");
  EXPECT_FALSE(recovery.already_open());
  EXPECT_EQ(recovery.remedies_size(), 0);
  EXPECT_EQ(recovery.total_cost().minor_units(), 0);
  EXPECT_EQ(recovery.total_cost().currency(), "USD");
  EXPECT_FALSE(recovery.contact_on_file());
  EXPECT_FALSE(recovery.has_follow_up_due());

  ASSERT_EQ(recovery.options_size(), 2);
  EXPECT_EQ(recovery.options(0).option_id(), "o1");
  EXPECT_EQ(recovery.options(0).remedy_id(), "refire");
  EXPECT_EQ(recovery.options(0).kind(), makegood::v1::REMAKE);
  EXPECT_EQ(recovery.options(0).label(), "Refire");
  EXPECT_EQ(recovery.options(0).estimated_cost().minor_units(), 0);
  EXPECT_EQ(recovery.options(0).rule(), "cold");
  EXPECT_EQ(recovery.options(1).option_id(), "o2");
  EXPECT_EQ(recovery.options(1).remedy_id(), "comp");
  EXPECT_EQ(recovery.options(1).kind(), makegood::v1::COMP_ITEM);
  EXPECT_EQ(recovery.options(1).estimated_cost().minor_units(), 3200);
  EXPECT_FALSE(recovery.options(1).declined());
  ASSERT_EQ(recovery.extras_size(), 1);
  EXPECT_EQ(recovery.extras(0).option_id(), "x1");
  EXPECT_EQ(recovery.extras(0).remedy_id(), "dessert");
  EXPECT_EQ(recovery.extras(0).estimated_cost().minor_units(), 800);

  ASSERT_EQ(decision->ledger.size(), 1u);
  const LedgerEntry& entry = decision->ledger[0];
  EXPECT_EQ(entry.action, "flagged");
  EXPECT_EQ(entry.at, kNow);
  EXPECT_EQ(entry.location_id, kLocation);
  EXPECT_EQ(entry.case_id, "RC-1");
  EXPECT_EQ(entry.actor, "server-1");
  EXPECT_EQ(entry.approver, "");
  EXPECT_EQ(entry.amount_minor, 0);
  EXPECT_EQ(entry.detail,
            "cold_food MAJOR lines [L1] offers [refire,comp] extras [dessert]");
  EXPECT_EQ(entry.device, "");  // A plain credential, not a tablet session.

  ASSERT_EQ(decision->problem_keys.size(), 2u);
  EXPECT_EQ(decision->problem_keys[0].key, ItemKey("RIBEYE", "cold_food"));
  EXPECT_EQ(decision->problem_keys[1].key, StationKey("grill", "cold_food"));

  EXPECT_FALSE(decision->contact_forget_at.has_value());
  EXPECT_TRUE(decision->commands.empty());
  EXPECT_TRUE(decision->alerts.empty());
  EXPECT_TRUE(decision->remedies.empty());
  EXPECT_TRUE(decision->money_off.empty());
  EXPECT_TRUE(decision->codes.empty());
}

TEST_F(FlagTest, AWholeCheckFlagGetsNoItemRemediesAndNoProblemKeys) {
  auto decision = DecideFlag(Server(), FlagOf({}, "long_wait"),
                             SnapshotOf(MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_TRUE(LinesOf(recovery).empty());
  ASSERT_EQ(recovery.options_size(), 2);
  EXPECT_EQ(recovery.options(0).remedy_id(), "check_10pct");
  // 10% of the check's 44.00.
  EXPECT_EQ(recovery.options(0).estimated_cost().minor_units(), 440);
  EXPECT_EQ(recovery.options(1).remedy_id(), "manager");
  ASSERT_EQ(recovery.extras_size(), 1);
  EXPECT_EQ(recovery.extras(0).remedy_id(), "code_10");
  EXPECT_EQ(recovery.extras(0).estimated_cost().minor_units(), 1000);
  EXPECT_TRUE(decision->problem_keys.empty());
  ASSERT_EQ(decision->ledger.size(), 1u);
  EXPECT_EQ(decision->ledger[0].detail,
            "long_wait MAJOR lines [] offers [check_10pct,manager] extras "
            "[code_10]");

  // A whole-check cold_food flag: refire and comp act on items.
  auto cold = DecideFlag(Server(), FlagOf({}),
                         SnapshotOf(MakeCheck({Ribeye(3200), Salad()})));
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_EQ(cold->recovery.options_size(), 0);
  ASSERT_EQ(cold->recovery.extras_size(), 1);
  EXPECT_EQ(cold->recovery.extras(0).remedy_id(), "dessert");
}

TEST_F(FlagTest, AFlagAfterMidnightBelongsToTheBusinessDayBefore) {
  // 01:30 on 2026-06-13 in New York; the business day starts at 04:00.
  const absl::Time late = absl::FromCivil(
      absl::CivilSecond(2026, 6, 13, 5, 30, 0), absl::UTCTimeZone());
  auto decision = DecideFlag(Server(late), FlagOf({"L1"}),
                             SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->business_day, "2026-06-12");
  EXPECT_EQ(FromProto(decision->recovery.flagged_at()), late);
}

TEST_F(FlagTest, ConsentSchedulesAFollowUpAndKeepsTheContactUntilRetention) {
  FlagProblemRequest flag = FlagOf({"L1"});
  flag.mutable_guest_contact()->set_name("Ana");
  flag.mutable_guest_contact()->set_email("ana@example.com");
  flag.mutable_guest_contact()->set_follow_up_consent(true);
  auto decision =
      DecideFlag(Server(), flag, SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  const RecoveryCase& recovery = decision->recovery;
  EXPECT_TRUE(recovery.contact_on_file());
  // The decision carries no contact details: the store keeps them apart.
  EXPECT_FALSE(recovery.has_guest_contact());
  // Defaults: follow up after 7 days, keep the contact 90 days.
  ASSERT_TRUE(recovery.has_follow_up_due());
  EXPECT_EQ(FromProto(recovery.follow_up_due()), kNow + Days(7));
  ASSERT_TRUE(decision->contact_forget_at.has_value());
  EXPECT_EQ(*decision->contact_forget_at, kNow + Days(90));

  ASSERT_EQ(decision->commands.size(), 1u);
  const CommandWrite& write = decision->commands[0];
  EXPECT_EQ(write.application_id, "");
  const RemedyCommand& command = write.command;
  EXPECT_EQ(command.command_id(), "CMD-1");
  EXPECT_EQ(command.case_id(), "RC-1");
  EXPECT_EQ(command.location_id(), kLocation);
  EXPECT_EQ(command.check_id(), kCheckId);
  EXPECT_EQ(FromProto(command.created_at()), kNow);
  EXPECT_FALSE(command.has_apply_remedy());
  ASSERT_TRUE(command.has_guest_follow_up());
  EXPECT_EQ(command.guest_follow_up().category_id(), "cold_food");
  EXPECT_EQ(FromProto(command.guest_follow_up().due_at()), kNow + Days(7));
}

TEST_F(FlagTest, TheFollowUpFollowsTheConfiguredDays) {
  config_.mutable_follow_up()->set_after_days(3);
  config_.mutable_follow_up()->set_contact_retention_days(30);
  FlagProblemRequest flag = FlagOf({"L1"});
  flag.mutable_guest_contact()->set_phone("555-0100");
  flag.mutable_guest_contact()->set_follow_up_consent(true);
  auto decision =
      DecideFlag(Server(), flag, SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(FromProto(decision->recovery.follow_up_due()), kNow + Days(3));
  ASSERT_TRUE(decision->contact_forget_at.has_value());
  EXPECT_EQ(*decision->contact_forget_at, kNow + Days(30));
}

TEST_F(FlagTest, AContactWithoutConsentSchedulesNothing) {
  FlagProblemRequest flag = FlagOf({"L1"});
  flag.mutable_guest_contact()->set_email("ana@example.com");
  flag.mutable_guest_contact()->set_follow_up_consent(false);
  auto decision =
      DecideFlag(Server(), flag, SnapshotOf(MakeCheck({Ribeye(), Salad()})));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_FALSE(decision->recovery.contact_on_file());
  EXPECT_FALSE(decision->recovery.has_follow_up_due());
  EXPECT_FALSE(decision->contact_forget_at.has_value());
  EXPECT_TRUE(decision->commands.empty());
}

TEST_F(FlagTest, TheOpenCaseCoveringTheSameLinesIsReturnedUnchanged) {
  FlagSnapshot snapshot = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  snapshot.cases_on_check = 1;
  snapshot.open_cases.push_back(
      OpenCaseOf("RC-OLD", {"L1", "L2"}, "cold_food"));
  for (const std::vector<std::string>& lines :
       {std::vector<std::string>{"L1", "L2"}, std::vector<std::string>{"L2"},
        std::vector<std::string>{"L2", "L1"}}) {
    SCOPED_TRACE(lines.size());
    auto decision = DecideFlag(Server(), FlagOf(lines), snapshot);
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_EQ(decision->recovery.case_id(), "RC-OLD");
    EXPECT_TRUE(decision->recovery.already_open());
    EXPECT_EQ(decision->recovery.status(), RecoveryCase::REMEDY_APPLIED);
    EXPECT_THAT(LinesOf(decision->recovery), ElementsAre("L1", "L2"));
    EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kNone);
    EXPECT_TRUE(decision->ledger.empty());
    EXPECT_TRUE(decision->commands.empty());
    EXPECT_TRUE(decision->alerts.empty());
    EXPECT_TRUE(decision->remedies.empty());
    EXPECT_TRUE(decision->problem_keys.empty());
    EXPECT_FALSE(decision->contact_forget_at.has_value());
  }
  EXPECT_EQ(ids_.issued(), 0);
}

TEST_F(FlagTest, AnotherCategoryMoreLinesOrANewProblemOpenANewCase) {
  FlagSnapshot snapshot = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  snapshot.cases_on_check = 1;
  snapshot.open_cases.push_back(OpenCaseOf("RC-OLD", {"L1"}, "cold_food"));

  auto other_category =
      DecideFlag(Server(), FlagOf({"L1"}, "long_wait"), snapshot);
  ASSERT_TRUE(other_category.ok()) << other_category.status();
  EXPECT_EQ(other_category->recovery.case_id(), "RC-1");
  EXPECT_FALSE(other_category->recovery.already_open());
  EXPECT_EQ(other_category->case_write, CaseDecision::CaseWrite::kInsert);

  auto more_lines = DecideFlag(Server(), FlagOf({"L1", "L2"}), snapshot);
  ASSERT_TRUE(more_lines.ok()) << more_lines.status();
  EXPECT_EQ(more_lines->recovery.case_id(), "RC-2");
  EXPECT_EQ(more_lines->case_write, CaseDecision::CaseWrite::kInsert);

  FlagProblemRequest second = FlagOf({"L1"});
  second.set_new_problem(true);
  auto new_problem = DecideFlag(Server(), second, snapshot);
  ASSERT_TRUE(new_problem.ok()) << new_problem.status();
  EXPECT_EQ(new_problem->recovery.case_id(), "RC-3");
  EXPECT_FALSE(new_problem->recovery.already_open());
  EXPECT_EQ(new_problem->case_write, CaseDecision::CaseWrite::kInsert);
  ASSERT_EQ(new_problem->ledger.size(), 1u);
  EXPECT_EQ(new_problem->ledger[0].action, "flagged");
}

TEST_F(FlagTest, WholeCheckAndLineFlagsNeverMatchEachOther) {
  FlagSnapshot line_case = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  line_case.open_cases.push_back(OpenCaseOf("RC-LINE", {"L1"}, "long_wait"));
  auto whole = DecideFlag(Server(), FlagOf({}, "long_wait"), line_case);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->recovery.case_id(), "RC-1");
  EXPECT_EQ(whole->case_write, CaseDecision::CaseWrite::kInsert);

  FlagSnapshot whole_case = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  whole_case.open_cases.push_back(OpenCaseOf("RC-WHOLE", {}, "long_wait"));
  auto line = DecideFlag(Server(), FlagOf({"L1"}, "long_wait"), whole_case);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->recovery.case_id(), "RC-2");
  EXPECT_EQ(line->case_write, CaseDecision::CaseWrite::kInsert);

  auto again = DecideFlag(Server(), FlagOf({}, "long_wait"), whole_case);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->recovery.case_id(), "RC-WHOLE");
  EXPECT_TRUE(again->recovery.already_open());
  EXPECT_EQ(again->case_write, CaseDecision::CaseWrite::kNone);
}

TEST_F(FlagTest, AClosedCaseIsNeverReturned) {
  FlagSnapshot snapshot = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  RecoveryCase resolved = OpenCaseOf("RC-OLD", {"L1"}, "cold_food");
  resolved.set_status(RecoveryCase::RESOLVED);
  snapshot.open_cases.push_back(resolved);
  EXPECT_EQ(OpenCaseCovering(FlagOf({"L1"}), snapshot), nullptr);
  auto decision = DecideFlag(Server(), FlagOf({"L1"}), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->recovery.case_id(), "RC-1");
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kInsert);
}

TEST_F(FlagTest, AServerCannotFlagACheckClosedLongerAgoThanTheWindow) {
  Check check = MakeCheck({Ribeye(), Salad()});
  CloseCheck(check, kNow - absl::Hours(25));
  auto server = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(Refused(server.status(), absl::StatusCode::kPermissionDenied,
                      Error::FLAG_TOO_LATE));
  EXPECT_THAT(server.status().message(), HasSubstr("25 hours ago"));
  EXPECT_EQ(ids_.issued(), 0);

  auto manager = DecideFlag(Manager(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_EQ(manager->case_write, CaseDecision::CaseWrite::kInsert);
  EXPECT_EQ(manager->recovery.flagged_by(), "manager-1");
  // A settled check is offered only what fits it: the dessert, not a
  // refire or a comp.
  EXPECT_EQ(manager->recovery.options_size(), 0);
  ASSERT_EQ(manager->recovery.extras_size(), 1);
  EXPECT_EQ(manager->recovery.extras(0).remedy_id(), "dessert");

  auto admin = DecideFlag(Admin(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->case_write, CaseDecision::CaseWrite::kInsert);
}

TEST_F(FlagTest, AServerMayFlagACheckClosedExactly24HoursAgo) {
  Check check = MakeCheck({Ribeye(), Salad()});
  CloseCheck(check, kNow - absl::Hours(24));
  auto decision = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->case_write, CaseDecision::CaseWrite::kInsert);
}

TEST_F(FlagTest, TheWindowIsConfigurable) {
  config_.mutable_recovery()->set_flag_closed_within_hours(720);
  Check check = MakeCheck({Ribeye(), Salad()});
  CloseCheck(check, kNow - absl::Hours(25));
  auto within = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_TRUE(within.ok()) << within.status();
  EXPECT_EQ(within->case_write, CaseDecision::CaseWrite::kInsert);

  Check old = MakeCheck({Ribeye(), Salad()});
  CloseCheck(old, kNow - absl::Hours(721));
  auto late = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(old));
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(Refused(late.status(), absl::StatusCode::kPermissionDenied,
                      Error::FLAG_TOO_LATE));
}

TEST_F(FlagTest, APaidCheckNotClosedCountsFromItsPayment) {
  Check paid_long_ago = MakeCheck({Ribeye(), Salad()});
  PayCheck(paid_long_ago, kNow - absl::Hours(25));
  auto late = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(paid_long_ago));
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(Refused(late.status(), absl::StatusCode::kPermissionDenied,
                      Error::FLAG_TOO_LATE));

  Check paid_recently = MakeCheck({Ribeye(), Salad()});
  PayCheck(paid_recently, kNow - absl::Hours(2));
  auto fine = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(paid_recently));
  ASSERT_TRUE(fine.ok()) << fine.status();
}

TEST_F(FlagTest, AClosedCheckCountsFromItsClosingNotItsPayment) {
  Check check = MakeCheck({Ribeye(), Salad()});
  PayCheck(check, kNow - absl::Hours(30));
  CloseCheck(check, kNow - absl::Hours(1));
  auto decision = DecideFlag(Server(), FlagOf({"L1"}), SnapshotOf(check));
  ASSERT_TRUE(decision.ok()) << decision.status();
}

TEST_F(FlagTest, TheFlagThatReachesTheRecurringCountRaisesOneAlert) {
  FlagSnapshot snapshot = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  snapshot.recent_flags[ItemKey("RIBEYE", "cold_food")] = {
      kNow - absl::Minutes(40), kNow - absl::Minutes(10)};
  auto decision = DecideFlag(Server(), FlagOf({"L1"}), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->alerts.size(), 1u);
  const Alert& alert = decision->alerts[0];
  EXPECT_EQ(alert.kind(), Alert::RECURRING_PROBLEM);
  EXPECT_EQ(alert.alert_id(), "AL-1");
  EXPECT_EQ(alert.case_id(), "");
  EXPECT_EQ(alert.check_id(), kCheckId);
  // Times in the location's zone (New York), not UTC.
  EXPECT_EQ(alert.message(),
            "Ribeye flagged 3 times for Cold food between 18:50 and 19:30");
  ASSERT_TRUE(alert.has_recurring_problem());
  const Alert::RecurringProblem& facts = alert.recurring_problem();
  EXPECT_EQ(facts.item_name(), "Ribeye");
  EXPECT_EQ(facts.station(), "");
  EXPECT_EQ(facts.category_id(), "cold_food");
  EXPECT_EQ(facts.count(), 3);
  EXPECT_EQ(FromProto(facts.first_at()), kNow - absl::Minutes(40));
  EXPECT_EQ(FromProto(facts.last_at()), kNow);
  ASSERT_EQ(decision->problem_keys.size(), 2u);
  EXPECT_EQ(decision->problem_keys[0].key, ItemKey("RIBEYE", "cold_food"));
  EXPECT_EQ(decision->problem_keys[1].key, StationKey("grill", "cold_food"));
}

TEST_F(FlagTest, AStationReachingTheCountIsNamed) {
  FlagSnapshot snapshot = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  snapshot.recent_flags[StationKey("grill", "cold_food")] = {
      kNow - absl::Minutes(80), kNow - absl::Minutes(5)};
  auto decision = DecideFlag(Server(), FlagOf({"L1"}), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->alerts.size(), 1u);
  EXPECT_EQ(decision->alerts[0].message(),
            "Station grill flagged 3 times for Cold food between 18:10 and "
            "19:30");
  EXPECT_EQ(decision->alerts[0].recurring_problem().item_name(), "");
  EXPECT_EQ(decision->alerts[0].recurring_problem().station(), "grill");
}

TEST_F(FlagTest, BelowOrPastTheRecurringCountNoAlert) {
  FlagSnapshot one = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  one.recent_flags[ItemKey("RIBEYE", "cold_food")] = {kNow - absl::Minutes(10)};
  auto below = DecideFlag(Server(), FlagOf({"L1"}), one);
  ASSERT_TRUE(below.ok()) << below.status();
  EXPECT_TRUE(below->alerts.empty());
  EXPECT_EQ(below->problem_keys.size(), 2u);

  // The count was reached by an earlier flag, which raised the alert.
  FlagSnapshot three = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  three.recent_flags[ItemKey("RIBEYE", "cold_food")] = {
      kNow - absl::Minutes(60), kNow - absl::Minutes(30),
      kNow - absl::Minutes(10)};
  auto past = DecideFlag(Server(), FlagOf({"L1"}), three);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_TRUE(past->alerts.empty());

  // Another category's flags do not count.
  FlagSnapshot other = SnapshotOf(MakeCheck({Ribeye(), Salad()}));
  other.recent_flags[ItemKey("RIBEYE", "long_wait")] = {
      kNow - absl::Minutes(40), kNow - absl::Minutes(10)};
  auto unrelated = DecideFlag(Server(), FlagOf({"L1"}), other);
  ASSERT_TRUE(unrelated.ok()) << unrelated.status();
  EXPECT_TRUE(unrelated->alerts.empty());
}

TEST_F(FlagTest, TwoLinesOfTheSameItemCountOnce) {
  const LineSpec second_ribeye{"L4",    "RIBEYE", "Ribeye",
                               "grill", 3200,     makegood::v1::FIRED};
  FlagSnapshot snapshot =
      SnapshotOf(MakeCheck({Ribeye(), Salad(), second_ribeye}));
  snapshot.recent_flags[ItemKey("RIBEYE", "cold_food")] = {
      kNow - absl::Minutes(40), kNow - absl::Minutes(10)};
  auto decision = DecideFlag(Server(), FlagOf({"L1", "L4"}), snapshot);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->problem_keys.size(), 2u);
  EXPECT_EQ(decision->problem_keys[0].key, ItemKey("RIBEYE", "cold_food"));
  EXPECT_EQ(decision->problem_keys[1].key, StationKey("grill", "cold_food"));
  EXPECT_EQ(decision->alerts.size(), 1u);
}

}  // namespace
}  // namespace makegood::core::recovery_test
