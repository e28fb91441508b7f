#include "snapshot_events.h"

#include <limits>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/discount_code.h"
#include "core/event_validation.h"
#include "core/proto_time.h"
#include "core/sha256.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;
using State = LineSnapshot::State;

// Ranks states so that a later one implies the earlier ones, except voided,
// which stands apart.
int Progress(State state) {
  switch (state) {
    case State::kOrdered:
      return 0;
    case State::kFired:
      return 1;
    case State::kServed:
      return 2;
    case State::kVoided:
      return 0;
  }
  return 0;
}

class Builder {
 public:
  explicit Builder(const OrderSnapshot& order) : order_(order) {}

  OrderEvent& Add(const std::string& id_suffix, absl::Time at) {
    OrderEvent& event = events_.emplace_back();
    std::string id = absl::StrCat(order_.check_id, "/", id_suffix);
    // Long ids of the vendor's make a long event id: its hash is as stable
    // and as unique, and fits the contract.
    if (id.size() > core::kMaxIdLength) id = "sha256:" + core::Sha256Hex(id);
    event.set_event_id(std::move(id));
    event.set_source(order_.source);
    event.set_location_id(order_.location_id);
    event.set_check_id(order_.check_id);
    const absl::Time when = at != absl::InfinitePast() ? at : order_.opened_at;
    *event.mutable_occurred_at() = core::ToProto(when);
    return event;
  }

  // Marks `event` as makegood's own change when `remedies` names the
  // discount: it confirms that command and is no POS discount.
  static void SetOrigin(OrderEvent& event, const std::string& discount_id,
                        const std::map<std::string, std::string>& remedies) {
    auto remedy = remedies.find(discount_id);
    if (remedy == remedies.end()) return;
    event.set_origin(makegood::v1::ORIGIN_MAKEGOOD);
    event.set_command_id(remedy->second);
  }

  void SetMoney(makegood::v1::Money& money, int64_t minor_units) {
    money.set_minor_units(minor_units);
    money.set_currency(order_.currency);
  }

  std::vector<OrderEvent> Take() { return std::move(events_); }

 private:
  const OrderSnapshot& order_;
  std::vector<OrderEvent> events_;
};

// The vendor's time of a change when it states one, else `fallback`.
absl::Time Or(absl::Time stated, absl::Time fallback) {
  return stated != absl::InfinitePast() ? stated : fallback;
}

const LineSnapshot* FindLine(const OrderSnapshot* order,
                             const std::string& line_id) {
  if (order == nullptr) return nullptr;
  for (const LineSnapshot& line : order->lines) {
    if (line.line_id == line_id) return &line;
  }
  return nullptr;
}

}  // namespace

