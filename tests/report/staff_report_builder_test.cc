// StaffReportBuilder, which aggregates a staff report's rows as they are
// read, against the row-by-row computation it replaced
// (staff_report_reference.h): on generated periods with several staff,
// days, shifts without sales, comps in any order and ties of time, and on
// the cases where holding less than every row could go wrong.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "report/report_test_config.h"
#include "report/staff_report.h"
#include "report/staff_report_reference.h"

namespace makegood::report {
namespace {

using makegood::v1::StaffFinding;
using makegood::v1::StaffReportResponse;
using ::testing::ElementsAre;
using testing::NovemberAt;

// What differs between two reports; empty when they are the same, repeated
// fields compared in order.
std::string Differences(const StaffReportResponse& streamed,
                        const StaffReportResponse& reference) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  differencer.Compare(reference, streamed);
  return differences;
}

// splitmix64: the same numbers on every platform, so a failing seed fails
// again.
class Numbers {
 public:
  explicit Numbers(uint64_t seed) : state_(seed) {}
  // In [0, n).
  int Below(int n) {
    return static_cast<int>(Next() % static_cast<uint64_t>(n));
  }

 private:
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

// Servers of checks: s-40's checks are never paid (a shift without sales
// that still has checks), "" is a check without a server.
const char* const kServers[] = {"s-17", "s-22", "s-30", "s-40", ""};
// Who comps and flags: m-2 has no checks; s-99 is not in the configuration.
const char* const kStaff[] = {"s-17", "s-22", "s-30", "s-40", "m-2", "s-99"};
const char* const kGuests[] = {"G1", "G2", "G3", "G4", "G5"};
constexpr int kDays = 6;

// Six business days from Nov 16, rows in no particular order; times fall
// on five-minute marks, so that many are equal.
StaffRows GeneratedPeriod(const core::RecoveryRules& rules, uint64_t seed) {
  Numbers n(seed);
  StaffRows rows;
  for (int day = 0; day < kDays; ++day) {
    // From 11:00, within `minutes` (past midnight is still the same
    // business day, which starts at 04:00).
    const auto at = [&](int minutes) {
      return NovemberAt(16 + day, 11, 0) +
             absl::Minutes(5 * n.Below(minutes / 5));
    };
    for (int i = 0; i < 12; ++i) {
      CheckRow check;
      check.check_id = absl::StrCat("K", day, "-", i);
      check.server_id = kServers[n.Below(5)];
      check.opened_at = at(12 * 60);
      check.last_activity = check.opened_at + absl::Minutes(5 * n.Below(30));
      const bool unpaid = check.server_id == "s-40" || n.Below(6) == 0;
      check.sales_minor = unpaid ? 0 : 1000 + 100 * n.Below(90);
      check.pos_discount_minor = n.Below(4) == 0 ? 100 * (1 + n.Below(9)) : 0;
      check.has_case = n.Below(2) == 0;
      rows.checks.push_back(check);
    }
    for (int i = 0; i < 14; ++i) {
      CompRow comp;
      comp.case_id = absl::StrCat("C", day, "-", i);
      comp.check_id = absl::StrCat("K", day, "-", n.Below(12));
      comp.requested_by = kStaff[n.Below(6)];
      comp.requested_at = at(14 * 60);
      comp.business_day = rules.BusinessDay(comp.requested_at);
      comp.guest_id = n.Below(2) == 0 ? kGuests[n.Below(5)] : "";
      comp.cost_minor = 100 * (1 + n.Below(40));
      if (n.Below(3) == 0) {
        comp.check_paid_at =
            comp.requested_at + absl::Minutes(5 * (n.Below(13) - 6));
      }
      rows.comps.push_back(comp);
    }
    for (int i = 0; i < 8; ++i) {
      rows.cases.push_back(CaseRow{absl::StrCat("C", day, "-", i),
                                   kStaff[n.Below(6)], kGuests[n.Below(5)],
                                   at(14 * 60)});
    }
  }
  return rows;
}

// The sales of the shift a finding names, from the report's shifts.
int64_t SalesOfShift(const StaffReportResponse& report, const StaffFinding& f) {
  for (const auto& shift : report.shifts()) {
    if (shift.staff_id() == f.staff_id() &&
        shift.business_date() == f.business_date())
      return shift.sales().minor_units();
  }
  return -1;
}

TEST(StaffReportBuilderTest, MatchesTheRowByRowReportOnGeneratedPeriods) {
  const core::RecoveryRules rules = testing::ReportRules();
  int kinds_seen[5] = {0, 0, 0, 0, 0};
  int at_end_without_sales = 0, equal_times = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const StaffRows rows = GeneratedPeriod(rules, seed);
    const StaffReportResponse reference =
        testing::ReferenceStaffReport(rules, "2026-11-16", "2026-11-21", rows);
    EXPECT_EQ(
        Differences(BuildStaffReport(rules, "2026-11-16", "2026-11-21", rows),
                    reference),
        "")
        << "seed " << seed;
    for (int i = 0; i < reference.findings_size(); ++i) {
      const StaffFinding& f = reference.findings(i);
      ASSERT_LT(f.kind(), 5);
      ++kinds_seen[f.kind()];
      if (f.kind() == StaffFinding::COMP_AT_SHIFT_END &&
          SalesOfShift(reference, f) == 0)
        ++at_end_without_sales;
      if (i > 0 && f.kind() == reference.findings(i - 1).kind() &&
          core::FromProto(f.at()) ==
              core::FromProto(reference.findings(i - 1).at()))
        ++equal_times;
    }
  }
  // The periods hold every kind of finding, shifts that end with a comp,
  // and findings whose order only the rows' order decides.
  EXPECT_GT(kinds_seen[StaffFinding::COMP_AFTER_PAYMENT], 0);
  EXPECT_GT(kinds_seen[StaffFinding::COMP_AT_SHIFT_END], 0);
  EXPECT_GT(kinds_seen[StaffFinding::REPEAT_GUEST], 0);
  EXPECT_GT(kinds_seen[StaffFinding::UNEXPLAINED_POS_DISCOUNT], 0);
  EXPECT_GT(at_end_without_sales, 0);
  EXPECT_GT(equal_times, 0);
}

CompRow Comp(const std::string& case_id, const std::string& by, absl::Time at) {
  return CompRow{case_id, "K-" + case_id, by, "2026-11-20",
                 "",      1000,           at, std::nullopt};
}

std::vector<std::string> ShiftEndCases(const StaffReportResponse& report) {
  std::vector<std::string> cases;
  for (const auto& f : report.findings()) {
    if (f.kind() == StaffFinding::COMP_AT_SHIFT_END)
      cases.push_back(f.case_id());
  }
  return cases;
}

TEST(StaffReportBuilderTest, AShiftWithoutChecksEndsWithItsLastCompInAnyOrder) {
  const core::RecoveryRules rules = testing::ReportRules();
  StaffRows rows;
  // Lee has no checks: the shift ends at 22:45, the last comp, which
  // arrives fourth; 19:00 was near the end until 22:20 came.
  rows.comps = {Comp("A", "m-2", NovemberAt(20, 19, 0)),
                Comp("B", "m-2", NovemberAt(20, 22, 20)),
                Comp("C", "m-2", NovemberAt(20, 22, 10)),
                Comp("D", "m-2", NovemberAt(20, 22, 45)),
                Comp("E", "m-2", NovemberAt(20, 21, 0))};
  const auto r = BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows);
  EXPECT_THAT(ShiftEndCases(r), ElementsAre("B", "D"));
  ASSERT_EQ(r.shifts_size(), 1);
  EXPECT_EQ(core::FromProto(r.shifts(0).shift_end()), NovemberAt(20, 22, 45));
  EXPECT_THAT(r.findings(0).description(),
              ::testing::HasSubstr("end of the shift (22:45)"));
  EXPECT_EQ(Differences(r, testing::ReferenceStaffReport(rules, "2026-11-20",
                                                         "2026-11-20", rows)),
            "");
}

