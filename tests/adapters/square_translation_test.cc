// The Square translation on Square orders written for each case: modifiers
// priced into their line, each event at Square's own time for it, Square's
// gross sales against the translated lines, and discounts (Square states
// no promotion code).

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "core/discount_code.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot_events.h"
#include "support/process.h"
#include "translate.h"
#include "translation_test_support.h"
#include "vendor_payload.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;
using ::testing::HasSubstr;

VendorContext SquareDowntown() { return DowntownContext("square"); }

absl::Time At(const std::string& rfc3339) {
  absl::Time at;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &at, &error))
      << rfc3339 << ": " << error;
  return at;
}

absl::Time OccurredAt(const std::vector<OrderEvent>& events,
                      const std::string& id) {
  const OrderEvent* event = FindEvent(events, id);
  EXPECT_NE(event, nullptr) << "no event " << id;
  return event == nullptr ? absl::InfinitePast()
                          : core::FromProto(event->occurred_at());
}

// A burger, two of them, each with the MODIFIERS; Square's gross sales for
// the line are (1000 + 2 × 150 + 0 × 50 + 200) × 2.
constexpr char kBurgerOrder[] = R"({"order": {
  "id": "SQ1", "location_id": "LOC1", "state": "OPEN", "version": 2,
  "created_at": "2026-11-20T19:00:00Z", "updated_at": "2026-11-20T19:20:00Z",
  "line_items": [{"uid": "L1", "name": "Burger", "catalog_object_id": "BURGER",
    "quantity": "2", "base_price_money": {"amount": 1000, "currency": "USD"},
    "gross_sales_money": {"amount": 3000, "currency": "USD"},
    "modifiers": MODIFIERS}]}})";

constexpr char kThreeModifiers[] = R"([
  {"uid": "M1", "name": "Extra cheese", "quantity": "2",
   "base_price_money": {"amount": 150, "currency": "USD"}},
  {"uid": "M2", "name": "No onions", "quantity": "0",
   "base_price_money": {"amount": 50, "currency": "USD"}},
  {"uid": "M3", "name": "Bacon",
   "base_price_money": {"amount": 200, "currency": "USD"}}])";

std::string BurgerWith(const std::string& modifiers) {
  return absl::StrReplaceAll(kBurgerOrder, {{"MODIFIERS", modifiers}});
}

// The burger with one modifier of `quantity` (JSON) costing `amount` (JSON).
std::string BurgerWithOne(const std::string& quantity,
                          const std::string& amount) {
  return BurgerWith(absl::StrCat(R"([{"name": "Cheese", "quantity": )",
                                 quantity,
                                 R"(, "base_price_money": {"amount": )", amount,
                                 R"(, "currency": "USD"}}])"));
}

TEST(SquareModifiersTest, ArePricedIntoTheLineAndNamedInTheEvent) {
  auto translation =
      Translate("square", BurgerWith(kThreeModifiers), SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "SQ1/L1/added");
  ASSERT_NE(added, nullptr);
  const auto& item = added->item_added();
  EXPECT_EQ(item.quantity(), 2);
  EXPECT_EQ(item.unit_price().minor_units(), 1000 + 2 * 150 + 0 * 50 + 200);
  ASSERT_EQ(item.modifiers_size(), 3);
  EXPECT_EQ(item.modifiers(0).name(), "Extra cheese");
  EXPECT_EQ(item.modifiers(0).quantity(), 2);
  EXPECT_EQ(item.modifiers(0).unit_price().minor_units(), 150);
  EXPECT_EQ(item.modifiers(0).unit_price().currency(), "USD");
  EXPECT_EQ(item.modifiers(1).name(), "No onions");
  EXPECT_EQ(item.modifiers(1).quantity(), 0);
  EXPECT_EQ(item.modifiers(1).unit_price().minor_units(), 50);
  // No quantity: Square's default, one.
  EXPECT_EQ(item.modifiers(2).name(), "Bacon");
  EXPECT_EQ(item.modifiers(2).quantity(), 1);
  EXPECT_EQ(item.modifiers(2).unit_price().minor_units(), 200);
  // The line now adds up to Square's gross sales for it.
  EXPECT_TRUE(translation->warnings.empty())
      << ::testing::PrintToString(translation->warnings);
}

