// Loading the adapter's configuration (makegood.v1.AdapterConfig): the
// staff_map and table_map settings, as the translators get them, and each
// bad entry named.

#include "adapter_config.h"

#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace makegood::adapters {
namespace {

// What the clover adapter requires besides the maps.
constexpr char kRequired[] = R"(
makegood: { token: adapter-token-1 }
clover: { access_token: clover-token, auth_code: clover-code }
)";

class AdapterConfigTest : public ::testing::Test {
 protected:
  // `yaml` after the required settings, as a file.
  std::string Write(const std::string& yaml) {
    const std::string path = dir_.File("adapter.yaml");
    std::ofstream(path) << kRequired << yaml;
    return path;
  }

  testing::TempDir dir_;
};

TEST_F(AdapterConfigTest, StaffAndTableMapsReachTheTranslators) {
  const std::string path = Write(R"(
location: downtown-01
locations: { LW7XYZ123: uptown-02 }
staff_map: { emp-9: s-17, 1234: m-2 }
table_map: { table-12: "12", b3: Bar 3 }
)");
  auto config = LoadAdapterConfig(path, "clover");
  ASSERT_TRUE(config.ok()) << config.status();
  const VendorContext context = VendorContextOf(*config, "clover");
  EXPECT_EQ(context.source, "clover");
  EXPECT_EQ(context.default_location, "downtown-01");
  EXPECT_EQ(context.locations,
            (std::map<std::string, std::string>{{"LW7XYZ123", "uptown-02"}}));
  // A numeric YAML key is the vendor's id as text.
  EXPECT_EQ(context.staff_map, (std::map<std::string, std::string>{
                                   {"1234", "m-2"}, {"emp-9", "s-17"}}));
  EXPECT_EQ(context.table_map, (std::map<std::string, std::string>{
                                   {"b3", "Bar 3"}, {"table-12", "12"}}));
}

TEST_F(AdapterConfigTest, WithoutTheMapsEveryIdStaysTheVendors) {
  auto config = LoadAdapterConfig(Write(""), "clover");
  ASSERT_TRUE(config.ok()) << config.status();
  const VendorContext context = VendorContextOf(*config, "clover");
  EXPECT_TRUE(context.staff_map.empty());
  EXPECT_TRUE(context.table_map.empty());
}

TEST_F(AdapterConfigTest, EachBadEntryIsNamedWithItsSetting) {
  const std::string long_id(129, 's');
  const std::string path = Write(absl::StrCat(R"(
staff_map:
  "": s-1
  E1: ""
  E2: )",
                                              long_id, R"(
  E3: s-3
table_map:
  "": "12"
  T1: ""
  T2: Bar 2
)"));
  auto config = LoadAdapterConfig(path, "clover");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      config.status().message(),
      absl::StrCat(path, ": staff_map: a vendor employee id is empty\n", path,
                   ": staff_map: 'E1': the staff id is empty\n", path,
                   ": staff_map: 'E2': the staff id is 129 bytes; "
                   "makegood's ids are at most 128\n",
                   path, ": table_map: a vendor table id is empty\n", path,
                   ": table_map: 'T1': the table name is empty"));
}

TEST_F(AdapterConfigTest, AVendorIdGivenTwiceIsRefused) {
  const std::string path = Write(R"(
staff_map:
  emp-9: s-17
  emp-9: m-2
)");
  auto config = LoadAdapterConfig(path, "clover");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            absl::StrCat(path, ": staff_map.emp-9: duplicate key"));

  const std::string tables = Write(R"(
table_map:
  table-12: "12"
  table-12: "14"
)");
  config = LoadAdapterConfig(tables, "clover");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            absl::StrCat(tables, ": table_map.table-12: duplicate key"));
}

}  // namespace
}  // namespace makegood::adapters
