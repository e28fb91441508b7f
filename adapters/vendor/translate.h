#ifndef MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_
#define MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_

// The adapters' translate mode as a function: a vendor payload's bytes to
// the OrderEvents it yields on its own (no network, no earlier state), and
// the orders a live adapter would fetch first. Whatever the bytes, the
// answer is a translation whose events all pass the contract's checks
// (core::ValidateOrderEvent) or an error; nothing throws. Thread-safe.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/order_events.pb.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// "square", "toast", "clover", "shopify": the one list of vendors, from
// which the command line's subcommands and messages come.
const std::vector<std::string>& KnownVendors();

// OK for a known vendor; INVALID_ARGUMENT "unknown vendor 'x'; known:
// square, toast, clover, shopify" otherwise.
absl::Status CheckVendor(absl::string_view vendor);

struct Translation {
  std::string event_id;  // The delivery's id, "" when the vendor has none.
  std::vector<makegood::v1::OrderEvent> events;
  std::vector<OrderToFetch> fetch;
  std::vector<std::string> warnings;  // VendorPayload::warnings.
};

// The vendor's parser on `payload` (vendor_parsers.h), with every event its
// orders can yield checked against the contract (ids present and short
// enough, amounts not negative, times in range, event ids unique).
// INVALID_ARGUMENT for an unknown vendor, a context.source that is empty
// or too long, or a payload that is not one of the vendor's webhooks,
// orders or lists of orders: "<field path>: <problem>". UNIMPLEMENTED for a
// well-formed delivery of a kind that carries no order to translate (a
// Square webhooks.test_notification, a Toast webhook without an order, a
// Shopify refund): a running adapter skips it. INTERNAL (never expected)
// when the parser failed in a way it did not foresee.
absl::StatusOr<VendorPayload> ParseVendorPayload(const std::string& vendor,
                                                 absl::string_view payload,
                                                 const VendorContext& context);

// The same errors as ParseVendorPayload.
absl::StatusOr<Translation> Translate(const std::string& vendor,
                                      absl::string_view payload,
                                      const VendorContext& context);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_TRANSLATE_H_
