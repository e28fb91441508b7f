#include "service/recovery_validation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "core/refusal.h"

namespace makegood::service {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxTextLength = 2000;

// Every field error names its path for google.rpc.BadRequest.
absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return core::BadField(field, what);
}

absl::Status RequireId(absl::string_view field, const std::string& value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > kMaxIdLength) {
    return Invalid(
        field, absl::StrCat("is longer than ", kMaxIdLength, " characters"));
  }
  return absl::OkStatus();
}

absl::Status LimitText(absl::string_view field, const std::string& value) {
  if (value.size() > kMaxTextLength) {
    return Invalid(
        field, absl::StrCat("is longer than ", kMaxTextLength, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateFlag(const makegood::v1::FlagProblemRequest& request,
                          const core::RecoveryRules& rules) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("check_id", request.check_id()); !s.ok()) return s;
  if (auto s = RequireId("category_id", request.category_id()); !s.ok())
    return s;
  if (rules.FindCategory(request.category_id()) == nullptr) {
    return core::BadField("category_id",
                          absl::StrCat("'", request.category_id(),
                                       "' is not a configured category"),
                          makegood::v1::Error::UNKNOWN_CATEGORY);
  }
  if (request.severity() == makegood::v1::SEVERITY_UNSPECIFIED) {
    return Invalid("severity", "is required (MINOR, MAJOR or SEVERE)");
  }
  std::set<std::string> lines;
  for (int i = 0; i < request.line_ids_size(); ++i) {
    const std::string field = absl::StrCat("line_ids[", i, "]");
    if (auto s = RequireId(field, request.line_ids(i)); !s.ok()) return s;
    if (!lines.insert(request.line_ids(i)).second) {
      return Invalid(
          field, absl::StrCat("'", request.line_ids(i), "' is listed twice"));
    }
  }
  if (auto s = LimitText("guest_words", request.guest_words()); !s.ok())
    return s;
  const auto& contact = request.guest_contact();
  if (contact.follow_up_consent() && contact.email().empty() &&
      contact.phone().empty()) {
    return Invalid("guest_contact",
                   "follow-up consent needs an email or a phone number");
  }
  return absl::OkStatus();
}

absl::Status ValidateApply(const makegood::v1::ApplyRemedyRequest& request) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", request.case_id()); !s.ok()) return s;
  if (request.option_id().empty() && request.extra_option_ids_size() == 0) {
    return Invalid("option_id", "choose an option or at least one extra");
  }
  return LimitText("note", request.note());
}

absl::Status ValidateApprove(
    const makegood::v1::ApproveRemedyRequest& request) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", request.case_id()); !s.ok()) return s;
  if (auto s =
          RequireId("remedy_application_id", request.remedy_application_id());
      !s.ok())
    return s;
  if (!request.approve() && request.reason().empty()) {
    return Invalid("reason", "is required when denying");
  }
  return LimitText("reason", request.reason());
}

absl::Status ValidateOutcome(
    const makegood::v1::RecordOutcomeRequest& request) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", request.case_id()); !s.ok()) return s;
  if (request.guest_response() == makegood::v1::GUEST_RESPONSE_UNSPECIFIED &&
      request.root_cause() == makegood::v1::ROOT_CAUSE_UNSPECIFIED &&
      request.action_taken().empty()) {
    return Invalid("guest_response",
                   "give the guest's response, a root cause or the action "
                   "taken");
  }
  return LimitText("action_taken", request.action_taken());
}

absl::Status ValidateAck(const makegood::v1::AckCommandRequest& request) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("command_id", request.command_id()); !s.ok()) return s;
  if (request.result() == makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED)
    return Invalid("result", "is required (APPLIED, REJECTED or RETRY_LATER)");
  if (request.retry_after_seconds() < 0 ||
      request.retry_after_seconds() > 3600) {
    return Invalid("retry_after_seconds",
                   absl::StrCat("must be 0 (30 s) to 3600, got ",
                                request.retry_after_seconds()));
  }
  if (request.result() == makegood::v1::AckCommandRequest::REJECTED &&
      request.vendor_reason().empty()) {
    return Invalid("vendor_reason",
                   "is required with REJECTED: staff need it to offer the "
                   "next option");
  }
  return LimitText("vendor_reason", request.vendor_reason());
}

absl::Status ValidateCompleteFollowUp(
    const makegood::v1::CompleteFollowUpRequest& request) {
  if (auto s = RequireId("request_id", request.request_id()); !s.ok()) return s;
  if (auto s = RequireId("case_id", request.case_id()); !s.ok()) return s;
  if (request.note().empty()) return Invalid("note", "is required");
  return LimitText("note", request.note());
}

}  // namespace makegood::service
