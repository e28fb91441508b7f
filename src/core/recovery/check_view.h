#ifndef MAKEGOOD_CORE_RECOVERY_CHECK_VIEW_H_
#define MAKEGOOD_CORE_RECOVERY_CHECK_VIEW_H_

// A stored check as the policy sees it, and what a remedy costs on it now.
// Pure; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/policy.h"
#include "core/recovery/snapshot.h"

namespace makegood::core {

// The policy's view of `state` with `line_ids` flagged: each line's and the
// check's value less POS discounts and what makegood already took off.
// NOT_FOUND (UNKNOWN_LINE) for a line not on the check.
absl::StatusOr<PolicyInput> PolicyInputFor(
    const CheckState& state, absl::Time now,
    const std::vector<std::string>& line_ids);

// Whether the check is paid or closed.
bool IsSettled(const makegood::v1::Check& check);

// Whether the line was fired or served: a comp of it is waste.
bool ItemWasMade(const makegood::v1::Check& check, const std::string& line_id);

// What `remedy` costs now on `line_id` ("" for the check).
// FAILED_PRECONDITION (NOTHING_LEFT_TO_TAKE_OFF) when a money-off remedy
// would take nothing off: earlier discounts and remedies cover the value.
absl::StatusOr<int64_t> CostNow(const CheckState& state, absl::Time now,
                                const CompiledRemedy& remedy,
                                const std::string& line_id);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_CHECK_VIEW_H_
