#ifndef MAKEGOOD_ADAPTERS_RUNTIME_POS_LINE_TEXT_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_POS_LINE_TEXT_H_

// The lines makegood adds to a vendor's order (a refire, a free item):
// which remedies they are, and their text, kept within the vendor's length
// limit. Limits are counted in UTF-16 code units, as the vendors' Java models
// count a String (a character past U+FFFF counts 2), so a text that fits here
// fits there. Text is cut between characters, never inside one: a cut UTF-8
// sequence would make nlohmann's dump() throw. Pure; thread-safe.

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "makegood/v1/common.pb.h"

namespace makegood::adapters {

// How a refire line's name starts: "REFIRE: Ribeye 12oz".
inline constexpr absl::string_view kRefirePrefix = "REFIRE: ";

// The remedies carried out as a line on the check for the kitchen: a
// refire (REMAKE) and a free item (COMPLIMENTARY_ITEM).
inline bool AddsKitchenLine(makegood::v1::RemedyKind kind) {
  return kind == makegood::v1::REMAKE ||
         kind == makegood::v1::COMPLIMENTARY_ITEM;
}

// What the staff do instead when such a line cannot reach the kitchen.
inline std::string ByHand(makegood::v1::RemedyKind kind) {
  return kind == makegood::v1::REMAKE ? "refire the item by hand"
                                      : "bring the item out by hand";
}

namespace pos_line_text_internal {

// The bytes of the UTF-8 sequence that `lead` begins; 1 for a byte that
// begins none, so that the walk always moves on.
inline size_t SequenceBytes(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

}  // namespace pos_line_text_internal

// The UTF-16 code units UTF-8 `text` takes.
inline size_t Utf16Units(absl::string_view text) {
  size_t units = 0;
  for (size_t at = 0; at < text.size();) {
    const size_t bytes = pos_line_text_internal::SequenceBytes(
        static_cast<unsigned char>(text[at]));
    units += bytes == 4 ? 2 : 1;
    at += bytes;
  }
  return units;
}

// The longest start of UTF-8 `text` that takes at most `limit` UTF-16 code
// units and ends between two characters.
inline std::string CutToUnits(absl::string_view text, size_t limit) {
  size_t at = 0;
  size_t units = 0;
  while (at < text.size()) {
    const size_t bytes = std::min(pos_line_text_internal::SequenceBytes(
                                      static_cast<unsigned char>(text[at])),
                                  text.size() - at);
    const size_t width = bytes == 4 ? 2 : 1;
    if (units + width > limit) break;
    units += width;
    at += bytes;
  }
  return std::string(text.substr(0, at));
}

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_POS_LINE_TEXT_H_
