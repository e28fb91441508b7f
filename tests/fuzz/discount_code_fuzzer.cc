// Fuzz target discount_code: next-visit codes (core/discount_code.h), as a
// guest or a POS types or scans them, and as makegood makes them.
//
// Invariants: CanonicalDiscountCode accepts exactly the texts that hold,
// apart from dashes, spaces and case, 12 symbols of the alphabet whose last
// is the check symbol the header describes; what it returns is grouped
// "XXXX-XXXX-XXXX", is its own canonical form, and stops being a code when
// any one symbol is changed or two different neighbours are swapped. A code
// or symbols made from any random bytes (the input's) are well formed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/discount_code.h"
#include "fuzz_support.h"

namespace makegood::fuzz {
namespace {

constexpr size_t kSymbols = core::kCodeRandomSymbols + 1;

int ValueOf(char symbol) {
  const size_t at = core::kCodeAlphabet.find(symbol);
  return at == absl::string_view::npos ? -1 : static_cast<int>(at);
}

// The header's rule: the position-weighted sum (weights 1, 2, ...) of the
// random symbols' values, modulo the alphabet's size.
char CheckSymbolOf(absl::string_view random_symbols) {
  int sum = 0;
  for (size_t i = 0; i < random_symbols.size(); ++i) {
    sum += static_cast<int>(i + 1) * ValueOf(random_symbols[i]);
  }
  return core::kCodeAlphabet[sum % core::kCodeAlphabet.size()];
}

std::string Grouped(absl::string_view symbols) {
  return absl::StrCat(symbols.substr(0, 4), "-", symbols.substr(4, 4), "-",
                      symbols.substr(8, 4));
}

// The canonical form by the header's description, written independently.
std::optional<std::string> ExpectedCanonical(absl::string_view typed) {
  std::string symbols;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    c = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (ValueOf(c) < 0) return std::nullopt;
    symbols.push_back(c);
  }
  if (symbols.size() != kSymbols) return std::nullopt;
  if (CheckSymbolOf(absl::string_view(symbols).substr(0, kSymbols - 1)) !=
      symbols.back()) {
    return std::nullopt;
  }
  return Grouped(symbols);
}

void CheckCode(const std::string& code) {
  FUZZ_CHECK(code.size() == kSymbols + 2 && code[4] == '-' && code[9] == '-',
             "a code not grouped XXXX-XXXX-XXXX: " + Shown(code));
  const auto again = core::CanonicalDiscountCode(code);
  FUZZ_CHECK(again.has_value() && *again == code,
             "a canonical code is not its own canonical form: " + code);
  std::string symbols = code.substr(0, 4) + code.substr(5, 4) + code.substr(10);
  for (size_t i = 0; i < kSymbols; ++i) {
    for (char other : core::kCodeAlphabet) {
      if (other == symbols[i]) continue;
      std::string mistyped = symbols;
      mistyped[i] = other;
      FUZZ_CHECK(!core::CanonicalDiscountCode(mistyped).has_value(),
                 absl::StrCat("one wrong symbol still makes a code: ", code,
                              " typed as ", mistyped));
    }
    if (i + 1 < kSymbols && symbols[i] != symbols[i + 1]) {
      std::string swapped = symbols;
      std::swap(swapped[i], swapped[i + 1]);
      FUZZ_CHECK(!core::CanonicalDiscountCode(swapped).has_value(),
                 absl::StrCat("swapped neighbours still make a code: ", code,
                              " typed as ", swapped));
    }
  }
}

// The input's bytes, then a fixed sequence of bytes the rejection sampling
// keeps, so that a code is always finished.
core::RandomBytes InputRandom(absl::string_view bytes) {
  struct State {
    std::string bytes;
    size_t next = 0;
  };
  auto state = std::make_shared<State>();
  state->bytes = std::string(bytes);
  return [state](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; ++i, ++state->next) {
      out[i] = state->next < state->bytes.size()
                   ? static_cast<uint8_t>(state->bytes[state->next])
                   : static_cast<uint8_t>(state->next % 248);
    }
  };
}

int Run(const uint8_t* data, size_t size) {
  const absl::string_view typed(reinterpret_cast<const char*>(data), size);
  const std::optional<std::string> canonical =
      core::CanonicalDiscountCode(typed);
  const std::optional<std::string> expected = ExpectedCanonical(typed);
  FUZZ_CHECK(canonical == expected,
             absl::StrCat(Shown(typed), " reads as ",
                          canonical ? *canonical : "no code", ", expected ",
                          expected ? *expected : "no code"));
  if (canonical) CheckCode(*canonical);

  const std::string made = core::NewDiscountCode(InputRandom(typed));
  CheckCode(made);
  const int length = size == 0 ? 0 : data[0] % 40;
  const std::string symbols = core::RandomSymbols(InputRandom(typed), length);
  FUZZ_CHECK(
      symbols.size() == static_cast<size_t>(length),
      absl::StrCat("asked for ", length, " symbols, got ", Shown(symbols)));
  for (char c : symbols) {
    FUZZ_CHECK(ValueOf(c) >= 0,
               "a symbol outside the alphabet: " + Shown(symbols));
  }
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
