// Clover's orders translated exactly: modifications priced into their
// line and named on it, each change at Clover's own time for it, the lines
// checked against Clover's own priceWithModifiers, whole units of unitQty,
// and the refusals that name the field at fault.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/discount_code.h"
#include "core/proto_time.h"
#include "gtest/gtest.h"
#include "snapshot_events.h"
#include "support/process.h"
#include "translate.h"
#include "translation_test_support.h"
#include "vendor_payload.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;

VendorContext CloverUsd() { return DowntownContext("clover", "USD"); }

// The refusal of `payload`, or "translated" when there is none.
std::string RefusalOf(const std::string& payload) {
  auto translation = Translate("clover", payload, CloverUsd());
  if (translation.ok()) return "translated";
  EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument)
      << translation.status();
  return std::string(translation.status().message());
}

// An open order of one line item whose own fields are `line` (after its
// id, name and price of 1295).
std::string OrderWithLine(const std::string& line) {
  return absl::StrCat(R"({"id": "ORD1", "currency": "USD",
    "createdTime": 1732129200000, "state": "open",
    "lineItems": {"elements": [{"id": "L1", "name": "Burger", "price": 1295)",
                      line, "}]}}");
}

TEST(CloverModifiersTest, ModificationsArePricedIntoTheLineAndNamed) {
  auto translation = Translate("clover", OrderWithLine(R"(,
    "modifications": {"elements": [
      {"id": "M1", "name": "Bacon", "amount": 150, "modifier": {"id": "BAC"}},
      {"id": "M2", "name": "No onions", "amount": 0},
      {"id": "M3", "name": "Bacon", "amount": 150}]})"),
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "ORD1/L1/added");
  ASSERT_NE(added, nullptr);
  // The line's price leaves its modifications out; each is added once.
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1295 + 150 + 150);
  EXPECT_EQ(added->item_added().quantity(), 1);
  ASSERT_EQ(added->item_added().modifiers_size(), 3);
  const auto& bacon = added->item_added().modifiers(0);
  EXPECT_EQ(bacon.name(), "Bacon");
  EXPECT_EQ(bacon.quantity(), 1);
  EXPECT_EQ(bacon.unit_price().minor_units(), 150);
  EXPECT_EQ(bacon.unit_price().currency(), "USD");
  const auto& onions = added->item_added().modifiers(1);
  EXPECT_EQ(onions.name(), "No onions");
  EXPECT_EQ(onions.quantity(), 1);
  EXPECT_EQ(onions.unit_price().minor_units(), 0);
  // Chosen twice, Clover keeps it twice.
  EXPECT_EQ(added->item_added().modifiers(2).name(), "Bacon");
}

TEST(CloverModifiersTest, AModificationWithoutAnAmountCostsNothing) {
  auto translation = Translate("clover", OrderWithLine(R"(,
    "modifications": {"elements": [{"id": "M1", "name": "Well done"}]})"),
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "ORD1/L1/added");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1295);
  ASSERT_EQ(added->item_added().modifiers_size(), 1);
  EXPECT_EQ(added->item_added().modifiers(0).name(), "Well done");
}

// Clover's order-totals guide: percentages of a line are of it with its
// modifications, and the order's of what the lines come to after theirs.
TEST(CloverModifiersTest, PercentagesAreOfTheLineWithItsModifications) {
  auto translation = Translate("clover", R"({
    "id": "ORD1", "currency": "USD", "createdTime": 1732129200000,
    "state": "open",
    "lineItems": {"elements": [
      {"id": "L1", "name": "Burger", "price": 1295,
       "modifications": {"elements": [{"id": "M1", "name": "Bacon",
                                       "amount": 100}]},
       "discounts": {"elements": [{"id": "D1", "name": "10% Off",
                                   "percentage": 10}]}},
      {"id": "L2", "name": "Fries", "price": 500, "refunded": true}]},
    "discounts": {"elements": [{"id": "D2", "name": "Happy hour",
                                "percentage": 10}]}})",
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* line =
      FindEvent(translation->events, "ORD1/L1/discount/D1");
  ASSERT_NE(line, nullptr);
  // 10% of 1395 is 139.5: half up.
  EXPECT_EQ(line->item_discounted().amount().minor_units(), 140);
  const OrderEvent* order = FindEvent(translation->events, "ORD1/discount/D2");
  ASSERT_NE(order, nullptr);
  // 10% of 1395 - 140 = 1255, the refunded fries left out: 125.5.
  EXPECT_EQ(order->item_discounted().amount().minor_units(), 126);
}

