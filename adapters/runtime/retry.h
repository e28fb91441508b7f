#ifndef MAKEGOOD_ADAPTERS_RUNTIME_RETRY_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_RETRY_H_

// Trying again what failed outside the adapter's control (the vendor's API,
// makegoodd): exponential backoff, a stop signal that ends every wait at
// once, and which of makegoodd's answers are worth sending again. The
// waits are passed in, so the logic is tested without time.

#include <grpcpp/support/status_code_enum.h>

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace makegood::adapters {

struct BackoffPolicy {
  // The wait after the first failure; doubled after each further one.
  absl::Duration first = absl::Seconds(1);
  // The longest wait.
  absl::Duration longest = absl::Seconds(60);
};

// The wait after `failures` failures in a row (1-based; less counts as 1):
// first * 2^(failures - 1), at most `longest`.
absl::Duration BackoffDelay(const BackoffPolicy& policy, int failures);

// Failures in a row and the wait each calls for. Not thread-safe.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}) : policy_(policy) {}

  // Counts a failure; the wait before the next try.
  absl::Duration Next() { return BackoffDelay(policy_, ++failures_); }
  // A success: the next failure waits `first` again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  const BackoffPolicy policy_;
  int failures_ = 0;
};

// Set once, when the adapter stops; every wait ends at once then.
// Thread-safe.
class StopSignal {
 public:
  StopSignal() = default;
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  void Stop();
  bool stopped() const;
  // Waits `delay` unless stopped first; false when stopped.
  bool WaitFor(absl::Duration delay) const;

 private:
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

// What one try came to.
enum class TryResult {
  kDone,    // Succeeded: stop trying.
  kRetry,   // Failed for now: try again after the backoff.
  kGiveUp,  // Failed for good: trying again changes nothing.
};

// Tries `attempt` until it is done or gives up, calling `wait` with the
// backoff between tries; a `wait` that returns false (stopping) ends the
// tries. True when an attempt was done.
bool RetryWithBackoff(const std::function<TryResult()>& attempt,
                      const std::function<bool(absl::Duration)>& wait,
                      BackoffPolicy policy = {});

// Whether an AckCommand that failed with `code` is worth sending again.
// Not when makegoodd judged the answer itself (NOT_FOUND: no such command;
// FAILED_PRECONDITION, INVALID_ARGUMENT, ALREADY_EXISTS) or refused the
// adapter (UNAUTHENTICATED, PERMISSION_DENIED): the same request gets the
// same answer. Everything else (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, INTERNAL, ...) may pass.
bool AckWorthRetrying(grpc::StatusCode code);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_RETRY_H_
