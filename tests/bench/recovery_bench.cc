// Recovery latency benchmark: at each offered rate of --rates, FlagProblem
// then ApplyRemedy on the case (the real path), and the floor at the same
// offered rate: an empty unary RPC on the same server followed by one
// durable SQLite commit through a single writer. Both are open loop: a
// request is sent at its scheduled time whether or not earlier ones have
// finished, and its latency counts from that time, so queueing cannot hide.
// The two run one after the other on one makegoodd, never at once, and the
// program prints every figure beside its floor and the targets.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_support.h"
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
using makegood::bench::RequestTally;
using makegood::bench::SeedChecks;
using makegood::bench::StartDaemon;
using makegood::bench::Summarize;

// Faster than this, one sending thread cannot keep to the schedule.
constexpr int kMaxRate = 100000;
// Every flag needs a check seeded before the first rate starts.
constexpr int64_t kMaxFlags = 1000000;
// From this offered rate on, the target bounds only p99, with more room.
constexpr int kHighRate = 1000;

struct Options {
  std::vector<int> rates{10, 100, 1000};
  double seconds = 5;
  int min_flags = 200;
  int warmup = 50;
};

// What one rate sends: `warmup` flags not measured, then `measured` flags,
// on checks CheckId(first_index) onwards. Its floor sends as many requests.
struct RatePlan {
  int rate = 0;
  int first_index = 0;
  int warmup = 0;
  int measured = 0;
  int requests() const { return warmup + measured; }
};

// Measured flags at `rate`: --seconds of it, and never fewer than
// --min-flags, so that a slow rate still has a p99 of its own.
int64_t MeasuredFlagsAt(int rate, const Options& options) {
  return std::max<int64_t>(
      options.min_flags,
      static_cast<int64_t>(std::ceil(rate * options.seconds)));
}

// Of valid options. The warm-up is at most a tenth of the measured flags.
std::vector<RatePlan> PlanRates(const Options& options) {
  std::vector<RatePlan> plans;
  int next_index = 0;
  for (int rate : options.rates) {
    RatePlan plan;
    plan.rate = rate;
    plan.first_index = next_index;
    plan.measured = static_cast<int>(MeasuredFlagsAt(rate, options));
    plan.warmup = std::min(options.warmup, plan.measured / 10);
    next_index += plan.requests();
    plans.push_back(plan);
  }
  return plans;
}

// An error naming the first option that is out of range, or OK.
absl::Status ValidateOptions(const Options& options) {
  if (options.rates.empty()) {
    return absl::InvalidArgumentError("--rates: name at least one rate");
  }
  for (int rate : options.rates) {
    if (rate < 1 || rate > kMaxRate) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rates: each rate must be from 1 to ", kMaxRate,
                       " flags/s; got ", rate));
    }
  }
  if (!(options.seconds > 0) || options.seconds > 3600) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seconds: must be more than 0 and at most 3600; got ",
                     options.seconds));
  }
  if (options.min_flags < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--min-flags: must be at least 1; got ", options.min_flags));
  }
  if (options.warmup < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--warmup: must be 0 or more; got ", options.warmup));
  }
  int64_t flags = 0;
  for (int rate : options.rates) flags += MeasuredFlagsAt(rate, options);
  if (flags > kMaxFlags) {
    return absl::InvalidArgumentError(
        absl::StrCat("--rates, --seconds and --min-flags ask for ", flags,
                     " measured flags in one run; at most ", kMaxFlags,
                     " (each needs a check seeded first)"));
  }
  return absl::OkStatus();
}

// Open-loop pacing: calls send(i, due) for i in [0, count), request i due
// at start + i / rate, the start a moment from now so that the first is not
// already late. Sleeps until each due time, never waits for an answer.
template <typename Send>
void OfferAtRate(int rate, int count, Send send) {
  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time start = absl::Now() + absl::Milliseconds(50);
  for (int i = 0; i < count; ++i) {
    const absl::Time due = start + interval * i;
    const absl::Duration wait = due - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    send(i, due);
  }
}

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The failed requests of one phase, warm-up included.
struct Failures {
  int count = 0;
  absl::Status first;
};

