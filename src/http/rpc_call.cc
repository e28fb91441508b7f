#include "http/rpc_call.h"

#include <deque>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace makegood::http {
namespace {

// Responses read ahead of the HTTP side: enough to keep the in-process
// stream busy, little enough that a stalled browser holds almost nothing.
constexpr size_t kReadAhead = 4;

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  if (!buffer.DumpToSingleSlice(&slice).ok()) return std::string();
  return std::string(reinterpret_cast<const char*>(slice.begin()),
                     slice.size());
}

}  // namespace

class RpcCall::Reactor final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit Reactor(RpcCallOptions options) : options_(std::move(options)) {}

  void Begin(const std::shared_ptr<Reactor>& self,
             const std::shared_ptr<grpc::Channel>& channel) {
    stub_ = std::make_unique<grpc::GenericStub>(channel);
    if (!options_.authorization.empty()) {
      context_.AddMetadata("authorization", options_.authorization);
    }
    if (options_.timeout.has_value()) {
      context_.set_deadline(
          absl::ToChronoTime(absl::Now() + *options_.timeout));
    }
    stub_->PrepareBidiStreamingCall(&context_, options_.method_path,
                                    grpc::StubOptions(), this);
    WriteNext();
    {
      absl::MutexLock lock(&mu_);
      self_ = self;
      reading_ = true;
      held_ = true;
    }
    // Reads are resumed from the HTTP side (Next), outside gRPC's
    // reactions: the hold keeps the call alive for them until the read
    // stream ends, or until Release.
    AddHold();
    StartRead(&read_buffer_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return;  // The call is over; OnDone tells how.
    ++written_;
    WriteNext();
  }

  void OnReadDone(bool ok) override {
    bool more = false;
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (ok) {
        messages_.push_back(ToString(read_buffer_));
        more = messages_.size() < kReadAhead;
        reading_ = more;
      } else {
        reads_ended_ = true;
        release = std::exchange(held_, false);
      }
    }
    // Never under the lock: gRPC may run the next reaction inline. Once the
    // read stream ended no read is resumed, so the call may finish.
    if (release) RemoveHold();
    if (more) StartRead(&read_buffer_);
  }

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<Reactor> keep;
    {
      absl::MutexLock lock(&mu_);
      status_ = status;
      done_ = true;
      keep = std::move(self_);
    }
    // `keep` may be the last owner: this object goes with it, after the
    // lock is released.
  }

  Event Next(absl::Duration wait) {
    bool resume = false;
    Event event;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !messages_.empty() || done_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
      if (!messages_.empty()) {
        event.message = std::move(messages_.front());
        messages_.pop_front();
        resume = !reading_ && !reads_ended_ && !done_;
        // After a cancel, one more read is still resumed: it fails, and
        // that ends the read stream and so the call.
        if (resume) reading_ = true;
      } else if (done_) {
        event.status = status_;
      } else {
        event.waiting = true;
      }
    }
    if (resume) StartRead(&read_buffer_);
    return event;
  }

  void Cancel() { context_.TryCancel(); }

  // The HTTP side is done with the call: cancels it if it still runs and
  // lets gRPC finish it.
  void Release() {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      release = std::exchange(held_, false);
    }
    context_.TryCancel();
    if (release) RemoveHold();
  }

 private:
  void WriteNext() {
    if (written_ < options_.requests.size()) {
      write_buffer_ = ToBuffer(options_.requests[written_]);
      StartWrite(&write_buffer_);
    } else {
      StartWritesDone();
    }
  }

  const RpcCallOptions options_;
  std::unique_ptr<grpc::GenericStub> stub_;
  grpc::ClientContext context_;
  // Written by gRPC's reactions only, one at a time.
  grpc::ByteBuffer write_buffer_;
  size_t written_ = 0;
  // Filled by gRPC between StartRead and OnReadDone only.
  grpc::ByteBuffer read_buffer_;

  absl::Mutex mu_;
  std::deque<std::string> messages_ ABSL_GUARDED_BY(mu_);
  // A read is outstanding.
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  // Set from Begin until OnDone.
  std::shared_ptr<Reactor> self_ ABSL_GUARDED_BY(mu_);
  // The hold taken in Begin is still to be removed.
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

std::unique_ptr<RpcCall> RpcCall::Start(
    const std::shared_ptr<grpc::Channel>& channel, RpcCallOptions options) {
  auto reactor = std::make_shared<Reactor>(std::move(options));
  reactor->Begin(reactor, channel);
  return std::unique_ptr<RpcCall>(new RpcCall(std::move(reactor)));
}

RpcCall::~RpcCall() { reactor_->Release(); }

RpcCall::Event RpcCall::Next(absl::Duration wait) {
  return reactor_->Next(wait);
}

void RpcCall::Cancel() { reactor_->Cancel(); }

UnaryAnswer CallUnary(const std::shared_ptr<grpc::Channel>& channel,
                      RpcCallOptions options) {
  auto call = RpcCall::Start(channel, std::move(options));
  UnaryAnswer answer;
  for (;;) {
    RpcCall::Event event = call->Next(absl::InfiniteDuration());
    if (event.message.has_value()) {
      answer.message = std::move(event.message);
    } else if (!event.waiting) {
      answer.status = event.status;
      if (!answer.status.ok()) answer.message.reset();
      return answer;
    }
  }
}

}  // namespace makegood::http