TEST(CloverModifiersTest, ABadModificationIsRefusedWithItsPath) {
  const std::string at = "order.lineItems.elements[0].modifications";
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              {"id": "M1", "name": "Bacon", "amount": "1.50"}]})")),
            at + ".elements[0].amount: expected an integer amount of minor "
                 "units, got \"1.50\"");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              {"id": "M1", "name": "Bacon", "amount": -150}]})")),
            at + ".elements[0].amount: must not be negative, got -150");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              {"id": "M1", "name": "Gold leaf",
               "amount": 9223372036854775000}]})")),
            at + ".elements[0]: makes a sum too large for int64 minor units");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              {"id": "M1", "amount": 150}]})")),
            at + ".elements[0]: has no name; a modifier is printed on the "
                 "check by its name");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              {"id": "M1", "name": ["Bacon"], "amount": 150}]})")),
            at + ".elements[0].name: expected a string, got an array");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": {"elements": [
              "Bacon"]})")),
            at + ".elements[0]: expected an object, got \"Bacon\"");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "modifications": null)")),
            at + ": is null; expected {\"elements\": [...]} (left out when "
                 "empty)");
}

TEST(CloverQuantityTest, WholeUnitsOfUnitQtyAreTheLinesQuantity) {
  auto translation =
      Translate("clover", OrderWithLine(R"(, "unitQty": 3000)"), CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "ORD1/L1/added");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->item_added().quantity(), 3);
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1295);

  const std::string at = "order.lineItems.elements[0]";
  // Decimal quantities are not translated.
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "unitQty": 1500)")),
            at + ".unitQty: is 1500 thousandths of a unit; only whole units "
                 "(multiples of 1000) are translated");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "unitQty": 0)")),
            at + ".unitQty: 0 is out of range (1 to 2147483647)");
  // Clover adds modifications once to price x unitQty / 1000, makegood
  // once per unit: such a line cannot be said exactly.
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "unitQty": 2000,
              "modifications": {"elements": [
                {"id": "M1", "name": "Bacon", "amount": 150}]})")),
            at + ".modifications: are priced once on a line of 2 units, and "
                 "makegood prices modifiers per unit; such a line is not "
                 "translated");
  // A free one changes no price.
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "unitQty": 2000,
              "modifications": {"elements": [
                {"id": "M1", "name": "No onions", "amount": 0}]})")),
            "translated");
}

absl::Time OccurredAt(const OrderEvent* event) {
  return event == nullptr ? absl::InfinitePast()
                          : core::FromProto(event->occurred_at());
}

TEST(CloverTimesTest, EachChangeTakesCloversOwnTimeForIt) {
  auto translation = Translate("clover", R"({
    "id": "ORD1", "currency": "USD", "state": "locked", "total": 1795,
    "createdTime": 1732129201000, "clientCreatedTime": 1732129200000,
    "modifiedTime": 1732134600000,
    "lineItems": {"elements": [
      {"id": "L1", "name": "Burger", "price": 1295, "printed": true,
       "createdTime": 1732129260000},
      {"id": "L2", "name": "Fries", "price": 500, "refunded": true,
       "createdTime": 1732129320000,
       "refund": {"id": "R1", "createdTime": 1732133701000,
                  "clientCreatedTime": 1732133700000}}]},
    "payments": {"elements": [
      {"id": "P1", "amount": 1000, "createdTime": 1732132801000,
       "clientCreatedTime": 1732132800000},
      {"id": "P2", "amount": 795, "createdTime": 1732133100000}]}})",
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  // On the device, a second before the server recorded it.
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/opened")),
            absl::FromUnixMillis(1732129200000));
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L1/added")),
            absl::FromUnixMillis(1732129260000));
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L2/added")),
            absl::FromUnixMillis(1732129320000));
  // Clover does not say when a line was printed: the order's modifiedTime.
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L1/fired")),
            absl::FromUnixMillis(1732134600000));
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L2/voided")),
            absl::FromUnixMillis(1732133700000));
  // The last payment, on the server when that is all it says.
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/paid")),
            absl::FromUnixMillis(1732133100000));
}

TEST(CloverTimesTest, WithoutItsOwnTimeAChangeTakesTheOrdersModifiedTime) {
  auto translation = Translate("clover", R"({
    "id": "ORD1", "currency": "USD", "state": "locked", "total": 1795,
    "createdTime": 1732129201000, "modifiedTime": 1732134600000,
    "lineItems": {"elements": [
      {"id": "L1", "name": "Burger", "price": 1295},
      {"id": "L2", "name": "Fries", "price": 500, "exchanged": true}]},
    "payments": {"elements": [
      {"id": "P1", "amount": 1000, "createdTime": 1732132801000},
      {"id": "P2", "amount": 795}]}})",
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/opened")),
            absl::FromUnixMillis(1732129201000));
  // A line that says no time was added when the check opened.
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L1/added")),
            absl::FromUnixMillis(1732129201000));
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/L2/voided")),
            absl::FromUnixMillis(1732134600000));
  // One payment says no time: the last may be that one.
  EXPECT_EQ(OccurredAt(FindEvent(events, "ORD1/paid")),
            absl::FromUnixMillis(1732134600000));
}

