#include "core/policy.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using makegood::v1::RemedyOption;

constexpr char kConfig[] = R"pb(
  location {
    id: "l"
    currency: "USD"
    timezone: "America/New_York"
    business_day_starts: "04:00"
  }
  categories { id: "cold_food" label: "Cold food" guidance: "Apologize" }
  categories { id: "long_wait" label: "Long wait" }
  remedies { id: "refire" kind: REMAKE label: "Refire" }
  remedies { id: "comp" kind: COMP_ITEM label: "Comp" }
  remedies { id: "half_off" kind: DISCOUNT_ITEM percent: 50 }
  remedies { id: "check_10" kind: DISCOUNT_CHECK percent: 10 }
  remedies { id: "five_off" kind: DISCOUNT_CHECK amount: "5.00" }
  remedies { id: "dessert" kind: COMPLIMENTARY_ITEM sku: "D" value: "18.00" }
  remedies { id: "code" kind: DISCOUNT_CODE percent: 20 expires_after_days: 60 }
  remedies { id: "refund" kind: REFUND }
  remedies { id: "manager" kind: MANAGER_VISIT }
  policy {
    id: "cold-minor"
    when { category: "cold_food" severity: MINOR }
    offer: "refire"
  }
  policy {
    id: "cold-major"
    when {
      category: "cold_food"
      severity: [ MAJOR, SEVERE ]
    }
    offer: [ "refire", "comp", "half_off" ]
    extra: "dessert"
  }
  policy {
    id: "grill"
    when { category: "cold_food" station: "grill" }
    extra: "code"
  }
  policy {
    id: "wagyu"
    when { sku: "WAGYU" }
    extra: "manager"
  }
  policy {
    id: "pricey"
    when { min_item_price: "40.00" }
    extra: "refund"
  }
  policy {
    id: "wait"
    when { category: "long_wait" }
    offer: [ "check_10", "five_off" ]
  }
  policy {
    id: "waited-40"
    when { minutes_since_ordered_at_least: 40 }
    extra: "dessert"
  }
  policy {
    id: "fired-20"
    when { minutes_since_fired_at_least: 20 }
    extra: "code"
  }
  policy {
    id: "second"
    when { problems_on_check_at_least: 2 }
    extra: [ "manager", "code" ]
  }
  policy {
    id: "regular"
    when { guest_history { cases: 2 days: 30 } }
    extra: "manager"
  }
)pb";

const absl::Time kEvaluatedAt = absl::FromUnixSeconds(1795000000);

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    makegood::v1::Config config;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kConfig, &config));
    auto rules = RecoveryRules::Compile(config);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_.emplace(*std::move(rules));
  }

  static PolicyItem Item(const std::string& line, int64_t price,
                         const std::string& station = "saute",
                         const std::string& sku = "PASTA") {
    PolicyItem item;
    item.line_id = line;
    item.sku = sku;
    item.station = station;
    item.unit_price_minor = price;
    item.remaining_minor = price;
    item.ordered_at = kEvaluatedAt - absl::Minutes(10);
    return item;
  }

  static PolicyInput Input(const std::string& category,
                           makegood::v1::Severity severity,
                           std::vector<PolicyItem> flagged) {
    PolicyInput input;
    input.category_id = category;
    input.severity = severity;
    input.flagged = flagged;
    input.live_items = flagged;
    input.check_remaining_minor = 10000;
    input.now = kEvaluatedAt;
    return input;
  }

  std::vector<std::string> Ids(const std::vector<RemedyOption>& options) {
    std::vector<std::string> ids;
    for (const auto& o : options) ids.push_back(o.remedy_id());
    return ids;
  }

  std::optional<RecoveryRules> rules_;
};

using Strings = std::vector<std::string>;

TEST_F(PolicyTest, CategoryAndSeverityPickTheLadder) {
  auto minor = ChooseRemedies(
      *rules_, Input("cold_food", makegood::v1::MINOR, {Item("1", 2000)}));
  EXPECT_EQ(Ids(minor.options), Strings{"refire"});
  EXPECT_TRUE(minor.extras.empty());
  auto major = ChooseRemedies(
      *rules_, Input("cold_food", makegood::v1::MAJOR, {Item("1", 2000)}));
  EXPECT_EQ(Ids(major.options), (Strings{"refire", "comp", "half_off"}));
  EXPECT_EQ(major.options[0].option_id(), "o1");
  EXPECT_EQ(major.options[2].option_id(), "o3");
  EXPECT_EQ(major.options[1].rule(), "cold-major");
  EXPECT_EQ(Ids(major.extras), Strings{"dessert"});
  EXPECT_EQ(major.extras[0].option_id(), "x1");
}

TEST_F(PolicyTest, ItemAttributesStationSkuAndPrice) {
  auto grill =
      ChooseRemedies(*rules_, Input("cold_food", makegood::v1::MINOR,
                                    {Item("1", 2000, "grill", "WAGYU")}));
  EXPECT_EQ(Ids(grill.extras), (Strings{"code", "manager"}));
  EXPECT_EQ(grill.extras[0].rule(), "grill");
  auto pricey = ChooseRemedies(
      *rules_, Input("cold_food", makegood::v1::MINOR, {Item("1", 4000)}));
  EXPECT_EQ(Ids(pricey.extras), Strings{"refund"});
  auto cheap = ChooseRemedies(
      *rules_, Input("cold_food", makegood::v1::MINOR, {Item("1", 3999)}));
  EXPECT_TRUE(cheap.extras.empty());
}

