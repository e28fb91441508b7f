// The vendor translation: every shared POS fixture through the real
// `makegood-adapter <vendor> translate` against its checked-in expected
// output, and the rules behind it on payloads written for each case.

#include "translate.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/discount_code.h"
#include "exact_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json_reader.h"
#include "snapshot_events.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vendor_payload.h"

namespace makegood::adapters {
namespace {

using makegood::v1::OrderEvent;
using ::testing::HasSubstr;

std::vector<std::filesystem::path> Fixtures() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(MAKEGOOD_POS_FIXTURES)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The vendor of a fixture: the first directory under the fixtures' root
// (<vendor>/X.json, or <vendor>/regression/X.json).
std::string VendorOf(const std::filesystem::path& file) {
  return std::filesystem::relative(file, MAKEGOOD_POS_FIXTURES)
      .begin()
      ->string();
}

TEST(TranslateFixturesTest, EveryVendorFixtureGivesItsExpectedOutput) {
  const std::vector<std::filesystem::path> files = Fixtures();
  // All of ../shared/fixtures/pos, copied (22), payloads from the vendors'
  // docs and SDKs with modifiers, times and codes (8), and the regression
  // inputs written for the translators (23). Each has its .source.txt.
  ASSERT_EQ(files.size(), 53u);
  for (const auto& file : files) {
    const std::string vendor = VendorOf(file);
    // Paths in messages are relative to the fixtures' directory.
    const std::string relative =
        std::filesystem::relative(file, MAKEGOOD_POS_FIXTURES).string();
    testing::CommandResult run = testing::RunCommand(
        {MAKEGOOD_ADAPTER_BIN, vendor, "translate", file.string(), "--currency",
         "USD", "--location", "downtown-01"});
    const std::string actual =
        run.out + absl::StrReplaceAll(run.err, {{file.string(), relative}}) +
        "exit " + std::to_string(run.exit_code) + "\n";
    std::filesystem::path expected_path = file;
    expected_path.replace_extension(".expected.txt");
    EXPECT_EQ(actual, testing::ReadFileOrEmpty(expected_path.string()))
        << "for " << relative;
  }
}

VendorContext Usd() {
  VendorContext context;
  context.source = "test";
  context.default_location = "downtown-01";
  context.currency = "USD";
  return context;
}

// A Toast order as its API sends it: money as JSON doubles in major units.
constexpr char kToastOrder[] = R"({
  "guid": "order-1", "numberOfGuests": 2, "server": {"guid": "emp-9"},
  "table": {"guid": "table-12"}, "openedDate": "2026-11-20T19:00:00.000+0000",
  "checks": [{
    "guid": "check-1", "openedDate": "2026-11-20T19:00:00.000+0000",
    "modifiedDate": "2026-11-20T20:10:00.000+0000",
    "paymentStatus": "PAID", "totalAmount": 21.98, "closedDate": null,
    "payments": [{"tipAmount": 4.4}, {"tipAmount": 0.1}],
    "appliedDiscounts": [{"guid": "disc-check", "discountAmount": 0.1,
                          "appliedPromoCode": "WELCOME10"}],
    "selections": [
      {"guid": "sel-1", "item": {"guid": "ribeye"}, "displayName": "Ribeye",
       "quantity": 2.0, "receiptLinePrice": 10.99, "fulfillmentStatus": "SENT",
       "createdDate": "2026-11-20T19:05:00.000+0000",
       "appliedDiscounts": [{"guid": "comp-1", "discountAmount": 10.99}]},
      {"guid": "sel-2", "item": {"guid": "fries"}, "displayName": "Fries",
       "quantity": 1, "preDiscountPrice": 4.5, "voided": true,
       "voidReason": {"guid": "wrong-item"}},
      {"guid": "sel-3", "deleted": true, "quantity": 1}
    ]
  }]
})";

const OrderEvent* FindEvent(const std::vector<OrderEvent>& events,
                            const std::string& id) {
  for (const OrderEvent& event : events) {
    if (event.event_id() == id) return &event;
  }
  return nullptr;
}