TEST(SquareModifiersTest, AWholeQuantityMayCarryZeroDecimals) {
  auto translation =
      Translate("square", BurgerWithOne(R"("2.000")", "500"), SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* added = FindEvent(translation->events, "SQ1/L1/added");
  ASSERT_NE(added, nullptr);
  ASSERT_EQ(added->item_added().modifiers_size(), 1);
  EXPECT_EQ(added->item_added().modifiers(0).quantity(), 2);
  EXPECT_EQ(added->item_added().unit_price().minor_units(), 1000 + 2 * 500);
}

TEST(SquareModifiersTest, AQuantityThatIsNoWholeCountIsRefusedWithItsPath) {
  for (const char* quantity : {R"("1.5")", R"("-1")", R"("two")", R"("")",
                               R"("2.")", R"("99999999999")"}) {
    auto translation =
        Translate("square", BurgerWithOne(quantity, "150"), SquareDowntown());
    EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument)
        << quantity;
    EXPECT_THAT(translation.status().message(),
                HasSubstr("order.line_items[0].modifiers[0].quantity: "
                          "expected a whole quantity from 0 to 2147483647"))
        << quantity;
  }
  auto number =
      Translate("square", BurgerWithOne("2", "150"), SquareDowntown());
  EXPECT_EQ(number.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(number.status().message(),
              HasSubstr("order.line_items[0].modifiers[0].quantity: expected "
                        "a string, got 2"));
}

TEST(SquareModifiersTest, ABadPriceIsRefusedWithItsPath) {
  struct Case {
    std::string quantity, amount, error;
  };
  const std::string at = "order.line_items[0].modifiers[0]";
  const std::vector<Case> cases = {
      {R"("1")", R"("150")",
       at + ".base_price_money.amount: expected an integer amount of minor "
            "units, got \"150\""},
      {R"("1")", "-150",
       at + ".base_price_money.amount: must not be negative, got -150"},
      // With the line's own 1000, more than int64 holds.
      {R"("1")", "9223372036854775807",
       at + ": makes a sum too large for int64 minor units"},
      // 2^62, twice.
      {R"("2")", "4611686018427387904",
       at + ": makes a price too large for int64 minor units"},
  };
  for (const Case& bad : cases) {
    auto translation = Translate(
        "square", BurgerWithOne(bad.quantity, bad.amount), SquareDowntown());
    EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument)
        << bad.amount;
    EXPECT_THAT(translation.status().message(), HasSubstr(bad.error));
  }
}

TEST(SquareModifiersTest, AModifierOfTheWrongShapeIsRefusedWithItsPath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("Cheese")",
       "order.line_items[0].modifiers: expected an array, got \"Cheese\""},
      {R"(["Cheese"])",
       "order.line_items[0].modifiers[0]: expected an object, got "
       "\"Cheese\""},
      {R"([{"name": "Cheese"}])",
       "order.line_items[0].modifiers[0].base_price_money: is required"},
      {R"([{"name": "Cheese", "base_price_money": null}])",
       "order.line_items[0].modifiers[0].base_price_money: is null"},
      {R"([{"base_price_money": {"amount": 150, "currency": "USD"}}])",
       "order.line_items[0].modifiers[0]: has no name"},
      {R"([{"name": "Cheese",
            "base_price_money": {"amount": 150, "currency": "EUR"}}])",
       "order.line_items[0].modifiers[0].base_price_money.currency: 'EUR' is "
       "not the order's currency 'USD'"},
  };
  for (const auto& [modifiers, error] : cases) {
    auto translation =
        Translate("square", BurgerWith(modifiers), SquareDowntown());
    EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument)
        << modifiers;
    EXPECT_THAT(translation.status().message(), HasSubstr(error));
  }
}

// A COMPLETED order with its discount, tenders and terminal time.
constexpr char kPaidOrder[] = R"({"order": {
  "id": "SQ2", "location_id": "LOC1", "state": "STATE", "version": 5,
  "created_at": "2026-11-20T19:00:00Z", "updated_at": "2026-11-20T21:00:00Z",
  CLOSED_AT
  "line_items": [{"uid": "L1", "name": "Ribeye", "quantity": "1",
    "base_price_money": {"amount": 4800, "currency": "USD"},
    "applied_discounts": [{"discount_uid": "D1",
      "applied_money": {"amount": 800, "currency": "USD"}}]}],
  TENDERS
  "total_money": {"amount": 4000, "currency": "USD"}}})";

constexpr char kTwoTenders[] = R"("tenders": [
    {"id": "T2", "created_at": "2026-11-20T20:12:30.500Z"},
    {"id": "T1", "created_at": "2026-11-20T20:10:00Z"}],)";

std::string PaidOrder(const std::string& state, const std::string& closed_at,
                      const std::string& tenders) {
  return absl::StrReplaceAll(
      kPaidOrder,
      {{"STATE", state}, {"CLOSED_AT", closed_at}, {"TENDERS", tenders}});
}

