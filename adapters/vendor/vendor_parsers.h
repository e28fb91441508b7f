#ifndef MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_
#define MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_

// One parser per vendor: a webhook body, an order object or a list of
// orders (parsed with ParseExactJson) to order snapshots and the orders
// still to fetch. They read with json_reader.h, so a payload they cannot
// read exactly is INVALID_ARGUMENT "<field path>: <problem>"; a well-formed
// delivery that carries no order (another kind of webhook) is
// UNIMPLEMENTED; they never throw. What each vendor cannot express is listed in
// adapters/README.md.

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "vendor_payload.h"

namespace makegood::adapters {

// Square: an order, {"order": ...} (RetrieveOrder), {"orders": [...]}
// (SearchOrders, BatchRetrieveOrders), or an order.* webhook, which is
// thin: its order is to be fetched.
absl::StatusOr<VendorPayload> ParseSquarePayload(const nlohmann::json& payload,
                                                 const VendorContext& context);

// Toast: an order_updated webhook (the full order), an order, or an array
// of orders (ordersBulk); each check is a makegood check. Needs
// context.currency.
absl::StatusOr<VendorPayload> ParseToastPayload(const nlohmann::json& payload,
                                                const VendorContext& context);

// Clover: an order (expanded with lineItems, discounts, payments), a list
// of orders ({"elements": [...]}), or a webhook, a doorbell naming orders to
// fetch.
absl::StatusOr<VendorPayload> ParseCloverPayload(const nlohmann::json& payload,
                                                 const VendorContext& context);

// The merchant id in a Clover order's href (".../merchants/<mId>/...").
std::string CloverMerchantOf(const nlohmann::json& order);

// Shopify: an order, bare or as {"order": ...} (the orders/* webhooks), or
// {"orders": [...]}.
absl::StatusOr<VendorPayload> ParseShopifyPayload(const nlohmann::json& payload,
                                                  const VendorContext& context);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_VENDOR_PARSERS_H_
