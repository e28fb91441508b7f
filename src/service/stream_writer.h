#ifndef MAKEGOOD_SERVICE_STREAM_WRITER_H_
#define MAKEGOOD_SERVICE_STREAM_WRITER_H_

// A server-streaming reactor with a queue: messages may be queued from any
// thread; one write is in flight at a time; Close finishes the stream after
// the queue drains. Subclasses unregister themselves in Unregister() and are
// deleted in OnDone, as the callback API requires.

#include <grpcpp/grpcpp.h>

#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace makegood::service {

template <typename Message>
class QueuedWriter : public grpc::ServerWriteReactor<Message> {
 public:
  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      failed_ = true;
      FinishLocked(grpc::Status::OK);
      return;
    }
    queue_.pop_front();
    WriteNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    failed_ = true;
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    Unregister();
    delete this;
  }

 protected:
  // Stops whatever feeds the stream; called once, before deletion.
  virtual void Unregister() = 0;

  void Enqueue(const Message& message) {
    absl::MutexLock lock(&mu_);
    if (failed_ || closing_) return;
    queue_.push_back(message);
    WriteNextLocked();
  }

  // Finishes with `status` once everything queued is written.
  void Close(const grpc::Status& status = grpc::Status::OK) {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    close_status_ = status;
    if (!writing_) FinishLocked(status);
  }

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_) return;
    if (queue_.empty()) {
      if (closing_) FinishLocked(close_status_);
      return;
    }
    writing_ = true;
    this->StartWrite(&queue_.front());
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_) return;
    finished_ = true;
    this->Finish(status);
  }

  absl::Mutex mu_;
  std::deque<Message> queue_ ABSL_GUARDED_BY(mu_);  // front() is in flight.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status close_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_STREAM_WRITER_H_
