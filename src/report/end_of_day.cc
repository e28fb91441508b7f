#include "report/end_of_day.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/authority.h"
#include "core/proto_time.h"
#include "google/protobuf/util/time_util.h"
#include "report/breakdown.h"
#include "report/staff_report.h"

namespace makegood::report {
namespace {

using makegood::v1::AppliedRemedy;
using makegood::v1::EndOfDayReport;
using makegood::v1::RecoveryCase;

// What a remedy costs in the report: codes cost when redeemed instead.
int64_t ReportedCost(const AppliedRemedy& remedy) {
  if (!core::CountsAsGiven(remedy.status()) ||
      remedy.kind() == makegood::v1::DISCOUNT_CODE)
    return 0;
  return remedy.cost().minor_units();
}

google::protobuf::Duration DurationOf(absl::Duration d) {
  return google::protobuf::util::TimeUtil::MicrosecondsToDuration(
      absl::ToInt64Microseconds(d));
}

// Nearest rank: the smallest value with at least p% of values at or below.
absl::Duration Percentile(const std::vector<absl::Duration>& sorted, int p) {
  const size_t rank = (sorted.size() * p + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

std::string CategoryLabel(const core::RecoveryRules& rules,
                          const std::string& id) {
  const auto* category = rules.FindCategory(id);
  return category != nullptr && !category->label().empty() ? category->label()
                                                           : id;
}

struct Flag {
  absl::Time at;
  std::string case_id;
};

struct ProblemGroup {
  std::string sku, station, category_id, description;
  std::vector<Flag> flags;
};

void AddRecurring(const core::RecoveryRules& rules, const DayRows& day,
                  EndOfDayReport& report) {
  std::map<std::string, ProblemGroup> groups;
  for (const ReportCase& c : day.cases) {
    const RecoveryCase& r = c.recovery;
    const absl::Time at = core::FromProto(r.flagged_at());
    std::set<std::string> seen;  // A case counts once per key.
    for (const ReportLine& line : c.lines) {
      if (!line.sku.empty() &&
          seen.insert(absl::StrCat("item\x1f", line.sku)).second) {
        ProblemGroup& g =
            groups[absl::StrCat("item\x1f", line.sku, "\x1f", r.category_id())];
        g.sku = line.sku;
        g.category_id = r.category_id();
        g.description = line.name.empty() ? line.sku : line.name;
        g.flags.push_back({at, r.case_id()});
      }
      if (!line.station.empty() &&
          seen.insert(absl::StrCat("station\x1f", line.station)).second) {
        ProblemGroup& g = groups[absl::StrCat("station\x1f", line.station,
                                              "\x1f", r.category_id())];
        g.station = line.station;
        g.category_id = r.category_id();
        g.description = absl::StrCat("Station ", line.station);
        g.flags.push_back({at, r.case_id()});
      }
    }
  }
  const auto& config = rules.config().recurring();
  const absl::Duration window = absl::Minutes(config.window_minutes());
  for (const auto& [key, group] : groups) {
    const auto& flags = group.flags;  // Oldest first, as the cases are.
    size_t i = 0;
    while (i < flags.size()) {
      size_t j = i;
      while (j + 1 < flags.size() && flags[j + 1].at - flags[i].at <= window)
        ++j;
      const int count = static_cast<int>(j - i + 1);
      if (count < config.count()) {
        ++i;
        continue;
      }
      makegood::v1::RecurringProblem& p = *report.add_recurring();
      p.set_item_sku(group.sku);
      p.set_station(group.station);
      p.set_category_id(group.category_id);
      p.set_count(count);
      *p.mutable_first_at() = core::ToProto(flags[i].at);
      *p.mutable_last_at() = core::ToProto(flags[j].at);
      p.set_description(absl::StrCat(
          group.description, " flagged ", count, " times for ",
          CategoryLabel(rules, group.category_id), " between ",
          absl::FormatTime("%H:%M", flags[i].at, rules.time_zone()), " and ",
          absl::FormatTime("%H:%M", flags[j].at, rules.time_zone())));
      i = j + 1;
    }
  }
  std::stable_sort(
      report.mutable_recurring()->begin(), report.mutable_recurring()->end(),
      [](const auto& a, const auto& b) {
        return core::FromProto(a.first_at()) < core::FromProto(b.first_at());
      });
}

void AddWonBack(const core::RecoveryRules& rules, const DayRows& day,
                EndOfDayReport& report) {
  // One visit per check (a returning guest may also redeem their code).
  std::map<std::string, const ReturnVisit*> by_check;
  for (const ReturnVisit& visit : day.returns) {
    auto [it, added] = by_check.emplace(visit.check_id, &visit);
    if (!added && visit.recovered_at > it->second->recovered_at)
      it->second = &visit;
  }
  for (int days : {30, 60, 90}) {
    std::set<std::string> guests;
    int64_t spent = 0;
    for (const auto& [check, visit] : by_check) {
      if (visit->at - visit->recovered_at > absl::Hours(24) * days) continue;
      guests.insert(visit->guest_key);
      spent += visit->spent_minor;
    }
    makegood::v1::WonBack& row = *report.add_won_back();
    row.set_days(days);
    row.set_guests(static_cast<int32_t>(guests.size()));
    *row.mutable_spent() = MoneyOf(spent, rules.currency());
  }
}

}  // namespace

EndOfDayReport BuildEndOfDay(const core::RecoveryRules& rules,
                             absl::string_view business_date,
                             const core::DayBounds& bounds, const DayRows& day,
                             const StaffRows& staff) {
  const std::string& currency = rules.currency();
  EndOfDayReport report;
  report.set_location_id(rules.location_id());
  report.set_location_name(rules.config().location().name());
  report.set_business_date(std::string(business_date));
  report.set_time_zone(rules.config().location().timezone());
  *report.mutable_day_start() = core::ToProto(bounds.start);
  *report.mutable_day_end() = core::ToProto(bounds.end);
  report.set_cases(static_cast<int32_t>(day.cases.size()));

  Breakdown by_category, by_item, by_station, by_hour, by_flagged_by,
      by_approver, by_kind;
  int64_t total_cost = 0;
  int remedies = 0, codes_issued = 0;
  std::vector<absl::Duration> responses;
  std::map<std::string, std::string> category_of_case;
  for (const ReportCase& c : day.cases) {
    const RecoveryCase& r = c.recovery;
    category_of_case[r.case_id()] = r.category_id();
    const absl::Time flagged_at = core::FromProto(r.flagged_at());
    int64_t case_cost = 0;
    std::optional<absl::Time> first_applied;
    for (const AppliedRemedy& remedy : r.remedies()) {
      if (remedy.has_applied_at()) {
        const absl::Time at = core::FromProto(remedy.applied_at());
        if (!first_applied || at < *first_applied) first_applied = at;
      }
      if (!core::CountsAsGiven(remedy.status())) continue;
      const int64_t cost = ReportedCost(remedy);
      case_cost += cost;
      ++remedies;
      if (!remedy.discount_code().empty()) ++codes_issued;
      by_kind.Add(makegood::v1::RemedyKind_Name(remedy.kind()),
                  makegood::v1::RemedyKind_Name(remedy.kind()), 1, cost);
      if (!remedy.approved_by().empty()) {
        by_approver.Add(remedy.approved_by(),
                        NameOf(rules, remedy.approved_by()), 1, cost);
      }
    }
    total_cost += case_cost;
    if (first_applied) responses.push_back(*first_applied - flagged_at);
    by_category.Add(r.category_id(), CategoryLabel(rules, r.category_id()), 1,
                    case_cost);
    by_hour.Add(absl::FormatTime("%H", flagged_at, rules.time_zone()), "", 1,
                case_cost);
    by_flagged_by.Add(r.flagged_by(), NameOf(rules, r.flagged_by()), 1,
                      case_cost);
    std::set<std::string> items, stations;  // A case counts once per key.
    for (const ReportLine& line : c.lines) {
      int64_t line_cost = 0;
      for (const AppliedRemedy& remedy : r.remedies()) {
        if (remedy.line_id() == line.line_id) line_cost += ReportedCost(remedy);
      }
      if (!line.sku.empty()) {
        by_item.Add(line.sku, line.name, items.insert(line.sku).second ? 1 : 0,
                    line_cost);
      }
      if (!line.station.empty()) {
        by_station.Add(line.station, line.station,
                       stations.insert(line.station).second ? 1 : 0, line_cost);
      }
    }
    switch (r.guest_response()) {
      case makegood::v1::ACCEPTED:
        report.set_accepted(report.accepted() + 1);
        break;
      case makegood::v1::DECLINED:
        report.set_declined(report.declined() + 1);
        break;
      case makegood::v1::LEFT:
        report.set_left(report.left() + 1);
        break;
      default:
        break;
    }
    if (!r.has_closed_at() || core::FromProto(r.closed_at()) >= bounds.end) {
      report.add_open_case_ids(r.case_id());
    }
  }
  int64_t redeemed_value = 0;
  for (const RedeemedCode& code : day.redeemed_codes) {
    redeemed_value += code.amount_minor;
    const std::string code_kind =
        makegood::v1::RemedyKind_Name(makegood::v1::DISCOUNT_CODE);
    by_kind.Add(code_kind, code_kind, 0, code.amount_minor);
    const auto category = category_of_case.find(code.case_id);
    const std::string& category_id = category != category_of_case.end()
                                         ? category->second
                                         : code.category_id;
    by_category.Add(category_id, CategoryLabel(rules, category_id), 0,
                    code.amount_minor);
  }
  total_cost += redeemed_value;

  by_category.AddTo(*report.mutable_by_category(), currency);
  by_item.AddTo(*report.mutable_by_item(), currency);
  by_station.AddTo(*report.mutable_by_station(), currency);
  by_hour.AddTo(*report.mutable_by_hour(), currency, Breakdown::Order::kByKey);
  by_flagged_by.AddTo(*report.mutable_by_flagged_by(), currency);
  by_approver.AddTo(*report.mutable_by_approver(), currency);
  by_kind.AddTo(*report.mutable_remedies_by_kind(), currency);

  report.set_remedies(remedies);
  *report.mutable_recovery_cost() = MoneyOf(total_cost, currency);
  *report.mutable_sales() = MoneyOf(day.sales_minor, currency);
  report.set_cost_share_bps(ShareBps(total_cost, day.sales_minor));
  *report.mutable_codes_redeemed_value() = MoneyOf(redeemed_value, currency);
  if (!responses.empty()) {
    std::sort(responses.begin(), responses.end());
    *report.mutable_response_p50() = DurationOf(Percentile(responses, 50));
    *report.mutable_response_p90() = DurationOf(Percentile(responses, 90));
    *report.mutable_response_max() = DurationOf(responses.back());
  }
  report.set_open_at_day_end(report.open_case_ids_size());
  report.set_codes_issued(codes_issued);
  report.set_codes_redeemed(static_cast<int32_t>(day.redeemed_codes.size()));
  report.set_follow_ups_due(day.follow_ups_due);
  report.set_follow_ups_done(day.follow_ups_done);
  AddRecurring(rules, day, report);
  AddWonBack(rules, day, report);
  const auto staff_report =
      BuildStaffReport(rules, business_date, business_date, staff);
  *report.mutable_staff_outliers() = staff_report.outliers();
  return report;
}

}  // namespace makegood::report