TEST_F(PolicyTest, ASecondProblemOnTheCheckEscalates) {
  PolicyInput input =
      Input("cold_food", makegood::v1::MINOR, {Item("1", 2000)});
  input.problems_on_check = 2;
  auto second = ChooseRemedies(*rules_, input);
  EXPECT_EQ(Ids(second.extras), (Strings{"manager", "code"}));
  EXPECT_EQ(second.extras[0].rule(), "second");
}

TEST_F(PolicyTest, TheWaitTriggerUsesOrderedAndFiredTimes) {
  PolicyItem waited = Item("1", 2000);
  waited.ordered_at = kEvaluatedAt - absl::Minutes(41);
  auto long_wait =
      ChooseRemedies(*rules_, Input("long_wait", makegood::v1::MINOR, {}));
  EXPECT_TRUE(long_wait.extras.empty());
  PolicyInput whole_check = Input("long_wait", makegood::v1::MINOR, {});
  whole_check.live_items = {waited};
  EXPECT_EQ(Ids(ChooseRemedies(*rules_, whole_check).extras),
            Strings{"dessert"});
  // Served after 30 minutes: the wait ended then, not now.
  waited.served_at = *waited.ordered_at + absl::Minutes(30);
  whole_check.live_items = {waited};
  EXPECT_TRUE(ChooseRemedies(*rules_, whole_check).extras.empty());

  PolicyItem fired = Item("1", 2000);
  fired.fired_at = kEvaluatedAt - absl::Minutes(20);
  auto after_fire =
      ChooseRemedies(*rules_, Input("cold_food", makegood::v1::MINOR, {fired}));
  EXPECT_EQ(Ids(after_fire.extras), Strings{"code"});
  EXPECT_EQ(after_fire.extras[0].rule(), "fired-20");
}

TEST_F(PolicyTest, GuestHistoryCountsEarlierCasesWithinTheWindow) {
  PolicyInput input =
      Input("cold_food", makegood::v1::MINOR, {Item("1", 2000)});
  input.guest_case_times = {kEvaluatedAt - absl::Hours(24 * 5),
                            kEvaluatedAt - absl::Hours(24 * 45)};
  EXPECT_TRUE(ChooseRemedies(*rules_, input).extras.empty());
  input.guest_case_times.push_back(kEvaluatedAt - absl::Hours(24 * 29));
  EXPECT_EQ(Ids(ChooseRemedies(*rules_, input).extras), Strings{"manager"});
}

TEST_F(PolicyTest, APaidCheckGetsOnlyWhatFitsAfterPayment) {
  PolicyInput input =
      Input("cold_food", makegood::v1::MAJOR, {Item("1", 4500, "grill")});
  input.check_settled = true;
  auto decision = ChooseRemedies(*rules_, input);
  EXPECT_TRUE(decision.options.empty());  // refire, comp, half_off: no.
  EXPECT_EQ(Ids(decision.extras), (Strings{"dessert", "code", "refund"}));
}

TEST_F(PolicyTest, AWholeCheckFlagGetsNoItemRemedies) {
  auto decision =
      ChooseRemedies(*rules_, Input("cold_food", makegood::v1::MAJOR, {}));
  EXPECT_TRUE(decision.options.empty());
  EXPECT_EQ(Ids(decision.extras), Strings{"dessert"});
}

TEST_F(PolicyTest, CostsAreCappedAndRoundedHalfUp) {
  PolicyItem item = Item("1", 2500);
  item.remaining_minor = 1999;  // After a POS discount.
  PolicyInput input = Input("cold_food", makegood::v1::MAJOR, {item});
  auto decision = ChooseRemedies(*rules_, input);
  EXPECT_EQ(decision.options[0].estimated_cost().minor_units(), 0);  // Refire.
  EXPECT_EQ(decision.options[1].estimated_cost().minor_units(), 1999);
  EXPECT_EQ(decision.options[2].estimated_cost().minor_units(), 1000);  // 999.5
  EXPECT_EQ(decision.extras[0].estimated_cost().minor_units(), 1800);
  input.check_remaining_minor = 300;  // Less left on the check than the line.
  EXPECT_EQ(RemedyCost(*rules_->FindRemedy("comp"), input), 300);
  EXPECT_EQ(RemedyCost(*rules_->FindRemedy("five_off"), input), 300);
  EXPECT_EQ(PercentOf(1005, 10), 101);  // 100.5 rounds up.
  EXPECT_EQ(PercentOf(1004, 10), 100);
}

TEST(BusinessDayTest, DayStartAndDaylightSaving) {
  makegood::v1::Config config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kConfig, &config));
  auto rules = RecoveryRules::Compile(config);
  ASSERT_TRUE(rules.ok());
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  auto at = [&](int y, int m, int d, int hh, int mm) {
    return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), ny);
  };
  EXPECT_EQ(rules->BusinessDay(at(2026, 11, 20, 23, 30)), "2026-11-20");
  EXPECT_EQ(rules->BusinessDay(at(2026, 11, 21, 1, 30)), "2026-11-20");
  EXPECT_EQ(rules->BusinessDay(at(2026, 11, 21, 4, 0)), "2026-11-21");
  // 2026-11-01: clocks go back at 02:00; 03:59 is still the day before.
  EXPECT_EQ(rules->BusinessDay(at(2026, 11, 1, 3, 59)), "2026-10-31");
  // 2026-03-08: clocks go forward at 02:00.
  EXPECT_EQ(rules->BusinessDay(at(2026, 3, 8, 3, 30)), "2026-03-07");
  EXPECT_EQ(rules->BusinessDay(at(2026, 3, 8, 4, 30)), "2026-03-08");
}

}  // namespace
}  // namespace makegood::core
