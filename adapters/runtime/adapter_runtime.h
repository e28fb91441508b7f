#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_

// A running vendor adapter, four threads around AdapterState:
//  - webhooks: verifies each delivery's signature on the raw body (401 and
//    nothing stored when it fails), stores it in the inbox, answers 200 (a
//    replayed delivery: 200, nothing stored);
//  - inbox: for each delivery, fetches the orders a thin webhook names,
//    diffs each check against the last version published, publishes the
//    new OrderEvents to makegoodd and only then marks it processed. An
//    unreachable vendor or makegoodd, or a vendor refusing the token,
//    leaves it for a later try, with backoff (1 s doubling to 60 s);
//  - command stream (client::CommandReceiver): queues each command it
//    reads and goes back to reading, so nothing it does waits on the POS;
//  - commands: carries out each queued command through the VendorApi,
//    which reads the order back before any write and recognises
//    makegood's marker (remedy_marker.h), so a command is applied once
//    whatever was interrupted. The outcome is saved before the ack, so a
//    redelivered command is acknowledged again, not redone; an ack that
//    fails is sent again with backoff while the stream lasts. A vendor
//    that cannot be reached is answered RETRY_LATER (1 s doubling to 60 s
//    by delivery attempt): makegoodd offers the command again, to one
//    stream at a time, while the stream stays up.
// A vendor answering 401 or 403 is logged once per episode (and when it is
// over) and reported to makegoodd as an ADAPTER_PROBLEM alert; deliveries
// and commands wait meanwhile, nothing is dropped or rejected for it.
// A delivery that cannot be read (the vendor's parser refuses the webhook,
// or the order it names as fetched) is quarantined: set aside in the state
// (AdapterState::Quarantine, so it is never parsed again, restarts
// included), logged once (delivery_quarantined: vendor, delivery, the
// parser's error, never the payload) and reported as DELIVERY_UNREADABLE
// once per run of unreadable deliveries; the vendor got its 2xx when it was
// stored, and the inbox goes on with the next delivery.
// Stop ends every wait at once; a vendor call in flight finishes first
// (at most its timeout).

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "adapter_state.h"
#include "client/command_receiver.h"
#include "makegood/v1/adapter_config.pb.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "problem_episode.h"
#include "retry.h"
#include "vendor_api.h"
#include "vendor_http.h"

namespace httplib {
class Server;
}

namespace makegood::adapters {

class AdapterRuntime {
 public:
  // Makes the vendor's API once the state is open (some read it), with the
  // runtime's retry policy: the configured timeout, waits that end when
  // the runtime stops.
  using VendorFactory = std::function<std::unique_ptr<VendorApi>(
      AdapterState& state, const RetryPolicy& retry)>;

  // Opens the state, binds the webhook port and starts the threads.
  // INVALID_ARGUMENT naming the makegood.tls_* field whose file cannot be
  // read (or does not go with the others).
  static absl::StatusOr<std::unique_ptr<AdapterRuntime>> Start(
      const makegood::v1::AdapterConfig& config, const VendorFactory& vendor);
  AdapterRuntime(const AdapterRuntime&) = delete;
  AdapterRuntime& operator=(const AdapterRuntime&) = delete;
  ~AdapterRuntime();  // Stops.

  int port() const { return port_; }
  // Stops taking webhooks and commands, finishes the delivery and command
  // at hand, ends the stream.
  void Stop();

 private:
  AdapterRuntime(const makegood::v1::AdapterConfig& config,
                 std::shared_ptr<grpc::Channel> channel,
                 std::shared_ptr<StopSignal> stop,
                 std::unique_ptr<VendorApi> vendor,
                 std::unique_ptr<AdapterState> state);

  void ServeWebhooks();
  void ProcessInbox();
  // True when done with the delivery (published, or quarantined) and the
  // vendor's API answered on the way; UNAVAILABLE, a VendorAuthError or a
  // state error to try it again later.
  absl::StatusOr<bool> ProcessDelivery(const Delivery& delivery);
  // Sets `delivery` aside for good because of `error` (the parser's).
  absl::Status Quarantine(const Delivery& delivery, absl::string_view error);
  // Publishes what each check in `orders` (parsed from `body`) adds to the
  // version last published, then keeps `body` as that version.
  absl::Status PublishOrders(const std::string& body,
                             const std::vector<OrderSnapshot>& orders);

  // A delivered command and when it arrived (its lease runs from then).
  struct Received {
    makegood::v1::RemedyCommand command;
    absl::Time at;
  };

  // The command stream's thread: queue and return.
  void Queue(const makegood::v1::RemedyCommand& command);
  // The stream ended: its leases too, so what is queued is dropped (it is
  // offered again).
  void StreamEnded(const grpc::Status& status);
  void RunCommands();
  // `stream` counts the streams ended before the command arrived.
  void CarryOut(const Received& received, int64_t stream);
  // OK while the delivery that came on stream `stream` may start a vendor
  // write: that stream is still up and the write ends within the lease;
  // else ABORTED, and the command is left to its next delivery.
  absl::Status MayWrite(const Received& received, int64_t stream);
  // Not done now: RETRY_LATER, after the backoff of its delivery attempt.
  void AskAgainLater(const makegood::v1::RemedyCommand& command,
                     const absl::Status& why, int64_t stream);
  // Sends `ack` until makegoodd records it or answers that it never will,
  // the stream `stream` ends or the runtime stops.
  void Acknowledge(const makegood::v1::AckCommandRequest& ack, int64_t stream);

  // The vendor refused the token: logged and reported once per episode.
  void VendorAuthFailed(const absl::Status& status);
  // Sends makegoodd `problem` with `message` when `seen` asks for it;
  // returns whether it got there.
  bool ReportProblem(ProblemEpisode& episode, const ProblemEpisode::Seen& seen,
                     makegood::v1::ReportAdapterProblemRequest::Problem problem,
                     absl::string_view message);
  // The vendor answered: an episode of refusals is over.
  void VendorAnswered();

  std::unique_ptr<grpc::ClientContext> Context(bool with_deadline) const;
  // Waits up to `delay` or until stopped or woken by a webhook.
  bool WaitUnlessStopped(absl::Duration delay);
  // Waits `delay` unless stopped or the stream numbered `stream` ended.
  bool WaitOnStream(absl::Duration delay, int64_t stream);

  // Const after construction.
  const makegood::v1::AdapterConfig config_;
  const std::shared_ptr<StopSignal> stop_;
  const std::unique_ptr<VendorApi> vendor_;
  const std::unique_ptr<AdapterState> state_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<makegood::v1::OrderEventService::Stub> events_;
  std::unique_ptr<makegood::v1::RemedyCommandService::Stub> acks_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;

  ProblemEpisode vendor_auth_;
  // Unreadable deliveries, one after another; over at a readable one.
  ProblemEpisode unreadable_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool inbox_changed_ ABSL_GUARDED_BY(mu_) = false;
  // Commands read and not yet taken by the commands thread, one per id,
  // with when they arrived.
  std::deque<Received> queued_ ABSL_GUARDED_BY(mu_);
  // Command streams ended so far; a command is worked on for the stream
  // (the lease) it came on.
  int64_t streams_ended_ ABSL_GUARDED_BY(mu_) = 0;

  std::thread webhooks_;
  std::thread inbox_;
  std::thread commands_;
  std::unique_ptr<client::CommandReceiver> receiver_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_
