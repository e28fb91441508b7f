#include "core/authority.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using ::testing::HasSubstr;

RecoveryRules Rules() {
  makegood::v1::Config config;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        location { id: "l" currency: "USD" timezone: "UTC" }
        authority {
          roles { role: SERVER max_per_case: "25.00" max_per_shift: "60.00" }
          roles { role: MANAGER max_per_case: "200.00" }
          location_daily_budget: "500.00"
        }
      )pb",
      &config);
  return *RecoveryRules::Compile(config);
}

TEST(AuthorityTest, EachLimitSendsToApprovalAndSaysWhy) {
  const RecoveryRules rules = Rules();
  EXPECT_FALSE(
      CheckAuthority(rules, makegood::v1::SERVER, 2500, {}).needs_approval);
  auto per_case =
      CheckAuthority(rules, makegood::v1::SERVER, 1000, {1600, 1600, 0});
  EXPECT_TRUE(per_case.needs_approval);
  EXPECT_THAT(per_case.reason, HasSubstr("25.00 per case"));
  EXPECT_THAT(per_case.reason, HasSubstr("26.00"));
  EXPECT_EQ(per_case.need.limit(), makegood::v1::ApprovalNeed::PER_CASE);
  EXPECT_EQ(per_case.need.role(), makegood::v1::SERVER);
  EXPECT_EQ(per_case.need.limit_amount().minor_units(), 2500);
  EXPECT_EQ(per_case.need.reached().minor_units(), 2600);
  EXPECT_EQ(per_case.need.reached().currency(), "USD");
  auto per_shift =
      CheckAuthority(rules, makegood::v1::SERVER, 1500, {0, 4600, 4600});
  EXPECT_TRUE(per_shift.needs_approval);
  EXPECT_THAT(per_shift.reason, HasSubstr("60.00 per shift"));
  EXPECT_EQ(per_shift.need.limit(), makegood::v1::ApprovalNeed::PER_SHIFT);
  EXPECT_EQ(per_shift.need.limit_amount().minor_units(), 6000);
  EXPECT_EQ(per_shift.need.reached().minor_units(), 6100);
  // The daily budget is no approval matter: CheckDailyBudget refuses.
  EXPECT_FALSE(CheckAuthority(rules, makegood::v1::MANAGER, 2000, {0, 0, 49000})
                   .needs_approval);
  // Exactly at a limit is within it.
  EXPECT_FALSE(
      CheckAuthority(rules, makegood::v1::SERVER, 1500, {1000, 4500, 48500})
          .needs_approval);
}

TEST(AuthorityTest, TheDailyBudgetBindsEveryone) {
  const RecoveryRules rules = Rules();
  EXPECT_THAT(CheckDailyBudget(rules, 2000, 49000),
              HasSubstr("daily budget of 500.00 (today would reach 510.00)"));
  EXPECT_EQ(CheckDailyBudget(rules, 1000, 49000), "");
  EXPECT_EQ(CheckDailyBudget(rules, 0, 60000), "");
}

TEST(AuthorityTest, ApproversAreBoundByTheirOwnLimitAndAdminHasNoneUnlessSet) {
  const RecoveryRules rules = Rules();
  EXPECT_EQ(CheckApproverLimit(rules, makegood::v1::MANAGER, 20000), "");
  EXPECT_THAT(CheckApproverLimit(rules, makegood::v1::MANAGER, 20001),
              HasSubstr("over the MANAGER limit of 200.00 per case"));
  EXPECT_EQ(CheckApproverLimit(rules, makegood::v1::ADMIN, 1000000), "");
  EXPECT_THAT(CheckApproverLimit(rules, makegood::v1::SERVER, 100),
              HasSubstr("does not approve"));
}

TEST(AuthorityTest, FreeRemediesNeedNoApprovalAndUnlistedRolesNeedItAlways) {
  const RecoveryRules rules = Rules();
  EXPECT_FALSE(
      CheckAuthority(rules, makegood::v1::REPORTER, 0, {}).needs_approval);
  auto unlisted = CheckAuthority(rules, makegood::v1::REPORTER, 1, {});
  EXPECT_TRUE(unlisted.needs_approval);
  EXPECT_THAT(unlisted.reason, HasSubstr("no authority"));
  EXPECT_EQ(unlisted.need.limit(), makegood::v1::ApprovalNeed::NO_AUTHORITY);
  EXPECT_EQ(unlisted.need.role(), makegood::v1::REPORTER);
  EXPECT_FALSE(unlisted.need.has_limit_amount());
  EXPECT_EQ(unlisted.need.reached().minor_units(), 1);
}

TEST(AuthorityTest, ApproversStayWithinTheirOwnLimit) {
  const RecoveryRules rules = Rules();
  EXPECT_EQ(CheckApproverLimit(rules, makegood::v1::MANAGER, 20000), "");
  EXPECT_THAT(CheckApproverLimit(rules, makegood::v1::MANAGER, 20001),
              HasSubstr("200.00 per case"));
}

}  // namespace
}  // namespace makegood::core
