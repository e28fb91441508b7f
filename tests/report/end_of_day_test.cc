// The end-of-day report of a hand-made day: every figure below was worked
// out by hand from the rows, as the comments show.

#include "report/end_of_day.h"

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "report/report_test_config.h"

namespace makegood::report {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::CountRow;
using makegood::v1::RecoveryCase;
using ::testing::ElementsAre;
using TimeUtil = google::protobuf::util::TimeUtil;

const absl::TimeZone& NewYork() {
  static const absl::TimeZone* tz = [] {
    auto* zone = new absl::TimeZone;
    absl::LoadTimeZone("America/New_York", zone);
    return zone;
  }();
  return *tz;
}

// Local time on 2026-11-20 (EST); hours past 23 run into the next day.
absl::Time At(int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, 11, 20, hour, minute),
                         NewYork());
}

ReportCase Case(const std::string& id, const std::string& category,
                const std::string& by, absl::Time flagged,
                std::vector<ReportLine> lines) {
  ReportCase c;
  c.recovery.set_case_id(id);
  c.recovery.set_category_id(category);
  c.recovery.set_flagged_by(by);
  *c.recovery.mutable_flagged_at() = core::ToProto(flagged);
  for (const auto& line : lines) c.recovery.add_line_ids(line.line_id);
  c.lines = std::move(lines);
  return c;
}

AppliedRemedy& Remedy(ReportCase& c, makegood::v1::RemedyKind kind,
                      AppliedRemedy::Status status, int64_t cost,
                      const std::string& line_id,
                      std::optional<absl::Time> applied) {
  AppliedRemedy& r = *c.recovery.add_remedies();
  r.set_kind(kind);
  r.set_status(status);
  r.mutable_cost()->set_minor_units(cost);
  r.mutable_cost()->set_currency("USD");
  r.set_line_id(line_id);
  if (applied) *r.mutable_applied_at() = core::ToProto(*applied);
  return r;
}

void Close(ReportCase& c, makegood::v1::GuestResponse response, absl::Time at) {
  c.recovery.set_guest_response(response);
  *c.recovery.mutable_closed_at() = core::ToProto(at);
}

