#ifndef MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_
#define MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_

// One parser per vendor: a webhook body or an order object (parsed with
// ParseExactJson) to order snapshots and the orders still to fetch.
// INVALID_ARGUMENT naming the field for a payload they cannot read. What
// each vendor cannot express is listed in adapters/<vendor>/README.md.

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "vendor_payload.h"

namespace makegood::adapters {

// Square: an order, {"order": ...} (RetrieveOrder), or an order.* webhook,
// which is thin: its order is to be fetched.
absl::StatusOr<VendorPayload> ParseSquarePayload(const nlohmann::json& payload,
                                                 const VendorContext& context);

// Toast: an order_updated webhook (the full order) or an order; each check
// is a makegood check. Needs context.currency.
absl::StatusOr<VendorPayload> ParseToastPayload(const nlohmann::json& payload,
                                                const VendorContext& context);

// Clover: an order (expanded with lineItems, discounts, payments) or a
// webhook, a doorbell naming orders to fetch.
absl::StatusOr<VendorPayload> ParseCloverPayload(const nlohmann::json& payload,
                                                 const VendorContext& context);

// The merchant id in a Clover order's href (".../merchants/<mId>/...").
std::string CloverMerchantOf(const nlohmann::json& order);

// Shopify: an order, bare or as {"order": ...} (the orders/* webhooks).
absl::StatusOr<VendorPayload> ParseShopifyPayload(const nlohmann::json& payload,
                                                  const VendorContext& context);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_
