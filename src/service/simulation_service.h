#ifndef MAKEGOOD_SERVICE_SIMULATION_SERVICE_H_
#define MAKEGOOD_SERVICE_SIMULATION_SERVICE_H_

// SimulationService: moves a simulated clock (makegoodd --simulated-clock).

#include "core/clock.h"
#include "makegood/v1/simulation.grpc.pb.h"
#include "service/auth.h"

namespace makegood::service {

class SimulationServiceImpl final
    : public makegood::v1::SimulationService::CallbackService {
 public:
  // References must outlive the service.
  SimulationServiceImpl(core::FakeClock& clock, const Authenticator& auth)
      : clock_(clock), auth_(auth) {}

  grpc::ServerUnaryReactor* SetClock(
      grpc::CallbackServerContext* context,
      const makegood::v1::SetClockRequest* request,
      makegood::v1::SetClockResponse* response) override;

 private:
  core::FakeClock& clock_;
  const Authenticator& auth_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SIMULATION_SERVICE_H_