TEST(ToastTranslateTest, DoublesBecomeExactMinorUnits) {
  auto translation = Translate("toast", kToastOrder, Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const auto& events = translation->events;
  const OrderEvent* ribeye = FindEvent(events, "check-1/sel-1/added");
  ASSERT_NE(ribeye, nullptr);
  EXPECT_EQ(ribeye->item_added().quantity(), 2);
  EXPECT_EQ(ribeye->item_added().unit_price().minor_units(), 1099);
  EXPECT_EQ(ribeye->item_added().sku(), "ribeye");
  ASSERT_NE(FindEvent(events, "check-1/sel-1/fired"), nullptr);
  const OrderEvent* comp = FindEvent(events, "check-1/sel-1/discount/comp-1");
  ASSERT_NE(comp, nullptr);
  EXPECT_EQ(comp->item_discounted().amount().minor_units(), 1099);
  const OrderEvent* fries = FindEvent(events, "check-1/sel-2/added");
  ASSERT_NE(fries, nullptr);
  EXPECT_EQ(fries->item_added().unit_price().minor_units(), 450);
  const OrderEvent* voided = FindEvent(events, "check-1/sel-2/voided");
  ASSERT_NE(voided, nullptr);
  EXPECT_EQ(voided->item_voided().reason(), "wrong-item");
  EXPECT_EQ(FindEvent(events, "check-1/sel-3/added"), nullptr);  // Deleted.
  // The shop's own promotion code is a discount, not a makegood code.
  const OrderEvent* promotion =
      FindEvent(events, "check-1/discount/code-WELCOME10");
  ASSERT_NE(promotion, nullptr);
  EXPECT_EQ(promotion->item_discounted().amount().minor_units(), 10);
  EXPECT_EQ(FindEvent(events, "check-1/code/WELCOME10"), nullptr);
  const OrderEvent* paid = FindEvent(events, "check-1/paid");
  ASSERT_NE(paid, nullptr);
  EXPECT_EQ(paid->check_paid().total().minor_units(), 2198);
  EXPECT_EQ(paid->check_paid().tip().minor_units(), 450);  // 4.4 + 0.1
  const OrderEvent* opened = FindEvent(events, "check-1/opened");
  ASSERT_NE(opened, nullptr);
  EXPECT_EQ(opened->check_opened().table(), "table-12");
  EXPECT_EQ(opened->check_opened().guest_count(), 2);
  EXPECT_EQ(opened->location_id(), "downtown-01");
}

TEST(ToastTranslateTest, AMakegoodCodeIsARedemption) {
  const std::string code = core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::fill(out, out + size, 7); });
  std::string order = kToastOrder;
  order.replace(order.find("WELCOME10"), 9, code);
  auto translation = Translate("toast", order, Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* redeemed =
      FindEvent(translation->events, "check-1/code/" + code);
  ASSERT_NE(redeemed, nullptr);
  EXPECT_EQ(redeemed->discount_code_redeemed().code(), code);
  EXPECT_EQ(redeemed->discount_code_redeemed().amount().minor_units(), 10);
}

