#include "config/config_loader.h"

#include <exception>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/config_validation.h"
#include "config/file_text.h"
#include "config/yaml_to_json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace makegood::config {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

// "invalid value "HUGE" for type type.googleapis.com/makegood.v1.Severity"
// becomes "invalid value "HUGE": expected one of MINOR, MAJOR, SEVERE".
std::string ExplainEnum(std::string message) {
  const size_t at = message.find(kTypeUrlPrefix.data());
  if (at == std::string::npos) return message;
  const std::string type_name = message.substr(at + kTypeUrlPrefix.size());
  const auto* type =
      google::protobuf::DescriptorPool::generated_pool()->FindEnumTypeByName(
          type_name);
  if (type == nullptr) return message;
  std::vector<std::string> names;
  for (int i = 1; i < type->value_count(); ++i) {
    names.push_back(type->value(i)->name());
  }
  std::string head = message.substr(0, message.find(" for type "));
  return absl::StrCat(head, ": expected one of ", absl::StrJoin(names, ", "));
}

// Protobuf's JSON parser says "categoriez: Cannot find field.",
// "(policy[0]) offerx: Cannot find field." or
// "(policy[1].when.severity[0]): invalid value ..."; the project's errors
// read "policy[0].offerx: unknown field".
std::string FieldPathError(const std::string& message) {
  std::string path;
  std::string rest = message;
  if (absl::StartsWith(rest, "(")) {
    const size_t close = rest.find(')');
    if (close == std::string::npos) return message;
    path = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
  }
  // `rest` is ": what" after a whole path, or "field: what" naming one more.
  if (!absl::StartsWith(rest, ": ")) {
    const size_t colon = rest.find(": ");
    if (colon != std::string::npos) {
      const std::string field(
          absl::StripAsciiWhitespace(rest.substr(0, colon)));
      path = path.empty() ? field : absl::StrCat(path, ".", field);
      rest = rest.substr(colon);
    }
  }
  if (absl::StartsWith(rest, ": ")) rest = rest.substr(2);
  if (rest == "Cannot find field.") rest = "unknown field";
  return absl::StrCat(path.empty() ? "(top level)" : path, ": ",
                      ExplainEnum(rest));
}

// Runs `body`, turning an exception that escapes it (from yaml-cpp,
// nlohmann, the standard library) into INVALID_ARGUMENT naming the file:
// no exception leaves the loader, so a bad file never ends the program.
template <typename Body>
auto RefusingExceptions(absl::string_view file_name, Body body)
    -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": cannot be loaded: ", e.what()));
  } catch (...) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": cannot be loaded"));
  }
}

absl::Status ParseYamlIntoUnguarded(absl::string_view yaml,
                                    absl::string_view file_name,
                                    google::protobuf::Message& message) {
  auto json = YamlToJson(yaml);
  if (!json.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", json.status().message()));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed =
      google::protobuf::util::JsonStringToMessage(*json, &message, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ": ", FieldPathError(parsed.message().as_string())));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Config> ParseConfigYamlUnguarded(
    absl::string_view yaml, absl::string_view file_name) {
  v1::Config config;
  if (absl::Status s = ParseYamlIntoUnguarded(yaml, file_name, config);
      !s.ok()) {
    return s;
  }
  std::vector<std::string> errors = ValidateConfig(config);
  if (!errors.empty()) {
    for (std::string& error : errors)
      error = absl::StrCat(file_name, ": ", error);
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  ApplyDefaults(config);
  return config;
}

}  // namespace

absl::Status ParseYamlInto(absl::string_view yaml, absl::string_view file_name,
                           google::protobuf::Message& message) {
  return RefusingExceptions(file_name, [&] {
    return ParseYamlIntoUnguarded(yaml, file_name, message);
  });
}

absl::StatusOr<v1::Config> ParseConfigYaml(absl::string_view yaml,
                                           absl::string_view file_name) {
  return RefusingExceptions(
      file_name, [&] { return ParseConfigYamlUnguarded(yaml, file_name); });
}

absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path) {
  return RefusingExceptions(path, [&]() -> absl::StatusOr<v1::Config> {
    std::optional<std::string> text = ReadFileText(path);
    if (!text) {
      return absl::NotFoundError(
          absl::StrCat(path, ": cannot read the configuration file"));
    }
    return ParseConfigYamlUnguarded(*text, path);
  });
}

}  // namespace makegood::config
