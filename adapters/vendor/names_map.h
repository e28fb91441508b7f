#ifndef MAKEGOOD_ADAPTERS_VENDOR_NAMES_MAP_H_
#define MAKEGOOD_ADAPTERS_VENDOR_NAMES_MAP_H_

// Staff and tables by makegood's names: the vendor's employee and table ids
// in a snapshot replaced by what the configuration maps them to
// (VendorContext::staff_map and table_map, from AdapterConfig's staff_map
// and table_map or translate's --staff-map and --table-map), so that a
// report by server names makegood's staff. ParseVendorPayload applies it to
// every snapshot a parser made, so the live adapter and translate agree.
// Pure; thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "order_snapshot.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// `order` with its server_id replaced by context.staff_map's staff id and
// its table by context.table_map's name. An id its map does not have
// (a server or table not configured yet) stays as the vendor sent it, so
// that the check still names who and where; an empty one stays empty.
OrderSnapshot WithConfiguredNames(OrderSnapshot order,
                                  const VendorContext& context);

// OK when `vendor_id` -> `staff_id` can be a staff_map entry, else
// INVALID_ARGUMENT saying what is wrong, for the caller to put after the
// setting's name: "a vendor employee id is empty", "'E1': the staff id is
// empty", "'E1': the staff id is 130 bytes; makegood's ids are at most 128"
// (core::kMaxIdLength).
absl::Status CheckStaffMapEntry(absl::string_view vendor_id,
                                absl::string_view staff_id);

// The same for a table_map entry: "a vendor table id is empty", "'T1': the
// table name is empty".
absl::Status CheckTableMapEntry(absl::string_view vendor_id,
                                absl::string_view table);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_NAMES_MAP_H_
