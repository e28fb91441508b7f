#include "report/text_table.h"

#include <sstream>

#include "gtest/gtest.h"

namespace makegood::report {
namespace {

TEST(TableTest, AlignsColumnsToTheWidestCell) {
  Table table({"A", "NAME"});
  table.AddRow({"long-id", "x"});
  table.AddRow({"b"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(), "A        NAME\nlong-id  x\nb        \n");
}

}  // namespace
}  // namespace makegood::report
