// Connect/JSON against gRPC: FlagProblem, then ApplyRemedy on the new case,
// over both of makegoodd's listeners in the same run against the same
// server, at a fixed offered rate (open loop: a flag is due at its
// scheduled time whether or not earlier ones have finished, and its latency
// counts from that time, so a client that falls behind cannot hide the
// queueing). The floor is the gRPC figure itself; the target is Connect's
// p50 and p99 within 1.5x of gRPC's.
//
// gRPC: one stub on one channel, asynchronous calls (HTTP/2 carries any
// number at once). Connect: libcurl on HTTP/1.1, a fixed pool of easy
// handles, each kept across requests (keep-alive) and owned by one worker
// thread, one request in flight per handle, as a browser on a tablet talks
// to one host; the dispatcher hands each flag to the pool at its scheduled
// time, and a flag that waits for a free connection waits on its own clock.

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_support.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace {

using makegood::bench::Authorize;
using makegood::bench::CheckId;
using makegood::bench::kManagerToken;
using makegood::bench::Percentiles;
using makegood::bench::RequestTally;
using makegood::bench::SeedChecks;
using makegood::bench::StartDaemon;
using makegood::bench::Summarize;
using makegood::v1::RecoveryCase;

// Keep-alive connections of the Connect client: as many as a browser opens
// to one host over HTTP/1.1.
constexpr int kConnections = 6;
// Flags of one transport in a row before the other's turn.
constexpr int kBlock = 100;
// The Connect target: p50 and p99 within this many times gRPC's.
constexpr double kTargetRatio = 1.5;

enum class Transport { kGrpc, kConnect };

const char* NameOf(Transport transport) {
  return transport == Transport::kGrpc ? "gRPC" : "Connect/JSON";
}

// One flag and its apply, over one transport.
struct Pair {
  Transport transport = Transport::kGrpc;
  bool measured = false;
  makegood::v1::FlagProblemRequest flag;
  makegood::v1::ApplyRemedyRequest apply;
  RecoveryCase flagged, applied;
  // gRPC only; authorized (token and deadline) when each call is sent.
  grpc::ClientContext flag_context, apply_context;
  // When the flag was due, when this client sent it, when the apply's
  // answer arrived.
  absl::Time scheduled, sent, done;
  // New HTTP connections its two calls opened (Connect only).
  int64_t new_connections = 0;
  absl::Status status;
};

// Flag `i` on check CheckId(i), with request ids of its own: every flag
// opens a case.
std::unique_ptr<Pair> NewPair(int i, Transport transport, bool measured) {
  auto pair = std::make_unique<Pair>();
  pair->transport = transport;
  pair->measured = measured;
  pair->flag.set_request_id(absl::StrCat("flag-", i));
  pair->flag.set_check_id(CheckId(i));
  pair->flag.add_line_ids("1");
  pair->flag.set_category_id("cold_food");
  pair->flag.set_severity(makegood::v1::MINOR);
  pair->flag.set_guest_words("Lukewarm");
  pair->apply.set_request_id(absl::StrCat("apply-", i));
  return pair;
}

absl::Status Annotated(const absl::Status& status, absl::string_view prefix) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// Names the flag's case and its refire in the apply. The refire is within
// every role's authority, so the apply sends its command at once and
// nothing waits for a manager's approval. An error when the flag did not
// open a new case or the case offers no refire.
absl::Status PrepareApply(Pair& pair) {
  if (pair.flagged.already_open()) {
    return absl::FailedPreconditionError(
        absl::StrCat(pair.flag.request_id(), " returned the open case ",
                     pair.flagged.case_id(), " instead of a new one"));
  }
  for (const auto& option : pair.flagged.options()) {
    if (option.remedy_id() == "refire") {
      pair.apply.set_case_id(pair.flagged.case_id());
      pair.apply.set_option_id(option.option_id());
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "case ", pair.flagged.case_id(), " of ", pair.flag.request_id(),
      " offers no refire: ", pair.flagged.ShortDebugString()));
}

// An error unless the apply sent the remedy.
absl::Status CheckApplied(const Pair& pair) {
  if (pair.applied.status() == RecoveryCase::REMEDY_APPLIED) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      pair.apply.request_id(), " left case ", pair.applied.case_id(), " ",
      RecoveryCase::Status_Name(pair.applied.status()),
      ", not REMEDY_APPLIED"));
}

// Ends `pair` with `status`, then counts it: the count may let the reader
// of every pair's status go on.
void FinishPair(RequestTally& tally, Pair& pair, absl::Status status) {
  pair.status = std::move(status);
  tally.Finish(pair.status);
}

