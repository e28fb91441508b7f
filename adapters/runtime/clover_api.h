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
//   REMAKE           a custom line item "REFIRE: <the problem line's name>"
//                    at price 0, with a note naming the case
//   COMPLIMENTARY_ITEM  a custom line item named by the SKU at price 0, the
//                    same
// After a discount the order's `total` is updated by what was taken off,
// because Clover does not recompute totals. After a line the order is
// printed for the kitchen with POST /v3/merchants/{mId}/print_event: a
// line added through the API is not printed by itself. A paid order
// (locked, or paymentState PAID), a REMAKE whose line is no longer on the
// order, a print Clover refuses and kinds Clover cannot take are REJECTED
// saying so, for staff to do it by hand.
// Each name carries makegood's marker ("Comp (makegood mg-<command id>)",
// remedy_marker.h; a line's name is cut to Clover's 127 characters with
// the marker kept whole) and each POST is made once: the order is read
// first, and a discount or line with the command's marker means it is
// applied already. Only the print is asked again, while the marked line
// shows unprinted (a try that ended between the two calls).

#include <string>

#include "adapter_state.h"
#include "makegood/v1/adapter_config.pb.h"
#include "nlohmann/json.hpp"
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
  // Posts makegood's `line` (a refire or free item) to the command's order
  // of `merchant`, then has it printed (PrintForKitchen).
  absl::StatusOr<CommandOutcome> AddKitchenLine(
      const makegood::v1::RemedyCommand& command, const std::string& merchant,
      const nlohmann::json& line, const WriteGate& may_write) const;
  // Prints the command's order for the kitchen, which gets makegood's line
  // `line_id` on it: APPLIED naming the line, or REJECTED with Clover's
  // reason for staff to do it by hand.
  absl::StatusOr<CommandOutcome> PrintForKitchen(
      const makegood::v1::RemedyCommand& command, const std::string& merchant,
      const std::string& line_id, const WriteGate& may_write) const;

  const makegood::v1::CloverSettings settings_;
  AdapterState* const state_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_CLOVER_API_H_
