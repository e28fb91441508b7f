#include "telemetry/log.h"

#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "telemetry/logfmt_reader.h"

namespace makegood::telemetry {
namespace {

using makegood::testing::LogfmtPairs;
using makegood::testing::LogfmtValue;
using makegood::testing::ParseLogfmtLine;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// 2026-12-02T12:00:00.123Z.
absl::Time Noon() {
  return absl::FromCivil(absl::CivilSecond(2026, 12, 2, 12, 0, 0),
                         absl::UTCTimeZone()) +
         absl::Milliseconds(123);
}

std::string Logfmt(absl::string_view event,
                   absl::Span<const LogField> fields = {}) {
  return FormatLogLine(LogFormat::kLogfmt, Noon(), LogLevel::kInfo, event,
                       fields);
}

std::string Json(absl::string_view event,
                 absl::Span<const LogField> fields = {}) {
  return FormatLogLine(LogFormat::kJson, Noon(), LogLevel::kInfo, event,
                       fields);
}

// Text a logfmt value or a JSON string must carry through unchanged.
const std::vector<std::string>& TrickyValues() {
  static const auto* const values = new std::vector<std::string>{
      "",
      "plain",
      "two words",
      "say \"hi\"",
      "back\\slash",
      "key=value",
      "line one\nline two\r\n",
      "tab\there",
      std::string("nul\0byte", 8),
      "bell\x07 and del\x7F",
      "José, café, 東京, 🍰",
      "=",
      " leading and trailing ",
  };
  return *values;
}

TEST(LogFormatTest, LogfmtStartsWithTimeLevelAndEventThenTheFieldsInOrder) {
  EXPECT_EQ(Logfmt("start", {{"location", "loc-1"},
                             {"port", 50051},
                             {"tls", false},
                             {"latency_ms", 1.5}}),
            "time=2026-12-02T12:00:00.123Z level=info event=start "
            "location=loc-1 port=50051 tls=false latency_ms=1.5");
  EXPECT_EQ(
      FormatLogLine(LogFormat::kLogfmt, Noon(), LogLevel::kWarning, "stop", {}),
      "time=2026-12-02T12:00:00.123Z level=warning event=stop");
}

TEST(LogFormatTest, LogfmtQuotesAndEscapesOnlyWhatNeedsIt) {
  EXPECT_THAT(Logfmt("e", {{"v", "two words"}}), HasSubstr(" v=\"two words\""));
  EXPECT_THAT(Logfmt("e", {{"v", "say \"hi\""}}),
              HasSubstr(" v=\"say \\\"hi\\\"\""));
  EXPECT_THAT(Logfmt("e", {{"v", "a\nb"}}), HasSubstr(" v=\"a\\nb\""));
  EXPECT_THAT(Logfmt("e", {{"v", "k=v"}}), HasSubstr(" v=\"k=v\""));
  EXPECT_THAT(Logfmt("e", {{"v", "back\\slash"}}),
              HasSubstr(" v=\"back\\\\slash\""));
  EXPECT_THAT(Logfmt("e", {{"v", ""}}), HasSubstr(" v=\"\""));
  EXPECT_THAT(Logfmt("e", {{"v", "\x01"}}), HasSubstr(" v=\"\\u0001\""));
  // UTF-8 is written as it is; no quotes needed for it alone.
  EXPECT_THAT(Logfmt("e", {{"v", "José"}}), HasSubstr(" v=José"));
  // Bytes that are not UTF-8 become U+FFFD.
  EXPECT_THAT(Logfmt("e", {{"v",
                            "a\xFF"
                            "b"}}),
              HasSubstr(" v=\"a\xEF\xBF\xBD"
                        "b\""));
  EXPECT_THAT(Logfmt("e", {{"v", "\xC0\xAF"}}),  // An overlong '/'.
              HasSubstr(" v=\"\xEF\xBF\xBD\xEF\xBF\xBD\""));
  // Plain text with punctuation stays bare.
  EXPECT_THAT(Logfmt("e", {{"v", "/makegood.v1.CheckService/ListChecks"}}),
              HasSubstr(" v=/makegood.v1.CheckService/ListChecks"));
}

TEST(LogFormatTest, EveryLogfmtValueReadsBackAsItWasGiven) {
  for (const std::string& value : TrickyValues()) {
    const std::string line = Logfmt("e", {{"v", value}, {"after", "x"}});
    const std::optional<LogfmtPairs> pairs = ParseLogfmtLine(line);
    ASSERT_TRUE(pairs.has_value()) << line;
    EXPECT_EQ(LogfmtValue(*pairs, "v"), value) << line;
    EXPECT_EQ(LogfmtValue(*pairs, "after"), "x") << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
}

TEST(LogFormatTest, KeysAreNamesAndNothingElse) {
  EXPECT_THAT(Logfmt("e", {{"a key=\"x\"", 1}, {"", 2}}),
              HasSubstr(" a_key__x_=1 _=2"));
  const nlohmann::json json = nlohmann::json::parse(Json("e", {{"a\"b", 1}}));
  EXPECT_EQ(json["a_b"], 1);
}

TEST(LogFormatTest, JsonIsOneObjectWithTypedValues) {
  const std::string line =
      Json("start", {{"location", "loc-1"},
                     {"port", 50051},
                     {"tls", true},
                     {"latency_ms", 0.25},
                     {"refused", static_cast<uint64_t>(18446744073709551615u)},
                     {"delta", -3}});
  EXPECT_EQ(line,
            "{\"time\":\"2026-12-02T12:00:00.123Z\",\"level\":\"info\","
            "\"event\":\"start\",\"location\":\"loc-1\",\"port\":50051,"
            "\"tls\":true,\"latency_ms\":0.25,"
            "\"refused\":18446744073709551615,\"delta\":-3}");
  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["event"], "start");
  EXPECT_TRUE(json["tls"].is_boolean());
  EXPECT_TRUE(json["port"].is_number_integer());
}

TEST(LogFormatTest, EveryJsonStringReadsBackAsItWasGiven) {
  for (const std::string& value : TrickyValues()) {
    const std::string line = Json(value, {{"v", value}});
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    nlohmann::json json;
    ASSERT_NO_THROW(json = nlohmann::json::parse(line)) << line;
    EXPECT_EQ(json["v"], value) << line;
    EXPECT_EQ(json["event"], value) << line;
  }
  // Not UTF-8: replaced, so that the line still parses.
  const nlohmann::json json = nlohmann::json::parse(Json("e", {{"v", "\xFE"}}));
  EXPECT_EQ(json["v"], "\xEF\xBF\xBD");
}

TEST(LogFormatTest, NumbersJsonCannotHoldAreText) {
  const nlohmann::json json = nlohmann::json::parse(
      Json("e", {{"nan", std::nan("")},
                 {"inf", std::numeric_limits<double>::infinity()}}));
  EXPECT_EQ(json["nan"], "NaN");
  EXPECT_EQ(json["inf"], "Infinity");
}

TEST(LogFlagsTest, ParsesEveryLevelAndFormatInAnyCase) {
  EXPECT_EQ(ParseLogLevel("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("info").value(), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("WARNING").value(), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("error").value(), LogLevel::kError);
  EXPECT_EQ(ParseLogFormat("logfmt").value(), LogFormat::kLogfmt);
  EXPECT_EQ(ParseLogFormat("JSON").value(), LogFormat::kJson);
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                         LogLevel::kError}) {
    EXPECT_EQ(ParseLogLevel(LogLevelName(level)).value(), level);
  }
}

TEST(LogFlagsTest, ABadValueIsNamedWithTheChoices) {
  const absl::StatusOr<LogLevel> level = ParseLogLevel("verbose");
  ASSERT_EQ(level.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(level.status().message(),
            "'verbose' is not a log level: choose debug, info, warning or "
            "error");
  const absl::StatusOr<LogFormat> format = ParseLogFormat("text");
  ASSERT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(format.status().message(),
            "'text' is not a log format: choose logfmt or json");
  EXPECT_EQ(ParseLogLevel("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLogFormat("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Logs into `out_` for the test, and back to std::cerr after it.
class LoggerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ConfigureLogging(LogFormat::kLogfmt, LogLevel::kInfo, &std::cerr);
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines = absl::StrSplit(out_.str(), '\n');
    EXPECT_EQ(lines.back(), "") << "the last line has no newline";
    lines.pop_back();
    return lines;
  }

  std::ostringstream out_;
};

TEST_F(LoggerTest, LinesBelowTheLevelAreDropped) {
  ConfigureLogging(LogFormat::kLogfmt, LogLevel::kWarning, &out_);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarning));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  LogEvent(LogLevel::kDebug, "rpc");
  LogEvent(LogLevel::kInfo, "start");
  LogEvent(LogLevel::kWarning, "auth_failed", {{"credential", "unknown"}});
  LogEvent(LogLevel::kError, "store_write_failed");
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u) << out_.str();
  EXPECT_THAT(lines[0], HasSubstr(" level=warning event=auth_failed "
                                  "credential=unknown"));
  EXPECT_THAT(lines[1], HasSubstr(" level=error event=store_write_failed"));

