#ifndef MAKEGOOD_REPORT_CAUSE_SUMMARY_H_
#define MAKEGOOD_REPORT_CAUSE_SUMMARY_H_

// Root causes and the actions taken over a period, so that causes get
// fixed instead of symptoms. Pure; thread-safe.

#include <vector>

#include "absl/strings/string_view.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::report {

// `cases` are those flagged in the period. Costs are the remedies sent or
// applied (codes at their issued value).
makegood::v1::CauseSummaryReport BuildCauseSummary(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day,
    const std::vector<makegood::v1::RecoveryCase>& cases);

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_CAUSE_SUMMARY_H_