TEST(StaffReportBuilderTest, ChecksWithoutSalesLetLaterCompsEndTheShift) {
  const core::RecoveryRules rules = testing::ReportRules();
  StaffRows rows;
  // Kim's one check is unpaid (its last activity 23:00): her comps move
  // the end to 23:20, so 22:40 is no longer within 30 minutes of it.
  rows.checks = {
      {"K1", "s-30", NovemberAt(20, 21, 0), NovemberAt(20, 23, 0), 0, 0, true}};
  rows.comps = {Comp("A", "s-30", NovemberAt(20, 22, 40)),
                Comp("B", "s-30", NovemberAt(20, 23, 20))};
  const auto r = BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows);
  EXPECT_THAT(ShiftEndCases(r), ElementsAre("B"));
  EXPECT_EQ(core::FromProto(r.shifts(0).shift_end()), NovemberAt(20, 23, 20));
  EXPECT_EQ(Differences(r, testing::ReferenceStaffReport(rules, "2026-11-20",
                                                         "2026-11-20", rows)),
            "");
}

TEST(StaffReportBuilderTest, FindingsAtTheSameTimeKeepTheOrderOfTheirComps) {
  const core::RecoveryRules rules = testing::ReportRules();
  StaffRows rows;
  // Dana sells until 23:00, so her 22:45 comp is decided as it arrives;
  // Lee's, at the same minute and one row earlier, only at the end.
  rows.checks = {{"K1", "s-17", NovemberAt(20, 18, 0), NovemberAt(20, 23, 0),
                  10000, 0, true}};
  rows.comps = {Comp("LEE", "m-2", NovemberAt(20, 22, 45)),
                Comp("DANA", "s-17", NovemberAt(20, 22, 45))};
  const auto r = BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows);
  EXPECT_THAT(ShiftEndCases(r), ElementsAre("LEE", "DANA"));
  rows.comps = {rows.comps[1], rows.comps[0]};
  EXPECT_THAT(
      ShiftEndCases(BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows)),
      ElementsAre("DANA", "LEE"));
}

TEST(StaffReportBuilderTest, ARepeatGuestNamesTheFirstOfTheirLatestCases) {
  const core::RecoveryRules rules = testing::ReportRules();
  StaffRows rows;
  rows.cases = {{"C1", "s-17", "G1", NovemberAt(20, 19, 0)},
                {"C2", "s-17", "G1", NovemberAt(20, 21, 0)},
                {"C3", "s-17", "G1", NovemberAt(20, 21, 0)},
                {"C4", "s-17", "G2", NovemberAt(20, 20, 0)}};
  const auto r = BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows);
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).case_id(), "C2");
  EXPECT_EQ(r.findings(0).description(), "Guest G1 recovered 3 times by Dana");
}

}  // namespace
}  // namespace makegood::report
