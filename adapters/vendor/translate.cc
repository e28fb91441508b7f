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

absl::StatusOr<Translation> Translate(const std::string& vendor,
                                      absl::string_view payload,
                                      const VendorContext& context) {
  auto json = ParseExactJson(payload);
  if (!json.ok()) return json.status();
  absl::StatusOr<VendorPayload> parsed;
  if (vendor == "square") {
    parsed = ParseSquarePayload(*json, context);
  } else if (vendor == "toast") {
    parsed = ParseToastPayload(*json, context);
  } else if (vendor == "clover") {
    parsed = ParseCloverPayload(*json, context);
  } else if (vendor == "shopify") {
    parsed = ParseShopifyPayload(*json, context);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown vendor '", vendor,
                     "' (known: ", absl::StrJoin(KnownVendors(), ", "), ")"));
  }
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
