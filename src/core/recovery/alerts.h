#ifndef MAKEGOOD_CORE_RECOVERY_ALERTS_H_
#define MAKEGOOD_CORE_RECOVERY_ALERTS_H_

// The alerts a manager acts on, built in one place for the live alert (of a
// decision) and the watch snapshot's: each carries its facts, so a screen
// words it in its reader's language, and `message`, the same in English.
// The caller sets alert_id (a new id live, one derived from the subject in
// a snapshot). COMMAND_STUCK alerts are built in delivery_stuck.h.
// Pure; thread-safe.

#include <string>

#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::core {

// `remedy` waits in PENDING_APPROVAL with its approval_need set.
makegood::v1::Alert ApprovalAskedAlert(
    const RecoveryRules& rules, const makegood::v1::RecoveryCase& recovery,
    const makegood::v1::AppliedRemedy& remedy);

// `remedy` is the MANAGER_VISIT raised; `table` the check's, or "".
makegood::v1::Alert ManagerVisitAlert(
    const RecoveryRules& rules, const makegood::v1::RecoveryCase& recovery,
    const makegood::v1::AppliedRemedy& remedy, const std::string& table);

// `remedy` was REJECTED by the POS with its rejection_reason; its option is
// already marked declined in `recovery`.
makegood::v1::Alert CommandRejectedAlert(
    const makegood::v1::RecoveryCase& recovery,
    const makegood::v1::AppliedRemedy& remedy);

// What a recurring problem is about: an item (item_name) or a station.
struct RecurringFacts {
  std::string item_name;
  std::string station;
  std::string category_id;
  // The check of the flag that reached the count.
  std::string check_id;
  absl::Time first_at;
  absl::Time last_at;
};

// Not about one case: case_id is empty.
makegood::v1::Alert RecurringProblemAlert(const RecoveryRules& rules,
                                          const RecurringFacts& facts);

// An adapter's problem that people must fix; `vendor_message` is the
// report's message.
makegood::v1::Alert AdapterProblemAlert(
    const std::string& adapter_name, const std::string& vendor_message,
    makegood::v1::Alert::AdapterProblem::Problem problem);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_ALERTS_H_
