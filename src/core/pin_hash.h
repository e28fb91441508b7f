#ifndef MAKEGOOD_CORE_PIN_HASH_H_
#define MAKEGOOD_CORE_PIN_HASH_H_

// Staff PINs for signing in on a shared tablet (session.proto), and their
// stored form in the configuration (Credential.pin_pbkdf2). A PIN itself is
// never stored, logged or put in an error message. Pure (OpenSSL's
// PBKDF2); thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::core {

// A PIN's stored form: PBKDF2-HMAC-SHA256 of the PIN,
// "pbkdf2-sha256$<iterations>$<salt, base64>$<key, base64>" (standard
// base64 with padding, 32-byte key).
struct PinHash {
  int iterations = 0;
  std::string salt;  // Raw bytes.
  std::string key;   // Raw bytes: the derived key.
};

// What `makegood pin hash` uses. A PIN has at most 10^8 values (8 digits)
// and usually 10^4, so no iteration count keeps a leaked configuration's
// PINs safe for long: what protects a PIN is the lockout (pin_lockout.h:
// five wrong tries per tablet, then 5 minutes) and keeping the file as
// secret as a key. The count only makes an offline search of a leaked file
// slower (10^5 HMACs per guess) while keeping one sign-in quick: about 40 ms
// on one core of a current x86 server, a few times that on a small ARM box,
// so a wrong PIN cannot be turned into much CPU load either. The 600000 that
// OWASP gives for passwords would cost a quarter to a half second per
// sign-in for no real gain on a 4-digit secret.
inline constexpr int kDefaultPinIterations = 100000;
inline constexpr int kMinPinIterations = 10000;
inline constexpr int kMaxPinIterations = 10000000;

// Parses the stored form. INVALID_ARGUMENT naming what is wrong (scheme,
// iterations outside kMinPinIterations..kMaxPinIterations, a salt shorter
// than 16 bytes, a key not exactly 32 bytes, bad base64); the message never
// repeats the salt or key.
absl::StatusOr<PinHash> ParsePinHash(absl::string_view text);

// The stored form of `hash`, which ParsePinHash reads back.
std::string FormatPinHash(const PinHash& hash);

// OK for 4 to 8 ASCII digits; INVALID_ARGUMENT otherwise. The message never
// contains the PIN.
absl::Status CheckPinFormat(absl::string_view pin);

// PBKDF2-HMAC-SHA256 of `pin` (OpenSSL's PKCS5_PBKDF2_HMAC with
// EVP_sha256): a 32-byte key. Should OpenSSL fail, the key is empty, which
// no PIN matches.
PinHash HashPin(absl::string_view pin, absl::string_view salt, int iterations);

// Whether `pin` is the PIN `hash` was made from; the keys are compared in
// constant time (CRYPTO_memcmp). False for a hash whose key is not 32 bytes
// or whose iterations are outside the allowed range.
bool PinMatches(const PinHash& hash, absl::string_view pin);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_PIN_HASH_H_
