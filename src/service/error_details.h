#ifndef MAKEGOOD_SERVICE_ERROR_DETAILS_H_
#define MAKEGOOD_SERVICE_ERROR_DETAILS_H_

// What a client is told of a failed request, the same for every transport:
// the status code, the English message, and a google.rpc.ErrorInfo with the
// stable reason (makegood.v1.Error.Reason, core/refusal.h) plus, for
// INVALID_ARGUMENT, a google.rpc.BadRequest naming the field.
//
// Server-side failures (INTERNAL, UNKNOWN, DATA_LOSS, and any status SQLite
// produced) never show their message (it may hold SQL or a file path): it
// goes to the daemon's log under an incident id, and the client is told
// the id. Thread-safe.

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace makegood::service {

// The domain of every ErrorInfo makegoodd sends.
inline constexpr char kErrorDomain[] = "makegood.v1";

// `status` (not OK) as the client sees it.
google::rpc::Status ClientStatus(const absl::Status& status);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_ERROR_DETAILS_H_
