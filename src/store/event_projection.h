#ifndef MAKEGOOD_STORE_EVENT_PROJECTION_H_
#define MAKEGOOD_STORE_EVENT_PROJECTION_H_

// Writes one order event and its effect on the check projection. Runs on the
// writer thread inside a group transaction.

#include "absl/status/statusor.h"
#include "makegood/v1/order_events.pb.h"
#include "store/sqlite_connection.h"
#include "store/store.h"

namespace makegood::store {

// Inserts the event unless (source, event_id) is stored, then applies it to
// its check and line. A discount-code redemption is rejected, and nothing of
// it stored, when the code is unknown, expired or already redeemed; an
// accepted one marks the code redeemed. INTERNAL when SQLite fails.
absl::StatusOr<EventResult> AppendEvent(Connection& db,
                                        const makegood::v1::OrderEvent& event,
                                        int64_t received_at_us);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_EVENT_PROJECTION_H_
