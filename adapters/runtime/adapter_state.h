#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_STATE_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_STATE_H_

// A vendor adapter's own SQLite file, so that nothing it acknowledged is
// lost and nothing is done twice across restarts:
//  1. inbox: each webhook delivery, stored before the vendor gets its 2xx,
//     unique by the vendor's event id (a replayed delivery is recognised);
//     marked processed once its events are published.
//  2. orders: the last version of each order whose events were published,
//     to diff the next one against and to ignore older ones.
//  3. outcomes: what each remedy command did at the vendor, saved before
//     it is acknowledged, so a redelivered command is acknowledged again
//     and never carried out twice.
//  4. quarantine: the deliveries that could not be read (a payload the
//     vendor's parser refuses), with why; marked processed in the same
//     transaction, so they are never parsed again, and kept for whoever
//     looks into them. A file made before this table gets it when opened
//     (CREATE TABLE IF NOT EXISTS: the state has no other schema version).
// Thread-safe (one connection behind a mutex).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sqlite/connection.h"

namespace makegood::adapters {

struct Delivery {
  int64_t seq = 0;
  std::string event_id;
  std::string body;
};

struct QuarantinedDelivery {
  int64_t seq = 0;
  std::string event_id;
  std::string error;  // Why it could not be read; never the payload.
  absl::Time at;
};

struct StoredOrder {
  int64_t version = 0;
  std::string body;  // The vendor's order JSON as fetched or received.
};

struct CommandOutcome {
  static CommandOutcome Applied(std::string pos_reference) {
    return CommandOutcome{true, std::move(pos_reference), ""};
  }
  static CommandOutcome Rejected(std::string vendor_reason) {
    return CommandOutcome{false, "", std::move(vendor_reason)};
  }

  bool applied = false;       // Else rejected.
  std::string pos_reference;  // When applied.
  std::string vendor_reason;  // When rejected.
};

class AdapterState {
 public:
  static absl::StatusOr<std::unique_ptr<AdapterState>> Open(
      const std::string& path);
  AdapterState(const AdapterState&) = delete;
  AdapterState& operator=(const AdapterState&) = delete;

  // Stores a delivery; false (and nothing stored) when its event id was
  // seen before.
  absl::StatusOr<bool> AddDelivery(const std::string& event_id,
                                   const std::string& body);
  // The oldest delivery not processed yet.
  absl::StatusOr<std::optional<Delivery>> NextDelivery();
  absl::Status MarkProcessed(int64_t seq);
  // Sets delivery `seq` aside for good: processed, and in the quarantine
  // with `error`. Doing it again changes nothing.
  absl::Status Quarantine(int64_t seq, const std::string& error);
  // The quarantined deliveries, oldest first.
  absl::StatusOr<std::vector<QuarantinedDelivery>> Quarantined();

  absl::StatusOr<std::optional<StoredOrder>> LastOrder(
      const std::string& order_id);
  absl::Status SaveOrder(const std::string& order_id, const StoredOrder& order);

  absl::StatusOr<std::optional<CommandOutcome>> Outcome(
      const std::string& command_id);
  absl::Status SaveOutcome(const std::string& command_id,
                           const CommandOutcome& outcome);

 private:
  explicit AdapterState(std::unique_ptr<sqlite::Connection> db)
      : db_(std::move(db)) {}

  // Quarantine's writes, inside its transaction.
  absl::Status QuarantineLocked(int64_t seq, const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  const std::unique_ptr<sqlite::Connection> db_ ABSL_PT_GUARDED_BY(mu_);
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_STATE_H_
