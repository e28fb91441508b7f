#ifndef MAKEGOOD_TESTS_BENCH_BENCH_SUPPORT_H_
#define MAKEGOOD_TESTS_BENCH_BENCH_SUPPORT_H_

// What the benchmarks share: starting makegoodd, the demo tokens of the
// sample configuration, call metadata, one seeded check per flag, and
// percentiles of latencies.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "support/process.h"
#include "support/sample_events.h"
#include "support/temp_dir.h"

namespace makegood::bench {

inline constexpr char kAdapterToken[] = "demo-adapter-pos";
inline constexpr char kManagerToken[] = "demo-manager-lee";

// makegoodd (MAKEGOODD_BIN) on the sample configuration, gRPC and HTTP on
// loopback ports of the system's choosing, its database and log in `dir`.
// Prints the error on stderr when it does not start.
inline absl::StatusOr<std::unique_ptr<makegood::testing::DaemonProcess>>
StartDaemon(const makegood::testing::TempDir& dir) {
  auto daemon = makegood::testing::DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0", "--http",
       "127.0.0.1:0", "--db", dir.File("daemon.db")},
      dir.File("makegoodd.log"));
  if (!daemon.ok()) std::cerr << daemon.status() << std::endl;
  return daemon;
}

struct Percentiles {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// Of at least one sample.
inline Percentiles Summarize(std::vector<absl::Duration> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    const size_t i =
        std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()));
    return absl::ToDoubleMilliseconds(samples[i]);
  };
  return {at(0.50), at(0.99), absl::ToDoubleMilliseconds(samples.back())};
}

inline void Authorize(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
}

// The check SeedChecks opens for flag `i`.
inline std::string CheckId(int i) { return absl::StrCat("bench-", i); }

// One check with one fired line ("1", 24.00) per flag, ordered ten minutes
// ago: CheckId(0) to CheckId(count - 1). Exits the process if the server
// does not accept every event.
inline void SeedChecks(grpc::Channel& channel, int count) {
  auto stub = makegood::v1::OrderEventService::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext context;
  Authorize(context, kAdapterToken);
  makegood::v1::PublishSummary summary;
  auto writer = stub->Publish(&context, &summary);
  const absl::Time t0 = absl::Now() - absl::Minutes(10);
  for (int i = 0; i < count; ++i) {
    const std::string check = CheckId(i);
    writer->Write(makegood::testing::CheckOpened(check + "-o", check, t0));
    writer->Write(
        makegood::testing::ItemAdded(check + "-a", check, "1", t0, 2400));
    writer->Write(makegood::testing::ItemFired(check + "-f", check, "1",
                                               t0 + absl::Minutes(2)));
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok() || summary.accepted() != 3 * count) {
    std::cerr << "seeding failed: " << status.error_message() << " "
              << summary.ShortDebugString() << std::endl;
    std::exit(1);
  }
}

// Counts requests down to the end of the last one, and keeps how many
// failed and the first failure. Thread-safe.
class RequestTally {
 public:
  explicit RequestTally(int requests) : remaining_(requests) {
    if (requests == 0) all_done_.Notify();
  }

  void Finish(const absl::Status& status) {
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      ++failed_;
      if (first_error_.ok()) first_error_ = status;
    }
    if (remaining_.fetch_sub(1) == 1) all_done_.Notify();
  }

  void WaitForAll() { all_done_.WaitForNotification(); }

  int failed() {
    absl::MutexLock lock(&mu_);
    return failed_;
  }
  absl::Status first_error() {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  std::atomic<int> remaining_;
  absl::Notification all_done_;
  absl::Mutex mu_;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::bench

#endif  // MAKEGOOD_TESTS_BENCH_BENCH_SUPPORT_H_
