#ifndef MAKEGOOD_TESTS_SOAK_SOAK_TABLET_H_
#define MAKEGOOD_TESTS_SOAK_SOAK_TABLET_H_

// A waiter's tablet, with the POS ringing up the checks it flags. One guest
// problem (RunCase) goes:
//  1. the POS publishes the check: opened, one ribeye line (12.00 to
//     48.00) added and fired (Publish, the adapter's credential);
//  2. the server flags the line cold (MAJOR): a comp, a refire and extras;
//  3. applies the refire or the comp, with the extras three times in ten;
//  4. a manager approves (or, one time in seven, denies) what waits;
//  5. the guest accepts (6 in 10), leaves (15 in 100) or declines; after a
//     decline the next option is given, approved if it waits, and the
//     guest accepts;
//  6. the POS publishes the check paid and closed.
// Every request is built once and sent until answered (soak_rpc.h), so a
// retry carries the same request id and body. Each answer goes into the
// AnswerLog; a refusal is a violation (no step of the flow may be
// refused, and a retry must get the first answer). The choices come from
// the tablet's seed. Not thread-safe: one thread runs a tablet.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "makegood/v1/checks.grpc.pb.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "soak/answer_log.h"
#include "soak/soak_rpc.h"

namespace makegood::soak {

struct TabletOptions {
  std::string name;  // Unique in the run: the prefix of its ids.
  const Credential* server = &kDana;
  uint64_t seed = 1;
  RetryOptions retry;
};

class SoakTablet {
 public:
  struct Counts {
    int64_t calls = 0;  // Requests answered (each retry counts once).
    int64_t retries = 0;
    int64_t cases = 0;  // Finished.
    int64_t approvals = 0;
    int64_t denials = 0;
    int64_t declines = 0;
    int64_t refreshes = 0;
  };

  // `tablet` carries the staff's calls, `pos` the POS adapter's events.
  SoakTablet(TabletOptions options, std::shared_ptr<grpc::Channel> tablet,
             std::shared_ptr<grpc::Channel> pos, AnswerLog& log);
  SoakTablet(const SoakTablet&) = delete;
  SoakTablet& operator=(const SoakTablet&) = delete;

  // One guest problem, from the check's first event to its closing.
  void RunCase();
  // The screen's refresh of the server's open checks.
  void Refresh();

  // Readable from any thread.
  Counts counts() const;

 private:
  // Publishes `events` in one Publish stream until answered; every one of
  // them must then be stored.
  void PublishCheck(const std::vector<makegood::v1::OrderEvent>& events);
  // Sends one recovery request (built by the caller) until answered.
  makegood::v1::RecoveryCase Call(
      const std::string& method, const Credential& who,
      const std::string& request_id,
      const std::function<grpc::Status(grpc::ClientContext*,
                                       makegood::v1::RecoveryCase*)>& rpc);
  makegood::v1::RecoveryCase Apply(const std::string& request_id,
                                   const std::string& case_id,
                                   const std::string& option_id,
                                   const std::vector<std::string>& extras);
  // Approves or denies each remedy of `recovery` that waits; the case
  // after the last answer.
  makegood::v1::RecoveryCase DecideWaiting(const std::string& prefix,
                                           makegood::v1::RecoveryCase recovery);
  makegood::v1::RecoveryCase Outcome(const std::string& request_id,
                                     const std::string& case_id,
                                     makegood::v1::GuestResponse response);
  bool Chance(double p);

  const TabletOptions options_;
  AnswerLog& log_;
  const std::unique_ptr<makegood::v1::RecoveryService::Stub> recovery_;
  const std::unique_ptr<makegood::v1::CheckService::Stub> checks_;
  const std::unique_ptr<makegood::v1::OrderEventService::Stub> events_;
  std::mt19937_64 random_;
  int64_t next_case_ = 0;

  std::atomic<int64_t> calls_{0}, retries_{0}, cases_{0}, approvals_{0},
      denials_{0}, declines_{0}, refreshes_{0};
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_SOAK_TABLET_H_
