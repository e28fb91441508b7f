// Each output format parses back: JSON by protobuf, CSV by a CSV reader,
// HTML holds its charts and totals.

#include "report/render.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "core/proto_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "report/end_of_day.h"
#include "report/report_test_config.h"
#include "support/csv_reader.h"

namespace makegood::report {
namespace {

using ::testing::HasSubstr;

makegood::v1::EndOfDayReport SampleReport() {
  const core::RecoveryRules rules = testing::ReportRules();
  absl::TimeZone tz;
  absl::LoadTimeZone("America/New_York", &tz);
  const auto at = [&](int h, int m) {
    return absl::FromCivil(absl::CivilMinute(2026, 11, 20, h, m), tz);
  };
  DayRows day;
  for (int i = 0; i < 3; ++i) {
    ReportCase& c = day.cases.emplace_back();
    c.recovery.set_case_id("C" + std::to_string(i));
    c.recovery.set_category_id(i == 2 ? "wrong_item" : "cold_food");
    c.recovery.set_flagged_by("s-17");
    *c.recovery.mutable_flagged_at() = core::ToProto(at(19 + i, 5));
    c.recovery.add_line_ids("L");
    // A label with a comma and quotes, to exercise CSV quoting.
    c.lines.push_back({"L", "RIB", "Ribeye, \"dry-aged\"", "grill"});
    auto& remedy = *c.recovery.add_remedies();
    remedy.set_kind(makegood::v1::COMP_ITEM);
    remedy.set_status(makegood::v1::AppliedRemedy::SENT);
    remedy.mutable_cost()->set_minor_units(1250 * (i + 1));
    remedy.mutable_cost()->set_currency("USD");
    remedy.set_line_id("L");
    *remedy.mutable_applied_at() = core::ToProto(at(19 + i, 8));
  }
  day.sales_minor = 100000;
  return BuildEndOfDay(rules, "2026-11-20", *rules.BoundsOf("2026-11-20"), day,
                       {});
}

TEST(RenderTest, JsonIsTheProtoMappingAndParsesBack) {
  const auto report = SampleReport();
  const std::string json = ToJson(report);
  EXPECT_THAT(json, HasSubstr("\"recoveryCost\""));
  makegood::v1::EndOfDayReport parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(parsed, report));
}

TEST(RenderTest, CsvParsesWithEveryFigure) {
  const auto report = SampleReport();
  auto rows = makegood::testing::ParseCsv(EndOfDayCsv(report));
  ASSERT_TRUE(rows.has_value());
  ASSERT_GE(rows->size(), 10u);
  EXPECT_EQ((*rows)[0],
            (std::vector<std::string>{"section", "key", "label", "count",
                                      "amount", "currency"}));
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& row : *rows) {
    ASSERT_EQ(row.size(), 6u) << absl::StrJoin(row, "|");
    by_key[row[0] + "/" + row[1]] = row;
  }
  EXPECT_EQ(by_key["summary/cases"][3], "3");
  // 12.50 + 25.00 + 37.50.
  EXPECT_EQ(by_key["summary/recovery_cost"][4], "75.00");
  EXPECT_EQ(by_key["summary/recovery_cost"][5], "USD");
  EXPECT_EQ(by_key["summary/cost_share_bps"][3], "750");
  EXPECT_EQ(by_key["by_item/RIB"][2], "Ribeye, \"dry-aged\"");
  EXPECT_EQ(by_key["by_item/RIB"][3], "3");
  EXPECT_EQ(by_key["by_category/cold_food"][4], "37.50");
  EXPECT_EQ(by_key["summary/response_p50_seconds"][3], "180");
}

TEST(RenderTest, HtmlHoldsChartsAndTotalsAndEscapesText) {
  const std::string html = EndOfDayHtml(SampleReport());
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<svg id=\"chart-cost-by-category\""));
  EXPECT_THAT(html, HasSubstr("<svg id=\"chart-cases-by-hour\""));
  EXPECT_THAT(html, HasSubstr("75.00 USD"));
  EXPECT_THAT(html, HasSubstr("1000.00 USD"));  // Sales.
  EXPECT_THAT(html, HasSubstr("Ribeye, &quot;dry-aged&quot;"));
  EXPECT_THAT(html, HasSubstr("@media print"));
  // Self-contained: no scripts, nothing fetched.
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("http://e")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("src=")));
}

TEST(RenderTest, TextShowsTheSummary) {
  const std::string text = EndOfDayText(SampleReport());
  EXPECT_THAT(text, HasSubstr("End of day 2026-11-20"));
  EXPECT_THAT(text, HasSubstr("Recovery cost"));
  EXPECT_THAT(text, HasSubstr("75.00 USD"));
  EXPECT_THAT(text, HasSubstr("7.50%"));
  EXPECT_THAT(text, HasSubstr("cold_food   Cold food   2      37.50"));
}

TEST(CsvReaderTest, RejectsMalformedText) {
  EXPECT_FALSE(makegood::testing::ParseCsv("a,\"b\nc").has_value());
  EXPECT_FALSE(makegood::testing::ParseCsv("a,b\"c\n").has_value());
  auto rows = makegood::testing::ParseCsv("a,\"b,\"\"c\"\"\"\r\nd,\n");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ((*rows)[0][1], "b,\"c\"");
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"d", ""}));
}

}  // namespace
}  // namespace makegood::report
