#ifndef MAKEGOOD_REPORT_END_OF_DAY_H_
#define MAKEGOOD_REPORT_END_OF_DAY_H_

// The end-of-day recovery report of one business day. Pure; thread-safe.
//
// Definitions (the numbers a manager reads):
//  - Cases are those flagged during the day. A remedy counts (in remedies,
//    costs and breakdowns) when it was sent or applied; pending, denied
//    and rejected ones cost nothing.
//  - Recovery cost: those remedies' costs, except discount codes, plus the
//    codes redeemed during the day at their face value (a code costs only
//    when used). A redeemed code's value goes to its case's category.
//  - Sales: paid totals, tips excluded, of the checks opened during the day.
//  - Response time: from the flag to the first remedy applied (sent to the
//    POS or a manager visit raised); nearest-rank p50 and p90.
//  - Outcomes follow each case's latest guest response; cases not closed by
//    the day's end are open.
//  - Recurring problems: the day's flags of one item (SKU) with one
//    category, or one station with one category, grouped from the earliest:
//    a group is the flags within `recurring.window_minutes` of its first,
//    listed when it holds at least `recurring.count`.
//  - Staff outliers: as in the staff report, over this day.

#include "absl/strings/string_view.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.pb.h"
#include "report/report_rows.h"

namespace makegood::report {

makegood::v1::EndOfDayReport BuildEndOfDay(const core::RecoveryRules& rules,
                                           absl::string_view business_date,
                                           const core::DayBounds& bounds,
                                           const DayRows& day,
                                           const StaffRows& staff);

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_END_OF_DAY_H_
