#include "store/idempotency.h"

#include "absl/strings/str_cat.h"
#include "core/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace makegood::store {
namespace {

// The caller of records written before schema version 4.
constexpr absl::string_view kUnscopedCaller = "";

}  // namespace

std::string RequestFingerprint(absl::string_view method,
                               absl::string_view caller,
                               const google::protobuf::Message& request) {
  std::string body;
  {
    google::protobuf::io::StringOutputStream stream(&body);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return core::Sha256Hex(absl::StrCat(method.size(), ":", method, ";",
                                      caller.size(), ":", caller, ";", body));
}

absl::StatusOr<std::optional<std::string>> FindAnswer(
    Connection& db, absl::string_view caller, absl::string_view request_id,
    absl::string_view method, absl::string_view fingerprint) {
  // The caller's own record first; else one from before callers were
  // recorded (invariant 4). Two point reads of the primary key.
  auto stmt = db.Prepare(
      "SELECT caller, method, fingerprint, response FROM idempotency "
      "WHERE request_id=?2 AND caller IN (?1, ?3) "
      "ORDER BY caller=?3 LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto found =
      row.Bind(1, caller).Bind(2, request_id).Bind(3, kUnscopedCaller).Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  const bool own = row.Text(0) == caller;
  if (row.Text(1) == method && row.Text(2) == fingerprint) {
    return std::optional<std::string>(row.Blob(3));
  }
  if (!own) return std::optional<std::string>();  // Someone else's.
  return absl::AlreadyExistsError(absl::StrCat(
      "request_id: '", request_id,
      "' was already used by this caller for a different request (",
      row.Text(1), "); use a new request id for a new request"));
}

absl::Status SaveAnswer(Connection& db, absl::string_view caller,
                        absl::string_view request_id, absl::string_view method,
                        absl::string_view fingerprint,
                        const std::string& answer, absl::Time now) {
  auto insert = db.Prepare(
      "INSERT INTO idempotency(caller, request_id, method, fingerprint, "
      "response, created_at_us) VALUES(?1,?2,?3,?4,?5,?6)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, caller)
      .Bind(2, request_id)
      .Bind(3, method)
      .Bind(4, fingerprint)
      .BindBlob(5, answer)
      .Bind(6, absl::ToUnixMicros(now))
      .Run();
}

absl::StatusOr<int64_t> DeleteExpiredAnswers(Connection& db, absl::Time now,
                                             int64_t most) {
  // No index on the age: this scan runs once per cleanup interval, so that
  // each request writes one page less. A batch stops at `most` rows, each
  // found by the scan from the table's start; the rows of every earlier
  // batch are gone, so the batches of one cleanup read the table about once.
  auto stmt = db.Prepare(
      "DELETE FROM idempotency WHERE (caller, request_id) IN ("
      "SELECT caller, request_id FROM idempotency WHERE created_at_us < ?1 "
      "LIMIT ?2)");
  if (!stmt.ok()) return stmt.status();
  absl::Status deleted =
      (*stmt)
          ->Bind(1, absl::ToUnixMicros(now - kIdempotencyRetention))
          .Bind(2, most)
          .Run();
  if (!deleted.ok()) return deleted;
  return db.Changes();
}

}  // namespace makegood::store
