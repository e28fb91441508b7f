#include "delivery_lease.h"

namespace makegood::adapters {

bool LeaseCoversCall(absl::Time received, absl::Time now, int32_t lease_seconds,
                     absl::Duration needed) {
  if (lease_seconds <= 0) return true;
  return now + needed <= received + absl::Seconds(lease_seconds);
}

}  // namespace makegood::adapters
