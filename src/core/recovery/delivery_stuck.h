#ifndef MAKEGOOD_CORE_RECOVERY_DELIVERY_STUCK_H_
#define MAKEGOOD_CORE_RECOVERY_DELIVERY_STUCK_H_

// When a remedy sent to the POS counts as stuck, and what the alert says.
//
// The rule: a remedy command issued at `issued_at` that no adapter has
// answered (APPLIED or REJECTED; RETRY_LATER is no answer) is stuck from
// issued_at + stuck_after on (server.command_stuck_after_seconds). Its
// AppliedRemedy is SENT until the answer, and applied_at is the command's
// created_at, so the case alone tells whether a remedy is stuck at a given
// time. Delivery goes on regardless: stuck is what people are told, not a
// state of the outbox. Follow-up commands are no remedies and never stuck.
// Pure; thread-safe.

#include <string>

#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"

namespace makegood::core {

// From when a command issued at `issued_at` is stuck.
absl::Time StuckAt(absl::Time issued_at, absl::Duration stuck_after);

// Whether an unanswered command issued at `issued_at` is stuck at `now`.
bool IsDeliveryStuck(absl::Time issued_at, absl::Time now,
                     absl::Duration stuck_after);

// Sets AppliedRemedy.delivery_stuck on every SENT remedy of `recovery`
// stuck at `now`, and clears it on every other remedy.
void MarkStuckDeliveries(makegood::v1::RecoveryCase& recovery, absl::Time now,
                         absl::Duration stuck_after);

// What a COMMAND_STUCK alert is about.
struct StuckDelivery {
  std::string command_id;
  std::string case_id;
  std::string check_id;
  makegood::v1::RemedyKind kind = makegood::v1::REMEDY_KIND_UNSPECIFIED;
  // Empty for a check-level remedy.
  std::string line_id;
};

StuckDelivery StuckDeliveryOf(const makegood::v1::RemedyCommand& command);
StuckDelivery StuckDeliveryOf(const makegood::v1::RecoveryCase& recovery,
                              const makegood::v1::AppliedRemedy& remedy);

// "AL-COMMAND_STUCK-<command_id>": the same live and in every snapshot.
std::string StuckAlertId(const std::string& command_id);

// The COMMAND_STUCK alert, worded for the server at the table.
makegood::v1::Alert StuckAlert(const StuckDelivery& delivery,
                               absl::Duration stuck_after);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_DELIVERY_STUCK_H_
