#include "translate.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exact_json.h"
#include "snapshot_events.h"
#include "vendor_parsers.h"

namespace makegood::adapters {

const std::vector<std::string>& KnownVendors() {
  static const auto* const kVendors =
      new std::vector<std::string>{"square", "toast", "clover", "shopify"};
  return *kVendors;
}

absl::StatusOr<VendorPayload> ParseVendorPayload(const std::string& vendor,
                                                 absl::string_view payload,
                                                 const VendorContext& context) {
  auto json = ParseExactJson(payload);
  if (!json.ok()) return json.status();
  if (vendor == "square") return ParseSquarePayload(*json, context);
  if (vendor == "toast") return ParseToastPayload(*json, context);
  if (vendor == "clover") return ParseCloverPayload(*json, context);
  if (vendor == "shopify") return ParseShopifyPayload(*json, context);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown vendor '", vendor,
                   "' (known: ", absl::StrJoin(KnownVendors(), ", "), ")"));
}

absl::StatusOr<Translation> Translate(const std::string& vendor,
                                      absl::string_view payload,
                                      const VendorContext& context) {
  auto parsed = ParseVendorPayload(vendor, payload, context);
  if (!parsed.ok()) return parsed.status();
  Translation out;
  out.event_id = parsed->event_id;
  out.fetch = parsed->fetch;
  for (const OrderSnapshot& order : parsed->orders) {
    for (auto& event : EventsFor(nullptr, order)) {
      out.events.push_back(std::move(event));
    }
  }
  return out;
}

}  // namespace makegood::adapters
