#include "store/recurring.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/recovery_rows.h"

namespace makegood::store {
namespace {

using makegood::v1::Alert;

struct ProblemKey {
  std::string key;          // Stored: kind, id and category.
  std::string description;  // "Ribeye", "Station grill".
};

std::vector<ProblemKey> KeysOf(const core::PolicyItem& item,
                               const std::string& category_id) {
  std::vector<ProblemKey> keys;
  if (!item.sku.empty()) {
    keys.push_back({absl::StrCat("item\x1f", item.sku, "\x1f", category_id),
                    item.name.empty() ? item.sku : item.name});
  }
  if (!item.station.empty()) {
    keys.push_back(
        {absl::StrCat("station\x1f", item.station, "\x1f", category_id),
         absl::StrCat("Station ", item.station)});
  }
  return keys;
}

}  // namespace

absl::StatusOr<std::vector<Alert>> RecordProblemKeys(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::RecoveryCase& recovery,
    const std::vector<core::PolicyItem>& flagged) {
  const core::RecoveryRules& rules = *call.rules;
  const auto& recurring = rules.config().recurring();
  const int64_t now_us = absl::ToUnixMicros(call.now);
  const int64_t since_us =
      now_us - int64_t{recurring.window_minutes()} * 60 * 1000 * 1000;
  std::vector<Alert> alerts;
  for (const core::PolicyItem& item : flagged) {
    for (const ProblemKey& key : KeysOf(item, recovery.category_id())) {
      auto insert = db.Prepare(
          "INSERT OR IGNORE INTO problem_keys(location_id, problem_key, "
          "flagged_at_us, case_id) VALUES(?1,?2,?3,?4)");
      if (!insert.ok()) return insert.status();
      if (auto s = (*insert)
                       ->Bind(1, recovery.location_id())
                       .Bind(2, key.key)
                       .Bind(3, now_us)
                       .Bind(4, recovery.case_id())
                       .Run();
          !s.ok())
        return s;
      // Counting stops one past the threshold: only the flag that reaches
      // it alerts, and the read stays short however busy the window is.
      auto count = db.Prepare(
          "SELECT count(*), min(flagged_at_us) FROM (SELECT flagged_at_us "
          "FROM problem_keys WHERE location_id=?1 AND problem_key=?2 AND "
          "flagged_at_us>=?3 ORDER BY flagged_at_us DESC LIMIT ?4)");
      if (!count.ok()) return count.status();
      Statement& row = **count;
      auto found = row.Bind(1, recovery.location_id())
                       .Bind(2, key.key)
                       .Bind(3, since_us)
                       .Bind(4, int64_t{recurring.count()} + 1)
                       .Step();
      if (!found.ok()) return found.status();
      if (row.Int(0) != recurring.count()) continue;
      const auto* category = rules.FindCategory(recovery.category_id());
      const absl::Time first = absl::FromUnixMicros(row.Int(1));
      Alert alert;
      alert.set_alert_id(NewId("AL-", call.now));
      alert.set_kind(Alert::RECURRING_PROBLEM);
      alert.set_check_id(recovery.check_id());
      alert.set_message(absl::StrCat(
          key.description, " flagged ", recurring.count(), " times for ",
          category != nullptr ? category->label() : recovery.category_id(),
          " between ", absl::FormatTime("%H:%M", first, rules.time_zone()),
          " and ", absl::FormatTime("%H:%M", call.now, rules.time_zone())));
      alerts.push_back(std::move(alert));
    }
  }
  return alerts;
}

}  // namespace makegood::store
