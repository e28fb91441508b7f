#ifndef MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_
#define MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_

// What one vendor payload (a webhook body, an order object or a list of
// orders) holds, and the settings its parser needs.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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
  // The vendor's employee id to makegood's staff id (makegoodd's
  // staff[].id), and the vendor's table id to the table's name: each
  // snapshot's server_id and table are mapped by them (names_map.h). An id
  // that is not in its map stays as the vendor sent it.
  std::map<std::string, std::string> staff_map;
  std::map<std::string, std::string> table_map;
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
  // What is translated but doubtful, for the operator's log: a check whose
  // lines do not add up to the vendor's own figure (GrossMismatch).
  std::vector<std::string> warnings;
};

// Lenient readers for the runtime's look at vendor API answers (errors,
// ids, markers), where a missing or odd field only means "not found". The
// translators read payloads with json_reader.h, which refuses them.

// The string at `object[key]`; numbers as their text; "" when missing/null.
std::string TextAt(const nlohmann::json& object, const char* key);

// Null-safe readers: a missing or null field gives the default.
bool BoolAt(const nlohmann::json& object, const char* key);
int64_t IntAt(const nlohmann::json& object, const char* key,
              int64_t fallback = 0);
const nlohmann::json& ArrayAt(const nlohmann::json& object, const char* key);
const nlohmann::json& ObjectAt(const nlohmann::json& object, const char* key);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PAYLOAD_H_
