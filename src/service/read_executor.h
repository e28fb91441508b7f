#ifndef MAKEGOOD_SERVICE_READ_EXECUTOR_H_
#define MAKEGOOD_SERVICE_READ_EXECUTOR_H_

// The threads the daemon's reads run on (GetRecovery, ListRecoveries, the
// checks, the reports up to a year long, follow-ups), so that gRPC's
// callback threads never wait on SQLite or on a report's build: a handler
// authorizes and validates on the callback thread, hands the read to
// FinishRead, and returns; the reactor finishes when the read is done.
//
// Shutdown drains: it stops taking jobs (a later Schedule returns false and
// FinishRead answers UNAVAILABLE), runs every job already queued to its
// end, then joins the threads. The server calls it after gRPC has finished
// its calls and before the store shuts down, so no read outlives the store.
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace makegood::service {

struct ReadExecutorOptions {
  // Threads; 0: the machine's hardware concurrency, at least 2 (one long
  // report then never holds up every short read).
  int threads = 0;
};

class ReadExecutor {
 public:
  using Job = std::function<void()>;

  // Starts the threads.
  explicit ReadExecutor(ReadExecutorOptions options = {});
  ReadExecutor(const ReadExecutor&) = delete;
  ReadExecutor& operator=(const ReadExecutor&) = delete;
  // Shutdown.
  ~ReadExecutor();

  // Queues `job`, to run on one of the threads; false, and `job` not run,
  // once Shutdown has begun.
  bool Schedule(Job job);

  // Stops taking jobs, runs the queued ones, joins the threads. Idempotent.
  void Shutdown();

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex join_mu_;               // One Shutdown joins at a time.
  std::vector<std::thread> threads_;  // Started last.
};

// Runs `read` on `executor` and then finishes the call with its status as a
// client sees it (ToGrpcStatus: the code, the reason, no internal detail);
// `read` fills the response on OK. UNAVAILABLE when the executor has
// stopped. Returns the call's reactor, for the handler to return.
grpc::ServerUnaryReactor* FinishRead(ReadExecutor& executor,
                                     grpc::CallbackServerContext* context,
                                     std::function<absl::Status()> read);

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_READ_EXECUTOR_H_
