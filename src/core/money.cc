#include "core/money.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace makegood::core {
namespace {

struct CurrencyInfo {
  absl::string_view code;
  int exponent;
};

// Active ISO 4217 currencies (list of 2025) with their minor-unit digits.
// Precious metals, testing and fund-only codes are left out on purpose:
// nobody pays for dinner in them.
constexpr auto kCurrencies = std::to_array<CurrencyInfo>({
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
    {"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
    {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2},
    {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
    {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2},
    {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
    {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2},
    {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
    {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3},
    {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
    {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VED", 2},
    {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2},
    {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2},
    {"ZWG", 2},
});

constexpr bool IsSorted() {
  for (size_t i = 1; i < kCurrencies.size(); ++i) {
    if (!(kCurrencies[i - 1].code < kCurrencies[i].code)) return false;
  }
  return true;
}
static_assert(IsSorted(), "kCurrencies must stay sorted for binary search");

constexpr int64_t kPowersOfTen[] = {1, 10, 100, 1000, 10000};

}  // namespace

std::optional<int> CurrencyExponent(absl::string_view code) {
  auto it = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), code,
                             [](const CurrencyInfo& info, absl::string_view c) {
                               return info.code < c;
                             });
  if (it == kCurrencies.end() || it->code != code) return std::nullopt;
  return it->exponent;
}

absl::StatusOr<int64_t> ParseDecimalAmount(absl::string_view text,
                                           absl::string_view currency) {
  std::optional<int> exponent = CurrencyExponent(currency);
  if (!exponent) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", currency, "' is not an ISO 4217 currency code"));
  }
  absl::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  size_t dot = rest.find('.');
  absl::string_view whole = rest.substr(0, dot);
  absl::string_view fraction = dot == absl::string_view::npos
                                   ? absl::string_view()
                                   : rest.substr(dot + 1);
  auto all_digits = [](absl::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (dot != absl::string_view::npos && fraction.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a decimal amount (expected e.g. \"18.00\")"));
  }
  if (static_cast<int>(fraction.size()) > *exponent) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' has more decimals than ", currency,
                     " allows (", *exponent, ")"));
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t value = 0;
  auto append_digit = [&](char c) {
    int digit = c - '0';
    if (value > (kMax - digit) / 10) return false;
    value = value * 10 + digit;
    return true;
  };
  for (char c : whole) {
    if (!append_digit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is too large"));
    }
  }
  for (int i = 0; i < *exponent; ++i) {
    char c = i < static_cast<int>(fraction.size()) ? fraction[i] : '0';
    if (!append_digit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is too large"));
    }
  }
  return negative ? -value : value;
}

std::string FormatAmount(int64_t minor_units, absl::string_view currency) {
  int exponent = CurrencyExponent(currency).value_or(2);
  // Work in unsigned so that INT64_MIN formats without overflow.
  uint64_t magnitude = minor_units < 0 ? 0 - static_cast<uint64_t>(minor_units)
                                       : static_cast<uint64_t>(minor_units);
  uint64_t scale = static_cast<uint64_t>(kPowersOfTen[exponent]);
  std::string out = minor_units < 0 ? "-" : "";
  absl::StrAppend(&out, magnitude / scale);
  if (exponent > 0) {
    std::string fraction = std::to_string(magnitude % scale);
    out += '.';
    out.append(exponent - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

}  // namespace makegood::core
