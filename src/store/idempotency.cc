#include "store/idempotency.h"

#include "absl/strings/str_cat.h"
#include "core/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace makegood::store {

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
    Connection& db, absl::string_view request_id, absl::string_view method,
    absl::string_view fingerprint) {
  auto stmt = db.Prepare(
      "SELECT method, fingerprint, response FROM idempotency "
      "WHERE request_id=?1");
  if (!stmt.ok()) return stmt.status();
  Statement& row = **stmt;
  auto found = row.Bind(1, request_id).Step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  if (row.Text(0) != method || row.Text(1) != fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: '", request_id,
                     "' was already used for a different request (",
                     row.Text(0), "); use a new request id for a new request"));
  }
  return std::optional<std::string>(row.Blob(2));
}

absl::Status SaveAnswer(Connection& db, absl::string_view request_id,
                        absl::string_view method, absl::string_view fingerprint,
                        const std::string& answer, absl::Time now) {
  const int64_t now_us = absl::ToUnixMicros(now);
  auto insert = db.Prepare(
      "INSERT INTO idempotency(request_id, method, fingerprint, response, "
      "created_at_us) VALUES(?1,?2,?3,?4,?5)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, request_id)
      .Bind(2, method)
      .Bind(3, fingerprint)
      .BindBlob(4, answer)
      .Bind(5, now_us)
      .Run();
}

}  // namespace makegood::store