constexpr char kClosedAt[] = R"("closed_at": "2026-11-20T20:30:00Z",)";

TEST(SquareTimesTest, EachEventTakesSquaresTimeForIt) {
  auto translation =
      Translate("square", PaidOrder("COMPLETED", kClosedAt, kTwoTenders),
                SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  EXPECT_EQ(OccurredAt(events, "SQ2/opened"), At("2026-11-20T19:00:00Z"));
  EXPECT_EQ(OccurredAt(events, "SQ2/L1/added"), At("2026-11-20T19:00:00Z"));
  // Square states no time for a discount: the order's last change.
  EXPECT_EQ(OccurredAt(events, "SQ2/L1/discount/D1"),
            At("2026-11-20T21:00:00Z"));
  // Paid when the last tender was taken, before the order was completed.
  EXPECT_EQ(OccurredAt(events, "SQ2/paid"), At("2026-11-20T20:12:30.5Z"));
  EXPECT_EQ(OccurredAt(events, "SQ2/closed"), At("2026-11-20T20:30:00Z"));
}

TEST(SquareTimesTest, WithoutTendersPaidIsWhenTheOrderCompleted) {
  auto translation = Translate("square", PaidOrder("COMPLETED", kClosedAt, ""),
                               SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_EQ(OccurredAt(translation->events, "SQ2/paid"),
            At("2026-11-20T20:30:00Z"));
  EXPECT_EQ(OccurredAt(translation->events, "SQ2/closed"),
            At("2026-11-20T20:30:00Z"));
}

TEST(SquareTimesTest, WithoutSquaresTimesTheOrdersLastChangeStandsIn) {
  auto translation =
      Translate("square", PaidOrder("COMPLETED", "", ""), SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_EQ(OccurredAt(translation->events, "SQ2/paid"),
            At("2026-11-20T21:00:00Z"));
  EXPECT_EQ(OccurredAt(translation->events, "SQ2/closed"),
            At("2026-11-20T21:00:00Z"));
}

TEST(SquareTimesTest, ACanceledOrdersLinesAreVoidedWhenItWasCanceled) {
  auto translation = Translate("square", PaidOrder("CANCELED", kClosedAt, ""),
                               SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  EXPECT_EQ(OccurredAt(events, "SQ2/L1/voided"), At("2026-11-20T20:30:00Z"));
  EXPECT_EQ(OccurredAt(events, "SQ2/closed"), At("2026-11-20T20:30:00Z"));
  EXPECT_EQ(FindEvent(events, "SQ2/paid"), nullptr);
}

TEST(SquareTimesTest, ABadTimeIsRefusedWithItsPath) {
  auto tender = Translate(
      "square",
      PaidOrder("COMPLETED", kClosedAt,
                R"("tenders": [{"id": "T1", "created_at": "soon"}],)"),
      SquareDowntown());
  EXPECT_EQ(tender.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tender.status().message(),
              HasSubstr("order.tenders[0].created_at: \"soon\" is not a time"));
  auto closed = Translate(
      "square", PaidOrder("COMPLETED", R"("closed_at": 1763667000,)", ""),
      SquareDowntown());
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(closed.status().message(),
              HasSubstr("order.closed_at: expected a time (a string), got "
                        "1763667000"));
}

// The snapshots of a Square payload, as the translator reads them.
std::vector<OrderSnapshot> Snapshots(const std::string& payload) {
  auto parsed = ParseVendorPayload("square", payload, SquareDowntown());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->orders : std::vector<OrderSnapshot>{};
}

TEST(SquareGrossTest, EveryFixtureThatStatesAGrossAddsUp) {
  size_t stating = 0;
  const std::filesystem::path folder =
      std::filesystem::path(MAKEGOOD_POS_FIXTURES) / "square";
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    auto parsed = ParseVendorPayload(
        "square", testing::ReadFileOrEmpty(entry.path().string()),
        SquareDowntown());
    // Refusals on purpose (their expected output says so) are skipped; any
    // other fixture must translate.
    if (!FixtureTranslates(entry.path())) continue;
    ASSERT_TRUE(parsed.ok()) << entry.path() << ": " << parsed.status();
    for (const OrderSnapshot& order : parsed->orders) {
      if (!order.stated_gross_minor.has_value()) continue;
      ++stating;
      EXPECT_EQ(GrossMismatch(order), std::nullopt) << entry.path();
    }
  }
  // RetrieveOrderResponse, UpdateOrderResponse, CreateOrderResponse (with
  // its modifier) and PayOrderResponse state gross_sales_money per line.
  EXPECT_GE(stating, 4u);
}

TEST(SquareGrossTest, IsTheLinesGrossSalesWhenEveryLineStatesThem) {
  const std::vector<OrderSnapshot> orders =
      Snapshots(BurgerWith(kThreeModifiers));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].stated_gross_minor, 3000);
  EXPECT_EQ(GrossMismatch(orders[0]), std::nullopt);
}

TEST(SquareGrossTest, ALineThatDoesNotAddUpIsSaidOutLoud) {
  const std::string order =
      absl::StrReplaceAll(BurgerWith(kThreeModifiers),
                          {{R"("amount": 3000)", R"("amount": 3100)"}});
  auto translation = Translate("square", order, SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_THAT(translation->warnings,
              ::testing::ElementsAre("check SQ1: its lines add up to 3000 "
                                     "minor units, but the vendor states "
                                     "3100"));
}

// Lines without gross sales; the totals say 3108 = 2600 − 200 + 208 + 100 +
// 400 (lines, discount, tax, service charge, tip). EXTRA is more of the
// order.
constexpr char kTotalsOrder[] = R"({"order": {
  "id": "SQ3", "location_id": "LOC1", "state": "STATE",
  "created_at": "2026-11-20T19:00:00Z",
  "line_items": [
    {"uid": "L1", "name": "Burger", "quantity": "2",
     "base_price_money": {"amount": 1000, "currency": "USD"},
     "modifiers": [{"name": "Cheese",
                    "base_price_money": {"amount": 150, "currency": "USD"}}]},
    {"uid": "L2", "name": "Soda", "quantity": "1",
     "base_price_money": {"amount": 300, "currency": "USD"}}],
  EXTRA
  "total_tip_money": {"amount": 400, "currency": "USD"},
  "total_discount_money": {"amount": 200, "currency": "USD"},
  "total_tax_money": {"amount": 208, "currency": "USD"},
  "total_service_charge_money": {"amount": 100, "currency": "USD"},
  "total_money": {"amount": 3108, "currency": "USD"}}})";