std::vector<OrderEvent> EventsFor(const OrderSnapshot* previous,
                                  const OrderSnapshot& current) {
  if (previous != nullptr && current.version < previous->version) return {};
  Builder out(current);
  const absl::Time changed_at = current.updated_at != absl::InfinitePast()
                                    ? current.updated_at
                                    : current.opened_at;
  if (previous == nullptr) {
    auto& opened = *out.Add("opened", current.opened_at).mutable_check_opened();
    opened.set_table(current.table);
    opened.set_server_id(current.server_id);
    opened.set_guest_count(current.guest_count);
  }
  for (const LineSnapshot& line : current.lines) {
    const LineSnapshot* before = FindLine(previous, line.line_id);
    const std::string prefix = absl::StrCat(line.line_id, "/");
    if (before == nullptr) {
      // A line the vendor does not date is as old as the check when it is
      // in the first snapshot, and as the change that brought it after.
      const absl::Time first_seen =
          previous == nullptr ? current.opened_at : changed_at;
      auto& added = *out.Add(prefix + "added", Or(line.added_at, first_seen))
                         .mutable_item_added();
      added.set_line_id(line.line_id);
      added.set_sku(line.sku);
      added.set_name(line.name);
      added.set_quantity(line.quantity);
      out.SetMoney(*added.mutable_unit_price(), line.unit_price_minor);
      for (const ModifierSnapshot& modifier : line.modifiers) {
        auto& chosen = *added.add_modifiers();
        chosen.set_name(modifier.name);
        chosen.set_quantity(modifier.quantity);
        out.SetMoney(*chosen.mutable_unit_price(), modifier.unit_price_minor);
      }
    }
    const int had = before == nullptr ? 0 : Progress(before->state);
    if (Progress(line.state) >= 1 && had < 1) {
      out.Add(prefix + "fired", Or(line.fired_at, changed_at))
          .mutable_item_fired()
          ->set_line_id(line.line_id);
    }
    if (Progress(line.state) >= 2 && had < 2) {
      out.Add(prefix + "served", Or(line.served_at, changed_at))
          .mutable_item_served()
          ->set_line_id(line.line_id);
    }
    if (line.state == State::kVoided &&
        (before == nullptr || before->state != State::kVoided)) {
      auto& voided = *out.Add(prefix + "voided", Or(line.voided_at, changed_at))
                          .mutable_item_voided();
      voided.set_line_id(line.line_id);
      voided.set_reason(line.void_reason);
    }
    for (const auto& [discount_id, amount] : line.discounts) {
      if (amount <= 0) continue;  // Declined by the POS (not discountable).
      if (before != nullptr && before->discounts.count(discount_id)) continue;
      OrderEvent& event =
          out.Add(absl::StrCat(prefix, "discount/", discount_id), changed_at);
      Builder::SetOrigin(event, discount_id, line.remedy_discounts);
      auto& discounted = *event.mutable_item_discounted();
      discounted.set_line_id(line.line_id);
      discounted.set_discount_id(discount_id);
      out.SetMoney(*discounted.mutable_amount(), amount);
    }
  }
  for (const auto& [discount_id, amount] : current.check_discounts) {
    if (amount <= 0) continue;
    if (previous != nullptr && previous->check_discounts.count(discount_id)) {
      continue;
    }
    OrderEvent& event =
        out.Add(absl::StrCat("discount/", discount_id), changed_at);
    Builder::SetOrigin(event, discount_id, current.remedy_check_discounts);
    auto& discounted = *event.mutable_item_discounted();
    discounted.set_discount_id(discount_id);
    out.SetMoney(*discounted.mutable_amount(), amount);
  }
  for (const auto& [code, amount] : current.redeemed_codes) {
    if (previous != nullptr && previous->redeemed_codes.count(code)) continue;
    // Only makegood's own next-visit codes are redemptions makegood tracks;
    // the shop's other promotion codes are plain discounts on the check.
    if (std::optional<std::string> ours = core::CanonicalDiscountCode(code)) {
      auto& redeemed = *out.Add(absl::StrCat("code/", *ours), changed_at)
                            .mutable_discount_code_redeemed();
      redeemed.set_code(*ours);
      out.SetMoney(*redeemed.mutable_amount(), amount);
    } else if (amount > 0) {
      auto& discounted =
          *out.Add(absl::StrCat("discount/code-", code), changed_at)
               .mutable_item_discounted();
      discounted.set_discount_id("code-" + code);
      discounted.set_reason("promotion code " + code);
      out.SetMoney(*discounted.mutable_amount(), amount);
    }
  }
  if (current.paid && (previous == nullptr || !previous->paid)) {
    auto& paid =
        *out.Add("paid", Or(current.paid_at, changed_at)).mutable_check_paid();
    out.SetMoney(*paid.mutable_total(), current.paid_total_minor);
    out.SetMoney(*paid.mutable_tip(), current.tip_minor);
  }
  if (current.closed && (previous == nullptr || !previous->closed)) {
    out.Add("closed", Or(current.closed_at, changed_at)).mutable_check_closed();
  }
  return out.Take();
}

std::optional<std::string> GrossMismatch(const OrderSnapshot& order) {
  if (!order.stated_gross_minor.has_value()) return std::nullopt;
  // Prices fit int64 and quantities int32 (json_reader.h): each product
  // fits 95 bits, so a sum of them cannot overflow 128.
  __int128 lines = 0;
  for (const LineSnapshot& line : order.lines) {
    if (line.state == State::kVoided) continue;
    lines += static_cast<__int128>(line.unit_price_minor) * line.quantity;
  }
  if (lines == *order.stated_gross_minor) return std::nullopt;
  const std::string sum =
      lines > std::numeric_limits<int64_t>::max()
          ? std::string("more than int64 can hold")
          : absl::StrCat(static_cast<int64_t>(lines), " minor units");
  return absl::StrCat("check ", order.check_id, ": its lines add up to ", sum,
                      ", but the vendor states ", *order.stated_gross_minor);
}

}  // namespace makegood::adapters
