#ifndef MAKEGOOD_CORE_DISCOUNT_CODE_H_
#define MAKEGOOD_CORE_DISCOUNT_CODE_H_

// Next-visit discount codes: "7KQM-W3XH-P9TC".
//
// 11 random symbols from a 31-symbol alphabet without look-alikes (no 0/O,
// 1/I/L) carry 11 × log2(31) ≈ 54.5 bits; the 12th symbol is a check
// character (position-weighted sum mod 31), which catches every single
// mistyped symbol and every swap of two different neighbours. Pure apart from
// the injected randomness; thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace makegood::core {

inline constexpr absl::string_view kCodeAlphabet =
    "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr int kCodeRandomSymbols = 11;

// Fills `size` bytes with cryptographically secure random bytes.
using RandomBytes = std::function<void(uint8_t* out, size_t size)>;

// The process's CSPRNG (OpenSSL RAND_bytes). Aborts if it cannot be seeded:
// predictable codes must never be issued.
RandomBytes SecureRandomBytes();

// A new code, grouped by four with dashes.
std::string NewDiscountCode(const RandomBytes& random);

// The canonical form of a code as typed or scanned (case, spaces and dashes
// ignored), or nullopt when it is not a well-formed code: wrong length, a
// symbol outside the alphabet, or a wrong check character.
std::optional<std::string> CanonicalDiscountCode(absl::string_view typed);

// `length` random symbols of the code alphabet, for identifiers.
std::string RandomSymbols(const RandomBytes& random, int length);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_DISCOUNT_CODE_H_
