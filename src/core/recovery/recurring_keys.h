#ifndef MAKEGOOD_CORE_RECOVERY_RECURRING_KEYS_H_
#define MAKEGOOD_CORE_RECOVERY_RECURRING_KEYS_H_

// Recurring problems ("Ribeye flagged 3 times for Cold food between 19:00
// and 20:30"): the same item (by SKU) with the same category, or the same
// station with the same category, flagged `recurring.count` times within
// `recurring.window_minutes` (both ends included) raises one
// RECURRING_PROBLEM alert, on the flag that reaches the count.
// Pure; thread-safe.

#include <string>
#include <vector>

#include "core/policy.h"

namespace makegood::core {

struct ProblemKey {
  std::string key;  // As stored: kind, id and category.
  // The item's name (its SKU when the POS sent none) for an item's key;
  // the station for a station's.
  std::string item_name;
  std::string station;
};

std::vector<ProblemKey> ProblemKeysOf(const PolicyItem& item,
                                      const std::string& category_id);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_RECURRING_KEYS_H_
