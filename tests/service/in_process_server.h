#ifndef MAKEGOOD_TESTS_SERVICE_IN_PROCESS_SERVER_H_
#define MAKEGOOD_TESTS_SERVICE_IN_PROCESS_SERVER_H_

// A gRPC server in the test's own process on a loopback port (0: a free
// one), serving one service, and a channel to it: reactors are tested
// through a real transport, without the daemon.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace makegood::service {

class InProcessServer {
 public:
  // `service` must outlive the server.
  explicit InProcessServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    EXPECT_NE(port_, 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials());
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;
  ~InProcessServer() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(10));
    server_->Wait();
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A context whose call gives up after 10 s, so that a test gone wrong ends.
inline std::unique_ptr<grpc::ClientContext> TestContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

// The google.rpc.ErrorInfo reason a status carries; "" without one.
inline std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

}  // namespace makegood::service

#endif  // MAKEGOOD_TESTS_SERVICE_IN_PROCESS_SERVER_H_
