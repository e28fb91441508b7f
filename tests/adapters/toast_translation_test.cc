// Toast's translation (adapters/vendor/toast_orders.cc): modifiers priced
// into their line and named in ItemAdded, each change at Toast's own time
// for it, Toast's gross against the translated lines, and promotion codes
// that count once.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot_events.h"
#include "support/process.h"
#include "translate.h"
#include "translation_test_support.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;
using ::testing::HasSubstr;

VendorContext ToastUsd() { return DowntownContext("toast", "USD"); }

int CountDiscounts(const std::vector<OrderEvent>& events) {
  return static_cast<int>(std::count_if(
      events.begin(), events.end(),
      [](const OrderEvent& e) { return e.has_item_discounted(); }));
}

absl::Time Utc(const std::string& rfc3339) {
  absl::Time at;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &at, &error))
      << rfc3339 << ": " << error;
  return at;
}

// The time of event `id`, or the infinite past when there is none.
absl::Time TimeOf(const std::vector<OrderEvent>& events,
                  const std::string& id) {
  const OrderEvent* event = FindEvent(events, id);
  EXPECT_NE(event, nullptr) << id;
  return event == nullptr ? absl::InfinitePast()
                          : core::FromProto(event->occurred_at());
}

// An order with one open check "chk-1" holding `selections` (the body of a
// JSON array) and the check's `applied_discounts` (likewise).
std::string OrderWith(const std::string& selections,
                      const std::string& applied_discounts = "") {
  return absl::StrCat(R"({"guid": "ord-1",
    "openedDate": "2026-11-20T19:00:00.000+0000",
    "checks": [{"guid": "chk-1", "paymentStatus": "OPEN",
      "modifiedDate": "2026-11-20T19:30:00.000+0000",
      "appliedDiscounts": [)",
                      applied_discounts, R"(],
      "selections": [)",
                      selections, "]}]}");
}

// A burger for two, each with bacon, cheese and two portions of pickles;
// Toast's preDiscountPrice is (12.00 + 2.00 + 1.00 + 2 × 0.25) × 2.
constexpr char kBurgers[] = R"({
  "guid": "sel-1", "item": {"guid": "burger"}, "displayName": "Burger",
  "quantity": 2, "receiptLinePrice": 12.0, "preDiscountPrice": 31.0,
  "modifiers": [
    {"guid": "m-1", "displayName": "Bacon", "quantity": 2,
     "receiptLinePrice": 2.0, "optionGroupPricingMode": "ADJUSTS_PRICE"},
    {"guid": "m-2", "displayName": "Cheese", "quantity": 2.0,
     "receiptLinePrice": 1.0},
    {"guid": "m-3", "displayName": "Pickles", "quantity": 4,
     "receiptLinePrice": 0.25}]})";

TEST(ToastModifiersTest, ModifiersArePricedIntoTheirLineAndNamedInTheEvent) {
  auto translation = Translate("toast", OrderWith(kBurgers), ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "chk-1/sel-1/added");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->item_added().quantity(), 2);
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1550);
  ASSERT_EQ(added->item_added().modifiers_size(), 3);
  const auto& bacon = added->item_added().modifiers(0);
  EXPECT_EQ(bacon.name(), "Bacon");
  EXPECT_EQ(bacon.quantity(), 1);  // Toast's 2 are one on each burger.
  EXPECT_EQ(bacon.unit_price().minor_units(), 200);
  EXPECT_EQ(bacon.unit_price().currency(), "USD");
  EXPECT_EQ(added->item_added().modifiers(1).name(), "Cheese");
  const auto& pickles = added->item_added().modifiers(2);
  EXPECT_EQ(pickles.quantity(), 2);
  EXPECT_EQ(pickles.unit_price().minor_units(), 25);

  auto parsed = ParseVendorPayload("toast", OrderWith(kBurgers), ToastUsd());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->orders.size(), 1u);
  EXPECT_EQ(parsed->orders[0].stated_gross_minor, 3100);
  EXPECT_EQ(GrossMismatch(parsed->orders[0]), std::nullopt);
  EXPECT_TRUE(parsed->warnings.empty());
}

