#ifndef MAKEGOOD_TESTS_FUZZ_VENDOR_PAYLOAD_FUZZ_H_
#define MAKEGOOD_TESTS_FUZZ_VENDOR_PAYLOAD_FUZZ_H_

// The body of the vendor_<name> fuzz targets: any bytes through a vendor's
// translate mode (adapters/vendor/translate.h), as a webhook body or an
// order object would arrive.
//
// Invariants: a payload is refused with INVALID_ARGUMENT and a message, or
// translated; the parse alone agrees with the translation; every event
// comes from the adapter's own source and a location the context maps to,
// has one currency per check, prints as a JSON line that reads back the
// same, and passes makegoodd's validation (core/event_validation.h), so
// that no translation is something makegoodd would refuse.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/event_json.h"
#include "core/event_validation.h"
#include "fuzz_support.h"
#include "proto_compare.h"
#include "translate.h"

namespace makegood::fuzz {

// The amounts an event carries.
inline std::vector<const v1::Money*> AmountsOf(const v1::OrderEvent& event) {
  std::vector<const v1::Money*> amounts;
  if (event.has_item_added() && event.item_added().has_unit_price()) {
    amounts.push_back(&event.item_added().unit_price());
  }
  if (event.has_item_discounted() && event.item_discounted().has_amount()) {
    amounts.push_back(&event.item_discounted().amount());
  }
  if (event.has_discount_code_redeemed() &&
      event.discount_code_redeemed().has_amount()) {
    amounts.push_back(&event.discount_code_redeemed().amount());
  }
  if (event.has_check_paid()) {
    if (event.check_paid().has_total()) {
      amounts.push_back(&event.check_paid().total());
    }
    if (event.check_paid().has_tip()) {
      amounts.push_back(&event.check_paid().tip());
    }
  }
  return amounts;
}

inline int FuzzVendorPayload(const std::string& vendor, const uint8_t* data,
                             size_t size) {
  const absl::string_view payload(reinterpret_cast<const char*>(data), size);
  adapters::VendorContext context;
  context.source = vendor;
  context.default_location = "downtown-01";
  context.locations = {{"L-UPTOWN", "uptown-02"}};
  context.currency = "USD";

  auto translation = adapters::Translate(vendor, payload, context);
  if (!translation.ok()) {
    // INVALID_ARGUMENT: a malformed payload; UNIMPLEMENTED: a well-formed
    // one that carries no order (a test notification, a refund webhook).
    FUZZ_CHECK(
        translation.status().code() == absl::StatusCode::kInvalidArgument ||
            translation.status().code() == absl::StatusCode::kUnimplemented,
        translation.status().ToString());
    FUZZ_CHECK(!translation.status().message().empty(),
               "a refusal without a message");
    return 0;
  }
  auto parsed = adapters::ParseVendorPayload(vendor, payload, context);
  FUZZ_CHECK(parsed.ok(), "the payload translates but does not parse: " +
                              parsed.status().ToString());
  FUZZ_CHECK(parsed->event_id == translation->event_id,
             "the parse and the translation name different deliveries");
  FUZZ_CHECK(parsed->fetch.size() == translation->fetch.size(),
             "the parse and the translation fetch different orders");
  for (const adapters::OrderToFetch& order : translation->fetch) {
    FUZZ_CHECK(!order.order_id.empty(), "an order to fetch without its id");
  }

  std::map<std::string, std::string> currency_of_check;
  for (const v1::OrderEvent& event : translation->events) {
    for (const v1::Money* amount : AmountsOf(event)) {
      auto [known, added] =
          currency_of_check.emplace(event.check_id(), amount->currency());
      FUZZ_CHECK(added || known->second == amount->currency(),
                 absl::StrCat("check ", Shown(event.check_id()), " has ",
                              Shown(known->second), " and ",
                              Shown(amount->currency()), " amounts"));
    }
  }
  for (const v1::OrderEvent& event : translation->events) {
    const std::string line = core::OrderEventJsonLine(event);
    FUZZ_CHECK(event.source() == vendor, "an event of another source: " + line);
    FUZZ_CHECK(event.location_id() == "downtown-01" ||
                   event.location_id() == "uptown-02",
               "an event of a location the context does not name: " + line);
    // A translation carries the payload's own times: no clock to skew from.
    core::EventValidationContext validation{event.location_id(), "USD",
                                            absl::InfiniteFuture()};
    if (auto known = currency_of_check.find(event.check_id());
        known != currency_of_check.end()) {
      validation.currency = known->second;
    }
    const absl::Status valid = core::ValidateOrderEvent(event, validation);
    FUZZ_CHECK(valid.ok(), absl::StrCat("makegoodd would refuse the event (",
                                        valid.ToString(), "): ", line));
    auto again = core::ParseOrderEventJson(line);
    FUZZ_CHECK(again.ok(),
               absl::StrCat("an event's line does not read back (",
                            again.status().ToString(), "): ", line));
    const std::string differences = Differences(event, *again);
    FUZZ_CHECK(differences.empty(),
               absl::StrCat("an event's line reads back different: ", line,
                            "\n", differences));
  }
  return 0;
}

}  // namespace makegood::fuzz

#endif  // MAKEGOOD_TESTS_FUZZ_VENDOR_PAYLOAD_FUZZ_H_
