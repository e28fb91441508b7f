#ifndef MAKEGOOD_CORE_REFUSAL_H_
#define MAKEGOOD_CORE_REFUSAL_H_

// Refusals a program can read: an absl::Status with a stable reason from
// makegood.v1.Error.Reason and, for a bad field, the field's path, carried
// as payloads so that the service can turn them into google.rpc.ErrorInfo
// and google.rpc.BadRequest. The message stays English, for people.
// Pure; thread-safe.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "makegood/v1/errors.pb.h"

namespace makegood::core {

using Reason = makegood::v1::Error::Reason;

// A status with `code`, `message` and `reason`.
absl::Status Refuse(absl::StatusCode code, Reason reason,
                    absl::string_view message);

// INVALID_ARGUMENT for `field` (a path such as "line_ids[2]"), reason
// INVALID_FIELD unless another is given; the message is "field: what".
absl::Status BadField(absl::string_view field, absl::string_view what,
                      Reason reason = makegood::v1::Error::INVALID_FIELD);

// `status` with the time after which a retry may succeed (a PIN lock's
// end), for a google.rpc.RetryInfo.
absl::Status WithRetryAfter(absl::Status status, absl::Duration delay);

// The delay WithRetryAfter set, or nullopt.
std::optional<absl::Duration> RetryAfterOf(const absl::Status& status);

// The reason a status carries, or nullopt when none was set.
std::optional<Reason> ReasonOf(const absl::Status& status);

// The field path of an INVALID_ARGUMENT status: the one set by BadField,
// else the leading "path: " of its message when it looks like a field path
// (the convention every validator here follows), else empty.
std::string FieldOf(const absl::Status& status);

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_REFUSAL_H_
