#include "service/live_config.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace makegood::service {

absl::StatusOr<std::shared_ptr<const ConfigSnapshot>> ConfigSnapshot::Build(
    const makegood::v1::Config& config) {
  auto rules = core::RecoveryRules::Compile(config);
  if (!rules.ok()) return rules.status();
  // Not make_shared: the constructor is private.
  std::shared_ptr<ConfigSnapshot> snapshot(
      new ConfigSnapshot(*std::move(rules)));
  for (const auto* list : {&config.staff(), &config.devices()}) {
    for (const auto& credential : *list) {
      ConfiguredCredential entry{
          credential.id(), credential.name(), credential.role(),
          absl::AsciiStrToLower(credential.token_sha256())};
      if (!credential.language().empty())
        entry.language = credential.language();
      snapshot->credentials_.push_back(std::move(entry));
    }
  }
  for (const auto& staff : config.staff()) {
    if (staff.pin_pbkdf2().empty()) continue;
    auto pin = core::ParsePinHash(staff.pin_pbkdf2());
    if (!pin.ok()) {
      // The config loader rejects such a file; a Config built in code may
      // not have been through it.
      return absl::InvalidArgumentError(absl::StrCat(
          "staff '", staff.id(), "'.pin_pbkdf2: ", pin.status().message()));
    }
    snapshot->sign_in_staff_.push_back(
        SignInStaff{staff.id(), staff.name(), staff.role(), *std::move(pin)});
  }
  return std::shared_ptr<const ConfigSnapshot>(std::move(snapshot));
}

const ConfiguredCredential* ConfigSnapshot::FindCredential(
    absl::string_view id) const {
  for (const ConfiguredCredential& credential : credentials_) {
    if (credential.id == id) return &credential;
  }
  return nullptr;
}

const SignInStaff* ConfigSnapshot::FindSignInStaff(absl::string_view id) const {
  for (const SignInStaff& staff : sign_in_staff_) {
    if (staff.id == id) return &staff;
  }
  return nullptr;
}

LiveConfig::LiveConfig(std::shared_ptr<const ConfigSnapshot> initial)
    : current_(std::move(initial)) {}

std::shared_ptr<const ConfigSnapshot> LiveConfig::Get() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

std::shared_ptr<const ConfigSnapshot> LiveConfig::Replace(
    std::shared_ptr<const ConfigSnapshot> next) {
  absl::MutexLock lock(&mu_);
  std::swap(current_, next);
  // The previous snapshot is freed by its last holder, not under mu_.
  return next;
}

}  // namespace makegood::service