DayRows Day() {
  const ReportLine rib1{"L1", "RIB", "Ribeye", "grill"};
  DayRows day;
  // C1: comp 32.00 applied 3 min after the flag; accepted.
  auto c1 = Case("C1", "cold_food", "s-17", At(19, 0), {rib1});
  Remedy(c1, makegood::v1::COMP_ITEM, AppliedRemedy::SENT, 3200, "L1",
         At(19, 3));
  Close(c1, makegood::v1::ACCEPTED, At(19, 20));
  // C2: a remake and a percentage code (no cost until redeemed), 1 min;
  // declined, so still open.
  auto c2 = Case("C2", "cold_food", "s-22", At(19, 30),
                 {{"L2", "RIB", "Ribeye", "grill"}});
  Remedy(c2, makegood::v1::REMAKE, AppliedRemedy::SENT, 0, "L2", At(19, 31));
  Remedy(c2, makegood::v1::DISCOUNT_CODE, AppliedRemedy::SENT, 0, "",
         At(19, 31))
      .set_discount_code("7KQM-W3XH-P9TC");
  c2.recovery.set_guest_response(makegood::v1::DECLINED);
  // C3: a 10.00 discount approved by m-2, 10 min; a pending 5.00 that does
  // not count; the guest left.
  auto c3 = Case("C3", "cold_food", "s-17", At(20, 30),
                 {{"L3", "RIB", "Ribeye", "grill"}});
  Remedy(c3, makegood::v1::DISCOUNT_ITEM, AppliedRemedy::APPLIED, 1000, "L3",
         At(20, 40))
      .set_approved_by("m-2");
  Remedy(c3, makegood::v1::DISCOUNT_ITEM, AppliedRemedy::PENDING_APPROVAL, 500,
         "L3", std::nullopt);
  Close(c3, makegood::v1::LEFT, At(20, 45));
  // C4: a complimentary item worth 18.00 (check level), 2 min; a denied
  // 9.99; accepted only after the day ended, so open at day end.
  auto c4 = Case("C4", "wrong_item", "m-2", At(22, 10),
                 {{"L4", "WINE", "Red wine", "bar"}});
  Remedy(c4, makegood::v1::COMPLIMENTARY_ITEM, AppliedRemedy::SENT, 1800, "",
         At(22, 12));
  Remedy(c4, makegood::v1::DISCOUNT_CHECK, AppliedRemedy::DENIED, 999, "",
         std::nullopt);
  Close(c4, makegood::v1::ACCEPTED, At(29, 0));  // 05:00 the next morning.
  // C5: a long wait on the whole check at 01:30, still this business day.
  auto c5 = Case("C5", "long_wait", "s-22", At(25, 30), {});
  day.cases = {c1, c2, c3, c4, c5};
  day.sales_minor = 200000;
  // A code of an earlier wrong_item case, redeemed today: 15.00.
  day.redeemed_codes.push_back({"EARLY", "wrong_item", "K12", 1500, At(18, 0)});
  day.follow_ups_due = 3;
  day.follow_ups_done = 1;
  // G1 back 20 days after their case (50.00); G2 back after 45 days (80.00),
  // by guest id and by code on the same check; a code-only guest after 80
  // days (30.00).
  day.returns = {
      {"G1", "K10", At(12, 0), At(12, 0) - absl::Hours(24 * 20), 5000},
      {"G2", "K11", At(13, 0), At(13, 0) - absl::Hours(24 * 45), 8000},
      {"G2", "K11", At(13, 0), At(13, 0) - absl::Hours(24 * 45), 8000},
      {"case:X", "K12", At(14, 0), At(14, 0) - absl::Hours(24 * 80), 3000},
  };
  return day;
}

StaffRows DayStaff() {
  StaffRows staff;
  staff.checks = {
      {"K1", "s-17", At(18, 0), At(23, 0), 100000, 0, true},
      {"K2", "s-22", At(18, 0), At(25, 45), 60000, 0, true},
      {"K3", "s-30", At(18, 0), At(22, 0), 40000, 0, false},
  };
  // Shares: s-17 3200/100000 = 320 bps, s-30 200/40000 = 50, s-22 0:
  // median 50, so s-17 is 6.4x the median.
  staff.comps = {
      {"C1", "K1", "s-17", "2026-11-20", "", 3200, At(19, 2), std::nullopt},
      {"C4", "K2", "m-2", "2026-11-20", "", 1800, At(22, 12), std::nullopt},
      {"C9", "K3", "s-30", "2026-11-20", "", 200, At(20, 0), std::nullopt},
  };
  return staff;
}

std::vector<std::tuple<std::string, int, int64_t>> Rows(
    const google::protobuf::RepeatedPtrField<CountRow>& rows) {
  std::vector<std::tuple<std::string, int, int64_t>> out;
  for (const auto& row : rows)
    out.emplace_back(row.key(), row.count(), row.cost().minor_units());
  return out;
}

using Row = std::tuple<std::string, int, int64_t>;