// Sends the flag now and, when its case comes back, the apply, both
// asynchronously; `tally` hears of the pair when the apply answers.
void StartGrpcPair(makegood::v1::RecoveryService::Stub& stub, Pair* pair,
                   RequestTally& tally) {
  pair->sent = absl::Now();
  Authorize(pair->flag_context, kManagerToken);
  stub.async()->FlagProblem(
      &pair->flag_context, &pair->flag, &pair->flagged,
      [&stub, pair, &tally](grpc::Status flagged) {
        if (!flagged.ok()) {
          pair->done = absl::Now();
          FinishPair(
              tally, *pair,
              FromGrpc(flagged, "gRPC FlagProblem " + pair->flag.request_id()));
          return;
        }
        if (absl::Status prepared = PrepareApply(*pair); !prepared.ok()) {
          pair->done = absl::Now();
          FinishPair(tally, *pair, Annotated(prepared, "gRPC: "));
          return;
        }
        Authorize(pair->apply_context, kManagerToken);
        stub.async()->ApplyRemedy(
            &pair->apply_context, &pair->apply, &pair->applied,
            [pair, &tally](grpc::Status applied) {
              pair->done = absl::Now();
              FinishPair(tally, *pair,
                         applied.ok()
                             ? Annotated(CheckApplied(*pair), "gRPC: ")
                             : FromGrpc(applied, "gRPC ApplyRemedy " +
                                                     pair->apply.request_id()));
            });
      });
}

size_t AppendTo(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Unary Connect calls of makegood.v1.RecoveryService in JSON on one curl
// easy handle, whose connection stays open between calls (HTTP/1.1
// keep-alive). One call at a time.
class ConnectClient {
 public:
  ConnectClient(int http_port, const std::string& token)
      : base_url_(absl::StrCat("http://127.0.0.1:", http_port,
                               "/makegood.v1.RecoveryService/")),
        curl_(curl_easy_init()) {
    if (curl_ == nullptr) {
      std::cerr << "curl_easy_init failed" << std::endl;
      std::exit(1);
    }
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Connect-Protocol-Version: 1");
    headers_ = curl_slist_append(
        headers_, absl::StrCat("Authorization: Bearer ", token).c_str());
    // No "Expect: 100-continue" round trip before a body.
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(curl_, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    // Straight to loopback, whatever proxy the environment names.
    curl_easy_setopt(curl_, CURLOPT_PROXY, "");
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendTo);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
  }
  ConnectClient(const ConnectClient&) = delete;
  ConnectClient& operator=(const ConnectClient&) = delete;
  ~ConnectClient() {
    curl_easy_cleanup(curl_);
    curl_slist_free_all(headers_);
  }

  // POSTs `request` as proto3 JSON to the method and reads the answer's
  // JSON into `response`; adds the connections it opened to
  // `*new_connections`. An error naming the HTTP status and the Connect
  // error's body when the answer is not 200.
  absl::Status Call(absl::string_view method,
                    const google::protobuf::Message& request,
                    google::protobuf::Message* response,
                    int64_t* new_connections) {
    std::string body;
    if (auto json = google::protobuf::util::MessageToJsonString(request, &body);
        !json.ok()) {
      return absl::InternalError(absl::StrCat(
          method, ": cannot write the request as JSON: ", json.ToString()));
    }
    const std::string url = absl::StrCat(base_url_, method);
    answer_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    const CURLcode code = curl_easy_perform(curl_);
    long connects = 0;
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &connects);
    *new_connections += connects;
    if (code != CURLE_OK) {
      return absl::UnavailableError(
          absl::StrCat(method, ": ", curl_easy_strerror(code)));
    }
    long http_status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &http_status);
    if (http_status != 200) {
      return absl::UnknownError(
          absl::StrCat(method, ": HTTP ", http_status, " ", answer_));
    }
    if (auto parsed =
            google::protobuf::util::JsonStringToMessage(answer_, response);
        !parsed.ok()) {
      return absl::InternalError(absl::StrCat(
          method, ": the answer is not a JSON ", response->GetTypeName(), ": ",
          parsed.ToString(), ": ", answer_));
    }
    return absl::OkStatus();
  }

 private:
  const std::string base_url_;
  CURL* const curl_;
  curl_slist* headers_ = nullptr;
  std::string answer_;
};

