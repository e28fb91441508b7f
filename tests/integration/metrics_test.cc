// GET /metrics on makegoodd's HTTP listener (README, "Metrics"): the real
// daemon, real RPCs over gRPC, a scrape through libcurl as Prometheus makes
// it, and the body checked by Prometheus' own promtool. Who may scrape
// (METRICS, REPORTER, ADMIN), who may not, and that a METRICS credential
// makes no RPC. The alert rules of packaging/prometheus are checked and
// unit-tested with promtool too.
//
// The exposition text is read here from the format's specification (one
// sample a line, `name{labels} value`), not with the daemon's code.
//
// No test sleeps: a scrape happens after the calls it counts have
// answered, and a stream is known to be registered once it has received
// its first message.

#include <curl/curl.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/session.grpc.pb.h"

namespace makegood {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Demo tokens of packaging/config/sample.yaml beside daemon_fixture.h's.
constexpr char kMetricsToken[] = "demo-metrics-scrape";  // metrics-prometheus

constexpr char kExpositionType[] = "text/plain; version=0.0.4; charset=utf-8";

// ---------------------------------------------------------------------------
// HTTP, through libcurl.

struct HttpResponse {
  long status = 0;  // 0 when no response came (`error` says why).
  std::string error;
  // Names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;
};

size_t OnHeader(char* data, size_t size, size_t count, void* out) {
  const absl::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    static_cast<HttpResponse*>(out)
        ->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* out) {
  static_cast<HttpResponse*>(out)->body.append(data, size * count);
  return size * count;
}

// One request of `method` with the given header lines (and, for a POST,
// `body`); never through a proxy, 30 s at most.
HttpResponse Request(const std::string& method, const std::string& url,
                     const std::vector<std::string>& header_lines,
                     const std::string& body = "") {
  static const bool kInitialized =
      curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)kInitialized;
  HttpResponse response;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const std::string& line : header_lines) {
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.error = curl_easy_strerror(code);
  }
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  return response;
}

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  const auto it = response.headers.find(name);
  return it == response.headers.end() ? "" : it->second;
}

// ---------------------------------------------------------------------------
// The text format, from its specification.

struct Exposition {
  // "# TYPE name type" lines: name -> type.
  std::map<std::string, std::string> types;
  // Sample lines: "name{labels}" exactly as written -> value.
  std::map<std::string, double> samples;
  // Lines that are neither.
  std::vector<std::string> unreadable;

  // The value of `series`, or -1 when it is not there.
  double Value(const std::string& series) const {
    const auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
};

Exposition ReadExposition(absl::string_view text) {
  Exposition exposition;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || absl::StartsWith(line, "# HELP ")) continue;
    if (absl::ConsumePrefix(&line, "# TYPE ")) {
      const std::vector<std::string> parts = absl::StrSplit(line, ' ');
      if (parts.size() == 2) {
        exposition.types[parts[0]] = parts[1];
        continue;
      }
    }
    const size_t space = line.rfind(' ');
    double value = 0;
    if (line[0] != '#' && space != absl::string_view::npos &&
        absl::SimpleAtod(line.substr(space + 1), &value)) {
      exposition.samples[std::string(line.substr(0, space))] = value;
      continue;
    }
    exposition.unreadable.emplace_back(line);
  }
  return exposition;
}

// ---------------------------------------------------------------------------

class MetricsHttpTest : public RecoveryCallsTest {
 protected:
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", daemon_->http_port(), path);
  }

  HttpResponse Scrape(const std::string& token) {
    std::vector<std::string> headers;
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    return Request("GET", Url("/metrics"), headers);
  }

  // A scrape that must succeed, read.
  Exposition ScrapeOk() {
    const HttpResponse response = Scrape(kMetricsToken);
    EXPECT_EQ(response.status, 200) << response.error << response.body;
    EXPECT_EQ(HeaderOf(response, "content-type"), kExpositionType);
    return ReadExposition(response.body);
  }

  // promtool, as the README tells to find it; empty when it is missing.
  static std::string Promtool() {
    const std::string path = MAKEGOOD_PROMTOOL_BIN;
    if (path.empty() || absl::EndsWith(path, "NOTFOUND")) return "";
    return path;
  }
};

// A series of `family` with `labels` as the daemon writes them.
std::string Series(const std::string& family, const std::string& labels) {
  return labels.empty() ? family : absl::StrCat(family, "{", labels, "}");
}

constexpr char kFlagMethod[] = "makegood.v1.RecoveryService/FlagProblem";