TEST(EndOfDayTest, EveryFigureOfAKnownDay) {
  const core::RecoveryRules rules = testing::ReportRules();
  const auto bounds = rules.BoundsOf("2026-11-20");
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(bounds->start, At(4, 0));
  EXPECT_EQ(bounds->end, At(28, 0));
  const auto r = BuildEndOfDay(rules, "2026-11-20", *bounds, Day(), DayStaff());

  EXPECT_EQ(r.location_id(), "downtown-01");
  EXPECT_EQ(r.location_name(), "Downtown");
  EXPECT_EQ(r.time_zone(), "America/New_York");
  EXPECT_EQ(r.cases(), 5);
  // Sent or applied: C1 comp, C2 remake and code, C3 discount, C4 item.
  EXPECT_EQ(r.remedies(), 5);
  // 32.00 + 10.00 + 18.00 + the redeemed code's 15.00.
  EXPECT_EQ(r.recovery_cost().minor_units(), 7500);
  EXPECT_EQ(r.recovery_cost().currency(), "USD");
  EXPECT_EQ(r.sales().minor_units(), 200000);
  EXPECT_EQ(r.cost_share_bps(), 375);
  EXPECT_EQ(r.codes_redeemed_value().minor_units(), 1500);

  EXPECT_THAT(Rows(r.by_category()),
              ElementsAre(Row{"cold_food", 3, 4200}, Row{"long_wait", 1, 0},
                          Row{"wrong_item", 1, 3300}));
  EXPECT_EQ(r.by_category(0).label(), "Cold food");
  EXPECT_THAT(Rows(r.by_item()),
              ElementsAre(Row{"RIB", 3, 4200}, Row{"WINE", 1, 0}));
  EXPECT_EQ(r.by_item(0).label(), "Ribeye");
  EXPECT_THAT(Rows(r.by_station()),
              ElementsAre(Row{"grill", 3, 4200}, Row{"bar", 1, 0}));
  EXPECT_THAT(Rows(r.by_hour()),
              ElementsAre(Row{"01", 1, 0}, Row{"19", 2, 3200},
                          Row{"20", 1, 1000}, Row{"22", 1, 1800}));
  EXPECT_THAT(Rows(r.by_flagged_by()),
              ElementsAre(Row{"s-17", 2, 4200}, Row{"s-22", 2, 0},
                          Row{"m-2", 1, 1800}));
  EXPECT_EQ(r.by_flagged_by(0).label(), "Dana");
  EXPECT_THAT(Rows(r.by_approver()), ElementsAre(Row{"m-2", 1, 1000}));
  EXPECT_THAT(
      Rows(r.remedies_by_kind()),
      ElementsAre(Row{"COMPLIMENTARY_ITEM", 1, 1800}, Row{"COMP_ITEM", 1, 3200},
                  Row{"DISCOUNT_CODE", 1, 1500}, Row{"DISCOUNT_ITEM", 1, 1000},
                  Row{"REMAKE", 1, 0}));

  // Responses 3, 1, 10 and 2 minutes: nearest rank p50 = 2nd, p90 = 4th.
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_p50()), 120);
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_p90()), 600);
  EXPECT_EQ(TimeUtil::DurationToSeconds(r.response_max()), 600);

  EXPECT_EQ(r.accepted(), 2);
  EXPECT_EQ(r.declined(), 1);
  EXPECT_EQ(r.left(), 1);
  EXPECT_EQ(r.open_at_day_end(), 3);
  EXPECT_THAT(r.open_case_ids(), ElementsAre("C2", "C4", "C5"));
  EXPECT_EQ(r.codes_issued(), 1);
  EXPECT_EQ(r.codes_redeemed(), 1);
  EXPECT_EQ(r.follow_ups_due(), 3);
  EXPECT_EQ(r.follow_ups_done(), 1);

  ASSERT_EQ(r.won_back_size(), 3);
  EXPECT_EQ(r.won_back(0).days(), 30);
  EXPECT_EQ(r.won_back(0).guests(), 1);
  EXPECT_EQ(r.won_back(0).spent().minor_units(), 5000);
  EXPECT_EQ(r.won_back(1).guests(), 2);
  EXPECT_EQ(r.won_back(1).spent().minor_units(), 13000);
  EXPECT_EQ(r.won_back(2).guests(), 3);
  EXPECT_EQ(r.won_back(2).spent().minor_units(), 16000);

  ASSERT_EQ(r.recurring_size(), 2);
  EXPECT_EQ(r.recurring(0).description(),
            "Ribeye flagged 3 times for Cold food between 19:00 and 20:30");
  EXPECT_EQ(r.recurring(0).item_sku(), "RIB");
  EXPECT_EQ(r.recurring(0).count(), 3);
  EXPECT_EQ(r.recurring(1).description(),
            "Station grill flagged 3 times for Cold food between 19:00 and "
            "20:30");

  ASSERT_EQ(r.staff_outliers_size(), 1);
  EXPECT_EQ(r.staff_outliers(0).staff_id(), "s-17");
  EXPECT_EQ(r.staff_outliers(0).comp_share_bps(), 320);
  EXPECT_EQ(r.staff_outliers(0).reason(),
            "comp share 3.20% is 6.4x the median 0.50%");
}