TEST(ToastTranslateTest, RefusesWhatItCannotReadExactly) {
  std::string fraction_of_a_cent = kToastOrder;
  fraction_of_a_cent.replace(fraction_of_a_cent.find("10.99,"), 6, "10.995,");
  auto three_decimals = Translate("toast", fraction_of_a_cent, Usd());
  EXPECT_EQ(three_decimals.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(three_decimals.status().message(),
              HasSubstr("order.checks[0].selections[0].receiptLinePrice"));

  std::string half_portion = kToastOrder;
  half_portion.replace(half_portion.find("2.0,"), 4, "0.5,");
  auto fractional = Translate("toast", half_portion, Usd());
  EXPECT_THAT(fractional.status().message(),
              HasSubstr("selections[0].quantity: expected a whole"));

  VendorContext no_currency = Usd();
  no_currency.currency.clear();
  EXPECT_THAT(Translate("toast", kToastOrder, no_currency).status().message(),
              HasSubstr("currency"));
  EXPECT_THAT(Translate("toast", "{not json", Usd()).status().message(),
              HasSubstr("not JSON at byte"));
  EXPECT_THAT(Translate("micros", "{}", Usd()).status().message(),
              HasSubstr("unknown vendor 'micros'"));
}

TEST(ExactJsonTest, KeepsTheTextOfFractionalNumbers) {
  auto json =
      ParseExactJson(R"({"a": 0.1, "b": [1.10, 7], "c": 1e2, "d": "1.5"})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(ExactNumberText(json->at("a")), "0.1");
  EXPECT_EQ(ExactNumberText(json->at("b").at(0)), "1.10");
  EXPECT_EQ(json->at("b").at(1), 7);
  EXPECT_EQ(ExactNumberText(json->at("c")), "1e2");
  // A string is no number, however it reads.
  EXPECT_FALSE(ExactNumberText(json->at("d")).has_value());
  EXPECT_EQ(TextAt(*json, "a"), "0.1");
}

// Reads `field` of `{"v": <value>}` as `read` does; the status and value.
template <typename Read>
auto ReadField(const std::string& value, Read read) {
  auto document = ParseExactJson(R"({"v": )" + value + "}");
  EXPECT_TRUE(document.ok()) << value;
  JsonReader reader;
  auto result = read(reader.Root(*document, "order").Field("v"));
  return std::make_pair(reader.status(), result);
}

TEST(JsonReaderTest, AmountsAreExactAndNamedByTheirPath) {
  auto toast = [](const JsonValue& v) {
    return v.Amount(Need::kRequired, AmountForm::kMajorNumber, "USD");
  };
  EXPECT_EQ(ReadField("10.99", toast).second, 1099);
  EXPECT_EQ(ReadField("1.10e1", toast).second, 1100);
  EXPECT_EQ(ReadField("12", toast).second, 1200);
  EXPECT_EQ(ReadField("0.1000", toast).second, 10);
  EXPECT_THAT(ReadField("1e30", toast).first.message(),
              HasSubstr("order.v: '1000000000000000000000000000000' is too "
                        "large"));
  EXPECT_THAT(ReadField("10.995", toast).first.message(),
              HasSubstr("order.v: '10.995' has more decimals than USD"));
  EXPECT_THAT(ReadField(R"("10.99")", toast).first.message(),
              HasSubstr("order.v: expected a number, got \"10.99\""));
  EXPECT_THAT(ReadField("-1", toast).first.message(),
              HasSubstr("order.v: must not be negative, got -1"));
  EXPECT_THAT(ReadField("null", toast).first.message(),
              HasSubstr("order.v: is null; expected an amount"));

  auto shopify = [](const JsonValue& v) {
    return v.Amount(Need::kRequired, AmountForm::kMajorString, "USD");
  };
  EXPECT_EQ(ReadField(R"("12.50")", shopify).second, 1250);
  EXPECT_THAT(ReadField("12.5", shopify).first.message(),
              HasSubstr("expected a decimal string"));
  EXPECT_THAT(ReadField(R"("1e3")", shopify).first.message(),
              HasSubstr("expected a decimal like"));

  auto cents = [](const JsonValue& v) {
    return v.Amount(Need::kOptional, AmountForm::kMinorUnits, "USD");
  };
  EXPECT_EQ(ReadField("9223372036854775807", cents).second, INT64_MAX);
  EXPECT_THAT(ReadField("9223372036854775808", cents).first.message(),
              HasSubstr("is out of range for int64 minor units"));
  EXPECT_THAT(ReadField("1.0", cents).first.message(),
              HasSubstr("expected an integer amount of minor units, got 1.0"));
  // Optional money: absent is none, null is refused.
  auto document = ParseExactJson(R"({"v": 1})");
  JsonReader reader;
  EXPECT_EQ(cents(reader.Root(*document, "order").Field("tip")), 0);
  EXPECT_TRUE(reader.ok());
}

TEST(JsonReaderTest, IdsTimesAndQuantitiesAreChecked) {
  auto id = [](const JsonValue& v) { return v.Id(Need::kRequired); };
  EXPECT_EQ(ReadField(R"("L1")", id).second, "L1");
  EXPECT_THAT(ReadField(R"("")", id).first.message(),
              HasSubstr("order.v: is empty; expected an id"));
  EXPECT_THAT(ReadField(absl::StrCat("\"", std::string(129, 'x'), "\""), id)
                  .first.message(),
              HasSubstr("is 129 bytes long; ids have at most 128"));
  EXPECT_THAT(ReadField("12", id).first.message(),
              HasSubstr("expected an id (a string), got 12"));
  auto integer_id = [](const JsonValue& v) {
    return v.IntegerId(Need::kRequired);
  };
  EXPECT_EQ(ReadField("450789469", integer_id).second, "450789469");
  EXPECT_FALSE(ReadField("-1", integer_id).first.ok());

  auto time = [](const JsonValue& v) { return v.Time(Need::kRequired); };
  EXPECT_EQ(ReadField(R"("2024-04-01T15:09:30.223+0000")", time).second,
            absl::FromUnixMillis(1711984170223));
  EXPECT_THAT(ReadField(R"("yesterday")", time).first.message(),
              HasSubstr("order.v: \"yesterday\" is not a time"));
  EXPECT_THAT(ReadField(R"("1970-01-01T00:00:00Z")", time).first.message(),
              HasSubstr("is outside 2000-01-01 to 9999-12-31"));
  auto millis = [](const JsonValue& v) {
    return v.UnixMillis(Need::kRequired);
  };
  EXPECT_THAT(ReadField("0", millis).first.message(),
              HasSubstr("is outside 2000-01-01"));

  auto square = [](const JsonValue& v) {
    return v.Quantity(QuantityForm::kDecimalString);
  };
  EXPECT_EQ(ReadField(R"("2.00000")", square).second, 2);
  EXPECT_THAT(ReadField(R"("1.5")", square).first.message(),
              HasSubstr("expected a whole positive quantity"));
  EXPECT_FALSE(ReadField("2", square).first.ok());
  EXPECT_FALSE(ReadField(R"("0")", square).first.ok());
  EXPECT_FALSE(ReadField(R"("4294967296")", square).first.ok());
}

TEST(JsonReaderTest, WrongTypesAreRefusedNotRead) {
  auto document = ParseExactJson(
      R"({"order": {"lines": "oops", "total": {"amount": 5}, "n": null}})");
  ASSERT_TRUE(document.ok());
  JsonReader reader;
  const JsonValue order = reader.Root(*document, "").Field("order");
  EXPECT_TRUE(order.Field("absent").Elements().empty());  // None.
  EXPECT_EQ(order.Field("n").Text(), "");                 // Null text: none.
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(order.Field("lines").Elements().empty());
  EXPECT_EQ(reader.status().message(),
            "order.lines: expected an array, got \"oops\"");
  // The first refusal stays; later reads change nothing.
  EXPECT_EQ(
      order.Field("total").Field("amount").Integer(Need::kRequired, 0, 10), 0);
  EXPECT_EQ(reader.status().message(),
            "order.lines: expected an array, got \"oops\"");

  // A null list could hide money: refused.
  JsonReader second;
  EXPECT_TRUE(
      second.Root(*document, "").Field("order").Field("n").Elements().empty());
  EXPECT_EQ(second.status().message(),
            "order.n: is null; expected an array (left out, or [], when "
            "there are none)");
}

TEST(CloverTranslateTest, PercentDiscountsRoundHalfUpAndWebhooksCoalesce) {
  auto translation = Translate("clover", R"({
    "id": "ORD1", "currency": "USD", "createdTime": 1763665200000,
    "modifiedTime": 1763665500000, "state": "locked", "total": 1166,
    "lineItems": {"elements": [{"id": "L1", "name": "Burger", "price": 1295,
      "printed": true, "discounts": {"elements": [
        {"id": "D1", "name": "10% Off", "percentage": 10}]}}]},
    "payments": {"elements": [{"tipAmount": 200}]}})",
                               Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* discount =
      FindEvent(translation->events, "ORD1/L1/discount/D1");
  ASSERT_NE(discount, nullptr);
  EXPECT_EQ(discount->item_discounted().amount().minor_units(), 130);
  ASSERT_NE(FindEvent(translation->events, "ORD1/L1/fired"), nullptr);
  const OrderEvent* paid = FindEvent(translation->events, "ORD1/paid");
  ASSERT_NE(paid, nullptr);
  EXPECT_EQ(paid->check_paid().tip().minor_units(), 200);

  // The captured batch names one order three times and another once.
  const std::string batch = testing::ReadFileOrEmpty(
      std::string(MAKEGOOD_POS_FIXTURES) +
      "/clover/webhook_notification_captured_fixture.json");
  auto doorbell = Translate("clover", batch, Usd());
  ASSERT_TRUE(doorbell.ok());
  ASSERT_EQ(doorbell->fetch.size(), 2u);
  EXPECT_EQ(doorbell->fetch[0].order_id, "KJHCCYXHV3ZDY");
  EXPECT_EQ(doorbell->fetch[0].vendor_location, "HFBW9FH45ZBH2");
  EXPECT_TRUE(doorbell->events.empty());
}

TEST(SquareTranslateTest, AWebhookNamesTheOrderAndItsDeliveryId) {
  const std::string webhook =
      testing::ReadFileOrEmpty(std::string(MAKEGOOD_POS_FIXTURES) +
                               "/square/webhook_order.updated.json");
  auto translation = Translate("square", webhook, Usd());
  ASSERT_TRUE(translation.ok());
  EXPECT_EQ(translation->event_id, "4b8e5c91-9f17-4cf1-900a-4a0629f81add");
  ASSERT_EQ(translation->fetch.size(), 1u);
  EXPECT_EQ(translation->fetch[0].order_id, "eA3vssLHKJrv9H0IdJCM3gNqfdcZY");
  EXPECT_EQ(translation->fetch[0].version, 2);
}

// makegood's own discounts come back as the confirmation of their command,
// not as POS discounts; the POS's own ones next to them stay POS discounts.
TEST(RemedyOriginTest, SquareDiscountsWithTheMarkerAreMakegoods) {
  auto translation = Translate("square", R"({"order": {
    "id": "SQ1", "location_id": "LOC1", "created_at": "2026-11-20T19:00:00Z",
    "version": 3, "state": "OPEN",
    "line_items": [
      {"uid": "L1", "name": "Ribeye", "quantity": "1",
       "base_price_money": {"amount": 4800, "currency": "USD"},
       "applied_discounts": [{"discount_uid": "mg-CMD-1",
         "applied_money": {"amount": 4800, "currency": "USD"}}]},
      {"uid": "L2", "name": "Fries", "quantity": "1",
       "base_price_money": {"amount": 500, "currency": "USD"},
       "applied_discounts": [{"discount_uid": "HAPPY-HOUR",
         "applied_money": {"amount": 100, "currency": "USD"}}]}],
    "total_money": {"amount": 400, "currency": "USD"}}})",
                               Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* ours =
      FindEvent(translation->events, "SQ1/L1/discount/mg-CMD-1");
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->origin(), makegood::v1::ORIGIN_MAKEGOOD);
  EXPECT_EQ(ours->command_id(), "CMD-1");
  EXPECT_EQ(ours->item_discounted().amount().minor_units(), 4800);
  const OrderEvent* theirs =
      FindEvent(translation->events, "SQ1/L2/discount/HAPPY-HOUR");
  ASSERT_NE(theirs, nullptr);
  EXPECT_EQ(theirs->origin(), makegood::v1::ORIGIN_UNSPECIFIED);
  EXPECT_EQ(theirs->command_id(), "");
}