TEST_F(MetricsHttpTest, AScrapeCountsTheCallsTheStoreAndTheOutbox) {
  const v1::RecoveryCase applied = CompOneLine("m-100");
  ASSERT_EQ(applied.remedies_size(), 1);
  v1::RecoveryCase refused;
  const grpc::Status wrong_token =
      Flag("not-anybodys-token", "flag-x", "m-100", {"1"}, "cold_food",
           v1::MAJOR, &refused);
  ASSERT_EQ(wrong_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  const Exposition metrics = ScrapeOk();
  EXPECT_THAT(metrics.unreadable, ::testing::IsEmpty());
  const std::map<std::string, std::string> families = {
      {"makegood_rpc_requests_total", "counter"},
      {"makegood_rpc_duration_seconds", "histogram"},
      {"makegood_store_commit_group_size", "histogram"},
      {"makegood_store_commit_duration_seconds", "histogram"},
      {"makegood_store_commit_sync_duration_seconds", "histogram"},
      {"makegood_store_write_queue_depth", "gauge"},
      {"makegood_store_wal_bytes", "gauge"},
      {"makegood_store_writable", "gauge"},
      {"makegood_outbox_backlog_commands", "gauge"},
      {"makegood_outbox_oldest_unacked_age_seconds", "gauge"},
      {"makegood_adapters_connected", "gauge"},
      {"makegood_watchers_connected", "gauge"},
      {"makegood_cases_open", "gauge"},
      {"makegood_remedies", "gauge"},
      {"makegood_auth_failures_total", "counter"},
  };
  for (const auto& [name, type] : families) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(metrics.types.contains(name));
    EXPECT_EQ(metrics.types.at(name), type);
  }

  // The calls: publish (a client stream), flag and apply answered OK, the
  // flag with a wrong token UNAUTHENTICATED; each answered call timed.
  const auto requests = [&](const std::string& method,
                            const std::string& code) {
    return metrics.Value(
        Series("makegood_rpc_requests_total",
               absl::StrCat("method=\"", method, "\",code=\"", code, "\"")));
  };
  EXPECT_GE(requests(kFlagMethod, "OK"), 1);
  EXPECT_GE(requests(kFlagMethod, "UNAUTHENTICATED"), 1);
  EXPECT_GE(requests("makegood.v1.RecoveryService/ApplyRemedy", "OK"), 1);
  EXPECT_GE(requests("makegood.v1.OrderEventService/Publish", "OK"), 1);
  EXPECT_GE(metrics.Value(Series("makegood_rpc_duration_seconds_count",
                                 absl::StrCat("method=\"", kFlagMethod, "\""))),
            2);
  EXPECT_GE(metrics.Value(Series("makegood_auth_failures_total",
                                 "reason=\"unknown_token\"")),
            1);
  EXPECT_EQ(metrics.Value(
                Series("makegood_auth_failures_total", "reason=\"wrong_pin\"")),
            0);

  // The store: groups committed (the location, the events, the flag, the
  // comp), the disk takes writes, the WAL has them.
  EXPECT_GE(metrics.Value("makegood_store_commit_group_size_count"), 4);
  EXPECT_GE(metrics.Value("makegood_store_commit_duration_seconds_count"), 4);
  EXPECT_GT(metrics.Value("makegood_store_commit_duration_seconds_sum"), 0);
  EXPECT_EQ(metrics.Value("makegood_store_commit_group_size_count"),
            metrics.Value(Series("makegood_store_commit_group_size_bucket",
                                 "le=\"+Inf\"")));
  EXPECT_GE(metrics.Value("makegood_store_write_queue_depth"), 0);
  EXPECT_GT(metrics.Value("makegood_store_wal_bytes"), 0);
  EXPECT_EQ(metrics.Value("makegood_store_writable"), 1);

  // The comp's one command waits for an adapter; its case is open.
  const std::string location = "location=\"downtown-01\"";
  EXPECT_EQ(metrics.Value(Series("makegood_outbox_backlog_commands", location)),
            1);
  EXPECT_GE(metrics.Value(
                Series("makegood_outbox_oldest_unacked_age_seconds", location)),
            0);
  EXPECT_EQ(metrics.Value("makegood_cases_open"), 1);
  EXPECT_EQ(metrics.Value(Series("makegood_remedies", "status=\"SENT\"")), 1);
  EXPECT_EQ(metrics.Value(Series("makegood_remedies", "status=\"APPLIED\"")),
            0);
  EXPECT_EQ(metrics.Value("makegood_adapters_connected"), 0);
  EXPECT_EQ(metrics.Value("makegood_watchers_connected"), 0);

  // Counters only go up: a second scrape sees the first one's traffic too.
  const Exposition again = ScrapeOk();
  EXPECT_GE(again.Value(Series(
                "makegood_rpc_requests_total",
                absl::StrCat("method=\"", kFlagMethod, "\",code=\"OK\""))),
            requests(kFlagMethod, "OK"));
}