TEST(ToastModifiersTest, NestedModifiersAreTheirOwnNamedAfterWhatTheyRefine) {
  auto translation = Translate("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Steak", "quantity": 1,
    "receiptLinePrice": 24.0, "preDiscountPrice": 27.5,
    "modifiers": [{"displayName": "Salad", "quantity": 1,
      "receiptLinePrice": 3.0, "preDiscountPrice": 3.5,
      "modifiers": [{"displayName": "Ranch", "quantity": 1,
        "receiptLinePrice": 0.5,
        "modifiers": [{"displayName": "On the side", "quantity": 1,
                       "preDiscountPrice": 0.0}]}]}]})"),
                               ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "chk-1/sel-1/added");
  ASSERT_NE(added, nullptr);
  // Each priced without the ones under it: 24.00 + 3.00 + 0.50 + 0.
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 2750);
  ASSERT_EQ(added->item_added().modifiers_size(), 3);
  EXPECT_EQ(added->item_added().modifiers(0).name(), "Salad");
  EXPECT_EQ(added->item_added().modifiers(0).unit_price().minor_units(), 300);
  EXPECT_EQ(added->item_added().modifiers(1).name(), "Salad: Ranch");
  EXPECT_EQ(added->item_added().modifiers(1).unit_price().minor_units(), 50);
  EXPECT_EQ(added->item_added().modifiers(2).name(),
            "Salad: Ranch: On the side");
  EXPECT_EQ(added->item_added().modifiers(2).unit_price().minor_units(), 0);
}

TEST(ToastModifiersTest, ASizeThatReplacesTheItemsPriceAddsNothingToIt) {
  const std::string order = OrderWith(R"({
    "guid": "sel-1", "displayName": "Coffee", "quantity": 1,
    "receiptLinePrice": 4.5, "preDiscountPrice": 4.5,
    "modifiers": [{"displayName": "Large", "quantity": 1,
      "receiptLinePrice": 4.5, "optionGroupPricingMode": "REPLACES_PRICE"}]})");
  auto parsed = ParseVendorPayload("toast", order, ToastUsd());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const LineSnapshot& coffee = parsed->orders[0].lines[0];
  EXPECT_EQ(coffee.unit_price_minor, 450);
  ASSERT_EQ(coffee.modifiers.size(), 1u);
  EXPECT_EQ(coffee.modifiers[0].name, "Large");
  EXPECT_EQ(coffee.modifiers[0].unit_price_minor, 0);
  EXPECT_EQ(GrossMismatch(parsed->orders[0]), std::nullopt);
}

TEST(ToastModifiersTest, WithoutReceiptLinePriceTheModifiersComeOutOfTheGross) {
  const std::string order = absl::StrReplaceAll(
      OrderWith(kBurgers), {{R"("receiptLinePrice": 12.0, )", ""}});
  auto translation = Translate("toast", order, ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "chk-1/sel-1/added");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1550);
  EXPECT_EQ(added->item_added().modifiers_size(), 3);

  // Less for each burger than its modifiers cost: no price is left for it.
  auto less = Translate("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Burger", "quantity": 2,
    "preDiscountPrice": 2.0,
    "modifiers": [{"displayName": "Bacon", "quantity": 2,
                   "receiptLinePrice": 2.0}]})"),
                        ToastUsd());
  EXPECT_EQ(less.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(less.status().message(),
              HasSubstr("order.checks[0].selections[0].preDiscountPrice: 1.00 "
                        "for each item is less than its modifiers' 2.00"));
}

