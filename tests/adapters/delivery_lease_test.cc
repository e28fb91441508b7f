#include "delivery_lease.h"

#include "gtest/gtest.h"

namespace makegood::adapters {
namespace {

const absl::Time kReceived = absl::FromUnixSeconds(1'800'000'000);

TEST(DeliveryLeaseTest, ACallThatEndsWithinTheLeaseMayStart) {
  EXPECT_TRUE(LeaseCoversCall(kReceived, kReceived, 30, absl::Seconds(15)));
  EXPECT_TRUE(LeaseCoversCall(kReceived, kReceived + absl::Seconds(15), 30,
                              absl::Seconds(15)));
}

TEST(DeliveryLeaseTest, ACallThatWouldOutliveTheLeaseDoesNotStart) {
  EXPECT_FALSE(LeaseCoversCall(kReceived, kReceived + absl::Seconds(16), 30,
                               absl::Seconds(15)));
  EXPECT_FALSE(LeaseCoversCall(kReceived, kReceived + absl::Seconds(31), 30,
                               absl::ZeroDuration()));
}

TEST(DeliveryLeaseTest, NoLeaseSentMeansNoLimit) {
  EXPECT_TRUE(LeaseCoversCall(kReceived, kReceived + absl::Hours(5), 0,
                              absl::Seconds(15)));
}

}  // namespace
}  // namespace makegood::adapters
