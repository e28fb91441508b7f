#include "store/recovery_flow.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/authority.h"
#include "core/discount_code.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/proto_time.h"
#include "core/record_id.h"
#include "store/check_queries.h"
#include "store/follow_ups.h"
#include "store/ledger.h"
#include "store/recovery_rows.h"
#include "store/recurring.h"

namespace makegood::store {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::Check;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyCommand;
using makegood::v1::RemedyOption;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

bool IsClosed(const RecoveryCase& recovery) {
  return recovery.status() == RecoveryCase::RESOLVED ||
         recovery.status() == RecoveryCase::GUEST_LEFT;
}

// Whose authority a remedy is counted against.
std::string ChargedTo(const AppliedRemedy& remedy) {
  if (!core::CountsAsGiven(remedy.status())) return "";
  return remedy.approved_by().empty() ? remedy.requested_by()
                                      : remedy.approved_by();
}

std::string Money(const core::RecoveryRules& rules, int64_t minor) {
  return core::FormatAmount(minor, rules.currency());
}

// Status and total from the remedies; closed cases stay closed.
void Recompute(RecoveryCase& recovery, const core::RecoveryRules& rules) {
  int64_t total = 0;
  bool pending = false, sent = false;
  for (const auto& remedy : recovery.remedies()) {
    if (core::CountsAsGiven(remedy.status())) {
      total += remedy.cost().minor_units();
      sent = true;
    }
    pending |= remedy.status() == AppliedRemedy::PENDING_APPROVAL;
  }
  recovery.mutable_total_cost()->set_minor_units(total);
  recovery.mutable_total_cost()->set_currency(rules.currency());
  if (IsClosed(recovery)) return;
  recovery.set_status(pending ? RecoveryCase::PENDING_APPROVAL
                      : sent  ? RecoveryCase::REMEDY_APPLIED
                              : RecoveryCase::OPEN);
}

RemedyOption* FindOption(RecoveryCase& recovery, const std::string& id) {
  for (auto* list : {recovery.mutable_options(), recovery.mutable_extras()}) {
    for (auto& option : *list) {
      if (option.option_id() == id) return &option;
    }
  }
  return nullptr;
}

const RemedyOption* NextOffer(const RecoveryCase& recovery) {
  for (const auto& option : recovery.options()) {
    if (!option.declined()) return &option;
  }
  return nullptr;
}

std::string NextOfferText(const RecoveryCase& recovery) {
  const RemedyOption* next = NextOffer(recovery);
  return next == nullptr
             ? "no option is left: escalate to the manager"
             : absl::StrCat("offer the next option: ", next->label(), " (",
                            next->option_id(), ")");
}

Alert MakeAlert(absl::Time now, Alert::Kind kind, const RecoveryCase& recovery,
                std::string message) {
  Alert alert;
  alert.set_alert_id(NewId("AL-", now));
  alert.set_kind(kind);
  alert.set_case_id(recovery.case_id());
  alert.set_check_id(recovery.check_id());
  alert.set_message(std::move(message));
  return alert;
}

LedgerEntry Entry(const RecoveryCall& call, const RecoveryCase& recovery,
                  std::string action, int64_t amount, std::string detail) {
  LedgerEntry entry;
  entry.at_us = Micros(call.now);
  entry.location_id = recovery.location_id();
  entry.case_id = recovery.case_id();
  entry.action = std::move(action);
  entry.actor = call.actor_id;
  entry.amount_minor = amount;
  entry.detail = std::move(detail);
  return entry;
}

// The check as the policy sees it, with what makegood already took off.
absl::StatusOr<core::PolicyInput> PolicyInputFor(
    Connection& db, const RecoveryCall& call, const Check& check,
    const std::vector<std::string>& line_ids) {
  auto off = MoneyOffCheck(db, check.location_id(), check.check_id());
  if (!off.ok()) return off.status();
  core::PolicyInput input;
  input.now = call.now;
  input.check_settled =
      check.state() == Check::PAID || check.state() == Check::CLOSED;
  input.check_remaining_minor = std::max<int64_t>(
      0, check.subtotal().minor_units() - check.pos_discounts().minor_units() -
             off->total);
  std::map<std::string, core::PolicyItem> items;
  for (const auto& line : check.items()) {
    core::PolicyItem item;
    item.line_id = line.line_id();
    item.sku = line.sku();
    item.name = line.name();
    item.station = line.station();
    item.quantity = std::max(line.quantity(), 1);
    item.unit_price_minor = line.unit_price().minor_units();
    const auto taken = off->by_line.find(line.line_id());
    item.remaining_minor = std::max<int64_t>(
        0, item.unit_price_minor * item.quantity -
               line.pos_discounts().minor_units() -
               (taken == off->by_line.end() ? 0 : taken->second));
    if (line.has_ordered_at())
      item.ordered_at = core::FromProto(line.ordered_at());
    if (line.has_fired_at()) item.fired_at = core::FromProto(line.fired_at());
    if (line.has_served_at())
      item.served_at = core::FromProto(line.served_at());
    if (line.state() != makegood::v1::VOIDED) input.live_items.push_back(item);
    items[line.line_id()] = std::move(item);
  }
  for (const auto& id : line_ids) {
    auto it = items.find(id);
    if (it == items.end()) {
      return absl::NotFoundError(absl::StrCat("line_ids: line '", id,
                                              "' is not on check '",
                                              check.check_id(), "'"));
    }
    input.flagged.push_back(it->second);
  }
  return input;
}

absl::StatusOr<Check> CheckOf(Connection& db, const RecoveryCall& call,
                              const std::string& check_id) {
  return ReadCheckInTransaction(db, call.rules->location_id(), check_id);
}

bool ItemWasMade(const Check& check, const std::string& line_id) {
  for (const auto& line : check.items()) {
    if (line.line_id() == line_id)
      return line.has_fired_at() || line.has_served_at();
  }
  return false;
}

// Sends a remedy within authority: money off, code, command, ledger.
// `remedy` is already in `recovery`.
absl::Status Send(Connection& db, const RecoveryCall& call,
                  RecoveryCase& recovery, AppliedRemedy& remedy,
                  const core::CompiledRemedy& compiled, const Check& check,
                  RecoveryResult& result) {
  const core::RecoveryRules& rules = *call.rules;
  const auto kind = remedy.kind();
  const int64_t cost = remedy.cost().minor_units();
  const std::string day = rules.BusinessDay(call.now);
  *remedy.mutable_applied_at() = core::ToProto(call.now);
  if (kind == makegood::v1::MANAGER_VISIT) {
    remedy.set_status(AppliedRemedy::APPLIED);
    result.alerts.push_back(MakeAlert(
        call.now, Alert::MANAGER_VISIT_REQUESTED, recovery,
        absl::StrCat("Manager to the table ",
                     check.table().empty() ? "" : check.table() + " ",
                     "(check ", recovery.check_id(), "): ",
                     rules.FindCategory(recovery.category_id())
                         ? rules.FindCategory(recovery.category_id())->label()
                         : recovery.category_id(),
                     ", ", makegood::v1::Severity_Name(recovery.severity()))));
  } else {
    remedy.set_status(AppliedRemedy::SENT);
  }
  if (auto s = SaveRemedy(db, recovery, remedy, ChargedTo(remedy), day);
      !s.ok())
    return s;
  if (core::TakesMoneyOffCheck(kind)) {
    if (auto s = SaveMoneyOff(db, remedy.remedy_application_id(),
                              recovery.location_id(), recovery.check_id(),
                              remedy.line_id(), cost);
        !s.ok())
      return s;
  }
  makegood::v1::ApplyRemedyAction action;
  action.set_kind(kind);
  action.set_line_id(remedy.line_id());
  action.mutable_amount()->set_currency(rules.currency());
  action.mutable_amount()->set_minor_units(cost);
  action.set_percent_bps(compiled.remedy.percent() * 100);
  action.set_sku(compiled.remedy.sku());
  action.set_waste(remedy.waste());
  const auto* category = rules.FindCategory(recovery.category_id());
  action.set_reason(absl::StrCat(
      "Recovery: ", category ? category->label() : recovery.category_id()));
  if (kind == makegood::v1::DISCOUNT_CODE) {
    const std::string code = core::NewDiscountCode(StoreRandom());
    const absl::Time expires =
        call.now + absl::Hours(24) * compiled.remedy.expires_after_days();
    if (auto s = InsertCode(db, code, recovery.location_id(),
                            recovery.case_id(), remedy.remedy_application_id(),
                            Micros(call.now), Micros(expires));
        !s.ok())
      return s;
    remedy.set_discount_code(code);
    *remedy.mutable_code_expires_at() = core::ToProto(expires);
    action.set_discount_code(code);
    *action.mutable_code_expires_at() = core::ToProto(expires);
    action.mutable_amount()->set_minor_units(compiled.amount_minor);
  }
  if (kind != makegood::v1::MANAGER_VISIT) {
    RemedyCommand command;
    command.set_command_id(NewId("CMD-", call.now));
    command.set_case_id(recovery.case_id());
    command.set_location_id(recovery.location_id());
    command.set_check_id(recovery.check_id());
    *command.mutable_created_at() = core::ToProto(call.now);
    *command.mutable_apply_remedy() = std::move(action);
    if (auto s = InsertCommand(db, command, remedy.remedy_application_id());
        !s.ok())
      return s;
    remedy.set_command_id(command.command_id());
    result.commands.push_back(std::move(command));
  }
  LedgerEntry entry = Entry(
      call, recovery, "remedy_sent", cost,
      absl::StrCat(remedy.remedy_id(), " ", makegood::v1::RemedyKind_Name(kind),
                   remedy.line_id().empty() ? "" : " line ", remedy.line_id(),
                   remedy.waste() ? " (waste)" : "",
                   remedy.discount_code().empty() ? "" : " code issued"));
  entry.approver = remedy.approved_by();
  return AppendLedger(db, entry);
}

// The lines a remedy acts on: each flagged line for item remedies (and
// refunds of flagged lines), otherwise the check itself ("").
std::vector<std::string> Targets(const RecoveryCase& recovery,
                                 makegood::v1::RemedyKind kind) {
  const bool per_line =
      core::ActsOnItems(kind) ||
      (kind == makegood::v1::REFUND && recovery.line_ids_size() > 0);
  if (!per_line) return {""};
  return {recovery.line_ids().begin(), recovery.line_ids().end()};
}

// What the remedy would cost now on `line_id` (or the check).
absl::StatusOr<int64_t> CurrentCost(Connection& db, const RecoveryCall& call,
                                    const Check& check,
                                    const RecoveryCase& recovery,
                                    const core::CompiledRemedy& compiled,
                                    const std::string& line_id) {
  std::vector<std::string> lines;
  if (!line_id.empty()) lines.push_back(line_id);
  auto input = PolicyInputFor(db, call, check, lines);
  if (!input.ok()) return input.status();
  const int64_t cost = core::RemedyCost(compiled, *input);
  if (core::TakesMoneyOffCheck(compiled.remedy.kind()) && cost <= 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "nothing is left to take off ",
        line_id.empty() ? absl::StrCat("check ", recovery.check_id())
                        : absl::StrCat("line ", line_id),
        ": earlier discounts and remedies already cover its value"));
  }
  return cost;
}

