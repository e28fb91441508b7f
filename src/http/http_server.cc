#include "http/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <regex>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "config/config_validation.h"
#include "http/app_pages.h"
#include "http/connect_codec.h"
#include "http/connect_gateway.h"
#include "http/tls_identity.h"
#include "telemetry/log.h"

namespace makegood::http {
namespace {

// Worker threads: each open keep-alive connection and each server stream
// (a manager screen's watch) holds one while it lasts.
constexpr size_t kWorkerThreads = 64;
// Requests one kept-alive connection may carry before it is closed.
constexpr size_t kKeepAliveRequests = 10000;

// The app's pages run only their own scripts and talk only to this origin;
// the report page may style itself inline (it is one self-contained file).
constexpr char kAppPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
constexpr char kReportPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

// The Connect code an error answer without a body stands for.
int GrpcCodeOfHttpStatus(int status) {
  switch (status) {
    case 400:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 404:
      return grpc::StatusCode::UNIMPLEMENTED;
    case 405:
    case 415:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 413:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case 503:
      return grpc::StatusCode::UNAVAILABLE;
    default:
      return grpc::StatusCode::UNKNOWN;
  }
}

// What the library's own constructors set, with TLS 1.2 as the oldest
// protocol, as on the gRPC listener.
void SetUpTlsContext(SSL_CTX& ctx) {
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION |
                                SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
}

// The answer to a request whose handler threw: a Connect `internal` error
// without the exception's text, which goes to the log. Without an
// exception handler the library would answer an empty 500 with the text
// in an EXCEPTION_WHAT header. What the handler had set up to stream is
// dropped.
void AnswerHandlerFailure(const httplib::Request& request,
                          httplib::Response& response,
                          std::exception_ptr error) noexcept {
  try {
    std::string what = "not a std::exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    telemetry::LogEvent(telemetry::LogLevel::kError, "http_handler_failed",
                        {{"method", request.method},
                         {"path", QuoteRequestBytes(request.path)},
                         {"error", what}});
    response.content_provider_ = nullptr;
    response.content_length_ = 0;
    response.is_chunked_content_provider_ = false;
    AnswerRpcError(response,
                   grpc::Status(grpc::StatusCode::INTERNAL,
                                "makegoodd failed to answer this request; "
                                "its log says why"));
  } catch (...) {
    response.status = 500;
  }
}

struct HostPort {
  std::string host;
  int port = 0;
};

std::optional<HostPort> SplitHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  HostPort out;
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' &&
      out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (!absl::SimpleAtoi(address.substr(colon + 1), &out.port) || out.port < 0 ||
      out.port > 65535) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

HttpServerOptions HttpOptionsOf(const makegood::v1::ServerConfig& server,
                                std::shared_ptr<grpc::Channel> channel) {
  // A Config built in code may not have been through the loader, which
  // fills these defaults in.
  HttpServerOptions options;
  options.listen = server.http().empty() ? config::kDefaultHttp : server.http();
  const bool own_tls = !server.http_tls().cert_file().empty();
  options.tls = own_tls ? server.http_tls() : server.tls();
  options.tls_field = own_tls ? "server.http_tls" : "server.tls";
  options.max_body_bytes = static_cast<size_t>(
      server.http_max_body_bytes() > 0 ? server.http_max_body_bytes()
                                       : config::kDefaultHttpMaxBodyBytes);
  options.keepalive_seconds = server.keepalive_seconds() > 0
                                  ? server.keepalive_seconds()
                                  : config::kDefaultKeepaliveSeconds;
  options.channel = std::move(channel);
  return options;
}

bool HttpEnabled(const makegood::v1::ServerConfig& server) {
  return server.http() != config::kHttpOff;
}

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    HttpServerOptions options) {
  const std::optional<HostPort> address = SplitHostPort(options.listen);
  if (!address.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("server.http: '", options.listen, "' is not host:port"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->host_ = options.listen.substr(0, options.listen.rfind(':'));
  const auto& tls = options.tls;
  if (tls.cert_file().empty()) {
    if (!config::IsLoopbackListenAddress(options.listen)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve HTTP on ", options.listen,
          " without TLS: staff PINs and session tokens would cross the "
          "network in clear. Set server.http_tls (or server.tls) in the "
          "configuration, or listen on 127.0.0.1"));
    }
    server->server_ = std::make_unique<httplib::Server>();
  } else {
    // The files load through the same path as a reload's, and every
    // handshake takes its certificate from there.
    TlsFiles files;
    files.cert_file = tls.cert_file();
    files.key_file = tls.key_file();
    files.client_ca_file = tls.client_ca_file();
    files.field = options.tls_field;
    absl::StatusOr<std::unique_ptr<TlsIdentity>> identity =
        TlsIdentity::Load(std::move(files));
    if (!identity.ok()) return identity.status();
    server->tls_ = *std::move(identity);
    TlsIdentity* tls_identity = server->tls_.get();
    auto tls_server =
        std::make_unique<httplib::SSLServer>([tls_identity](SSL_CTX& ctx) {
          SetUpTlsContext(ctx);
          tls_identity->Install(&ctx);
          return true;
        });
    if (!tls_server->is_valid()) {
      return absl::InternalError(
          "OpenSSL could not make the HTTP listener's TLS context");
    }
    server->server_ = std::move(tls_server);
  }
  server->gateway_ =
      std::make_unique<ConnectGateway>(options.channel, options.max_body_bytes);
  server->pages_ = std::make_unique<AppPages>(options.channel);
  server->metrics_ = std::make_unique<MetricsPage>(options.metrics);

  httplib::Server& http = *server->server_;
  http.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_keep_alive_max_count(kKeepAliveRequests);
  // Answers go out at once: a header and a body written apart would
  // otherwise wait for the client's delayed ACK (40 ms) on a kept-alive
  // connection.
  http.set_tcp_nodelay(true);
  // TCP keepalive on every connection (accepted sockets inherit it from
  // the listening one): a half-open connection under a quiet stream, a
  // tablet whose Wi-Fi died, is closed within a few periods and its watch
  // or command stream ends.
  const int keepalive = std::max(1, options.keepalive_seconds);
  http.set_socket_options([keepalive](socket_t socket) {
    const int on = 1;
    const int probes = 2;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    setsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    setsockopt(socket, IPPROTO_TCP, TCP_KEEPIDLE, &keepalive,
               sizeof(keepalive));
    setsockopt(socket, IPPROTO_TCP, TCP_KEEPINTVL, &keepalive,
               sizeof(keepalive));
    setsockopt(socket, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes));
  });
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });
  http.set_post_routing_handler(
      [](const httplib::Request& request, httplib::Response& response) {
        if (!response.has_header("Content-Security-Policy")) {
          response.set_header("Content-Security-Policy", kAppPolicy);
        }
        if (!response.has_header("Cache-Control")) {
          response.set_header("Cache-Control", "no-store");
        }
      });
  const size_t max_body = options.max_body_bytes;
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        std::string message;
        switch (response.status) {
          case 413:
            message = absl::StrCat(
                "the request body is over the server's limit of ", max_body,
                " bytes (server.http_max_body_bytes); nothing was done");
            break;
          case 404:
            message = "no such page or method";
            break;
          case 411:
            message = "send the request with a Content-Length";
            break;
          default:
            message = absl::StrCat("HTTP ", response.status);
        }
        RefuseRequest(response, response.status,
                      GrpcCodeOfHttpStatus(response.status), message);
        return httplib::Server::HandlerResponse::Handled;
      }));
  // No exception leaves a handler (the routing ones, the pre-routing one,
  // reading the body) for the library to answer.
  http.set_exception_handler(AnswerHandlerFailure);

  ConnectGateway* gateway = server->gateway_.get();
  AppPages* pages = server->pages_.get();
  http.Post(R"(/[^/]+/[^/]+)", [gateway](const httplib::Request& request,
                                         httplib::Response& response) {
    gateway->Serve(request, response);
  });
  // An RPC path asked with another method: the spec's 405, answered
  // before the library would read (or refuse) a body.
  static const std::regex kRpcPath(R"(/makegood\.v1\.[^/]+/[^/]+)");
  const bool metrics_on = options.metrics.registry != nullptr;
  http.set_pre_routing_handler([metrics_on](const httplib::Request& request,
                                            httplib::Response& response) {
    if (metrics_on && MetricsPage::RefuseOtherMethods(request, response)) {
      return httplib::Server::HandlerResponse::Handled;
    }
    if (request.method == "POST" || !std::regex_match(request.path, kRpcPath)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.set_header("Allow", "POST");
    RefuseRequest(response, 405, grpc::StatusCode::INVALID_ARGUMENT,
                  absl::StrCat(request.method, " ", request.path,
                               ": Connect calls are POST requests"));
    return httplib::Server::HandlerResponse::Handled;
  });

  http.Get("/", [pages](const httplib::Request&, httplib::Response& response) {
    pages->Index(response);
  });
  http.Get("/manifest.webmanifest",
           [pages](const httplib::Request&, httplib::Response& response) {
             pages->Manifest(response);
           });
  http.Get(
      R"(/assets/([0-9a-f]+)/(.+))",
      [pages](const httplib::Request& request, httplib::Response& response) {
        pages->Asset(request.matches[1], request.matches[2], response);
      });
  http.Get("/reports/end-of-day", [pages](const httplib::Request& request,
                                          httplib::Response& response) {
    response.set_header("Content-Security-Policy", kReportPolicy);
    pages->EndOfDayReport(request, response);
  });
  if (metrics_on) {
    const MetricsPage* metrics = server->metrics_.get();
    http.Get(kMetricsPath, [metrics](const httplib::Request& request,
                                     httplib::Response& response) {
      metrics->Serve(request, response);
    });
  }

  if (address->port == 0) {
    server->port_ = http.bind_to_any_port(address->host);
  } else if (http.bind_to_port(address->host, address->port)) {
    server->port_ = address->port;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", options.listen,
                     ": the address is in use or not this machine's"));
  }
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // Until the loop runs, the library's stop() would do nothing and the
  // loop would then run forever: a SIGTERM right after start must stop it.
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (!http.is_running() && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (!http.is_running()) {
    return absl::UnavailableError("the HTTP listener did not start");
  }
  return server;
}

absl::Status HttpServer::ReloadTls() {
  if (tls_ == nullptr) {
    return absl::FailedPreconditionError(
        "the HTTP listener serves plain HTTP: it has no TLS files to read");
  }
  return tls_->Reload();
}

std::string HttpServer::TlsCertificate() const {
  return tls_ == nullptr ? "" : tls_->Describe();
}

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  if (gateway_ != nullptr) gateway_->Stop();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace makegood::http
