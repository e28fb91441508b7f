#include "service/order_event_service.h"

#include <atomic>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/event_validation.h"
#include "service/grpc_glue.h"
#include "service/publish_tally.h"

namespace makegood::service {

using makegood::v1::OrderEvent;
using makegood::v1::PublishSummary;

namespace {

core::EventValidationContext ValidationContext(
    const OrderEventServiceOptions& options, const core::Clock& clock) {
  return core::EventValidationContext{options.location_id, options.currency,
                                      clock.Now()};
}

}  // namespace

// One Publish stream. Reads events, validates each, and hands accepted ones
// to the store in chunks while it keeps reading, so validation and commits
// overlap. Reading pauses while too many chunks wait for their commit. The
// summary is sent when the client has finished sending and every chunk is
// committed.
//
// Lifetime. gRPC (reads, OnCancel, OnDone) and the store (each chunk's
// commit callback, on a store thread) both call into the reactor,
// and neither waits for the other, so neither may free it alone:
//  1. The reactor is reference counted. gRPC holds one reference from
//     creation until OnDone; each chunk handed to the store holds one from
//     TakeChunkLocked until its commit callback has returned. Whoever drops
//     the last one deletes the reactor: OnDone, or a commit callback still
//     returning when OnDone has run (6). (The one exception to DESIGN
//     §6.6's "delete this only in OnDone": gRPC cannot wait for the store.)
//  2. At most one read is pending. A read is started by the reader
//     (ReadNext, after OnReadDone) or by the commit callback that ends a
//     pause, never by both: paused_ hands the turn over under mu_.
//  3. The read side is done (reading_done_) once OnReadDone(false) came, the
//     reader saw the cancel, or the stream was cancelled while paused (no
//     read pending). After that no read starts.
//  4. Finish is called exactly once (finished_), outside mu_, by whoever sees
//     under mu_ that the read side is done and no chunk is in flight. So no
//     read starts after Finish (3), and a commit callback that ends a pause
//     has started its read before anyone can finish (the read side cannot be
//     done while paused_ is being cleared): OnDone follows every gRPC call.
//  5. After a cancel nothing more goes to the store (the client gets no
//     summary and sends again); chunks already handed over commit. Chunks
//     are handed over in stream order (2), so what a cancelled stream leaves
//     stored is a prefix of what it sent.
//  6. Every commit comes before Finish (4, and nothing is taken once the
//     read side is done), but its callback may still be returning when
//     another thread finishes and gRPC runs OnDone: its reference keeps the
//     reactor (the mutex it just left, the StartRead it makes) valid. After
//     its locked section it calls only StartRead (it ended a pause) or
//     Finish (it is the one to finish), then drops its reference.
class OrderEventServiceImpl::PublishReactor final
    : public grpc::ServerReadReactor<OrderEvent> {
 public:
  PublishReactor(const OrderEventServiceImpl& service, PublishSummary* summary)
      : service_(service),
        summary_(summary),
        validation_(ValidationContext(service.options_, service.clock_)) {
    chunk_.events.reserve(service_.options_.chunk_size);
    StartRead(&event_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // The client finished sending (or the call broke).
      EndReading();
      return;
    }
    const int index = next_index_++;
    validation_.now = service_.clock_.Now();
    const absl::Status valid = core::ValidateOrderEvent(event_, validation_);
    Chunk full;
    {
      absl::MutexLock lock(&mu_);
      if (!valid.ok()) {
        tally_.Reject(index, event_.event_id(), valid.message());
      } else {
        chunk_.events.push_back(std::move(event_));
        chunk_.indices.push_back(index);
        if (static_cast<int>(chunk_.events.size()) >=
            service_.options_.chunk_size) {
          full = TakeChunkLocked();
          chunk_.events.reserve(service_.options_.chunk_size);
        }
      }
      event_.Clear();
    }
    Submit(std::move(full));
    ReadNext();
  }

  void OnCancel() override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (paused_) {  // No read is pending and none will be (3).
        paused_ = false;
        finish = StopReadingLocked();
      }
    }
    if (finish.has_value()) Finish(*finish);
  }

  void OnDone() override { Unref(); }  // gRPC's reference (1).

 private:
  struct Chunk {
    std::vector<OrderEvent> events;
    std::vector<int> indices;  // The events' stream positions.
  };

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // The client finished sending, or the call broke: the rest goes to the
  // store unless the stream was cancelled.
  void EndReading() {
    Chunk rest;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      rest = TakeChunkLocked();
      finish = StopReadingLocked();  // Not while `rest` is in flight.
    }
    Submit(std::move(rest));
    if (finish.has_value()) Finish(*finish);
  }

  // After an event: reads the next one, pauses while too many chunks wait
  // for their commit, or stops after a cancel.
  void ReadNext() {
    bool read = false;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_) {
        finish = StopReadingLocked();
      } else if (chunks_in_flight_ > 0 &&
                 chunks_in_flight_ >= service_.options_.max_chunks_in_flight) {
        paused_ = true;  // The next commit reads on (2).
      } else {
        read = true;
      }
    }
    if (read) StartRead(&event_);
    if (finish.has_value()) Finish(*finish);
  }

  // The chunk being filled, now in flight with its own reference (1); empty
  // when nothing is buffered or the stream was cancelled (5).
  Chunk TakeChunkLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Chunk taken = std::exchange(chunk_, Chunk{});
    if (taken.events.empty() || cancelled_) return Chunk{};
    ++chunks_in_flight_;
    Ref();
    return taken;
  }

  // Hands a chunk from TakeChunkLocked to the store. Its callback may run
  // on a store thread at any time, or at once on this thread when
  // the store has shut down.
  void Submit(Chunk chunk) {
    if (chunk.events.empty()) return;
    service_.store_.AppendEvents(
        std::move(chunk.events), service_.clock_.Now(),
        [this, indices = std::move(chunk.indices)](
            absl::StatusOr<std::vector<store::EventResult>> outcomes) {
          OnCommitted(std::move(outcomes), indices);
          Unref();  // The chunk's reference; the last access (1).
        });
  }

  // Runs on a store thread (the writer or its completion thread).
  void OnCommitted(absl::StatusOr<std::vector<store::EventResult>> outcomes,
                   const std::vector<int>& indices) {
    bool resume = false;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      --chunks_in_flight_;
      if (outcomes.ok()) {
        tally_.Count(*outcomes, indices);
      } else if (error_.ok()) {
        error_ = outcomes.status();
      }
      if (paused_) {  // Not cancelled, so not finished: read on (2, 4).
        paused_ = false;
        resume = true;
      } else {
        finish = FinishIfDoneLocked();
      }
    }
    if (resume) StartRead(&event_);
    if (finish.has_value()) Finish(*finish);
  }

  // No read is pending and none will start (3).
  std::optional<grpc::Status> StopReadingLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reading_done_ = true;
    chunk_ = Chunk{};  // Nothing buffered is sent after a cancel (5).
    return FinishIfDoneLocked();
  }

  // The status to Finish with when the caller is the one to finish (4).
  std::optional<grpc::Status> FinishIfDoneLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reading_done_ || chunks_in_flight_ > 0) {
      return std::nullopt;
    }
    finished_ = true;
    *summary_ = tally_.summary();
    return ToGrpcStatus(error_);
  }

  const OrderEventServiceImpl& service_;
  PublishSummary* const summary_;
  OrderEvent event_;  // Owned by the pending read.
  // Read-side only: reads complete one at a time.
  int next_index_ = 0;
  // Built once per stream; only `now` changes per event.
  core::EventValidationContext validation_;
  // gRPC's and one per chunk in flight (1).
  std::atomic<int> refs_{1};

  absl::Mutex mu_;
  Chunk chunk_ ABSL_GUARDED_BY(mu_);
  PublishTally tally_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  int chunks_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_done_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

