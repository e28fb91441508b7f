#include "report/breakdown.h"

#include <algorithm>
#include <vector>

namespace makegood::report {

makegood::v1::Money MoneyOf(int64_t minor_units, absl::string_view currency) {
  makegood::v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency(std::string(currency));
  return money;
}

int32_t ShareBps(int64_t part, int64_t whole) {
  if (whole == 0) return 0;
  return static_cast<int32_t>((part * 10000 * 2 + whole) / (2 * whole));
}

std::string NameOf(const core::RecoveryRules& rules, absl::string_view id) {
  for (const auto* list :
       {&rules.config().staff(), &rules.config().devices()}) {
    for (const auto& credential : *list) {
      if (credential.id() == id && !credential.name().empty())
        return credential.name();
    }
  }
  return std::string(id);
}

void Breakdown::Add(const std::string& key, const std::string& label, int count,
                    int64_t cost_minor) {
  Entry& entry = entries_[key];
  if (entry.label.empty()) entry.label = label;
  entry.count += count;
  entry.cost_minor += cost_minor;
}

void Breakdown::AddTo(
    google::protobuf::RepeatedPtrField<makegood::v1::CountRow>& rows,
    absl::string_view currency, Order order) const {
  std::vector<const std::pair<const std::string, Entry>*> sorted;
  for (const auto& entry : entries_) sorted.push_back(&entry);
  if (order == Order::kMostFrequentFirst) {
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
      return a->second.count > b->second.count;
    });
  }
  for (const auto* entry : sorted) {
    makegood::v1::CountRow& row = *rows.Add();
    row.set_key(entry->first);
    row.set_label(entry->second.label);
    row.set_count(entry->second.count);
    *row.mutable_cost() = MoneyOf(entry->second.cost_minor, currency);
  }
}

}  // namespace makegood::report
