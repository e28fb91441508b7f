#include "core/record_id.h"

#include <cstring>

#include "gtest/gtest.h"

namespace makegood::core {
namespace {

// Every random byte is zero: the random part is then all '2'.
void ZeroBytes(uint8_t* out, size_t size) { std::memset(out, 0, size); }

TEST(RecordIdTest, EncodesTheMillisecondInOrderThenRandomSymbols) {
  EXPECT_EQ(NewRecordId("RC-", absl::FromUnixMillis(0), ZeroBytes),
            "RC-22222222222222222");
  // 31 ms is "10" in base 31: '3' then '2'.
  EXPECT_EQ(NewRecordId("RC-", absl::FromUnixMillis(31), ZeroBytes),
            "RC-22222223222222222");
}

TEST(RecordIdTest, LaterIdsSortAfterEarlierOnes) {
  const RandomBytes random = SecureRandomBytes();
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 19, 0, 0),
                                 absl::UTCTimeZone());
  std::string previous = NewRecordId("RA-", t, random);
  for (int i = 0; i < 1000; ++i) {
    t += absl::Milliseconds(1 + i % 7);
    const std::string next = NewRecordId("RA-", t, random);
    ASSERT_LT(previous, next);
    previous = next;
  }
  EXPECT_EQ(previous.size(), 3u + 9 + 8);
}

}  // namespace
}  // namespace makegood::core
