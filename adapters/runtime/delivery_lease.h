#ifndef MAKEGOOD_ADAPTERS_RUNTIME_DELIVERY_LEASE_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_DELIVERY_LEASE_H_

// Whether a delivered command may still be started. makegoodd leases each
// delivery to one adapter for RemedyCommand.lease_seconds; past the lease
// it may be offered to another adapter, so a command that waited here too
// long is dropped unstarted (its next delivery brings a new lease). Counted
// on this adapter's own clock from when the command arrived, so the two
// machines' clocks never meet.

#include <cstdint>

#include "absl/time/time.h"

namespace makegood::adapters {

// True while `needed` (the vendor call about to be made) still ends within
// the lease of a delivery received at `received`. A lease of 0 (an older
// makegoodd that sends none) is taken as no limit.
bool LeaseCoversCall(absl::Time received, absl::Time now, int32_t lease_seconds,
                     absl::Duration needed);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_DELIVERY_LEASE_H_
