#ifndef MAKEGOOD_SERVICE_AUTH_H_
#define MAKEGOOD_SERVICE_AUTH_H_

// Bearer-token authentication against the running configuration's
// credentials (service/live_config.h) and the open tablet sessions
// (service/sessions.h). Thread-safe.

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/clock.h"
#include "makegood/v1/config.pb.h"
#include "service/live_config.h"
#include "service/sessions.h"
#include "telemetry/metrics.h"

namespace makegood::service {

// Who is calling, as the configuration knows them.
struct Principal {
  std::string id;
  std::string name;
  makegood::v1::Role role = makegood::v1::ROLE_UNSPECIFIED;
  // For a tablet session: the device it was opened on; else empty.
  std::string device_id;
  // For a tablet session: when it ends at the latest.
  absl::Time session_expires_at = absl::InfinitePast();
  // The person's language (Credential.language), "en" when unset.
  std::string language = "en";
  // The configuration the call was authenticated under: the call uses this
  // one throughout, never the running one again (service/live_config.h).
  std::shared_ptr<const ConfigSnapshot> config;
};

// The principal `credential` of `config` stands for.
Principal PrincipalOf(const ConfiguredCredential& credential,
                      std::shared_ptr<const ConfigSnapshot> config);

// One authorization's answer and, when it is a refusal, who was refused,
// in terms safe to log: never the token.
struct AuthAttempt {
  absl::StatusOr<Principal> principal;
  // Refused: the credential's id (a session's: its staff member's),
  // "unknown" when no credential or session has the token, "none" when the
  // call sends no bearer token.
  std::string refused_id;
  // A refused session's device; else empty.
  std::string device_id;
  // An unknown token's: the first 8 hex digits of its SHA-256, to match it
  // with a token_sha256 or tell two unknown tokens apart; far too little
  // to use it. Else empty.
  std::string token_sha256_prefix;
  // Refused: "no_token", "malformed", "unknown_token", "session_ended" or
  // "wrong_role"; else empty.
  absl::string_view failure;
};

class Authenticator {
 public:
  // Takes the staff and devices of `live`'s running configuration, once
  // per call; with `sessions` (and the `clock` they are judged by), session
  // tokens are accepted too. With `metrics`, every refusal is counted in
  // makegood_auth_failures_total{reason}. All must outlive the
  // authenticator.
  explicit Authenticator(const LiveConfig& live,
                         SessionTable* sessions = nullptr,
                         const core::Clock* clock = nullptr,
                         telemetry::MetricsRegistry* metrics = nullptr);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // `authorization` is the request's "authorization" metadata value, empty
  // when absent. UNAUTHENTICATED unless it is "Bearer <token>" with a known
  // token. Every credential is compared, in constant time, so the answer's
  // timing tells nothing about which hash came close. A session token
  // stands for its staff member on its device while both are configured
  // (the device as a TABLET); one that ended is UNAUTHENTICATED with reason
  // SESSION_ENDED.
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization) const;

  // Ends at once the tablet session that `authorization` ("Bearer <session
  // token>") names; false when it names no live session.
  bool EndSession(absl::string_view authorization) const;

  // Authenticate, then PERMISSION_DENIED unless the role is one of `allowed`.
  absl::StatusOr<Principal> Authorize(
      absl::string_view authorization,
      std::initializer_list<makegood::v1::Role> allowed) const;

  // Authorize, with who was refused for the log (the auth_failed event).
  AuthAttempt TryAuthorize(
      absl::string_view authorization,
      std::initializer_list<makegood::v1::Role> allowed) const;

  // Whether a call authorized as `principal` (a stream that stays open,
  // or a sign-in about to hand out a session) may go on under the running
  // configuration with one of `allowed` roles. OK when nothing was reloaded
  // since it was authenticated, or while its credential is still
  // configured with the same token and an allowed role; for a session:
  // while its staff member is configured with an allowed role and its
  // tablet, as a TABLET, with the same token. Else UNAUTHENTICATED (with
  // reason SESSION_ENDED for a session), or PERMISSION_DENIED for a role
  // that no longer may.
  absl::Status StillAuthorized(
      const Principal& principal,
      std::initializer_list<makegood::v1::Role> allowed) const;

  // After a reload from `previous`: ends every tablet session whose staff
  // member or tablet is no longer configured, or whose tablet's token
  // changed, for good (configuring them again does not bring it back).
  // How many.
  int EndRevokedSessions(const ConfigSnapshot& previous) const;

  // Counts a refusal in makegood_auth_failures_total: TryAuthorize counts
  // its own (AuthAttempt::failure); SignIn counts "wrong_pin" and
  // "pin_locked". Nothing without metrics.
  void CountFailure(absl::string_view failure) const;

 private:
  // Authenticate, with who was refused.
  AuthAttempt Attempt(absl::string_view authorization) const;

  const LiveConfig& live_;
  SessionTable* const sessions_;
  const core::Clock* const clock_;
  // makegood_auth_failures_total of the constructor's metrics, or nullptr.
  telemetry::CounterFamily* const failures_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_AUTH_H_
