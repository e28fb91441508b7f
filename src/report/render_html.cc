// The end-of-day report as one self-contained HTML page: inline CSS and SVG,
// no scripts, no external resources, A4-friendly when printed.

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "report/render.h"
#include "report/render_util.h"

namespace makegood::report {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr char kStyle[] = R"css(
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#1f2933;margin:24px auto;max-width:900px;padding:0 16px;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px;
  border-bottom:1px solid #d9e2ec;padding-bottom:4px}
.sub{color:#52606d;margin-bottom:16px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}
.kpi{background:#f5f7fa;border-radius:6px;padding:10px}
.kpi b{display:block;font-size:20px}.kpi span{color:#52606d;font-size:12px}
table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;
  border-bottom:1px solid #e4e7eb;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}
ul{margin:4px 0;padding-left:20px}
@media print{body{margin:0;max-width:none;font-size:11px}
  h2{break-after:avoid}section,table,.charts{break-inside:avoid}
  @page{size:A4;margin:12mm}}
)css";

std::string Kpi(const std::string& value, const std::string& label) {
  return absl::StrCat("<div class=\"kpi\"><b>", Escape(value), "</b><span>",
                      Escape(label), "</span></div>");
}

// Horizontal bars: one per row, scaled to the largest value.
std::string CostByCategoryChart(const makegood::v1::EndOfDayReport& r) {
  const int row_height = 26, label_width = 150, bar_width = 230;
  int64_t max = 1;
  for (const auto& row : r.by_category())
    max = std::max<int64_t>(max, row.cost().minor_units());
  const int height = std::max(1, r.by_category_size()) * row_height + 10;
  std::string svg = absl::StrFormat(
      "<svg id=\"chart-cost-by-category\" xmlns=\"http://www.w3.org/2000/svg\" "
      "viewBox=\"0 0 440 %d\" width=\"100%%\" role=\"img\" "
      "aria-label=\"Recovery cost by category\">",
      height);
  int y = 5;
  for (const auto& row : r.by_category()) {
    const int w = static_cast<int>(bar_width * row.cost().minor_units() / max);
    absl::StrAppend(
        &svg,
        absl::StrFormat("<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>",
                        y + 16,
                        Escape(row.label().empty() ? row.key() : row.label())),
        absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
                        "fill=\"#2f80ed\"/>",
                        label_width, y + 3, std::max(w, 1)),
        absl::StrFormat("<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>",
                        label_width + std::max(w, 1) + 6, y + 16,
                        Escape(Decimal(row.cost()))));
    y += row_height;
  }
  if (r.by_category().empty()) {
    absl::StrAppend(&svg,
                    "<text x=\"0\" y=\"20\" font-size=\"12\">No cases</text>");
  }
  return svg + "</svg>";
}

// 24 columns in business-day order, starting at the day's first hour.
std::string CasesByHourChart(const makegood::v1::EndOfDayReport& r) {
  std::map<std::string, int> counts;
  int max = 1;
  for (const auto& row : r.by_hour()) {
    counts[row.key()] = row.count();
    max = std::max(max, row.count());
  }
  const int first_hour =
      std::stoi(LocalTime(r.day_start(), r.time_zone(), "%H"));
  const int chart_height = 140, column = 17;
  std::string svg =
      "<svg id=\"chart-cases-by-hour\" xmlns=\"http://www.w3.org/2000/svg\" "
      "viewBox=\"0 0 420 175\" width=\"100%\" role=\"img\" "
      "aria-label=\"Cases by hour\">";
  for (int i = 0; i < 24; ++i) {
    const std::string hour = absl::StrFormat("%02d", (first_hour + i) % 24);
    const int count = counts.count(hour) ? counts[hour] : 0;
    const int h = chart_height * count / max;
    const int x = 4 + i * column;
    absl::StrAppend(
        &svg,
        absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"13\" height=\"%d\" "
                        "fill=\"#f2994a\"><title>%s:00 %d cases</title>"
                        "</rect>",
                        x, 150 - h, h, hour, count));
    if (count > 0) {
      absl::StrAppend(&svg,
                      absl::StrFormat("<text x=\"%d\" y=\"%d\" font-size=\"9\" "
                                      "text-anchor=\"middle\">%d</text>",
                                      x + 6, 147 - h, count));
    }
    if (i % 2 == 0) {
      absl::StrAppend(
          &svg, absl::StrFormat("<text x=\"%d\" y=\"165\" font-size=\"9\" "
                                "text-anchor=\"middle\">%s</text>",
                                x + 6, hour));
    }
  }
  return svg + "</svg>";
}

std::string CountTable(
    const std::string& title, const std::string& key,
    const google::protobuf::RepeatedPtrField<makegood::v1::CountRow>& rows) {
  std::string html = absl::StrCat("<section><h2>", Escape(title), "</h2>");
  if (rows.empty()) return html + "<p>None.</p></section>";
  absl::StrAppend(&html, "<table><tr><th>", Escape(key),
                  "</th><th class=\"n\">Cases</th><th class=\"n\">Cost</th>"
                  "</tr>");
  for (const auto& row : rows) {
    absl::StrAppend(&html, "<tr><td>",
                    Escape(row.label().empty() ? row.key() : row.label()),
                    "</td><td class=\"n\">", row.count(),
                    "</td><td class=\"n\">", Escape(Decimal(row.cost())),
                    "</td></tr>");
  }
  return html + "</table></section>";
}

}  // namespace

