#ifndef MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_
#define MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_

// JSON parsing that never turns money into floating point: a number with a
// fraction or an exponent (Toast sends prices as JSON doubles in major
// units) is kept as the exact text it had in the payload, in a string.
// Integers stay integers.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace makegood::adapters {

// INVALID_ARGUMENT with the parser's position when `text` is not JSON.
absl::StatusOr<nlohmann::json> ParseExactJson(absl::string_view text);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_