Failures FailuresOf(RequestTally& tally) {
  return {tally.failed(), tally.first_error()};
}

// ---------------------------------------------------------------------------
// The real path.

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

// Flag `index` on check CheckId(index), with request ids of its own, so
// every flag opens a case; its apply is the case's refire ("o1"), within a
// manager's authority, so the apply writes its command at once.
std::unique_ptr<Pair> NewPair(int index) {
  auto pair = std::make_unique<Pair>();
  pair->flag.set_request_id(absl::StrCat("flag-", index));
  pair->flag.set_check_id(CheckId(index));
  pair->flag.add_line_ids("1");
  pair->flag.set_category_id("cold_food");
  pair->flag.set_severity(makegood::v1::MINOR);
  pair->flag.set_guest_words("Lukewarm");
  pair->apply.set_request_id(absl::StrCat("apply-", index));
  pair->apply.set_option_id("o1");
  return pair;
}

// An error unless the flag opened a new case and the apply applied its
// remedy: either short cut would skip the writes being measured.
absl::Status CheckOutcome(const Pair& pair) {
  if (pair.flagged.already_open()) {
    return absl::FailedPreconditionError(
        absl::StrCat(pair.flag.request_id(), " returned the open case ",
                     pair.flagged.case_id(), " instead of a new one"));
  }
  if (pair.applied.status() != RecoveryCase::REMEDY_APPLIED) {
    return absl::FailedPreconditionError(absl::StrCat(
        pair.apply.request_id(), " left case ", pair.applied.case_id(), " ",
        RecoveryCase::Status_Name(pair.applied.status()),
        ", not REMEDY_APPLIED"));
  }
  return absl::OkStatus();
}

// Sends the flag now and, when its case comes back, the apply; `tally`
// hears of the pair when the apply answers (or the flag fails). The calls
// are authorized when sent, so their deadlines count from then.
void StartPair(makegood::v1::RecoveryService::Stub& stub, Pair* pair,
               RequestTally& tally) {
  Authorize(pair->flag_context, kManagerToken);
  pair->send_lateness = absl::Now() - pair->scheduled;
  stub.async()->FlagProblem(
      &pair->flag_context, &pair->flag, &pair->flagged,
      [&stub, pair, &tally](grpc::Status flagged) {
        const absl::Time now = absl::Now();
        pair->flag_latency = now - pair->scheduled;
        if (!flagged.ok()) {
          tally.Finish(FromGrpc(flagged, pair->flag.request_id()));
          return;
        }
        pair->apply.set_case_id(pair->flagged.case_id());
        Authorize(pair->apply_context, kManagerToken);
        pair->apply_sent = now;
        stub.async()->ApplyRemedy(
            &pair->apply_context, &pair->apply, &pair->applied,
            [pair, &tally](grpc::Status applied) {
              pair->apply_latency = absl::Now() - pair->apply_sent;
              absl::Status status =
                  applied.ok() ? CheckOutcome(*pair)
                               : FromGrpc(applied, pair->apply.request_id());
              pair->ok = status.ok();
              tally.Finish(status);
            });
      });
}

// The real path's measured figures at one rate.
struct RecoveryFigures {
  std::vector<absl::Duration> flag, apply, send_lateness;
  Failures failures;
};

RecoveryFigures RunRecoveryAt(makegood::v1::RecoveryService::Stub& stub,
                              const RatePlan& plan) {
  std::vector<std::unique_ptr<Pair>> pairs;
  for (int i = 0; i < plan.requests(); ++i) {
    pairs.push_back(NewPair(plan.first_index + i));
  }
  RequestTally tally(plan.requests());
  OfferAtRate(plan.rate, plan.requests(), [&](int i, absl::Time due) {
    pairs[i]->scheduled = due;
    StartPair(stub, pairs[i].get(), tally);
  });
  tally.WaitForAll();

  RecoveryFigures figures;
  figures.failures = FailuresOf(tally);
  for (int i = plan.warmup; i < plan.requests(); ++i) {
    const Pair& pair = *pairs[i];
    if (!pair.ok) continue;
    figures.flag.push_back(pair.flag_latency);
    figures.apply.push_back(pair.apply_latency);
    figures.send_lateness.push_back(pair.send_lateness);
  }
  return figures;
}

