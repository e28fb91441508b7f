#ifndef MAKEGOOD_CORE_EVENT_VALIDATION_H_
#define MAKEGOOD_CORE_EVENT_VALIDATION_H_

// Checks that an order event is well formed before anything of it is stored.
// Pure; thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "makegood/v1/order_events.pb.h"

namespace makegood::core {

// What an event is checked against.
struct EventValidationContext {
  // The only location this daemon serves.
  std::string location_id;
  // ISO 4217 code every amount must carry.
  std::string currency;
  // The daemon's clock when the event arrived.
  absl::Time now;
};

// Longest event_id, source, check_id or line_id accepted, in bytes.
inline constexpr size_t kMaxIdLength = 128;
// Most modifiers on one item, and the longest modifier name, in bytes.
inline constexpr int kMaxModifiersPerItem = 50;
inline constexpr size_t kMaxModifierNameLength = 200;
// How far ahead of the daemon's clock an event may claim to have happened.
inline constexpr absl::Duration kMaxClockSkew = absl::Hours(1);

// OK, or INVALID_ARGUMENT whose message starts with the offending field path
// ("item_added.quantity: must be positive, got 0").
absl::Status ValidateOrderEvent(const makegood::v1::OrderEvent& event,
                                const EventValidationContext& context);

// The name of the event's kind as in the JSON mapping ("item_added"), or
// "none" when no kind is set.
absl::string_view EventKindName(const makegood::v1::OrderEvent& event);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_EVENT_VALIDATION_H_
