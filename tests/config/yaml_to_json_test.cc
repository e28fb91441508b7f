#include "config/yaml_to_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(YamlToJsonTest, KeepsScalarsAsStringsExceptBooleansAndNull) {
  auto json =
      YamlToJson("a: 18.00\nb: true\nc: '007'\nd: ~\ne: [1, x]\nf: \"true\"\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(
      *json,
      R"({"a":"18.00","b":true,"c":"007","d":null,"e":["1","x"],"f":"true"})");
}

TEST(YamlToJsonTest, RejectsDuplicateKeysWithTheirPath) {
  auto json = YamlToJson("location:\n  id: a\n  id: b\n");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(json.status().message(), "location.id: duplicate key");
}

TEST(YamlToJsonTest, ReportsSyntaxErrorsWithLineAndColumn) {
  auto json = YamlToJson("a: [1, 2\nb: c\n");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(json.status().message()).rfind("line ", 0), 0u);
}

TEST(YamlToJsonTest, RejectsANonMappingDocument) {
  EXPECT_EQ(YamlToJson("- a\n- b\n").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// yaml-cpp passes such bytes through into the values, and the JSON printer
// then throws: the text is refused first, at its first bad byte.
TEST(YamlToJsonTest, RefusesBytesThatAreNotUtf8AtTheirLineAndColumn) {
  auto json = YamlToJson("location:\n  id: caf\xff\n");
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(json.status().message(),
            "line 2, column 10 (byte offset 19): byte 0xFF is not UTF-8; the "
            "configuration must be UTF-8 text");

  // A surrogate, an overlong '/', a code point past U+10FFFF, a sequence
  // cut off by the end of the file.
  for (const char* yaml :
       {"a: ok\nb: \xed\xa0\x80\n", "a: ok\nb: \xc0\xaf\n",
        "a: ok\nb: \xf4\x90\x80\x80\n", "a: ok\nb: \xe2\x82"}) {
    auto refused = YamlToJson(yaml);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument)
        << yaml;
    EXPECT_THAT(std::string(refused.status().message()),
                StartsWith("line 2, column 4 (byte offset 9): byte 0x"))
        << yaml;
  }
}

TEST(YamlToJsonTest, RefusesControlCharactersYamlDoesNotAllow) {
  for (const std::string& yaml :
       {std::string("a: ok\nb: \"x\x01\"\n"), std::string("a: ok\nb: x\x7f\n"),
        std::string("a: ok\nb: x\0\n", 12)}) {
    auto refused = YamlToJson(yaml);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr("control character 0x"));
  }
  auto tabs = YamlToJson("a: \"x\ty\"\r\nb: z\r\n");
  ASSERT_TRUE(tabs.ok()) << tabs.status();
  EXPECT_EQ(*tabs, R"({"a":"x\ty","b":"z"})");
}

TEST(YamlToJsonTest, KeepsUtf8TextAsItIs) {
  auto json = YamlToJson("label: Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8d\xb0\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, "{\"label\":\"Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8d\xb0\"}");
}

// yaml-cpp makes the node its own child; converting it would never end.
TEST(YamlToJsonTest, RefusesAnAliasInsideTheNodeItNames) {
  for (const char* yaml : {"a: &x [*x]\n", "a: &x { b: *x }\n"}) {
    auto json = YamlToJson(yaml);
    EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument) << yaml;
    EXPECT_THAT(std::string(json.status().message()),
                HasSubstr("nested more than 100 levels deep"))
        << yaml;
  }
}

// Ten aliases of ten aliases of ...: a few lines that expand to a million
// values.
TEST(YamlToJsonTest, RefusesAliasesThatExpandPastAnyConfiguration) {
  std::string yaml = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 5; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    yaml += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i == 0 ? "" : ", ") + previous;
    yaml += "]\n";
  }
  auto json = YamlToJson(yaml);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(json.status().message()),
              HasSubstr("more than 100000 values with the aliases expanded"));
}

}  // namespace
}  // namespace makegood::config