  ConfigureLogging(LogFormat::kLogfmt, LogLevel::kDebug, &out_);
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
  LogEvent(LogLevel::kDebug, "rpc");
  ASSERT_EQ(Lines().size(), 3u);
  EXPECT_THAT(Lines()[2], HasSubstr(" level=debug event=rpc"));
}

// What each program does with its --log-format and --log-level values.
TEST_F(LoggerTest, FlagValuesConfigureTheLogOrNameTheFlag) {
  ASSERT_TRUE(ConfigureLoggingFromFlags("JSON", "warning", &out_).ok());
  LogEvent(LogLevel::kInfo, "start");
  LogEvent(LogLevel::kWarning, "auth_failed");
  ASSERT_EQ(Lines().size(), 1u) << out_.str();
  EXPECT_EQ(nlohmann::json::parse(Lines()[0])["event"], "auth_failed");

  std::ostringstream elsewhere;
  const absl::Status format =
      ConfigureLoggingFromFlags("text", "debug", &elsewhere);
  EXPECT_EQ(format.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(format.message(),
            "--log-format: 'text' is not a log format: choose logfmt or json");
  const absl::Status level =
      ConfigureLoggingFromFlags("logfmt", "verbose", &elsewhere);
  EXPECT_EQ(level.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(level.message(),
            "--log-level: 'verbose' is not a log level: choose debug, info, "
            "warning or error");
  EXPECT_THAT(
      std::string(
          ConfigureLoggingFromFlags("text", "verbose", &elsewhere).message()),
      ::testing::StartsWith("--log-format: "));
  // A refused value left the log as it was: JSON, warning and up, here.
  LogEvent(LogLevel::kInfo, "tick");
  LogEvent(LogLevel::kError, "store_write_failed");
  EXPECT_EQ(elsewhere.str(), "");
  ASSERT_EQ(Lines().size(), 2u) << out_.str();
  EXPECT_EQ(nlohmann::json::parse(Lines()[1])["event"], "store_write_failed");
}

TEST_F(LoggerTest, WritesTheConfiguredFormatWithTheTimeNow) {
  ConfigureLogging(LogFormat::kJson, LogLevel::kInfo, &out_);
  const absl::Time before = absl::Now();
  LogEvent(LogLevel::kInfo, "start", {{"location", "loc-1"}});
  const absl::Time after = absl::Now();
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json json = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(json["level"], "info");
  EXPECT_EQ(json["event"], "start");
  EXPECT_EQ(json["location"], "loc-1");
  absl::Time time;
  std::string error;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full,
                              json["time"].get<std::string>(), &time, &error))
      << error;
  EXPECT_GE(time, before - absl::Milliseconds(1));  // Truncated to ms.
  EXPECT_LE(time, after);

  ConfigureLogging(LogFormat::kLogfmt, LogLevel::kInfo, &out_);
  LogEvent(LogLevel::kInfo, "stop");
  ASSERT_EQ(Lines().size(), 2u);
  const std::optional<LogfmtPairs> pairs = ParseLogfmtLine(Lines()[1]);
  ASSERT_TRUE(pairs.has_value()) << Lines()[1];
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_EQ((*pairs)[0].first, "time");
  EXPECT_THAT((*pairs)[1], Pair("level", "info"));
  EXPECT_THAT((*pairs)[2], Pair("event", "stop"));
}

// Lines of threads writing at once stay whole: each one parses, and every
// thread's lines are all there, in its order. Long values make a torn
// write show.
TEST_F(LoggerTest, ConcurrentWritersProduceWholeLines) {
  for (LogFormat format : {LogFormat::kJson, LogFormat::kLogfmt}) {
    out_.str("");
    ConfigureLogging(format, LogLevel::kInfo, &out_);
    constexpr int kThreads = 8;
    constexpr int kLinesEach = 500;
    const std::string payload(300, 'x');
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t, &payload] {
        const std::string name = absl::StrCat("writer ", t);
        for (int i = 0; i < kLinesEach; ++i) {
          LogEvent(LogLevel::kInfo, "tick",
                   {{"thread", name}, {"seq", i}, {"payload", payload}});
        }
      });
    }
    for (std::thread& thread : threads) thread.join();

    const std::vector<std::string> lines = Lines();
    ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesEach));
    std::map<std::string, int> next;
    for (const std::string& line : lines) {
      std::string thread, seq, payload_seen;
      if (format == LogFormat::kJson) {
        nlohmann::json json;
        ASSERT_NO_THROW(json = nlohmann::json::parse(line)) << line;
        thread = json["thread"].get<std::string>();
        seq = std::to_string(json["seq"].get<int>());
        payload_seen = json["payload"].get<std::string>();
      } else {
        const std::optional<LogfmtPairs> pairs = ParseLogfmtLine(line);
        ASSERT_TRUE(pairs.has_value()) << line;
        ASSERT_EQ(pairs->size(), 6u) << line;
        thread = LogfmtValue(*pairs, "thread").value_or("");
        seq = LogfmtValue(*pairs, "seq").value_or("");
        payload_seen = LogfmtValue(*pairs, "payload").value_or("");
      }
      EXPECT_EQ(payload_seen, payload);
      EXPECT_EQ(seq, std::to_string(next[thread]++)) << thread;
    }
    EXPECT_EQ(next.size(), static_cast<size_t>(kThreads));
    for (const auto& [thread, count] : next) {
      EXPECT_EQ(count, kLinesEach) << thread;
    }
  }
}

}  // namespace
}  // namespace makegood::telemetry
