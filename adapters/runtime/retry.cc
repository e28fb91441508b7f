#include "retry.h"

#include <algorithm>

namespace makegood::adapters {

absl::Duration BackoffDelay(const BackoffPolicy& policy, int failures) {
  absl::Duration wait = policy.first;
  // Doubling stops at `longest`, so no count of failures overflows.
  for (int i = 1; i < failures && wait < policy.longest; ++i) wait *= 2;
  return std::min(wait, policy.longest);
}

void StopSignal::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

bool StopSignal::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

bool StopSignal::WaitFor(absl::Duration delay) const {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopped_), delay);
  return !stopped_;
}

bool RetryWithBackoff(const std::function<TryResult()>& attempt,
                      const std::function<bool(absl::Duration)>& wait,
                      BackoffPolicy policy) {
  Backoff backoff(policy);
  for (;;) {
    switch (attempt()) {
      case TryResult::kDone:
        return true;
      case TryResult::kGiveUp:
        return false;
      case TryResult::kRetry:
        break;
    }
    if (!wait(backoff.Next())) return false;
  }
}

bool AckWorthRetrying(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return false;
    default:
      return true;
  }
}

}  // namespace makegood::adapters
