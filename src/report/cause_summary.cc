#include "report/cause_summary.h"

#include <algorithm>
#include <map>

#include "report/breakdown.h"

namespace makegood::report {

makegood::v1::CauseSummaryReport BuildCauseSummary(
    const core::RecoveryRules& rules, absl::string_view first_day,
    absl::string_view last_day,
    const std::vector<makegood::v1::RecoveryCase>& cases) {
  struct Cause {
    int count = 0;
    int64_t cost_minor = 0;
    Breakdown categories, actions;
  };
  makegood::v1::CauseSummaryReport report;
  report.set_location_id(rules.location_id());
  report.set_from_date(std::string(first_day));
  report.set_to_date(std::string(last_day));
  report.set_cases(static_cast<int32_t>(cases.size()));
  std::map<int, Cause> causes;
  for (const auto& c : cases) {
    if (c.root_cause() == makegood::v1::ROOT_CAUSE_UNSPECIFIED) {
      report.set_without_cause(report.without_cause() + 1);
      continue;
    }
    Cause& cause = causes[c.root_cause()];
    cause.count += 1;
    cause.cost_minor += c.total_cost().minor_units();
    const auto* category = rules.FindCategory(c.category_id());
    cause.categories.Add(c.category_id(),
                         category != nullptr ? category->label() : "", 1,
                         c.total_cost().minor_units());
    if (!c.action_taken().empty()) {
      cause.actions.Add(c.action_taken(), c.action_taken(), 1,
                        c.total_cost().minor_units());
    }
  }
  for (const auto& [root_cause, cause] : causes) {
    makegood::v1::CauseRow& row = *report.add_causes();
    row.set_root_cause(static_cast<makegood::v1::RootCause>(root_cause));
    row.set_count(cause.count);
    *row.mutable_cost() = MoneyOf(cause.cost_minor, rules.currency());
    cause.categories.AddTo(*row.mutable_categories(), rules.currency());
    cause.actions.AddTo(*row.mutable_actions(), rules.currency());
  }
  std::stable_sort(
      report.mutable_causes()->begin(), report.mutable_causes()->end(),
      [](const auto& a, const auto& b) { return a.count() > b.count(); });
  return report;
}

}  // namespace makegood::report
