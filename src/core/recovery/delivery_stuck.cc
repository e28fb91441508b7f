#include "core/recovery/delivery_stuck.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/proto_time.h"

namespace makegood::core {
namespace {

using makegood::v1::Alert;
using makegood::v1::AppliedRemedy;

// "comp item" for COMP_ITEM: what staff call it.
std::string KindWords(makegood::v1::RemedyKind kind) {
  std::string words = absl::StrReplaceAll(
      absl::AsciiStrToLower(makegood::v1::RemedyKind_Name(kind)), {{"_", " "}});
  return words.empty() ? "remedy" : words;
}

// "2 minutes", "90 seconds".
std::string WaitWords(absl::Duration wait) {
  const int64_t seconds = absl::ToInt64Seconds(wait);
  if (seconds >= 60 && seconds % 60 == 0) {
    const int64_t minutes = seconds / 60;
    return absl::StrCat(minutes, minutes == 1 ? " minute" : " minutes");
  }
  return absl::StrCat(seconds, seconds == 1 ? " second" : " seconds");
}

}  // namespace

absl::Time StuckAt(absl::Time issued_at, absl::Duration stuck_after) {
  return issued_at + stuck_after;
}

bool IsDeliveryStuck(absl::Time issued_at, absl::Time now,
                     absl::Duration stuck_after) {
  return now >= StuckAt(issued_at, stuck_after);
}

void MarkStuckDeliveries(makegood::v1::RecoveryCase& recovery, absl::Time now,
                         absl::Duration stuck_after) {
  for (AppliedRemedy& remedy : *recovery.mutable_remedies()) {
    remedy.set_delivery_stuck(
        remedy.status() == AppliedRemedy::SENT &&
        !remedy.command_id().empty() &&
        IsDeliveryStuck(FromProto(remedy.applied_at()), now, stuck_after));
  }
}

StuckDelivery StuckDeliveryOf(const makegood::v1::RemedyCommand& command) {
  return StuckDelivery{command.command_id(), command.case_id(),
                       command.check_id(), command.apply_remedy().kind(),
                       command.apply_remedy().line_id()};
}

StuckDelivery StuckDeliveryOf(const makegood::v1::RecoveryCase& recovery,
                              const AppliedRemedy& remedy) {
  return StuckDelivery{remedy.command_id(), recovery.case_id(),
                       recovery.check_id(), remedy.kind(), remedy.line_id()};
}

std::string StuckAlertId(const std::string& command_id) {
  return absl::StrCat("AL-", Alert::Kind_Name(Alert::COMMAND_STUCK), "-",
                      command_id);
}

Alert StuckAlert(const StuckDelivery& delivery, absl::Duration stuck_after) {
  Alert alert;
  alert.set_alert_id(StuckAlertId(delivery.command_id));
  alert.set_kind(Alert::COMMAND_STUCK);
  alert.set_case_id(delivery.case_id);
  alert.set_check_id(delivery.check_id);
  Alert::CommandStuck& facts = *alert.mutable_command_stuck();
  facts.set_command_id(delivery.command_id);
  facts.set_remedy_kind(delivery.kind);
  facts.set_line_id(delivery.line_id);
  facts.set_stuck_after_seconds(
      static_cast<int32_t>(absl::ToInt64Seconds(stuck_after)));
  // The server at the table must not promise what the POS does not show
  // yet, nor ring it in by hand (the adapter may still apply it: twice).
  alert.set_message(absl::StrCat(
      "The ", KindWords(delivery.kind), " for check ", delivery.check_id,
      delivery.line_id.empty() ? ""
                               : absl::StrCat(" (line ", delivery.line_id, ")"),
      " did not reach the POS: no adapter confirmed it ",
      WaitWords(stuck_after),
      " after it was sent. makegood keeps sending it; tell a manager, and "
      "do not ring it in by hand."));
  return alert;
}

}  // namespace makegood::core