// A request's result, starting from the stored case it changes.
absl::StatusOr<RecoveryResult> ResultFor(Connection& db,
                                         const RecoveryCall& call,
                                         const std::string& case_id) {
  auto loaded = LoadCase(db, call.rules->location_id(), case_id);
  if (!loaded.ok()) return loaded.status();
  RecoveryResult result;
  result.recovery = *std::move(loaded);
  return result;
}

// nullptr when the case has no such remedy.
AppliedRemedy* FindRemedy(RecoveryCase& recovery,
                          const std::string& application_id) {
  for (auto& remedy : *recovery.mutable_remedies()) {
    if (remedy.remedy_application_id() == application_id) return &remedy;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<RecoveryResult> FlagProblemInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::FlagProblemRequest& request) {
  const core::RecoveryRules& rules = *call.rules;
  const auto* category = rules.FindCategory(request.category_id());
  if (category == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "category_id: '", request.category_id(), "' is not configured"));
  }
  auto check = CheckOf(db, call, request.check_id());
  if (!check.ok()) return check.status();
  std::vector<std::string> lines(request.line_ids().begin(),
                                 request.line_ids().end());
  auto input = PolicyInputFor(db, call, *check, lines);
  if (!input.ok()) return input.status();
  auto earlier = CountCasesOnCheck(db, rules.location_id(), check->check_id());
  if (!earlier.ok()) return earlier.status();
  auto guest_times = GuestCaseTimes(db, rules.location_id(), check->guest_id());
  if (!guest_times.ok()) return guest_times.status();
  input->category_id = request.category_id();
  input->severity = request.severity();
  input->problems_on_check = *earlier + 1;
  input->guest_case_times = *std::move(guest_times);
  core::PolicyDecision decision = core::ChooseRemedies(rules, *input);

  RecoveryResult result;
  RecoveryCase& recovery = result.recovery;
  recovery.set_case_id(NewId("RC-", call.now));
  recovery.set_location_id(rules.location_id());
  recovery.set_check_id(request.check_id());
  *recovery.mutable_line_ids() = request.line_ids();
  recovery.set_category_id(request.category_id());
  recovery.set_severity(request.severity());
  recovery.set_guest_words(request.guest_words());
  recovery.set_status(RecoveryCase::OPEN);
  recovery.set_flagged_by(call.actor_id);
  *recovery.mutable_flagged_at() = core::ToProto(call.now);
  recovery.set_guidance(category->guidance());
  for (auto& option : decision.options)
    *recovery.add_options() = std::move(option);
  for (auto& extra : decision.extras) *recovery.add_extras() = std::move(extra);
  Recompute(recovery, rules);
  if (request.has_guest_contact() &&
      request.guest_contact().follow_up_consent()) {
    recovery.set_contact_on_file(true);
    *recovery.mutable_follow_up_due() = core::ToProto(
        call.now + absl::Hours(24) * rules.follow_up_after_days());
  }
  if (auto s = InsertCase(db, recovery, check->guest_id(),
                          rules.BusinessDay(call.now));
      !s.ok())
    return s;
  if (recovery.contact_on_file()) {
    const absl::Time forget_at =
        call.now + absl::Hours(24) * rules.contact_retention_days();
    if (auto s = SaveContact(db, recovery.case_id(), request.guest_contact(),
                             Micros(forget_at));
        !s.ok())
      return s;
    auto follow_up =
        ScheduleFollowUp(db, call, recovery, request.guest_contact());
    if (!follow_up.ok()) return follow_up.status();
    result.commands.push_back(*std::move(follow_up));
  }
  auto recurring = RecordProblemKeys(db, call, recovery, input->flagged);
  if (!recurring.ok()) return recurring.status();
  for (auto& alert : *recurring) result.alerts.push_back(std::move(alert));
  std::vector<std::string> offered, extras;
  for (const auto& o : recovery.options()) offered.push_back(o.remedy_id());
  for (const auto& o : recovery.extras()) extras.push_back(o.remedy_id());
  if (auto s = AppendLedger(
          db,
          Entry(call, recovery, "flagged", 0,
                absl::StrCat(request.category_id(), " ",
                             makegood::v1::Severity_Name(request.severity()),
                             " lines [", absl::StrJoin(lines, ","),
                             "] offers [", absl::StrJoin(offered, ","),
                             "] extras [", absl::StrJoin(extras, ","), "]")));
      !s.ok())
    return s;
  return result;
}