TEST(ToastModifiersTest, AVoidedModifierIsOffItsLineAndAVoidedLineKeepsItsOwn) {
  std::string order = absl::StrReplaceAll(
      OrderWith(kBurgers), {{R"("displayName": "Cheese",)",
                             R"("displayName": "Cheese", "voided": true,)"}});
  auto parsed = ParseVendorPayload("toast", order, ToastUsd());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const LineSnapshot& burgers = parsed->orders[0].lines[0];
  EXPECT_EQ(burgers.unit_price_minor, 1450);
  ASSERT_EQ(burgers.modifiers.size(), 2u);
  EXPECT_EQ(burgers.modifiers[1].name, "Pickles");
  // Toast's gross left the cheese in: said out loud, not hidden.
  EXPECT_THAT(parsed->warnings,
              ::testing::ElementsAre(HasSubstr(
                  "its lines add up to 2900 minor units, but the vendor "
                  "states 3100")));

  // The whole line voided: it was added with its cheese.
  order = absl::StrReplaceAll(
      order, {{R"("quantity": 2, "receiptLinePrice": 12.0)",
               R"("quantity": 2, "voided": true, "receiptLinePrice": 12.0)"}});
  auto voided = ParseVendorPayload("toast", order, ToastUsd());
  ASSERT_TRUE(voided.ok()) << voided.status();
  const LineSnapshot& line = voided->orders[0].lines[0];
  EXPECT_EQ(line.state, LineSnapshot::State::kVoided);
  EXPECT_EQ(line.unit_price_minor, 1550);
  EXPECT_EQ(line.modifiers.size(), 3u);
}

TEST(ToastModifiersTest, BadModifiersAreRefusedWithTheirPath) {
  constexpr char kAt[] = "order.checks[0].selections[0].";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("modifiers": "cheese")",
       R"(modifiers: expected an array, got "cheese")"},
      {R"("modifiers": null)", "modifiers: is null; expected an array"},
      {R"("modifiers": ["cheese"])",
       R"(modifiers[0]: expected an object, got "cheese")"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2,
                        "receiptLinePrice": "1.00"}])",
       R"(modifiers[0].receiptLinePrice: expected a number, got "1.00")"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2,
                        "receiptLinePrice": -1}])",
       "modifiers[0].receiptLinePrice: must not be negative, got -1"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2,
                        "receiptLinePrice": 1e30}])",
       "modifiers[0].receiptLinePrice: "},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2,
                        "receiptLinePrice": 0.001}])",
       "modifiers[0].receiptLinePrice: '0.001' has more decimals than USD"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 3,
                        "receiptLinePrice": 1.0}])",
       "modifiers[0].quantity: 3 is no whole number for each of the line's 2 "
       "items"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 1.5,
                        "receiptLinePrice": 1.0}])",
       "modifiers[0].quantity: expected a whole positive quantity"},
      {R"("modifiers": [{"displayName": "Cheese", "receiptLinePrice": 1.0}])",
       "modifiers[0].quantity: is required"},
      {R"("modifiers": [{"quantity": 2, "receiptLinePrice": 1.0}])",
       "modifiers[0]: has no name"},
      {R"("modifiers": [{"displayName": 7, "quantity": 2,
                        "receiptLinePrice": 1.0}])",
       "modifiers[0].displayName: expected a string, got 7"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2}])",
       "modifiers[0].preDiscountPrice: is required when receiptLinePrice is "
       "not given"},
      {R"("modifiers": [{"displayName": "Cheese", "quantity": 2,
                        "preDiscountPrice": 0.03}])",
       "modifiers[0].preDiscountPrice: 0.03 is no whole amount for each of 2 "
       "of it"},
      {R"("modifiers": [{"displayName": "Salad", "quantity": 2,
         "preDiscountPrice": 7.0, "modifiers": [{"displayName": "Ranch",
         "quantity": 2, "receiptLinePrice": 0.5}]}])",
       "modifiers[0].preDiscountPrice: includes the prices of the modifiers "
       "under it"},
      {R"("modifiers": [{"displayName": "Salad", "quantity": 2,
         "receiptLinePrice": 3.0, "modifiers": [{"displayName": "Ranch",
         "quantity": 2, "receiptLinePrice": true}]}])",
       "modifiers[0].modifiers[0].receiptLinePrice: expected a number, got "
       "true"},
  };
  for (const auto& [modifiers, expected] : cases) {
    const std::string order = OrderWith(absl::StrCat(
        R"({"guid": "sel-1", "displayName": "Burger", "quantity": 2,
            "receiptLinePrice": 12.0, )",
        modifiers, "}"));
    auto translation = Translate("toast", order, ToastUsd());
    EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument)
        << modifiers;
    EXPECT_THAT(translation.status().message(),
                HasSubstr(absl::StrCat(kAt, expected)))
        << modifiers;
  }
}

