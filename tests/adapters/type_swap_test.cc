// The type-swap sweep: every value of every vendor fixture in
// tests/fixtures/pos/ (the root, each member, each element) is replaced, one
// at a time, by each JSON type, and the payload translated. The answer must
// be an error that names a field path, or events that all pass the
// contract's checks (core::ValidateOrderEvent: ids present and at most 128
// bytes, amounts not negative, times in range), with unique ids, and no
// amount that became 0 where the fixture's own translation has one that is
// not: never a crash, an exception, a silent zero or invalid output.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/event_validation.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "support/process.h"
#include "translate.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;
using nlohmann::json;

// What each value is replaced by, in turn.
const std::vector<std::pair<std::string, json>>& Replacements() {
  static const auto* const kReplacements =
      new std::vector<std::pair<std::string, json>>{
          {"null", json(nullptr)},
          {"true", json(true)},
          {"0", json(0)},
          {"-1", json(-1)},
          {"1.5", json(1.5)},
          {"1e30", json::parse("1e30")},
          {"2^63", json::parse("9223372036854775808")},
          {"\"\"", json("")},
          {"\"x\"", json("x")},
          {"a long string", json(std::string(200, 'x'))},
          {"[]", json::array()},
          {"{}", json::object()},
      };
  return *kReplacements;
}

// Whether `replacement` is the empty value of `original`'s own type (0 for
// a number, "" for a string, [] for an array, {} for an object): the
// payload then says there is none, and an amount of 0 is what it says.
bool SaysNone(const json& original, const json& replacement) {
  if (original.is_number() && replacement.is_number()) {
    return replacement == json(0);
  }
  if (original.type() != replacement.type()) return false;
  return replacement.empty() || replacement == json("");
}

// The JSON pointer of every value in `document`, the root first.
void Walk(const json& value, const json::json_pointer& at,
          std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      Walk(member, at / key, out);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) Walk(value[i], at / i, out);
  }
}

// The event's amounts, by field.
std::map<std::string, int64_t> AmountsOf(const OrderEvent& event) {
  std::map<std::string, int64_t> amounts;
  if (event.has_item_added()) {
    amounts["item_added.unit_price"] =
        event.item_added().unit_price().minor_units();
  }
  if (event.has_item_discounted()) {
    amounts["item_discounted.amount"] =
        event.item_discounted().amount().minor_units();
  }
  if (event.has_discount_code_redeemed()) {
    amounts["discount_code_redeemed.amount"] =
        event.discount_code_redeemed().amount().minor_units();
  }
  if (event.has_check_paid()) {
    amounts["check_paid.total"] = event.check_paid().total().minor_units();
    amounts["check_paid.tip"] = event.check_paid().tip().minor_units();
  }
  return amounts;
}

VendorContext Context(const std::string& vendor) {
  VendorContext context;
  context.source = vendor;
  context.default_location = "downtown-01";
  context.currency = "USD";  // Toast's; the others carry their own.
  return context;
}

struct Tally {
  int fixtures = 0;
  int variants = 0;
  int translated = 0;
  int refused = 0;
};

// An error names where the problem is: "<field path>: ..." (the reader's),
// "payload: ..." or "check '<id>'...: ..." (the last guard's).
bool NamesAPath(const std::string& message) {
  static const std::regex kPath(
      R"(^([A-Za-z0-9_.\[\]-]+|check '[^']*'.*?): .+)");
  return std::regex_search(message, kPath);
}

TEST(TypeSwapTest, NoVariantOfAnyFixtureCrashesLiesOrPrintsInvalidOutput) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(MAKEGOOD_POS_FIXTURES)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  core::EventValidationContext contract;
  contract.location_id = "downtown-01";
  contract.currency = "USD";
  contract.now = absl::Now();
  std::map<std::string, Tally> tallies;
  int failures = 0;
  for (const auto& file : files) {
    const std::string relative =
        std::filesystem::relative(file, MAKEGOOD_POS_FIXTURES).string();
    const std::string vendor =
        std::filesystem::relative(file, MAKEGOOD_POS_FIXTURES)
            .begin()
            ->string();
    ASSERT_TRUE(CheckVendor(vendor).ok()) << relative;
    const json document =
        json::parse(testing::ReadFileOrEmpty(file.string()), nullptr, false);
    ASSERT_FALSE(document.is_discarded()) << relative;
    const VendorContext context = Context(vendor);
    // The fixture's own amounts, by event id, to tell a silent zero.
    std::map<std::string, std::map<std::string, int64_t>> original;
    if (auto translated = Translate(vendor, document.dump(), context);
        translated.ok()) {
      for (const OrderEvent& event : translated->events) {
        original[event.event_id()] = AmountsOf(event);
      }
    }
    Tally& tally = tallies[vendor];
    ++tally.fixtures;
    std::vector<json::json_pointer> places;
    Walk(document, json::json_pointer(), places);
    for (const json::json_pointer& place : places) {
      const json& was = document[place];
      for (const auto& [name, replacement] : Replacements()) {
        json variant = document;
        if (place.empty()) {
          variant = replacement;
        } else {
          variant[place] = replacement;
        }
        const std::string what =
            absl::StrCat(relative, " with ",
                         place.to_string().empty() ? std::string("the root")
                                                   : place.to_string(),
                         " = ", name);
        ++tally.variants;
        absl::StatusOr<Translation> translation;
        try {
          translation = Translate(vendor, variant.dump(), context);
        } catch (const std::exception& error) {
          ADD_FAILURE() << what << ": threw " << error.what();
          ++failures;
          continue;
        }
        if (!translation.ok()) {
          ++tally.refused;
          const std::string message(translation.status().message());
          // UNIMPLEMENTED: well formed, but no order (a Square test
          // notification, a Shopify refund).
          const absl::StatusCode code = translation.status().code();
          if ((code != absl::StatusCode::kInvalidArgument &&
               code != absl::StatusCode::kUnimplemented) ||
              !NamesAPath(message)) {
            ADD_FAILURE() << what << ": " << translation.status();
            ++failures;
          }
          continue;
        }
        ++tally.translated;
        std::map<std::string, int> seen;
        for (const OrderEvent& event : translation->events) {
          if (absl::Status valid = core::ValidateOrderEvent(event, contract);
              !valid.ok()) {
            ADD_FAILURE() << what << ": event '" << event.event_id()
                          << "' is invalid: " << valid;
            ++failures;
          }
          if (++seen[event.event_id()] == 2) {
            ADD_FAILURE() << what << ": two events share the id '"
                          << event.event_id() << "'";
            ++failures;
          }
          auto before = original.find(event.event_id());
          if (before == original.end() || SaysNone(was, replacement)) continue;
          for (const auto& [field, amount] : AmountsOf(event)) {
            auto had = before->second.find(field);
            if (amount == 0 && had != before->second.end() &&
                had->second != 0) {
              ADD_FAILURE() << what << ": " << event.event_id() << " " << field
                            << " became 0 (was " << had->second << ")";
              ++failures;
            }
          }
        }
        if (failures > 50) FAIL() << "stopping after 50 failures";
      }
    }
  }
  for (const auto& [vendor, tally] : tallies) {
    std::cout << vendor << ": " << tally.variants << " variants of "
              << tally.fixtures << " fixtures: " << tally.translated
              << " translated, " << tally.refused << " refused naming a path"
              << std::endl;
  }
  EXPECT_EQ(tallies.size(), KnownVendors().size());
}

}  // namespace
}  // namespace makegood::adapters
