#include "store/recovery_flow.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/policy.h"
#include "core/recovery/ack.h"
#include "core/recovery/apply.h"
#include "core/recovery/approve.h"
#include "core/recovery/case_state.h"
#include "core/recovery/check_view.h"
#include "core/recovery/flag.h"
#include "core/recovery/outcome.h"
#include "core/recovery/recurring_keys.h"
#include "core/refusal.h"
#include "store/check_queries.h"
#include "store/decision_writes.h"
#include "store/outbox.h"
#include "store/recovery_rows.h"
#include "store/recurring.h"

namespace makegood::store {
namespace {

using makegood::v1::Error;
using makegood::v1::RecoveryCase;

// The check with what makegood already took off it.
absl::StatusOr<core::CheckState> LoadCheckState(Connection& db,
                                                const RecoveryCall& call,
                                                const std::string& check_id) {
  const std::string& location_id = call.rules->location_id();
  auto check = ReadCheckInTransaction(db, location_id, check_id);
  if (!check.ok()) {
    if (absl::IsNotFound(check.status())) {
      return core::Refuse(absl::StatusCode::kNotFound, Error::UNKNOWN_CHECK,
                          check.status().message());
    }
    return check.status();
  }
  auto off = MoneyOffCheck(db, location_id, check_id);
  if (!off.ok()) return off.status();
  return core::CheckState{*std::move(check), *std::move(off)};
}

// The earlier flags of each problem key the flagged lines make.
absl::StatusOr<std::map<std::string, std::vector<absl::Time>>> LoadRecentFlags(
    Connection& db, const RecoveryCall& call, const core::CheckState& check,
    const makegood::v1::FlagProblemRequest& request) {
  std::vector<std::string> lines(request.line_ids().begin(),
                                 request.line_ids().end());
  auto input = core::PolicyInputFor(check, call.now, lines);
  if (!input.ok()) return input.status();
  std::vector<std::string> keys;
  for (const core::PolicyItem& item : input->flagged) {
    for (const core::ProblemKey& key :
         core::ProblemKeysOf(item, request.category_id()))
      keys.push_back(key.key);
  }
  const auto& recurring = call.rules->config().recurring();
  return RecentFlags(db, call.rules->location_id(), keys,
                     call.now - absl::Minutes(recurring.window_minutes()),
                     recurring.count());
}

// Persists a case decision and makes the request's result from it.
absl::StatusOr<RecoveryResult> Persist(
    Connection& db, core::CaseDecision decision,
    const makegood::v1::GuestContact* contact = nullptr) {
  auto commands = PersistDecision(db, decision, contact);
  if (!commands.ok()) return commands.status();
  RecoveryResult result;
  result.recovery = std::move(decision.recovery);
  result.commands = *std::move(commands);
  result.alerts = std::move(decision.alerts);
  return result;
}

}  // namespace

core::RecoveryRequest RequestOf(const RecoveryCall& call) {
  return core::RecoveryRequest{.actor_id = call.actor_id,
                               .actor_role = call.actor_role,
                               .now = call.now,
                               .rules = call.rules,
                               .ids = &StoreIds(),
                               .device_id = call.device_id};
}

absl::StatusOr<RecoveryResult> FlagProblemInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::FlagProblemRequest& request) {
  if (call.rules->FindCategory(request.category_id()) == nullptr) {
    return core::DecideFlag(RequestOf(call), request, {}).status();
  }
  core::FlagSnapshot snapshot;
  auto check = LoadCheckState(db, call, request.check_id());
  if (!check.ok()) return check.status();
  snapshot.check = *std::move(check);
  const std::string& location_id = call.rules->location_id();
  auto cases = CasesOnCheck(db, location_id, request.check_id());
  if (!cases.ok()) return cases.status();
  snapshot.cases_on_check = static_cast<int>(cases->size());
  for (RecoveryCase& recovery : *cases) {
    if (!core::IsClosed(recovery))
      snapshot.open_cases.push_back(std::move(recovery));
  }
  auto guest_times =
      GuestCaseTimes(db, location_id, snapshot.check.check.guest_id());
  if (!guest_times.ok()) return guest_times.status();
  snapshot.guest_case_times = *std::move(guest_times);
  auto recent = LoadRecentFlags(db, call, snapshot.check, request);
  if (!recent.ok()) return recent.status();
  snapshot.recent_flags = *std::move(recent);

  auto decision = core::DecideFlag(RequestOf(call), request, snapshot);
  if (!decision.ok()) return decision.status();
  return Persist(
      db, *std::move(decision),
      request.has_guest_contact() ? &request.guest_contact() : nullptr);
}

