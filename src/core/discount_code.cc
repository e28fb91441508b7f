#include "core/discount_code.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"

namespace makegood::core {
namespace {

constexpr int kBase = static_cast<int>(kCodeAlphabet.size());

int SymbolValue(char c) {
  const size_t at = kCodeAlphabet.find(c);
  return at == absl::string_view::npos ? -1 : static_cast<int>(at);
}

// Position-weighted sum modulo 31, a prime (as ISBN-10 uses 11): a wrong
// symbol at position i shifts the sum by i × (difference), and swapping
// neighbours by their difference; neither is 0 mod 31, so both are caught.
char CheckSymbol(absl::string_view payload) {
  int sum = 0;
  for (size_t i = 0; i < payload.size(); ++i) {
    sum += static_cast<int>(i + 1) * SymbolValue(payload[i]);
  }
  return kCodeAlphabet[sum % kBase];
}

std::string Grouped(absl::string_view symbols) {
  std::string out;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(symbols[i]);
  }
  return out;
}

}  // namespace

RandomBytes SecureRandomBytes() {
  return [](uint8_t* out, size_t size) {
    if (RAND_bytes(out, static_cast<int>(size)) != 1) {
      std::cerr << "makegood: the system's random generator failed"
                << std::endl;
      std::abort();
    }
  };
}

std::string RandomSymbols(const RandomBytes& random, int length) {
  std::string out;
  out.reserve(length);
  // Rejection sampling keeps every symbol equally likely: 248 = 8 × 31.
  constexpr int kLimit = 256 - 256 % kBase;
  uint8_t buffer[32];
  while (static_cast<int>(out.size()) < length) {
    random(buffer, sizeof(buffer));
    for (uint8_t byte : buffer) {
      if (byte >= kLimit) continue;
      out.push_back(kCodeAlphabet[byte % kBase]);
      if (static_cast<int>(out.size()) == length) break;
    }
  }
  return out;
}

std::string NewDiscountCode(const RandomBytes& random) {
  std::string symbols = RandomSymbols(random, kCodeRandomSymbols);
  symbols.push_back(CheckSymbol(symbols));
  return Grouped(symbols);
}

std::optional<std::string> CanonicalDiscountCode(absl::string_view typed) {
  std::string symbols;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    c = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (SymbolValue(c) < 0) return std::nullopt;
    symbols.push_back(c);
  }
  if (symbols.size() != kCodeRandomSymbols + 1) return std::nullopt;
  const absl::string_view payload(symbols.data(), kCodeRandomSymbols);
  if (CheckSymbol(payload) != symbols.back()) return std::nullopt;
  return Grouped(symbols);
}

}  // namespace makegood::core