TEST(RemedyOriginTest, CloverDiscountsNamedWithTheMarkerAreMakegoods) {
  auto translation = Translate("clover", R"json({
    "id": "ORD1", "currency": "USD", "createdTime": 1763665200000,
    "modifiedTime": 1763665500000, "state": "open", "total": 500,
    "lineItems": {"elements": [{"id": "L1", "name": "Burger", "price": 1295,
      "discounts": {"elements": [
        {"id": "D1", "name": "Comp (makegood mg-CMD-2)", "percentage": 100},
        {"id": "D2", "name": "Staff meal", "amount": -200}]}}]},
    "discounts": {"elements": [
      {"id": "D3", "name": "Make-good discount (makegood mg-CMD-3)",
       "amount": -300}]}
  })json",
                               Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* comp =
      FindEvent(translation->events, "ORD1/L1/discount/D1");
  ASSERT_NE(comp, nullptr);
  EXPECT_EQ(comp->origin(), makegood::v1::ORIGIN_MAKEGOOD);
  EXPECT_EQ(comp->command_id(), "CMD-2");
  const OrderEvent* staff =
      FindEvent(translation->events, "ORD1/L1/discount/D2");
  ASSERT_NE(staff, nullptr);
  EXPECT_EQ(staff->origin(), makegood::v1::ORIGIN_UNSPECIFIED);
  const OrderEvent* check = FindEvent(translation->events, "ORD1/discount/D3");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->origin(), makegood::v1::ORIGIN_MAKEGOOD);
  EXPECT_EQ(check->command_id(), "CMD-3");
}

