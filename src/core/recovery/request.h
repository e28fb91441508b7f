#ifndef MAKEGOOD_CORE_RECOVERY_REQUEST_H_
#define MAKEGOOD_CORE_RECOVERY_REQUEST_H_

// Who asks, when and under which rules: the part of every recovery decision
// that does not come from the stored state.

#include <string>

#include "absl/time/time.h"
#include "core/recovery/id_source.h"
#include "core/recovery_rules.h"
#include "makegood/v1/common.pb.h"

namespace makegood::core {

struct RecoveryRequest {
  // The caller's credential id, from the credential, never from the body.
  std::string actor_id;
  makegood::v1::Role actor_role = makegood::v1::ROLE_UNSPECIFIED;
  // The injected clock's reading for this request.
  absl::Time now;
  const RecoveryRules* rules = nullptr;
  IdSource* ids = nullptr;
  // The tablet a session acted from; empty otherwise. Like the actor, it
  // comes from the credential (the session), never from the body.
  std::string device_id;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_REQUEST_H_
