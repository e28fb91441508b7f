#include "core/recovery/check_view.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/refusal.h"

namespace makegood::core {

using makegood::v1::Check;

bool IsSettled(const Check& check) {
  return check.state() == Check::PAID || check.state() == Check::CLOSED;
}

absl::StatusOr<PolicyInput> PolicyInputFor(
    const CheckState& state, absl::Time now,
    const std::vector<std::string>& line_ids) {
  const Check& check = state.check;
  const MoneyOff& off = state.money_off;
  PolicyInput input;
  input.now = now;
  input.check_settled = IsSettled(check);
  input.check_value_minor = check.subtotal().minor_units();
  input.check_remaining_minor =
      std::max<int64_t>(0, check.subtotal().minor_units() -
                               check.pos_discounts().minor_units() - off.total);
  std::map<std::string, PolicyItem> items;
  for (const auto& line : check.items()) {
    PolicyItem item;
    item.line_id = line.line_id();
    item.sku = line.sku();
    item.name = line.name();
    item.station = line.station();
    item.quantity = std::max(line.quantity(), 1);
    item.unit_price_minor = line.unit_price().minor_units();
    const auto taken = off.by_line.find(line.line_id());
    item.remaining_minor = std::max<int64_t>(
        0, item.unit_price_minor * item.quantity -
               line.pos_discounts().minor_units() -
               (taken == off.by_line.end() ? 0 : taken->second));
    if (line.has_ordered_at()) item.ordered_at = FromProto(line.ordered_at());
    if (line.has_fired_at()) item.fired_at = FromProto(line.fired_at());
    if (line.has_served_at()) item.served_at = FromProto(line.served_at());
    if (line.state() != makegood::v1::VOIDED) input.live_items.push_back(item);
    items[line.line_id()] = std::move(item);
  }
  for (const auto& id : line_ids) {
    auto it = items.find(id);
    if (it == items.end()) {
      return Refuse(absl::StatusCode::kNotFound,
                    makegood::v1::Error::UNKNOWN_LINE,
                    absl::StrCat("line_ids: line '", id, "' is not on check '",
                                 check.check_id(), "'"));
    }
    input.flagged.push_back(it->second);
  }
  return input;
}

bool ItemWasMade(const Check& check, const std::string& line_id) {
  for (const auto& line : check.items()) {
    if (line.line_id() == line_id)
      return line.has_fired_at() || line.has_served_at();
  }
  return false;
}

absl::StatusOr<int64_t> CostNow(const CheckState& state, absl::Time now,
                                const CompiledRemedy& remedy,
                                const std::string& line_id) {
  std::vector<std::string> lines;
  if (!line_id.empty()) lines.push_back(line_id);
  auto input = PolicyInputFor(state, now, lines);
  if (!input.ok()) return input.status();
  const int64_t cost = RemedyCost(remedy, *input);
  if (TakesMoneyOffCheck(remedy.remedy.kind()) && cost <= 0) {
    return Refuse(
        absl::StatusCode::kFailedPrecondition,
        makegood::v1::Error::NOTHING_LEFT_TO_TAKE_OFF,
        absl::StrCat("nothing is left to take off ",
                     line_id.empty()
                         ? absl::StrCat("check ", state.check.check_id())
                         : absl::StrCat("line ", line_id),
                     ": earlier discounts and remedies already cover its "
                     "value"));
  }
  return cost;
}

}  // namespace makegood::core
