#include "config/yaml_to_json.h"

#include <cstddef>
#include <exception>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "text/utf8.h"
#include "yaml-cpp/yaml.h"

namespace makegood::config {
namespace {

using ::makegood::text::Utf8SequenceLength;
using nlohmann::json;

// Far deeper than any configuration (protobuf's JSON parser stops at 100
// anyway); an alias inside the node it names ("a: &x [*x]") would
// otherwise recurse until the stack overflows.
constexpr int kMaxDepth = 100;
// Values after aliases are expanded: a few aliases of aliases of lists
// ("billion laughs") would otherwise fill the memory.
constexpr size_t kMaxValues = 100000;

// OK when `yaml` is UTF-8 text without control characters other than tab,
// line feed and carriage return (which YAML does not allow in a stream);
// else INVALID_ARGUMENT at the first bad byte. yaml-cpp would pass other
// bytes through into the values, and read a file with NULs as UTF-16 or
// UTF-32.
absl::Status CheckText(absl::string_view yaml) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < yaml.size();) {
    const auto c = static_cast<unsigned char>(yaml[i]);
    const size_t length = Utf8SequenceLength(yaml.substr(i));
    const bool control = length == 1 && (c < 0x20 || c == 0x7F) && c != '\t' &&
                         c != '\n' && c != '\r';
    if (length == 0 || control) {
      const std::string where = absl::StrFormat(
          "line %d, column %d (byte offset %d)", line, i - line_start + 1, i);
      return absl::InvalidArgumentError(
          control ? absl::StrFormat(
                        "%s: control character 0x%02X is not allowed in "
                        "YAML (only tab, line feed and carriage return are)",
                        where, c)
                  : absl::StrFormat(
                        "%s: byte 0x%02X is not UTF-8; the configuration "
                        "must be UTF-8 text",
                        where, c));
    }
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    }
    i += length;
  }
  return absl::OkStatus();
}

class Converter {
 public:
  absl::StatusOr<json> Convert(const YAML::Node& node, const std::string& path,
                               int depth) {
    const std::string shown = path.empty() ? "(top level)" : path;
    if (depth > kMaxDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat(shown, ": nested more than ", kMaxDepth,
                       " levels deep (an alias inside the node it names?)"));
    }
    if (++values_ > kMaxValues) {
      return absl::InvalidArgumentError(
          absl::StrCat(shown, ": more than ", kMaxValues,
                       " values with the aliases expanded: not a "
                       "configuration"));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar: {
        const std::string& text = node.Scalar();
        // "?" marks a plain (unquoted) scalar; quoted ones are always
        // strings.
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
          auto converted =
              Convert(child, absl::StrCat(path, "[", index++, "]"), depth + 1);
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
                absl::StrCat(shown, ": keys must be plain names"));
          }
          const std::string key = entry.first.Scalar();
          const std::string child_path = path.empty() ? key : path + "." + key;
          if (object.contains(key)) {
            return absl::InvalidArgumentError(
                absl::StrCat(child_path, ": duplicate key"));
          }
          auto converted = Convert(entry.second, child_path, depth + 1);
          if (!converted.ok()) return converted.status();
          object[key] = *std::move(converted);
        }
        return object;
      }
    }
    return absl::InternalError("unknown YAML node type");
  }

 private:
  size_t values_ = 0;
};

absl::StatusOr<std::string> Translate(absl::string_view yaml) {
  if (absl::Status text = CheckText(yaml); !text.ok()) return text;
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
  auto converted = Converter().Convert(root, "", 0);
  if (!converted.ok()) return converted.status();
  return converted->dump();
}

}  // namespace

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml) {
  // Nothing above should throw; should yaml-cpp or nlohmann still do, the
  // file is refused rather than the program ended.
  try {
    return Translate(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot be read as YAML: ", e.what()));
  }
}

}  // namespace makegood::config
