#include "core/money.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace makegood::core {
namespace {

TEST(CurrencyExponentTest, KnowsMinorUnitsOfRealCurrencies) {
  EXPECT_EQ(CurrencyExponent("USD"), 2);
  EXPECT_EQ(CurrencyExponent("JPY"), 0);
  EXPECT_EQ(CurrencyExponent("BHD"), 3);
  EXPECT_EQ(CurrencyExponent("EUR"), 2);
}

TEST(CurrencyExponentTest, RejectsNonCodes) {
  EXPECT_FALSE(CurrencyExponent("usd").has_value());
  EXPECT_FALSE(CurrencyExponent("XAU").has_value());
  EXPECT_FALSE(CurrencyExponent("").has_value());
  EXPECT_FALSE(CurrencyExponent("DOLLARS").has_value());
}

TEST(ParseDecimalAmountTest, ParsesExactly) {
  EXPECT_EQ(*ParseDecimalAmount("18.00", "USD"), 1800);
  EXPECT_EQ(*ParseDecimalAmount("18", "USD"), 1800);
  EXPECT_EQ(*ParseDecimalAmount("0.1", "USD"), 10);
  EXPECT_EQ(*ParseDecimalAmount("-3.5", "USD"), -350);
  EXPECT_EQ(*ParseDecimalAmount("1500", "JPY"), 1500);
  EXPECT_EQ(*ParseDecimalAmount("1.234", "BHD"), 1234);
  EXPECT_EQ(*ParseDecimalAmount("92233720368547758.07", "USD"), INT64_MAX);
}

TEST(ParseDecimalAmountTest, RejectsWhatIsNotAnExactAmount) {
  for (const char* bad :
       {"", "abc", "1.2.3", "1e3", "1.", ".5", "1,50", " 1", "0x10", "--1"}) {
    EXPECT_EQ(ParseDecimalAmount(bad, "USD").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(ParseDecimalAmount("1.005", "USD").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimalAmount("1.5", "JPY").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimalAmount("92233720368547758.08", "USD").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimalAmount("1.00", "XYZ").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FormatAmountTest, UsesTheCurrencyDigits) {
  EXPECT_EQ(FormatAmount(1800, "USD"), "18.00");
  EXPECT_EQ(FormatAmount(5, "USD"), "0.05");
  EXPECT_EQ(FormatAmount(-5, "USD"), "-0.05");
  EXPECT_EQ(FormatAmount(1800, "JPY"), "1800");
  EXPECT_EQ(FormatAmount(1234, "BHD"), "1.234");
  EXPECT_EQ(FormatAmount(INT64_MIN, "USD"), "-92233720368547758.08");
}

TEST(FormatAmountTest, RoundTripsWithParse) {
  for (int64_t v : {0LL, 1LL, 99LL, 100LL, 123456789LL, -42LL}) {
    EXPECT_EQ(*ParseDecimalAmount(FormatAmount(v, "USD"), "USD"), v);
  }
}

}  // namespace
}  // namespace makegood::core
