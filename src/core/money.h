#ifndef MAKEGOOD_CORE_MONEY_H_
#define MAKEGOOD_CORE_MONEY_H_

// Money as integers of a currency's minor unit, and ISO 4217 facts.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::core {

// Digits after the decimal point of an active ISO 4217 currency (2 for USD,
// 0 for JPY, 3 for BHD); nullopt when `code` is not one.
std::optional<int> CurrencyExponent(absl::string_view code);

// Parses an exact decimal ("18.00", "18", "-3.5") into minor units of
// `currency`. INVALID_ARGUMENT, naming the problem, for anything else: no
// floating point, no exponent, no more fraction digits than the currency has,
// no overflow.
absl::StatusOr<int64_t> ParseDecimalAmount(absl::string_view text,
                                           absl::string_view currency);

// Formats minor units as a decimal with the currency's digits: 1800 USD is
// "18.00", -5 USD is "-0.05", 1800 JPY is "1800".
std::string FormatAmount(int64_t minor_units, absl::string_view currency);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_MONEY_H_
