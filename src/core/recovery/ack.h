#ifndef MAKEGOOD_CORE_RECOVERY_ACK_H_
#define MAKEGOOD_CORE_RECOVERY_ACK_H_

// AckCommand: an adapter's answer to a remedy command.
//
// Rules: the first answer is recorded; any later answer, whatever its
// result, gets the first one back with `duplicate` set and changes
// nothing. APPLIED marks the remedy APPLIED with the POS reference;
// REJECTED marks it REJECTED, declines its option (so the next is offered)
// and alerts the manager. RETRY_LATER records nothing and changes no case
// (the dispatcher offers the command again later). A follow-up command's
// ack changes no case.
// Pure; thread-safe.

#include "absl/status/statusor.h"
#include "core/recovery/decision.h"
#include "core/recovery/request.h"
#include "core/recovery/snapshot.h"
#include "makegood/v1/remedy_commands.pb.h"

namespace makegood::core {

absl::StatusOr<AckDecision> DecideAck(
    const RecoveryRequest& request, const makegood::v1::AckCommandRequest& ack,
    const AckSnapshot& snapshot);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_ACK_H_