// ---------------------------------------------------------------------------
// The floor.

// The floor's database: a file of its own beside the daemon's, opened with
// the store's pragmas (sqlite::Connection: WAL, synchronous=FULL), holding
// one table of small rows. Not thread-safe: one thread at a time.
class FloorDatabase {
 public:
  // Creates the file at `path` and grows its WAL to hold the commits of
  // `commits_per_phase` floor requests and some more (see GrowWal).
  static absl::StatusOr<std::unique_ptr<FloorDatabase>> Open(
      const std::string& path, int commits_per_phase) {
    auto db = makegood::sqlite::Connection::Open(path, /*read_only=*/false);
    if (!db.ok()) return db.status();
    std::unique_ptr<FloorDatabase> floor(new FloorDatabase(std::move(*db)));
    if (absl::Status s = floor->db_->Exec(
            "CREATE TABLE floor_rows(id INTEGER PRIMARY KEY, v TEXT)");
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            floor->GrowWal(commits_per_phase + commits_per_phase / 4);
        !s.ok()) {
      return s;
    }
    return floor;
  }

  // One durable transaction of `rows` small rows: BEGIN IMMEDIATE, the
  // INSERTs, COMMIT, as the store's writer commits a group.
  absl::Status CommitRows(size_t rows) {
    absl::Status status = db_->Exec("BEGIN IMMEDIATE");
    for (size_t i = 0; status.ok() && i < rows; ++i) status = InsertRow();
    if (status.ok()) status = db_->Exec("COMMIT");
    if (!status.ok() && sqlite3_get_autocommit(db_->raw()) == 0) {
      db_->Exec("ROLLBACK").IgnoreError();
    }
    return status;
  }

  // Copies every frame of the WAL into the database file, so that the next
  // commit writes the WAL from its start again, over blocks the file
  // already has: between phases, never while one runs.
  absl::Status RestartWal() {
    auto checkpoint = db_->Prepare("PRAGMA wal_checkpoint(RESTART)");
    if (!checkpoint.ok()) return checkpoint.status();
    auto row = (*checkpoint)->Step();
    if (!row.ok()) return row.status();
    if (!*row || (*checkpoint)->Int(0) != 0) {
      return absl::InternalError(
          "floor database: the checkpoint could not copy every WAL frame");
    }
    return absl::OkStatus();
  }

 private:
  explicit FloorDatabase(std::unique_ptr<makegood::sqlite::Connection> db)
      : db_(std::move(db)) {}

  absl::Status InsertRow() {
    auto insert = db_->Prepare("INSERT INTO floor_rows(v) VALUES('x')");
    return insert.ok() ? (*insert)->Run() : insert.status();
  }

  // The store's writer checkpoints before its WAL grows far, so its commits
  // overwrite WAL blocks the file already has (store/wal_recycler.h); a WAL
  // that grew at every commit would make each fdatasync also write the
  // file's new size, and raise the floor. So the floor's WAL is first grown
  // by `commits` commits (without fsyncs: nothing here is measured), about
  // a frame each, and restarted before each phase.
  absl::Status GrowWal(int commits) {
    absl::Status status = db_->Exec("PRAGMA synchronous=OFF");
    for (int i = 0; status.ok() && i < commits; ++i) status = CommitRows(1);
    if (status.ok()) status = db_->Exec("PRAGMA synchronous=FULL");
    if (status.ok()) status = RestartWal();
    return status;
  }

  std::unique_ptr<makegood::sqlite::Connection> db_;
};

// One floor request: the empty RPC, then its commit.
struct FloorRequest {
  grpc::ClientContext context;
  grpc::ByteBuffer request, response;
  absl::Time scheduled, committed;
  absl::Duration send_lateness;
  bool ok = false;
};

