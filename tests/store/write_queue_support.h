#ifndef MAKEGOOD_TESTS_STORE_WRITE_QUEUE_SUPPORT_H_
#define MAKEGOOD_TESTS_STORE_WRITE_QUEUE_SUPPORT_H_

// Helpers for tests that drive a WriteQueue directly.

#include <atomic>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "store/write_queue.h"

namespace makegood::store {

// Runs `jobs` as one group: they queue behind a job (which writes nothing)
// that holds the writer until all are queued. Returns each job's result.
inline std::vector<absl::Status> RunAsOneGroup(
    WriteQueue& queue, std::vector<WriteQueue::Work> jobs) {
  absl::Notification holding, release, all_done;
  queue.Submit(
      [&](Connection&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      },
      [](absl::Status) {});
  holding.WaitForNotification();
  std::vector<absl::Status> results(jobs.size());
  std::atomic<size_t> done{0};
  for (size_t i = 0; i < jobs.size(); ++i) {
    queue.Submit(std::move(jobs[i]), [&, i](absl::Status s) {
      results[i] = std::move(s);
      if (++done == results.size()) all_done.Notify();
    });
  }
  release.Notify();
  all_done.WaitForNotification();
  return results;
}

}  // namespace makegood::store

#endif  // MAKEGOOD_TESTS_STORE_WRITE_QUEUE_SUPPORT_H_
