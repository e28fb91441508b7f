#include "store/store.h"

#include <optional>
#include <utility>

#include "absl/synchronization/notification.h"

namespace makegood::store {

absl::StatusOr<std::vector<EventResult>> AppendEventsAndWait(
    Store& store, std::vector<makegood::v1::OrderEvent> events,
    absl::Time received_at) {
  absl::Notification committed;
  absl::StatusOr<std::vector<EventResult>> result;
  store.AppendEvents(std::move(events), received_at,
                     [&](absl::StatusOr<std::vector<EventResult>> outcomes) {
                       result = std::move(outcomes);
                       committed.Notify();
                     });
  committed.WaitForNotification();
  return result;
}

}  // namespace makegood::store