TEST(ToastModifiersTest, AModifierThatOverflowsTheLinesPriceIsRefused) {
  // The line's own price is the most int64 minor units hold.
  auto translation = Translate("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Burger", "quantity": 1,
    "receiptLinePrice": 92233720368547758.07,
    "modifiers": [{"displayName": "Bacon", "quantity": 1,
                   "receiptLinePrice": 0.01}]})"),
                               ToastUsd());
  EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(translation.status().message(),
              HasSubstr("order.checks[0].selections[0].modifiers[0]: makes a "
                        "sum too large for int64 minor units"));

  // Too many of a modifier priced near the limit.
  auto product = Translate("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Burger", "quantity": 1,
    "receiptLinePrice": 1.0,
    "modifiers": [{"displayName": "Bacon", "quantity": 4,
                   "receiptLinePrice": 46116860184273879.04}]})"),
                           ToastUsd());
  EXPECT_THAT(product.status().message(),
              HasSubstr("order.checks[0].selections[0].modifiers[0]: makes a "
                        "price too large for int64 minor units"));
}

TEST(ToastModifiersTest, OneModifierTooManyIsRefused) {
  std::string modifiers;
  for (int i = 0; i <= 50; ++i) {
    absl::StrAppend(&modifiers, i == 0 ? "" : ",",
                    R"({"displayName": "Topping", "quantity": 1,
                        "receiptLinePrice": 0.1})");
  }
  auto translation = Translate(
      "toast",
      OrderWith(absl::StrCat(R"({"guid": "sel-1", "displayName": "Pizza",
        "quantity": 1, "receiptLinePrice": 9.0, "modifiers": [)",
                             modifiers, "]}")),
      ToastUsd());
  EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(translation.status().message(),
              HasSubstr("order.checks[0].selections[0].modifiers[50]: is one "
                        "modifier too many: a line holds at most 50"));
}

// A check paid in the afternoon and closed by the next morning's closeout,
// with a fired selection and a voided one.
constexpr char kClosedNextMorning[] = R"({
  "guid": "ord-1", "openedDate": "2026-11-20T12:25:00.000+0000",
  "checks": [{
    "guid": "chk-1", "openedDate": "2026-11-20T12:30:00.000+0000",
    "modifiedDate": "2026-11-21T11:05:00.024+0000",
    "paymentStatus": "CLOSED", "totalAmount": 12.0,
    "paidDate": "2026-11-20T13:49:38.616+0000",
    "closedDate": "2026-11-21T11:05:00.024+0000",
    "payments": [{"tipAmount": 0, "paidDate": "2026-11-20T13:49:38.617+0000"}],
    "selections": [
      {"guid": "sel-1", "displayName": "Soup", "quantity": 1,
       "receiptLinePrice": 12.0, "fulfillmentStatus": "SENT",
       "createdDate": "2026-11-20T12:32:00.000+0000",
       "modifiedDate": "2026-11-20T12:33:30.500+0000"},
      {"guid": "sel-2", "displayName": "Bread", "quantity": 1,
       "receiptLinePrice": 3.0, "voided": true,
       "voidReason": {"guid": "wrong-item"},
       "voidDate": "2026-11-20T12:34:00.000+0000",
       "createdDate": "2026-11-20T12:32:10.000+0000",
       "modifiedDate": "2026-11-20T12:34:00.100+0000"}]}]})";

