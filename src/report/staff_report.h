#ifndef MAKEGOOD_REPORT_STAFF_REPORT_H_
#define MAKEGOOD_REPORT_STAFF_REPORT_H_

// Loss prevention: comps per staff member and shift, compared with peers,
// and the patterns that deserve a look (comps after payment, at the end of
// a shift, the same guest again and again, POS discounts without a case).
//
// A shift is a staff member's business day; it ends with their last check
// activity that day (or their last comp, when their checks that day sold
// nothing). Outliers: comp share at least `loss_prevention.median_multiple`
// times the median share of the staff with sales (any comp share counts
// when the median is 0).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.pb.h"
#include "report/report_rows.h"

namespace makegood::report {

// The staff report of business days [first_day, last_day], from rows that
// arrive one at a time in StaffRowSink's order (checks, then comps, then
// cases), as the store reads them. It holds what the report is made of, not
// the rows: a tally per shift and per staff member and guest, the findings,
// and, for shifts without sales, the comps that may still turn out to be at
// the shift's end (those within `end_of_shift_minutes` of its latest comp so
// far). The report is the one the rows would give all held at once:
// findings of equal kind and time keep the order of their rows. Rows out of
// StaffRowSink's order (a check after a comp) give a wrong report. One
// report per builder; not thread-safe.
class StaffReportBuilder final : public StaffRowSink {
 public:
  // `rules` must outlive the builder.
  StaffReportBuilder(const core::RecoveryRules& rules,
                     absl::string_view first_day, absl::string_view last_day);
  StaffReportBuilder(const StaffReportBuilder&) = delete;
  StaffReportBuilder& operator=(const StaffReportBuilder&) = delete;

  void AddCheck(const CheckRow& check) override;
  void AddComp(const CompRow& comp) override;
  void AddCase(const CaseRow& flagged) override;

  // The report of every row added; once, after the last row.
  makegood::v1::StaffReportResponse Finish();

 private:
  // A comp and its place among all comps, which orders the findings of
  // equal time as the rows came.
  struct NumberedComp {
    int64_t number = 0;
    CompRow comp;
  };
  // A shift, or a staff member over the period.
  struct Tally {
    int comp_count = 0;
    int64_t comp_minor = 0;
    int64_t sales_minor = 0;
    std::optional<absl::Time> shift_end;
    // Without sales: the comps within the end-of-shift window of the
    // latest comp so far, decided once the last comp is in.
    std::vector<NumberedComp> near_end;
  };
  // A staff member's cases of one guest.
  struct GuestCases {
    int count = 0;
    std::string latest_case_id;  // The first of the latest ones.
    absl::Time latest_at;
  };

  // Moves the shift's end to `comp` when later, and keeps `comp` while it
  // is within the window of the end so far.
  void KeepIfNearEnd(Tally& shift, int64_t number, const CompRow& comp);
  makegood::v1::StaffShift ShiftRow(const std::string& staff,
                                    const std::string& day,
                                    const Tally& tally) const;
  makegood::v1::StaffFinding CompFinding(makegood::v1::StaffFinding::Kind kind,
                                         const CompRow& comp) const;
  makegood::v1::StaffFinding AtShiftEnd(const CompRow& comp,
                                        absl::Time shift_end) const;
  makegood::v1::StaffFinding RepeatGuest(const std::string& staff,
                                         const std::string& guest,
                                         const GuestCases& cases) const;
  void AddShiftsAndTotals();
  void AddOutliers();
  void AddFindings();

  // Const after construction.
  const core::RecoveryRules& rules_;
  const absl::Duration end_window_;

  makegood::v1::StaffReportResponse report_;
  // (staff, business day); the map keeps them by staff, then day.
  std::map<std::pair<std::string, std::string>, Tally> shifts_;
  // (staff, guest) of the cases with a guest.
  std::map<std::pair<std::string, std::string>, GuestCases> guests_;
  int64_t comps_added_ = 0;
  // Findings in the order of their rows: each kind's ties of time keep it.
  std::vector<makegood::v1::StaffFinding> after_payment_;
  std::vector<std::pair<int64_t, makegood::v1::StaffFinding>> at_shift_end_;
  std::vector<makegood::v1::StaffFinding> pos_discounts_;
};

// The report of rows held in memory: StaffReportBuilder fed every check,
// then every comp, then every case of `rows`. Pure; thread-safe.
makegood::v1::StaffReportResponse BuildStaffReport(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day, const StaffRows& rows);

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_STAFF_REPORT_H_
