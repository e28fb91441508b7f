#ifndef MAKEGOOD_SERVICE_RECOVERY_VALIDATION_H_
#define MAKEGOOD_SERVICE_RECOVERY_VALIDATION_H_

// Field checks of recovery, command and follow-up requests, before anything
// reaches the store: INVALID_ARGUMENT naming the field, or OK. Pure;
// thread-safe.

#include "absl/status/status.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::service {

absl::Status ValidateFlag(const makegood::v1::FlagProblemRequest& request,
                          const core::RecoveryRules& rules);
absl::Status ValidateApply(const makegood::v1::ApplyRemedyRequest& request);
absl::Status ValidateApprove(const makegood::v1::ApproveRemedyRequest& request);
absl::Status ValidateOutcome(const makegood::v1::RecordOutcomeRequest& request);
absl::Status ValidateAck(const makegood::v1::AckCommandRequest& request);
absl::Status ValidateCompleteFollowUp(
    const makegood::v1::CompleteFollowUpRequest& request);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_RECOVERY_VALIDATION_H_
