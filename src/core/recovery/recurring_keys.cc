#include "core/recovery/recurring_keys.h"

#include "absl/strings/str_cat.h"

namespace makegood::core {

std::vector<ProblemKey> ProblemKeysOf(const PolicyItem& item,
                                      const std::string& category_id) {
  std::vector<ProblemKey> keys;
  if (!item.sku.empty()) {
    keys.push_back({absl::StrCat("item\x1f", item.sku, "\x1f", category_id),
                    item.name.empty() ? item.sku : item.name, ""});
  }
  if (!item.station.empty()) {
    keys.push_back(
        {absl::StrCat("station\x1f", item.station, "\x1f", category_id), "",
         item.station});
  }
  return keys;
}

}  // namespace makegood::core
