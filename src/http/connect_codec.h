#ifndef MAKEGOOD_HTTP_CONNECT_CODEC_H_
#define MAKEGOOD_HTTP_CONNECT_CODEC_H_

// The wire pieces of the Connect protocol (connectrpc.com/docs/protocol):
// error codes and their HTTP statuses, the error JSON, stream envelopes,
// the Connect headers and the request content types. Pure functions of
// their arguments; thread-safe.

#include <grpcpp/support/status.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/status.pb.h"
#include "nlohmann/json.hpp"

namespace makegood::http {

// The Connect name of a code: "ok", "canceled", "invalid_argument", ...
// ("unknown" for a value that is no code).
std::string ConnectCodeName(int grpc_code);

// The HTTP status a unary answer of `grpc_code` has (200 for OK).
int HttpStatusOf(int grpc_code);

// The Connect error object {"code","message","details"} of `status`: each
// detail as {"type": its full message name, "value": its bytes in base64
// without padding, "debug": its proto JSON}, so that a browser reads the
// reason without decoding protobuf. Text that is not UTF-8 (a message that
// repeats request bytes) has U+FFFD in place of each bad byte, so that the
// object always dumps.
nlohmann::json ConnectErrorJson(const google::rpc::Status& status);

// The most bytes of a request QuoteRequestBytes repeats.
inline constexpr size_t kMaxQuotedBytes = 100;

// Bytes of a request (a header, the path) as an error message repeats
// them: in single quotes, printable ASCII as it is and every other byte,
// a quote or a backslash as a C escape (\xff, \n, \'), the first
// kMaxQuotedBytes only, then "…". The message stays one line of UTF-8,
// whatever the client sent.
std::string QuoteRequestBytes(absl::string_view bytes);

// A google.rpc.Status from a gRPC status: its error_details when they hold
// one (makegoodd's services always set them), else code and message only.
google::rpc::Status RpcStatusOf(const grpc::Status& status);

// Envelope flags of the streaming protocol.
inline constexpr uint8_t kCompressedFlag = 0x01;
inline constexpr uint8_t kEndStreamFlag = 0x02;
// The prefix of every envelope: one flags byte, a 4-byte big-endian length.
inline constexpr size_t kEnvelopePrefixBytes = 5;

// One envelope holding `data`.
std::string Envelope(uint8_t flags, absl::string_view data);

// The end-of-stream envelope: {} when `status` is OK, else
// {"error": ConnectErrorJson}.
std::string EndStreamEnvelope(const grpc::Status& status);

// The messages of a streaming request body: every envelope in order, none
// compressed, each at most `max_message_bytes`. INVALID_ARGUMENT naming the
// envelope and the problem (a cut-off prefix or message, a flag that is not
// 0) otherwise.
absl::StatusOr<std::vector<std::string>> SplitEnvelopes(
    absl::string_view body, size_t max_message_bytes);

// How a request body is encoded.
enum class Codec { kJson, kProto };

struct ContentType {
  Codec codec = Codec::kJson;
  // application/connect+json or +proto: the streaming protocol.
  bool streaming = false;
};

// application/json (charset utf-8 only), application/proto,
// application/connect+json, application/connect+proto; nullopt for any
// other (HTTP 415).
std::optional<ContentType> ParseContentType(absl::string_view header);

// The Connect-Timeout-Ms header: nullopt when absent (empty), else a
// positive integer of at most 10 digits; INVALID_ARGUMENT otherwise.
absl::StatusOr<std::optional<absl::Duration>> ParseTimeout(
    absl::string_view header);

// The Connect-Protocol-Version header: absent (empty) or "1";
// INVALID_ARGUMENT otherwise.
absl::Status CheckProtocolVersion(absl::string_view header);

// "/makegood.v1.CheckService/ListChecks" → {"makegood.v1.CheckService",
// "ListChecks"}; nullopt when the path is not /<service>/<method>.
struct MethodPath {
  std::string service;
  std::string method;
};
std::optional<MethodPath> ParseMethodPath(absl::string_view path);

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_CONNECT_CODEC_H_
