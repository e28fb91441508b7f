#ifndef MAKEGOOD_STORE_IDEMPOTENCY_H_
#define MAKEGOOD_STORE_IDEMPOTENCY_H_

// Request ids: the first answer to a mutating request is kept, so that a
// retry (a double press, a network retry) gets it back and changes nothing.
//
// Invariants:
//  1. A request id is recorded in the transaction that carried out the
//     request, with the answer; a failed request records nothing.
//  2. The fingerprint covers the method, the caller and the request body;
//     the same id with another fingerprint is ALREADY_EXISTS.
//  3. Records are kept at least kIdempotencyRetention; SqliteStore's
//     maintenance deletes older ones.
//
// Errors: ALREADY_EXISTS, INTERNAL (SQLite failed).

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "store/sqlite_connection.h"

namespace makegood::store {

inline constexpr absl::Duration kIdempotencyRetention = absl::Hours(24 * 8);

// SHA-256 over the method, the caller and the request's deterministic
// serialization.
std::string RequestFingerprint(absl::string_view method,
                               absl::string_view caller,
                               const google::protobuf::Message& request);

// The stored answer (serialized) when the request id was seen with the same
// fingerprint; nullopt when it is new; ALREADY_EXISTS when it was used for a
// different request.
absl::StatusOr<std::optional<std::string>> FindAnswer(
    Connection& db, absl::string_view request_id, absl::string_view method,
    absl::string_view fingerprint);

// Records the answer.
absl::Status SaveAnswer(Connection& db, absl::string_view request_id,
                        absl::string_view method, absl::string_view fingerprint,
                        const std::string& answer, absl::Time now);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_IDEMPOTENCY_H_