std::optional<int64_t> GrossOfTotals(const std::string& state,
                                     const std::string& extra) {
  const std::vector<OrderSnapshot> orders = Snapshots(
      absl::StrReplaceAll(kTotalsOrder, {{"STATE", state}, {"EXTRA", extra}}));
  return orders.size() == 1 ? orders[0].stated_gross_minor : std::nullopt;
}

constexpr char kAdditiveTax[] =
    R"("taxes": [{"uid": "T", "type": "ADDITIVE"}],)";
constexpr char kInclusiveTax[] =
    R"("taxes": [{"uid": "T", "type": "INCLUSIVE"}],)";
constexpr char kCashRounding[] =
    R"("rounding_adjustment": {"uid": "R", "name": "Cash rounding",
                               "amount_money": {"amount": 2, "currency": "USD"}},)";

TEST(SquareGrossTest, IsDerivedFromTheTotalsWhenALineStatesNone) {
  EXPECT_EQ(GrossOfTotals("OPEN", ""), 2600);
  EXPECT_EQ(GrossOfTotals("COMPLETED", ""), 2600);
  EXPECT_EQ(GrossOfTotals("OPEN", kAdditiveTax), 2600);
}

TEST(SquareGrossTest, IsNotStatedWhereSquaresFiguresMeanSomethingElse) {
  // Inclusive tax: in the prices and in total_tax_money.
  EXPECT_EQ(GrossOfTotals("OPEN", kInclusiveTax), std::nullopt);
  // Nor from the lines' gross sales, which leave it out in the US.
  const std::vector<OrderSnapshot> taxed = Snapshots(absl::StrReplaceAll(
      BurgerWith(kThreeModifiers),
      {{R"("line_items": [)",
        absl::StrCat(kInclusiveTax, R"("line_items": [)")}}));
  ASSERT_EQ(taxed.size(), 1u);
  EXPECT_EQ(taxed[0].stated_gross_minor, std::nullopt);
  // Cash rounding or a return is in the total.
  EXPECT_EQ(GrossOfTotals("OPEN", kCashRounding), std::nullopt);
  EXPECT_EQ(GrossOfTotals("OPEN", R"("returns": [{"uid": "R1"}],)"),
            std::nullopt);
  // Canceled: the lines are voided.
  EXPECT_EQ(GrossOfTotals("CANCELED", ""), std::nullopt);
  // A total left out is no total of 0.
  const std::vector<OrderSnapshot> no_tip = Snapshots(absl::StrReplaceAll(
      kTotalsOrder,
      {{"STATE", "OPEN"},
       {"EXTRA", ""},
       {R"("total_tip_money": {"amount": 400, "currency": "USD"},)", ""}}));
  ASSERT_EQ(no_tip.size(), 1u);
  EXPECT_EQ(no_tip[0].stated_gross_minor, std::nullopt);
}

