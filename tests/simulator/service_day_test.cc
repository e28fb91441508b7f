#include "service_day.h"

#include "core/proto_time.h"
#include "gtest/gtest.h"

namespace makegood::simulator {
namespace {

DayOptions Options(uint64_t seed) {
  DayOptions options;
  options.date = absl::CivilDay(2026, 11, 20);
  absl::LoadTimeZone("America/New_York", &options.zone);
  options.covers = 200;
  options.seed = seed;
  return options;
}

std::string Fingerprint(const ServiceDay& day) {
  std::string out;
  for (const auto& event : day.events) out += event.SerializeAsString();
  for (const auto& problem : day.problems) {
    out += problem.check_id + problem.category_id +
           absl::FormatTime(problem.flagged_at);
  }
  return out;
}

TEST(ServiceDayTest, ASeedPlansTheSameDayAndAnotherSeedAnother) {
  EXPECT_EQ(Fingerprint(PlanServiceDay(Options(1))),
            Fingerprint(PlanServiceDay(Options(1))));
  EXPECT_NE(Fingerprint(PlanServiceDay(Options(1))),
            Fingerprint(PlanServiceDay(Options(2))));
}

TEST(ServiceDayTest, EveryCoverIsSeatedAndEventsComeInTimeOrderOnTheDay) {
  const ServiceDay day = PlanServiceDay(Options(3));
  EXPECT_EQ(day.covers, 200);
  int guests = 0;
  absl::Time previous = absl::InfinitePast();
  const absl::Time start =
      absl::FromCivil(absl::CivilHour(2026, 11, 20, 11), Options(3).zone);
  const absl::Time end =
      absl::FromCivil(absl::CivilDay(2026, 11, 21), Options(3).zone) +
      absl::Hours(4);
  for (const auto& event : day.events) {
    const absl::Time at = core::FromProto(event.occurred_at());
    EXPECT_GE(at, previous);
    EXPECT_GE(at, start);
    EXPECT_LT(at, end);  // Within the business day (it ends at 04:00).
    previous = at;
    if (event.has_check_opened()) guests += event.check_opened().guest_count();
    if (event.has_item_added()) EXPECT_GE(event.item_added().seat(), 1);
  }
  EXPECT_EQ(guests, 200);
}

TEST(ServiceDayTest, TheProblemRateDecidesHowManyProblems) {
  DayOptions calm = Options(4);
  calm.problem_rate = 0;
  for (const Problem& problem : PlanServiceDay(calm).problems) {
    EXPECT_EQ(problem.category_id, "long_wait");  // Only slow nights remain.
  }
  DayOptions rough = Options(4);
  rough.problem_rate = 0.5;
  EXPECT_GT(PlanServiceDay(rough).problems.size(), 100u);
  for (const Problem& problem : PlanServiceDay(rough).problems) {
    EXPECT_LT(problem.flagged_at, problem.applied_at);
    EXPECT_LT(problem.applied_at, problem.outcome_at);
  }
}

TEST(ServiceDayTest, EarlierCodesComeBackAsRedemptions) {
  DayOptions options = Options(5);
  for (int i = 0; i < 20; ++i) {
    options.earlier_codes.push_back({"CODE" + std::to_string(i), 500});
  }
  const ServiceDay day = PlanServiceDay(options);
  int redeemed = 0;
  for (const auto& event : day.events) {
    if (event.has_discount_code_redeemed()) {
      ++redeemed;
      EXPECT_EQ(event.discount_code_redeemed().amount().minor_units(), 500);
    }
  }
  EXPECT_EQ(redeemed, day.codes_redeemed);
  EXPECT_GT(redeemed, 0);
  EXPECT_LT(redeemed, 20);
}

}  // namespace
}  // namespace makegood::simulator
