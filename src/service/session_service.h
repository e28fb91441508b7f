#ifndef MAKEGOOD_SERVICE_SESSION_SERVICE_H_
#define MAKEGOOD_SERVICE_SESSION_SERVICE_H_

// makegood.v1.SessionService: staff sign-in with a PIN on a paired tablet,
// the caller's own session, and the categories in the caller's language.
// The PIN check (PBKDF2, tens of milliseconds by design) runs on the
// reader executor, never on a gRPC callback thread, one at a time.
// Thread-safe.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"
#include "core/pin_lockout.h"
#include "makegood/v1/session.grpc.pb.h"
#include "service/auth.h"
#include "service/live_config.h"
#include "service/read_executor.h"
#include "service/sessions.h"

namespace makegood::service {

class SessionServiceImpl final
    : public makegood::v1::SessionService::CallbackService {
 public:
  // References must outlive the service. Each call runs under the
  // configuration its authentication took (service/live_config.h): its
  // staff with PINs, categories and location.
  SessionServiceImpl(const Authenticator& auth, SessionTable& sessions,
                     const core::Clock& clock, ReadExecutor& readers);

  grpc::ServerUnaryReactor* ListSignInStaff(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListSignInStaffRequest* request,
      makegood::v1::ListSignInStaffResponse* response) override;
  grpc::ServerUnaryReactor* SignIn(
      grpc::CallbackServerContext* context,
      const makegood::v1::SignInRequest* request,
      makegood::v1::SignInResponse* response) override;
  grpc::ServerUnaryReactor* SignOut(
      grpc::CallbackServerContext* context,
      const makegood::v1::SignOutRequest* request,
      makegood::v1::SignOutResponse* response) override;
  grpc::ServerUnaryReactor* GetSession(
      grpc::CallbackServerContext* context,
      const makegood::v1::GetSessionRequest* request,
      makegood::v1::Session* response) override;
  grpc::ServerUnaryReactor* ListCategories(
      grpc::CallbackServerContext* context,
      const makegood::v1::ListCategoriesRequest* request,
      makegood::v1::ListCategoriesResponse* response) override;

 private:
  // The PIN check and its lockout, on a reader thread; `staff_id` is a
  // staff member with a PIN in `config`.
  absl::Status CheckPin(const ConfigSnapshot& config,
                        const std::string& device_id,
                        const std::string& staff_id, const std::string& pin)
      ABSL_LOCKS_EXCLUDED(mu_);
  void FillSession(const Principal& principal,
                   makegood::v1::Session* session) const;

  const Authenticator& auth_;
  SessionTable& sessions_;
  const core::Clock& clock_;
  ReadExecutor& readers_;

  absl::Mutex mu_;
  core::PinLockout lockout_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SESSION_SERVICE_H_
