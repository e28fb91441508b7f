// makegoodd's HTTP listener (http/http_server.h) in-process on loopback
// port 0, through a real HTTP client: what a request whose handler throws
// is answered, what the log says of it, and that the listener goes on
// serving. The handler that throws is GET /metrics, whose authorize
// callback (MetricsPageOptions) the test supplies; no RPC runs, so no
// makegoodd is behind the channel.

#include "http/http_server.h"

#include <httplib.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/metrics_page.h"
#include "nlohmann/json.hpp"
#include "telemetry/log.h"
#include "telemetry/metrics.h"

namespace makegood::http {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kFailureMessage[] =
    "makegoodd failed to answer this request; its log says why";

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    registry_.AddCounter("makegood_test_scrapes_total", "Scrapes.");
    // JSON lines, so that the test reads the fields back as they were.
    telemetry::ConfigureLogging(telemetry::LogFormat::kJson,
                                telemetry::LogLevel::kInfo, &log_);
  }
  ~HttpServerTest() override {
    // Joins every handler thread before log_ goes.
    server_.reset();
    telemetry::ConfigureLogging(telemetry::LogFormat::kLogfmt,
                                telemetry::LogLevel::kInfo, &std::cerr);
  }

  // Starts the listener with a /metrics that asks `authorize` who may
  // scrape.
  void Start(std::function<absl::Status(absl::string_view)> authorize) {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = 4096;
    options.keepalive_seconds = 60;
    // Never dialled: /metrics makes no call.
    options.channel =
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    options.metrics.registry = &registry_;
    options.metrics.authorize = std::move(authorize);
    absl::StatusOr<std::unique_ptr<HttpServer>> started =
        HttpServer::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  httplib::Result GetMetrics() {
    httplib::Client client("127.0.0.1", server_->port());
    const httplib::Headers headers = {
        {"Authorization", "Bearer scraper-token"}};
    return client.Get(kMetricsPath, headers);
  }

  // The log's http_handler_failed events. Stops the listener first, so
  // that every handler thread has ended (and written its lines).
  std::vector<json> HandlerFailures() {
    server_->Stop();
    std::vector<json> failures;
    for (absl::string_view line :
         absl::StrSplit(log_.str(), '\n', absl::SkipEmpty())) {
      json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_TRUE(event.is_object()) << line;
      if (event.is_object() && event["event"] == "http_handler_failed") {
        failures.push_back(std::move(event));
      }
    }
    return failures;
  }

  // The Connect error the listener answers in place of a handler's
  // exception: `internal`, HTTP 500, without the exception's text.
  void ExpectInternalError(const httplib::Result& result,
                           const std::string& exception_text) {
    ASSERT_TRUE(result) << httplib::to_string(result.error());
    EXPECT_EQ(result->status, 500);
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(json::parse(result->body, nullptr, /*allow_exceptions=*/false),
              json({{"code", "internal"}, {"message", kFailureMessage}}))
        << result->body;
    // The library's own answer would carry the text in this header.
    EXPECT_FALSE(result->has_header("EXCEPTION_WHAT"));
    for (const auto& [name, value] : result->headers) {
      EXPECT_THAT(value, Not(HasSubstr(exception_text))) << name;
    }
    EXPECT_THAT(result->body, Not(HasSubstr(exception_text)));
  }

  std::ostringstream log_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AHandlersExceptionIsAnInternalErrorAndItsTextIsLogged) {
  ASSERT_NO_FATAL_FAILURE(Start([](absl::string_view) -> absl::Status {
    throw std::runtime_error("credential table is gone");
  }));
  ASSERT_NO_FATAL_FAILURE(
      ExpectInternalError(GetMetrics(), "credential table is gone"));

  const std::vector<json> failures = HandlerFailures();
  ASSERT_EQ(failures.size(), 1u) << log_.str();
  EXPECT_EQ(failures[0]["level"], "error");
  EXPECT_EQ(failures[0]["method"], "GET");
  EXPECT_EQ(failures[0]["path"], "'/metrics'");
  EXPECT_EQ(failures[0]["error"], "credential table is gone");
}

TEST_F(HttpServerTest, AThrownValueThatIsNoStdExceptionIsAnsweredTheSameWay) {
  ASSERT_NO_FATAL_FAILURE(
      Start([](absl::string_view) -> absl::Status { throw 42; }));
  ASSERT_NO_FATAL_FAILURE(ExpectInternalError(GetMetrics(), "42"));

  const std::vector<json> failures = HandlerFailures();
  ASSERT_EQ(failures.size(), 1u) << log_.str();
  EXPECT_EQ(failures[0]["error"], "not a std::exception");
}

TEST_F(HttpServerTest, TheListenerGoesOnServingAfterAHandlerThrew) {
  std::atomic<int> calls{0};
  ASSERT_NO_FATAL_FAILURE(Start([&calls](absl::string_view) -> absl::Status {
    if (calls.fetch_add(1) == 0) {
      throw std::runtime_error("first scrape fails");
    }
    return absl::OkStatus();
  }));
  ASSERT_NO_FATAL_FAILURE(
      ExpectInternalError(GetMetrics(), "first scrape fails"));

  const httplib::Result second = GetMetrics();
  ASSERT_TRUE(second) << httplib::to_string(second.error());
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_THAT(second->body, HasSubstr("makegood_test_scrapes_total 0"));
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(HandlerFailures().size(), 1u) << log_.str();
}

}  // namespace
}  // namespace makegood::http
