// Terminal tables for the reports.

#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/repeated_field.h"
#include "report/render.h"
#include "report/render_util.h"
#include "report/text_table.h"

namespace makegood::report {
namespace {

using makegood::v1::CountRow;

void Section(std::ostream& out, const std::string& title) {
  out << "\n" << title << "\n";
}

void CountTable(std::ostream& out, const std::string& title,
                const std::string& key_header,
                const google::protobuf::RepeatedPtrField<CountRow>& rows) {
  Section(out, title);
  if (rows.empty()) {
    out << "  none\n";
    return;
  }
  Table table({key_header, "NAME", "CASES", "COST"});
  for (const CountRow& row : rows) {
    table.AddRow({row.key(), row.label(), std::to_string(row.count()),
                  Decimal(row.cost())});
  }
  table.Print(out);
}

}  // namespace

std::string EndOfDayText(const makegood::v1::EndOfDayReport& r) {
  std::ostringstream out;
  const std::string& tz = r.time_zone();
  out << "End of day " << r.business_date() << " — " << r.location_name()
      << " (" << r.location_id() << ")\n"
      << "Business day " << LocalTime(r.day_start(), tz, "%Y-%m-%d %H:%M")
      << " to " << LocalTime(r.day_end(), tz, "%Y-%m-%d %H:%M %Z") << "\n";
  Table summary({"FIGURE", "VALUE"});
  summary.AddRow({"Cases", std::to_string(r.cases())});
  summary.AddRow({"Remedies given", std::to_string(r.remedies())});
  summary.AddRow({"Recovery cost", MoneyText(r.recovery_cost())});
  summary.AddRow({"Sales", MoneyText(r.sales())});
  summary.AddRow({"Cost / sales", Percent(r.cost_share_bps())});
  if (r.has_response_p50()) {
    summary.AddRow({"Response p50 / p90 / max",
                    absl::StrCat(DurationText(r.response_p50()), " / ",
                                 DurationText(r.response_p90()), " / ",
                                 DurationText(r.response_max()))});
  } else {
    summary.AddRow({"Response p50 / p90 / max", "-"});
  }
  summary.AddRow(
      {"Accepted / declined / left",
       absl::StrCat(r.accepted(), " / ", r.declined(), " / ", r.left())});
  summary.AddRow({"Open at day end", std::to_string(r.open_at_day_end())});
  summary.AddRow(
      {"Codes issued / redeemed",
       absl::StrCat(r.codes_issued(), " / ", r.codes_redeemed(), " (",
                    MoneyText(r.codes_redeemed_value()), ")")});
  summary.AddRow(
      {"Follow-ups due (done)",
       absl::StrCat(r.follow_ups_due(), " (", r.follow_ups_done(), ")")});
  for (const auto& won : r.won_back()) {
    summary.AddRow({absl::StrCat("Won back within ", won.days(), " days"),
                    absl::StrCat(won.guests(), " guests, spent ",
                                 MoneyText(won.spent()))});
  }
  out << "\n";
  summary.Print(out);
  CountTable(out, "Cases by category", "CATEGORY", r.by_category());
  CountTable(out, "Cases by item", "SKU", r.by_item());
  CountTable(out, "Cases by station", "STATION", r.by_station());
  CountTable(out, "Cases by hour", "HOUR", r.by_hour());
  CountTable(out, "Cases by staff who flagged", "STAFF", r.by_flagged_by());
  CountTable(out, "Remedies by approver", "APPROVER", r.by_approver());
  CountTable(out, "Remedies by kind", "KIND", r.remedies_by_kind());
  Section(out, "Recurring problems");
  if (r.recurring().empty()) out << "  none\n";
  for (const auto& p : r.recurring()) out << "  " << p.description() << "\n";
  Section(out, "Staff comp outliers");
  if (r.staff_outliers().empty()) out << "  none\n";
  for (const auto& o : r.staff_outliers()) {
    out << "  " << o.staff_name() << " (" << o.staff_id()
        << "): " << o.comp_count() << " comps, " << MoneyText(o.comp_value())
        << "; " << o.reason() << "\n";
  }
  if (!r.open_case_ids().empty()) {
    Section(out, "Open cases");
    out << "  " << absl::StrJoin(r.open_case_ids(), "\n  ") << "\n";
  }
  return out.str();
}

std::string StaffReportText(const makegood::v1::StaffReportResponse& r) {
  std::ostringstream out;
  out << "Staff report " << r.from_date() << " to " << r.to_date() << " ("
      << r.location_id() << ")\n";
  Section(out, "Per staff member");
  Table totals({"STAFF", "NAME", "COMPS", "COMP VALUE", "SALES", "SHARE"});
  for (const auto& t : r.totals()) {
    totals.AddRow({t.staff_id(), t.staff_name(), std::to_string(t.comp_count()),
                   Decimal(t.comp_value()), Decimal(t.sales()),
                   Percent(t.comp_share_bps())});
  }
  totals.Print(out);
  out << "Median comp share: " << Percent(r.median_comp_share_bps()) << "\n";
  Section(out, "Per shift");
  Table shifts(
      {"DATE", "STAFF", "COMPS", "COMP VALUE", "SALES", "SHARE", "SHIFT END"});
  for (const auto& s : r.shifts()) {
    shifts.AddRow(
        {s.business_date(), s.staff_id(), std::to_string(s.comp_count()),
         Decimal(s.comp_value()), Decimal(s.sales()),
         Percent(s.comp_share_bps()),
         s.has_shift_end() ? LocalTime(s.shift_end(), r.time_zone()) : "-"});
  }
  shifts.Print(out);
  Section(out, "Outliers");
  if (r.outliers().empty()) out << "  none\n";
  for (const auto& o : r.outliers()) {
    out << "  " << o.staff_name() << " (" << o.staff_id() << "): " << o.reason()
        << "\n";
  }
  Section(out, "Findings");
  if (r.findings().empty()) out << "  none\n";
  for (const auto& f : r.findings()) {
    out << "  " << makegood::v1::StaffFinding::Kind_Name(f.kind()) << ": "
        << f.description() << "\n";
  }
  return out.str();
}

std::string CauseSummaryText(const makegood::v1::CauseSummaryReport& r) {
  std::ostringstream out;
  out << "Root causes " << r.from_date() << " to " << r.to_date() << " ("
      << r.location_id() << "): " << r.cases() << " cases, "
      << r.without_cause() << " without a root cause\n";
  for (const auto& cause : r.causes()) {
    Section(out,
            absl::StrCat(makegood::v1::RootCause_Name(cause.root_cause()), ": ",
                         cause.count(), " cases, ", MoneyText(cause.cost())));
    for (const auto& c : cause.categories()) {
      out << "  " << (c.label().empty() ? c.key() : c.label()) << ": "
          << c.count() << "\n";
    }
    for (const auto& a : cause.actions()) {
      out << "  action \"" << a.key() << "\": " << a.count() << "\n";
    }
  }
  return out.str();
}

}  // namespace makegood::report
