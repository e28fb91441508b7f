#include "store/page_token.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace makegood::store {

absl::StatusOr<PageToken> ParsePageToken(const std::string& token) {
  PageToken parsed;
  if (token.empty()) return parsed;
  std::pair<std::string, std::string> parts =
      absl::StrSplit(token, absl::MaxSplits(':', 1));
  // SimpleAtoi also takes "+5", " 5" and "05"; the time must be spelt as
  // FormatPageToken spells it, so that only tokens a page gave out pass.
  if (parts.second.empty() || !absl::SimpleAtoi(parts.first, &parsed.at_us) ||
      absl::StrCat(parsed.at_us) != parts.first) {
    return absl::InvalidArgumentError(
        "page_token: not a token from a previous response");
  }
  parsed.id = parts.second;
  return parsed;
}

std::string FormatPageToken(int64_t at_us, absl::string_view id) {
  return absl::StrCat(at_us, ":", id);
}

}  // namespace makegood::store