// The floor's single writer: one thread committing one row per floor
// request, in the order their RPCs returned, as the store has one writer.
// Like the store's writer it commits every request queued while it was
// committing in one transaction, so a request whose RPC returns during a
// commit waits for it and then shares the next one; that wait is part of
// the floor. Thread-safe Submit; the destructor lets
// the writer finish what is queued, then joins it.
class FloorWriter {
 public:
  FloorWriter(FloorDatabase& db, RequestTally& tally)
      : db_(db), tally_(tally), thread_([this] { Run(); }) {}
  FloorWriter(const FloorWriter&) = delete;
  FloorWriter& operator=(const FloorWriter&) = delete;
  ~FloorWriter() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      work_.Signal();
    }
    thread_.join();
  }

  void Submit(FloorRequest* request) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(request);
    work_.Signal();
  }

 private:
  void Run() {
    for (;;) {
      std::deque<FloorRequest*> group;
      {
        absl::MutexLock lock(&mu_);
        while (queue_.empty() && !stopping_) work_.Wait(&mu_);
        if (queue_.empty()) return;
        group.swap(queue_);
      }
      absl::Status committed = db_.CommitRows(group.size());
      const absl::Time now = absl::Now();
      for (FloorRequest* request : group) {
        request->committed = now;
        request->ok = committed.ok();
        tally_.Finish(committed);
      }
    }
  }

  FloorDatabase& db_;
  RequestTally& tally_;
  absl::Mutex mu_;
  absl::CondVar work_;
  std::deque<FloorRequest*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Last: starts once the members it uses exist.
  std::thread thread_;
};

// An empty request, so that the RPC costs its round trip and nothing else.
std::unique_ptr<FloorRequest> NewFloorRequest() {
  auto request = std::make_unique<FloorRequest>();
  grpc::Slice empty;
  request->request = grpc::ByteBuffer(&empty, 1);
  return request;
}

// Sends grpc.health.v1.Health/Check now, with the real calls' metadata;
// when it returns, hands the request to the floor's writer.
void StartFloorRequest(grpc::GenericStub& stub, FloorRequest* request,
                       FloorWriter& writer, RequestTally& tally) {
  Authorize(request->context, kManagerToken);
  request->send_lateness = absl::Now() - request->scheduled;
  stub.UnaryCall(&request->context, "/grpc.health.v1.Health/Check",
                 grpc::StubOptions(), &request->request, &request->response,
                 [request, &writer, &tally](grpc::Status status) {
                   if (!status.ok()) {
                     tally.Finish(FromGrpc(status, "floor Health/Check"));
                     return;
                   }
                   writer.Submit(request);
                 });
}

// The floor's measured figures at one rate: from each request's scheduled
// time to the end of its commit.
struct FloorFigures {
  std::vector<absl::Duration> latency, send_lateness;
  Failures failures;
};

// An error only when the floor's database cannot be made ready; a request
// that fails is counted in the figures' failures.
absl::StatusOr<FloorFigures> RunFloorAt(grpc::GenericStub& stub,
                                        FloorDatabase& db,
                                        const RatePlan& plan) {
  if (absl::Status restarted = db.RestartWal(); !restarted.ok()) {
    return restarted;
  }
  std::vector<std::unique_ptr<FloorRequest>> requests;
  for (int i = 0; i < plan.requests(); ++i) {
    requests.push_back(NewFloorRequest());
  }
  RequestTally tally(plan.requests());
  {
    FloorWriter writer(db, tally);
    OfferAtRate(plan.rate, plan.requests(), [&](int i, absl::Time due) {
      requests[i]->scheduled = due;
      StartFloorRequest(stub, requests[i].get(), writer, tally);
    });
    tally.WaitForAll();
  }

  FloorFigures figures;
  figures.failures = FailuresOf(tally);
  for (int i = plan.warmup; i < plan.requests(); ++i) {
    const FloorRequest& request = *requests[i];
    if (!request.ok) continue;
    figures.latency.push_back(request.committed - request.scheduled);
    figures.send_lateness.push_back(request.send_lateness);
  }
  return figures;
}

// ---------------------------------------------------------------------------
// Targets and the table.

// The targets for FlagProblem at one rate, as multiples of the
// floor's figures at the same rate.
struct Target {
  std::optional<double> p50_times;  // No bound on p50 when absent.
  double p99_times = 0;
};

Target TargetAt(int rate) {
  if (rate >= kHighRate) return {std::nullopt, 5};
  return {2, 3};
}