// The flag, then the apply, on `client`, now.
absl::Status RunConnectPair(ConnectClient& client, Pair& pair) {
  pair.sent = absl::Now();
  if (absl::Status flagged = client.Call("FlagProblem", pair.flag,
                                         &pair.flagged, &pair.new_connections);
      !flagged.ok()) {
    return Annotated(
        flagged, absl::StrCat("Connect/JSON ", pair.flag.request_id(), " "));
  }
  if (absl::Status prepared = PrepareApply(pair); !prepared.ok()) {
    return Annotated(prepared, "Connect/JSON: ");
  }
  if (absl::Status applied = client.Call("ApplyRemedy", pair.apply,
                                         &pair.applied, &pair.new_connections);
      !applied.ok()) {
    return Annotated(
        applied, absl::StrCat("Connect/JSON ", pair.apply.request_id(), " "));
  }
  pair.done = absl::Now();
  return Annotated(CheckApplied(pair), "Connect/JSON: ");
}

// kConnections worker threads, each with its own ConnectClient, taking the
// pairs in the order they were submitted.
class ConnectPool {
 public:
  ConnectPool(int http_port, RequestTally& tally) : tally_(tally) {
    for (int i = 0; i < kConnections; ++i) {
      clients_.push_back(
          std::make_unique<ConnectClient>(http_port, kManagerToken));
    }
  }
  ConnectPool(const ConnectPool&) = delete;
  ConnectPool& operator=(const ConnectPool&) = delete;
  ~ConnectPool() { Stop(); }

