#include "service/simulation_service.h"

#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "service/grpc_glue.h"

namespace makegood::service {

grpc::ServerUnaryReactor* SimulationServiceImpl::SetClock(
    grpc::CallbackServerContext* context,
    const makegood::v1::SetClockRequest* request,
    makegood::v1::SetClockResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, {makegood::v1::ADMIN});
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (!request->has_time()) {
    return FinishUnary(context,
                       absl::InvalidArgumentError("time: is required"));
  }
  const absl::Time to = core::FromProto(request->time());
  const absl::Time now = clock_.Now();
  if (to < now) {
    return FinishUnary(
        context,
        absl::FailedPreconditionError(absl::StrCat(
            "time: ", absl::FormatTime(to), " is before the clock (",
            absl::FormatTime(now), "); the clock only moves forward")));
  }
  clock_.Advance(to - now);
  *response->mutable_time() = core::ToProto(clock_.Now());
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace makegood::service