absl::StatusOr<RecoveryResult> ApplyRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApplyRemedyRequest& request) {
  const core::RecoveryRules& rules = *call.rules;
  auto loaded = ResultFor(db, call, request.case_id());
  if (!loaded.ok()) return loaded.status();
  RecoveryResult result = *std::move(loaded);
  RecoveryCase& recovery = result.recovery;
  if (IsClosed(recovery)) {
    return absl::FailedPreconditionError(
        absl::StrCat("case ", recovery.case_id(), " is closed (",
                     RecoveryCase::Status_Name(recovery.status()), ")"));
  }
  std::vector<std::string> chosen;
  if (!request.option_id().empty()) chosen.push_back(request.option_id());
  chosen.insert(chosen.end(), request.extra_option_ids().begin(),
                request.extra_option_ids().end());
  std::set<std::string> seen;
  for (const std::string& id : chosen) {
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("option '", id, "' is named twice"));
    }
    const RemedyOption* option = FindOption(recovery, id);
    if (option == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "option_id: case ", recovery.case_id(), " has no option '", id, "'"));
    }
    if (option->declined()) {
      return absl::FailedPreconditionError(
          absl::StrCat("option ", id, " (", option->label(),
                       ") was declined or refused; ", NextOfferText(recovery)));
    }
    for (const auto& remedy : recovery.remedies()) {
      if (remedy.option_id() == id &&
          (core::CountsAsGiven(remedy.status()) ||
           remedy.status() == AppliedRemedy::PENDING_APPROVAL)) {
        return absl::FailedPreconditionError(
            absl::StrCat("option ", id, " (", option->label(),
                         ") is already applied on case ", recovery.case_id(),
                         " as ", remedy.remedy_application_id(), " (",
                         AppliedRemedy::Status_Name(remedy.status()), ")"));
      }
    }
  }
  auto check = CheckOf(db, call, recovery.check_id());
  if (!check.ok()) return check.status();
  const std::string day = rules.BusinessDay(call.now);
  for (const std::string& id : chosen) {
    const RemedyOption option = *FindOption(recovery, id);
    const core::CompiledRemedy* compiled = rules.FindRemedy(option.remedy_id());
    if (compiled == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("option ", id, ": remedy '", option.remedy_id(),
                       "' is no longer configured"));
    }
    for (const std::string& line : Targets(recovery, option.kind())) {
      auto cost = CurrentCost(db, call, *check, recovery, *compiled, line);
      if (!cost.ok()) return cost.status();
      // Free remedies need no authority: no spending to read for them.
      core::Spent spent;
      if (*cost > 0) {
        auto so_far = SpentSoFar(db, rules.location_id(), recovery.case_id(),
                                 call.actor_id, day);
        if (!so_far.ok()) return so_far.status();
        spent = *so_far;
      }
      const core::AuthorityDecision authority =
          core::CheckAuthority(rules, call.actor_role, *cost, spent);
      AppliedRemedy& remedy = *recovery.add_remedies();
      remedy.set_remedy_application_id(NewId("RA-", call.now));
      remedy.set_option_id(id);
      remedy.set_remedy_id(option.remedy_id());
      remedy.set_kind(option.kind());
      remedy.mutable_cost()->set_minor_units(*cost);
      remedy.mutable_cost()->set_currency(rules.currency());
      remedy.set_requested_by(call.actor_id);
      *remedy.mutable_requested_at() = core::ToProto(call.now);
      remedy.set_line_id(line);
      remedy.set_waste(option.kind() == makegood::v1::COMP_ITEM &&
                       ItemWasMade(*check, line));
      if (authority.needs_approval) {
        remedy.set_status(AppliedRemedy::PENDING_APPROVAL);
        remedy.set_approval_reason(authority.reason);
        if (auto s = SaveRemedy(db, recovery, remedy, "", day); !s.ok())
          return s;
        if (auto s =
                AppendLedger(db, Entry(call, recovery, "remedy_pending", *cost,
                                       absl::StrCat(option.remedy_id(), ": ",
                                                    authority.reason)));
            !s.ok())
          return s;
        result.alerts.push_back(MakeAlert(
            call.now, Alert::PENDING_APPROVAL, recovery,
            absl::StrCat(call.actor_id, " asks approval for ", option.label(),
                         " (", Money(rules, *cost), ") on check ",
                         recovery.check_id(), ": ", authority.reason)));
      } else if (auto s = Send(db, call, recovery, remedy, *compiled, *check,
                               result);
                 !s.ok()) {
        return s;
      }
    }
  }
  Recompute(recovery, rules);
  if (auto s = UpdateCase(db, recovery); !s.ok()) return s;
  return result;
}

