#ifndef MAKEGOOD_SERVICE_AUTH_H_
#define MAKEGOOD_SERVICE_AUTH_H_

// Bearer-token authentication against the configuration's credentials.
// Immutable after construction; thread-safe.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "makegood/v1/config.pb.h"

namespace makegood::service {

// Who is calling, as the configuration knows them.
struct Principal {
  std::string id;
  std::string name;
  makegood::v1::Role role = makegood::v1::ROLE_UNSPECIFIED;
};

class Authenticator {
 public:
  // Takes the staff and devices of `config`.
  explicit Authenticator(const makegood::v1::Config& config);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // `authorization` is the request's "authorization" metadata value, empty
  // when absent. UNAUTHENTICATED unless it is "Bearer <token>" with a known
  // token. Every credential is compared, in constant time, so the answer's
  // timing tells nothing about which hash came close.
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization) const;

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
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_AUTH_H_
