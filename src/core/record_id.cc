#include "core/record_id.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace makegood::core {
namespace {

// 31^9 milliseconds is about 840 years from 1970.
constexpr int kTimeSymbols = 9;
constexpr int kRandomSymbols = 8;

}  // namespace

std::string NewRecordId(absl::string_view prefix, absl::Time now,
                        const RandomBytes& random) {
  const int64_t base = static_cast<int64_t>(kCodeAlphabet.size());
  int64_t millis = std::max<int64_t>(0, absl::ToUnixMillis(now));
  std::string time(kTimeSymbols, kCodeAlphabet[0]);
  for (int i = kTimeSymbols - 1; i >= 0 && millis > 0; --i) {
    time[i] = kCodeAlphabet[millis % base];
    millis /= base;
  }
  return absl::StrCat(prefix, time, RandomSymbols(random, kRandomSymbols));
}

}  // namespace makegood::core
