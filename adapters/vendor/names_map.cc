#include "names_map.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/event_validation.h"

namespace makegood::adapters {
namespace {

// The vendor's id by `names`, or as it is when `names` has none for it.
std::string Mapped(std::string vendor_id,
                   const std::map<std::string, std::string>& names) {
  if (vendor_id.empty()) return vendor_id;
  auto it = names.find(vendor_id);
  return it == names.end() ? std::move(vendor_id) : it->second;
}

}  // namespace

OrderSnapshot WithConfiguredNames(OrderSnapshot order,
                                  const VendorContext& context) {
  order.server_id = Mapped(std::move(order.server_id), context.staff_map);
  order.table = Mapped(std::move(order.table), context.table_map);
  return order;
}

absl::Status CheckStaffMapEntry(absl::string_view vendor_id,
                                absl::string_view staff_id) {
  if (vendor_id.empty()) {
    return absl::InvalidArgumentError("a vendor employee id is empty");
  }
  if (staff_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", vendor_id, "': the staff id is empty"));
  }
  if (staff_id.size() > core::kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", vendor_id, "': the staff id is ", staff_id.size(),
        " bytes; makegood's ids are at most ", core::kMaxIdLength));
  }
  return absl::OkStatus();
}

absl::Status CheckTableMapEntry(absl::string_view vendor_id,
                                absl::string_view table) {
  if (vendor_id.empty()) {
    return absl::InvalidArgumentError("a vendor table id is empty");
  }
  if (table.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", vendor_id, "': the table name is empty"));
  }
  return absl::OkStatus();
}

}  // namespace makegood::adapters