TEST(CloverTimesTest, ABadTimeIsRefusedWithItsPath) {
  EXPECT_EQ(RefusalOf(R"({"id": "ORD1", "currency": "USD",
              "createdTime": 1732129201000, "clientCreatedTime": "noon"})"),
            "order.clientCreatedTime: expected a time (milliseconds since "
            "1970, an integer), got \"noon\"");
  EXPECT_EQ(RefusalOf(R"({"id": "ORD1", "currency": "USD",
              "createdTime": 1732129201000, "state": "locked", "total": 0,
              "payments": {"elements": [{"id": "P1", "createdTime": 12}]}})"),
            "order.payments.elements[0].createdTime: 12 ms is outside "
            "2000-01-01 to 9999-12-31");
  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "refunded": true,
              "refund": {"id": "R1", "clientCreatedTime": true})")),
            "order.lineItems.elements[0].refund.clientCreatedTime: expected a "
            "time (milliseconds since 1970, an integer), got true");
}

// Clover's priceWithModifiers of every line that is not voided is its own
// figure for what the lines are worth.
TEST(CloverGrossTest, TheLinesAddUpToCloversOwnFigureOnEveryFixture) {
  int stating = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(MAKEGOOD_POS_FIXTURES) + "/clover")) {
    if (entry.path().extension() != ".json") continue;
    auto parsed = ParseVendorPayload(
        "clover", testing::ReadFileOrEmpty(entry.path().string()), CloverUsd());
    // Refusals on purpose (their expected output says so) are skipped; any
    // other fixture must translate.
    if (!FixtureTranslates(entry.path())) continue;
    ASSERT_TRUE(parsed.ok()) << entry.path() << ": " << parsed.status();
    for (const OrderSnapshot& order : parsed->orders) {
      if (!order.stated_gross_minor.has_value()) continue;
      ++stating;
      EXPECT_EQ(GrossMismatch(order).value_or(""), "") << entry.path();
    }
  }
  // regression/order_totals_guide_salads.json and
  // regression/refund_and_whole_units.json.
  EXPECT_GE(stating, 2);
}

TEST(CloverGrossTest, AStatedFigureTheLinesMissIsAWarning) {
  auto translation = Translate("clover", OrderWithLine(R"(,
    "priceWithModifiers": 1500,
    "modifications": {"elements": [{"id": "M1", "name": "Bacon",
                                    "amount": 100}]})"),
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  ASSERT_EQ(translation->warnings.size(), 1u);
  EXPECT_EQ(translation->warnings[0],
            "check ORD1: its lines add up to 1395 minor units, but the vendor "
            "states 1500");
}

TEST(CloverGrossTest, OnlyEveryLineStatingItMakesAFigure) {
  auto stated = ParseVendorPayload("clover", R"({
    "id": "ORD1", "currency": "USD", "createdTime": 1732129200000,
    "lineItems": {"elements": [
      {"id": "L1", "name": "Burger", "price": 1295, "priceWithModifiers": 1295},
      {"id": "L2", "name": "Fries", "price": 500, "refunded": true}]}})",
                                   CloverUsd());
  ASSERT_TRUE(stated.ok()) << stated.status();
  ASSERT_EQ(stated->orders.size(), 1u);
  // A voided line is not part of the figure.
  EXPECT_EQ(stated->orders[0].stated_gross_minor.value_or(-1), 1295);

  auto partial = ParseVendorPayload("clover", R"({
    "id": "ORD1", "currency": "USD", "createdTime": 1732129200000,
    "lineItems": {"elements": [
      {"id": "L1", "name": "Burger", "price": 1295, "priceWithModifiers": 1295},
      {"id": "L2", "name": "Fries", "price": 500}]}})",
                                    CloverUsd());
  ASSERT_TRUE(partial.ok()) << partial.status();
  ASSERT_EQ(partial->orders.size(), 1u);
  EXPECT_FALSE(partial->orders[0].stated_gross_minor.has_value());

  EXPECT_EQ(RefusalOf(OrderWithLine(R"(, "priceWithModifiers": null)")),
            "order.lineItems.elements[0].priceWithModifiers: is null; "
            "expected an amount (left out when there is none)");
}

// Clover has no promotion codes: a discount named like one of makegood's
// next-visit codes is a discount, not a redemption.
TEST(CloverCodesTest, ADiscountNamedWithACodeIsADiscount) {
  const std::string code = core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::fill(out, out + size, 7); });
  auto translation = Translate("clover",
                               absl::StrCat(R"({"id": "ORD1", "currency": "USD",
        "createdTime": 1732129200000,
        "lineItems": {"elements": [{"id": "L1", "name": "Burger",
                                    "price": 1295}]},
        "discounts": {"elements": [{"id": "D1", "name": ")",
                                            code, R"(", "amount": -500}]}})"),
                               CloverUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* discount =
      FindEvent(translation->events, "ORD1/discount/D1");
  ASSERT_NE(discount, nullptr);
  EXPECT_EQ(discount->item_discounted().amount().minor_units(), 500);
  for (const OrderEvent& event : translation->events) {
    EXPECT_FALSE(event.has_discount_code_redeemed()) << event.event_id();
  }
}

}  // namespace
}  // namespace makegood::adapters
