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
// Write-back: discounts the restaurant configured, posted once (Toast has
// no idempotency key for it) as an array of AppliedDiscount to the OPEN
// check, with externalId "makegood:mg-<command id>" (remedy_marker.h):
//   COMP_ITEM       {discount: comp_discount_guid} on the selection
//   DISCOUNT_ITEM   {discount: open_item_discount_guid, discountAmount} on
//                   the selection, for an amount
//   DISCOUNT_CHECK  {discount: open_check_discount_guid, discountAmount} on
//                   the check, for an amount
// with Toast-Restaurant-External-ID. A paid or closed check, a percent
// (open-percent discounts cannot be applied through the API) and a kind
// Toast cannot take are REJECTED saying so. MANAGER_VISIT and
// DISCOUNT_CODE change nothing on the check and are acknowledged applied.
//
// Added lines: REMAKE posts one more selection of the problem selection's
// menu item (item, itemGroup, its modifiers, quantity 1) with a
// SPECIAL_REQUEST modifier "REFIRE: <item>" that the kitchen's tickets and
// KDS show; COMPLIMENTARY_ITEM posts the menu item whose Toast SKU (or
// guid) is the command's SKU, found on the published menus (GET
// /menus/v2/menus), with "COMPLIMENTARY: <item>". Toast fires items added
// to a fired order on a new ticket. The selection carries makegood's
// externalId. The API sets a price only for an Open Price item
// (openPriceAmount, 0 when left out; externalPriceAmount is for marketplace
// facilitators), so a line Toast prices is then given the configured Comp
// discount, with the same externalId. Two writes, each
// made once: a later try finds the line, then its comp, by the marker. A
// check that is not OPEN, a selection not on the check, a SKU no menu item
// has and an item Toast would not discount are REJECTED saying what staff
// do by hand.
//
// Before writing, the order is read back (GET /orders/v2/orders/{guid}):
// what carries the command's externalId is done already, and its check's
// current paymentStatus decides. Toast's webhooks send externalId as null,
// so a webhook whose order carries discounts is replaced by the order read
// back, where makegood's own discounts can be told apart.

#include <string>
#include <vector>

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
  absl::StatusOr<std::string> WithRemedyMarkers(
      const std::string& body) const override;
  absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command,
      const WriteGate& may_write) const override;

 private:
  // The command's check as Toast has it now (defined in the .cc).
  struct CheckNow;

  std::vector<std::string> Headers(const std::string& restaurant) const;
  // The order as the orders API has it: UNAVAILABLE, a VendorAuthError, or
  // FAILED_PRECONDITION with Toast's message.
  absl::StatusOr<std::string> ReadOrder(const std::string& order_guid,
                                        const std::string& restaurant) const;
  // The restaurant's published menus, with the same errors.
  absl::StatusOr<std::string> ReadMenus(const std::string& restaurant) const;
  // The check of `command` read back from Toast, or why it cannot be acted
  // on.
  absl::StatusOr<CheckNow> ReadCheck(
      const makegood::v1::RemedyCommand& command) const;
  // A POST made once, after `may_write`: its error, UNAVAILABLE, a
  // VendorAuthError for `what`, or Toast's answer.
  absl::StatusOr<HttpResponse> PostOnce(const std::string& url,
                                        const std::string& restaurant,
                                        const std::string& body,
                                        const std::string& what,
                                        const WriteGate& may_write) const;
  absl::StatusOr<CommandOutcome> ApplyDiscount(
      const makegood::v1::RemedyCommand& command, const CheckNow& now,
      const WriteGate& may_write) const;
  // REMAKE and COMPLIMENTARY_ITEM: the line added, then comped.
  absl::StatusOr<CommandOutcome> AddLine(
      const makegood::v1::RemedyCommand& command, const CheckNow& now,
      const WriteGate& may_write) const;

  const makegood::v1::ToastSettings settings_;
  AdapterState* const state_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_TOAST_API_H_
