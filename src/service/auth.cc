#include "service/auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/refusal.h"
#include "core/sha256.h"

namespace makegood::service {

using core::Sha256Hex;

Authenticator::Authenticator(const makegood::v1::Config& config,
                             SessionTable* sessions, const core::Clock* clock)
    : sessions_(sessions), clock_(clock) {
  for (const auto* list : {&config.staff(), &config.devices()}) {
    for (const auto& credential : *list) {
      Principal principal{credential.id(), credential.name(),
                          credential.role()};
      if (!credential.language().empty()) {
        principal.language = credential.language();
      }
      entries_.push_back(Entry{absl::AsciiStrToLower(credential.token_sha256()),
                               std::move(principal)});
    }
  }
}

const Principal* Authenticator::Credential(absl::string_view id) const {
  for (const Entry& entry : entries_) {
    if (entry.principal.id == id) return &entry.principal;
  }
  return nullptr;
}

namespace {

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
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "missing credentials: send metadata \"authorization: Bearer <token>\"");
  }
  const std::optional<absl::string_view> bearer = BearerTokenOf(authorization);
  if (!bearer.has_value()) {
    return absl::UnauthenticatedError(
        "the authorization metadata must be \"Bearer <token>\"");
  }
  const absl::string_view token = *bearer;
  const std::string hash = Sha256Hex(token);
  const Principal* found = nullptr;
  for (const Entry& entry : entries_) {
    // Compare against every entry: no early exit on a match.
    const bool same =
        entry.token_sha256.size() == hash.size() &&
        CRYPTO_memcmp(entry.token_sha256.data(), hash.data(), hash.size()) == 0;
    if (same) found = &entry.principal;
  }
  if (found != nullptr) return *found;
  if (sessions_ != nullptr && clock_ != nullptr) {
    const SessionTable::Found session = sessions_->Use(token, clock_->Now());
    const Principal* staff = session.lookup == SessionTable::Lookup::kUnknown
                                 ? nullptr
                                 : Credential(session.record.staff_id);
    if (session.lookup == SessionTable::Lookup::kLive && staff != nullptr) {
      Principal principal = *staff;
      principal.device_id = session.record.device_id;
      principal.session_expires_at = session.record.expires_at;
      return principal;
    }
    if (session.lookup != SessionTable::Lookup::kUnknown) {
      return core::Refuse(absl::StatusCode::kUnauthenticated,
                          makegood::v1::Error::SESSION_ENDED,
                          "the session has ended (signed out, idle too long, "
                          "or the business day is over): sign in again");
    }
  }
  return absl::UnauthenticatedError("unknown token");
}

absl::StatusOr<Principal> Authenticator::Authorize(
    absl::string_view authorization,
    std::initializer_list<makegood::v1::Role> allowed) const {
  auto principal = Authenticate(authorization);
  if (!principal.ok()) return principal;
  if (std::find(allowed.begin(), allowed.end(), principal->role) ==
      allowed.end()) {
    std::vector<std::string> names;
    for (auto role : allowed) names.push_back(makegood::v1::Role_Name(role));
    return absl::PermissionDeniedError(absl::StrCat(
        principal->id, " has role ", makegood::v1::Role_Name(principal->role),
        "; this call needs ", absl::StrJoin(names, " or ")));
  }
  return principal;
}

}  // namespace makegood::service
