#ifndef MAKEGOOD_TEXT_UTF8_H_
#define MAKEGOOD_TEXT_UTF8_H_

// UTF-8 as RFC 3629 defines it, for the components that take bytes from
// outside and must pass on only UTF-8: the logs (every line is UTF-8), the
// configuration loader (which refuses other bytes) and the Connect error
// JSON (which replaces them). Overlong forms (C0, C1, E0 80..9F, F0
// 80..8F), UTF-16 surrogates (ED A0..BF: U+D800..U+DFFF) and code points
// past U+10FFFF (F4 90.., F5..FF) are not UTF-8. Pure functions;
// thread-safe.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace makegood::text {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The length (1 to 4 bytes) of the valid UTF-8 sequence `text` starts
// with; 0 when `text` is empty, starts with a byte that begins no
// sequence, or is cut off inside the sequence its first byte begins.
size_t Utf8SequenceLength(absl::string_view text);

// `text` with U+FFFD in place of each byte that starts no valid sequence,
// so that the result is UTF-8; valid sequences are kept as they are.
std::string ReplaceInvalidUtf8(absl::string_view text);

}  // namespace makegood::text

#endif  // MAKEGOOD_TEXT_UTF8_H_
