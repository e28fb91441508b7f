#ifndef MAKEGOOD_STORE_IDEMPOTENCY_H_
#define MAKEGOOD_STORE_IDEMPOTENCY_H_

// Request ids: the first answer to a mutating request is kept, so that a
// retry (a double press, a network retry) gets it back and changes nothing.
//
// Invariants:
//  1. A request id is scoped by its caller (the principal's credential id):
//     the key is (caller, request_id). One caller's id never returns another
//     caller's answer, and never refuses another caller's request.
//  2. A request id is recorded in the transaction that carried out the
//     request, with the answer; a failed request records nothing.
//  3. The fingerprint covers the method, the caller and the request body;
//     the same caller's id with another fingerprint is ALREADY_EXISTS.
//  4. Records written before schema version 4 carry caller '' (their caller
//     is known only inside their fingerprint): such a record answers a
//     request whose fingerprint matches it, which makes it that caller's, and
//     is ignored otherwise.
//  5. Records are kept at least kIdempotencyRetention after they were
//     written, by the store's clock; SqliteStore::CleanUpExpired deletes
//     older ones.
//
// Errors: ALREADY_EXISTS, INTERNAL (SQLite failed).

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

// The stored answer (serialized) when `caller` used the request id before
// with the same fingerprint; nullopt when the id is new for this caller;
// ALREADY_EXISTS when this caller used it for a different request.
absl::StatusOr<std::optional<std::string>> FindAnswer(
    Connection& db, absl::string_view caller, absl::string_view request_id,
    absl::string_view method, absl::string_view fingerprint);

// Records `caller`'s answer, written at `now`.
absl::Status SaveAnswer(Connection& db, absl::string_view caller,
                        absl::string_view request_id, absl::string_view method,
                        absl::string_view fingerprint,
                        const std::string& answer, absl::Time now);

// Deletes at most `most` of the records written before
// `now` - kIdempotencyRetention; returns how many it deleted (fewer than
// `most`: none is left).
absl::StatusOr<int64_t> DeleteExpiredAnswers(Connection& db, absl::Time now,
                                             int64_t most);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_IDEMPOTENCY_H_
