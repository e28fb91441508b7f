#include "core/recovery_rules.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/money.h"

namespace makegood::core {
namespace {

absl::StatusOr<int64_t> Amount(const std::string& field,
                               const std::string& text,
                               const std::string& currency) {
  auto parsed = ParseDecimalAmount(text, currency);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", parsed.status().message()));
  }
  return parsed;
}

absl::StatusOr<absl::Duration> DayStart(const std::string& hh_mm) {
  int hours = 0, minutes = 0;
  if (hh_mm.size() != 5 || !absl::SimpleAtoi(hh_mm.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(hh_mm.substr(3, 2), &minutes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "location.business_day_starts: '", hh_mm, "' is not \"HH:MM\""));
  }
  return absl::Hours(hours) + absl::Minutes(minutes);
}

}  // namespace

absl::StatusOr<RecoveryRules> RecoveryRules::Compile(
    const makegood::v1::Config& config) {
  RecoveryRules rules;
  rules.config_ = config;
  const std::string& currency = config.location().currency();
  if (!absl::LoadTimeZone(config.location().timezone(), &rules.time_zone_)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "location.timezone: '", config.location().timezone(), "' is unknown"));
  }
  auto start = DayStart(config.location().business_day_starts().empty()
                            ? "00:00"
                            : config.location().business_day_starts());
  if (!start.ok()) return start.status();
  rules.day_start_ = *start;
  for (const auto& category : config.categories())
    rules.categories_[category.id()] = category;
  for (int i = 0; i < config.remedies_size(); ++i) {
    const auto& remedy = config.remedies(i);
    CompiledRemedy compiled;
    compiled.remedy = remedy;
    const std::string path = absl::StrCat("remedies[", i, "]");
    if (!remedy.value().empty()) {
      auto value = Amount(path + ".value", remedy.value(), currency);
      if (!value.ok()) return value.status();
      compiled.value_minor = *value;
    }
    if (!remedy.amount().empty()) {
      auto amount = Amount(path + ".amount", remedy.amount(), currency);
      if (!amount.ok()) return amount.status();
      compiled.amount_minor = *amount;
    }
    if (!remedy.max_value().empty()) {
      auto cap = Amount(path + ".max_value", remedy.max_value(), currency);
      if (!cap.ok()) return cap.status();
      compiled.max_value_minor = *cap;
    }
    rules.remedies_[remedy.id()] = std::move(compiled);
  }
  const auto& authority = config.authority();
  for (int i = 0; i < authority.roles_size(); ++i) {
    const auto& limits = authority.roles(i);
    const std::string path = absl::StrCat("authority.roles[", i, "]");
    RoleAuthority compiled;
    auto per_case =
        Amount(path + ".max_per_case", limits.max_per_case(), currency);
    if (!per_case.ok()) return per_case.status();
    compiled.max_per_case_minor = *per_case;
    if (!limits.max_per_shift().empty()) {
      auto per_shift =
          Amount(path + ".max_per_shift", limits.max_per_shift(), currency);
      if (!per_shift.ok()) return per_shift.status();
      compiled.max_per_shift_minor = *per_shift;
    }
    rules.authority_[limits.role()] = compiled;
  }
  if (!authority.location_daily_budget().empty()) {
    auto budget = Amount("authority.location_daily_budget",
                         authority.location_daily_budget(), currency);
    if (!budget.ok()) return budget.status();
    rules.daily_budget_minor_ = *budget;
  }
  for (const auto* list : {&config.staff(), &config.devices()}) {
    for (const auto& credential : *list) {
      rules.credentials_[credential.id()] = CredentialFacts{
          credential.person_id().empty() ? credential.id()
                                         : credential.person_id(),
          credential.role()};
    }
  }
  for (int i = 0; i < config.policy_size(); ++i) {
    const auto& rule = config.policy(i);
    CompiledRule compiled;
    compiled.rule = rule;
    compiled.name =
        rule.id().empty() ? absl::StrCat("policy[", i, "]") : rule.id();
    if (!rule.when().min_item_price().empty()) {
      auto price = Amount(absl::StrCat("policy[", i, "].when.min_item_price"),
                          rule.when().min_item_price(), currency);
      if (!price.ok()) return price.status();
      compiled.min_item_price_minor = *price;
    }
    rules.rules_.push_back(std::move(compiled));
  }
  return rules;
}

std::string RecoveryRules::PersonOf(const std::string& credential_id) const {
  auto it = credentials_.find(credential_id);
  return it == credentials_.end() ? credential_id : it->second.person_id;
}

std::vector<std::pair<std::string, makegood::v1::Role>>
RecoveryRules::Credentials() const {
  std::vector<std::pair<std::string, makegood::v1::Role>> out;
  for (const auto& [id, facts] : credentials_) out.emplace_back(id, facts.role);
  return out;
}

absl::Duration RecoveryRules::flag_closed_within() const {
  const int hours = config_.recovery().flag_closed_within_hours();
  return absl::Hours(hours > 0 ? hours : 24);
}

const makegood::v1::Category* RecoveryRules::FindCategory(
    const std::string& id) const {
  auto it = categories_.find(id);
  return it == categories_.end() ? nullptr : &it->second;
}

const CompiledRemedy* RecoveryRules::FindRemedy(const std::string& id) const {
  auto it = remedies_.find(id);
  return it == remedies_.end() ? nullptr : &it->second;
}

const RoleAuthority* RecoveryRules::AuthorityOf(makegood::v1::Role role) const {
  auto it = authority_.find(role);
  return it == authority_.end() ? nullptr : &it->second;
}

int RecoveryRules::follow_up_after_days() const {
  const int days = config_.follow_up().after_days();
  return days > 0 ? days : 7;
}

int RecoveryRules::contact_retention_days() const {
  const int days = config_.follow_up().contact_retention_days();
  return days > 0 ? days : 90;
}

std::string RecoveryRules::BusinessDay(absl::Time t) const {
  const absl::CivilSecond local = absl::ToCivilSecond(t, time_zone_);
  const absl::CivilDay day(local - absl::ToInt64Seconds(day_start_));
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::StatusOr<DayBounds> RecoveryRules::BoundsOf(
    absl::string_view business_date) const {
  absl::CivilDay day;
  if (business_date.size() != 10 ||
      !absl::ParseCivilTime(business_date, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", business_date, "' is not a date (YYYY-MM-DD)"));
  }
  const auto start_of = [&](absl::CivilDay d) {
    return absl::FromCivil(
        absl::CivilSecond(d) + absl::ToInt64Seconds(day_start_), time_zone_);
  };
  return DayBounds{start_of(day), start_of(day + 1)};
}

}  // namespace makegood::core
