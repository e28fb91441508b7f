#ifndef MAKEGOOD_HTTP_CONNECT_GATEWAY_H_
#define MAKEGOOD_HTTP_CONNECT_GATEWAY_H_

// Serves the Connect protocol for every RPC of makegood.v1: decodes the
// HTTP request (path, headers, JSON or binary body), runs it as a call to
// makegoodd's own gRPC server through its in-process channel, and encodes
// the answer (a unary response, a stream of envelopes, or a Connect
// error). The HTTP layer only decodes and encodes: authentication, role
// checks and the handler are those of the gRPC service. Thread-safe.

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace makegood::http {

class ConnectGateway {
 public:
  // `channel` reaches makegoodd's gRPC services in-process. Request
  // messages are at most `max_message_bytes`.
  ConnectGateway(std::shared_ptr<grpc::Channel> channel,
                 size_t max_message_bytes);
  ConnectGateway(const ConnectGateway&) = delete;
  ConnectGateway& operator=(const ConnectGateway&) = delete;

  // Answers a POST to /<service>/<method>.
  void Serve(const httplib::Request& request, httplib::Response& response);

  // Ends the streams being served (each with its end-of-stream message
  // when the client still listens) and refuses new calls; for shutdown.
  void Stop() { stopping_ = true; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  const size_t max_message_bytes_;
  std::atomic<bool> stopping_{false};
};

// A Connect error answer of `http_status`, for a request refused before
// any RPC ran (reason BAD_HTTP_REQUEST).
void RefuseRequest(httplib::Response& response, int http_status, int grpc_code,
                   const std::string& message);

// The Connect error answer of a failed call, with the HTTP status the spec
// gives its code.
void AnswerRpcError(httplib::Response& response, const grpc::Status& status);

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_CONNECT_GATEWAY_H_
