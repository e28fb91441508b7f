#ifndef MAKEGOOD_TESTS_SOAK_POS_FEED_H_
#define MAKEGOOD_TESTS_SOAK_POS_FEED_H_

// A POS adapter's flow of ordinary checks, the ones nobody flags, at a
// steady rate: each check opened with four lines added and fired, the
// lines served half a minute later, the check paid and closed a minute
// after it opened; each stage published in one PublishBatch, as the vendor
// adapters publish. Every event must be stored and nothing may fail (the
// load soak injects no faults): anything else fails the soak. The stored
// events go into the AnswerLog. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "soak/answer_log.h"

namespace makegood::soak {

class PosFeed {
 public:
  // The first check opens at `first`, the next ones about `every` apart
  // (between half and one and a half times, from `seed`).
  PosFeed(std::string name, std::shared_ptr<grpc::Channel> channel,
          absl::Time first, absl::Duration every, uint64_t seed,
          AnswerLog& log);
  PosFeed(const PosFeed&) = delete;
  PosFeed& operator=(const PosFeed&) = delete;
  ~PosFeed();  // Stops.

  void Stop();
  int64_t checks() const { return checks_.load(); }
  int64_t events() const { return events_.load(); }

 private:
  void Run();
  // Publishes the events of `stage` (0 opened, 1 served, 2 paid and
  // closed) of check `index`.
  void Publish(int64_t index, int stage);

  const std::string name_;
  const std::unique_ptr<makegood::v1::OrderEventService::Stub> stub_;
  const absl::Time first_;
  const absl::Duration every_;
  AnswerLog& log_;
  std::mt19937_64 random_;  // The feed's thread only.
  std::atomic<int64_t> checks_{0}, events_{0};
  absl::Notification stop_;
  std::thread thread_;  // Last: starts once the rest exists.
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_POS_FEED_H_
