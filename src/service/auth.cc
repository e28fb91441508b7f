#include "service/auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/refusal.h"
#include "core/sha256.h"

namespace makegood::service {

using core::Sha256Hex;

Principal PrincipalOf(const ConfiguredCredential& credential,
                      std::shared_ptr<const ConfigSnapshot> config) {
  Principal principal{credential.id, credential.name, credential.role};
  principal.language = credential.language;
  principal.config = std::move(config);
  return principal;
}

namespace {

// Every AuthAttempt::failure, and SignIn's: their series exist from the
// start, at 0, so that rate() sees the first one.
constexpr absl::string_view kFailureReasons[] = {
    "no_token",   "malformed", "unknown_token", "session_ended",
    "wrong_role", "wrong_pin", "pin_locked"};

telemetry::CounterFamily* FailuresOf(telemetry::MetricsRegistry* metrics) {
  if (metrics == nullptr) return nullptr;
  telemetry::CounterFamily& failures = metrics->AddCounter(
      "makegood_auth_failures_total",
      "Calls refused for their credentials, by reason: no_token, malformed, "
      "unknown_token, session_ended, wrong_role (the role may not make the "
      "call), wrong_pin, pin_locked (tablet sign-in).",
      {"reason"});
  for (absl::string_view reason : kFailureReasons) {
    failures.WithLabels({std::string(reason)});
  }
  return &failures;
}

}  // namespace

Authenticator::Authenticator(const LiveConfig& live, SessionTable* sessions,
                             const core::Clock* clock,
                             telemetry::MetricsRegistry* metrics)
    : live_(live),
      sessions_(sessions),
      clock_(clock),
      failures_(FailuresOf(metrics)) {}

void Authenticator::CountFailure(absl::string_view failure) const {
  if (failures_ == nullptr || failure.empty()) return;
  failures_->WithLabels({std::string(failure)}).Increment();
}

namespace {

// Whether a session of `staff_id` on `device_id` stands under `config`:
// both are configured, the device as a TABLET.
bool SessionStands(const ConfigSnapshot& config, absl::string_view staff_id,
                   absl::string_view device_id) {
  const ConfiguredCredential* device = config.FindCredential(device_id);
  return config.FindCredential(staff_id) != nullptr && device != nullptr &&
         device->role == makegood::v1::TABLET;
}

// Whether credential `id` has the same token in both configurations.
bool SameToken(const ConfigSnapshot& then, const ConfigSnapshot& now,
               absl::string_view id) {
  const ConfiguredCredential* was = then.FindCredential(id);
  const ConfiguredCredential* is = now.FindCredential(id);
  return was != nullptr && is != nullptr &&
         was->token_sha256 == is->token_sha256;
}

absl::Status SessionEnded(absl::string_view why) {
  return core::Refuse(
      absl::StatusCode::kUnauthenticated, makegood::v1::Error::SESSION_ENDED,
      absl::StrCat("the session has ended (", why, "): sign in again"));
}

absl::Status WrongRole(const std::string& id, makegood::v1::Role role,
                       std::initializer_list<makegood::v1::Role> allowed) {
  std::vector<std::string> names;
  for (auto each : allowed) names.push_back(makegood::v1::Role_Name(each));
  return absl::PermissionDeniedError(
      absl::StrCat(id, " has role ", makegood::v1::Role_Name(role),
                   "; this call needs ", absl::StrJoin(names, " or ")));
}

bool Allowed(makegood::v1::Role role,
             std::initializer_list<makegood::v1::Role> allowed) {
  return std::find(allowed.begin(), allowed.end(), role) != allowed.end();
}

constexpr absl::string_view kScheme = "Bearer ";

// The token of "Bearer <token>", or nullopt.
std::optional<absl::string_view> BearerTokenOf(
    absl::string_view authorization) {
  if (!absl::StartsWithIgnoreCase(authorization, kScheme) ||
      authorization.size() == kScheme.size()) {
    return std::nullopt;
  }
  return authorization.substr(kScheme.size());
}

}  // namespace

bool Authenticator::EndSession(absl::string_view authorization) const {
  const std::optional<absl::string_view> token = BearerTokenOf(authorization);
  if (!token.has_value() || sessions_ == nullptr || clock_ == nullptr) {
    return false;
  }
  return sessions_->Close(*token, clock_->Now());
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    absl::string_view authorization) const {
  return Attempt(authorization).principal;
}

AuthAttempt Authenticator::Attempt(absl::string_view authorization) const {
  AuthAttempt attempt;
  if (authorization.empty()) {
    attempt.principal = absl::UnauthenticatedError(
        "missing credentials: send metadata \"authorization: Bearer <token>\"");
    attempt.refused_id = "none";
    attempt.failure = "no_token";
    return attempt;
  }
  const std::optional<absl::string_view> bearer = BearerTokenOf(authorization);
  if (!bearer.has_value()) {
    attempt.principal = absl::UnauthenticatedError(
        "the authorization metadata must be \"Bearer <token>\"");
    attempt.refused_id = "none";
    attempt.failure = "malformed";
    return attempt;
  }
  const absl::string_view token = *bearer;
  const std::string hash = Sha256Hex(token);
  // The call's one configuration (service/live_config.h).
  std::shared_ptr<const ConfigSnapshot> config = live_.Get();
  const ConfiguredCredential* found = nullptr;
  for (const ConfiguredCredential& credential : config->credentials()) {
    // Compare against every credential: no early exit on a match.
    const bool same = credential.token_sha256.size() == hash.size() &&
                      CRYPTO_memcmp(credential.token_sha256.data(), hash.data(),
                                    hash.size()) == 0;
    if (same) found = &credential;
  }
  if (found != nullptr) {
    attempt.principal = PrincipalOf(*found, config);
    return attempt;
  }
  if (sessions_ != nullptr && clock_ != nullptr) {
    const SessionTable::Found session = sessions_->Use(token, clock_->Now());
    if (session.lookup == SessionTable::Lookup::kLive &&
        SessionStands(*config, session.record.staff_id,
                      session.record.device_id)) {
      Principal principal =
          PrincipalOf(*config->FindCredential(session.record.staff_id), config);
      principal.device_id = session.record.device_id;
      principal.session_expires_at = session.record.expires_at;
      attempt.principal = std::move(principal);
      return attempt;
    }
    if (session.lookup != SessionTable::Lookup::kUnknown) {
      attempt.principal = SessionEnded(
          "signed out, idle too long, the business day is "
          "over, or the staff member or tablet was removed "
          "from the configuration");
      attempt.refused_id = session.record.staff_id;
      attempt.device_id = session.record.device_id;
      attempt.failure = "session_ended";
      return attempt;
    }
  }
  attempt.principal = absl::UnauthenticatedError("unknown token");
  attempt.refused_id = "unknown";
  attempt.token_sha256_prefix = hash.substr(0, 8);
  attempt.failure = "unknown_token";
  return attempt;
}

absl::StatusOr<Principal> Authenticator::Authorize(
    absl::string_view authorization,
    std::initializer_list<makegood::v1::Role> allowed) const {
  return TryAuthorize(authorization, allowed).principal;
}

AuthAttempt Authenticator::TryAuthorize(
    absl::string_view authorization,
    std::initializer_list<makegood::v1::Role> allowed) const {
  AuthAttempt attempt = Attempt(authorization);
  if (!attempt.principal.ok()) {
    CountFailure(attempt.failure);
    return attempt;
  }
  const Principal& principal = *attempt.principal;
  if (std::find(allowed.begin(), allowed.end(), principal.role) ==
      allowed.end()) {
    std::vector<std::string> names;
    for (auto role : allowed) names.push_back(makegood::v1::Role_Name(role));
    absl::Status refused = absl::PermissionDeniedError(absl::StrCat(
        principal.id, " has role ", makegood::v1::Role_Name(principal.role),
        "; this call needs ", absl::StrJoin(names, " or ")));
    attempt.refused_id = principal.id;
    attempt.device_id = principal.device_id;
    attempt.failure = "wrong_role";
    attempt.principal = std::move(refused);  // Last: `principal` is in it.
    CountFailure(attempt.failure);
  }
  return attempt;
}

absl::Status Authenticator::StillAuthorized(
    const Principal& principal,
    std::initializer_list<makegood::v1::Role> allowed) const {
  const std::shared_ptr<const ConfigSnapshot> now = live_.Get();
  if (principal.config == now) return absl::OkStatus();  // No reload since.
  // What it was authenticated under; a Principal made in code has none.
  const ConfigSnapshot& then =
      principal.config != nullptr ? *principal.config : *now;
  if (principal.device_id.empty()) {
    if (!SameToken(then, *now, principal.id)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the credential '", principal.id,
          "' was revoked: a reload of the configuration removed it or "
          "changed its token"));
    }
  } else if (!SessionStands(*now, principal.id, principal.device_id) ||
             !SameToken(then, *now, principal.device_id)) {
    return SessionEnded(
        "a reload of the configuration removed the staff member or the "
        "tablet, or changed the tablet's token");
  }
  const makegood::v1::Role role = now->FindCredential(principal.id)->role;
  if (!Allowed(role, allowed)) return WrongRole(principal.id, role, allowed);
  return absl::OkStatus();
}

int Authenticator::EndRevokedSessions(const ConfigSnapshot& previous) const {
  if (sessions_ == nullptr || clock_ == nullptr) return 0;
  const std::shared_ptr<const ConfigSnapshot> now = live_.Get();
  return sessions_->CloseIf(
      [&](const SessionRecord& session) {
        return !SessionStands(*now, session.staff_id, session.device_id) ||
               !SameToken(previous, *now, session.device_id);
      },
      clock_->Now());
}

}  // namespace makegood::service
