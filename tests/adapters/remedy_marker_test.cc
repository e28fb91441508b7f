// makegood's marker on what it writes to a POS, as written and as found
// again in whatever text the vendor keeps it in.

#include "remedy_marker.h"

#include "gtest/gtest.h"

namespace makegood::adapters {
namespace {

TEST(RemedyMarkerTest, NamesTheCommand) {
  EXPECT_EQ(RemedyMarker("CMD-2AB3CD4EF5GH6JK7M"), "mg-CMD-2AB3CD4EF5GH6JK7M");
}

TEST(RemedyMarkerTest, IsFoundWhereverTheVendorKeepsIt) {
  // Square's uid, Toast's externalId, Clover's name, Shopify's title.
  EXPECT_EQ(FindRemedyMarker("mg-CMD-1"), "CMD-1");
  EXPECT_EQ(FindRemedyMarker("makegood:mg-CMD-1"), "CMD-1");
  EXPECT_EQ(FindRemedyMarker("Comp (makegood mg-CMD-1)"), "CMD-1");
  EXPECT_EQ(FindRemedyMarker("makegood 7KQM-W3XH-P9TC mg-CMD_x-9"), "CMD_x-9");
  EXPECT_EQ(FindRemedyMarker(RemedyMarker("CMD-42")), "CMD-42");
}

TEST(RemedyMarkerTest, IsNotFoundInOtherText) {
  EXPECT_FALSE(FindRemedyMarker("").has_value());
  EXPECT_FALSE(FindRemedyMarker("Comp").has_value());
  EXPECT_FALSE(FindRemedyMarker("10% off, omg-so-good").has_value());
  EXPECT_FALSE(FindRemedyMarker("mg-").has_value());
  EXPECT_FALSE(FindRemedyMarker("mg- (nothing after it)").has_value());
  // A word ending in the prefix first, then a real marker.
  EXPECT_EQ(FindRemedyMarker("omg-1 mg-CMD-7"), "CMD-7");
}

TEST(RemedyMarkerTest, MatchesOneCommandExactly) {
  EXPECT_TRUE(HasRemedyMarker("Comp (makegood mg-CMD-12)", "CMD-12"));
  EXPECT_TRUE(HasRemedyMarker("makegood:mg-CMD-12", "CMD-12"));
  EXPECT_FALSE(HasRemedyMarker("Comp (makegood mg-CMD-123)", "CMD-12"));
  EXPECT_FALSE(HasRemedyMarker("Comp (makegood mg-CMD-12)", "CMD-1"));
  EXPECT_FALSE(HasRemedyMarker("xmg-CMD-12", "CMD-12"));
  EXPECT_FALSE(HasRemedyMarker("", "CMD-12"));
}

}  // namespace
}  // namespace makegood::adapters
