#ifndef MAKEGOOD_ADAPTERS_RUNTIME_SQUARE_API_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_SQUARE_API_H_

// Square (Orders API, Square-Version 2025-08-20).
//
// Webhooks: x-square-hmacsha256-signature over notification URL + body;
// event_id deduplicates; the body only names the order, which is fetched
// with RetrieveOrder (GET /v2/orders/{id}).
//
// Write-back with UpdateOrder (PUT /v2/orders/{id}), made once: the order
// is read first, and when it already holds the discount or line whose uid
// is the command's marker "mg-<command id>" (remedy_marker.h) the command is
// APPLIED without a write. Otherwise the write goes against the current
// version with idempotency_key "<command id>@v<version>" (a retry at that
// version is answered from Square's record; a redelivery after the order
// moved on is a new request, not a reused key), a sparse order adding:
//   COMP_ITEM        100% LINE_ITEM discount applied to the line's uid
//   DISCOUNT_ITEM    percentage or FIXED_AMOUNT, LINE_ITEM scope
//   DISCOUNT_CHECK   percentage or FIXED_AMOUNT, ORDER scope
//   REMAKE           a line "REFIRE: <the problem line's name>" at base
//                    price 0, which Square sends to the kitchen display
//   COMPLIMENTARY_ITEM  a line named by the SKU at base price 0, likewise
// Both lines have the marker as uid and a note naming the case; the name
// is cut to Square's 512 characters. A REMAKE whose line is no longer on
// the order, and either line on a COMPLETED or CANCELED order, is REJECTED
// saying so, for staff to do it by hand.
// Orders not created through the API have no version and cannot be
// updated: such commands are REJECTED saying so, so staff are offered the
// next option (or refire by hand). REFUND and REPLACE are REJECTED (made
// at the register). MANAGER_VISIT and DISCOUNT_CODE change nothing on
// Square and are acknowledged as applied with a reference that says so.

#include <memory>
#include <string>

#include "makegood/v1/adapter_config.pb.h"
#include "vendor_api.h"
#include "vendor_http.h"

namespace makegood::adapters {

class SquareApi : public VendorApi {
 public:
  SquareApi(makegood::v1::SquareSettings settings, VendorContext context,
            RetryPolicy retry = {});

  bool Authentic(const WebhookRequest& request) const override;
  std::string DeliveryId(const WebhookRequest& request) const override;
  absl::StatusOr<std::string> FetchOrder(
      const OrderToFetch& order) const override;
  absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command,
      const WriteGate& may_write) const override;

 private:
  std::vector<std::string> Headers() const;

  const makegood::v1::SquareSettings settings_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_SQUARE_API_H_
