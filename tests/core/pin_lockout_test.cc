#include "core/pin_lockout.h"

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01.

// Five wrong PINs for (device, staff), a second apart from `at`; the lock
// starts at the fifth, at + 4 s.
void FiveWrong(PinLockout& lockout, const std::string& device,
               const std::string& staff, absl::Time at) {
  for (int i = 0; i < PinLockout::kMaxWrongPins; ++i) {
    lockout.RecordWrongPin(device, staff, at + absl::Seconds(i));
  }
}

TEST(PinLockoutTest, CountsDownTheTriesLeft) {
  PinLockout lockout;
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", kStart), 4);
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", kStart), 3);
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", kStart), 2);
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", kStart), 1);
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", kStart).has_value());
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", kStart), 0);
  EXPECT_EQ(lockout.LockedUntil("tablet-1", "s-17", kStart),
            kStart + absl::Minutes(5));
}

TEST(PinLockoutTest, ARightPinResetsTheCount) {
  PinLockout lockout;
  for (int i = 0; i < 4; ++i) {
    lockout.RecordWrongPin("tablet-1", "s-17", kStart + absl::Seconds(i));
  }
  lockout.RecordRightPin("tablet-1", "s-17");
  const absl::Time later = kStart + absl::Seconds(10);
  // Four more wrong PINs do not lock: the count started again.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", later), 4 - i);
  }
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", later).has_value());
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", later), 0);
  EXPECT_TRUE(lockout.LockedUntil("tablet-1", "s-17", later).has_value());
}

TEST(PinLockoutTest, FiveWrongPinsLockForExactlyFiveMinutes) {
  PinLockout lockout;
  FiveWrong(lockout, "tablet-1", "s-17", kStart);
  const absl::Time locked_at = kStart + absl::Seconds(4);
  const std::optional<absl::Time> until =
      lockout.LockedUntil("tablet-1", "s-17", locked_at);
  ASSERT_TRUE(until.has_value());
  EXPECT_EQ(*until, locked_at + absl::Minutes(5));
  EXPECT_EQ(
      lockout.LockedUntil("tablet-1", "s-17",
                          locked_at + absl::Minutes(4) + absl::Seconds(59)),
      locked_at + absl::Minutes(5));
  EXPECT_EQ(
      lockout.LockedUntil("tablet-1", "s-17",
                          locked_at + absl::Minutes(5) - absl::Nanoseconds(1)),
      locked_at + absl::Minutes(5));
  EXPECT_FALSE(
      lockout.LockedUntil("tablet-1", "s-17", locked_at + absl::Minutes(5))
          .has_value());
}

TEST(PinLockoutTest, AWrongPinDuringTheLockDoesNotExtendIt) {
  PinLockout lockout;
  FiveWrong(lockout, "tablet-1", "s-17", kStart);
  const absl::Time until = kStart + absl::Seconds(4) + absl::Minutes(5);
  EXPECT_EQ(
      lockout.RecordWrongPin("tablet-1", "s-17", kStart + absl::Minutes(2)), 0);
  EXPECT_EQ(lockout.LockedUntil("tablet-1", "s-17", kStart + absl::Minutes(2)),
            until);
}

TEST(PinLockoutTest, CountingRestartsWhenTheLockEnds) {
  PinLockout lockout;
  FiveWrong(lockout, "tablet-1", "s-17", kStart);
  const absl::Time after = kStart + absl::Seconds(4) + absl::Minutes(5);
  ASSERT_FALSE(lockout.LockedUntil("tablet-1", "s-17", after).has_value());
  // A full five tries again, not one.
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", after), 4);
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", after).has_value());
  for (int i = 0; i < 3; ++i) {
    lockout.RecordWrongPin("tablet-1", "s-17", after);
  }
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", after).has_value());
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", after), 0);
  EXPECT_EQ(lockout.LockedUntil("tablet-1", "s-17", after),
            after + absl::Minutes(5));
}

TEST(PinLockoutTest, DevicesAreIndependent) {
  PinLockout lockout;
  FiveWrong(lockout, "tablet-1", "s-17", kStart);
  const absl::Time now = kStart + absl::Seconds(5);
  EXPECT_TRUE(lockout.LockedUntil("tablet-1", "s-17", now).has_value());
  EXPECT_FALSE(lockout.LockedUntil("tablet-2", "s-17", now).has_value());
  // The other tablet has its own count, with all five tries.
  EXPECT_EQ(lockout.RecordWrongPin("tablet-2", "s-17", now), 4);
  // A right PIN on the other tablet does not lift the lock here.
  lockout.RecordRightPin("tablet-2", "s-17");
  EXPECT_TRUE(lockout.LockedUntil("tablet-1", "s-17", now).has_value());
}

TEST(PinLockoutTest, StaffAreIndependent) {
  PinLockout lockout;
  FiveWrong(lockout, "tablet-1", "s-17", kStart);
  const absl::Time now = kStart + absl::Seconds(5);
  EXPECT_TRUE(lockout.LockedUntil("tablet-1", "s-17", now).has_value());
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-22", now).has_value());
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-22", now), 4);
  lockout.RecordRightPin("tablet-1", "s-22");
  EXPECT_TRUE(lockout.LockedUntil("tablet-1", "s-17", now).has_value());
}

TEST(PinLockoutTest, OldWrongPinsAreForgotten) {
  PinLockout lockout;
  for (int i = 0; i < 4; ++i) {
    lockout.RecordWrongPin("tablet-1", "s-17", kStart);
  }
  // A day later the four wrong PINs no longer count.
  const absl::Time next_day = kStart + PinLockout::kForgetAfter;
  EXPECT_EQ(lockout.RecordWrongPin("tablet-1", "s-17", next_day), 4);
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", next_day).has_value());
}

TEST(PinLockoutTest, UnknownPairsAreNotLocked) {
  const PinLockout lockout;
  EXPECT_FALSE(lockout.LockedUntil("tablet-1", "s-17", kStart).has_value());
}

}  // namespace
}  // namespace makegood::core
