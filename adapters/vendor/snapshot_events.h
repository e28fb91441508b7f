#ifndef MAKEGOOD_ADAPTERS_VENDOR_SNAPSHOT_EVENTS_H_
#define MAKEGOOD_ADAPTERS_VENDOR_SNAPSHOT_EVENTS_H_

// From order snapshots to OrderEvents.
//
// Event ids are derived from what happened, not from the notification that
// told us: "<check>/<line>/added", "<check>/<line>/fired", "<check>/paid",
// "<check>/<line>/discount/<id>", "<check>/code/<code>"... So the same
// change reported twice, or by an older and a newer notification, is the
// same event, and makegoodd stores it once. An id longer than the
// contract's core::kMaxIdLength is replaced by "sha256:<hex of it>". A
// redeemed code that is one of makegood's next-visit codes becomes a
// DiscountCodeRedeemed; any other promotion code is a discount on the
// check. A discount makegood wrote
// itself (the snapshot's remedy_discounts) is an ItemDiscounted of origin
// ORIGIN_MAKEGOOD naming its command: the confirmation of the remedy, not
// a POS discount.

#include <optional>
#include <string>
#include <vector>

#include "makegood/v1/order_events.pb.h"
#include "order_snapshot.h"

namespace makegood::adapters {

// The events `current` adds to what `previous` already said (all of them
// when `previous` is null). Nothing when `current` is older than `previous`:
// a late retry of an old notification must not undo anything.
std::vector<makegood::v1::OrderEvent> EventsFor(const OrderSnapshot* previous,
                                                const OrderSnapshot& current);

// Where the vendor states what the check's lines are worth
// (stated_gross_minor), whether the translated lines that are not voided
// add up to it: nothing when they do or the vendor states nothing, else
// what differs. A difference means a price the translation missed (a
// modifier, an option).
std::optional<std::string> GrossMismatch(const OrderSnapshot& order);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_SNAPSHOT_EVENTS_H_
