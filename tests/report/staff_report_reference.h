#ifndef MAKEGOOD_TESTS_REPORT_STAFF_REPORT_REFERENCE_H_
#define MAKEGOOD_TESTS_REPORT_STAFF_REPORT_REFERENCE_H_

// The oracle of the staff report's tests: the per-row computation that
// BuildStaffReport made before StaffReportBuilder aggregated rows as they
// are read, kept as it was (every row in memory, then folded), so that the
// tests prove the streamed report is the same, finding for finding and in
// the same order.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/report.pb.h"
#include "report/breakdown.h"
#include "report/report_rows.h"

namespace makegood::report::testing {
namespace old_staff_report {

using makegood::v1::StaffFinding;
using makegood::v1::StaffShift;

struct Tally {
  int comp_count = 0;
  int64_t comp_minor = 0;
  int64_t sales_minor = 0;
  std::optional<absl::Time> shift_end;
};

inline void Extend(std::optional<absl::Time>& end, absl::Time t) {
  if (!end.has_value() || t > *end) end = t;
}

inline StaffShift ShiftRow(const core::RecoveryRules& rules,
                           const std::string& staff, const std::string& day,
                           const Tally& tally) {
  StaffShift row;
  row.set_staff_id(staff);
  row.set_staff_name(NameOf(rules, staff));
  row.set_business_date(day);
  row.set_comp_count(tally.comp_count);
  *row.mutable_comp_value() = MoneyOf(tally.comp_minor, rules.currency());
  *row.mutable_sales() = MoneyOf(tally.sales_minor, rules.currency());
  row.set_comp_share_bps(ShareBps(tally.comp_minor, tally.sales_minor));
  if (tally.shift_end.has_value())
    *row.mutable_shift_end() = core::ToProto(*tally.shift_end);
  return row;
}

inline int32_t Median(std::vector<int32_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return static_cast<int32_t>((int64_t{values[mid - 1]} + values[mid] + 1) / 2);
}

inline std::string Money(const core::RecoveryRules& rules, int64_t minor) {
  return core::FormatAmount(minor, rules.currency());
}

inline StaffFinding& AddCompFinding(const core::RecoveryRules& rules,
                                    StaffFinding::Kind kind,
                                    const CompRow& comp,
                                    makegood::v1::StaffReportResponse& report) {
  StaffFinding& f = *report.add_findings();
  f.set_kind(kind);
  f.set_staff_id(comp.requested_by);
  f.set_business_date(comp.business_day);
  f.set_case_id(comp.case_id);
  f.set_check_id(comp.check_id);
  *f.mutable_amount() = MoneyOf(comp.cost_minor, rules.currency());
  *f.mutable_at() = core::ToProto(comp.requested_at);
  return f;
}

}  // namespace old_staff_report

// The staff report as BuildStaffReport computed it before
// StaffReportBuilder: every row held, then aggregated.
inline makegood::v1::StaffReportResponse ReferenceStaffReport(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day, const StaffRows& rows) {
  const auto& limits = rules.config().loss_prevention();
  makegood::v1::StaffReportResponse report;
  report.set_location_id(rules.location_id());
  report.set_from_date(std::string(first_day));
  report.set_to_date(std::string(last_day));
  report.set_time_zone(rules.config().location().timezone());

  // (staff, business day) -> tally; the map keeps rows by staff then day.
  std::map<std::pair<std::string, std::string>, old_staff_report::Tally> shifts;
  for (const CheckRow& check : rows.checks) {
    if (check.server_id.empty()) continue;
    old_staff_report::Tally& tally =
        shifts[{check.server_id, rules.BusinessDay(check.opened_at)}];
    tally.sales_minor += check.sales_minor;
    old_staff_report::Extend(tally.shift_end, check.last_activity);
  }
  for (const CompRow& comp : rows.comps) {
    old_staff_report::Tally& tally =
        shifts[{comp.requested_by, comp.business_day}];
    tally.comp_count += 1;
    tally.comp_minor += comp.cost_minor;
    // Without checks, a shift ends with the staff member's last comp.
    if (tally.sales_minor == 0)
      old_staff_report::Extend(tally.shift_end, comp.requested_at);
  }

  std::map<std::string, old_staff_report::Tally> totals;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, tally] : shifts) {
    keys.push_back(key);
    old_staff_report::Tally& total = totals[key.first];
    total.comp_count += tally.comp_count;
    total.comp_minor += tally.comp_minor;
    total.sales_minor += tally.sales_minor;
  }
  // Shifts by date, then staff id.
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  });
  for (const auto& key : keys) {
    *report.add_shifts() = old_staff_report::ShiftRow(
        rules, key.first, key.second, shifts.at(key));
  }

  std::vector<int32_t> shares;
  for (const auto& [staff, total] : totals) {
    *report.add_totals() = old_staff_report::ShiftRow(rules, staff, "", total);
    if (total.sales_minor > 0)
      shares.push_back(ShareBps(total.comp_minor, total.sales_minor));
  }
  std::stable_sort(
      report.mutable_totals()->begin(), report.mutable_totals()->end(),
      [](const makegood::v1::StaffShift& a, const makegood::v1::StaffShift& b) {
        return a.comp_share_bps() > b.comp_share_bps();
      });
  const int32_t median = old_staff_report::Median(shares);
  report.set_median_comp_share_bps(median);
  for (const makegood::v1::StaffShift& total : report.totals()) {
    if (total.sales().minor_units() == 0 || total.comp_share_bps() == 0)
      continue;
    const double multiple =
        median == 0 ? 0 : static_cast<double>(total.comp_share_bps()) / median;
    if (median != 0 && multiple < limits.median_multiple()) continue;
    makegood::v1::StaffOutlier& outlier = *report.add_outliers();
    outlier.set_staff_id(total.staff_id());
    outlier.set_staff_name(total.staff_name());
    outlier.set_comp_count(total.comp_count());
    *outlier.mutable_comp_value() = total.comp_value();
    outlier.set_comp_share_bps(total.comp_share_bps());
    outlier.set_reason(
        median == 0
            ? absl::StrFormat("comp share %.2f%% while the median is 0",
                              total.comp_share_bps() / 100.0)
            : absl::StrFormat("comp share %.2f%% is %.1fx the median %.2f%%",
                              total.comp_share_bps() / 100.0, multiple,
                              median / 100.0));
  }

  const absl::Duration end_window =
      absl::Minutes(limits.end_of_shift_minutes());
  for (const CompRow& comp : rows.comps) {
    const std::string when = absl::FormatTime(
        "%Y-%m-%d %H:%M", comp.requested_at, rules.time_zone());
    if (comp.check_paid_at.has_value() &&
        comp.requested_at > *comp.check_paid_at) {
      makegood::v1::StaffFinding& f = old_staff_report::AddCompFinding(
          rules, makegood::v1::StaffFinding::COMP_AFTER_PAYMENT, comp, report);
      f.set_description(absl::StrCat(
          NameOf(rules, comp.requested_by), " comped ",
          old_staff_report::Money(rules, comp.cost_minor), " on check ",
          comp.check_id, " at ", when, ", after it was paid at ",
          absl::FormatTime("%H:%M", *comp.check_paid_at, rules.time_zone())));
    }
    const old_staff_report::Tally& shift =
        shifts.at({comp.requested_by, comp.business_day});
    if (shift.shift_end.has_value() &&
        comp.requested_at >= *shift.shift_end - end_window) {
      makegood::v1::StaffFinding& f = old_staff_report::AddCompFinding(
          rules, makegood::v1::StaffFinding::COMP_AT_SHIFT_END, comp, report);
      f.set_description(absl::StrCat(
          NameOf(rules, comp.requested_by), " comped ",
          old_staff_report::Money(rules, comp.cost_minor), " on check ",
          comp.check_id, " at ", when, ", within ",
          limits.end_of_shift_minutes(), " minutes of the end of the shift (",
          absl::FormatTime("%H:%M", *shift.shift_end, rules.time_zone()), ")"));
    }
  }

  std::map<std::pair<std::string, std::string>, std::vector<const CaseRow*>>
      by_staff_and_guest;
  for (const CaseRow& c : rows.cases) {
    by_staff_and_guest[{c.flagged_by, c.guest_id}].push_back(&c);
  }
  for (const auto& [key, cases] : by_staff_and_guest) {
    if (static_cast<int>(cases.size()) < limits.repeat_guest_cases()) continue;
    const CaseRow* latest = cases.front();
    for (const auto* c : cases) {
      if (c->flagged_at > latest->flagged_at) latest = c;
    }
    makegood::v1::StaffFinding& f = *report.add_findings();
    f.set_kind(makegood::v1::StaffFinding::REPEAT_GUEST);
    f.set_staff_id(key.first);
    f.set_business_date(rules.BusinessDay(latest->flagged_at));
    f.set_case_id(latest->case_id);
    f.set_guest_id(key.second);
    *f.mutable_at() = core::ToProto(latest->flagged_at);
    f.set_description(absl::StrCat("Guest ", key.second, " recovered ",
                                   cases.size(), " times by ",
                                   NameOf(rules, key.first)));
  }

  for (const CheckRow& check : rows.checks) {
    if (check.pos_discount_minor <= 0 || check.has_case) continue;
    makegood::v1::StaffFinding& f = *report.add_findings();
    f.set_kind(makegood::v1::StaffFinding::UNEXPLAINED_POS_DISCOUNT);
    f.set_staff_id(check.server_id);
    f.set_business_date(rules.BusinessDay(check.opened_at));
    f.set_check_id(check.check_id);
    *f.mutable_amount() = MoneyOf(check.pos_discount_minor, rules.currency());
    *f.mutable_at() = core::ToProto(check.opened_at);
    f.set_description(absl::StrCat(
        old_staff_report::Money(rules, check.pos_discount_minor),
        " discounted at the POS on check ", check.check_id,
        check.server_id.empty()
            ? std::string()
            : absl::StrCat(" (", NameOf(rules, check.server_id), ")"),
        " with no recovery case"));
  }
  std::stable_sort(report.mutable_findings()->begin(),
                   report.mutable_findings()->end(),
                   [](const makegood::v1::StaffFinding& a,
                      const makegood::v1::StaffFinding& b) {
                     return std::make_pair(a.kind(), core::FromProto(a.at())) <
                            std::make_pair(b.kind(), core::FromProto(b.at()));
                   });
  return report;
}

}  // namespace makegood::report::testing

#endif  // MAKEGOOD_TESTS_REPORT_STAFF_REPORT_REFERENCE_H_
