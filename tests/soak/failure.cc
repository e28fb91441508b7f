#include "soak/failure.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>

#include "absl/synchronization/mutex.h"

namespace makegood::soak {
namespace {

struct FailureContext {
  absl::Mutex mu;
  std::string replay ABSL_GUARDED_BY(mu);
  std::string kept ABSL_GUARDED_BY(mu);
  bool failing ABSL_GUARDED_BY(mu) = false;
};

FailureContext& Context() {
  static FailureContext* const context = new FailureContext;
  return *context;
}

std::atomic<pid_t> daemon_pid{0};

}  // namespace

void SetReplayCommand(const std::string& command_line) {
  absl::MutexLock lock(&Context().mu);
  Context().replay = command_line;
}

void SetKeptDirectory(const std::string& path) {
  absl::MutexLock lock(&Context().mu);
  Context().kept = path;
}

void SetDaemonPid(pid_t pid) { daemon_pid.store(pid); }

void Fail(const std::string& message) {
  FailureContext& context = Context();
  context.mu.Lock();
  if (context.failing) {
    // Another thread is reporting the first violation and exits the
    // process; this one must not print or return meanwhile.
    context.mu.Unlock();
    for (;;) pause();
  }
  context.failing = true;
  const pid_t pid = daemon_pid.load();
  if (pid > 0) kill(pid, SIGKILL);
  std::cout.flush();
  std::cerr << "\nVIOLATION: " << message << "\n";
  if (!context.replay.empty()) {
    std::cerr << "  replay (same seed): " << context.replay << "\n";
  }
  if (!context.kept.empty()) {
    std::cerr << "  database and makegoodd's log kept in " << context.kept
              << "\n";
  }
  std::cerr.flush();
  std::_Exit(1);
}

}  // namespace makegood::soak
