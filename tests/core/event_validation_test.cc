#include "core/event_validation.h"

#include <functional>
#include <string>

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using makegood::v1::OrderEvent;
using ::testing::StartsWith;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);  // Nov 2026

EventValidationContext Context() { return {"downtown-01", "USD", kNow}; }

OrderEvent ValidItemAdded() {
  OrderEvent event;
  event.set_event_id("e-1");
  event.set_source("pos");
  event.set_location_id("downtown-01");
  event.set_check_id("1041");
  *event.mutable_occurred_at() = ToProto(kNow - absl::Minutes(5));
  auto* item = event.mutable_item_added();
  item->set_line_id("1");
  item->set_quantity(2);
  item->mutable_unit_price()->set_minor_units(4200);
  item->mutable_unit_price()->set_currency("USD");
  return event;
}

TEST(ValidateOrderEventTest, AcceptsAWellFormedEventOfEveryKind) {
  EXPECT_TRUE(ValidateOrderEvent(ValidItemAdded(), Context()).ok());
  std::vector<std::function<void(OrderEvent&)>> kinds = {
      [](OrderEvent& e) { e.mutable_check_opened()->set_table("4"); },
      [](OrderEvent& e) { e.mutable_item_fired()->set_line_id("1"); },
      [](OrderEvent& e) { e.mutable_item_served()->set_line_id("1"); },
      [](OrderEvent& e) { e.mutable_item_voided()->set_line_id("1"); },
      [](OrderEvent& e) {
        auto* d = e.mutable_item_discounted();
        d->mutable_amount()->set_minor_units(100);
        d->mutable_amount()->set_currency("USD");
      },
      [](OrderEvent& e) {
        auto* r = e.mutable_discount_code_redeemed();
        r->set_code("ABCD-EFGH");
        r->mutable_amount()->set_minor_units(500);
        r->mutable_amount()->set_currency("USD");
      },
      [](OrderEvent& e) {
        e.mutable_check_paid()->mutable_total()->set_minor_units(0);
        e.mutable_check_paid()->mutable_total()->set_currency("USD");
      },
      [](OrderEvent& e) { e.mutable_check_closed(); },
  };
  for (const auto& set_kind : kinds) {
    OrderEvent event = ValidItemAdded();
    set_kind(event);
    absl::Status status = ValidateOrderEvent(event, Context());
    EXPECT_TRUE(status.ok()) << EventKindName(event) << ": " << status;
  }
}

// Adds a modifier to the event's ItemAdded.
void AddModifier(OrderEvent& event, const std::string& name, int32_t quantity,
                 int64_t unit_price_minor) {
  auto* modifier = event.mutable_item_added()->add_modifiers();
  modifier->set_name(name);
  modifier->set_quantity(quantity);
  modifier->mutable_unit_price()->set_minor_units(unit_price_minor);
  modifier->mutable_unit_price()->set_currency("USD");
}

TEST(ValidateOrderEventTest, AcceptsModifiersFreeOrPricedOrLeftOut) {
  OrderEvent event = ValidItemAdded();
  AddModifier(event, "Well", 1, 50);
  AddModifier(event, "No onions", 0, 0);
  AddModifier(event, "Extra shot", 2, 75);
  EXPECT_TRUE(ValidateOrderEvent(event, Context()).ok());
  for (int i = event.item_added().modifiers_size(); i < kMaxModifiersPerItem;
       ++i) {
    AddModifier(event, "Extra shot", 1, 75);
  }
  EXPECT_TRUE(ValidateOrderEvent(event, Context()).ok());
}

struct BadCase {
  std::string name;
  std::function<void(OrderEvent&)> spoil;
  std::string field;  // The error must start with this path.
};

class RejectsTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RejectsTest, NamesTheField) {
  OrderEvent event = ValidItemAdded();
  GetParam().spoil(event);
  absl::Status status = ValidateOrderEvent(event, Context());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith(GetParam().field + ": "));
}

