#include "service/watch_snapshot.h"

#include <string>
#include <vector>

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::service {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using makegood::v1::RecoveryUpdate;
using ::testing::HasSubstr;

core::RecoveryRules Rules() {
  makegood::v1::Config config;
  config.mutable_location()->set_id("downtown-01");
  config.mutable_location()->set_currency("USD");
  config.mutable_location()->set_timezone("UTC");
  config.mutable_location()->set_business_day_starts("04:00");
  auto* category = config.add_categories();
  category->set_id("cold_food");
  category->set_label("Cold food");
  config.mutable_recurring()->set_count(3);
  config.mutable_recurring()->set_window_minutes(90);
  auto rules = core::RecoveryRules::Compile(config);
  EXPECT_TRUE(rules.ok()) << rules.status();
  return *std::move(rules);
}

const absl::Time kNow = absl::FromCivil(
    absl::CivilSecond(2026, 11, 20, 20, 30, 0), absl::UTCTimeZone());

store::WatchCase Case(const std::string& case_id, RecoveryCase::Status status,
                      const std::string& table = "") {
  store::WatchCase open;
  open.recovery.set_case_id(case_id);
  open.recovery.set_check_id("check-" + case_id);
  open.recovery.set_category_id("cold_food");
  open.recovery.set_severity(makegood::v1::MAJOR);
  open.recovery.set_status(status);
  for (const char* id : {"o1", "o2"}) {
    auto* option = open.recovery.add_options();
    option->set_option_id(id);
    option->set_label(std::string(id) == "o1" ? "Refire" : "Comp the item");
  }
  open.table = table;
  return open;
}

AppliedRemedy& AddRemedy(store::WatchCase& open, const std::string& id,
                         const std::string& option_id,
                         makegood::v1::RemedyKind kind,
                         AppliedRemedy::Status status) {
  AppliedRemedy& remedy = *open.recovery.add_remedies();
  remedy.set_remedy_application_id(id);
  remedy.set_option_id(option_id);
  remedy.set_remedy_id(option_id == "o1" ? "refire" : "comp_item");
  remedy.set_kind(kind);
  remedy.set_status(status);
  return remedy;
}

// The (case or alert kind) of each update, to compare whole sequences.
std::vector<std::string> Shape(const std::vector<RecoveryUpdate>& updates) {
  std::vector<std::string> shape;
  for (const auto& update : updates) {
    shape.push_back(update.has_alert()
                        ? Alert::Kind_Name(update.alert().kind())
                        : "case " + update.case_changed().case_id());
  }
  return shape;
}

TEST(SnapshotUpdatesTest, EachOpenCaseWithSomethingPendingThenItsAlerts) {
  const core::RecoveryRules rules = Rules();
  store::WatchSnapshot snapshot;

  // Waits for a manager.
  store::WatchCase pending = Case("RC-1", RecoveryCase::PENDING_APPROVAL);
  AppliedRemedy& comp =
      AddRemedy(pending, "RA-1", "o2", makegood::v1::COMP_ITEM,
                AppliedRemedy::PENDING_APPROVAL);
  comp.set_requested_by("s-17");
  comp.mutable_cost()->set_minor_units(3000);
  comp.set_approval_reason("over the SERVER limit of 25.00 per case");
  snapshot.cases.push_back(pending);

  // Rejected, and the next option was sent since: nothing pending.
  store::WatchCase reoffered = Case("RC-2", RecoveryCase::REMEDY_APPLIED);
  AddRemedy(reoffered, "RA-2", "o1", makegood::v1::REMAKE,
            AppliedRemedy::REJECTED);
  AddRemedy(reoffered, "RA-3", "o2", makegood::v1::COMP_ITEM,
            AppliedRemedy::SENT);
  snapshot.cases.push_back(reoffered);

  // Rejected and not re-offered yet.
  store::WatchCase rejected = Case("RC-3", RecoveryCase::OPEN);
  rejected.recovery.mutable_options(0)->set_declined(true);
  AddRemedy(rejected, "RA-4", "o1", makegood::v1::REMAKE,
            AppliedRemedy::REJECTED)
      .set_rejection_reason("the order is closed");
  snapshot.cases.push_back(rejected);

  // A manager visit on a closed case is over.
  store::WatchCase closed = Case("RC-4", RecoveryCase::RESOLVED);
  AddRemedy(closed, "RA-5", "o1", makegood::v1::MANAGER_VISIT,
            AppliedRemedy::APPLIED);
  snapshot.cases.push_back(closed);

  // A manager visit on an open case is still to be made.
  store::WatchCase visit = Case("RC-5", RecoveryCase::REMEDY_APPLIED, "12");
  AddRemedy(visit, "RA-6", "o1", makegood::v1::MANAGER_VISIT,
            AppliedRemedy::APPLIED);
  snapshot.cases.push_back(visit);

  const auto updates = SnapshotUpdates(snapshot, rules, kNow);
  EXPECT_EQ(Shape(updates),
            (std::vector<std::string>{"case RC-1", "PENDING_APPROVAL",
                                      "case RC-3", "COMMAND_REJECTED",
                                      "case RC-5", "MANAGER_VISIT_REQUESTED"}));
  ASSERT_EQ(updates.size(), 6u);
  EXPECT_EQ(updates[1].alert().message(),
            "s-17 asks approval for Comp the item (30.00) on check check-RC-1: "
            "over the SERVER limit of 25.00 per case");
  EXPECT_EQ(updates[1].alert().case_id(), "RC-1");
  EXPECT_EQ(updates[1].alert().alert_id(), "AL-PENDING_APPROVAL-RA-1");
  EXPECT_EQ(updates[3].alert().message(),
            "The POS refused refire on check check-RC-3: the order is closed. "
            "offer the next option: Comp the item (o2)");
  EXPECT_EQ(updates[5].alert().message(),
            "Manager to the table 12 (check check-RC-5): Cold food, MAJOR");
  // Each with its facts, for screens in other languages.
  EXPECT_EQ(updates[1].alert().approval_asked().remedy_application_id(),
            "RA-1");
  EXPECT_EQ(updates[1].alert().approval_asked().requested_by(), "s-17");
  EXPECT_EQ(updates[1].alert().approval_asked().cost().minor_units(), 3000);
  EXPECT_EQ(updates[3].alert().command_rejected().vendor_reason(),
            "the order is closed");
  EXPECT_EQ(updates[3].alert().command_rejected().next_option_id(), "o2");
  EXPECT_EQ(updates[5].alert().manager_visit().table(), "12");
  EXPECT_EQ(updates[5].alert().manager_visit().severity(), makegood::v1::MAJOR);
  for (const auto& update : updates) {
    EXPECT_EQ(update.at().seconds(), absl::ToUnixSeconds(kNow));
  }
}

TEST(SnapshotUpdatesTest, RemediesStuckNowHaveTheirAlertOpenOrClosed) {
  const core::RecoveryRules rules = Rules();  // Stuck after the default 2 min.
  store::WatchSnapshot snapshot;
  // Sent 1 minute ago: not stuck yet, and nothing else pending.
  store::WatchCase recent = Case("RC-1", RecoveryCase::REMEDY_APPLIED);
  AppliedRemedy& fresh = AddRemedy(
      recent, "RA-1", "o2", makegood::v1::COMP_ITEM, AppliedRemedy::SENT);
  fresh.set_command_id("CMD-1");
  *fresh.mutable_applied_at() = core::ToProto(kNow - absl::Minutes(1));
  snapshot.cases.push_back(recent);
  // Sent 2 minutes ago, on a case the guest has left: still missing at the
  // POS.
  store::WatchCase left = Case("RC-2", RecoveryCase::GUEST_LEFT);
  AppliedRemedy& stuck = AddRemedy(left, "RA-2", "o2", makegood::v1::COMP_ITEM,
                                   AppliedRemedy::SENT);
  stuck.set_command_id("CMD-2");
  stuck.set_line_id("1");
  *stuck.mutable_applied_at() = core::ToProto(kNow - absl::Minutes(2));
  snapshot.cases.push_back(left);

  const auto updates = SnapshotUpdates(snapshot, rules, kNow);
  EXPECT_EQ(Shape(updates),
            (std::vector<std::string>{"case RC-2", "COMMAND_STUCK"}));
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_TRUE(updates[0].case_changed().remedies(0).delivery_stuck());
  const Alert& alert = updates[1].alert();
  EXPECT_EQ(alert.alert_id(), "AL-COMMAND_STUCK-CMD-2");
  EXPECT_EQ(alert.case_id(), "RC-2");
  EXPECT_EQ(alert.check_id(), "check-RC-2");
  EXPECT_THAT(alert.message(), HasSubstr("did not reach the POS"));
}

TEST(SnapshotUpdatesTest, RecurringProblemsAreWordedAsWhenRaised) {
  const core::RecoveryRules rules = Rules();
  store::WatchSnapshot snapshot;
  store::RecurringProblem problem;
  problem.key_kind = "item";
  problem.key_id = "RIBEYE-12";
  problem.item_name = "Ribeye 12oz";
  problem.category_id = "cold_food";
  problem.case_id = "RC-9";
  problem.check_id = "c3";
  problem.first_at = kNow - absl::Minutes(80);
  problem.at = kNow - absl::Minutes(5);
  snapshot.recurring.push_back(problem);
  const auto updates = SnapshotUpdates(snapshot, rules, kNow);
  ASSERT_EQ(updates.size(), 1u);
  const Alert& alert = updates[0].alert();
  EXPECT_EQ(alert.kind(), Alert::RECURRING_PROBLEM);
  EXPECT_EQ(alert.check_id(), "c3");
  EXPECT_TRUE(alert.case_id().empty());
  EXPECT_EQ(alert.message(),
            "Ribeye 12oz flagged 3 times for Cold food between 19:10 and "
            "20:25");
  EXPECT_THAT(alert.alert_id(), HasSubstr("RC-9"));
  ASSERT_TRUE(alert.has_recurring_problem());
  EXPECT_EQ(alert.recurring_problem().item_name(), "Ribeye 12oz");
  EXPECT_EQ(alert.recurring_problem().station(), "");
  EXPECT_EQ(alert.recurring_problem().category_id(), "cold_food");
  EXPECT_EQ(alert.recurring_problem().count(), 3);
  EXPECT_EQ(core::FromProto(alert.recurring_problem().first_at()),
            kNow - absl::Minutes(80));
  EXPECT_EQ(core::FromProto(alert.recurring_problem().last_at()),
            kNow - absl::Minutes(5));

  problem.key_kind = "station";
  problem.key_id = "grill";
  problem.item_name = "";
  snapshot.recurring = {problem};
  const auto by_station = SnapshotUpdates(snapshot, rules, kNow);
  ASSERT_EQ(by_station.size(), 1u);
  EXPECT_EQ(by_station[0].alert().recurring_problem().station(), "grill");
  EXPECT_EQ(by_station[0].alert().recurring_problem().item_name(), "");
  EXPECT_THAT(by_station[0].alert().message(),
              HasSubstr("Station grill flagged 3 times"));
}

TEST(SnapshotQueryTest, ReadsTheBusinessDayHoldingNow) {
  const core::RecoveryRules rules = Rules();
  // 02:00 belongs to the business day that started at 04:00 the day before.
  const absl::Time late = absl::FromCivil(
      absl::CivilSecond(2026, 11, 21, 2, 0, 0), absl::UTCTimeZone());
  const store::WatchSnapshotQuery query = SnapshotQuery(rules, late);
  EXPECT_EQ(query.location_id, "downtown-01");
  EXPECT_EQ(query.recurring_from,
            absl::FromCivil(absl::CivilSecond(2026, 11, 20, 4, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(query.recurring_to,
            absl::FromCivil(absl::CivilSecond(2026, 11, 21, 4, 0, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(query.recurring_window, absl::Minutes(90));
  EXPECT_EQ(query.recurring_count, 3);
}

}  // namespace
}  // namespace makegood::service
