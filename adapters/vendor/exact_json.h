#ifndef MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_
#define MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_

// JSON parsing that never turns money into floating point: a number with a
// fraction or an exponent (Toast sends prices as JSON doubles in major
// units) is kept as the exact text it had in the payload, in a value of
// its own kind (a binary value of subtype kExactNumberSubtype, which JSON
// text never produces), so that a reader tells the number 1.50 from the
// string "1.50". Integers stay integers. Thread-safe.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace makegood::adapters {

// The binary subtype that marks a number kept as its text ('N').
inline constexpr uint8_t kExactNumberSubtype = 0x4e;

// INVALID_ARGUMENT with the parser's position when `text` is not JSON.
absl::StatusOr<nlohmann::json> ParseExactJson(absl::string_view text);

// The text of a number with a fraction or an exponent as ParseExactJson
// keeps it ("1.50", "1e30"); nullopt for any other value.
std::optional<std::string> ExactNumberText(const nlohmann::json& value);

// The value ParseExactJson makes of such a number's `text`.
nlohmann::json ExactNumber(absl::string_view text);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_EXACT_JSON_H_
