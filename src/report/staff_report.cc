#include "report/staff_report.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "report/breakdown.h"

namespace makegood::report {
namespace {

using makegood::v1::StaffFinding;
using makegood::v1::StaffShift;

void Extend(std::optional<absl::Time>& end, absl::Time t) {
  if (!end.has_value() || t > *end) end = t;
}

int32_t Median(std::vector<int32_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return static_cast<int32_t>((int64_t{values[mid - 1]} + values[mid] + 1) / 2);
}

std::string Money(const core::RecoveryRules& rules, int64_t minor) {
  return core::FormatAmount(minor, rules.currency());
}

std::string CompTime(const core::RecoveryRules& rules, const CompRow& comp) {
  return absl::FormatTime("%Y-%m-%d %H:%M", comp.requested_at,
                          rules.time_zone());
}

}  // namespace

StaffReportBuilder::StaffReportBuilder(const core::RecoveryRules& rules,
                                       absl::string_view first_day,
                                       absl::string_view last_day)
    : rules_(rules),
      end_window_(absl::Minutes(
          rules.config().loss_prevention().end_of_shift_minutes())) {
  report_.set_location_id(rules.location_id());
  report_.set_from_date(std::string(first_day));
  report_.set_to_date(std::string(last_day));
  report_.set_time_zone(rules.config().location().timezone());
}

void StaffReportBuilder::AddCheck(const CheckRow& check) {
  if (!check.server_id.empty()) {
    Tally& tally =
        shifts_[{check.server_id, rules_.BusinessDay(check.opened_at)}];
    tally.sales_minor += check.sales_minor;
    Extend(tally.shift_end, check.last_activity);
  }
  if (check.pos_discount_minor <= 0 || check.has_case) return;
  StaffFinding& f = pos_discounts_.emplace_back();
  f.set_kind(StaffFinding::UNEXPLAINED_POS_DISCOUNT);
  f.set_staff_id(check.server_id);
  f.set_business_date(rules_.BusinessDay(check.opened_at));
  f.set_check_id(check.check_id);
  *f.mutable_amount() = MoneyOf(check.pos_discount_minor, rules_.currency());
  *f.mutable_at() = core::ToProto(check.opened_at);
  f.set_description(absl::StrCat(
      Money(rules_, check.pos_discount_minor),
      " discounted at the POS on check ", check.check_id,
      check.server_id.empty()
          ? std::string()
          : absl::StrCat(" (", NameOf(rules_, check.server_id), ")"),
      " with no recovery case"));
}

void StaffReportBuilder::AddComp(const CompRow& comp) {
  const int64_t number = comps_added_++;
  Tally& tally = shifts_[{comp.requested_by, comp.business_day}];
  tally.comp_count += 1;
  tally.comp_minor += comp.cost_minor;
  if (comp.check_paid_at.has_value() &&
      comp.requested_at > *comp.check_paid_at) {
    StaffFinding f = CompFinding(StaffFinding::COMP_AFTER_PAYMENT, comp);
    f.set_description(absl::StrCat(
        NameOf(rules_, comp.requested_by), " comped ",
        Money(rules_, comp.cost_minor), " on check ", comp.check_id, " at ",
        CompTime(rules_, comp), ", after it was paid at ",
        absl::FormatTime("%H:%M", *comp.check_paid_at, rules_.time_zone())));
    after_payment_.push_back(std::move(f));
  }
  if (tally.sales_minor == 0) {
    // Without sales, a shift ends with the staff member's last comp: which
    // comps are near it is known once every comp is in.
    KeepIfNearEnd(tally, number, comp);
    return;
  }
  // Every check is in, so a shift with sales has its end.
  if (comp.requested_at >= *tally.shift_end - end_window_)
    at_shift_end_.emplace_back(number, AtShiftEnd(comp, *tally.shift_end));
}

// The end only moves later: a comp outside the window of the end so far
// stays outside it.
void StaffReportBuilder::KeepIfNearEnd(Tally& shift, int64_t number,
                                       const CompRow& comp) {
  const bool moves_end =
      !shift.shift_end.has_value() || comp.requested_at > *shift.shift_end;
  Extend(shift.shift_end, comp.requested_at);
  const absl::Time from = *shift.shift_end - end_window_;
  if (comp.requested_at < from) return;
  if (moves_end) {
    shift.near_end.erase(
        std::remove_if(
            shift.near_end.begin(), shift.near_end.end(),
            [&](const NumberedComp& c) { return c.comp.requested_at < from; }),
        shift.near_end.end());
  }
  shift.near_end.push_back({number, comp});
}

void StaffReportBuilder::AddCase(const CaseRow& flagged) {
  GuestCases& cases = guests_[{flagged.flagged_by, flagged.guest_id}];
  if (cases.count == 0 || flagged.flagged_at > cases.latest_at) {
    cases.latest_case_id = flagged.case_id;
    cases.latest_at = flagged.flagged_at;
  }
  cases.count += 1;
}

makegood::v1::StaffReportResponse StaffReportBuilder::Finish() {
  AddShiftsAndTotals();
  AddOutliers();
  AddFindings();
  return std::move(report_);
}

StaffShift StaffReportBuilder::ShiftRow(const std::string& staff,
                                        const std::string& day,
                                        const Tally& tally) const {
  StaffShift row;
  row.set_staff_id(staff);
  row.set_staff_name(NameOf(rules_, staff));
  row.set_business_date(day);
  row.set_comp_count(tally.comp_count);
  *row.mutable_comp_value() = MoneyOf(tally.comp_minor, rules_.currency());
  *row.mutable_sales() = MoneyOf(tally.sales_minor, rules_.currency());
  row.set_comp_share_bps(ShareBps(tally.comp_minor, tally.sales_minor));
  if (tally.shift_end.has_value())
    *row.mutable_shift_end() = core::ToProto(*tally.shift_end);
  return row;
}

StaffFinding StaffReportBuilder::CompFinding(StaffFinding::Kind kind,
                                             const CompRow& comp) const {
  StaffFinding f;
  f.set_kind(kind);
  f.set_staff_id(comp.requested_by);
  f.set_business_date(comp.business_day);
  f.set_case_id(comp.case_id);
  f.set_check_id(comp.check_id);
  *f.mutable_amount() = MoneyOf(comp.cost_minor, rules_.currency());
  *f.mutable_at() = core::ToProto(comp.requested_at);
  return f;
}

StaffFinding StaffReportBuilder::AtShiftEnd(const CompRow& comp,
                                            absl::Time shift_end) const {
  StaffFinding f = CompFinding(StaffFinding::COMP_AT_SHIFT_END, comp);
  f.set_description(absl::StrCat(
      NameOf(rules_, comp.requested_by), " comped ",
      Money(rules_, comp.cost_minor), " on check ", comp.check_id, " at ",
      CompTime(rules_, comp), ", within ",
      rules_.config().loss_prevention().end_of_shift_minutes(),
      " minutes of the end of the shift (",
      absl::FormatTime("%H:%M", shift_end, rules_.time_zone()), ")"));
  return f;
}

StaffFinding StaffReportBuilder::RepeatGuest(const std::string& staff,
                                             const std::string& guest,
                                             const GuestCases& cases) const {
  StaffFinding f;
  f.set_kind(StaffFinding::REPEAT_GUEST);
  f.set_staff_id(staff);
  f.set_business_date(rules_.BusinessDay(cases.latest_at));
  f.set_case_id(cases.latest_case_id);
  f.set_guest_id(guest);
  *f.mutable_at() = core::ToProto(cases.latest_at);
  f.set_description(absl::StrCat("Guest ", guest, " recovered ", cases.count,
                                 " times by ", NameOf(rules_, staff)));
  return f;
}

void StaffReportBuilder::AddShiftsAndTotals() {
  std::map<std::string, Tally> totals;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, tally] : shifts_) {
    keys.push_back(key);
    Tally& total = totals[key.first];
    total.comp_count += tally.comp_count;
    total.comp_minor += tally.comp_minor;
    total.sales_minor += tally.sales_minor;
  }
  // Shifts by date, then staff id.
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  });
  for (const auto& key : keys) {
    *report_.add_shifts() = ShiftRow(key.first, key.second, shifts_.at(key));
  }
  for (const auto& [staff, total] : totals) {
    *report_.add_totals() = ShiftRow(staff, "", total);
  }
  std::stable_sort(report_.mutable_totals()->begin(),
                   report_.mutable_totals()->end(),
                   [](const StaffShift& a, const StaffShift& b) {
                     return a.comp_share_bps() > b.comp_share_bps();
                   });
}

