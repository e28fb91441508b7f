#include "core/discount_code.h"

#include <set>

#include "gtest/gtest.h"

namespace makegood::core {
namespace {

TEST(DiscountCodeTest, LooksRightAndVerifies) {
  const RandomBytes random = SecureRandomBytes();
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string code = NewDiscountCode(random);
    ASSERT_EQ(code.size(), 14u);
    EXPECT_EQ(code[4], '-');
    EXPECT_EQ(code[9], '-');
    EXPECT_EQ(code.find_first_of("01OIL"), std::string::npos) << code;
    EXPECT_EQ(CanonicalDiscountCode(code), code);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(DiscountCodeTest, TypingIsForgivingButMistakesAreCaught) {
  const std::string code = NewDiscountCode(SecureRandomBytes());
  std::string typed;
  for (char c : code) {
    if (c != '-') typed.push_back(static_cast<char>(std::tolower(c)));
  }
  EXPECT_EQ(CanonicalDiscountCode(typed), code);
  EXPECT_EQ(CanonicalDiscountCode(" " + code + " "), code);
  // Every single-symbol substitution is caught.
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '-') continue;
    for (char c : kCodeAlphabet) {
      if (c == code[i]) continue;
      std::string wrong = code;
      wrong[i] = c;
      EXPECT_FALSE(CanonicalDiscountCode(wrong).has_value()) << wrong;
    }
  }
  // Every swap of two different neighbours is caught.
  const std::string symbols = typed;
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    if (symbols[i] == symbols[i + 1]) continue;
    std::string swapped = symbols;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(CanonicalDiscountCode(swapped).has_value()) << swapped;
  }
  EXPECT_FALSE(CanonicalDiscountCode("ABCD").has_value());
  EXPECT_FALSE(CanonicalDiscountCode("ABCD-EFGH-JK0M").has_value());
}

TEST(DiscountCodeTest, SymbolsAreEvenlyDrawn) {
  // A counting source shows rejection sampling skips bytes >= 248.
  uint8_t next = 240;
  RandomBytes counting = [&next](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; ++i) out[i] = next++;
  };
  const std::string symbols = RandomSymbols(counting, 10);
  // 240..247 map to 240%31..247%31 = 23..30; 248..255 are skipped; 0, 1 ->
  // 0, 1.
  std::string expected(kCodeAlphabet.substr(23, 8));
  expected += std::string(kCodeAlphabet.substr(0, 2));
  EXPECT_EQ(symbols, expected);
}

}  // namespace
}  // namespace makegood::core
