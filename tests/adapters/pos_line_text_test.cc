// The text of the lines makegood adds to a vendor's order, cut to the
// vendor's limit in UTF-16 code units and never inside a character.

#include "pos_line_text.h"

#include "gtest/gtest.h"

namespace makegood::adapters {
namespace {

constexpr char kEAcute[] = "\xC3\xA9";             // U+00E9, 2 bytes, 1 unit
constexpr char kEuro[] = "\xE2\x82\xAC";           // U+20AC, 3 bytes, 1 unit
constexpr char kCutOfMeat[] = "\xF0\x9F\xA5\xA9";  // U+1F969, 4 bytes, 2 units

TEST(PosLineTextTest, CountsUnitsAsJavaDoes) {
  EXPECT_EQ(Utf16Units(""), 0u);
  EXPECT_EQ(Utf16Units("Ribeye"), 6u);
  EXPECT_EQ(Utf16Units(kEAcute), 1u);
  EXPECT_EQ(Utf16Units(kEuro), 1u);
  EXPECT_EQ(Utf16Units(kCutOfMeat), 2u);
  EXPECT_EQ(Utf16Units(std::string("Cr") + kEAcute + "me " + kCutOfMeat), 8u);
}

TEST(PosLineTextTest, KeepsTextWithinTheLimitWhole) {
  EXPECT_EQ(CutToUnits("REFIRE: Ribeye 12oz", 512), "REFIRE: Ribeye 12oz");
  EXPECT_EQ(CutToUnits("Ribeye", 6), "Ribeye");
  EXPECT_EQ(CutToUnits("", 0), "");
}

TEST(PosLineTextTest, CutsAsciiAtTheLimit) {
  EXPECT_EQ(CutToUnits("Ribeye 12oz", 6), "Ribeye");
  EXPECT_EQ(CutToUnits("Ribeye", 0), "");
}

TEST(PosLineTextTest, NeverCutsInsideACharacter) {
  const std::string creme = std::string("Cr") + kEAcute + "me";
  EXPECT_EQ(CutToUnits(creme, 3), std::string("Cr") + kEAcute);
  EXPECT_EQ(CutToUnits(creme, 2), "Cr");
  const std::string price = std::string("12") + kEuro;
  EXPECT_EQ(CutToUnits(price, 3), price);
  EXPECT_EQ(CutToUnits(price, 2), "12");
}

TEST(PosLineTextTest, ACharacterPastTheBasicPlaneNeedsTwoUnits) {
  const std::string steaks = std::string("a") + kCutOfMeat + kCutOfMeat;
  EXPECT_EQ(CutToUnits(steaks, 5), steaks);
  // 4 units: the second steak would need 5.
  EXPECT_EQ(CutToUnits(steaks, 4), std::string("a") + kCutOfMeat);
  // 2 units: half a surrogate pair is no character; it is left out whole.
  EXPECT_EQ(CutToUnits(steaks, 2), "a");
}

TEST(PosLineTextTest, ASequenceCutOffAtTheEndIsNotReadPast) {
  // A lead byte with its continuation missing (not UTF-8): kept or left
  // out as one unit, never read beyond the text.
  const std::string cut_off = std::string("ab") + "\xF0\x9F";
  EXPECT_EQ(CutToUnits(cut_off, 2), "ab");
  EXPECT_EQ(CutToUnits(cut_off, 10).size(), cut_off.size());
}

}  // namespace
}  // namespace makegood::adapters
