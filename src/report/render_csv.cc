// CSV: one long table per report (RFC 4180 quoting), columns
// section,key,label,count,amount,currency.

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "report/render.h"
#include "report/render_util.h"

namespace makegood::report {
namespace {

using makegood::v1::Money;

std::string Field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

class Csv {
 public:
  Csv() { out_ = "section,key,label,count,amount,currency\r\n"; }
  void Row(const std::string& section, const std::string& key,
           const std::string& label, const std::string& count,
           const Money* amount = nullptr) {
    absl::StrAppend(&out_, Field(section), ",", Field(key), ",", Field(label),
                    ",", count, ",", amount ? Decimal(*amount) : "", ",",
                    amount ? amount->currency() : "", "\r\n");
  }
  void Count(const std::string& section, const std::string& key, int count) {
    Row(section, key, "", std::to_string(count));
  }
  void Amount(const std::string& section, const std::string& key,
              const Money& money) {
    Row(section, key, "", "", &money);
  }
  template <typename Rows>
  void CountRows(const std::string& section, const Rows& rows) {
    for (const auto& row : rows) {
      Row(section, row.key(), row.label(), std::to_string(row.count()),
          &row.cost());
    }
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

std::string Seconds(const google::protobuf::Duration& d) {
  return std::to_string(google::protobuf::util::TimeUtil::DurationToSeconds(d));
}

}  // namespace

std::string EndOfDayCsv(const makegood::v1::EndOfDayReport& r) {
  Csv csv;
  csv.Row("summary", "business_date", r.business_date(), "");
  csv.Row("summary", "location", r.location_name(), "");
  csv.Count("summary", "cases", r.cases());
  csv.Count("summary", "remedies", r.remedies());
  csv.Amount("summary", "recovery_cost", r.recovery_cost());
  csv.Amount("summary", "sales", r.sales());
  csv.Row("summary", "cost_share_bps", "", std::to_string(r.cost_share_bps()));
  csv.Row("summary", "response_p50_seconds", "", Seconds(r.response_p50()));
  csv.Row("summary", "response_p90_seconds", "", Seconds(r.response_p90()));
  csv.Row("summary", "response_max_seconds", "", Seconds(r.response_max()));
  csv.Count("summary", "accepted", r.accepted());
  csv.Count("summary", "declined", r.declined());
  csv.Count("summary", "left", r.left());
  csv.Count("summary", "open_at_day_end", r.open_at_day_end());
  csv.Count("summary", "codes_issued", r.codes_issued());
  csv.Count("summary", "codes_redeemed", r.codes_redeemed());
  csv.Amount("summary", "codes_redeemed_value", r.codes_redeemed_value());
  csv.Count("summary", "follow_ups_due", r.follow_ups_due());
  csv.Count("summary", "follow_ups_done", r.follow_ups_done());
  csv.CountRows("by_category", r.by_category());
  csv.CountRows("by_item", r.by_item());
  csv.CountRows("by_station", r.by_station());
  csv.CountRows("by_hour", r.by_hour());
  csv.CountRows("by_flagged_by", r.by_flagged_by());
  csv.CountRows("by_approver", r.by_approver());
  csv.CountRows("remedies_by_kind", r.remedies_by_kind());
  for (const auto& won : r.won_back()) {
    csv.Row("won_back", std::to_string(won.days()), "guests",
            std::to_string(won.guests()), &won.spent());
  }
  for (const auto& p : r.recurring()) {
    csv.Row("recurring", p.item_sku().empty() ? p.station() : p.item_sku(),
            p.description(), std::to_string(p.count()));
  }
  for (const auto& o : r.staff_outliers()) {
    csv.Row("staff_outliers", o.staff_id(), o.reason(),
            std::to_string(o.comp_count()), &o.comp_value());
  }
  for (const auto& id : r.open_case_ids()) csv.Row("open_cases", id, "", "");
  return csv.str();
}

std::string StaffReportCsv(const makegood::v1::StaffReportResponse& r) {
  Csv csv;
  for (const auto& t : r.totals()) {
    csv.Row("totals", t.staff_id(), t.staff_name(),
            std::to_string(t.comp_count()), &t.comp_value());
    csv.Row("sales", t.staff_id(), t.staff_name(), "", &t.sales());
    csv.Row("comp_share_bps", t.staff_id(), t.staff_name(),
            std::to_string(t.comp_share_bps()));
  }
  for (const auto& s : r.shifts()) {
    csv.Row("shift", absl::StrCat(s.business_date(), " ", s.staff_id()),
            s.staff_name(), std::to_string(s.comp_count()), &s.comp_value());
  }
  csv.Row("median_comp_share_bps", "", "",
          std::to_string(r.median_comp_share_bps()));
  for (const auto& o : r.outliers()) {
    csv.Row("outlier", o.staff_id(), o.reason(), std::to_string(o.comp_count()),
            &o.comp_value());
  }
  for (const auto& f : r.findings()) {
    csv.Row(makegood::v1::StaffFinding::Kind_Name(f.kind()), f.staff_id(),
            f.description(), "", f.has_amount() ? &f.amount() : nullptr);
  }
  return csv.str();
}

std::string CauseSummaryCsv(const makegood::v1::CauseSummaryReport& r) {
  Csv csv;
  csv.Count("summary", "cases", r.cases());
  csv.Count("summary", "without_cause", r.without_cause());
  for (const auto& cause : r.causes()) {
    const std::string name = makegood::v1::RootCause_Name(cause.root_cause());
    csv.Row("cause", name, "", std::to_string(cause.count()), &cause.cost());
    for (const auto& c : cause.categories()) {
      csv.Row("cause_category", absl::StrCat(name, " ", c.key()), c.label(),
              std::to_string(c.count()), &c.cost());
    }
    for (const auto& a : cause.actions()) {
      csv.Row("cause_action", name, a.key(), std::to_string(a.count()),
              &a.cost());
    }
  }
  return csv.str();
}

}  // namespace makegood::report