TEST(ToastTimesTest, EachEventTakesToastsOwnTimeForIt) {
  auto translation = Translate("toast", kClosedNextMorning, ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  EXPECT_EQ(TimeOf(events, "chk-1/opened"), Utc("2026-11-20T12:30:00Z"));
  EXPECT_EQ(TimeOf(events, "chk-1/sel-1/added"), Utc("2026-11-20T12:32:00Z"));
  // Toast states no fire time: the selection's last change is the nearest.
  EXPECT_EQ(TimeOf(events, "chk-1/sel-1/fired"), Utc("2026-11-20T12:33:30.5Z"));
  EXPECT_EQ(TimeOf(events, "chk-1/sel-2/added"), Utc("2026-11-20T12:32:10Z"));
  EXPECT_EQ(TimeOf(events, "chk-1/sel-2/voided"), Utc("2026-11-20T12:34:00Z"));
  // Paid when it was paid, not when the closeout closed it.
  EXPECT_EQ(TimeOf(events, "chk-1/paid"), Utc("2026-11-20T13:49:38.616Z"));
  EXPECT_EQ(TimeOf(events, "chk-1/closed"), Utc("2026-11-21T11:05:00.024Z"));
}

TEST(ToastTimesTest, WithoutTheChecksPaidDateItsLastPaymentsIsThePaidTime) {
  const std::string order = absl::StrReplaceAll(
      kClosedNextMorning,
      {{R"("paidDate": "2026-11-20T13:49:38.616+0000",)", ""},
       {R"("payments": [{"tipAmount": 0, )",
        R"("payments": [{"tipAmount": 0, "paidDate": "2026-11-20T13:51:00.000+0000"}, {"tipAmount": 0, )"}});
  auto translation = Translate("toast", order, ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_EQ(TimeOf(translation->events, "chk-1/paid"),
            Utc("2026-11-20T13:51:00Z"));
}

TEST(ToastTimesTest, WithoutAnyToastTimeAnEventTakesTheChecksModifiedDate) {
  const std::string order = absl::StrReplaceAll(
      kClosedNextMorning,
      {{R"("paidDate": "2026-11-20T13:49:38.616+0000",)", ""},
       {R"(, "paidDate": "2026-11-20T13:49:38.617+0000")", ""},
       {R"("modifiedDate": "2026-11-20T12:33:30.500+0000")",
        R"("modifiedDate": null)"}});
  auto translation = Translate("toast", order, ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_EQ(TimeOf(translation->events, "chk-1/paid"),
            Utc("2026-11-21T11:05:00.024Z"));
  EXPECT_EQ(TimeOf(translation->events, "chk-1/sel-1/fired"),
            Utc("2026-11-21T11:05:00.024Z"));
}

TEST(ToastTimesTest, AVoidedChecksLinesAreVoidedAndItClosesAtItsVoidDate) {
  auto translation = Translate("toast", R"({
    "guid": "ord-1", "checks": [{
      "guid": "chk-1", "openedDate": "2026-11-20T19:00:00.000+0000",
      "modifiedDate": "2026-11-20T23:00:00.000+0000", "paymentStatus": "OPEN",
      "voided": true, "voidDate": "2026-11-20T20:00:00.000+0000",
      "selections": [{"guid": "sel-1", "displayName": "Soup", "quantity": 1,
                      "receiptLinePrice": 12.0,
                      "createdDate": "2026-11-20T19:02:00.000+0000"}]}]})",
                               ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* voided =
      FindEvent(translation->events, "chk-1/sel-1/voided");
  ASSERT_NE(voided, nullptr);
  EXPECT_EQ(voided->item_voided().reason(), "check voided");
  EXPECT_EQ(core::FromProto(voided->occurred_at()),
            Utc("2026-11-20T20:00:00Z"));
  EXPECT_EQ(TimeOf(translation->events, "chk-1/closed"),
            Utc("2026-11-20T20:00:00Z"));
}

// Every Toast fixture that states a gross adds up to it: no price (a
// modifier, an option) is left out of the translated lines.
TEST(ToastGrossTest, EveryFixtureThatStatesAGrossAddsUpToIt) {
  const std::filesystem::path root =
      std::filesystem::path(MAKEGOOD_POS_FIXTURES) / "toast";
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  int stated = 0;
  int stated_with_modifiers = 0;
  for (const auto& file : files) {
    auto parsed = ParseVendorPayload(
        "toast", testing::ReadFileOrEmpty(file.string()), ToastUsd());
    // Refusals on purpose (their expected output says so) are skipped; any
    // other fixture must translate.
    if (!FixtureTranslates(file)) continue;
    ASSERT_TRUE(parsed.ok()) << file << ": " << parsed.status();
    for (const OrderSnapshot& order : parsed->orders) {
      if (!order.stated_gross_minor.has_value()) continue;
      ++stated;
      EXPECT_EQ(GrossMismatch(order), std::nullopt) << file;
      for (const LineSnapshot& line : order.lines) {
        if (!line.modifiers.empty()) {
          ++stated_with_modifiers;
          break;
        }
      }
    }
  }
  EXPECT_GT(stated, 0);
  EXPECT_GT(stated_with_modifiers, 0);
}

TEST(ToastGrossTest, ALineThatMissesToastsGrossIsAWarning) {
  auto parsed = ParseVendorPayload("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Soup", "quantity": 1,
    "receiptLinePrice": 8.0, "preDiscountPrice": 10.0})"),
                                   ToastUsd());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->orders[0].stated_gross_minor, 1000);
  EXPECT_THAT(parsed->warnings,
              ::testing::ElementsAre(
                  "check chk-1: its lines add up to 800 minor units, but "
                  "the vendor states 1000"));
}

