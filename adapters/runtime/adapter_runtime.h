#ifndef MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_
#define MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_

// A running vendor adapter, three threads around AdapterState:
//  - webhooks: verifies each delivery's signature on the raw body (401 and
//    nothing stored when it fails), stores it in the inbox, answers 200 (a
//    replayed delivery: 200, nothing stored);
//  - inbox: for each delivery, fetches the orders a thin webhook names,
//    diffs each check against the last version published, publishes the
//    new OrderEvents to makegoodd and only then marks it processed (an
//    unreachable vendor or makegoodd leaves it for a later try);
//  - commands: streams this location's remedy commands, carries each out
//    through the VendorApi once (its outcome is saved before the ack, so a
//    redelivered one is acknowledged again, not redone) and acknowledges it
//    APPLIED with the POS reference or REJECTED with the vendor's reason.

#include <grpcpp/grpcpp.h>

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
#include "vendor_api.h"

namespace httplib {
class Server;
}

namespace makegood::adapters {

class AdapterRuntime {
 public:
  // Makes the vendor's API once the state is open (some read it).
  using VendorFactory =
      std::function<std::unique_ptr<VendorApi>(AdapterState& state)>;

  // Opens the state, binds the webhook port and starts the threads.
  // INVALID_ARGUMENT when makegood.tls_ca_file cannot be read.
  static absl::StatusOr<std::unique_ptr<AdapterRuntime>> Start(
      const makegood::v1::AdapterConfig& config, const VendorFactory& vendor);
  AdapterRuntime(const AdapterRuntime&) = delete;
  AdapterRuntime& operator=(const AdapterRuntime&) = delete;
  ~AdapterRuntime();  // Stops.

  int port() const { return port_; }
  // Stops taking webhooks, finishes the delivery at hand, ends the stream.
  void Stop();

 private:
  AdapterRuntime(const makegood::v1::AdapterConfig& config,
                 std::shared_ptr<grpc::Channel> channel,
                 std::unique_ptr<VendorApi> vendor,
                 std::unique_ptr<AdapterState> state);

  void ServeWebhooks();
  void ProcessInbox();
  // OK when done with the delivery, UNAVAILABLE to try it again later.
  absl::Status ProcessDelivery(const Delivery& delivery);
  // Publishes what each check in `orders` (parsed from `body`) adds to the
  // version last published, then keeps `body` as that version.
  absl::Status PublishOrders(const std::string& body,
                             const std::vector<OrderSnapshot>& orders);
  void Handle(const makegood::v1::RemedyCommand& command);
  std::unique_ptr<grpc::ClientContext> Context(bool with_deadline) const;
  // Waits up to `delay` or until stopped (or, for the inbox, woken).
  bool WaitUnlessStopped(absl::Duration delay);

  // Const after construction.
  const makegood::v1::AdapterConfig config_;
  const std::unique_ptr<VendorApi> vendor_;
  const std::unique_ptr<AdapterState> state_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<makegood::v1::OrderEventService::Stub> events_;
  std::unique_ptr<makegood::v1::RemedyCommandService::Stub> acks_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool inbox_changed_ ABSL_GUARDED_BY(mu_) = false;

  std::thread webhooks_;
  std::thread inbox_;
  std::unique_ptr<client::CommandReceiver> commands_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_RUNTIME_ADAPTER_RUNTIME_H_
