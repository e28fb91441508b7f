// How the CLI's screens show times: in the location's time zone (named once
// per screen), or in UTC with --utc.

#include "cli/format.h"

#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::cli {
namespace {

using ::testing::HasSubstr;

google::protobuf::Timestamp UtcAt(int y, int m, int d, int hh, int mm) {
  return core::ToProto(
      absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone()));
}

TEST(TimeDisplayTest, ShowsTheLocationsLocalTimeOnBothSidesOfDaylightSaving) {
  const TimeDisplay times = TimeDisplay::InZone("America/New_York");
  EXPECT_EQ(times.Caption(), "times in America/New_York");
  // Dinner in summer (EDT, UTC-4) and in winter (EST, UTC-5).
  EXPECT_EQ(times.When(true, UtcAt(2026, 7, 14, 22, 10)), "2026-07-14 18:10");
  EXPECT_EQ(times.When(true, UtcAt(2026, 11, 20, 23, 10)), "2026-11-20 18:10");
  // Around the spring change on 2026-03-08: 01:59 EST, then 03:00 EDT.
  EXPECT_EQ(times.When(true, UtcAt(2026, 3, 8, 6, 59)), "2026-03-08 01:59");
  EXPECT_EQ(times.When(true, UtcAt(2026, 3, 8, 7, 0)), "2026-03-08 03:00");
  // A day boundary: 01:30 UTC is still the evening before in New York.
  EXPECT_EQ(times.When(true, UtcAt(2026, 11, 21, 1, 30), "%a %H:%M"),
            "Fri 20:30");
}

TEST(TimeDisplayTest, UtcShowsUtc) {
  const TimeDisplay times = TimeDisplay::Utc();
  EXPECT_EQ(times.Caption(), "times in UTC");
  EXPECT_EQ(times.When(true, UtcAt(2026, 7, 14, 22, 10)), "2026-07-14 22:10");
  EXPECT_EQ(times.When(true, UtcAt(2026, 7, 14, 22, 10), "%H:%M"), "22:10");
}

TEST(TimeDisplayTest, AnUnsetTimeIsADash) {
  EXPECT_EQ(TimeDisplay::InZone("America/New_York")
                .When(false, UtcAt(2026, 7, 14, 22, 10)),
            "-");
}

TEST(TimeDisplayTest, AnUnknownZoneFallsBackToUtcAndSaysSo) {
  const TimeDisplay unknown = TimeDisplay::InZone("Mars/Olympus_Mons");
  EXPECT_EQ(unknown.When(true, UtcAt(2026, 7, 14, 22, 10)), "2026-07-14 22:10");
  EXPECT_THAT(unknown.Caption(), HasSubstr("times in UTC"));
  EXPECT_THAT(unknown.Caption(), HasSubstr("Mars/Olympus_Mons"));
  const TimeDisplay missing = TimeDisplay::InZone("");
  EXPECT_EQ(missing.When(true, UtcAt(2026, 7, 14, 22, 10)), "2026-07-14 22:10");
  EXPECT_THAT(missing.Caption(), HasSubstr("times in UTC"));
}

}  // namespace
}  // namespace makegood::cli
