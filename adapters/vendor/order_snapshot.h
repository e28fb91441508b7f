#ifndef MAKEGOOD_ADAPTERS_VENDOR_ORDER_SNAPSHOT_H_
#define MAKEGOOD_ADAPTERS_VENDOR_ORDER_SNAPSHOT_H_

// What a vendor's order says about one check at one moment, in makegood's
// terms. Each vendor's parser fills it from its payload; EventsFor turns it
// into OrderEvents. Only what the vendor expresses is filled in: Square and
// Clover have no fired or served state, for example.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace makegood::adapters {

// An option or modifier on one unit of a line.
struct ModifierSnapshot {
  std::string name;
  int32_t quantity = 1;  // On one unit of the line; 0 for "no cheese".
  int64_t unit_price_minor = 0;
};

// Times are the vendor's own for each change; InfinitePast when the vendor
// does not state one, and the event then takes the order's updated_at (a
// line added in the first snapshot of its check: the check's opened_at).
struct LineSnapshot {
  enum class State { kOrdered, kFired, kServed, kVoided };

  std::string line_id;
  std::string sku;
  std::string name;
  int32_t quantity = 1;
  // One unit, its modifiers included (each modifier's unit price times its
  // quantity), before discounts.
  int64_t unit_price_minor = 0;
  std::vector<ModifierSnapshot> modifiers;
  State state = State::kOrdered;
  std::string void_reason;
  absl::Time added_at = absl::InfinitePast();
  absl::Time fired_at = absl::InfinitePast();
  absl::Time served_at = absl::InfinitePast();
  absl::Time voided_at = absl::InfinitePast();
  // Money off this line by discount id, in minor units.
  std::map<std::string, int64_t> discounts;
  // The discounts above that makegood wrote (they carry its marker,
  // remedy_marker.h): discount id -> the remedy command's id.
  std::map<std::string, std::string> remedy_discounts;
};

struct OrderSnapshot {
  std::string source;       // "square", "toast", ...: the event source.
  std::string location_id;  // makegood's location.
  std::string check_id;     // The vendor's check (or order) id.
  std::string currency;
  // Orders the snapshots of one check: the vendor's version or its last
  // modification time in microseconds; a smaller one is older.
  int64_t version = 0;
  absl::Time opened_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  std::string table;
  std::string server_id;
  int32_t guest_count = 0;
  std::vector<LineSnapshot> lines;
  // Money off the whole check by discount id.
  std::map<std::string, int64_t> check_discounts;
  // The check discounts makegood wrote: discount id -> command id.
  std::map<std::string, std::string> remedy_check_discounts;
  // Discount codes redeemed on the check, with the money they took off.
  std::map<std::string, int64_t> redeemed_codes;
  bool paid = false;
  int64_t paid_total_minor = 0;
  int64_t tip_minor = 0;
  absl::Time paid_at = absl::InfinitePast();
  bool closed = false;
  absl::Time closed_at = absl::InfinitePast();
  // The vendor's own figure for what the lines that are not voided are
  // worth before discounts, modifiers included and tax, tips and service
  // charges not (Square's gross sales, Toast's pre-discount prices,
  // Shopify's total_line_items_price), when the payload states one. The
  // lines' unit_price_minor × quantity must add up to it
  // (GrossMismatch in snapshot_events.h).
  std::optional<int64_t> stated_gross_minor;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_ORDER_SNAPSHOT_H_
