#ifndef MAKEGOOD_SERVICE_CHECK_SERVICE_H_
#define MAKEGOOD_SERVICE_CHECK_SERVICE_H_

// makegood.v1.CheckService: reads of the check projection, on the reader
// executor, and the location's facts clients need to show them
// (GetLocation). Thread-safe.

#include "makegood/v1/checks.grpc.pb.h"
#include "makegood/v1/config.pb.h"
#include "service/auth.h"
#include "service/read_executor.h"
#include "store/store.h"

namespace makegood::service {

class CheckServiceImpl final
    : public makegood::v1::CheckService::CallbackService {
 public:
  // References must outlive the service. The location is the running
  // configuration's, as the call's authentication took it
  // (service/live_config.h).
  CheckServiceImpl(store::Store& store, const Authenticator& auth,
                   ReadExecutor& readers);

  grpc::ServerUnaryReactor* GetCheck(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetCheckRequest* request,
      makegood::v1::Check* response) override;

  grpc::ServerUnaryReactor* ListChecks(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListChecksRequest* request,
      makegood::v1::ListChecksResponse* response) override;

  grpc::ServerUnaryReactor* GetLocation(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetLocationRequest* request,
      makegood::v1::Location* response) override;

 private:
  store::Store& store_;
  const Authenticator& auth_;
  ReadExecutor& readers_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_CHECK_SERVICE_H_
