#ifndef MAKEGOOD_CONFIG_YAML_TO_JSON_H_
#define MAKEGOOD_CONFIG_YAML_TO_JSON_H_

// YAML text to JSON text, shaped for protobuf's JSON parser.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::config {

// Converts YAML to JSON. Plain scalars `true`/`false` become booleans,
// `null`/`~` null, and every other scalar a string: protobuf's JSON parser
// accepts strings for numeric fields, so "18.00" stays exact and an id like
// 0042 keeps its zeros. Duplicate keys are errors. INVALID_ARGUMENT with
// "line L, column C: ..." or "path: ..." on failure.
absl::StatusOr<std::string> YamlToJson(absl::string_view yaml);

}  // namespace makegood::config

#endif  // MAKEGOOD_CONFIG_YAML_TO_JSON_H_