absl::StatusOr<RecoveryResult> ApplyRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApplyRemedyRequest& request) {
  core::ApplySnapshot snapshot;
  auto recovery = LoadCase(db, call.rules->location_id(), request.case_id());
  if (!recovery.ok()) return recovery.status();
  snapshot.recovery = *std::move(recovery);
  auto check = LoadCheckState(db, call, snapshot.recovery.check_id());
  if (!check.ok()) return check.status();
  snapshot.check = *std::move(check);
  // A refire or a manager visit needs no authority: no spending to read.
  if (core::ApplyMayCostMoney(snapshot.recovery, request)) {
    auto spent =
        SpentSoFar(db, call.rules->location_id(), snapshot.recovery.case_id(),
                   call.actor_id, call.rules->BusinessDay(call.now));
    if (!spent.ok()) return spent.status();
    snapshot.spent = *spent;
  }
  auto decision = core::DecideApply(RequestOf(call), request, snapshot);
  if (!decision.ok()) return decision.status();
  return Persist(db, *std::move(decision));
}

absl::StatusOr<RecoveryResult> ApproveRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApproveRemedyRequest& request) {
  core::ApproveSnapshot snapshot;
  auto recovery = LoadCase(db, call.rules->location_id(), request.case_id());
  if (!recovery.ok()) return recovery.status();
  snapshot.recovery = *std::move(recovery);
  auto check = LoadCheckState(db, call, snapshot.recovery.check_id());
  if (!check.ok()) return check.status();
  snapshot.check = *std::move(check);
  auto spent =
      SpentSoFar(db, call.rules->location_id(), snapshot.recovery.case_id(),
                 call.actor_id, call.rules->BusinessDay(call.now));
  if (!spent.ok()) return spent.status();
  snapshot.spent = *spent;
  auto decision = core::DecideApprove(RequestOf(call), request, snapshot);
  if (!decision.ok()) return decision.status();
  return Persist(db, *std::move(decision));
}

absl::StatusOr<RecoveryResult> RecordOutcomeInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::RecordOutcomeRequest& request) {
  auto recovery = LoadCase(db, call.rules->location_id(), request.case_id());
  if (!recovery.ok()) return recovery.status();
  auto decision =
      core::DecideOutcome(RequestOf(call), request, {*std::move(recovery)});
  if (!decision.ok()) return decision.status();
  return Persist(db, *std::move(decision));
}

absl::StatusOr<AckResult> AckCommandInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::AckCommandRequest& request) {
  auto command = LoadOutboxCommand(db, request.command_id());
  if (!command.ok()) return command.status();
  if (command->command.location_id() != call.rules->location_id()) {
    return core::Refuse(
        absl::StatusCode::kNotFound, Error::UNKNOWN_COMMAND,
        absl::StrCat("command_id: no command '", request.command_id(), "'"));
  }
  core::AckSnapshot snapshot;
  snapshot.command = command->command;
  snapshot.application_id = command->application_id;
  snapshot.recorded_result = command->result;
  if (snapshot.recorded_result ==
          makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED &&
      !snapshot.application_id.empty()) {
    auto recovery =
        LoadCase(db, call.rules->location_id(), command->command.case_id());
    if (!recovery.ok()) return recovery.status();
    snapshot.recovery = *std::move(recovery);
  }
  auto decision = core::DecideAck(RequestOf(call), request, snapshot);
  if (!decision.ok()) return decision.status();
  AckResult result;
  result.response = decision->response;
  if (decision->record_ack) {
    if (auto s = RecordAck(db, request, absl::ToUnixMicros(call.now)); !s.ok())
      return s;
  }
  if (decision->case_change) {
    auto change = Persist(db, *std::move(decision->case_change));
    if (!change.ok()) return change.status();
    result.case_change = *std::move(change);
  }
  return result;
}

}  // namespace makegood::store