absl::StatusOr<RecoveryResult> ApproveRemedyInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::ApproveRemedyRequest& request) {
  const core::RecoveryRules& rules = *call.rules;
  auto loaded = ResultFor(db, call, request.case_id());
  if (!loaded.ok()) return loaded.status();
  RecoveryResult result = *std::move(loaded);
  RecoveryCase& recovery = result.recovery;
  AppliedRemedy* remedy = FindRemedy(recovery, request.remedy_application_id());
  if (remedy == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("remedy_application_id: case ", recovery.case_id(),
                     " has no remedy '", request.remedy_application_id(), "'"));
  }
  if (remedy->status() != AppliedRemedy::PENDING_APPROVAL) {
    return absl::FailedPreconditionError(
        absl::StrCat("remedy ", remedy->remedy_application_id(), " is ",
                     AppliedRemedy::Status_Name(remedy->status()),
                     ", not waiting for approval"));
  }
  if (remedy->requested_by() == call.actor_id) {
    return absl::PermissionDeniedError(
        "nobody approves their own request: another manager must approve it");
  }
  auto check = CheckOf(db, call, recovery.check_id());
  if (!check.ok()) return check.status();
  const std::string day = rules.BusinessDay(call.now);
  remedy->set_approved_by(call.actor_id);
  if (!request.approve()) {
    remedy->set_status(AppliedRemedy::DENIED);
    remedy->set_rejection_reason(request.reason());
    if (RemedyOption* option = FindOption(recovery, remedy->option_id()))
      option->set_declined(true);
    if (auto s = SaveRemedy(db, recovery, *remedy, "", day); !s.ok()) return s;
    LedgerEntry entry =
        Entry(call, recovery, "remedy_denied", 0,
              absl::StrCat(remedy->remedy_id(), ": ", request.reason()));
    entry.approver = call.actor_id;
    if (auto s = AppendLedger(db, entry); !s.ok()) return s;
  } else {
    const core::CompiledRemedy* compiled =
        rules.FindRemedy(remedy->remedy_id());
    if (compiled == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "remedy '", remedy->remedy_id(), "' is no longer configured"));
    }
    auto cost =
        CurrentCost(db, call, *check, recovery, *compiled, remedy->line_id());
    if (!cost.ok()) return cost.status();
    const int64_t cost_now = std::min(*cost, remedy->cost().minor_units());
    const std::string over = core::CheckApproverLimit(
        rules, call.actor_role, recovery.total_cost().minor_units() + cost_now);
    if (!over.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot approve: ", over));
    }
    remedy->mutable_cost()->set_minor_units(cost_now);
    if (auto s = Send(db, call, recovery, *remedy, *compiled, *check, result);
        !s.ok())
      return s;
  }
  Recompute(recovery, rules);
  if (auto s = UpdateCase(db, recovery); !s.ok()) return s;
  return result;
}