TEST(RemedyOriginTest, ToastDiscountsWithTheMarkerAsExternalIdAreMakegoods) {
  std::string order = kToastOrder;
  const std::string comp = R"({"guid": "comp-1", "discountAmount": 10.99})";
  order.replace(order.find(comp), comp.size(),
                R"({"guid": "comp-1", "discountAmount": 10.99,
                    "externalId": "makegood:mg-CMD-4"})");
  auto translation = Translate("toast", order, Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* ours =
      FindEvent(translation->events, "check-1/sel-1/discount/comp-1");
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->origin(), makegood::v1::ORIGIN_MAKEGOOD);
  EXPECT_EQ(ours->command_id(), "CMD-4");
  // Toast's webhooks send externalId as null: nothing to go by there.
  auto webhook_view = Translate("toast", kToastOrder, Usd());
  ASSERT_TRUE(webhook_view.ok());
  const OrderEvent* unknown =
      FindEvent(webhook_view->events, "check-1/sel-1/discount/comp-1");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->origin(), makegood::v1::ORIGIN_UNSPECIFIED);
}

TEST(RemedyOriginTest, AShopifyRedemptionOfAMakegoodCodeIsNoLineDiscount) {
  const std::string code = core::NewDiscountCode(
      [](uint8_t* out, size_t size) { std::fill(out, out + size, 7); });
  const std::string order = absl::StrReplaceAll(R"({
    "id": 7003, "currency": "USD", "created_at": "2026-11-20T19:00:00-05:00",
    "line_items": [{"id": 70031, "sku": "IPOD-1", "name": "iPod Nano",
      "quantity": 1, "price": "199.00",
      "discount_allocations": [
        {"amount": "39.80", "discount_application_index": 0},
        {"amount": "5.00", "discount_application_index": 1}]}],
    "discount_applications": [
      {"type": "discount_code", "code": "CODE", "value": "20.0"},
      {"type": "manual", "title": "Loyal customer", "value": "5.00"}],
    "discount_codes": [{"code": "CODE", "amount": "39.80"}]})",
                                                {{"CODE", code}});
  auto translation = Translate("shopify", order, Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  const OrderEvent* redeemed =
      FindEvent(translation->events, "7003/code/" + code);
  ASSERT_NE(redeemed, nullptr);
  EXPECT_EQ(redeemed->discount_code_redeemed().amount().minor_units(), 3980);
  // makegood's code counts once, as the redemption; the manual discount is
  // the shop's own.
  EXPECT_EQ(FindEvent(translation->events, "7003/70031/discount/application-0"),
            nullptr);
  const OrderEvent* manual =
      FindEvent(translation->events, "7003/70031/discount/application-1");
  ASSERT_NE(manual, nullptr);
  EXPECT_EQ(manual->item_discounted().amount().minor_units(), 500);
}

