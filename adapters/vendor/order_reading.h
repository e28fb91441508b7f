#ifndef MAKEGOOD_ADAPTERS_VENDOR_ORDER_READING_H_
#define MAKEGOOD_ADAPTERS_VENDOR_ORDER_READING_H_

// What the vendor translators share on top of json_reader.h: ids that must
// not repeat within a payload, sums of money that must not overflow, and
// the makegood location of an order. Refusals go to the JsonReader of the
// value they are about. Not thread-safe.

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "json_reader.h"
#include "order_snapshot.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// The ids seen in one scope (the lines of an order, the checks of a
// payload). The same id twice would give two things the same event ids,
// so that makegoodd keeps one and drops the other as a duplicate.
class IdsSeen {
 public:
  IdsSeen() = default;
  IdsSeen(const IdsSeen&) = delete;
  IdsSeen& operator=(const IdsSeen&) = delete;

  // Refuses `id`, read at `at`, when it was read before ("'L1' repeats
  // order.line_items[0].uid"). Empty ids (refused where read) are skipped.
  void Add(const JsonValue& at, const std::string& id);

 private:
  std::map<std::string, std::string> paths_;  // id -> where it was first.
};

// True for an id that may go into a vendor API's URL or header as it is:
// 1 to core::kMaxIdLength letters, digits, '-' and '_' (what the vendors'
// order, merchant and restaurant ids are made of).
bool UrlSafeId(absl::string_view id);

// Refuses at `at` an `id` (read there) of which UrlSafeId is false: a
// webhook's order id is fetched from the vendor's API.
void CheckUrlSafeId(const JsonValue& at, const std::string& id);

// `total += amount`; refused at `at` when the sum does not fit int64.
void AddAmount(int64_t& total, int64_t amount, const JsonValue& at);

// Adds `modifier` (its name, quantity and price read at `at`) to `line`:
// kept by name, and its price times its quantity added to the line's unit
// price, which must already hold the line's base price. Refused at `at`
// when the name is empty or too long (core::kMaxModifierNameLength), the
// line has core::kMaxModifiersPerItem already, or the price overflows.
void AddModifier(LineSnapshot& line, ModifierSnapshot modifier,
                 const JsonValue& at);

// The makegood location of an order at `vendor_location` (Square location,
// Toast restaurant, Clover merchant, Shopify location; "" when the payload
// names none); refused at `at` with `why_none` when there is none because
// the payload names none and no makegood location is configured.
std::string OrderLocation(const VendorContext& context,
                          const std::string& vendor_location,
                          const JsonValue& at, absl::string_view why_none);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_ORDER_READING_H_
