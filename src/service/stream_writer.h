#ifndef MAKEGOOD_SERVICE_STREAM_WRITER_H_
#define MAKEGOOD_SERVICE_STREAM_WRITER_H_

// A server-streaming reactor with a queue: messages may be queued from any
// thread; one write is in flight at a time; Close finishes the stream after
// the queue drains. Subclasses unregister themselves in Unregister() and are
// deleted in OnDone, as the callback API requires.
//
// Lifetime (gRPC runs OnDone, which deletes the reactor, on its own thread
// as soon as Finish has completed and no reaction is running):
//  1. At most one write is in flight (writing_); its message is
//     queue_.front() until OnWriteDone.
//  2. Finish is called exactly once: by the thread that sets finished_
//     under mu_, after it has released mu_, as its last access to the
//     reactor. Enqueue and Close run on threads gRPC does not hold the
//     reactor for (the hub's, the store's completion thread): the reactor
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

#include <grpcpp/grpcpp.h>

#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace makegood::service {

template <typename Message>
class QueuedWriter : public grpc::ServerWriteReactor<Message> {
 public:
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

  void Enqueue(const Message& message) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (failed_ || closing_ || finished_) return;
      queue_.push_back(message);
      finish = AdvanceLocked();
    }
    if (finish.has_value()) this->Finish(*finish);
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
  // The first failure's status is the one the stream finishes with.
  void FailLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (failed_) return;
    failed_ = true;
    fail_status_ = status;
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
      this->StartWrite(&queue_.front());
      return std::nullopt;
    }
    if (closing_) {
      finished_ = true;
      return close_status_;
    }
    return std::nullopt;
  }

  absl::Mutex mu_;
  std::deque<Message> queue_ ABSL_GUARDED_BY(mu_);  // front() is in flight.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status close_status_ ABSL_GUARDED_BY(mu_);
  grpc::Status fail_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_STREAM_WRITER_H_
