#ifndef MAKEGOOD_CORE_RECOVERY_DECISION_H_
#define MAKEGOOD_CORE_RECOVERY_DECISION_H_

// What a recovery decision tells the store to write, in one transaction,
// and what the answer and the live screens get. A refusal is a status with
// its reason (core/refusal.h) instead.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"

namespace makegood::core {

// One appended ledger row (store/ledger.h chains and hashes it).
struct LedgerEntry {
  absl::Time at;
  std::string location_id;
  std::string case_id;
  // What happened: "flagged", "remedy_pending", "remedy_sent",
  // "remedy_denied", "command_applied", "command_rejected", "outcome",
  // "follow_up_done".
  std::string action;
  std::string actor;
  std::string approver;
  int64_t amount_minor = 0;
  std::string detail;
  // The tablet the request that wrote the row came from (the actor's: a
  // manager approving on a tablet is the actor of that row); empty when
  // the caller used a plain credential.
  std::string device;
};

// A remedy row to insert or update.
struct RemedyWrite {
  makegood::v1::AppliedRemedy remedy;
  // Whose authority it counts against; empty while pending or when refused.
  std::string charged_to;
  // The business day it counts in (kept from its first write).
  std::string business_day;
};

// Money a remedy takes off a check.
struct MoneyOffWrite {
  std::string application_id;
  std::string line_id;  // "" for the check.
  int64_t amount_minor = 0;
};

struct CodeWrite {
  std::string code;
  std::string application_id;
  absl::Time issued_at;
  absl::Time expires_at;
};

// A command for the adapters, delivered through the outbox.
struct CommandWrite {
  makegood::v1::RemedyCommand command;
  // The remedy application it carries out; empty for follow-ups.
  std::string application_id;
};

// A problem key counted for recurring-problem alerts.
struct ProblemKeyWrite {
  std::string key;
};

struct CaseDecision {
  enum class CaseWrite { kNone, kInsert, kUpdate };

  // The case after the request, without guest contact details.
  makegood::v1::RecoveryCase recovery;
  CaseWrite case_write = CaseWrite::kNone;
  // kInsert only: the check's guest and the flag's business day.
  std::string guest_id;
  std::string business_day;
  // kInsert with consent: keep the request's contact until then, and
  // schedule the follow-up (its command is among `commands`).
  std::optional<absl::Time> contact_forget_at;
  std::vector<ProblemKeyWrite> problem_keys;

  std::vector<RemedyWrite> remedies;
  std::vector<MoneyOffWrite> money_off;
  std::vector<CodeWrite> codes;
  std::vector<CommandWrite> commands;
  std::vector<LedgerEntry> ledger;
  std::vector<makegood::v1::Alert> alerts;
};

struct AckDecision {
  makegood::v1::AckCommandResponse response;
  // False for a repeated ack: nothing to write.
  bool record_ack = false;
  // Set when the ack changes a case.
  std::optional<CaseDecision> case_change;
};

struct FollowUpDecision {
  // The follow-up after the request, without contact details.
  makegood::v1::FollowUp follow_up;
  LedgerEntry ledger;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_DECISION_H_