OrderEventServiceImpl::OrderEventServiceImpl(OrderEventServiceOptions options,
                                             store::Store& store,
                                             const Authenticator& auth,
                                             const core::Clock& clock)
    : options_(std::move(options)), store_(store), auth_(auth), clock_(clock) {}

grpc::ServerReadReactor<OrderEvent>* OrderEventServiceImpl::Publish(
    grpc::CallbackServerContext* context, PublishSummary* summary) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) {
    return new FinishedReadReactor<OrderEvent>(
        ToGrpcStatus(principal.status()));
  }
  return new PublishReactor(*this, summary);
}

grpc::ServerUnaryReactor* OrderEventServiceImpl::PublishBatch(
    grpc::CallbackServerContext* context,
    const makegood::v1::PublishBatchRequest* request, PublishSummary* summary) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADAPTER});
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (request->events_size() > options_.max_batch_size) {
    return FinishUnary(
        context, absl::InvalidArgumentError(
                     absl::StrCat("events: at most ", options_.max_batch_size,
                                  " per batch, got ", request->events_size())));
  }
  auto tally = std::make_shared<PublishTally>();
  std::vector<OrderEvent> valid;
  std::vector<int> indices;
  valid.reserve(request->events_size());
  const core::EventValidationContext validation =
      ValidationContext(options_, clock_);
  for (int i = 0; i < request->events_size(); ++i) {
    const OrderEvent& event = request->events(i);
    if (absl::Status s = core::ValidateOrderEvent(event, validation); !s.ok()) {
      tally->Reject(i, event.event_id(), s.message());
    } else {
      valid.push_back(event);
      indices.push_back(i);
    }
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (valid.empty()) {
    *summary = tally->summary();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  store_.AppendEvents(
      std::move(valid), clock_.Now(),
      [reactor, summary, tally, indices = std::move(indices)](
          absl::StatusOr<std::vector<store::EventResult>> outcomes) {
        if (!outcomes.ok()) {
          reactor->Finish(ToGrpcStatus(outcomes.status()));
          return;
        }
        tally->Count(*outcomes, indices);
        *summary = tally->summary();
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace makegood::service
