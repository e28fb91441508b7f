// Fuzz target webhook_signature: the vendors' webhook authentication
// (adapters/vendor/webhook_signature.h) on any key, URL, timestamp, header
// and body.
//
// Input: the key, the notification URL, the timestamp and the header, one
// line each, then the body.
//
// Invariants: HmacSha256Base64 agrees with HMAC-SHA256 (RFC 2104) built
// here on core/sha256.h and base64 written here; each vendor's check
// accepts exactly its correct signature: the header when it is that, never
// a signature with one byte changed, cut short or lengthened; Clover's code
// matches only itself, never when empty.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/sha256.h"
#include "fuzz_support.h"
#include "webhook_signature.h"

namespace makegood::fuzz {
namespace {

std::string Sha256(absl::string_view data) {
  return absl::HexStringToBytes(core::Sha256Hex(data));
}

// RFC 2104 with a 64-byte block.
std::string HmacSha256(absl::string_view key, absl::string_view message) {
  constexpr size_t kBlock = 64;
  std::string block(key.size() > kBlock ? Sha256(key) : std::string(key));
  block.resize(kBlock, '\0');
  std::string inner(kBlock, '\0');
  std::string outer(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(block[i] ^ 0x36);
    outer[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  return Sha256(outer + Sha256(absl::StrCat(inner, message)));
}

// RFC 4648 base64, padded.
std::string Base64(absl::string_view bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) |
              (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kDigits[(group >> (18 - 6 * j)) & 0x3f] : '=');
    }
  }
  return out;
}

std::string Signature(absl::string_view key, absl::string_view message) {
  return Base64(HmacSha256(key, message));
}

// The reference above against vectors checked elsewhere (the Square SDK's,
// and one computed with Python's hmac module, as in
// tests/adapters/webhook_signature_test.cc).
void CheckReference() {
  static const bool checked = [] {
    FUZZ_CHECK(Signature("signature-key",
                         "https://webhook.site/webhooks"
                         R"({"data":{"type":"webhooks","id":">id<"}})") ==
                   "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=",
               "the harness's own HMAC is wrong");
    FUZZ_CHECK(Signature("toast-secret", R"({"guid":"e-1"})"
                                         "2024-03-28T15:11:01.050Z") ==
                   "b0eaMH0jAo7hRswCC4as2Sa7eLh6OutGfvWyZR9pDwI=",
               "the harness's own HMAC is wrong");
    return true;
  }();
  (void)checked;
}

// `check(header)` is true for `correct` alone among it, the header, and
// `correct` changed at `at`, shortened and lengthened.
template <typename Check>
void CheckAcceptsOnly(const char* vendor, const std::string& correct,
                      const std::string& header, size_t at, Check check) {
  FUZZ_CHECK(check(correct),
             absl::StrCat(vendor, " refuses its correct signature ", correct));
  FUZZ_CHECK(check(header) == (header == correct),
             absl::StrCat(vendor, " says ", check(header) ? "yes" : "no",
                          " to header ", Shown(header), "; the signature is ",
                          correct));
  std::string changed = correct;
  changed[at % changed.size()] ^= 0x01;
  FUZZ_CHECK(!check(changed),
             absl::StrCat(vendor, " accepts a changed signature ", changed));
  FUZZ_CHECK(!check(correct.substr(0, correct.size() - 1)),
             absl::StrCat(vendor, " accepts a shortened signature"));
  FUZZ_CHECK(!check(correct + "A"),
             absl::StrCat(vendor, " accepts a lengthened signature"));
}

int Run(const uint8_t* data, size_t size) {
  CheckReference();
  FuzzInput input(data, size);
  const std::string key = input.Line();
  const std::string url = input.Line();
  const std::string timestamp = input.Line();
  const std::string header = input.Line();
  const std::string body = input.Rest();
  const size_t at = body.size() + header.size();

  const std::string square = Signature(key, url + body);
  FUZZ_CHECK(square.size() == 44, "a signature is not 44 characters");
  FUZZ_CHECK(adapters::HmacSha256Base64(key, url + body) == square,
             absl::StrCat("HmacSha256Base64 gives ",
                          adapters::HmacSha256Base64(key, url + body),
                          "; HMAC-SHA256 is ", square));
  CheckAcceptsOnly("Square", square, header, at, [&](const std::string& h) {
    return adapters::SquareSignatureValid(key, url, body, h);
  });
  CheckAcceptsOnly("Toast", Signature(key, body + timestamp), header, at,
                   [&](const std::string& h) {
                     return adapters::ToastSignatureValid(key, body, timestamp,
                                                          h);
                   });
  CheckAcceptsOnly("Shopify", Signature(key, body), header, at,
                   [&](const std::string& h) {
                     return adapters::ShopifySignatureValid(key, body, h);
                   });

  FUZZ_CHECK(
      adapters::CloverAuthValid(key, header) == (!key.empty() && key == header),
      absl::StrCat("Clover's code ", Shown(key), " against ", Shown(header)));
  FUZZ_CHECK(adapters::CloverAuthValid(key, key) == !key.empty(),
             "Clover's code " + Shown(key) + " against itself");
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
