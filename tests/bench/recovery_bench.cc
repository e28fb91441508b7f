// Recovery latency benchmark: FlagProblem, then ApplyRemedy on the case, at
// a fixed offered rate (open loop: a flag is sent at its scheduled time
// whether or not earlier ones have finished, and its latency counts from
// that time), against the floor of an empty unary RPC on the same server
// plus one durable SQLite commit.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bench/bench_support.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "sqlite/connection.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace {

using makegood::v1::RecoveryCase;

using makegood::bench::Authorize;
using makegood::bench::CheckId;
using makegood::bench::kManagerToken;
using makegood::bench::Percentiles;
using makegood::bench::SeedChecks;
using makegood::bench::StartDaemon;
using makegood::bench::Summarize;

std::string Ms(double ms) { return absl::StrCat(ms, " ms"); }

// One flag and its apply.
struct Pair {
  grpc::ClientContext flag_context, apply_context;
  makegood::v1::FlagProblemRequest flag;
  makegood::v1::ApplyRemedyRequest apply;
  RecoveryCase flagged, applied;
  absl::Time scheduled, apply_sent;
  // How late this client sent the flag: part of flag_latency, which counts
  // from the scheduled time.
  absl::Duration send_lateness;
  absl::Duration flag_latency, apply_latency;
  bool ok = false;
};

// Empty unary RPC: grpc.health.v1.Health/Check with an empty request.
std::vector<absl::Duration> EmptyRpcLatencies(
    std::shared_ptr<grpc::Channel> channel, int count) {
  grpc::GenericStub stub(channel);
  std::vector<absl::Duration> samples;
  for (int i = 0; i < count; ++i) {
    grpc::ClientContext context;
    grpc::Slice empty;
    grpc::ByteBuffer request(&empty, 1), response;
    absl::Notification done;
    const absl::Time start = absl::Now();
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check",
                   grpc::StubOptions(), &request, &response,
                   [&](grpc::Status) { done.Notify(); });
    done.WaitForNotification();
    samples.push_back(absl::Now() - start);
  }
  return samples;
}

