#ifndef MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_
#define MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_

// The adapters' translate mode as a function: a vendor payload's bytes to
// the OrderEvents it yields on its own (no network, no earlier state), and
// the orders a live adapter would fetch first.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/order_events.pb.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// "square", "toast", "clover", "shopify".
const std::vector<std::string>& KnownVendors();

struct Translation {
  std::string event_id;  // The delivery's id, "" when the vendor has none.
  std::vector<makegood::v1::OrderEvent> events;
  std::vector<OrderToFetch> fetch;
};

// The vendor's parser on `payload` (vendor_parsers.h). INVALID_ARGUMENT for
// an unknown vendor or a payload that is not one of its webhooks or orders,
// naming the field.
absl::StatusOr<VendorPayload> ParseVendorPayload(const std::string& vendor,
                                                 absl::string_view payload,
                                                 const VendorContext& context);

// The same errors as ParseVendorPayload.
absl::StatusOr<Translation> Translate(const std::string& vendor,
                                      absl::string_view payload,
                                      const VendorContext& context);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_
