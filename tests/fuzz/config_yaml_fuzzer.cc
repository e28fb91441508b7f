// Fuzz target config_yaml: the configuration loader (config/config_loader.h),
// YAML to JSON to makegood.v1.Config, then validation and defaults.
//
// Invariants: the YAML converter gives a JSON object or refuses; a refusal
// is INVALID_ARGUMENT naming the file; a configuration that loads is still
// valid with its defaults applied, applying them again changes nothing, and
// it prints as JSON (which is YAML) that loads back the same.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "config/config_loader.h"
#include "config/config_validation.h"
#include "config/yaml_to_json.h"
#include "fuzz_support.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "proto_compare.h"

namespace makegood::fuzz {
namespace {

constexpr char kFileName[] = "fuzz.yaml";

// A \ud800-\udfff escape: the JSON printer's way to write a character
// beyond the BMP, which YAML's escapes (\UXXXXXXXX) spell differently.
bool HasSurrogateEscape(absl::string_view json) {
  for (size_t at = json.find("\\u"); at != absl::string_view::npos;
       at = json.find("\\u", at + 2)) {
    if (at + 3 < json.size() && (json[at + 2] == 'd' || json[at + 2] == 'D') &&
        absl::string_view("89abAB").find(json[at + 3]) !=
            absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

void CheckLoaded(const v1::Config& config, absl::string_view yaml) {
  const std::vector<std::string> problems = config::ValidateConfig(config);
  FUZZ_CHECK(
      problems.empty(),
      absl::StrCat("a loaded configuration is invalid with its "
                   "defaults applied: ",
                   absl::StrJoin(problems, "; "), "\nfrom ", Shown(yaml)));

  v1::Config defaulted_again = config;
  config::ApplyDefaults(defaulted_again);
  const std::string changed = Differences(config, defaulted_again);
  FUZZ_CHECK(
      changed.empty(),
      "applying the defaults twice changes the configuration: " + changed);

  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.add_whitespace = true;
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(config, &json, print);
  FUZZ_CHECK(printed.ok(), "a loaded configuration does not print as JSON: " +
                               printed.ToString());
  if (HasSurrogateEscape(json)) return;
  auto reloaded = config::ParseConfigYaml(json, "printed.yaml");
  FUZZ_CHECK(reloaded.ok(),
             absl::StrCat("a loaded configuration, printed, does not load (",
                          reloaded.status().ToString(), "):\n", json));
  const std::string differences = Differences(config, *reloaded);
  FUZZ_CHECK(differences.empty(),
             absl::StrCat("a loaded configuration, printed, loads back "
                          "different: ",
                          differences, "\n", json));
}

int Run(const uint8_t* data, size_t size) {
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);

  auto json = config::YamlToJson(yaml);
  if (json.ok()) {
    const auto parsed = nlohmann::json::parse(*json, nullptr,
                                              /*allow_exceptions=*/false);
    FUZZ_CHECK(
        !parsed.is_discarded() && parsed.is_object(),
        "YamlToJson gave something other than a JSON object: " + Shown(*json));
  } else {
    FUZZ_CHECK(json.status().code() == absl::StatusCode::kInvalidArgument,
               json.status().ToString());
  }

  auto config = config::ParseConfigYaml(yaml, kFileName);
  if (!config.ok()) {
    FUZZ_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument,
               config.status().ToString());
    FUZZ_CHECK(
        absl::StartsWith(config.status().message(),
                         absl::StrCat(kFileName, ": ")),
        "a refusal does not name the file: " + config.status().ToString());
    return 0;
  }
  FUZZ_CHECK(json.ok(), "the configuration loaded, yet YamlToJson refused it");
  CheckLoaded(*config, yaml);
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
