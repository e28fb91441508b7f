#ifndef MAKEGOOD_CORE_RECOVERY_RULES_H_
#define MAKEGOOD_CORE_RECOVERY_RULES_H_

// The recovery parts of the configuration, with amounts parsed to minor
// units and ids indexed, built once at startup. Immutable; thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "makegood/v1/config.pb.h"

namespace makegood::core {

struct RoleAuthority {
  // Most one person of the role gives on one case without approval.
  int64_t max_per_case_minor = 0;
  // Most one person of the role gives per shift; nullopt: no limit.
  std::optional<int64_t> max_per_shift_minor;
};

struct CompiledRemedy {
  makegood::v1::Remedy remedy;
  int64_t value_minor = 0;   // COMPLIMENTARY_ITEM's configured value.
  int64_t amount_minor = 0;  // A fixed amount; 0 when `percent` is used.
  // DISCOUNT_CODE with a percent: the cap of its face value.
  std::optional<int64_t> max_value_minor;
};

struct CompiledRule {
  makegood::v1::PolicyRule rule;
  std::string name;  // The rule's id, or "policy[i]".
  std::optional<int64_t> min_item_price_minor;
};

// A business day as instants: [start, end). 23 or 25 hours long on the days
// the clocks change.
struct DayBounds {
  absl::Time start;
  absl::Time end;
};

class RecoveryRules {
 public:
  // INVALID_ARGUMENT when an amount does not parse or the time zone is
  // unknown; a validated configuration always compiles.
  static absl::StatusOr<RecoveryRules> Compile(
      const makegood::v1::Config& config);

  const makegood::v1::Config& config() const { return config_; }
  const std::string& location_id() const { return config_.location().id(); }
  const std::string& currency() const { return config_.location().currency(); }
  const absl::TimeZone& time_zone() const { return time_zone_; }
  absl::Duration business_day_start() const { return day_start_; }

  // nullptr when unknown.
  const makegood::v1::Category* FindCategory(const std::string& id) const;
  const CompiledRemedy* FindRemedy(const std::string& id) const;
  // nullptr when the role has no limits: it applies nothing that costs
  // money without approval.
  const RoleAuthority* AuthorityOf(makegood::v1::Role role) const;
  std::optional<int64_t> location_daily_budget_minor() const {
    return daily_budget_minor_;
  }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // The person behind a credential (Credential.person_id, defaulting to
  // the id); an unknown credential is its own person.
  std::string PersonOf(const std::string& credential_id) const;
  // Every credential (staff and devices) with its role, by id.
  std::vector<std::pair<std::string, makegood::v1::Role>> Credentials() const;
  // How long after a check closed SERVERs may still flag it
  // (recovery.flag_closed_within_hours, default 24 hours).
  absl::Duration flag_closed_within() const;
  int follow_up_after_days() const;
  int contact_retention_days() const;

  // The business day holding `t`, "YYYY-MM-DD": local time minus the
  // configured day start, so 01:30 after a late service belongs to the day
  // before. Civil-time arithmetic, so correct across DST changes.
  std::string BusinessDay(absl::Time t) const;
  // The bounds of a business day given as "YYYY-MM-DD"; INVALID_ARGUMENT
  // when it is not a date.
  absl::StatusOr<DayBounds> BoundsOf(absl::string_view business_date) const;

 private:
  RecoveryRules() = default;

  makegood::v1::Config config_;
  absl::TimeZone time_zone_;
  absl::Duration day_start_;
  std::map<std::string, makegood::v1::Category> categories_;
  std::map<std::string, CompiledRemedy> remedies_;
  std::map<int, RoleAuthority> authority_;
  std::optional<int64_t> daily_budget_minor_;
  std::vector<CompiledRule> rules_;
  struct CredentialFacts {
    std::string person_id;
    makegood::v1::Role role = makegood::v1::ROLE_UNSPECIFIED;
  };
  std::map<std::string, CredentialFacts> credentials_;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_RULES_H_