// Snapshots of one check as notifications arrive.
OrderSnapshot Check(int64_t version, LineSnapshot::State state, bool paid) {
  OrderSnapshot order;
  order.source = "test";
  order.location_id = "downtown-01";
  order.check_id = "C1";
  order.currency = "USD";
  order.version = version;
  order.opened_at = absl::FromUnixSeconds(1763665200);
  order.updated_at = order.opened_at + absl::Minutes(version);
  LineSnapshot line;
  line.line_id = "L1";
  line.sku = "RIBEYE";
  line.unit_price_minor = 4800;
  line.state = state;
  order.lines.push_back(line);
  order.paid = paid;
  order.paid_total_minor = paid ? 4800 : 0;
  return order;
}

std::vector<std::string> Ids(const std::vector<OrderEvent>& events) {
  std::vector<std::string> ids;
  for (const auto& event : events) ids.push_back(event.event_id());
  return ids;
}

TEST(SnapshotEventsTest, EachChangeIsOneEventWhateverTheNotificationOrder) {
  using State = LineSnapshot::State;
  const OrderSnapshot first = Check(1, State::kOrdered, false);
  const OrderSnapshot fired = Check(2, State::kFired, false);
  const OrderSnapshot paid = Check(3, State::kFired, true);
  EXPECT_THAT(Ids(EventsFor(nullptr, first)),
              ::testing::ElementsAre("C1/opened", "C1/L1/added"));
  EXPECT_THAT(Ids(EventsFor(&first, fired)),
              ::testing::ElementsAre("C1/L1/fired"));
  EXPECT_TRUE(EventsFor(&fired, fired).empty());  // Repeated.
  EXPECT_THAT(Ids(EventsFor(&fired, paid)), ::testing::ElementsAre("C1/paid"));
  EXPECT_TRUE(EventsFor(&paid, fired).empty());  // An old retry, late.
  // Without the earlier state, the same changes carry the same ids, so
  // makegoodd stores each once.
  EXPECT_THAT(Ids(EventsFor(nullptr, paid)),
              ::testing::ElementsAre("C1/opened", "C1/L1/added", "C1/L1/fired",
                                     "C1/paid"));
}

// A promotion code's discount counts once: as the code, not also as a
// discount of the check (which counted its money twice).
TEST(ToastTranslateTest, APromotionCodesDiscountCountsOnce) {
  auto translation = Translate("toast", kToastOrder, Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  EXPECT_NE(FindEvent(translation->events, "check-1/discount/code-WELCOME10"),
            nullptr);
  EXPECT_EQ(FindEvent(translation->events, "check-1/discount/disc-check"),
            nullptr);
}

// Ids that would make two events share an id are refused, not merged by
// makegoodd into one.
TEST(TranslateTest, EventIdsThatCollideAreRefused) {
  auto translation = Translate("toast", R"({
    "openedDate": "2024-11-20T19:00:00.000+0000",
    "checks": [{"guid": "C", "paymentStatus": "OPEN",
      "appliedDiscounts": [{"guid": "added", "discountAmount": 1.0}],
      "selections": [{"guid": "discount", "quantity": 1,
                      "receiptLinePrice": 5.0}]}]})",
                               Usd());
  EXPECT_EQ(translation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(translation.status().message(),
              HasSubstr("the same id 'C/discount/added'"));
}

// A vendor's long ids can make an event id longer than the contract takes:
// it is then a hash, as stable and unique, and the event is published.
TEST(TranslateTest, AnEventIdTooLongIsHashed) {
  const std::string code(120, 'Q');
  auto translation = Translate("shopify",
                               absl::StrCat(R"({
    "id": 9001, "currency": "USD", "created_at": "2024-11-20T14:00:00-05:00",
    "discount_codes": [{"code": ")",
                                            code, R"(", "amount": "5.00"}]})"),
                               Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  ASSERT_EQ(translation->events.size(), 2u);  // Opened, the code.
  const OrderEvent& discount = translation->events[1];
  EXPECT_THAT(discount.event_id(), ::testing::StartsWith("sha256:"));
  EXPECT_LE(discount.event_id().size(), 128u);
  EXPECT_EQ(discount.item_discounted().discount_id(), "code-" + code);
  auto again = Translate("shopify",
                         absl::StrCat(R"({
    "id": 9001, "currency": "USD", "created_at": "2024-11-20T14:00:00-05:00",
    "discount_codes": [{"code": ")",
                                      code, R"(", "amount": "5.00"}]})"),
                         Usd());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events[1].event_id(), discount.event_id());
}

