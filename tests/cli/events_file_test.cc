#include "cli/events_file.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::cli {
namespace {

using ::testing::HasSubstr;

constexpr char kGood[] =
    R"({"event_id":"e1","source":"pos","location_id":"l","check_id":"c","occurred_at":"2026-11-20T23:02:00Z","item_fired":{"line_id":"1"}})";

TEST(ReadEventsJsonlTest, ReadsOneEventPerLineSkippingBlankLines) {
  std::istringstream in(std::string(kGood) + "\n\n" + kGood + "\n");
  auto events = ReadEventsJsonl(in, "f.jsonl");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].item_fired().line_id(), "1");
}

TEST(ReadEventsJsonlTest, NamesTheLineOfTheFirstBadEvent) {
  for (const char* bad :
       {R"({"event_id":"e2","bogus":1})", "not json",
        R"({"item_fired":{"line_id":"1"},"item_served":{"line_id":"1"}})"}) {
    std::istringstream in(std::string(kGood) + "\n" + kGood + "\n" + bad +
                          "\n");
    auto events = ReadEventsJsonl(in, "f.jsonl");
    EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_THAT(std::string(events.status().message()),
                HasSubstr("f.jsonl:3: "))
        << bad;
  }
}

}  // namespace
}  // namespace makegood::cli
