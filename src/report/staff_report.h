#ifndef MAKEGOOD_REPORT_STAFF_REPORT_H_
#define MAKEGOOD_REPORT_STAFF_REPORT_H_

// Loss prevention: comps per staff member and shift, compared with peers,
// and the patterns that deserve a look (comps after payment, at the end of
// a shift, the same guest again and again, POS discounts without a case).
// Pure; thread-safe.

#include "absl/strings/string_view.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.pb.h"
#include "report/report_rows.h"

namespace makegood::report {

// A shift is a staff member's business day; it ends with their last check
// activity that day (or their last comp, without checks). Outliers: comp
// share at least `loss_prevention.median_multiple` times the median share of
// the staff with sales (any comp share counts when the median is 0).
makegood::v1::StaffReportResponse BuildStaffReport(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day, const StaffRows& rows);

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_STAFF_REPORT_H_
