// Fuzz target page_token: keyset page tokens (store/page_token.h), which
// clients send back in every List* request.
//
// Invariants: "" is the first page; a token that decodes is one a page
// gives out, so it encodes back to exactly itself; a refusal is
// INVALID_ARGUMENT; any (time, id) a page gives out decodes to itself.
//
// Input: the token; read again as 8 bytes of time and the rest as the id,
// a (time, id) to encode.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_support.h"
#include "store/page_token.h"

namespace makegood::fuzz {
namespace {

void CheckDecoding(const std::string& token) {
  const auto parsed = store::ParsePageToken(token);
  if (token.empty()) {
    FUZZ_CHECK(parsed.ok() && parsed->at_us == INT64_MAX && parsed->id.empty(),
               "the empty token is not the first page");
    return;
  }
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument,
               parsed.status().ToString());
    return;
  }
  FUZZ_CHECK(!parsed->id.empty(),
             "a token decodes to an empty id: " + Shown(token));
  const std::string encoded = store::FormatPageToken(parsed->at_us, parsed->id);
  FUZZ_CHECK(encoded == token,
             absl::StrCat("token ", Shown(token),
                          " decodes although no page gives it out: it "
                          "encodes back as ",
                          Shown(encoded)));
}

void CheckEncoding(const uint8_t* data, size_t size) {
  int64_t at_us = 0;
  const size_t time_bytes = std::min(size, sizeof at_us);
  if (time_bytes > 0) std::memcpy(&at_us, data, time_bytes);
  std::string id(reinterpret_cast<const char*>(data) + time_bytes,
                 size - time_bytes);
  if (id.empty()) id = "RC-0";  // Rows always have an id.
  const std::string token = store::FormatPageToken(at_us, id);
  const auto parsed = store::ParsePageToken(token);
  FUZZ_CHECK(parsed.ok(), "a page's own token " + Shown(token) +
                              " is refused: " + parsed.status().ToString());
  FUZZ_CHECK(parsed->at_us == at_us && parsed->id == id,
             absl::StrCat("token ", Shown(token), " decodes as (",
                          parsed->at_us, ", ", Shown(parsed->id), ")"));
}

int Run(const uint8_t* data, size_t size) {
  CheckDecoding(std::string(reinterpret_cast<const char*>(data), size));
  CheckEncoding(data, size);
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
