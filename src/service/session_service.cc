#include "service/session_service.h"

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/proto_time.h"
#include "core/refusal.h"
#include "service/grpc_glue.h"
#include "telemetry/log.h"

namespace makegood::service {

using makegood::v1::Error;
using makegood::v1::Role;
using telemetry::LogLevel;

namespace {

// Everyone a credential or session can be.
constexpr std::initializer_list<Role> kAnyone = {
    makegood::v1::SERVER,   makegood::v1::MANAGER, makegood::v1::ADAPTER,
    makegood::v1::REPORTER, makegood::v1::ADMIN,   makegood::v1::TABLET};
constexpr std::initializer_list<Role> kTablets = {makegood::v1::TABLET};

// "es-MX", "ES" → "es": the configuration's translations are by primary
// language, and browsers send regional tags.
std::string PrimaryLanguage(absl::string_view tag) {
  return absl::AsciiStrToLower(tag.substr(0, tag.find_first_of("-_")));
}

// RESOURCE_EXHAUSTED (PIN_LOCKED), with how long the lock still holds.
absl::Status PinLocked(absl::string_view message, absl::Duration wait) {
  return core::WithRetryAfter(core::Refuse(absl::StatusCode::kResourceExhausted,
                                           Error::PIN_LOCKED, message),
                              wait);
}

}  // namespace

SessionServiceImpl::SessionServiceImpl(const Authenticator& auth,
                                       SessionTable& sessions,
                                       const core::Clock& clock,
                                       ReadExecutor& readers)
    : auth_(auth), sessions_(sessions), clock_(clock), readers_(readers) {}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSignInStaff(
    grpc::CallbackServerContext* context,
    const makegood::v1::ListSignInStaffRequest* /*request*/,
    makegood::v1::ListSignInStaffResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kTablets);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  for (const SignInStaff& staff : principal->config->sign_in_staff()) {
    auto* member = response->add_staff();
    member->set_staff_id(staff.id);
    member->set_name(staff.name);
    member->set_role(staff.role);
  }
  return FinishUnary(context, absl::OkStatus());
}

absl::Status SessionServiceImpl::CheckPin(const ConfigSnapshot& config,
                                          const std::string& device_id,
                                          const std::string& staff_id,
                                          const std::string& pin) {
  // One PIN check at a time, lock held through the (slow) hash: parallel
  // sign-ins must not get more guesses than the lockout allows, nor a right
  // PIN slip past a lock another guess just set. Sign-ins are rare; a few
  // tens of milliseconds each in a row cost nobody anything.
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  // SignIn found them in the same snapshot.
  const SignInStaff& staff = *config.FindSignInStaff(staff_id);
  if (auto until = lockout_.LockedUntil(device_id, staff_id, now)) {
    auth_.CountFailure("pin_locked");
    telemetry::LogEvent(
        LogLevel::kWarning, "sign_in_locked_out",
        {{"staff", staff_id},
         {"device", device_id},
         {"locked_for_s",
          absl::ToInt64Seconds(absl::Ceil(*until - now, absl::Seconds(1)))}});
    return PinLocked(
        absl::StrCat(
            staff.name, " is locked out on this tablet after ",
            core::PinLockout::kMaxWrongPins, " wrong PINs; try again in ",
            absl::FormatDuration(absl::Ceil(*until - now, absl::Seconds(1))),
            " or ask a manager"),
        *until - now);
  }
  if (core::PinMatches(staff.pin, pin)) {
    lockout_.RecordRightPin(device_id, staff_id);
    return absl::OkStatus();
  }
  const int left = lockout_.RecordWrongPin(device_id, staff_id, now);
  auth_.CountFailure("wrong_pin");
  // By staff id and device; never the PIN.
  telemetry::LogEvent(
      LogLevel::kWarning, "pin_wrong",
      {{"staff", staff_id}, {"device", device_id}, {"tries_left", left}});
  if (left == 0) {
    telemetry::LogEvent(
        LogLevel::kWarning, "pin_locked",
        {{"staff", staff_id},
         {"device", device_id},
         {"locked_for_s", absl::ToInt64Seconds(core::PinLockout::kLockTime)}});
    return PinLocked(
        absl::StrCat("wrong PIN; ", staff.name,
                     " is now locked out on this tablet for ",
                     absl::FormatDuration(core::PinLockout::kLockTime)),
        core::PinLockout::kLockTime);
  }
  return core::Refuse(
      absl::StatusCode::kUnauthenticated, Error::WRONG_PIN,
      absl::StrCat("wrong PIN; ", left, left == 1 ? " try" : " tries",
                   " left before a 5-minute lock"));
}