TEST(EndOfDayTest, FlagsOutsideTheWindowAreNotRecurring) {
  const core::RecoveryRules rules = testing::ReportRules();
  DayRows day;
  // 19:00, 19:30, 20:31: the third is 91 minutes after the first.
  for (auto [id, t] : {std::pair{"A", At(19, 0)}, std::pair{"B", At(19, 30)},
                       std::pair{"C", At(20, 31)}}) {
    day.cases.push_back(
        Case(id, "cold_food", "s-17", t, {{"L", "RIB", "Ribeye", ""}}));
  }
  const auto r = BuildEndOfDay(rules, "2026-11-20",
                               *rules.BoundsOf("2026-11-20"), day, {});
  EXPECT_EQ(r.recurring_size(), 0);
}

TEST(EndOfDayTest, AnEmptyDayHasZerosAndNoResponseTimes) {
  const core::RecoveryRules rules = testing::ReportRules();
  const auto r =
      BuildEndOfDay(rules, "2026-11-20", *rules.BoundsOf("2026-11-20"), {}, {});
  EXPECT_EQ(r.cases(), 0);
  EXPECT_EQ(r.recovery_cost().minor_units(), 0);
  EXPECT_EQ(r.cost_share_bps(), 0);
  EXPECT_FALSE(r.has_response_p50());
  EXPECT_EQ(r.by_category_size(), 0);
  EXPECT_EQ(r.open_at_day_end(), 0);
  ASSERT_EQ(r.won_back_size(), 3);
  EXPECT_EQ(r.won_back(2).guests(), 0);
  EXPECT_EQ(r.staff_outliers_size(), 0);
}

TEST(EndOfDayTest, BusinessDaysAcrossDaylightSavingChanges) {
  const core::RecoveryRules rules = testing::ReportRules();
  // Clocks go forward at 02:00 on 2026-03-08: that business day has 23 h.
  auto spring = rules.BoundsOf("2026-03-07");
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->end - spring->start, absl::Hours(23));
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M %Z", spring->end, NewYork()),
            "2026-03-08 04:00 EDT");
  // Clocks go back at 02:00 on 2026-11-01: 25 h, and 01:30 happens twice.
  auto fall = rules.BoundsOf("2026-10-31");
  ASSERT_TRUE(fall.ok());
  EXPECT_EQ(fall->end - fall->start, absl::Hours(25));
  const absl::Time first_0130 =
      absl::FromCivil(absl::CivilMinute(2026, 11, 1, 1, 30), NewYork());
  DayRows day;
  day.cases.push_back(Case("EDT", "cold_food", "s-17", first_0130, {}));
  day.cases.push_back(
      Case("EST", "cold_food", "s-17", first_0130 + absl::Hours(1), {}));
  EXPECT_EQ(rules.BusinessDay(first_0130 + absl::Hours(1)), "2026-10-31");
  const auto r = BuildEndOfDay(rules, "2026-10-31", *fall, day, {});
  EXPECT_THAT(Rows(r.by_hour()), ElementsAre(Row{"01", 2, 0}));
  EXPECT_FALSE(rules.BoundsOf("2026-02-30").ok());
  EXPECT_FALSE(rules.BoundsOf("20261120").ok());
}

}  // namespace
}  // namespace makegood::report