// One small durable transaction at a time, with the store's pragmas.
std::vector<absl::Duration> CommitLatencies(const std::string& path,
                                            int count) {
  auto db = makegood::sqlite::Connection::Open(path, /*read_only=*/false);
  if (!db.ok() ||
      !(*db)->Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)").ok()) {
    std::cerr << "floor: cannot open " << path << std::endl;
    std::exit(1);
  }
  std::vector<absl::Duration> samples;
  for (int i = 0; i < count; ++i) {
    const absl::Time start = absl::Now();
    absl::Status s =
        (*db)->Exec("BEGIN IMMEDIATE; INSERT INTO t(v) VALUES('x'); COMMIT");
    samples.push_back(absl::Now() - start);
    if (!s.ok()) {
      std::cerr << "floor: " << s << std::endl;
      std::exit(1);
    }
  }
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Recovery latency: FlagProblem + ApplyRemedy, open loop",
               "recovery_bench"};
  int rate = 1000;
  int seconds = 5;
  int warmup = 500;
  app.add_option("--rate", rate, "Flags offered per second")
      ->capture_default_str();
  app.add_option("--seconds", seconds, "How long to offer them")
      ->capture_default_str();
  app.add_option("--warmup", warmup, "Flags sent first and not measured")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  makegood::testing::TempDir dir;
  auto daemon = StartDaemon(dir);
  if (!daemon.ok()) return 1;
  auto channel = grpc::CreateChannel((*daemon)->address(),
                                     grpc::InsecureChannelCredentials());
  const int total = warmup + rate * seconds;
  SeedChecks(*channel, total);
  auto stub = makegood::v1::RecoveryService::NewStub(channel);

  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < total; ++i) {
    auto pair = std::make_unique<Pair>();
    pair->flag.set_request_id(absl::StrCat("flag-", i));
    pair->flag.set_check_id(CheckId(i));
    pair->flag.add_line_ids("1");
    pair->flag.set_category_id("cold_food");
    pair->flag.set_severity(makegood::v1::MINOR);
    pair->flag.set_guest_words("Lukewarm");
    pair->apply.set_request_id(absl::StrCat("apply-", i));
    pair->apply.set_option_id("o1");  // Refire.
    Authorize(pair->flag_context, kManagerToken);
    Authorize(pair->apply_context, kManagerToken);
    pairs.push_back(std::move(pair));
  }

  std::atomic<int> remaining{total};
  absl::Notification all_done;
  auto finish_one = [&] {
    if (--remaining == 0) all_done.Notify();
  };
  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time start = absl::Now() + absl::Milliseconds(50);
  for (int i = 0; i < total; ++i) {
    Pair* pair = pairs[i].get();
    pair->scheduled = start + interval * i;
    const absl::Duration wait = pair->scheduled - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    pair->send_lateness = absl::Now() - pair->scheduled;
    stub->async()->FlagProblem(
        &pair->flag_context, &pair->flag, &pair->flagged,
        [&, pair](grpc::Status status) {
          const absl::Time now = absl::Now();
          pair->flag_latency = now - pair->scheduled;
          if (!status.ok()) {
            std::cerr << "flag: " << status.error_message() << std::endl;
            finish_one();
            return;
          }
          pair->apply.set_case_id(pair->flagged.case_id());
          pair->apply_sent = now;
          stub->async()->ApplyRemedy(
              &pair->apply_context, &pair->apply, &pair->applied,
              [&, pair](grpc::Status applied) {
                pair->apply_latency = absl::Now() - pair->apply_sent;
                pair->ok = applied.ok();
                if (!applied.ok())
                  std::cerr << "apply: " << applied.error_message()
                            << std::endl;
                finish_one();
              });
        });
  }
  all_done.WaitForNotification();

  std::vector<absl::Duration> flags, applies, lateness;
  int failed = 0;
  for (int i = warmup; i < total; ++i) {
    if (!pairs[i]->ok) {
      ++failed;
      continue;
    }
    flags.push_back(pairs[i]->flag_latency);
    applies.push_back(pairs[i]->apply_latency);
    lateness.push_back(pairs[i]->send_lateness);
  }
  if (flags.empty()) {
    std::cerr << "every request failed" << std::endl;
    return 1;
  }
  const Percentiles flag = Summarize(flags);
  const Percentiles apply = Summarize(applies);
  const Percentiles late = Summarize(lateness);
  const Percentiles rpc = Summarize(EmptyRpcLatencies(channel, 2000));
  const Percentiles commit =
      Summarize(CommitLatencies(dir.File("floor.db"), 1000));
  const double floor_ms = rpc.p50_ms + commit.p50_ms;
  const bool p99_met = flag.p99_ms < 2 && apply.p99_ms < 2;
  const bool p50_met =
      flag.p50_ms <= 3 * floor_ms && apply.p50_ms <= 3 * floor_ms;
  std::cout << "offered: " << rate << " flags/s for " << seconds << " s ("
            << flags.size() << " measured after " << warmup
            << " warm-up, each followed by an apply; " << failed << " failed)\n"
            << "FlagProblem: p50 " << Ms(flag.p50_ms) << ", p99 "
            << Ms(flag.p99_ms) << ", max " << Ms(flag.max_ms) << "\n"
            << "  (from each flag's scheduled time, which includes this "
               "client sending it late: p50 "
            << Ms(late.p50_ms) << ", p99 " << Ms(late.p99_ms) << ")\n"
            << "ApplyRemedy: p50 " << Ms(apply.p50_ms) << ", p99 "
            << Ms(apply.p99_ms) << ", max " << Ms(apply.max_ms) << "\n"
            << "floor: empty unary RPC p50 " << Ms(rpc.p50_ms)
            << " + durable SQLite commit p50 " << Ms(commit.p50_ms) << " = "
            << Ms(floor_ms) << "\n"
            << "targets: p99 < 2 ms: " << (p99_met ? "met" : "NOT met")
            << "; p50 within 3x the floor (" << Ms(3 * floor_ms)
            << "): " << (p50_met ? "met" : "NOT met") << std::endl;
  return failed == 0 ? 0 : 1;
}
