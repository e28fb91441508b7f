#include "remedy_marker.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/event_validation.h"

namespace makegood::adapters {
namespace {

constexpr absl::string_view kPrefix = "mg-";

bool IdChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

}  // namespace

std::string RemedyMarker(absl::string_view command_id) {
  return absl::StrCat(kPrefix, command_id);
}

std::optional<std::string> FindRemedyMarker(absl::string_view text) {
  for (size_t at = text.find(kPrefix); at != absl::string_view::npos;
       at = text.find(kPrefix, at + 1)) {
    // "omg-x" is a word that happens to contain the prefix, not a marker.
    if (at > 0 && absl::ascii_isalnum(text[at - 1])) continue;
    size_t end = at + kPrefix.size();
    while (end < text.size() && IdChar(text[end])) ++end;
    // No command id is longer than the contract's ids: a longer run is no
    // marker of makegood's.
    const size_t length = end - at - kPrefix.size();
    if (length > 0 && length <= core::kMaxIdLength) {
      return std::string(text.substr(at + kPrefix.size(), length));
    }
  }
  return std::nullopt;
}

bool HasRemedyMarker(absl::string_view text, absl::string_view command_id) {
  const std::string marker = RemedyMarker(command_id);
  for (size_t at = text.find(marker); at != absl::string_view::npos;
       at = text.find(marker, at + 1)) {
    const size_t end = at + marker.size();
    // Not a longer id that starts with this one ("mg-CMD-12" in "mg-CMD-123").
    if ((at == 0 || !absl::ascii_isalnum(text[at - 1])) &&
        (end == text.size() || !IdChar(text[end]))) {
      return true;
    }
  }
  return false;
}

}  // namespace makegood::adapters
