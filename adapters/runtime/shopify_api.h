#ifndef MAKEGOOD_ADAPTERS_RUNTIME_SHOPIFY_API_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_SHOPIFY_API_H_

// Shopify (REST Admin API, POS channel included).
//
// Webhooks (orders/create, orders/updated, orders/paid, ...): the full
// order, X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(client secret, body)),
// deduplicated by X-Shopify-Event-Id.
//
// Write-back: a next-visit code (DISCOUNT_CODE) becomes a price rule
// (single use, once per customer, until the code expires; the code's
// percentage or fixed amount off; titled "makegood <code> mg-<command id>")
// and a discount code with makegood's code, so the guest can use it in the
// shop and on the POS. Each is created once: the rules made since the
// command was created are read back first, and a rule with the command's
// marker, and its code, are not created again. Shopify's redemption
// then comes back in an order's discount_codes. Changing a placed order
// goes through GraphQL order editing, which this adapter does not do: comps,
// discounts and free items (COMPLIMENTARY_ITEM) on an order are REJECTED
// saying so, and the staff are offered the next option. A REMAKE is
// REJECTED too: Shopify has no kitchen to send a refire to, and the case
// says to remake the item by hand. MANAGER_VISIT changes nothing in the
// shop and is acknowledged applied.

#include <string>
#include <vector>

#include "makegood/v1/adapter_config.pb.h"
#include "vendor_api.h"
#include "vendor_http.h"

namespace makegood::adapters {

class ShopifyApi : public VendorApi {
 public:
  ShopifyApi(makegood::v1::ShopifySettings settings, VendorContext context,
             RetryPolicy retry = {});

  bool Authentic(const WebhookRequest& request) const override;
  std::string DeliveryId(const WebhookRequest& request) const override;
  absl::StatusOr<CommandOutcome> Apply(
      const makegood::v1::RemedyCommand& command,
      const WriteGate& may_write) const override;

 private:
  std::string Url(const std::string& path) const;
  std::vector<std::string> Headers() const;
  // The id of makegood's price rule for the command ("" when none): its
  // title carries the command's marker.
  absl::StatusOr<std::string> FindRule(
      const makegood::v1::RemedyCommand& command) const;
  // The id of `code` on price rule `rule_id` ("" when it has not).
  absl::StatusOr<std::string> FindCode(const std::string& rule_id,
                                       const std::string& code) const;

  const makegood::v1::ShopifySettings settings_;
  const RetryPolicy retry_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_SHOPIFY_API_H_