TEST_F(MetricsHttpTest, ConnectedAdaptersAndWatchersAreCountedWhileOpen) {
  CompOneLine("m-200");  // A command for the adapter's first message.

  auto commands = v1::RemedyCommandService::NewStub(channel_);
  auto adapter_context = Context(kAdapterToken);
  v1::StreamCommandsRequest stream_request;
  stream_request.set_adapter_name("metrics-test");
  auto adapter =
      commands->StreamCommands(adapter_context.get(), stream_request);
  v1::RemedyCommand command;
  ASSERT_TRUE(adapter->Read(&command));  // Leased: the stream is registered.

  auto watch_context = Context(kManagerToken);
  auto watch = Recovery()->WatchRecoveries(watch_context.get(),
                                           v1::WatchRecoveriesRequest());
  v1::RecoveryUpdate update;
  bool caught_up = false;
  while (!caught_up && watch->Read(&update)) caught_up = update.has_caught_up();
  ASSERT_TRUE(caught_up);  // Registered before its caught_up went out.

  const Exposition metrics = ScrapeOk();
  EXPECT_EQ(metrics.Value("makegood_adapters_connected"), 1);
  EXPECT_EQ(metrics.Value("makegood_watchers_connected"), 1);

  adapter_context->TryCancel();
  adapter->Finish().IgnoreError();
  watch_context->TryCancel();
  watch->Finish().IgnoreError();
}

TEST_F(MetricsHttpTest, OnlyMetricsReporterAndAdminCredentialsMayScrape) {
  for (const char* token : {kMetricsToken, kReporterToken, kAdminToken}) {
    SCOPED_TRACE(token);
    const HttpResponse response = Scrape(token);
    EXPECT_EQ(response.status, 200) << response.error << response.body;
    EXPECT_EQ(HeaderOf(response, "content-type"), kExpositionType);
    EXPECT_THAT(response.body, HasSubstr("# TYPE makegood_rpc_requests_total"));
  }

  const HttpResponse no_token = Scrape("");
  EXPECT_EQ(no_token.status, 401) << no_token.error;
  EXPECT_THAT(HeaderOf(no_token, "www-authenticate"), StartsWith("Bearer"));
  EXPECT_THAT(no_token.body, HasSubstr("Authorization: Bearer <token>"));
  EXPECT_THAT(no_token.body, Not(HasSubstr("makegood_")));

  const HttpResponse unknown = Scrape("not-anybodys-token");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_THAT(HeaderOf(unknown, "www-authenticate"), StartsWith("Bearer"));

  const HttpResponse basic =
      Request("GET", Url("/metrics"), {"Authorization: Basic dXNlcjpwYXNz"});
  EXPECT_EQ(basic.status, 401);

  for (const char* token : {kServerToken, kManagerToken, kAdapterToken}) {
    SCOPED_TRACE(token);
    const HttpResponse refused = Scrape(token);
    EXPECT_EQ(refused.status, 403);
    EXPECT_THAT(refused.body, HasSubstr("METRICS, REPORTER or ADMIN"));
    EXPECT_THAT(refused.body, Not(HasSubstr("makegood_rpc")));
  }

  const HttpResponse post =
      Request("POST", Url("/metrics"),
              {"Authorization: Bearer " + std::string(kMetricsToken)});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(HeaderOf(post, "allow"), "GET");

  // The refusals above are counted by reason.
  const Exposition metrics = ScrapeOk();
  EXPECT_GE(metrics.Value(
                Series("makegood_auth_failures_total", "reason=\"no_token\"")),
            1);
  EXPECT_GE(metrics.Value(Series("makegood_auth_failures_total",
                                 "reason=\"unknown_token\"")),
            1);
  EXPECT_GE(metrics.Value(
                Series("makegood_auth_failures_total", "reason=\"malformed\"")),
            1);
  EXPECT_GE(metrics.Value(Series("makegood_auth_failures_total",
                                 "reason=\"wrong_role\"")),
            3);
}

