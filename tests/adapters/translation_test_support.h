#ifndef MAKEGOOD_TESTS_ADAPTERS_TRANSLATION_TEST_SUPPORT_H_
#define MAKEGOOD_TESTS_ADAPTERS_TRANSLATION_TEST_SUPPORT_H_

// What the translators' tests share: the context a test translates in, the
// event of an id, a makegood code, and whether a fixture is one the
// translators must read.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "core/discount_code.h"
#include "makegood/v1/order_events.pb.h"
#include "support/process.h"
#include "vendor_payload.h"

namespace makegood::adapters {

// Translating for `source` into makegood's location downtown-01, with
// `currency` for the vendors whose payloads carry none.
inline VendorContext DowntownContext(const std::string& source,
                                     const std::string& currency = "") {
  VendorContext context;
  context.source = source;
  context.default_location = "downtown-01";
  context.currency = currency;
  return context;
}

// The event of id `id`, or null.
inline const makegood::v1::OrderEvent* FindEvent(
    const std::vector<makegood::v1::OrderEvent>& events,
    const std::string& id) {
  for (const makegood::v1::OrderEvent& event : events) {
    if (event.event_id() == id) return &event;
  }
  return nullptr;
}

// A code of the shape makegood issues, the same in every run.
inline std::string MakegoodCode() {
  return core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::fill(out, out + size, 7); });
}

// Whether a vendor fixture is one the translators must read: its
// checked-in expected output (X.expected.txt beside X.json) ends with "exit
// 0". The others are refusals on purpose. Sweeps over a vendor's fixtures
// use it to tell a refusal they expect from one that would hide a
// regression.
inline bool FixtureTranslates(const std::filesystem::path& payload) {
  std::filesystem::path expected = payload;
  expected.replace_extension(".expected.txt");
  return absl::EndsWith(testing::ReadFileOrEmpty(expected.string()),
                        "exit 0\n");
}

}  // namespace makegood::adapters

#endif  // MAKEGOOD_TESTS_ADAPTERS_TRANSLATION_TEST_SUPPORT_H_
