#ifndef MAKEGOOD_ADAPTERS_RUNTIME_TOAST_API_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_TOAST_API_H_

// Toast (orders API v2).
//
// Webhooks: Toast-Signature = base64(HMAC-SHA256(secret, body + timestamp)),
// the timestamp being the payload's `timestamp` field (Toast's guide says
// "the body and timestamp of the message" without naming it; confirm with
// a sandbox delivery). The event `guid` deduplicates. The body is the full
// order: nothing to fetch.
//
// Write-back: discounts the restaurant configured, posted as an array of
// AppliedDiscount to the OPEN check:
//   COMP_ITEM       {discount: comp_discount_guid} on the selection
//   DISCOUNT_ITEM   {discount: open_item_discount_guid, discountAmount} on
//                   the selection, for an amount
//   DISCOUNT_CHECK  {discount: open_check_discount_guid, discountAmount} on
//                   the check, for an amount
// with Toast-Restaurant-External-ID. A paid or closed check, a percent
// (open-percent discounts cannot be applied through the API) and a kind
// Toast cannot take are REJECTED saying so. REMAKE, MANAGER_VISIT and
// DISCOUNT_CODE change nothing on the check and are acknowledged applied.

#include <string>

#include "adapter_state.h"
#include "makegood/v1/adapter_config.pb.h"
#include "vendor_api.h"
#include "vendor_http.h"

namespace makegood::adapters {

class ToastApi : public VendorApi {
 public:
  // `state` gives the last order seen for a check: Toast's URLs need the
  // order guid and the restaurant, which commands do not carry.
  ToastApi(makegood::v1::ToastSettings settings, VendorContext context,
           AdapterState* state, RetryPolicy retry = {});

  bool Authentic(const WebhookRequest& request) const override;
  std::string DeliveryId(const WebhookRequest& request) const override;
  absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command) const override;

 private:
  const makegood::v1::ToastSettings settings_;
  AdapterState* const state_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_TOAST_API_H_
