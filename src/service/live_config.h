#ifndef MAKEGOOD_SERVICE_LIVE_CONFIG_H_
#define MAKEGOOD_SERVICE_LIVE_CONFIG_H_

// The running configuration of makegoodd, which a reload (SIGHUP) replaces
// whole (README, "Reload").
//
// A ConfigSnapshot is one configuration and everything derived from it:
// the compiled recovery rules, the credentials and their token hashes, the
// staff who may sign in on a tablet. It is immutable. LiveConfig holds the
// running snapshot and swaps it for another in one step.
//
// Why a call takes one snapshot: a call authenticates, validates and
// decides against the configuration. Were it to ask the holder each time,
// a reload in between could let it authenticate under the old staff list
// and decide under the new limits, a mix that no configuration file ever
// said. So each call takes the snapshot once, when it is authenticated
// (Authenticator::Authorize puts it in the Principal), and uses that one
// until it ends; a write keeps it alive until the store has committed it.
// A reload so never changes a call halfway, and the next call sees the
// whole new configuration.
//
// Thread-safe.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/pin_hash.h"
#include "core/recovery_rules.h"
#include "makegood/v1/config.pb.h"

namespace makegood::service {

// A staff member or device of the configuration, as authentication needs
// it.
struct ConfiguredCredential {
  std::string id;
  std::string name;
  makegood::v1::Role role = makegood::v1::ROLE_UNSPECIFIED;
  // Lower-case hex SHA-256 of the bearer token.
  std::string token_sha256;
  // Credential.language, "en" when unset.
  std::string language = "en";
};

// A staff member with a PIN: who may sign in on a paired tablet.
struct SignInStaff {
  std::string id;
  std::string name;
  makegood::v1::Role role = makegood::v1::ROLE_UNSPECIFIED;
  core::PinHash pin;
};

class ConfigSnapshot {
 public:
  // `config` as loaded (config/config_loader.h: validated, defaults filled
  // in). INVALID_ARGUMENT when its rules do not compile, which a validated
  // configuration always does.
  static absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> Build(
      const makegood::v1::Config& config);

  ConfigSnapshot(const ConfigSnapshot&) = delete;
  ConfigSnapshot& operator=(const ConfigSnapshot&) = delete;

  const makegood::v1::Config& config() const { return rules_.config(); }
  const core::RecoveryRules& rules() const { return rules_; }

  // Staff, then devices, in the configuration's order.
  const std::vector<ConfiguredCredential>& credentials() const {
    return credentials_;
  }
  // nullptr when no staff member or device has `id`.
  const ConfiguredCredential* FindCredential(absl::string_view id) const;

  // Staff with a PIN, in the configuration's order.
  const std::vector<SignInStaff>& sign_in_staff() const {
    return sign_in_staff_;
  }
  // nullptr when `id` is no staff member with a PIN.
  const SignInStaff* FindSignInStaff(absl::string_view id) const;

 private:
  explicit ConfigSnapshot(core::RecoveryRules rules)
      : rules_(std::move(rules)) {}

  // All const once Build has returned.
  core::RecoveryRules rules_;
  std::vector<ConfiguredCredential> credentials_;
  std::vector<SignInStaff> sign_in_staff_;
};

class LiveConfig {
 public:
  // `initial` must not be null.
  explicit LiveConfig(std::shared_ptr<const ConfigSnapshot> initial);
  LiveConfig(const LiveConfig&) = delete;
  LiveConfig& operator=(const LiveConfig&) = delete;

  // The running snapshot; a call takes it once (see above). Never null.
  std::shared_ptr<const ConfigSnapshot> Get() const ABSL_LOCKS_EXCLUDED(mu_);

  // Makes `next` (not null) the running snapshot and returns the one it
  // replaces. Calls that took the previous one finish with it; every Get
  // after this returns `next`.
  std::shared_ptr<const ConfigSnapshot> Replace(
      std::shared_ptr<const ConfigSnapshot> next) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const ConfigSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_LIVE_CONFIG_H_