grpc::ServerUnaryReactor* SessionServiceImpl::SignIn(
    grpc::CallbackServerContext* context,
    const makegood::v1::SignInRequest* request,
    makegood::v1::SignInResponse* response) {
  auto device = AuthorizeCall(*context, auth_, kTablets);
  if (!device.ok()) return FinishUnary(context, device.status());
  if (request->staff_id().empty()) {
    return FinishUnary(context, core::BadField("staff_id", "is required"));
  }
  if (auto format = core::CheckPinFormat(request->pin()); !format.ok()) {
    return FinishUnary(context, core::BadField("pin", format.message()));
  }
  if (device->config->FindSignInStaff(request->staff_id()) == nullptr) {
    return FinishUnary(
        context,
        core::Refuse(absl::StatusCode::kNotFound, Error::NOT_FOUND,
                     absl::StrCat("no staff member '", request->staff_id(),
                                  "' with a PIN: they cannot sign in on a "
                                  "tablet until staff[].pin_pbkdf2 is set")));
  }
  const std::string device_id = device->id;
  // The call's one configuration (service/live_config.h).
  std::shared_ptr<const ConfigSnapshot> config = device->config;
  return FinishRead(
      readers_, context,
      [this, device_id, config, request, response]() -> absl::Status {
        if (auto pin = CheckPin(*config, device_id, request->staff_id(),
                                request->pin());
            !pin.ok()) {
          return pin;
        }
        const absl::Time now = clock_.Now();
        const core::RecoveryRules& rules = config->rules();
        const absl::StatusOr<core::DayBounds> day =
            rules.BoundsOf(rules.BusinessDay(now));
        if (!day.ok()) return day.status();
        const ConfiguredCredential* staff =
            config->FindCredential(request->staff_id());
        if (staff == nullptr) {
          return absl::InternalError(
              "a staff member with a PIN has no credential");
        }
        const std::string token =
            sessions_.Open(request->staff_id(), device_id, now, day->end);
        Principal principal = PrincipalOf(*staff, config);
        principal.device_id = device_id;
        principal.session_expires_at = day->end;
        // A reload may have revoked the staff member or the tablet since
        // this call was authenticated, and ended their sessions before this
        // one was opened: it must not outlive them.
        if (absl::Status holds = auth_.StillAuthorized(principal, kAnyone);
            !holds.ok()) {
          sessions_.Close(token, now);
          return holds;
        }
        response->set_session_token(token);
        telemetry::LogEvent(
            LogLevel::kInfo, "signed_in",
            {{"staff", request->staff_id()}, {"device", device_id}});
        FillSession(principal, response->mutable_session());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::SignOut(
    grpc::CallbackServerContext* context,
    const makegood::v1::SignOutRequest* /*request*/,
    makegood::v1::SignOutResponse* /*response*/) {
  auto principal = AuthorizeCall(*context, auth_, kAnyone);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  if (principal->device_id.empty()) {
    return FinishUnary(
        context,
        core::Refuse(absl::StatusCode::kFailedPrecondition,
                     Error::NOT_A_SESSION,
                     "this token is a credential of the configuration, not a "
                     "tablet session; there is nothing to sign out of"));
  }
  if (auth_.EndSession(AuthorizationOf(*context))) {
    telemetry::LogEvent(
        LogLevel::kInfo, "signed_out",
        {{"staff", principal->id}, {"device", principal->device_id}});
  }
  return FinishUnary(context, absl::OkStatus());
}

void SessionServiceImpl::FillSession(const Principal& principal,
                                     makegood::v1::Session* session) const {
  session->set_principal_id(principal.id);
  session->set_name(principal.name);
  session->set_role(principal.role);
  session->set_device_id(principal.device_id);
  if (!principal.device_id.empty()) {
    *session->mutable_expires_at() =
        core::ToProto(principal.session_expires_at);
    session->set_idle_minutes(
        static_cast<int32_t>(absl::ToInt64Minutes(sessions_.idle_limit())));
  }
  session->set_language(principal.language);
  const makegood::v1::Location& location =
      principal.config->config().location();
  session->set_location_id(location.id());
  session->set_currency(location.currency());
}

grpc::ServerUnaryReactor* SessionServiceImpl::GetSession(
    grpc::CallbackServerContext* context,
    const makegood::v1::GetSessionRequest* /*request*/,
    makegood::v1::Session* response) {
  auto principal = AuthorizeCall(*context, auth_, kAnyone);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  FillSession(*principal, response);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListCategories(
    grpc::CallbackServerContext* context,
    const makegood::v1::ListCategoriesRequest* request,
    makegood::v1::ListCategoriesResponse* response) {
  auto principal = AuthorizeCall(*context, auth_, kAnyone);
  if (!principal.ok()) return FinishUnary(context, principal.status());
  const std::string language = PrimaryLanguage(request->language());
  for (const auto& category : principal->config->config().categories()) {
    auto* choice = response->add_categories();
    choice->set_category_id(category.id());
    choice->set_label(category.label());
    choice->set_guidance(category.guidance());
    const auto translated = category.translations().find(language);
    if (translated != category.translations().end()) {
      if (!translated->second.label().empty()) {
        choice->set_label(translated->second.label());
      }
      if (!translated->second.guidance().empty()) {
        choice->set_guidance(translated->second.guidance());
      }
    }
  }
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace makegood::service
