#include "config/yaml_to_json.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace makegood::config {
namespace {

using nlohmann::json;

absl::StatusOr<json> Convert(const YAML::Node& node, const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      // "?" marks a plain (unquoted) scalar; quoted ones are always strings.
      if (node.Tag() == "?") {
        if (text == "true") return json(true);
        if (text == "false") return json(false);
        if (text == "null" || text == "~") return json(nullptr);
      }
      return json(text);
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      int index = 0;
      for (const YAML::Node& child : node) {
        auto converted = Convert(child, absl::StrCat(path, "[", index++, "]"));
        if (!converted.ok()) return converted.status();
        array.push_back(*std::move(converted));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path.empty() ? "(top level)" : path,
                           ": keys must be plain names"));
        }
        const std::string key = entry.first.Scalar();
        const std::string child_path = path.empty() ? key : path + "." + key;
        if (object.contains(key)) {
          return absl::InvalidArgumentError(
              absl::StrCat(child_path, ": duplicate key"));
        }
        auto converted = Convert(entry.second, child_path);
        if (!converted.ok()) return converted.status();
        object[key] = *std::move(converted);
      }
      return object;
    }
  }
  return absl::InternalError("unknown YAML node type");
}

}  // namespace

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        "(top level): expected a mapping of sections (location:, staff:, ...)");
  }
  auto converted = Convert(root, "");
  if (!converted.ok()) return converted.status();
  return converted->dump();
}

}  // namespace makegood::config
