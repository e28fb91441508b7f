#ifndef MAKEGOOD_SERVICE_ORDER_EVENT_SERVICE_H_
#define MAKEGOOD_SERVICE_ORDER_EVENT_SERVICE_H_

// makegood.v1.OrderEventService: validates events and hands them to the
// store's writer; answers once they are committed. Thread-safe.

#include <string>

#include "core/clock.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "service/auth.h"
#include "store/store.h"

namespace makegood::service {

struct OrderEventServiceOptions {
  // The daemon's location; events of others are rejected.
  std::string location_id;
  // The location's currency; amounts in others are rejected.
  std::string currency;
  // Events handed to the store per write job while a stream is read.
  int chunk_size = 512;
  // Chunks of one stream waiting for their commit before reading pauses.
  int max_chunks_in_flight = 8;
  // Largest PublishBatch accepted.
  int max_batch_size = 10000;
};

class OrderEventServiceImpl final
    : public makegood::v1::OrderEventService::CallbackService {
 public:
  // All references must outlive the service.
  OrderEventServiceImpl(OrderEventServiceOptions options, store::Store& store,
                        const Authenticator& auth, const core::Clock& clock);

  grpc::ServerReadReactor<makegood::v1::OrderEvent>* Publish(
      grpc::CallbackServerContext* context,
      makegood::v1::PublishSummary* summary) override;

  grpc::ServerUnaryReactor* PublishBatch(
      grpc::CallbackServerContext* context,
      const makegood::v1::PublishBatchRequest* request,
      makegood::v1::PublishSummary* summary) override;

 private:
  class PublishReactor;

  const OrderEventServiceOptions options_;
  store::Store& store_;
  const Authenticator& auth_;
  const core::Clock& clock_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_ORDER_EVENT_SERVICE_H_
