#include "core/event_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using ::testing::HasSubstr;

TEST(EventJsonTest, ALineRoundTripsWithTheProtoFieldNames) {
  auto event = ParseOrderEventJson(
      R"({"event_id":"e-1","check_id":"1042","item_added":{"line_id":"1",)"
      R"("unit_price":{"minor_units":"1600","currency":"USD"}}})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->item_added().unit_price().minor_units(), 1600);
  const std::string line = OrderEventJsonLine(*event);
  EXPECT_THAT(line, HasSubstr(R"("event_id":"e-1")"));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto again = ParseOrderEventJson(line);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), event->SerializeAsString());
}

TEST(EventJsonTest, UnknownFieldsAndNonJsonAreRefused) {
  auto unknown = ParseOrderEventJson(R"({"event_id":"e-1","colour":"red"})");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("not an OrderEvent"));
  EXPECT_EQ(ParseOrderEventJson("{").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace makegood::core
