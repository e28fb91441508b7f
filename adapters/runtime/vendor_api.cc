#include "vendor_api.h"

#include "translate.h"
#include "vendor_http.h"

namespace makegood::adapters {

absl::StatusOr<VendorPayload> VendorApi::Parse(const std::string& body) const {
  return ParseVendorPayload(vendor_, body, context_);
}

absl::StatusOr<std::string> VendorApi::FetchOrder(const OrderToFetch&) const {
  return absl::FailedPreconditionError(
      vendor_ + " webhooks carry the whole order; nothing to fetch");
}

absl::StatusOr<CommandOutcome> VendorApi::FetchFailed(
    const absl::Status& status) {
  if (status.code() == absl::StatusCode::kUnavailable ||
      IsVendorAuthError(status)) {
    return status;
  }
  return CommandOutcome::Rejected(std::string(status.message()));
}

}  // namespace makegood::adapters
