#include "core/pin_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace makegood::core {
namespace {

constexpr absl::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kKeyBytes = 32;
constexpr size_t kMinSaltBytes = 16;
constexpr int kMinPinDigits = 4;
constexpr int kMaxPinDigits = 8;

// The bytes of `text` when it is standard base64 with padding, exactly as
// absl::Base64Escape writes it (so one key has one stored form).
bool DecodeBase64(absl::string_view text, std::string* out) {
  return !text.empty() && absl::Base64Unescape(text, out) &&
         absl::Base64Escape(*out) == text;
}

}  // namespace

absl::StatusOr<PinHash> ParsePinHash(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '$');
  if (parts.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is not a PIN hash: expected ", kScheme,
        "$<iterations>$<salt, base64>$<key, base64> (`makegood pin hash` "
        "prints one)"));
  }
  if (parts[0] != kScheme) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown scheme: only ", kScheme, " is supported"));
  }
  PinHash hash;
  if (!absl::SimpleAtoi(parts[1], &hash.iterations) ||
      !std::all_of(parts[1].begin(), parts[1].end(), absl::ascii_isdigit) ||
      hash.iterations < kMinPinIterations ||
      hash.iterations > kMaxPinIterations) {
    return absl::InvalidArgumentError(
        absl::StrCat("iterations must be a whole number from ",
                     kMinPinIterations, " to ", kMaxPinIterations));
  }
  if (!DecodeBase64(parts[2], &hash.salt)) {
    return absl::InvalidArgumentError(
        "the salt is not standard base64 (with '=' padding)");
  }
  if (hash.salt.size() < kMinSaltBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the salt must be at least ", kMinSaltBytes,
                     " bytes, got ", hash.salt.size()));
  }
  if (!DecodeBase64(parts[3], &hash.key)) {
    return absl::InvalidArgumentError(
        "the key is not standard base64 (with '=' padding)");
  }
  if (hash.key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the key must be exactly ",
                                                   kKeyBytes, " bytes, got ",
                                                   hash.key.size()));
  }
  return hash;
}

std::string FormatPinHash(const PinHash& hash) {
  return absl::StrCat(kScheme, "$", hash.iterations, "$",
                      absl::Base64Escape(hash.salt), "$",
                      absl::Base64Escape(hash.key));
}

absl::Status CheckPinFormat(absl::string_view pin) {
  if (!std::all_of(pin.begin(), pin.end(), absl::ascii_isdigit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a PIN is digits only (0-9), ", kMinPinDigits, " to ",
                     kMaxPinDigits, " of them"));
  }
  if (pin.size() < static_cast<size_t>(kMinPinDigits)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the PIN is too short: a PIN is ", kMinPinDigits, " to ",
                     kMaxPinDigits, " digits"));
  }
  if (pin.size() > static_cast<size_t>(kMaxPinDigits)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the PIN is too long: a PIN is ", kMinPinDigits, " to ",
                     kMaxPinDigits, " digits"));
  }
  return absl::OkStatus();
}

PinHash HashPin(absl::string_view pin, absl::string_view salt, int iterations) {
  PinHash hash;
  hash.iterations = iterations;
  hash.salt = std::string(salt);
  unsigned char key[kKeyBytes];
  if (PKCS5_PBKDF2_HMAC(pin.data(), static_cast<int>(pin.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(kKeyBytes), key) == 1) {
    hash.key.assign(reinterpret_cast<const char*>(key), kKeyBytes);
  }
  OPENSSL_cleanse(key, sizeof(key));
  return hash;
}

bool PinMatches(const PinHash& hash, absl::string_view pin) {
  if (hash.key.size() != kKeyBytes || hash.iterations < kMinPinIterations ||
      hash.iterations > kMaxPinIterations) {
    return false;
  }
  const PinHash computed = HashPin(pin, hash.salt, hash.iterations);
  return computed.key.size() == kKeyBytes &&
         CRYPTO_memcmp(computed.key.data(), hash.key.data(), kKeyBytes) == 0;
}

}  // namespace makegood::core
