#include "service/order_event_service.h"

#include <memory>
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
// committed; Finish is called only then, so OnDone comes after every store
// callback and may delete the reactor.
class OrderEventServiceImpl::PublishReactor final
    : public grpc::ServerReadReactor<OrderEvent> {
 public:
  PublishReactor(const OrderEventServiceImpl& service, PublishSummary* summary)
      : service_(service),
        summary_(summary),
        validation_(ValidationContext(service.options_, service.clock_)) {
    chunk_.reserve(service_.options_.chunk_size);
    StartRead(&event_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // The client finished sending (or the call broke).
      std::vector<OrderEvent> last_chunk;
      std::vector<int> last_indices;
      {
        absl::MutexLock lock(&mu_);
        reading_done_ = true;
        last_chunk.swap(chunk_);
        last_indices.swap(chunk_indices_);
      }
      Submit(std::move(last_chunk), std::move(last_indices));
      MaybeFinish();
      return;
    }
    const int index = next_index_++;
    validation_.now = service_.clock_.Now();
    absl::Status valid = core::ValidateOrderEvent(event_, validation_);
    std::vector<OrderEvent> full_chunk;
    std::vector<int> full_indices;
    bool pause = false;
    {
      absl::MutexLock lock(&mu_);
      if (!valid.ok()) {
        tally_.Reject(index, event_.event_id(), valid.message());
      } else {
        chunk_.push_back(std::move(event_));
        chunk_indices_.push_back(index);
        if (static_cast<int>(chunk_.size()) >= service_.options_.chunk_size) {
          full_chunk.swap(chunk_);
          full_indices.swap(chunk_indices_);
          chunk_.reserve(service_.options_.chunk_size);
          // Counted here so the pause decision sees this chunk.
          pause =
              chunks_in_flight_ + 1 >= service_.options_.max_chunks_in_flight;
          paused_ = pause;
        }
      }
      // Before Submit: a commit callback may resume reading into event_.
      event_.Clear();
    }
    Submit(std::move(full_chunk), std::move(full_indices));
    if (!pause) StartRead(&event_);
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    MaybeFinish();
  }

  void OnDone() override { delete this; }

 private:
  // `indices` are the stream positions of the chunk's events.
  void Submit(std::vector<OrderEvent> chunk, std::vector<int> indices) {
    if (chunk.empty()) return;
    {
      absl::MutexLock lock(&mu_);
      ++chunks_in_flight_;
    }
    service_.store_.AppendEvents(
        std::move(chunk), service_.clock_.Now(),
        [this, indices = std::move(indices)](
            absl::StatusOr<std::vector<store::EventResult>> outcomes) {
          OnCommitted(std::move(outcomes), indices);
        });
  }

  // Runs on the store's completion thread.
  void OnCommitted(absl::StatusOr<std::vector<store::EventResult>> outcomes,
                   const std::vector<int>& indices) {
    bool resume = false;
    {
      absl::MutexLock lock(&mu_);
      --chunks_in_flight_;
      if (outcomes.ok()) {
        tally_.Count(*outcomes, indices);
      } else if (error_.ok()) {
        error_ = outcomes.status();
      }
      if (paused_) {
        paused_ = false;
        resume = true;
      }
    }
    if (resume) StartRead(&event_);
    MaybeFinish();
  }

  void MaybeFinish() {
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || chunks_in_flight_ > 0 ||
          !(reading_done_ || cancelled_)) {
        return;
      }
      finished_ = true;
      *summary_ = tally_.summary();
      status = ToGrpcStatus(error_);
    }
    Finish(status);
  }

  const OrderEventServiceImpl& service_;
  PublishSummary* const summary_;
  OrderEvent event_;  // Owned by the pending read.
  // Read-side only: reads complete one at a time.
  int next_index_ = 0;
  // Built once per stream; only `now` changes per event.
  core::EventValidationContext validation_;

  absl::Mutex mu_;
  std::vector<OrderEvent> chunk_ ABSL_GUARDED_BY(mu_);
  std::vector<int> chunk_indices_ ABSL_GUARDED_BY(mu_);
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