std::string Describe(const Target& target) {
  if (!target.p50_times) return absl::StrFormat("p99<=%gx", target.p99_times);
  return absl::StrFormat("p50<=%gx p99<=%gx", *target.p50_times,
                         target.p99_times);
}

double Ratio(double ms, double floor_ms) {
  return floor_ms > 0 ? ms / floor_ms : std::numeric_limits<double>::infinity();
}

// Everything one rate measured.
struct RateResult {
  RatePlan plan;
  bool floor_first = false;
  RecoveryFigures real;
  FloorFigures floor;
};

std::string Verdict(const Target& target, double p50_ratio, double p99_ratio) {
  std::vector<std::string> missed;
  if (target.p50_times && p50_ratio > *target.p50_times) {
    missed.push_back(absl::StrFormat("p50 %.2fx", p50_ratio));
  }
  if (p99_ratio > target.p99_times) {
    missed.push_back(absl::StrFormat("p99 %.2fx", p99_ratio));
  }
  if (missed.empty()) return "met";
  return absl::StrCat("NOT met: ", absl::StrJoin(missed, ", "));
}

void PrintTables(const std::vector<RateResult>& results) {
  std::cout
      << "latency in ms, from each request's scheduled time (ApplyRemedy: "
         "from when its flag's case came back); p50/floor and "
         "p99/floor: FlagProblem's over the floor's at the same rate\n"
      << absl::StrFormat(
             "%7s %6s | %8s %8s %8s | %9s %9s | %9s %9s %9s | %9s %9s | "
             "%-17s %s\n",
             "flags/s", "flags", "flag p50", "flag p99", "flag max",
             "apply p50", "apply p99", "floor p50", "floor p99", "floor max",
             "p50/floor", "p99/floor", "target", "met?");
  for (const RateResult& result : results) {
    const int rate = result.plan.rate;
    if (result.real.flag.empty() || result.floor.latency.empty()) {
      std::cout << absl::StrFormat(
          "%7d %6d | no figures: every measured %s failed\n", rate,
          result.plan.measured,
          result.real.flag.empty() ? "flag" : "floor request");
      continue;
    }
    const Percentiles flag = Summarize(result.real.flag);
    const Percentiles apply = Summarize(result.real.apply);
    const Percentiles floor = Summarize(result.floor.latency);
    const Target target = TargetAt(rate);
    const double p50_ratio = Ratio(flag.p50_ms, floor.p50_ms);
    const double p99_ratio = Ratio(flag.p99_ms, floor.p99_ms);
    std::cout << absl::StrFormat(
        "%7d %6d | %8.2f %8.2f %8.2f | %9.2f %9.2f | %9.2f %9.2f %9.2f | "
        "%8.2fx %8.2fx | %-17s %s\n",
        rate, result.plan.measured, flag.p50_ms, flag.p99_ms, flag.max_ms,
        apply.p50_ms, apply.p99_ms, floor.p50_ms, floor.p99_ms, floor.max_ms,
        p50_ratio, p99_ratio, Describe(target),
        Verdict(target, p50_ratio, p99_ratio));
  }

  std::cout << "\nApplyRemedy against the same floor, and how late this "
               "client sent its requests (part of the figures above)\n"
            << absl::StrFormat("%7s | %9s %9s | %14s %14s | %14s %14s | %s\n",
                               "flags/s", "p50/floor", "p99/floor",
                               "flag late p50", "flag late p99",
                               "floor late p50", "floor late p99", "order");
  for (const RateResult& result : results) {
    if (result.real.flag.empty() || result.floor.latency.empty()) continue;
    const Percentiles apply = Summarize(result.real.apply);
    const Percentiles floor = Summarize(result.floor.latency);
    const Percentiles real_late = Summarize(result.real.send_lateness);
    const Percentiles floor_late = Summarize(result.floor.send_lateness);
    std::cout << absl::StrFormat(
        "%7d | %8.2fx %8.2fx | %14.2f %14.2f | %14.2f %14.2f | %s\n",
        result.plan.rate, Ratio(apply.p50_ms, floor.p50_ms),
        Ratio(apply.p99_ms, floor.p99_ms), real_late.p50_ms, real_late.p99_ms,
        floor_late.p50_ms, floor_late.p99_ms,
        result.floor_first ? "floor, then real" : "real, then floor");
  }
  std::cout << std::flush;
}