// A marker naming an id longer than any command id is no marker of
// makegood's: the discount is the POS's.
TEST(RemedyOriginTest, AMarkerTooLongForACommandIdIsNoMarker) {
  const std::string name = "Comp (makegood mg-" + std::string(129, 'C') + ")";
  auto translation = Translate("clover",
                               absl::StrCat(R"({
    "id": "ORD1", "currency": "USD", "createdTime": 1732129200000,
    "state": "open",
    "lineItems": {"elements": [{"id": "L1", "name": "Burger", "price": 1295,
      "discounts": {"elements": [{"id": "D1", "percentage": 100,
                                  "name": ")",
                                            name, R"("}]}}]}})"),
                               Usd());
  ASSERT_TRUE(translation.ok()) << translation.status();
  ASSERT_EQ(translation->events.size(), 3u);
  EXPECT_EQ(translation->events[2].event_id(), "ORD1/L1/discount/D1");
  EXPECT_EQ(translation->events[2].origin(), makegood::v1::ORIGIN_UNSPECIFIED);
  EXPECT_TRUE(translation->events[2].command_id().empty());
}

// makegood-adapter translate, as an integrator runs it.
class TranslateCommandTest : public ::testing::Test {
 protected:
  testing::CommandResult Run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {MAKEGOOD_ADAPTER_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
};

TEST_F(TranslateCommandTest, AnUnknownVendorIsNamedWithTheKnownOnes) {
  testing::CommandResult run = Run({"micros", "translate", "x.json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "makegood-adapter: unknown vendor 'micros'; known: square, toast, "
            "clover, shopify\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(TranslateCommandTest, ABadCurrencyIsBlamedOnTheOption) {
  const std::string order = testing::ReadFileOrEmpty(
      std::string(MAKEGOOD_POS_FIXTURES) + "/toast/webhook_order_updated.json");
  const std::string file = Write("order.json", order);
  for (const char* bad : {"usd", "US", "XYZ", "12.5"}) {
    testing::CommandResult run =
        Run({"toast", "translate", file, "--currency", bad});
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_THAT(run.err, ::testing::StartsWith(absl::StrCat(
                             "makegood-adapter: --currency: '", bad, "'")))
        << bad;
    EXPECT_EQ(run.out, "") << bad;
  }
  testing::CommandResult none = Run({"toast", "translate", file});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("--currency: is required for toast"));
}

// Nothing is printed unless the whole payload translated: an order that
// fails after good ones leaves stdout empty.
TEST_F(TranslateCommandTest, APayloadThatFailsLatePrintsNothing) {
  const std::string file = Write("orders.json", R"({"orders": [
    {"id": "SQ1", "created_at": "2024-11-20T19:00:00Z", "state": "OPEN",
     "line_items": [{"uid": "L1", "name": "Ribeye", "quantity": "1",
       "base_price_money": {"amount": 4800, "currency": "USD"}}]},
    {"id": "SQ2", "created_at": "2024-11-20T19:00:00Z", "state": "OPEN",
     "line_items": [{"uid": "L1", "name": "Ribeye", "quantity": "1",
       "base_price_money": {"amount": null, "currency": "USD"}}]}]})");
  testing::CommandResult run =
      Run({"square", "translate", file, "--location", "downtown-01"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err,
              HasSubstr(": orders[1].line_items[0].base_price_money.amount: is "
                        "null; expected an amount"));
  // The same first order alone prints its events.
  const std::string good = Write("order.json", R"({"order":
    {"id": "SQ1", "created_at": "2024-11-20T19:00:00Z", "state": "OPEN",
     "line_items": [{"uid": "L1", "name": "Ribeye", "quantity": "1",
       "base_price_money": {"amount": 4800, "currency": "USD"}}]}})");
  run = Run({"square", "translate", good, "--location", "downtown-01"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2);
}

// Without --location, an order that names no location has none to go to.
TEST_F(TranslateCommandTest, AnOrderWithoutALocationNeedsTheOption) {
  const std::string file = Write("order.json", R"({"order":
    {"id": "SQ1", "created_at": "2024-11-20T19:00:00Z", "state": "OPEN"}})");
  testing::CommandResult run = Run({"square", "translate", file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("order.location_id: is required: the order "
                                 "names none, and no makegood location is "
                                 "configured for it"));
  EXPECT_EQ(run.out, "");
}

// A Shopify order whose line items' prices are 2 x 10.00, against the
// vendor's own total_line_items_price of `stated`.
std::string ShopifyOrderStating(const std::string& stated) {
  return absl::StrCat(R"({"order": {
    "id": 1001, "currency": "USD", "created_at": "2024-11-20T19:00:00Z",
    "total_line_items_price": ")",
                      stated, R"(",
    "line_items": [{"id": 11, "name": "Ribeye", "quantity": 2,
                    "price": "10.00"}]}})");
}

