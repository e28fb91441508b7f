#ifndef MAKEGOOD_CONFIG_CONFIG_LOADER_H_
#define MAKEGOOD_CONFIG_CONFIG_LOADER_H_

// Reads a location's YAML configuration into makegood.v1.Config.
//
// The YAML is turned into JSON and parsed with protobuf's JSON parser, so the
// schema is the proto message and unknown keys are errors; then the meaning
// is validated (see config_validation.h) and defaults are filled in.
// Thread-safe: no shared state.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "makegood/v1/config.pb.h"

namespace makegood::config {

// The file's configuration with defaults applied, or INVALID_ARGUMENT whose
// message has one line per problem, each "FILE: field.path: what is wrong"
// (NOT_FOUND when the file cannot be read).
absl::StatusOr<makegood::v1::Config> LoadConfigFile(const std::string& path);

// The same for YAML text; `file_name` only labels the errors.
absl::StatusOr<makegood::v1::Config> ParseConfigYaml(
    absl::string_view yaml, absl::string_view file_name);

// Fills `message` from YAML text with the same rules (protobuf field names,
// unknown keys are errors), without any validation of its own. Errors read
// "FILE: field.path: what is wrong".
absl::Status ParseYamlInto(absl::string_view yaml, absl::string_view file_name,
                           google::protobuf::Message& message);

}  // namespace makegood::config

#endif  // MAKEGOOD_CONFIG_CONFIG_LOADER_H_