  // Before Start, on the calling thread: opens every client's connection
  // with one of `pairs` (kConnections of them).
  absl::Status OpenConnections(const std::vector<Pair*>& pairs) {
    for (size_t i = 0; i < clients_.size(); ++i) {
      if (absl::Status status = RunConnectPair(*clients_[i], *pairs[i]);
          !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  void Start() {
    for (auto& client : clients_) {
      threads_.emplace_back([this, c = client.get()] { Work(*c); });
    }
  }

  void Submit(Pair* pair) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(pair);
    ready_.Signal();
  }

  // Lets the workers finish what is queued, then joins them.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      ready_.SignalAll();
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  void Work(ConnectClient& client) {
    for (;;) {
      Pair* pair = nullptr;
      {
        absl::MutexLock lock(&mu_);
        while (queue_.empty() && !stopping_) ready_.Wait(&mu_);
        if (queue_.empty()) return;
        pair = queue_.front();
        queue_.pop_front();
      }
      FinishPair(tally_, *pair, RunConnectPair(client, *pair));
    }
  }

  RequestTally& tally_;
  std::vector<std::unique_ptr<ConnectClient>> clients_;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  absl::CondVar ready_;
  std::deque<Pair*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// curl_global_init before any thread, curl_global_cleanup after all.
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

// The measured pairs of one transport.
struct Measured {
  std::vector<absl::Duration> latency;   // From the scheduled time.
  std::vector<absl::Duration> lateness;  // Sent after the scheduled time.
  int64_t new_connections = 0;
  int failed = 0;
};

Measured Collect(const std::vector<std::unique_ptr<Pair>>& pairs,
                 Transport transport) {
  Measured out;
  for (const auto& pair : pairs) {
    if (!pair->measured || pair->transport != transport) continue;
    out.new_connections += pair->new_connections;
    if (!pair->status.ok()) {
      ++out.failed;
      continue;
    }
    out.latency.push_back(pair->done - pair->scheduled);
    out.lateness.push_back(pair->sent - pair->scheduled);
  }
  return out;
}

std::string Ratio(double connect_ms, double grpc_ms) {
  const double ratio = grpc_ms > 0 ? connect_ms / grpc_ms : 0;
  return absl::StrFormat("%.2fx%s", ratio,
                         ratio > kTargetRatio ? " MISSED" : "");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Connect/JSON against gRPC: FlagProblem + ApplyRemedy, open loop, "
      "same server, same run",
      "connect_bench"};
  int flags = 1000;
  double rate = 100;
  int warmup = 100;
  app.add_option("--flags", flags, "Flags measured per transport")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rate", rate, "Flags offered per second")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", warmup,
                 "Flags per transport sent first and not measured")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const CurlGlobal curl_global;
  makegood::testing::TempDir dir;
  auto daemon = StartDaemon(dir);
  if (!daemon.ok()) return 1;
  if ((*daemon)->http_port() == 0) {
    std::cerr << "makegoodd did not report its HTTP port" << std::endl;
    return 1;
  }
  auto channel = grpc::CreateChannel((*daemon)->address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = makegood::v1::RecoveryService::NewStub(channel);

  // Every pair has a check and request ids of its own.
  std::vector<std::unique_ptr<Pair>> pairs;
  auto add = [&pairs](Transport transport, bool measured) {
    pairs.push_back(
        NewPair(static_cast<int>(pairs.size()), transport, measured));
    return pairs.back().get();
  };
  std::vector<Pair*> openers;
  for (int i = 0; i < kConnections; ++i) {
    openers.push_back(add(Transport::kConnect, false));
  }
  // The schedule: a warm-up of each transport, then the measured flags in
  // interleaved blocks (kBlock of gRPC, kBlock of Connect, ...) on one
  // continuous timeline, so that the disk's slow stretches and the
  // database's growth fall on both transports alike rather than on
  // whichever ran second.
  std::vector<Pair*> schedule;
  for (Transport transport : {Transport::kGrpc, Transport::kConnect}) {
    for (int i = 0; i < warmup; ++i) schedule.push_back(add(transport, false));
  }
  int grpc_left = flags, connect_left = flags;
  for (Transport turn = Transport::kGrpc; grpc_left > 0 || connect_left > 0;
       turn = turn == Transport::kGrpc ? Transport::kConnect
                                       : Transport::kGrpc) {
    int& left = turn == Transport::kGrpc ? grpc_left : connect_left;
    const int block = std::min(kBlock, left);
    for (int i = 0; i < block; ++i) schedule.push_back(add(turn, true));
    left -= block;
  }
  SeedChecks(*channel, static_cast<int>(pairs.size()));

  RequestTally tally(static_cast<int>(schedule.size()));
  ConnectPool pool((*daemon)->http_port(), tally);
  if (absl::Status opened = pool.OpenConnections(openers); !opened.ok()) {
    std::cerr << "FAILED: " << opened << std::endl;
    return 1;
  }
  pool.Start();

  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time start = absl::Now() + absl::Milliseconds(50);
  for (size_t i = 0; i < schedule.size(); ++i) {
    Pair* pair = schedule[i];
    pair->scheduled = start + interval * static_cast<int64_t>(i);
    const absl::Duration wait = pair->scheduled - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    if (pair->transport == Transport::kGrpc) {
      StartGrpcPair(*stub, pair, tally);
    } else {
      pool.Submit(pair);
    }
  }
  tally.WaitForAll();
  pool.Stop();

  const Measured grpc = Collect(pairs, Transport::kGrpc);
  const Measured connect = Collect(pairs, Transport::kConnect);
  if (!grpc.latency.empty() && !connect.latency.empty()) {
    const Percentiles g = Summarize(grpc.latency);
    const Percentiles c = Summarize(connect.latency);
    const Percentiles g_late = Summarize(grpc.lateness);
    const Percentiles c_late = Summarize(connect.lateness);
    std::cout << "FlagProblem+ApplyRemedy at " << rate << " flags/s, " << flags
              << " flags each, same server, same run\n"
              << absl::StrFormat("%-14s %8s %8s %8s\n", "transport", "p50 ms",
                                 "p99 ms", "max ms")
              << absl::StrFormat("%-14s %8.2f %8.2f %8.2f\n",
                                 NameOf(Transport::kGrpc), g.p50_ms, g.p99_ms,
                                 g.max_ms)
              << absl::StrFormat("%-14s %8.2f %8.2f %8.2f\n",
                                 NameOf(Transport::kConnect), c.p50_ms,
                                 c.p99_ms, c.max_ms)
              << absl::StrFormat(
                     "%-14s %8s %8s    (target: p50 and p99 within %.1fx of "
                     "gRPC)\n",
                     "ratio", Ratio(c.p50_ms, g.p50_ms),
                     Ratio(c.p99_ms, g.p99_ms), kTargetRatio)
              << "(each pair from its flag's scheduled time to the apply's "
                 "answer; "
              << kBlock << " flags of one transport, then " << kBlock
              << " of the other, alternating, after " << warmup
              << " warm-up flags of each)\n"
              << absl::StrFormat(
                     "sent after the scheduled time (part of the figures "
                     "above): gRPC p50 %.2f, p99 %.2f ms; Connect/JSON p50 "
                     "%.2f, p99 %.2f ms (waiting for one of its %d "
                     "connections included)\n",
                     g_late.p50_ms, g_late.p99_ms, c_late.p50_ms, c_late.p99_ms,
                     kConnections)
              << "Connect/JSON: " << kConnections
              << " keep-alive HTTP/1.1 connections, " << connect.new_connections
              << " new connections opened while measuring" << std::endl;
  }
  if (absl::Status first = tally.first_error(); !first.ok()) {
    int failed = 0;
    for (const Pair* pair : schedule) failed += pair->status.ok() ? 0 : 1;
    std::cerr << "FAILED: " << failed << " of " << schedule.size()
              << " pairs (measured: gRPC " << grpc.failed << ", Connect/JSON "
              << connect.failed << "); the first error: " << first << std::endl;
    return 1;
  }
  return 0;
}