// A doubtful translation is published as translated, so translate prints
// its events and exits 0, saying what is doubtful on stderr.
TEST_F(TranslateCommandTest, WarningsGoToStderrAndTheExitStatusStays) {
  const std::string file = Write("order.json", ShopifyOrderStating("25.00"));
  testing::CommandResult run =
      Run({"shopify", "translate", file, "--location", "downtown-01"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, absl::StrCat("makegood-adapter: warning: ", file,
                                  ": check 1001: its lines add up to 2000 "
                                  "minor units, but the vendor states 2500\n"));
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2) << run.out;

  // Lines that add up say nothing.
  const std::string agrees = Write("agrees.json", ShopifyOrderStating("20.00"));
  run = Run({"shopify", "translate", agrees, "--location", "downtown-01"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2) << run.out;
}

// The check_opened event of translate's output.
nlohmann::json CheckOpened(const std::string& out) {
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    const nlohmann::json event = nlohmann::json::parse(
        out.substr(start, end == std::string::npos ? end : end - start));
    if (event.contains("check_opened")) return event["check_opened"];
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return nullptr;
}

TEST_F(TranslateCommandTest, StaffAndTablesTakeTheMappedNames) {
  const std::string file = Write("order.json", kToastOrder);
  testing::CommandResult run =
      Run({"toast", "translate", file, "--currency", "USD", "--location",
           "downtown-01", "--staff-map", "emp-9=s-17", "--staff-map",
           "emp-4=m-2", "--table-map", "table-12=Bar 12"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json opened = CheckOpened(run.out);
  ASSERT_TRUE(opened.is_object()) << run.out;
  EXPECT_EQ(opened["server_id"], "s-17");
  EXPECT_EQ(opened["table"], "Bar 12");

  // Ids the maps do not have stay Toast's.
  run = Run({"toast", "translate", file, "--currency", "USD", "--location",
             "downtown-01", "--staff-map", "emp-4=m-2", "--table-map",
             "table-7=7"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  opened = CheckOpened(run.out);
  ASSERT_TRUE(opened.is_object()) << run.out;
  EXPECT_EQ(opened["server_id"], "emp-9");
  EXPECT_EQ(opened["table"], "table-12");
}

TEST_F(TranslateCommandTest, ABadMapIsBlamedOnTheOption) {
  const std::string file = Write("order.json", kToastOrder);
  const std::string long_id(129, 's');
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--staff-map", "emp-9"},
       "--staff-map: 'emp-9' has no '=': give VENDOR_ID=STAFF_ID"},
      {{"--staff-map", "=s-17"}, "--staff-map: a vendor employee id is empty"},
      {{"--staff-map", "emp-9="},
       "--staff-map: 'emp-9': the staff id is empty"},
      {{"--staff-map", "emp-9=" + long_id},
       "--staff-map: 'emp-9': the staff id is 129 bytes; makegood's ids are "
       "at most 128"},
      {{"--staff-map", "emp-9=s-17", "--staff-map", "emp-9=m-2"},
       "--staff-map: 'emp-9' is given twice"},
      {{"--table-map", "table-12"},
       "--table-map: 'table-12' has no '=': give VENDOR_ID=NAME"},
      {{"--table-map", "=12"}, "--table-map: a vendor table id is empty"},
      {{"--table-map", "table-12="},
       "--table-map: 'table-12': the table name is empty"},
      {{"--table-map", "table-12=12", "--table-map", "table-12=14"},
       "--table-map: 'table-12' is given twice"},
  };
  for (const auto& [options, error] : cases) {
    std::vector<std::string> args = {"toast", "translate", file, "--currency",
                                     "USD"};
    args.insert(args.end(), options.begin(), options.end());
    testing::CommandResult run = Run(args);
    EXPECT_EQ(run.exit_code, 2) << error;
    EXPECT_EQ(run.err, "makegood-adapter: " + error + "\n");
    EXPECT_EQ(run.out, "") << error;
  }
}

}  // namespace
}  // namespace makegood::adapters
