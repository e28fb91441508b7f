#ifndef MAKEGOOD_STORE_RECOVERY_TYPES_H_
#define MAKEGOOD_STORE_RECOVERY_TYPES_H_

// What recovery requests carry into the store and get back from it.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/recovery_rules.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::store {

// Who asks, when, under which rules, and from which device. The actor and
// the device come from the caller's credential, never from the request body.
struct RecoveryCall {
  std::string actor_id;
  makegood::v1::Role actor_role = makegood::v1::ROLE_UNSPECIFIED;
  absl::Time now;
  const core::RecoveryRules* rules = nullptr;
  // The tablet a session acted from (Principal::device_id); empty for a
  // plain credential. Recorded in the ledger; not part of the idempotency
  // key or fingerprint, which stay per caller.
  std::string device_id;
};

// The committed result of a recovery request.
struct RecoveryResult {
  // The case after the request, without guest contact details.
  makegood::v1::RecoveryCase recovery;
  // Commands created by the request, for the adapters' streams.
  std::vector<makegood::v1::RemedyCommand> commands;
  // Alerts for manager screens.
  std::vector<makegood::v1::Alert> alerts;
  // True when this is the stored answer to an earlier identical request.
  bool replayed = false;
};

struct AckResult {
  makegood::v1::AckCommandResponse response;
  // Set when the ack changed the case.
  std::optional<RecoveryResult> case_change;
};

using RecoveryDone = std::function<void(absl::StatusOr<RecoveryResult>)>;
using AckDone = std::function<void(absl::StatusOr<AckResult>)>;
using FollowUpDone =
    std::function<void(absl::StatusOr<makegood::v1::FollowUp>)>;

struct RecoveryListQuery {
  // STATUS_UNSPECIFIED: every status.
  makegood::v1::RecoveryCase::Status status =
      makegood::v1::RecoveryCase::STATUS_UNSPECIFIED;
  // Cases flagged by this staff id, or with a remedy requested or approved
  // by them; empty: everyone.
  std::string staff_id;
  // Flagged at or after `from` and before `to`.
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  // 1 to 1000.
  int page_size = 100;
  std::string page_token;
  // Include guest contact details (MANAGER and above).
  bool with_contact = false;
};

struct RecoveryPage {
  // Most recently flagged first.
  std::vector<makegood::v1::RecoveryCase> cases;
  std::string next_page_token;
};

// A page of the unacknowledged commands, oldest first (created_at, then
// command id): what follows the command the previous page ended with.
struct CommandPageQuery {
  // The last command of the previous page; the defaults start at the
  // oldest.
  int64_t after_created_us = INT64_MIN;
  std::string after_command_id;
  // Commands per page, 1 to 1000.
  int limit = 500;
};

struct CommandPage {
  std::vector<makegood::v1::RemedyCommand> commands;
  // False on the last page.
  bool more = false;
};

// The follow-ups not done and due by `due_by`, soonest first (due time,
// then case id), in pages.
struct FollowUpQuery {
  absl::Time due_by;
  // 1 to 1000.
  int page_size = 100;
  // From a previous FollowUpPage; empty for the first page.
  std::string page_token;
};

struct FollowUpPage {
  std::vector<makegood::v1::FollowUp> follow_ups;
  // Empty on the last page.
  std::string next_page_token;
};

// What `makegood ledger verify` reports.
struct LedgerVerification {
  int64_t rows = 0;
  bool intact = true;
  // When not intact: the first row that does not verify, and why.
  int64_t bad_seq = 0;
  std::string problem;
};

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_RECOVERY_TYPES_H_
