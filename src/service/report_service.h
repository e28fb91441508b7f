#ifndef MAKEGOOD_SERVICE_REPORT_SERVICE_H_
#define MAKEGOOD_SERVICE_REPORT_SERVICE_H_

// ReportService: the manager's end-of-day report, root causes, loss
// prevention and follow-ups. Reads and report builds run on the reader
// executor, off gRPC's callback threads; CompleteFollowUp goes through the
// store's writer like every mutation. Thread-safe.

#include "core/clock.h"
#include "makegood/v1/report.grpc.pb.h"
#include "service/auth.h"
#include "service/read_executor.h"
#include "store/store.h"

namespace makegood::service {

class ReportServiceImpl final
    : public makegood::v1::ReportService::CallbackService {
 public:
  // Everything passed must outlive the service. Each call runs under the
  // configuration its authentication took (service/live_config.h).
  ReportServiceImpl(store::Store& store, const Authenticator& auth,
                    const core::Clock& clock, ReadExecutor& readers);

  grpc::ServerUnaryReactor* EndOfDay(
      grpc::CallbackServerContext* context,
      const makegood::v1::EndOfDayRequest* request,
      makegood::v1::EndOfDayReport* response) override;
  grpc::ServerUnaryReactor* CauseSummary(
      grpc::CallbackServerContext* context,
      const makegood::v1::CauseSummaryRequest* request,
      makegood::v1::CauseSummaryReport* response) override;
  grpc::ServerUnaryReactor* StaffReport(
      grpc::CallbackServerContext* context,
      const makegood::v1::StaffReportRequest* request,
      makegood::v1::StaffReportResponse* response) override;
  grpc::ServerUnaryReactor* ListFollowUps(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListFollowUpsRequest* request,
      makegood::v1::ListFollowUpsResponse* response) override;
  grpc::ServerUnaryReactor* CompleteFollowUp(
      grpc::CallbackServerContext* context,
      const makegood::v1::CompleteFollowUpRequest* request,
      makegood::v1::FollowUp* response) override;

 private:
  store::Store& store_;
  const Authenticator& auth_;
  const core::Clock& clock_;
  ReadExecutor& readers_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_REPORT_SERVICE_H_
