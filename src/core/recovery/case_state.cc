#include "core/recovery/case_state.h"

#include "absl/strings/str_cat.h"
#include "core/authority.h"
#include "core/proto_time.h"

namespace makegood::core {

using makegood::v1::AppliedRemedy;
using makegood::v1::RecoveryCase;
using makegood::v1::RemedyOption;

bool IsClosed(const RecoveryCase& recovery) {
  return recovery.status() == RecoveryCase::RESOLVED ||
         recovery.status() == RecoveryCase::GUEST_LEFT;
}

void Recompute(RecoveryCase& recovery, const RecoveryRules& rules) {
  int64_t total = 0;
  bool pending = false, sent = false;
  for (const auto& remedy : recovery.remedies()) {
    if (CountsAsGiven(remedy.status())) {
      total += remedy.cost().minor_units();
      // What the guest declined no longer answers the problem: the case is
      // open again for the next offer (its cost still counts).
      const RemedyOption* option = FindOption(recovery, remedy.option_id());
      sent |= option == nullptr || !option->declined();
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

std::string ChargedTo(const AppliedRemedy& remedy) {
  if (!CountsAsGiven(remedy.status())) return "";
  return remedy.approved_by().empty() ? remedy.requested_by()
                                      : remedy.approved_by();
}

const RemedyOption* FindOption(const RecoveryCase& recovery,
                               const std::string& id) {
  for (const auto* list : {&recovery.options(), &recovery.extras()}) {
    for (const auto& option : *list) {
      if (option.option_id() == id) return &option;
    }
  }
  return nullptr;
}

RemedyOption* FindOption(RecoveryCase& recovery, const std::string& id) {
  for (auto* list : {recovery.mutable_options(), recovery.mutable_extras()}) {
    for (auto& option : *list) {
      if (option.option_id() == id) return &option;
    }
  }
  return nullptr;
}

AppliedRemedy* FindRemedy(RecoveryCase& recovery,
                          const std::string& application_id) {
  for (auto& remedy : *recovery.mutable_remedies()) {
    if (remedy.remedy_application_id() == application_id) return &remedy;
  }
  return nullptr;
}

const RemedyOption* NextOption(const RecoveryCase& recovery) {
  for (const auto& option : recovery.options()) {
    if (!option.declined()) return &option;
  }
  return nullptr;
}

std::string NextOfferText(const RecoveryCase& recovery) {
  const RemedyOption* next = NextOption(recovery);
  if (next == nullptr) return "no option is left: escalate to the manager";
  return absl::StrCat("offer the next option: ", next->label(), " (",
                      next->option_id(), ")");
}

makegood::v1::Alert IdentifiedAlert(const RecoveryRequest& request,
                                    makegood::v1::Alert alert) {
  alert.set_alert_id(request.ids->NewId("AL-", request.now));
  return alert;
}

LedgerEntry Entry(const RecoveryRequest& request, const RecoveryCase& recovery,
                  std::string action, int64_t amount_minor,
                  std::string detail) {
  LedgerEntry entry;
  entry.at = request.now;
  entry.location_id = recovery.location_id();
  entry.case_id = recovery.case_id();
  entry.action = std::move(action);
  entry.actor = request.actor_id;
  entry.amount_minor = amount_minor;
  entry.detail = std::move(detail);
  entry.device = request.device_id;
  return entry;
}

std::string CategoryLabel(const RecoveryRules& rules,
                          const std::string& category_id) {
  const auto* category = rules.FindCategory(category_id);
  return category != nullptr ? category->label() : category_id;
}

}  // namespace makegood::core
