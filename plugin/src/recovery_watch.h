#ifndef MAKEGOOD_PLUGIN_RECOVERY_WATCH_H_
#define MAKEGOOD_PLUGIN_RECOVERY_WATCH_H_

// RecoveryService.WatchRecoveries followed on a thread of its own, for
// mg_watch_recoveries: each update goes to a handler in order; a lost
// stream is reopened with backoff from the last sequence seen, as the
// contract of RecoveryUpdate (recovery.proto) asks, so that no update with
// a sequence is missed or handed on twice.
// Thread-safe: Stop may be called from any thread, a handler's included.
// No exception leaves the thread: one ends the watch through `ended`.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/watch_resume.h"
#include "makegood/v1/recovery.grpc.pb.h"

namespace makegood::plugin {

// Reconnect backoff: 0.1 s, doubling, at most 5 s (as the command stream);
// back to the first once a stream has caught up.
inline constexpr absl::Duration kFirstWatchRetry = absl::Milliseconds(100);
inline constexpr absl::Duration kLongestWatchRetry = absl::Seconds(5);

// Makes every watch's first reconnect delay `first` from now on, instead
// of kFirstWatchRetry. For the plugin's fuzz target, whose checks are of
// where a watch resumes, not how long it waits: C++ only, and not exported
// from the shared library (exports.map).
void SetFirstWatchRetryForTesting(absl::Duration first);

// A stream that ended with `status` (not cancelled by the watch itself) is
// reopened unless makegoodd refused it (client::WatchRefused): a CANCELLED
// from the peer or a proxy is a cut like any other.
using client::ResumePoint;

// Joins the threads of watches stopped from their own handler that have
// finished since; never waits for a handler. Called by the mg_watch_*
// functions and mg_disconnect. The ones still running are joined at the
// latest when the library is unloaded or the process exits (waiting for
// the handler that stopped them to return), so that no library code runs
// after that.
void JoinFinishedWatchThreads();

class FinishedWatchThreads;  // recovery_watch.cc

class RecoveryWatch {
 public:
  // Prepares a stream's call: no deadline, the watcher's bearer token.
  using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

  struct Handlers {
    // Each update, in order. An error ends the watch: `ended` gets it as
    // INTERNAL, and nothing follows.
    std::function<absl::Status(const makegood::v1::RecoveryUpdate&)> update;
    // A stream that had handed on an update ended with a status
    // WatchReconnects accepts; it is reopened after the backoff. Once per
    // loss: a reopened stream that ends before it hands on anything is
    // retried without a second call.
    std::function<void(const grpc::Status&)> lost;
    // The stream was refused after the first one had answered, or the
    // watch could not go on (INTERNAL); nothing follows.
    std::function<void(const grpc::Status&)> ended;
  };

  // Opens the first stream from `from` and waits up to `start_timeout`
  // for its first update, which the watch holds back until Publish. Fails
  // with the code and message the first stream ended with (UNAVAILABLE
  // when it ended OK without an update), DEADLINE_EXCEEDED, or INTERNAL;
  // then no handler was called, and the thread has been joined.
  static absl::StatusOr<std::unique_ptr<RecoveryWatch>> Start(
      std::shared_ptr<grpc::Channel> channel, ContextFactory new_context,
      const makegood::v1::WatchRecoveriesRequest& from, Handlers handlers,
      absl::Duration start_timeout);

  RecoveryWatch(const RecoveryWatch&) = delete;
  RecoveryWatch& operator=(const RecoveryWatch&) = delete;
  ~RecoveryWatch();  // Stops.

  // Lets the handlers run, from the first update on: the caller has
  // stored the watch where a handler may look for it.
  void Publish();

  // Ends the stream: no handler is called once it returns but the one
  // running, which it waits for, unless it is called from that handler.
  // Then it returns at once; the thread, once the handler has returned,
  // leaves its stream without touching the handlers, and is joined by
  // JoinFinishedWatchThreads or at unload.
  void Stop();

 private:
  struct State;

  // The thread, in a list node of its own made before it starts, so that
  // handing it over to the finished threads (from a handler, in a
  // destructor) never allocates.
  struct OwnThread {
    std::thread thread;
    // Set by the thread as its very last step.
    std::shared_ptr<const std::atomic<bool>> finished;
  };
  using ThreadNode = std::list<OwnThread>;

  explicit RecoveryWatch(std::shared_ptr<State> state);

  // The thread's body; `state` outlives the handle when Stop came from a
  // handler.
  static void Run(std::shared_ptr<State> state);

  friend class FinishedWatchThreads;

  std::shared_ptr<State> state_;
  // One element while this handle owns its thread, none once handed over.
  ThreadNode thread_;
};

}  // namespace makegood::plugin

#endif  // MAKEGOOD_PLUGIN_RECOVERY_WATCH_H_
