#ifndef MAKEGOOD_TESTS_SOAK_REPORT_SCREEN_H_
#define MAKEGOOD_TESTS_SOAK_REPORT_SCREEN_H_

// The back-office report screen: a browser reloading today's end-of-day
// report through the Connect protocol on makegoodd's HTTP listener
// (POST /makegood.v1.ReportService/EndOfDay, JSON), on one keep-alive
// connection, with the REPORTER credential, at a steady rate. Every answer
// must be 200 with the location's report, or the soak fails.
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace makegood::soak {

class ReportScreen {
 public:
  // Loads the report `every`, the first one at once.
  ReportScreen(int http_port, absl::Duration every);
  ReportScreen(const ReportScreen&) = delete;
  ReportScreen& operator=(const ReportScreen&) = delete;
  ~ReportScreen();  // Stops.

  void Stop();
  int64_t reports() const { return reports_.load(); }

 private:
  void Run();

  const int http_port_;
  const absl::Duration every_;
  std::atomic<int64_t> reports_{0};
  absl::Notification stop_;
  std::thread thread_;  // Last: starts once the rest exists.
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_REPORT_SCREEN_H_
