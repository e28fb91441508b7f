#ifndef MAKEGOOD_CORE_RECOVERY_SNAPSHOT_H_
#define MAKEGOOD_CORE_RECOVERY_SNAPSHOT_H_

// What a recovery decision needs of the stored state, read by the store
// inside the write transaction that will persist the decision (so that
// concurrent requests never see stale budgets).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/authority.h"
#include "makegood/v1/checks.pb.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::core {

// Money makegood already took off a check (SENT and APPLIED remedies): per
// line ("" for the check itself) and in total.
struct MoneyOff {
  std::map<std::string, int64_t> by_line;
  int64_t total = 0;
};

// A check as stored, with what makegood took off it.
struct CheckState {
  makegood::v1::Check check;
  MoneyOff money_off;
};

struct FlagSnapshot {
  CheckState check;
  // Cases on the check before this one, open or closed.
  int cases_on_check = 0;
  // The check's cases that are not closed.
  std::vector<makegood::v1::RecoveryCase> open_cases;
  // When the check's guest had earlier cases.
  std::vector<absl::Time> guest_case_times;
  // For every key ProblemKeysOf names for the flagged lines: the earlier
  // flags of that key within recurring.window_minutes of now, at most
  // recurring.count of them.
  std::map<std::string, std::vector<absl::Time>> recent_flags;
};

struct ApplySnapshot {
  makegood::v1::RecoveryCase recovery;
  CheckState check;
  // What the requester and the location gave so far (the requester's case
  // and shift, the location's business day).
  Spent spent;
};

struct ApproveSnapshot {
  makegood::v1::RecoveryCase recovery;
  CheckState check;
  // What the approver and the location gave so far.
  Spent spent;
};

struct OutcomeSnapshot {
  makegood::v1::RecoveryCase recovery;
};

struct AckSnapshot {
  makegood::v1::RemedyCommand command;
  // The remedy application the command carries out; empty for follow-ups.
  std::string application_id;
  // RESULT_UNSPECIFIED while unacknowledged; else the first answer.
  makegood::v1::AckCommandRequest::Result recorded_result =
      makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED;
  // The command's case, when it has one at this location.
  std::optional<makegood::v1::RecoveryCase> recovery;
};

struct FollowUpSnapshot {
  makegood::v1::FollowUp follow_up;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_SNAPSHOT_H_
