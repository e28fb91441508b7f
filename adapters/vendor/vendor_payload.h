#ifndef MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_
#define MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_

// What one vendor payload (a webhook body or an order object) holds, and
// the helpers the vendor parsers share.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "order_snapshot.h"

namespace makegood::adapters {

// Settings a parser needs beyond the payload.
struct VendorContext {
  // The events' source (a vendor name by default).
  std::string source;
  // The vendor's location (Square location, Toast restaurant, Clover
  // merchant, Shopify location) to makegood's location id. An unmapped one
  // goes to `default_location`, or keeps its vendor id when that is empty.
  std::map<std::string, std::string> locations;
  std::string default_location;
  // For vendors whose payloads carry no currency (Toast).
  std::string currency;

  std::string Location(const std::string& vendor_location) const;
};

// An order the adapter must fetch from the vendor's API (thin webhooks).
struct OrderToFetch {
  std::string order_id;
  std::string vendor_location;  // Square location, Clover merchant.
  int64_t version = 0;          // When the webhook tells it.
};

struct VendorPayload {
  // The vendor's id of this delivery, to deduplicate ("" when it has none).
  std::string event_id;
  std::vector<OrderSnapshot> orders;
  std::vector<OrderToFetch> fetch;
};

// The string at `object[key]`; numbers as their text; "" when missing/null.
std::string TextAt(const nlohmann::json& object, const char* key);

// Null-safe readers: a missing or null field gives the default.
bool BoolAt(const nlohmann::json& object, const char* key);
int64_t IntAt(const nlohmann::json& object, const char* key,
              int64_t fallback = 0);
const nlohmann::json& ArrayAt(const nlohmann::json& object, const char* key);
const nlohmann::json& ObjectAt(const nlohmann::json& object, const char* key);

// `value` (a decimal string, an exact-JSON number text, or an integer) in
// minor units of `currency`. INVALID_ARGUMENT naming `path` otherwise.
absl::StatusOr<int64_t> MajorToMinor(const nlohmann::json& value,
                                     const std::string& currency,
                                     const std::string& path);

// A whole quantity ("2", 2, "2.0"); INVALID_ARGUMENT naming `path` for a
// fractional one (makegood counts items).
absl::StatusOr<int32_t> WholeQuantity(const nlohmann::json& value,
                                      const std::string& path);

// RFC 3339 ("2020-05-18T16:30:49.614Z", "2008-01-10T11:00:00-05:00") or
// Toast's "2024-04-01T15:09:30.223+0000"; INVALID_ARGUMENT naming `path`.
absl::StatusOr<absl::Time> ParseVendorTime(const std::string& text,
                                           const std::string& path);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_