TEST(ToastGrossTest, NoGrossIsStatedWhereToastsCannotCompare) {
  // Tax in the menu price: receiptLinePrice has it, preDiscountPrice not.
  auto taxed = ParseVendorPayload("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Beer", "quantity": 1,
    "receiptLinePrice": 7.0, "preDiscountPrice": 6.48,
    "taxInclusion": "INCLUDED"})"),
                                  ToastUsd());
  ASSERT_TRUE(taxed.ok()) << taxed.status();
  EXPECT_EQ(taxed->orders[0].stated_gross_minor, std::nullopt);
  EXPECT_TRUE(taxed->warnings.empty());
  // A selection without a preDiscountPrice of its own.
  auto unstated = ParseVendorPayload("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Soup", "quantity": 1,
    "receiptLinePrice": 8.0})"),
                                     ToastUsd());
  ASSERT_TRUE(unstated.ok()) << unstated.status();
  EXPECT_EQ(unstated->orders[0].stated_gross_minor, std::nullopt);
  // A voided selection counts in neither.
  auto voided = ParseVendorPayload("toast", OrderWith(R"({
    "guid": "sel-1", "displayName": "Soup", "quantity": 1,
    "receiptLinePrice": 8.0, "preDiscountPrice": 8.0}, {
    "guid": "sel-2", "displayName": "Bread", "quantity": 1,
    "receiptLinePrice": 3.0, "voided": true})"),
                                   ToastUsd());
  ASSERT_TRUE(voided.ok()) << voided.status();
  EXPECT_EQ(voided->orders[0].stated_gross_minor, 800);
  EXPECT_EQ(GrossMismatch(voided->orders[0]), std::nullopt);
}

// A selection of 20.00 with one applied discount that came with `code`.
std::string SelectionWithCode(const std::string& code) {
  return absl::StrCat(R"({"guid": "sel-1", "displayName": "Burger",
    "quantity": 1, "receiptLinePrice": 20.0, "preDiscountPrice": 20.0,
    "appliedDiscounts": [{"guid": "disc-1", "discountAmount": 3.0,
                          "appliedPromoCode": ")",
                      code, R"("}]})");
}

