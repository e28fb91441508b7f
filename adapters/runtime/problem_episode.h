#ifndef MAKEGOOD_ADAPTERS_RUNTIME_PROBLEM_EPISODE_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_PROBLEM_EPISODE_H_

// One outside problem that people must fix (the vendor refusing the
// adapter's token), seen again on every retry by several threads: it is
// logged once when it starts and once when it is over, and reported to
// makegoodd (an alert) until one report gets through. Thread-safe.

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace makegood::adapters {

class ProblemEpisode {
 public:
  struct Seen {
    // The first occurrence since the problem was last over: log it.
    bool starts = false;
    // Report it now: not reported yet, and no other thread is reporting.
    bool report = false;
  };

  ProblemEpisode() = default;
  ProblemEpisode(const ProblemEpisode&) = delete;
  ProblemEpisode& operator=(const ProblemEpisode&) = delete;

  // The problem happened (again).
  Seen Occurred();
  // The report that Occurred asked for was sent (`delivered`) or failed,
  // so that a later occurrence asks again.
  void ReportDone(bool delivered);
  // What failed works now: true once per episode, to log its end.
  bool Resolved();

 private:
  absl::Mutex mu_;
  bool ongoing_ ABSL_GUARDED_BY(mu_) = false;
  bool reported_ ABSL_GUARDED_BY(mu_) = false;
  bool reporting_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_PROBLEM_EPISODE_H_
