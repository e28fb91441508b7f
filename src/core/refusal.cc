#include "core/refusal.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace makegood::core {
namespace {

// Payload keys: type URLs of our own, never sent as such.
constexpr absl::string_view kReasonKey = "makegood.v1/reason";
constexpr absl::string_view kFieldKey = "makegood.v1/field";
constexpr absl::string_view kRetryKey = "makegood.v1/retry_after_ms";

bool LooksLikeFieldPath(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return text.front() >= 'a' && text.front() <= 'z';
}

}  // namespace

absl::Status Refuse(absl::StatusCode code, Reason reason,
                    absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kReasonKey,
                    absl::Cord(absl::StrCat(static_cast<int>(reason))));
  return status;
}

absl::Status BadField(absl::string_view field, absl::string_view what,
                      Reason reason) {
  absl::Status status = Refuse(absl::StatusCode::kInvalidArgument, reason,
                               absl::StrCat(field, ": ", what));
  status.SetPayload(kFieldKey, absl::Cord(field));
  return status;
}

std::optional<Reason> ReasonOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kReasonKey);
  int value = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &value) ||
      !makegood::v1::Error::Reason_IsValid(value)) {
    return std::nullopt;
  }
  return static_cast<Reason>(value);
}

std::string FieldOf(const absl::Status& status) {
  if (const auto field = status.GetPayload(kFieldKey))
    return std::string(*field);
  if (status.code() != absl::StatusCode::kInvalidArgument) return "";
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return "";
  const absl::string_view head = message.substr(0, colon);
  return LooksLikeFieldPath(head) ? std::string(head) : "";
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration delay) {
  status.SetPayload(kRetryKey,
                    absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
  return status;
}

std::optional<absl::Duration> RetryAfterOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kRetryKey);
  int64_t ms = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &ms)) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

}  // namespace makegood::core
