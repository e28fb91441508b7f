#ifndef MAKEGOOD_ADAPTERS_RUNTIME_CLOVER_API_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_CLOVER_API_H_

// Clover (REST v3).
//
// Webhooks are a doorbell: {"appId", "merchants": {mId: [{objectId: "O:<id>",
// type, ts}]}}, authenticated only by the static X-Clover-Auth code (no
// HMAC), with no event id (the body's hash deduplicates). Each order named
// is fetched with ?expand=lineItems,lineItems.discounts,
// lineItems.modifications,discounts,payments.
// The one-time URL verification POST ({"verificationCode"}) is logged for
// the operator to paste into the dashboard.
//
// Write-back, on an order still open:
//   COMP_ITEM        line discount {"name", "percentage": 100}
//   DISCOUNT_ITEM    line discount, whole percentage or negative "amount"
//   DISCOUNT_CHECK   order discount, the same
//   COMPLIMENTARY_ITEM  a custom line item at price 0
// then, because Clover does not recompute totals, the order's `total` is
// updated by what was taken off. A paid (locked) order and kinds Clover
// cannot take are REJECTED saying so. Each name carries makegood's marker
// ("Comp (makegood mg-<command id>)", remedy_marker.h) and each POST is
// made once: the order is read first, and a discount or line with the
// command's marker means it is applied already.

#include <string>

#include "adapter_state.h"
#include "makegood/v1/adapter_config.pb.h"
#include "vendor_api.h"
#include "vendor_http.h"

namespace makegood::adapters {

class CloverApi : public VendorApi {
 public:
  CloverApi(makegood::v1::CloverSettings settings, VendorContext context,
            AdapterState* state, RetryPolicy retry = {});

  std::optional<std::string> Handshake(
      const WebhookRequest& request) const override;
  bool Authentic(const WebhookRequest& request) const override;
  std::string DeliveryId(const WebhookRequest& request) const override;
  absl::StatusOr<std::string> FetchOrder(
      const OrderToFetch& order) const override;
  absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command,
      const WriteGate& may_write) const override;

 private:
  std::vector<std::string> Headers() const;

  const makegood::v1::CloverSettings settings_;
  AdapterState* const state_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_CLOVER_API_H_
