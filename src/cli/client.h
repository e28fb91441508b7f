#ifndef MAKEGOOD_CLI_CLIENT_H_
#define MAKEGOOD_CLI_CLIENT_H_

// How the CLI reaches makegoodd: channel, credentials, output format.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "google/protobuf/message.h"

namespace makegood::cli {

// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerSaidNo = 1;
inline constexpr int kExitUsage = 2;

enum class OutputFormat { kTable, kJson };

// Global options, filled by the command line before a subcommand runs.
struct ClientOptions {
  // host:port of makegoodd.
  std::string server = "127.0.0.1:50051";
  // Bearer token; MAKEGOOD_TOKEN when not given.
  std::string token;
  // PEM CA bundle: connect with TLS, trusting it.
  std::string tls_ca_file;
  OutputFormat output = OutputFormat::kTable;
  // Seconds before a call gives up.
  int timeout_seconds = 30;
};

// A channel to the server, TLS when a CA file is given.
std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions& options);

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

// Prints a failed call as "makegood: CODE: message" and returns exit 1.
int ReportRpcError(const grpc::Status& status);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_CLIENT_H_
