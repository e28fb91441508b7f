#ifndef MAKEGOOD_CORE_RECORD_ID_H_
#define MAKEGOOD_CORE_RECORD_ID_H_

// Identifiers of cases, remedies and commands: "RC-" + 9 symbols of the
// creation time in milliseconds + 8 random symbols, all from the code
// alphabet.
//
// The time comes first and the alphabet is in ASCII order, so ids sort by
// creation time: new rows land on the last page of their table instead of
// a random one, and a commit writes fewer pages. 8 random symbols
// (≈ 39.6 bits) keep ids made in the same millisecond apart. Thread-safe.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/discount_code.h"

namespace makegood::core {

std::string NewRecordId(absl::string_view prefix, absl::Time now,
                        const RandomBytes& random);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECORD_ID_H_
