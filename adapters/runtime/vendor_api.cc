#include "vendor_api.h"

#include "translate.h"

namespace makegood::adapters {

absl::StatusOr<VendorPayload> VendorApi::Parse(const std::string& body) const {
  return ParseVendorPayload(vendor_, body, context_);
}

absl::StatusOr<std::string> VendorApi::FetchOrder(const OrderToFetch&) const {
  return absl::FailedPreconditionError(
      vendor_ + " webhooks carry the whole order; nothing to fetch");
}

}  // namespace makegood::adapters