absl::StatusOr<RecoveryResult> RecordOutcomeInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::RecordOutcomeRequest& request) {
  const core::RecoveryRules& rules = *call.rules;
  auto loaded = ResultFor(db, call, request.case_id());
  if (!loaded.ok()) return loaded.status();
  RecoveryResult result = *std::move(loaded);
  RecoveryCase& recovery = result.recovery;
  const auto response = request.guest_response();
  if (response != makegood::v1::GUEST_RESPONSE_UNSPECIFIED &&
      IsClosed(recovery)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", recovery.case_id(), " is already closed (",
        RecoveryCase::Status_Name(recovery.status()),
        "); only the root cause and action can still be recorded"));
  }
  if (response != makegood::v1::GUEST_RESPONSE_UNSPECIFIED)
    recovery.set_guest_response(response);
  if (request.root_cause() != makegood::v1::ROOT_CAUSE_UNSPECIFIED)
    recovery.set_root_cause(request.root_cause());
  if (!request.action_taken().empty())
    recovery.set_action_taken(request.action_taken());
  const bool closes =
      response == makegood::v1::ACCEPTED || response == makegood::v1::LEFT;
  if (closes && rules.config().outcomes().require_root_cause()) {
    if (recovery.root_cause() == makegood::v1::ROOT_CAUSE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          "root_cause: required to close a case (outcomes.require_root_cause "
          "is set)");
    }
    if (recovery.action_taken().empty()) {
      return absl::InvalidArgumentError(
          "action_taken: required to close a case "
          "(outcomes.require_root_cause is set)");
    }
  }
  std::string detail = makegood::v1::GuestResponse_Name(response);
  if (response == makegood::v1::ACCEPTED) {
    recovery.set_status(RecoveryCase::RESOLVED);
    *recovery.mutable_closed_at() = core::ToProto(call.now);
  } else if (response == makegood::v1::LEFT) {
    recovery.set_status(RecoveryCase::GUEST_LEFT);
    *recovery.mutable_closed_at() = core::ToProto(call.now);
  } else if (response == makegood::v1::DECLINED) {
    // The guest declined what was last given, else the current offer.
    RemedyOption* declined = nullptr;
    for (int i = recovery.remedies_size() - 1; i >= 0 && !declined; --i) {
      const auto& remedy = recovery.remedies(i);
      RemedyOption* option = FindOption(recovery, remedy.option_id());
      if (option != nullptr && absl::StartsWith(option->option_id(), "o"))
        declined = option;
    }
    if (declined == nullptr) {
      for (auto& option : *recovery.mutable_options()) {
        if (!option.declined()) {
          declined = &option;
          break;
        }
      }
    }
    if (declined != nullptr) {
      declined->set_declined(true);
      absl::StrAppend(&detail, " ", declined->option_id());
    }
    recovery.set_status(RecoveryCase::OPEN);
  }
  Recompute(recovery, rules);
  if (recovery.root_cause() != makegood::v1::ROOT_CAUSE_UNSPECIFIED) {
    absl::StrAppend(&detail, " cause ",
                    makegood::v1::RootCause_Name(recovery.root_cause()));
  }
  if (auto s = UpdateCase(db, recovery); !s.ok()) return s;
  if (auto s = AppendLedger(db, Entry(call, recovery, "outcome", 0, detail));
      !s.ok())
    return s;
  return result;
}

