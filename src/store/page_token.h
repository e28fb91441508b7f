#ifndef MAKEGOOD_STORE_PAGE_TOKEN_H_
#define MAKEGOOD_STORE_PAGE_TOKEN_H_

// Keyset page tokens, "<micros>:<id>" of the last row shown, for lists
// ordered newest first by (time, id). Pure; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::store {

struct PageToken {
  // Rows strictly before (at_us, id) come next. The default starts at the
  // newest row.
  int64_t at_us = INT64_MAX;
  std::string id;
};

// The default token for "", the parsed one otherwise; INVALID_ARGUMENT
// naming page_token for a token no page gave out: the time must be spelt
// exactly as FormatPageToken spells it (decimal, '-' only before 1970, no
// '+', spaces or leading zeros, within int64) and the id must not be empty.
absl::StatusOr<PageToken> ParsePageToken(const std::string& token);

std::string FormatPageToken(int64_t at_us, absl::string_view id);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_PAGE_TOKEN_H_
