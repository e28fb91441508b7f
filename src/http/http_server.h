#ifndef MAKEGOOD_HTTP_HTTP_SERVER_H_
#define MAKEGOOD_HTTP_HTTP_SERVER_H_

// makegoodd's HTTP listener (server.http): the tablet and manager web app
// (embedded at build time), every makegood.v1 RPC over the Connect
// protocol, and the end-of-day report page. Every call goes through
// makegoodd's own gRPC services (in-process), so both listeners share one
// implementation of each RPC, its auth and role checks. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http/metrics_page.h"
#include "makegood/v1/config.pb.h"

namespace httplib {
class Server;
}

namespace makegood::http {

class ConnectGateway;
class AppPages;
class TlsIdentity;

struct HttpServerOptions {
  // host:port; port 0 picks a free port.
  std::string listen;
  // Certificate and key (and client CA for mutual TLS); empty: plain HTTP,
  // which only a loopback address may use. ReloadTls reads the same files.
  makegood::v1::TlsConfig tls;
  // How errors name `tls`: server.http_tls, or server.tls when that one
  // serves both listeners.
  std::string tls_field = "server.http_tls";
  // Largest request body; a larger one is answered 413. HttpOptionsOf
  // fills these from the configuration.
  size_t max_body_bytes = 0;
  // TCP keepalive period on every connection (server.keepalive_seconds).
  int keepalive_seconds = 0;
  // makegoodd's gRPC services, in-process.
  std::shared_ptr<grpc::Channel> channel;
  // GET /metrics: who may scrape and what (http/metrics_page.h); without a
  // registry, the listener has no /metrics.
  MetricsPageOptions metrics;
};

// The options server.http* of the configuration give: http_tls, else the
// gRPC listener's tls; http_max_body_bytes, 1 MiB by default.
HttpServerOptions HttpOptionsOf(const makegood::v1::ServerConfig& server,
                                std::shared_ptr<grpc::Channel> channel);

// Whether server.http turns the listener on ("off" turns it off).
bool HttpEnabled(const makegood::v1::ServerConfig& server);

class HttpServer {
 public:
  // Binds and starts serving. FAILED_PRECONDITION for a non-loopback
  // address without TLS; INVALID_ARGUMENT for TLS files that do not load
  // (naming the field, the file and the problem, http/tls_identity.h);
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpServerOptions options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  int port() const { return port_; }
  // The host it listens on, as configured.
  const std::string& host() const { return host_; }

  // Whether it serves HTTPS.
  bool tls() const { return tls_ != nullptr; }
  // Reads its TLS files again (the paths it started with) and, when they
  // are valid, serves them to every new connection; connections already
  // open keep the certificate they began with. Otherwise INVALID_ARGUMENT
  // naming the file and the problem, and it goes on serving the running
  // certificate. FAILED_PRECONDITION when it serves plain HTTP.
  absl::Status ReloadTls();
  // The certificate it serves, for logs (TlsIdentity::Describe); "" for
  // plain HTTP.
  std::string TlsCertificate() const;

  // Stops accepting, ends the streams being served and waits for the
  // requests in flight. Before the gRPC server shuts down.
  void Stop();

 private:
  HttpServer();

  std::unique_ptr<ConnectGateway> gateway_;
  std::unique_ptr<AppPages> pages_;
  std::unique_ptr<MetricsPage> metrics_;
  // Before server_: its handshakes use it until server_ is gone.
  std::unique_ptr<TlsIdentity> tls_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_HTTP_SERVER_H_