absl::StatusOr<AckResult> AckCommandInTransaction(
    Connection& db, const RecoveryCall& call,
    const makegood::v1::AckCommandRequest& request) {
  const core::RecoveryRules& rules = *call.rules;
  auto command = LoadCommand(db, request.command_id());
  if (!command.ok()) return command.status();
  if (command->command.location_id() != rules.location_id()) {
    return absl::NotFoundError(
        absl::StrCat("command_id: no command '", request.command_id(), "'"));
  }
  AckResult result;
  result.response.set_command_id(request.command_id());
  if (command->result != makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED) {
    if (command->result != request.result()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "command ", request.command_id(), " was already acknowledged as ",
          makegood::v1::AckCommandRequest::Result_Name(command->result)));
    }
    result.response.set_recorded_result(command->result);
    result.response.set_duplicate(true);
    return result;
  }
  if (auto s = RecordAck(db, request, Micros(call.now)); !s.ok()) return s;
  result.response.set_recorded_result(request.result());
  if (command->application_id.empty()) return result;

  auto loaded = ResultFor(db, call, command->command.case_id());
  if (!loaded.ok()) return loaded.status();
  RecoveryResult change = *std::move(loaded);
  RecoveryCase& recovery = change.recovery;
  AppliedRemedy* remedy = FindRemedy(recovery, command->application_id);
  if (remedy == nullptr) return result;  // Not a remedy of this case.
  const bool applied =
      request.result() == makegood::v1::AckCommandRequest::APPLIED;
  if (applied) {
    remedy->set_status(AppliedRemedy::APPLIED);
    remedy->set_pos_reference(request.pos_reference());
  } else {
    remedy->set_status(AppliedRemedy::REJECTED);
    remedy->set_rejection_reason(request.vendor_reason());
    if (RemedyOption* option = FindOption(recovery, remedy->option_id()))
      option->set_declined(true);
  }
  Recompute(recovery, rules);
  if (!applied) {
    change.alerts.push_back(MakeAlert(
        call.now, Alert::COMMAND_REJECTED, recovery,
        absl::StrCat("The POS refused ", remedy->remedy_id(), " on check ",
                     recovery.check_id(), ": ", request.vendor_reason(), ". ",
                     NextOfferText(recovery))));
  }
  if (auto s = SaveRemedy(
          db, recovery, *remedy, ChargedTo(*remedy),
          call.rules->BusinessDay(core::FromProto(remedy->requested_at())));
      !s.ok())
    return s;
  if (auto s = UpdateCase(db, recovery); !s.ok()) return s;
  if (auto s = AppendLedger(
          db, Entry(call, recovery,
                    applied ? "command_applied" : "command_rejected",
                    remedy->cost().minor_units(),
                    absl::StrCat(request.command_id(), " ",
                                 applied ? request.pos_reference()
                                         : request.vendor_reason())));
      !s.ok())
    return s;
  result.case_change = std::move(change);
  return result;
}

}  // namespace makegood::store
