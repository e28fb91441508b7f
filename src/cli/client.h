#ifndef MAKEGOOD_CLI_CLIENT_H_
#define MAKEGOOD_CLI_CLIENT_H_

// How the CLI reaches makegoodd (through src/client: channel, TLS, token)
// and shows the answers: exit codes, output format, errors.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "client/connection.h"
#include "google/protobuf/message.h"

namespace makegood::cli {

// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerSaidNo = 1;
inline constexpr int kExitUsage = 2;

enum class OutputFormat { kTable, kJson };

// Global options, filled by the command line before a subcommand runs.
struct ClientOptions {
  // Where makegoodd is and how to reach it: --server, --tls-ca, --tls-cert,
  // --tls-key (client::AddConnectionFlags).
  client::ConnectionOptions connection;
  // Bearer token: --token, --token-file, else MAKEGOOD_TOKEN.
  std::string token;
  OutputFormat output = OutputFormat::kTable;
  // Tables and screens show times in UTC instead of the location's time
  // zone (--utc). JSON output is always RFC 3339 UTC.
  bool utc = false;
  // Seconds before a call gives up.
  int timeout_seconds = 30;
};

// A channel to the server with client::ChannelCredentialsFor, TLS when a
// CA file is given (with the client certificate, when one is), and
// `arguments` (a long-lived stream sets its reconnect backoff there).
// Should a TLS file have become unreadable since the command line was
// checked, says so and connects with TLS trusting the system's roots,
// never in plaintext.
std::shared_ptr<grpc::Channel> MakeChannel(
    const ClientOptions& options,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

// Sets the deadline and the bearer token on a call.
void PrepareContext(const ClientOptions& options, grpc::ClientContext& context);

// Prints `message` on stdout in the proto JSON mapping with the proto's
// field names; zero counts and empty strings too when `print_zero_values`.
void PrintJson(const google::protobuf::Message& message,
               bool print_zero_values = false);

// A fresh request id ("cli-" and 16 random symbols): retries of one command
// line reuse what --request-id names; without it each run is a new request.
std::string NewRequestId();

// Prints a call's answer and returns the exit code: a failed call as
// ReportRpcError does; else `message` as JSON with --output json, otherwise
// through `print_table`.
int PrintAnswer(const ClientOptions& options, const grpc::Status& status,
                const google::protobuf::Message& message,
                const std::function<void()>& print_table);

// What a failed call says, read from the google.rpc.Status that makegoodd
// puts in grpc::Status::error_details(): the ErrorInfo of domain
// "makegood.v1" and, for INVALID_ARGUMENT, the BadRequest. `reason` and
// `field` stay empty when the status carries no such details (an older
// makegoodd, a failure of the connection itself).
struct RpcError {
  // The canonical code's name: "FAILED_PRECONDITION".
  std::string code;
  // The English message, for people.
  std::string message;
  // A makegood.v1.Error.Reason name: "OVER_AUTHORITY"; "" when none.
  std::string reason;
  // The first offending field's path: "line_ids[2]"; "" when none.
  std::string field;
};
RpcError ReadRpcError(const grpc::Status& status);

// For people: "FAILED_PRECONDITION (OVER_AUTHORITY): cannot approve: ...",
// or "UNAVAILABLE: ..." without a reason.
std::string RpcErrorText(const RpcError& error);

// For programs, one line of JSON:
// {"code":"FAILED_PRECONDITION","message":"...","reason":"OVER_AUTHORITY",
//  "field":"..."}, "reason" and "field" only when set, and
// "retry_in_seconds" when `retry_in` is positive (a watch reconnecting).
std::string RpcErrorJson(const RpcError& error,
                         absl::Duration retry_in = absl::ZeroDuration());

// Prints a failed call on stderr and returns exit 1 (kExitServerSaidNo):
// "makegood: " and RpcErrorText, then for UNAVAILABLE what to check (the
// address; with TLS, the CA and client certificate flags), or with
// --output json RpcErrorJson alone (stdout keeps answers only, so a
// program reads an answer or nothing).
int ReportRpcError(const ClientOptions& options, const grpc::Status& status);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_CLIENT_H_
