#include "translate.h"

#include <exception>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/event_validation.h"
#include "exact_json.h"
#include "names_map.h"
#include "snapshot_events.h"
#include "vendor_parsers.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;

using Parser = absl::StatusOr<VendorPayload> (*)(const nlohmann::json&,
                                                 const VendorContext&);

struct Vendor {
  const char* name;
  Parser parse;
};

// Every vendor makegood translates.
constexpr Vendor kVendors[] = {
    {"square", &ParseSquarePayload},
    {"toast", &ParseToastPayload},
    {"clover", &ParseCloverPayload},
    {"shopify", &ParseShopifyPayload},
};

const Vendor* FindVendor(absl::string_view name) {
  for (const Vendor& vendor : kVendors) {
    if (name == vendor.name) return &vendor;
  }
  return nullptr;
}

bool HasAmounts(const OrderEvent& event) {
  return event.has_item_added() || event.has_item_discounted() ||
         event.has_discount_code_redeemed() || event.has_check_paid();
}

// The contract's checks on every event the payload's orders can yield
// (a diff against an earlier snapshot yields a subset of them): the last
// guard, so that no translation publishes what makegoodd would refuse or
// silently merge.
absl::Status CheckEvents(const VendorPayload& payload) {
  std::map<std::string, std::string> kinds;  // Event id -> its kind.
  for (const OrderSnapshot& order : payload.orders) {
    const std::string check = absl::StrCat("check '", order.check_id, "'");
    if (order.location_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(check, ": has no makegood location"));
    }
    core::EventValidationContext contract;
    contract.location_id = order.location_id;
    contract.currency = order.currency;
    // A translation does not know when it will arrive: makegoodd checks
    // the clock.
    contract.now = absl::InfiniteFuture();
    for (const OrderEvent& event : EventsFor(nullptr, order)) {
      if (HasAmounts(event) && order.currency.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(check, ": has amounts but no currency"));
      }
      if (absl::Status valid = core::ValidateOrderEvent(event, contract);
          !valid.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            check, ", event '", event.event_id(), "': ", valid.message()));
      }
      auto [it, added] = kinds.emplace(event.event_id(),
                                       std::string(core::EventKindName(event)));
      if (!added) {
        return absl::InvalidArgumentError(
            absl::StrCat(check, ": the payload's ids give two events (",
                         it->second, " and ", core::EventKindName(event),
                         ") the same id '", event.event_id(), "'"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& KnownVendors() {
  static const auto* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const Vendor& vendor : kVendors) names->push_back(vendor.name);
    return names;
  }();
  return *kNames;
}

absl::Status CheckVendor(absl::string_view vendor) {
  if (FindVendor(vendor) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown vendor '", vendor.substr(0, 64),
                   "'; known: ", absl::StrJoin(KnownVendors(), ", ")));
}

absl::StatusOr<VendorPayload> ParseVendorPayload(const std::string& vendor,
                                                 absl::string_view payload,
                                                 const VendorContext& context) {
  const Vendor* found = FindVendor(vendor);
  if (found == nullptr) return CheckVendor(vendor);
  if (context.source.empty() || context.source.size() > core::kMaxIdLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("source: must be 1 to ", core::kMaxIdLength,
                     " bytes, got ", context.source.size()));
  }
  try {
    auto json = ParseExactJson(payload);
    if (!json.ok()) return json.status();
    auto parsed = found->parse(*json, context);
    if (!parsed.ok()) return parsed.status();
    // Here, so that every translation (translate, the live adapter, the
    // snapshot it diffs against) names staff and tables the same way.
    for (OrderSnapshot& order : parsed->orders) {
      order = WithConfiguredNames(std::move(order), context);
    }
    if (absl::Status s = CheckEvents(*parsed); !s.ok()) return s;
    // A price the translation missed is published as translated (the
    // check stays usable for a flag) and said out loud.
    for (const OrderSnapshot& order : parsed->orders) {
      if (auto mismatch = GrossMismatch(order)) {
        parsed->warnings.push_back(std::move(*mismatch));
      }
    }
    return parsed;
  } catch (const std::exception& error) {
    // The parsers read through json_reader.h, which does not throw; this
    // is the last guard, so that no payload ends the process.
    return absl::InternalError(absl::StrCat(
        "the ", vendor, " translator failed on this payload: ", error.what()));
  }
}

absl::StatusOr<Translation> Translate(const std::string& vendor,
                                      absl::string_view payload,
                                      const VendorContext& context) {
  auto parsed = ParseVendorPayload(vendor, payload, context);
  if (!parsed.ok()) return parsed.status();
  Translation out;
  out.event_id = parsed->event_id;
  out.fetch = parsed->fetch;
  out.warnings = parsed->warnings;
  for (const OrderSnapshot& order : parsed->orders) {
    for (auto& event : EventsFor(nullptr, order)) {
      out.events.push_back(std::move(event));
    }
  }
  return out;
}

}  // namespace makegood::adapters