void StaffReportBuilder::AddOutliers() {
  // The staff with sales.
  std::vector<int32_t> shares;
  for (const StaffShift& total : report_.totals()) {
    if (total.sales().minor_units() > 0)
      shares.push_back(total.comp_share_bps());
  }
  const int32_t median = Median(shares);
  report_.set_median_comp_share_bps(median);
  const double median_multiple =
      rules_.config().loss_prevention().median_multiple();
  for (const StaffShift& total : report_.totals()) {
    if (total.sales().minor_units() == 0 || total.comp_share_bps() == 0)
      continue;
    const double multiple =
        median == 0 ? 0 : static_cast<double>(total.comp_share_bps()) / median;
    if (median != 0 && multiple < median_multiple) continue;
    makegood::v1::StaffOutlier& outlier = *report_.add_outliers();
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
}

void StaffReportBuilder::AddFindings() {
  // The shifts without sales now have their last comp.
  for (const auto& [key, shift] : shifts_) {
    for (const NumberedComp& c : shift.near_end)
      at_shift_end_.emplace_back(c.number,
                                 AtShiftEnd(c.comp, *shift.shift_end));
  }
  std::sort(at_shift_end_.begin(), at_shift_end_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto& findings = *report_.mutable_findings();
  for (StaffFinding& f : after_payment_) *findings.Add() = std::move(f);
  for (auto& [number, f] : at_shift_end_) *findings.Add() = std::move(f);
  const int repeat_guest_cases =
      rules_.config().loss_prevention().repeat_guest_cases();
  for (const auto& [key, cases] : guests_) {
    if (cases.count < repeat_guest_cases) continue;
    *findings.Add() = RepeatGuest(key.first, key.second, cases);
  }
  for (StaffFinding& f : pos_discounts_) *findings.Add() = std::move(f);
  // By kind, then time; ties keep the order of their rows.
  std::stable_sort(findings.begin(), findings.end(),
                   [](const StaffFinding& a, const StaffFinding& b) {
                     return std::make_pair(a.kind(), core::FromProto(a.at())) <
                            std::make_pair(b.kind(), core::FromProto(b.at()));
                   });
}

makegood::v1::StaffReportResponse BuildStaffReport(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day, const StaffRows& rows) {
  StaffReportBuilder builder(rules, first_day, last_day);
  for (const CheckRow& check : rows.checks) builder.AddCheck(check);
  for (const CompRow& comp : rows.comps) builder.AddComp(comp);
  for (const CaseRow& flagged : rows.cases) builder.AddCase(flagged);
  return builder.Finish();
}

}  // namespace makegood::report
