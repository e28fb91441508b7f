#ifndef MAKEGOOD_SERVICE_STREAM_WRITER_H_
#define MAKEGOOD_SERVICE_STREAM_WRITER_H_

// A server-streaming reactor with a bounded queue: messages may be queued
// from any thread; one write is in flight at a time; Close finishes the
// stream after the queue drains. Subclasses unregister themselves in
// Unregister() and are deleted in OnDone, as the callback API requires.
//
// Lifetime (gRPC runs OnDone, which deletes the reactor, on its own thread
// as soon as Finish has completed and no reaction is running):
//  1. At most one write is in flight (writing_); its message is
//     queue_.front() until OnWriteDone.
//  2. Finish is called exactly once: by the thread that sets finished_
//     under mu_, after it has released mu_, as its last access to the
//     reactor. Enqueue and Close run on threads gRPC does not hold the
//     reactor for (the hub's, a store thread): the reactor
//     may be gone the moment Finish is called, so nothing, not even the
//     unlock of mu_, may follow it.
//  3. No write is in flight when Finish is called, and none starts after
//     finished_.
//  4. Every stream reaches Finish. A cancel or a failed write marks the
//     stream failed_: with no write in flight it finishes at once, else
//     when that write completes, whether it went out or not (a cancel that
//     races the last queued write used to leave the stream unfinished
//     forever, its OnDone never run). Close finishes once the queue drains.
//  5. After finished_, Enqueue and Close change nothing. The feeders call
//     them until Unregister() returns in OnDone; the subclass's Unregister
//     makes sure none is still inside one when it returns.
//  6. Bounded (server.stream_queue_limit): at most `limit` counted messages
//     wait behind the one in flight, i.e. have not been taken by gRPC's
//     transport yet (a client that stops reading stops OnWriteDone once
//     the HTTP/2 window is full, so this is what grows). Enqueueing one
//     more fails the stream with RESOURCE_EXHAUSTED, reason
//     STREAM_OVERLOADED, and drops what waits; it finishes as 4. says, and
//     the client resumes. A stream's catch-up is queued uncounted
//     (EnqueueUncounted): it is bounded by what it replays, and counting it
//     would end a stream that could only restart into the same catch-up.
//     Enqueue answers whether the message was queued, so that a feeder
//     holding work for this stream (the dispatcher's leases) takes it back.

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/refusal.h"
#include "service/grpc_glue.h"

namespace makegood::service {

// How a stream whose client fell behind ends (6.).
inline grpc::Status StreamOverloadedStatus(size_t limit) {
  return ToGrpcStatus(core::Refuse(
      absl::StatusCode::kResourceExhausted,
      makegood::v1::Error::STREAM_OVERLOADED,
      absl::StrCat("the client fell behind: more than ", limit,
                   " messages waited for it (server.stream_queue_limit); "
                   "resume the stream")));
}

template <typename Message>
class QueuedWriter : public grpc::ServerWriteReactor<Message> {
 public:
  // At most `limit` (at least 1) counted messages wait behind the write in
  // flight (6.).
  explicit QueuedWriter(size_t limit) : limit_(limit > 0 ? limit : 1) {}

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      queue_.pop_front();
      if (!ok) FailLocked(grpc::Status::OK);  // The client is gone.
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);
  }

  void OnCancel() override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      FailLocked(grpc::Status::CANCELLED);
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);
  }

  void OnDone() override {
    Unregister();
    delete this;
  }

 protected:
  // Stops whatever feeds the stream; called once, before deletion.
  virtual void Unregister() = 0;

  // Queues `message`, counted against the limit (6.). False when it was not
  // queued: the stream is ending, or this message overloaded it.
  bool Enqueue(const Message& message) { return Push(message, true); }

  // Queues a message of the stream's catch-up, not counted (6.).
  bool EnqueueUncounted(const Message& message) { return Push(message, false); }

  // Ends the stream with `status` at once, dropping what waits (as a
  // failure does, 4.): a reload revoked its credential.
  void Abort(const grpc::Status& status) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      FailLocked(status);
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);  // Last access (2.).
  }

  // Finishes with `status` once everything queued is written.
  void Close(const grpc::Status& status = grpc::Status::OK) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (!closing_) {
        closing_ = true;
        close_status_ = status;
      }
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);
  }

 private:
  struct Entry {
    Message message;
    bool counted;  // Against limit_ (6.).
  };

  bool Push(const Message& message, bool counted) {
    std::optional<grpc::Status> finish;
    bool queued = false;
    {
      absl::MutexLock lock(&mu_);
      if (failed_ || closing_ || finished_) return false;
      if (counted && waiting_counted_ >= limit_) {
        FailLocked(StreamOverloadedStatus(limit_));
      } else {
        queue_.push_back(Entry{message, counted});
        if (counted) ++waiting_counted_;
        queued = true;
      }
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);  // Last access (2.).
    return queued;
  }

  // The first failure's status is the one the stream finishes with. What
  // waits is never to be written; the write in flight, if any, stays until
  // its OnWriteDone (1.).
  void FailLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (failed_) return;
    failed_ = true;
    fail_status_ = status;
    queue_.erase(writing_ ? queue_.begin() + 1 : queue_.begin(), queue_.end());
    waiting_counted_ = 0;
  }

  // Starts the next write, or returns the status to Finish with when the
  // caller is the one to finish (2, 3, 4).
  std::optional<grpc::Status> AdvanceLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_) return std::nullopt;
    if (failed_) {
      queue_.clear();  // Never to be written.
      finished_ = true;
      return fail_status_;
    }
    if (!queue_.empty()) {
      writing_ = true;
      if (queue_.front().counted) --waiting_counted_;  // In flight now.
      this->StartWrite(&queue_.front().message);
      return std::nullopt;
    }
    if (closing_) {
      finished_ = true;
      return close_status_;
    }
    return std::nullopt;
  }

  // Const after construction.
  const size_t limit_;

  absl::Mutex mu_;
  std::deque<Entry> queue_ ABSL_GUARDED_BY(mu_);  // front() is in flight.
  // Counted entries of queue_ not in flight.
  size_t waiting_counted_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status close_status_ ABSL_GUARDED_BY(mu_);
  grpc::Status fail_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_STREAM_WRITER_H_
