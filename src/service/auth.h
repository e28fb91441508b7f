#ifndef MAKEGOOD_SERVICE_AUTH_H_
#define MAKEGOOD_SERVICE_AUTH_H_

// Bearer-token authentication against the configuration's credentials and
// the open tablet sessions (service/sessions.h). Thread-safe.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/clock.h"
#include "makegood/v1/config.pb.h"
#include "service/sessions.h"

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
};

class Authenticator {
 public:
  // Takes the staff and devices of `config`; with `sessions` (and the
  // `clock` they are judged by), session tokens are accepted too. Both
  // must outlive the authenticator.
  explicit Authenticator(const makegood::v1::Config& config,
                         SessionTable* sessions = nullptr,
                         const core::Clock* clock = nullptr);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // `authorization` is the request's "authorization" metadata value, empty
  // when absent. UNAUTHENTICATED unless it is "Bearer <token>" with a known
  // token. Every credential is compared, in constant time, so the answer's
  // timing tells nothing about which hash came close. A session token
  // stands for its staff member on its device; one that ended is
  // UNAUTHENTICATED with reason SESSION_ENDED.
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization) const;

  // Ends at once the tablet session that `authorization` ("Bearer <session
  // token>") names; false when it names no live session.
  bool EndSession(absl::string_view authorization) const;

  // The credential of the configuration with `id`, or nullptr.
  const Principal* Credential(absl::string_view id) const;

  // Authenticate, then PERMISSION_DENIED unless the role is one of `allowed`.
  absl::StatusOr<Principal> Authorize(
      absl::string_view authorization,
      std::initializer_list<makegood::v1::Role> allowed) const;

 private:
  struct Entry {
    std::string token_sha256;
    Principal principal;
  };
  std::vector<Entry> entries_;
  SessionTable* const sessions_;
  const core::Clock* const clock_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_AUTH_H_
