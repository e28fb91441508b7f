#include "config/yaml_to_json.h"

#include "gtest/gtest.h"

namespace makegood::config {
namespace {

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

}  // namespace
}  // namespace makegood::config