INSTANTIATE_TEST_SUITE_P(
    BadEvents, RejectsTest,
    ::testing::Values(
        BadCase{"no_event_id", [](OrderEvent& e) { e.clear_event_id(); },
                "event_id"},
        BadCase{"long_event_id",
                [](OrderEvent& e) { e.set_event_id(std::string(129, 'x')); },
                "event_id"},
        BadCase{"no_source", [](OrderEvent& e) { e.clear_source(); }, "source"},
        BadCase{"no_location", [](OrderEvent& e) { e.clear_location_id(); },
                "location_id"},
        BadCase{"other_location",
                [](OrderEvent& e) { e.set_location_id("uptown-02"); },
                "location_id"},
        BadCase{"no_check", [](OrderEvent& e) { e.clear_check_id(); },
                "check_id"},
        BadCase{"no_time", [](OrderEvent& e) { e.clear_occurred_at(); },
                "occurred_at"},
        BadCase{"before_2000",
                [](OrderEvent& e) { e.mutable_occurred_at()->set_seconds(0); },
                "occurred_at"},
        BadCase{"far_future",
                [](OrderEvent& e) {
                  *e.mutable_occurred_at() = ToProto(kNow + absl::Hours(2));
                },
                "occurred_at"},
        BadCase{"bad_nanos",
                [](OrderEvent& e) { e.mutable_occurred_at()->set_nanos(-1); },
                "occurred_at.nanos"},
        BadCase{"no_kind", [](OrderEvent& e) { e.clear_kind(); }, "kind"},
        BadCase{"zero_quantity",
                [](OrderEvent& e) { e.mutable_item_added()->set_quantity(0); },
                "item_added.quantity"},
        BadCase{"negative_quantity",
                [](OrderEvent& e) { e.mutable_item_added()->set_quantity(-1); },
                "item_added.quantity"},
        BadCase{"no_line",
                [](OrderEvent& e) { e.mutable_item_added()->clear_line_id(); },
                "item_added.line_id"},
        BadCase{
            "no_price",
            [](OrderEvent& e) { e.mutable_item_added()->clear_unit_price(); },
            "item_added.unit_price"},
        BadCase{"negative_price",
                [](OrderEvent& e) {
                  e.mutable_item_added()->mutable_unit_price()->set_minor_units(
                      -1);
                },
                "item_added.unit_price.minor_units"},
        BadCase{"wrong_currency",
                [](OrderEvent& e) {
                  e.mutable_item_added()->mutable_unit_price()->set_currency(
                      "EUR");
                },
                "item_added.unit_price.currency"},
        BadCase{"unnamed_modifier",
                [](OrderEvent& e) { AddModifier(e, "", 1, 50); },
                "item_added.modifiers[0].name"},
        BadCase{"long_modifier_name",
                [](OrderEvent& e) {
                  AddModifier(e, "Well", 1, 50);
                  AddModifier(e, std::string(201, 'm'), 1, 50);
                },
                "item_added.modifiers[1].name"},
        BadCase{"negative_modifier_quantity",
                [](OrderEvent& e) { AddModifier(e, "Well", -1, 50); },
                "item_added.modifiers[0].quantity"},
        BadCase{"negative_modifier_price",
                [](OrderEvent& e) { AddModifier(e, "Well", 1, -50); },
                "item_added.modifiers[0].unit_price.minor_units"},
        BadCase{
            "modifier_without_price",
            [](OrderEvent& e) {
              AddModifier(e, "Well", 1, 0);
              e.mutable_item_added()->mutable_modifiers(0)->clear_unit_price();
            },
            "item_added.modifiers[0].unit_price"},
        BadCase{"modifier_in_another_currency",
                [](OrderEvent& e) {
                  AddModifier(e, "Well", 1, 50);
                  e.mutable_item_added()
                      ->mutable_modifiers(0)
                      ->mutable_unit_price()
                      ->set_currency("EUR");
                },
                "item_added.modifiers[0].unit_price.currency"},
        BadCase{"modifiers_worth_more_than_the_item",
                [](OrderEvent& e) {
                  AddModifier(e, "Lobster tail", 1, 4000);
                  AddModifier(e, "Truffle", 2, 101);
                },
                "item_added.modifiers"},
        BadCase{"too_many_modifiers",
                [](OrderEvent& e) {
                  for (int i = 0; i <= kMaxModifiersPerItem; ++i) {
                    AddModifier(e, "Extra shot", 1, 50);
                  }
                },
                "item_added.modifiers"},
        BadCase{"fired_no_line", [](OrderEvent& e) { e.mutable_item_fired(); },
                "item_fired.line_id"},
        BadCase{"served_no_line",
                [](OrderEvent& e) { e.mutable_item_served(); },
                "item_served.line_id"},
        BadCase{"voided_no_line",
                [](OrderEvent& e) { e.mutable_item_voided(); },
                "item_voided.line_id"},
        BadCase{"zero_discount",
                [](OrderEvent& e) {
                  auto* d = e.mutable_item_discounted();
                  d->mutable_amount()->set_currency("USD");
                },
                "item_discounted.amount.minor_units"},
        BadCase{"code_without_code",
                [](OrderEvent& e) {
                  e.mutable_discount_code_redeemed()
                      ->mutable_amount()
                      ->set_currency("USD");
                },
                "discount_code_redeemed.code"},
        BadCase{"paid_without_total",
                [](OrderEvent& e) { e.mutable_check_paid(); },
                "check_paid.total"},
        BadCase{"negative_tip",
                [](OrderEvent& e) {
                  auto* p = e.mutable_check_paid();
                  p->mutable_total()->set_currency("USD");
                  p->mutable_tip()->set_currency("USD");
                  p->mutable_tip()->set_minor_units(-100);
                },
                "check_paid.tip.minor_units"},
        BadCase{"negative_guests",
                [](OrderEvent& e) {
                  e.mutable_check_opened()->set_guest_count(-2);
                },
                "check_opened.guest_count"},
        BadCase{
            "makegood_without_command",
            [](OrderEvent& e) { e.set_origin(makegood::v1::ORIGIN_MAKEGOOD); },
            "command_id"},
        BadCase{"makegood_long_command",
                [](OrderEvent& e) {
                  e.set_origin(makegood::v1::ORIGIN_MAKEGOOD);
                  e.set_command_id(std::string(129, 'C'));
                },
                "command_id"},
        BadCase{"pos_with_command",
                [](OrderEvent& e) {
                  e.set_origin(makegood::v1::ORIGIN_POS);
                  e.set_command_id("CMD-1");
                },
                "command_id"},
        BadCase{"unknown_origin",
                [](OrderEvent& e) {
                  e.set_origin(static_cast<makegood::v1::EventOrigin>(7));
                },
                "origin"}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateOrderEventTest, AMakegoodDiscountNamesItsCommand) {
  OrderEvent event = ValidItemAdded();
  auto* discount = event.mutable_item_discounted();
  discount->set_line_id("1");
  discount->mutable_amount()->set_minor_units(4200);
  discount->mutable_amount()->set_currency("USD");
  event.set_origin(makegood::v1::ORIGIN_MAKEGOOD);
  event.set_command_id("CMD-1");
  EXPECT_TRUE(ValidateOrderEvent(event, Context()).ok());
  event.clear_command_id();
  const absl::Status status = ValidateOrderEvent(event, Context());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "command_id: is required for an event of origin ORIGIN_MAKEGOOD "
            "(the remedy command it carries out)");
  event.set_origin(makegood::v1::ORIGIN_POS);
  EXPECT_TRUE(ValidateOrderEvent(event, Context()).ok());
}

TEST(EventKindNameTest, NamesKindsAsInJson) {
  OrderEvent event = ValidItemAdded();
  EXPECT_EQ(EventKindName(event), "item_added");
  event.clear_kind();
  EXPECT_EQ(EventKindName(event), "none");
}

}  // namespace
}  // namespace makegood::core