std::string EndOfDayHtml(const makegood::v1::EndOfDayReport& r) {
  const std::string& tz = r.time_zone();
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>Recovery report ",
      Escape(r.business_date()), " — ", Escape(r.location_name()),
      "</title><style>", kStyle, "</style></head><body>\n");
  absl::StrAppend(
      &html, "<h1>Recovery report — ", Escape(r.location_name()), "</h1>",
      "<div class=\"sub\">Business day ", Escape(r.business_date()), ": ",
      Escape(LocalTime(r.day_start(), tz, "%Y-%m-%d %H:%M")), " to ",
      Escape(LocalTime(r.day_end(), tz, "%Y-%m-%d %H:%M %Z")), "</div>\n");
  absl::StrAppend(
      &html, "<div class=\"kpis\">", Kpi(std::to_string(r.cases()), "cases"),
      "<span id=\"total-cost\">",
      Kpi(MoneyText(r.recovery_cost()), "recovery cost"), "</span>",
      Kpi(MoneyText(r.sales()), "sales"),
      Kpi(Percent(r.cost_share_bps()), "cost / sales"),
      Kpi(r.has_response_p50() ? DurationText(r.response_p50()) : "-",
          "response p50"),
      Kpi(r.has_response_p90() ? DurationText(r.response_p90()) : "-",
          "response p90"),
      Kpi(absl::StrCat(r.accepted(), " / ", r.declined(), " / ", r.left()),
          "accepted / declined / left"),
      Kpi(std::to_string(r.open_at_day_end()), "open at day end"), "</div>\n");
  absl::StrAppend(&html,
                  "<div class=\"charts\"><section><h2>Cost by "
                  "category</h2>",
                  CostByCategoryChart(r),
                  "</section><section><h2>Cases by hour</h2>",
                  CasesByHourChart(r), "</section></div>\n");
  absl::StrAppend(
      &html, "<div class=\"two\">", CountTable("By item", "Item", r.by_item()),
      CountTable("By station", "Station", r.by_station()),
      CountTable("By staff who flagged", "Staff", r.by_flagged_by()),
      CountTable("Remedies by kind", "Kind", r.remedies_by_kind()),
      CountTable("Remedies by approver", "Approver", r.by_approver()),
      "<section><h2>Codes, follow-ups, won back</h2><ul>");
  absl::StrAppend(&html, "<li>Codes issued ", r.codes_issued(), ", redeemed ",
                  r.codes_redeemed(), " (",
                  Escape(MoneyText(r.codes_redeemed_value())), ")</li>",
                  "<li>Follow-ups due ", r.follow_ups_due(), ", done ",
                  r.follow_ups_done(), "</li>");
  for (const auto& won : r.won_back()) {
    absl::StrAppend(&html, "<li>Back within ", won.days(),
                    " days: ", won.guests(), " guests, spent ",
                    Escape(MoneyText(won.spent())), "</li>");
  }
  absl::StrAppend(&html,
                  "</ul></section></div>\n<section><h2>Recurring "
                  "problems</h2>");
  if (r.recurring().empty())
    absl::StrAppend(&html, "<p>None.</p>");
  else
    absl::StrAppend(&html, "<ul>");
  for (const auto& p : r.recurring())
    absl::StrAppend(&html, "<li>", Escape(p.description()), "</li>");
  if (!r.recurring().empty()) absl::StrAppend(&html, "</ul>");
  absl::StrAppend(&html, "</section><section><h2>Staff comp outliers</h2>");
  if (r.staff_outliers().empty()) absl::StrAppend(&html, "<p>None.</p>");
  for (const auto& o : r.staff_outliers()) {
    absl::StrAppend(&html, "<p>", Escape(o.staff_name()), ": ", o.comp_count(),
                    " comps, ", Escape(MoneyText(o.comp_value())), " — ",
                    Escape(o.reason()), "</p>");
  }
  absl::StrAppend(&html, "</section>");
  if (!r.open_case_ids().empty()) {
    absl::StrAppend(&html, "<section><h2>Open at day end</h2><p>");
    for (const auto& id : r.open_case_ids())
      absl::StrAppend(&html, Escape(id), " ");
    absl::StrAppend(&html, "</p></section>");
  }
  return html + "\n</body></html>\n";
}

}  // namespace makegood::report