TEST_F(MetricsHttpTest, AMetricsCredentialIsRefusedByEveryService) {
  const auto context = [&] { return Context(kMetricsToken); };
  const auto expect_denied = [](const char* call, const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << call << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("has role METRICS")) << call;
  };

  v1::Location location;
  expect_denied("GetLocation",
                v1::CheckService::NewStub(channel_)->GetLocation(
                    context().get(), v1::GetLocationRequest(), &location));
  v1::ListChecksResponse checks;
  expect_denied("ListChecks",
                v1::CheckService::NewStub(channel_)->ListChecks(
                    context().get(), v1::ListChecksRequest(), &checks));
  v1::PublishSummary summary;
  expect_denied("PublishBatch",
                v1::OrderEventService::NewStub(channel_)->PublishBatch(
                    context().get(), v1::PublishBatchRequest(), &summary));
  v1::RecoveryCase recovery;
  expect_denied("FlagProblem", Flag(kMetricsToken, "flag-metrics", "m-300",
                                    {"1"}, "cold_food", v1::MAJOR, &recovery));
  v1::ListRecoveriesResponse recoveries;
  expect_denied("ListRecoveries",
                Recovery()->ListRecoveries(
                    context().get(), v1::ListRecoveriesRequest(), &recoveries));
  v1::EndOfDayRequest day;
  day.set_business_date("2026-11-20");
  v1::EndOfDayReport report;
  expect_denied("EndOfDay", v1::ReportService::NewStub(channel_)->EndOfDay(
                                context().get(), day, &report));
  v1::ListCategoriesResponse categories;
  expect_denied("ListCategories",
                v1::SessionService::NewStub(channel_)->ListCategories(
                    context().get(), v1::ListCategoriesRequest(), &categories));
  {
    auto stream_context = context();
    v1::StreamCommandsRequest request;
    request.set_adapter_name("not-an-adapter");
    auto stream = v1::RemedyCommandService::NewStub(channel_)->StreamCommands(
        stream_context.get(), request);
    v1::RemedyCommand command;
    EXPECT_FALSE(stream->Read(&command));
    expect_denied("StreamCommands", stream->Finish());
  }
  {
    auto watch_context = context();
    auto watch = Recovery()->WatchRecoveries(watch_context.get(),
                                             v1::WatchRecoveriesRequest());
    v1::RecoveryUpdate update;
    EXPECT_FALSE(watch->Read(&update));
    expect_denied("WatchRecoveries", watch->Finish());
  }

  // Over Connect too: the same handlers behind the HTTP listener.
  const HttpResponse connect =
      Request("POST", Url("/makegood.v1.CheckService/GetLocation"),
              {"Authorization: Bearer " + std::string(kMetricsToken),
               "Content-Type: application/json", "Connect-Protocol-Version: 1"},
              "{}");
  EXPECT_EQ(connect.status, 403) << connect.body;
  EXPECT_THAT(connect.body, HasSubstr("permission_denied"));
}

TEST_F(MetricsHttpTest, PromtoolFindsTheScrapeValidAndLintFree) {
  const std::string promtool = Promtool();
  ASSERT_FALSE(promtool.empty())
      << "promtool was not found at configure time: install Debian's "
         "prometheus package (packaging/dev-setup.sh does) and configure "
         "again";
  CompOneLine("m-400");  // Histograms and labelled series with samples.
  v1::RecoveryCase refused;
  Flag("not-anybodys-token", "flag-y", "m-400", {"1"}, "cold_food", v1::MAJOR,
       &refused)
      .IgnoreError();
  const HttpResponse scrape = Scrape(kMetricsToken);
  ASSERT_EQ(scrape.status, 200) << scrape.error << scrape.body;
  const std::string path = dir_.File("scrape.txt");
  std::ofstream(path) << scrape.body;

  const CommandResult checked =
      RunCommand({promtool, "check", "metrics"}, {}, path);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  // Lint problems are printed one a line; a clean body prints nothing.
  EXPECT_EQ(checked.out, "");
  EXPECT_EQ(checked.err, "") << scrape.body;
}

TEST_F(MetricsHttpTest, PromtoolChecksAndUnitTestsTheAlertRules) {
  const std::string promtool = Promtool();
  ASSERT_FALSE(promtool.empty())
      << "promtool was not found at configure time: install Debian's "
         "prometheus package (packaging/dev-setup.sh does)";
  const std::string rules =
      std::string(MAKEGOOD_PROMETHEUS_DIR) + "/makegood-alerts.yml";
  const CommandResult checked = RunCommand({promtool, "check", "rules", rules});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("SUCCESS: 4 rules found"));

  const CommandResult tested = RunCommand(
      {promtool, "test", "rules",
       std::string(MAKEGOOD_PROMETHEUS_DIR) + "/makegood-alerts.test.yml"});
  EXPECT_EQ(tested.exit_code, 0) << tested.out << tested.err;
  EXPECT_THAT(tested.out, HasSubstr("SUCCESS"));

  // And the families the rules read are ones a scrape has.
  const Exposition metrics = ScrapeOk();
  std::ifstream in(rules);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* family :
       {"makegood_outbox_oldest_unacked_age_seconds", "makegood_store_writable",
        "makegood_auth_failures_total", "makegood_adapters_connected"}) {
    SCOPED_TRACE(family);
    EXPECT_THAT(text.str(), HasSubstr(family));
    EXPECT_TRUE(metrics.types.contains(family));
  }
}

}  // namespace
}  // namespace makegood
