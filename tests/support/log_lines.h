#ifndef MAKEGOOD_TESTS_SUPPORT_LOG_LINES_H_
#define MAKEGOOD_TESTS_SUPPORT_LOG_LINES_H_

// The lines a component logs through a callback (the store's
// SqliteStoreOptions::log, WriteHealth's log), kept in order for a test to
// read and to wait for. Thread-safe.

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace makegood::testing {

class LogLines {
 public:
  // Must not outlive this object.
  std::function<void(absl::string_view)> Callback() {
    return [this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    };
  }

  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

  // How many lines contain `text`.
  int Count(absl::string_view text) const {
    absl::MutexLock lock(&mu_);
    return CountLocked(text);
  }

  // Waits up to `timeout` until a line contains `text`; whether one does.
  bool WaitFor(absl::string_view text, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    const auto logged = [this, text] {
      mu_.AssertReaderHeld();
      return CountLocked(text) > 0;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&logged), timeout);
  }

 private:
  int CountLocked(absl::string_view text) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    int count = 0;
    for (const std::string& line : lines_) {
      if (absl::StrContains(line, text)) ++count;
    }
    return count;
  }

  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_LOG_LINES_H_