TEST(ToastPromoCodesTest, AShopCodeOnASelectionIsOneDiscountOfThatLine) {
  auto translation =
      Translate("toast", OrderWith(SelectionWithCode("SUMMER15")), ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  const OrderEvent* discount =
      FindEvent(events, "chk-1/sel-1/discount/code-SUMMER15");
  ASSERT_NE(discount, nullptr);
  EXPECT_EQ(discount->item_discounted().line_id(), "sel-1");
  EXPECT_EQ(discount->item_discounted().discount_id(), "code-SUMMER15");
  EXPECT_EQ(discount->item_discounted().amount().minor_units(), 300);
  EXPECT_EQ(CountDiscounts(events), 1);
  EXPECT_EQ(FindEvent(events, "chk-1/code/SUMMER15"), nullptr);
}

TEST(ToastPromoCodesTest, AMakegoodCodeOnASelectionIsItsRedemptionOnly) {
  const std::string code = MakegoodCode();
  // As a server might key it in: lower case, without dashes.
  const std::string typed =
      absl::AsciiStrToLower(absl::StrReplaceAll(code, {{"-", ""}}));
  auto translation =
      Translate("toast", OrderWith(SelectionWithCode(typed)), ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* redeemed =
      FindEvent(translation->events, "chk-1/code/" + code);
  ASSERT_NE(redeemed, nullptr);
  EXPECT_EQ(redeemed->discount_code_redeemed().code(), code);
  EXPECT_EQ(redeemed->discount_code_redeemed().amount().minor_units(), 300);
  EXPECT_EQ(CountDiscounts(translation->events), 0);
}

TEST(ToastPromoCodesTest, AShopCodeOnTheCheckIsOneDiscountOfTheCheck) {
  auto translation = Translate(
      "toast",
      OrderWith(R"({"guid": "sel-1", "displayName": "Burger", "quantity": 1,
                    "receiptLinePrice": 20.0})",
                R"({"guid": "disc-9", "discountAmount": 5.0,
                    "appliedPromoCode": "WELCOME5"})"),
      ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  const OrderEvent* discount =
      FindEvent(events, "chk-1/discount/code-WELCOME5");
  ASSERT_NE(discount, nullptr);
  EXPECT_EQ(discount->item_discounted().line_id(), "");
  EXPECT_EQ(discount->item_discounted().amount().minor_units(), 500);
  EXPECT_EQ(discount->item_discounted().reason(), "promotion code WELCOME5");
  EXPECT_EQ(CountDiscounts(events), 1);
  EXPECT_EQ(FindEvent(events, "chk-1/discount/disc-9"), nullptr);
}

TEST(ToastPromoCodesTest, AMakegoodCodeOnTheCheckIsItsRedemptionOnly) {
  const std::string code = MakegoodCode();
  auto translation = Translate(
      "toast",
      OrderWith(R"({"guid": "sel-1", "displayName": "Burger", "quantity": 1,
                    "receiptLinePrice": 20.0})",
                absl::StrCat(R"({"guid": "disc-9", "discountAmount": 20.0,
                                 "appliedPromoCode": ")",
                             code, R"("})")),
      ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* redeemed =
      FindEvent(translation->events, "chk-1/code/" + code);
  ASSERT_NE(redeemed, nullptr);
  EXPECT_EQ(redeemed->discount_code_redeemed().amount().minor_units(), 2000);
  EXPECT_EQ(CountDiscounts(translation->events), 0);
}

TEST(ToastPromoCodesTest, AMakegoodCodeTypedTwoWaysIsOneRedemption) {
  const std::string code = MakegoodCode();
  const std::string typed =
      absl::AsciiStrToLower(absl::StrReplaceAll(code, {{"-", ""}}));
  auto translation = Translate(
      "toast",
      OrderWith(SelectionWithCode(typed),
                absl::StrCat(R"({"guid": "disc-9", "discountAmount": 20.0,
                                 "appliedPromoCode": ")",
                             code, R"("})")),
      ToastUsd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* redeemed =
      FindEvent(translation->events, "chk-1/code/" + code);
  ASSERT_NE(redeemed, nullptr);
  // 3.00 on the selection and 20.00 on the check.
  EXPECT_EQ(redeemed->discount_code_redeemed().amount().minor_units(), 2300);
  EXPECT_EQ(CountDiscounts(translation->events), 0);
}

}  // namespace
}  // namespace makegood::adapters
