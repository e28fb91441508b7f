#ifndef MAKEGOOD_TESTS_SERVICE_SESSION_DAY_H_
#define MAKEGOOD_TESTS_SERVICE_SESSION_DAY_H_

// The business day the tablet-session tests open their sessions in: a fixed
// start, so every time in those tests is an explicit offset from it.

#include "absl/time/time.h"

namespace makegood::service::testing {

inline absl::Time DayStart() { return absl::FromUnixSeconds(1'800'000'000); }

// The end of that business day, where a session opened in it ends.
inline absl::Time DayEnd() { return DayStart() + absl::Hours(8); }

}  // namespace makegood::service::testing

#endif  // MAKEGOOD_TESTS_SERVICE_SESSION_DAY_H_
