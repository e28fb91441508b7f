#include "recovery_watch.h"

#include <algorithm>
#include <exception>
#include <iterator>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace makegood::plugin {

using makegood::v1::RecoveryUpdate;
using makegood::v1::WatchRecoveriesRequest;

namespace {

std::atomic<int64_t> first_watch_retry_us{
    absl::ToInt64Microseconds(kFirstWatchRetry)};

absl::Duration FirstWatchRetry() {
  return absl::Microseconds(
      first_watch_retry_us.load(std::memory_order_relaxed));
}

}  // namespace

void SetFirstWatchRetryForTesting(absl::Duration first) {
  first_watch_retry_us.store(absl::ToInt64Microseconds(first),
                             std::memory_order_relaxed);
}

class FinishedWatchThreads {
 public:
  FinishedWatchThreads() = default;
  FinishedWatchThreads(const FinishedWatchThreads&) = delete;
  FinishedWatchThreads& operator=(const FinishedWatchThreads&) = delete;

  // At unload or exit: waits for every one, so that no library code runs
  // once the library is gone.
  ~FinishedWatchThreads() {
    RecoveryWatch::ThreadNode all;
    {
      absl::MutexLock lock(&mu_);
      all.splice(all.end(), threads_);
    }
    for (RecoveryWatch::OwnThread& own : all) {
      if (own.thread.get_id() == std::this_thread::get_id()) {
        // exit() from that thread's own handler: it never comes back.
        own.thread.detach();
      } else {
        own.thread.join();
      }
    }
  }

  // Takes over the thread in `node`, node and all: never allocates.
  void Adopt(RecoveryWatch::ThreadNode& node) {
    absl::MutexLock lock(&mu_);
    threads_.splice(threads_.end(), node);
  }

  void JoinFinished() {
    RecoveryWatch::ThreadNode finished;
    {
      absl::MutexLock lock(&mu_);
      for (auto it = threads_.begin(); it != threads_.end();) {
        const auto next = std::next(it);
        if (it->finished->load(std::memory_order_acquire)) {
          finished.splice(finished.end(), threads_, it);
        }
        it = next;
      }
    }
    // Each has only its return left to run.
    for (RecoveryWatch::OwnThread& own : finished) own.thread.join();
  }

 private:
  absl::Mutex mu_;
  RecoveryWatch::ThreadNode threads_ ABSL_GUARDED_BY(mu_);
};

namespace {

// A static with a destructor, for that destructor: it runs when the
// library is unloaded or the process exits, and joins what is left.
FinishedWatchThreads finished_watch_threads;

}  // namespace

void JoinFinishedWatchThreads() { finished_watch_threads.JoinFinished(); }

// What the thread and the handle share.
struct RecoveryWatch::State {
  State(std::shared_ptr<grpc::Channel> channel, ContextFactory new_context,
        const WatchRecoveriesRequest& from, Handlers handlers)
      : stub(makegood::v1::RecoveryService::NewStub(std::move(channel))),
        new_context(std::move(new_context)),
        handlers(std::move(handlers)),
        resume(from) {}

  // How one stream went.
  struct StreamEnd {
    // Nothing more to do: stopping, or the first stream decided the start.
    bool done = false;
    // It handed on at least one update.
    bool delivered = false;
    // The handler failed; `status` is its error.
    bool handler_failed = false;
    // How it ended.
    grpc::Status status;
  };

  // Stop's part: no handler starts from now on, the stream is cancelled.
  void RequestStop() {
    absl::MutexLock lock(&mu);
    stopping = true;
    if (current != nullptr) current->TryCancel();
  }

  // False once stopping: a handler may run.
  bool MayDeliver() {
    absl::MutexLock lock(&mu);
    return !stopping;
  }

  // Waits `delay` unless stopped first; false when stopped.
  bool SleepUnlessStopped(absl::Duration delay) {
    absl::MutexLock lock(&mu);
    mu.AwaitWithTimeout(absl::Condition(&stopping), delay);
    return !stopping;
  }

