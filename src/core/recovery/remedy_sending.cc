#include "core/recovery/remedy_sending.h"

#include "absl/strings/str_cat.h"
#include "core/policy.h"
#include "core/proto_time.h"
#include "core/recovery/alerts.h"
#include "core/recovery/case_state.h"

namespace makegood::core {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;

void SendRemedy(const RecoveryRequest& request, const CompiledRemedy& compiled,
                AppliedRemedy& remedy, CheckState& check, Spent& spent,
                CaseDecision& decision) {
  const RecoveryRules& rules = *request.rules;
  RecoveryCase& recovery = decision.recovery;
  const auto kind = remedy.kind();
  const int64_t cost = remedy.cost().minor_units();
  *remedy.mutable_applied_at() = ToProto(request.now);
  if (kind == makegood::v1::MANAGER_VISIT) {
    remedy.set_status(AppliedRemedy::APPLIED);
    decision.alerts.push_back(IdentifiedAlert(
        request,
        ManagerVisitAlert(rules, recovery, remedy, check.check.table())));
  } else {
    remedy.set_status(AppliedRemedy::SENT);
  }
  if (TakesMoneyOffCheck(kind)) {
    decision.money_off.push_back(
        {remedy.remedy_application_id(), remedy.line_id(), cost});
    check.money_off.by_line[remedy.line_id()] += cost;
    check.money_off.total += cost;
  }
  if (ChargedTo(remedy) == request.actor_id) {
    spent.requester_on_case += cost;
    spent.requester_in_shift += cost;
  }
  spent.location_in_day += cost;

  if (kind != makegood::v1::MANAGER_VISIT) {
    makegood::v1::ApplyRemedyAction action;
    action.set_kind(kind);
    action.set_line_id(remedy.line_id());
    action.mutable_amount()->set_currency(rules.currency());
    action.mutable_amount()->set_minor_units(cost);
    action.set_percent_bps(compiled.remedy.percent() * 100);
    action.set_sku(compiled.remedy.sku());
    action.set_waste(remedy.waste());
    action.set_reason(absl::StrCat(
        "Recovery: ", CategoryLabel(rules, recovery.category_id())));
    if (kind == makegood::v1::DISCOUNT_CODE) {
      const std::string code = request.ids->NewDiscountCode();
      const absl::Time expires =
          request.now + absl::Hours(24) * compiled.remedy.expires_after_days();
      decision.codes.push_back(
          {code, remedy.remedy_application_id(), request.now, expires});
      remedy.set_discount_code(code);
      *remedy.mutable_code_expires_at() = ToProto(expires);
      action.set_discount_code(code);
      *action.mutable_code_expires_at() = ToProto(expires);
      // The POS gets the code's terms: its fixed amount, or 0 with a
      // percent.
      action.mutable_amount()->set_minor_units(compiled.amount_minor);
    }
    makegood::v1::RemedyCommand command;
    command.set_command_id(request.ids->NewId("CMD-", request.now));
    command.set_case_id(recovery.case_id());
    command.set_location_id(recovery.location_id());
    command.set_check_id(recovery.check_id());
    *command.mutable_created_at() = ToProto(request.now);
    *command.mutable_apply_remedy() = std::move(action);
    remedy.set_command_id(command.command_id());
    decision.commands.push_back(
        {std::move(command), remedy.remedy_application_id()});
  }
  decision.remedies.push_back(
      {remedy, ChargedTo(remedy), rules.BusinessDay(request.now)});
  LedgerEntry entry = Entry(
      request, recovery, "remedy_sent", cost,
      absl::StrCat(remedy.remedy_id(), " ", makegood::v1::RemedyKind_Name(kind),
                   remedy.line_id().empty() ? "" : " line ", remedy.line_id(),
                   remedy.waste() ? " (waste)" : "",
                   remedy.discount_code().empty() ? "" : " code issued"));
  entry.approver = remedy.approved_by();
  decision.ledger.push_back(std::move(entry));
}

}  // namespace makegood::core
