#include "report/staff_report.h"

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/report_test_config.h"

namespace makegood::report {
namespace {

using makegood::v1::StaffFinding;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::NovemberAt;

StaffRows TwoShifts() {
  StaffRows rows;
  rows.checks = {
      // Day 20: Dana sells 400.00 and her last check closes at 23:00.
      {"K1", "s-17", NovemberAt(20, 18, 0), NovemberAt(20, 21, 0), 30000, 0,
       true},
      {"K2", "s-17", NovemberAt(20, 19, 0), NovemberAt(20, 23, 0), 10000, 0,
       true},
      // Sam sells 500.00; a 12.00 discount at the POS with no case.
      {"K3", "s-22", NovemberAt(20, 18, 30), NovemberAt(20, 22, 0), 50000, 1200,
       false},
      // Kim sells 500.00; a POS discount explained by a case.
      {"K4", "s-30", NovemberAt(20, 19, 0), NovemberAt(20, 22, 0), 50000, 800,
       true},
      // Day 21: Dana sells 100.00.
      {"K5", "s-17", NovemberAt(21, 18, 0), NovemberAt(21, 20, 0), 10000, 0,
       true},
  };
  rows.comps = {
      // 30.00 on a check paid at 20:30, comped at 20:45: after payment.
      {"C1", "K1", "s-17", "2026-11-20", "G1", 3000, NovemberAt(20, 20, 45),
       NovemberAt(20, 20, 30)},
      // 20.00 at 22:40, within 30 minutes of Dana's 23:00 shift end.
      {"C2", "K2", "s-17", "2026-11-20", "G1", 2000, NovemberAt(20, 22, 40),
       std::nullopt},
      // Sam: 5.00 at 20:00.
      {"C3", "K3", "s-22", "2026-11-20", "", 500, NovemberAt(20, 20, 0),
       std::nullopt},
      // Kim: 10.00 at 19:30.
      {"C4", "K4", "s-30", "2026-11-20", "", 1000, NovemberAt(20, 19, 30),
       std::nullopt},
  };
  // Dana recovered guest G1 twice.
  rows.cases = {{"C1", "s-17", "G1", NovemberAt(20, 20, 40)},
                {"C2", "s-17", "G1", NovemberAt(20, 22, 35)},
                {"C4", "s-30", "G7", NovemberAt(20, 19, 25)}};
  return rows;
}

TEST(StaffReportTest, ShiftsTotalsOutliersAndFindings) {
  const core::RecoveryRules rules = testing::ReportRules();
  const auto r =
      BuildStaffReport(rules, "2026-11-20", "2026-11-21", TwoShifts());
  EXPECT_EQ(r.time_zone(), "America/New_York");
  // Shifts by date, then staff.
  std::vector<std::string> shifts;
  for (const auto& s : r.shifts())
    shifts.push_back(s.business_date() + " " + s.staff_id());
  EXPECT_THAT(shifts, ElementsAre("2026-11-20 s-17", "2026-11-20 s-22",
                                  "2026-11-20 s-30", "2026-11-21 s-17"));
  const auto& dana = r.shifts(0);
  EXPECT_EQ(dana.comp_count(), 2);
  EXPECT_EQ(dana.comp_value().minor_units(), 5000);
  EXPECT_EQ(dana.sales().minor_units(), 40000);
  EXPECT_EQ(dana.comp_share_bps(), 1250);
  EXPECT_EQ(core::FromProto(dana.shift_end()), NovemberAt(20, 23, 0));

  // Totals: Dana 50.00 of 500.00 = 1000 bps, Kim 200, Sam 100: median 200,
  // and Dana is 5x it.
  ASSERT_EQ(r.totals_size(), 3);
  EXPECT_EQ(r.totals(0).staff_id(), "s-17");
  EXPECT_EQ(r.totals(0).comp_share_bps(), 1000);
  EXPECT_EQ(r.totals(0).sales().minor_units(), 50000);
  EXPECT_EQ(r.totals(1).staff_id(), "s-30");
  EXPECT_EQ(r.totals(2).staff_id(), "s-22");
  EXPECT_EQ(r.median_comp_share_bps(), 200);
  ASSERT_EQ(r.outliers_size(), 1);
  EXPECT_EQ(r.outliers(0).staff_name(), "Dana");
  EXPECT_EQ(r.outliers(0).reason(),
            "comp share 10.00% is 5.0x the median 2.00%");

  std::vector<std::pair<StaffFinding::Kind, std::string>> findings;
  for (const auto& f : r.findings())
    findings.emplace_back(f.kind(), f.case_id() + f.check_id());
  EXPECT_THAT(
      findings,
      ElementsAre(
          std::pair{StaffFinding::COMP_AFTER_PAYMENT, std::string("C1K1")},
          std::pair{StaffFinding::COMP_AT_SHIFT_END, std::string("C2K2")},
          std::pair{StaffFinding::REPEAT_GUEST, std::string("C2")},
          std::pair{StaffFinding::UNEXPLAINED_POS_DISCOUNT,
                    std::string("K3")}));
  EXPECT_EQ(r.findings(0).description(),
            "Dana comped 30.00 on check K1 at 2026-11-20 20:45, after it was "
            "paid at 20:30");
  EXPECT_THAT(r.findings(1).description(),
              HasSubstr("within 30 minutes of the end of the shift (23:00)"));
  EXPECT_EQ(r.findings(2).description(), "Guest G1 recovered 2 times by Dana");
  EXPECT_EQ(r.findings(3).amount().minor_units(), 1200);
  EXPECT_EQ(r.findings(3).staff_id(), "s-22");
}

TEST(StaffReportTest, WhenPeersGiveNothingAnyCompStandsOut) {
  const core::RecoveryRules rules = testing::ReportRules();
  StaffRows rows;
  rows.checks = {{"K1", "s-17", NovemberAt(20, 18, 0), NovemberAt(20, 22, 0),
                  10000, 0, true},
                 {"K2", "s-22", NovemberAt(20, 18, 0), NovemberAt(20, 22, 0),
                  10000, 0, false},
                 {"K3", "s-30", NovemberAt(20, 18, 0), NovemberAt(20, 22, 0),
                  10000, 0, false}};
  rows.comps = {{"C1", "K1", "s-17", "2026-11-20", "", 1000,
                 NovemberAt(20, 19, 0), std::nullopt}};
  const auto r = BuildStaffReport(rules, "2026-11-20", "2026-11-20", rows);
  EXPECT_EQ(r.median_comp_share_bps(), 0);
  ASSERT_EQ(r.outliers_size(), 1);
  EXPECT_EQ(r.outliers(0).reason(), "comp share 10.00% while the median is 0");
}

}  // namespace
}  // namespace makegood::report