// Both phases at one rate, one after the other, each announced on stderr.
// An error only when the floor's database cannot be made ready.
absl::StatusOr<RateResult> RunRate(makegood::v1::RecoveryService::Stub& stub,
                                   grpc::GenericStub& generic,
                                   FloorDatabase& floor_db,
                                   const RatePlan& plan, bool floor_first) {
  std::cerr << "at " << plan.rate << " flags/s: " << plan.requests()
            << " requests in each phase (" << plan.warmup << " warm-up), "
            << (floor_first ? "floor, then real path" : "real path, then floor")
            << std::endl;
  RateResult result;
  result.plan = plan;
  result.floor_first = floor_first;
  absl::StatusOr<FloorFigures> floor;
  if (floor_first) {
    floor = RunFloorAt(generic, floor_db, plan);
    if (!floor.ok()) return floor.status();
    result.real = RunRecoveryAt(stub, plan);
  } else {
    result.real = RunRecoveryAt(stub, plan);
    floor = RunFloorAt(generic, floor_db, plan);
    if (!floor.ok()) return floor.status();
  }
  result.floor = *std::move(floor);
  return result;
}

// Prints the failures of every phase; true when there was any.
bool ReportFailures(const std::vector<RateResult>& results) {
  bool any = false;
  for (const RateResult& result : results) {
    auto report = [&](const char* phase, const Failures& failures) {
      if (failures.count == 0) return;
      any = true;
      std::cerr << "FAILED at " << result.plan.rate << " flags/s, " << phase
                << ": " << failures.count << " of " << result.plan.requests()
                << " requests; the first: " << failures.first << std::endl;
    };
    report("real path", result.real.failures);
    report("floor", result.floor.failures);
  }
  return any;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Recovery latency: FlagProblem + ApplyRemedy against the floor (an "
      "empty RPC and a durable commit), both open loop at each offered rate",
      "recovery_bench"};
  Options options;
  app.add_option("--rates", options.rates,
                 "Offered rates, flags per second, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--seconds", options.seconds,
                 "How long to offer each rate (measured flags: rate x "
                 "seconds, at least --min-flags)")
      ->capture_default_str();
  app.add_option("--min-flags", options.min_flags,
                 "Measured flags per rate, at the least")
      ->capture_default_str();
  app.add_option("--warmup", options.warmup,
                 "Flags sent first at each rate and not measured (at most a "
                 "tenth of the measured ones)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) {
    return app.exit(CLI::ValidationError(std::string(valid.message())));
  }
  const std::vector<RatePlan> plans = PlanRates(options);
  int flags = 0, largest_phase = 0;
  for (const RatePlan& plan : plans) {
    flags += plan.requests();
    largest_phase = std::max(largest_phase, plan.requests());
  }

  makegood::testing::TempDir dir;
  auto daemon = StartDaemon(dir);
  if (!daemon.ok()) return 1;
  auto channel = grpc::CreateChannel((*daemon)->address(),
                                     grpc::InsecureChannelCredentials());
  SeedChecks(*channel, flags);
  auto floor_db = FloorDatabase::Open(dir.File("floor.db"), largest_phase);
  if (!floor_db.ok()) {
    std::cerr << "floor database: " << floor_db.status() << std::endl;
    return 1;
  }
  auto recovery = makegood::v1::RecoveryService::NewStub(channel);
  // The floor's RPCs go over the same channel to the same server.
  grpc::GenericStub generic(channel);

  std::vector<RateResult> results;
  // Alternating, so that drift over the run (the daemon's database growing,
  // the disk's slow stretches) does not always fall on the same side.
  for (size_t i = 0; i < plans.size(); ++i) {
    auto result = RunRate(*recovery, generic, **floor_db, plans[i],
                          /*floor_first=*/i % 2 == 0);
    if (!result.ok()) {
      std::cerr << "floor database: " << result.status() << std::endl;
      PrintTables(results);  // The rates that did run.
      ReportFailures(results);
      return 1;
    }
    results.push_back(*std::move(result));
  }

  PrintTables(results);
  return ReportFailures(results) ? 1 : 0;
}