  bool PublishedOrStoppingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return published || stopping;
  }

  // Makes `context` the call Stop cancels; false when already stopping.
  bool BeginCall(grpc::ClientContext* context) {
    absl::MutexLock lock(&mu);
    if (stopping) return false;
    current = context;
    return true;
  }

  void EndCall() {
    absl::MutexLock lock(&mu);
    current = nullptr;
  }

  // For each update read: whether it may be handed on. The watch's first
  // decides the start (unless Start gave up waiting) and is held back
  // until Publish.
  bool MayHandOn() {
    absl::MutexLock lock(&mu);
    if (!answered) {
      answered = true;
      if (start_decided) return false;  // Start gave up, and stops.
      start_decided = true;             // start_status stays OK.
      mu.Await(absl::Condition(this, &State::PublishedOrStoppingLocked));
    }
    return !stopping;
  }

  // Follows one stream from the resume point to its end. `retry` goes back
  // to the first once the stream has caught up.
  StreamEnd FollowStream(absl::Duration& retry) {
    StreamEnd end;
    std::unique_ptr<grpc::ClientContext> context = new_context();
    if (!BeginCall(context.get())) {
      end.done = true;
      return end;
    }
    // However this ends (an exception too), Stop stops cancelling the
    // context before it is gone: declared after it, destroyed before.
    struct CallGuard {
      State* state;
      ~CallGuard() { state->EndCall(); }
    } const guard{this};
    std::unique_ptr<grpc::ClientReader<RecoveryUpdate>> reader =
        stub->WatchRecoveries(context.get(), resume.Request());
    RecoveryUpdate update;
    bool left_early = false;
    while (reader->Read(&update)) {
      if (!MayHandOn()) {
        left_early = true;
        break;
      }
      resume.Saw(update);
      if (update.has_caught_up()) retry = FirstWatchRetry();
      end.delivered = true;
      if (absl::Status handed = handlers.update(update); !handed.ok()) {
        end.handler_failed = true;
        end.status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  std::string(handed.message()));
        left_early = true;
        break;
      }
    }
    // Finish waits for the stream's end: a stream left early is cancelled.
    // One that ended keeps its own status.
    if (left_early) context->TryCancel();
    const grpc::Status status = reader->Finish();
    if (end.handler_failed) return end;
    absl::MutexLock lock(&mu);
    if (stopping) {
      end.done = true;
    } else if (!answered) {
      // The first stream ended before it sent anything: Start says why.
      start_decided = true;
      start_status = status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                "makegoodd ended the stream "
                                                "before it sent anything")
                                 : status;
      end.done = true;
    } else {
      end.status = status;
    }
    return end;
  }

  // The streams, one after the other, until stopped or refused.
  void Follow() {
    absl::Duration retry = FirstWatchRetry();
    for (;;) {
      const StreamEnd end = FollowStream(retry);
      if (end.done) return;
      if (end.handler_failed || client::WatchRefused(end.status)) {
        if (MayDeliver()) handlers.ended(end.status);
        return;
      }
      // Once per loss: a reopened stream that ends before it hands
      // anything on is the same loss.
      if (end.delivered) {
        if (!MayDeliver()) return;
        handlers.lost(end.status);
      }
      if (!SleepUnlessStopped(retry)) return;
      retry = std::min(retry * 2, kLongestWatchRetry);
    }
  }

  // An exception on the thread: before the first update the start fails
  // with it, after it the watch ends with it. Nothing escapes.
  void Fail(const char* what) noexcept {
    try {
      const grpc::Status failure(grpc::StatusCode::INTERNAL,
                                 absl::StrCat("internal error: ", what));
      {
        absl::MutexLock lock(&mu);
        if (stopping) return;
        if (!answered) {
          start_decided = true;
          start_status = failure;
          return;
        }
      }
      handlers.ended(failure);
    } catch (...) {
      // Nothing is left to tell it with; the thread ends.
    }
  }

  // Const after construction.
  const std::unique_ptr<makegood::v1::RecoveryService::Stub> stub;
  const ContextFactory new_context;
  const Handlers handlers;

  // The thread's own.
  ResumePoint resume;

  // Set by the thread as its very last step.
  std::atomic<bool> finished{false};

  absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // Set by Publish: the first update may be handed on.
  bool published ABSL_GUARDED_BY(mu) = false;
  // The first update was read (by the thread, which alone sets it).
  bool answered ABSL_GUARDED_BY(mu) = false;
  grpc::ClientContext* current ABSL_GUARDED_BY(mu) = nullptr;
  // The first stream's answer: set once, by the thread (it answered,
  // ended or failed) or by Start (it waited long enough).
  bool start_decided ABSL_GUARDED_BY(mu) = false;
  grpc::Status start_status ABSL_GUARDED_BY(mu);
};

RecoveryWatch::RecoveryWatch(std::shared_ptr<State> state)
    : state_(std::move(state)) {
  thread_.emplace_back();
  thread_.front().finished =
      std::shared_ptr<const std::atomic<bool>>(state_, &state_->finished);
}

absl::StatusOr<std::unique_ptr<RecoveryWatch>> RecoveryWatch::Start(
    std::shared_ptr<grpc::Channel> channel, ContextFactory new_context,
    const WatchRecoveriesRequest& from, Handlers handlers,
    absl::Duration start_timeout) {
  auto state = std::make_shared<State>(
      std::move(channel), std::move(new_context), from, std::move(handlers));
  // Made before the thread starts, and its owner from then on: whatever
  // happens, an exception too, the handle's destructor stops and joins it.
  std::unique_ptr<RecoveryWatch> watch(new RecoveryWatch(state));
  watch->thread_.front().thread = std::thread(&RecoveryWatch::Run, state);
  grpc::Status started;
  {
    absl::MutexLock lock(&state->mu);
    state->mu.AwaitWithTimeout(absl::Condition(&state->start_decided),
                               start_timeout);
    if (!state->start_decided) {
      state->start_decided = true;
      state->stopping = true;
      if (state->current != nullptr) state->current->TryCancel();
      state->start_status =
          grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                       absl::StrCat("makegoodd did not answer within ",
                                    absl::FormatDuration(start_timeout)));
    }
    started = state->start_status;
  }
  if (!started.ok()) {
    // `watch` stops and joins the thread on the way out; it made no call.
    return absl::Status(static_cast<absl::StatusCode>(started.error_code()),
                        started.error_message());
  }
  return watch;
}

RecoveryWatch::~RecoveryWatch() { Stop(); }

void RecoveryWatch::Publish() {
  absl::MutexLock lock(&state_->mu);
  state_->published = true;
}

void RecoveryWatch::Stop() {
  state_->RequestStop();
  if (thread_.empty() || !thread_.front().thread.joinable()) return;
  if (thread_.front().thread.get_id() == std::this_thread::get_id()) {
    // From a handler: the thread leaves its stream once the handler
    // returns, and is joined by whoever comes next.
    finished_watch_threads.Adopt(thread_);
  } else {
    thread_.front().thread.join();
  }
}

void RecoveryWatch::Run(std::shared_ptr<State> state) {
  try {
    state->Follow();
  } catch (const std::exception& e) {
    state->Fail(e.what());
  } catch (...) {
    state->Fail("an exception of no standard type");
  }
  state->finished.store(true, std::memory_order_release);
}

}  // namespace makegood::plugin
