#include "core/recovery/alerts.h"

#include "absl/strings/str_cat.h"
#include "core/money.h"
#include "core/proto_time.h"
#include "core/recovery/case_state.h"

namespace makegood::core {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyOption;

namespace {

Alert AlertAbout(Alert::Kind kind, const RecoveryCase& recovery) {
  Alert alert;
  alert.set_kind(kind);
  alert.set_case_id(recovery.case_id());
  alert.set_check_id(recovery.check_id());
  return alert;
}

}  // namespace

Alert ApprovalAskedAlert(const RecoveryRules& rules,
                         const RecoveryCase& recovery,
                         const AppliedRemedy& remedy) {
  Alert alert = AlertAbout(Alert::PENDING_APPROVAL, recovery);
  Alert::ApprovalAsked& facts = *alert.mutable_approval_asked();
  facts.set_remedy_application_id(remedy.remedy_application_id());
  facts.set_requested_by(remedy.requested_by());
  facts.set_option_id(remedy.option_id());
  facts.set_remedy_id(remedy.remedy_id());
  facts.set_remedy_kind(remedy.kind());
  *facts.mutable_cost() = remedy.cost();
  *facts.mutable_need() = remedy.approval_need();
  const RemedyOption* option = FindOption(recovery, remedy.option_id());
  alert.set_message(absl::StrCat(
      remedy.requested_by(), " asks approval for ",
      option != nullptr ? option->label() : remedy.remedy_id(), " (",
      FormatAmount(remedy.cost().minor_units(), rules.currency()),
      ") on check ", recovery.check_id(), ": ", remedy.approval_reason()));
  return alert;
}

Alert ManagerVisitAlert(const RecoveryRules& rules,
                        const RecoveryCase& recovery,
                        const AppliedRemedy& remedy, const std::string& table) {
  Alert alert = AlertAbout(Alert::MANAGER_VISIT_REQUESTED, recovery);
  Alert::ManagerVisit& facts = *alert.mutable_manager_visit();
  facts.set_remedy_application_id(remedy.remedy_application_id());
  facts.set_table(table);
  facts.set_category_id(recovery.category_id());
  facts.set_severity(recovery.severity());
  alert.set_message(absl::StrCat(
      "Manager to the table ", table.empty() ? "" : table + " ", "(check ",
      recovery.check_id(), "): ", CategoryLabel(rules, recovery.category_id()),
      ", ", makegood::v1::Severity_Name(recovery.severity())));
  return alert;
}

Alert CommandRejectedAlert(const RecoveryCase& recovery,
                           const AppliedRemedy& remedy) {
  Alert alert = AlertAbout(Alert::COMMAND_REJECTED, recovery);
  Alert::CommandRejected& facts = *alert.mutable_command_rejected();
  facts.set_remedy_application_id(remedy.remedy_application_id());
  facts.set_remedy_id(remedy.remedy_id());
  facts.set_remedy_kind(remedy.kind());
  facts.set_vendor_reason(remedy.rejection_reason());
  if (const RemedyOption* next = NextOption(recovery)) {
    facts.set_next_option_id(next->option_id());
    facts.set_next_option_label(next->label());
  }
  alert.set_message(absl::StrCat(
      "The POS refused ", remedy.remedy_id(), " on check ", recovery.check_id(),
      ": ", remedy.rejection_reason(), ". ", NextOfferText(recovery)));
  return alert;
}

Alert RecurringProblemAlert(const RecoveryRules& rules,
                            const RecurringFacts& facts) {
  const int count = rules.config().recurring().count();
  Alert alert;
  alert.set_kind(Alert::RECURRING_PROBLEM);
  alert.set_check_id(facts.check_id);
  Alert::RecurringProblem& about = *alert.mutable_recurring_problem();
  about.set_item_name(facts.item_name);
  about.set_station(facts.station);
  about.set_category_id(facts.category_id);
  about.set_count(count);
  *about.mutable_first_at() = ToProto(facts.first_at);
  *about.mutable_last_at() = ToProto(facts.last_at);
  alert.set_message(absl::StrCat(
      facts.station.empty() ? facts.item_name
                            : absl::StrCat("Station ", facts.station),
      " flagged ", count, " times for ",
      CategoryLabel(rules, facts.category_id), " between ",
      absl::FormatTime("%H:%M", facts.first_at, rules.time_zone()), " and ",
      absl::FormatTime("%H:%M", facts.last_at, rules.time_zone())));
  return alert;
}

Alert AdapterProblemAlert(const std::string& adapter_name,
                          const std::string& vendor_message,
                          Alert::AdapterProblem::Problem problem) {
  Alert alert;
  alert.set_kind(Alert::ADAPTER_PROBLEM);
  Alert::AdapterProblem& facts = *alert.mutable_adapter_problem();
  facts.set_adapter_name(adapter_name);
  facts.set_vendor_message(vendor_message);
  facts.set_problem(problem);
  std::string text = absl::StrCat(
      "Adapter ", adapter_name,
      problem == Alert::AdapterProblem::DELIVERY_UNREADABLE
          ? ": a delivery from the POS could not be read and was set aside "
            "(quarantined in the adapter's state); the orders it carried are "
            "missing until someone looks into it."
          : ": the POS refuses its credentials; renew the vendor token in its "
            "configuration. Orders and remedies wait until then.");
  if (!vendor_message.empty())
    absl::StrAppend(&text, " (", vendor_message, ")");
  alert.set_message(std::move(text));
  return alert;
}

}  // namespace makegood::core