TEST(SquareGrossTest, ALineWithAServiceChargeLeavesItToTheTotals) {
  // Square's gross sales for a line can hold its apportioned service
  // charge: the line's figure is not used, the order's totals are.
  const std::string order = absl::StrReplaceAll(
      BurgerWith(kThreeModifiers),
      {{R"("gross_sales_money": {"amount": 3000, "currency": "USD"},)",
        R"("gross_sales_money": {"amount": 3100, "currency": "USD"},
           "total_service_charge_money": {"amount": 100, "currency": "USD"},)"}});
  const std::vector<OrderSnapshot> orders = Snapshots(order);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].stated_gross_minor, std::nullopt);  // No totals.
}

// An ORDER-scope discount, allocated by Square to both lines, and a
// LINE_ITEM one named like one of makegood's codes.
constexpr char kDiscountedOrder[] = R"({"order": {
  "id": "SQ4", "location_id": "LOC1", "state": "OPEN",
  "created_at": "2026-11-20T19:00:00Z", "updated_at": "2026-11-20T19:30:00Z",
  "discounts": [
    {"uid": "LABOR-DAY", "name": "Labor Day", "type": "FIXED_PERCENTAGE",
     "percentage": "10", "scope": "ORDER",
     "applied_money": {"amount": 150, "currency": "USD"}},
    {"uid": "D2", "name": "CODE", "type": "FIXED_AMOUNT", "scope": "LINE_ITEM",
     "amount_money": {"amount": 200, "currency": "USD"},
     "applied_money": {"amount": 200, "currency": "USD"}}],
  "line_items": [
    {"uid": "L1", "name": "Burger", "quantity": "1",
     "base_price_money": {"amount": 1000, "currency": "USD"},
     "applied_discounts": [
       {"uid": "A1", "discount_uid": "LABOR-DAY",
        "applied_money": {"amount": 100, "currency": "USD"}},
       {"uid": "A2", "discount_uid": "D2",
        "applied_money": {"amount": 200, "currency": "USD"}}]},
    {"uid": "L2", "name": "Fries", "quantity": "1",
     "base_price_money": {"amount": 500, "currency": "USD"},
     "applied_discounts": [
       {"uid": "A3", "discount_uid": "LABOR-DAY",
        "applied_money": {"amount": 50, "currency": "USD"}}]}]}})";

TEST(SquarePromotionTest, AnOrderDiscountCountsOnceAsItsShareOfEachLine) {
  auto translation = Translate("square", kDiscountedOrder, SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  const OrderEvent* burger = FindEvent(events, "SQ4/L1/discount/LABOR-DAY");
  ASSERT_NE(burger, nullptr);
  EXPECT_EQ(burger->item_discounted().amount().minor_units(), 100);
  const OrderEvent* fries = FindEvent(events, "SQ4/L2/discount/LABOR-DAY");
  ASSERT_NE(fries, nullptr);
  EXPECT_EQ(fries->item_discounted().amount().minor_units(), 50);
  // Not again as a discount of the whole check.
  EXPECT_EQ(FindEvent(events, "SQ4/discount/LABOR-DAY"), nullptr);
}

TEST(SquarePromotionTest, SquareStatesNoCodeSoADiscountIsNoRedemption) {
  const std::string code = core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::fill(out, out + size, 7); });
  const std::string order = absl::StrReplaceAll(
      kDiscountedOrder, {{R"("CODE")", "\"" + code + "\""}});
  auto translation = Translate("square", order, SquareDowntown());
  ASSERT_TRUE(translation.ok()) << translation.status();
  int discounts = 0;
  for (const OrderEvent& event : translation->events) {
    EXPECT_FALSE(event.has_discount_code_redeemed()) << event.event_id();
    if (event.has_item_discounted()) ++discounts;
  }
  EXPECT_EQ(discounts, 3);  // LABOR-DAY on both lines, D2 on the burger.
  const OrderEvent* named =
      FindEvent(translation->events, "SQ4/L1/discount/D2");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->item_discounted().amount().minor_units(), 200);
}

}  // namespace
}  // namespace makegood::adapters
