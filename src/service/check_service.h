#ifndef MAKEGOOD_SERVICE_CHECK_SERVICE_H_
#define MAKEGOOD_SERVICE_CHECK_SERVICE_H_

// makegood.v1.CheckService: reads of the check projection. Thread-safe.

#include <string>

#include "makegood/v1/checks.grpc.pb.h"
#include "service/auth.h"
#include "store/store.h"

namespace makegood::service {

class CheckServiceImpl final
    : public makegood::v1::CheckService::CallbackService {
 public:
  // References must outlive the service.
  CheckServiceImpl(std::string location_id, store::Store& store,
                   const Authenticator& auth);

  grpc::ServerUnaryReactor* GetCheck(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetCheckRequest* request,
      makegood::v1::Check* response) override;

  grpc::ServerUnaryReactor* ListChecks(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListChecksRequest* request,
      makegood::v1::ListChecksResponse* response) override;

 private:
  const std::string location_id_;
  store::Store& store_;
  const Authenticator& auth_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_CHECK_SERVICE_H_
