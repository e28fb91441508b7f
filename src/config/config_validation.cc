#include "config/config_validation.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/money.h"
#include "core/pin_hash.h"

namespace makegood::config {
namespace {

using makegood::v1::Config;
using makegood::v1::RemedyKind;

bool IsIdentifier(absl::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
         });
}

bool IsLowerHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
  });
}

// The languages tablets show (Credential.language, Category.translations).
bool IsSupportedLanguage(absl::string_view language) {
  return language == "en" || language == "es";
}

// Collects "path: message" lines.
class Validator {
 public:
  explicit Validator(const Config& config) : config_(config) {}

  std::vector<std::string> Run() {
    CheckLocation();
    CheckServer();
    CheckCredentials();
    CheckAuthority();
    CheckCategories();
    CheckRemedies();
    CheckPolicy();
    CheckFollowUp();
    CheckReportThresholds();
    CheckStreamSettings();
    return std::move(errors_);
  }

 private:
  void Error(absl::string_view path, absl::string_view what) {
    errors_.push_back(absl::StrCat(path, ": ", what));
  }

  void CheckId(const std::string& path, const std::string& id) {
    if (id.empty()) {
      Error(path, "is required");
    } else if (!IsIdentifier(id)) {
      Error(path,
            absl::StrCat("'", id,
                         "' must be 1-64 letters, digits, '-', '_' or '.'"));
    }
  }

  // A money amount in the location currency that must be positive.
  void CheckPositiveAmount(const std::string& path, const std::string& text,
                           bool required) {
    if (text.empty()) {
      if (required) Error(path, "is required");
      return;
    }
    if (!currency_valid_) return;  // Reported once, under location.currency.
    auto amount = core::ParseDecimalAmount(text, config_.location().currency());
    if (!amount.ok()) {
      Error(path, amount.status().message());
    } else if (*amount <= 0) {
      Error(path, absl::StrCat("must be positive, got '", text, "'"));
    }
  }

  void CheckLocation() {
    if (!config_.has_location()) {
      Error("location", "is required (id, currency, timezone)");
      return;
    }
    const auto& location = config_.location();
    CheckId("location.id", location.id());
    if (location.currency().empty()) {
      Error("location.currency", "is required (an ISO 4217 code such as USD)");
    } else if (!core::CurrencyExponent(location.currency())) {
      Error("location.currency",
            absl::StrCat("'", location.currency(),
                         "' is not an ISO 4217 currency code"));
    } else {
      currency_valid_ = true;
    }
    absl::TimeZone zone;
    if (location.timezone().empty()) {
      Error("location.timezone",
            "is required (an IANA time zone such as America/New_York)");
    } else if (!absl::LoadTimeZone(location.timezone(), &zone)) {
      Error("location.timezone",
            absl::StrCat("'", location.timezone(),
                         "' is not in the system's time zone database"));
    }
    const std::string& start = location.business_day_starts();
    if (!start.empty()) {
      int hours = 0, minutes = 0;
      bool ok = start.size() == 5 && start[2] == ':' &&
                absl::SimpleAtoi(start.substr(0, 2), &hours) &&
                absl::SimpleAtoi(start.substr(3, 2), &minutes) && hours >= 0 &&
                hours < 24 && minutes >= 0 && minutes < 60;
      if (!ok) {
        Error("location.business_day_starts",
              absl::StrCat("'", start, "' is not a time of day \"HH:MM\""));
      }
    }
  }

  void CheckServer() {
    const auto& server = config_.server();
    if (!server.listen().empty()) {
      CheckListenAddress("server.listen", server.listen(), kDefaultListen);
    }
    CheckTls("server.tls", server.tls());
    CheckHttp();
    const int queue_limit = server.write_queue_limit();
    if (queue_limit < 0 || queue_limit > kMaxWriteQueueLimit) {
      Error("server.write_queue_limit",
            absl::StrCat("must be 1 to ", kMaxWriteQueueLimit,
                         " waiting writes (0: the default ",
                         kDefaultWriteQueueLimit, "), got ", queue_limit));
    }
  }

  // "host:port", port 0 to 65535 (0: any free port).
  void CheckListenAddress(const std::string& path, const std::string& address,
                          const char* example) {
    size_t colon = address.rfind(':');
    int port = -1;
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
        port > 65535) {
      Error(path, absl::StrCat("'", address, "' is not host:port (e.g. ",
                               example, ")"));
    }
  }

  void CheckTls(const std::string& path, const v1::TlsConfig& tls) {
    if (tls.cert_file().empty() != tls.key_file().empty()) {
      Error(path, "cert_file and key_file must be given together");
    }
    for (const auto& [field, file] :
         {std::pair<std::string, std::string>{"cert_file", tls.cert_file()},
          {"key_file", tls.key_file()},
          {"client_ca_file", tls.client_ca_file()}}) {
      if (!file.empty() && access(file.c_str(), R_OK) != 0) {
        Error(absl::StrCat(path, ".", field),
              absl::StrCat("cannot read '", file, "'"));
      }
    }
  }

  // The HTTP listener. Like `listen`, an address beyond loopback without
  // TLS is refused when the listener starts, not here.
  void CheckHttp() {
    const auto& server = config_.server();
    const std::string& http = server.http();
    if (!http.empty() && http != kHttpOff) {
      CheckListenAddress("server.http", http, kDefaultHttp);
      const std::string listen =
          server.listen().empty() ? kDefaultListen : server.listen();
      if (http == listen && !absl::EndsWith(http, ":0")) {
        Error("server.http",
              absl::StrCat("'", http,
                           "' is server.listen's address too; give the "
                           "HTTP listener its own port (or \"off\")"));
      }
    }
    CheckTls("server.http_tls", server.http_tls());
    const int body = server.http_max_body_bytes();
    if (body != 0 &&
        (body < kMinHttpMaxBodyBytes || body > kMaxHttpMaxBodyBytes)) {
      Error("server.http_max_body_bytes",
            absl::StrCat("must be ", kMinHttpMaxBodyBytes, " to ",
                         kMaxHttpMaxBodyBytes, " bytes (0: the default ",
                         kDefaultHttpMaxBodyBytes, "), got ", body));
    }
    CheckSetting("server.session_idle_minutes", server.session_idle_minutes(),
                 kMaxSessionIdleMinutes, "minutes", kDefaultSessionIdleMinutes);
  }

  void CheckCredentials() {
    if (config_.staff().empty()) {
      Error("staff", "at least one staff member is required");
    }
    std::set<std::string> ids, hashes;
    auto check = [&](const std::string& path, const v1::Credential& c,
                     bool is_device) {
      CheckId(path + ".id", c.id());
      if (!c.id().empty() && !ids.insert(c.id()).second) {
        Error(path + ".id", absl::StrCat("'", c.id(),
                                         "' is already used by another "
                                         "staff member or device"));
      }
      if (!c.person_id().empty() && !IsIdentifier(c.person_id())) {
        Error(path + ".person_id",
              "must be 1 to 64 letters, digits, '-', '_' or '.'");
      }
      CheckRole(path + ".role", c.role(), is_device);
      const std::string& hash = c.token_sha256();
      if (hash.size() != 64 || !IsLowerHex(hash)) {
        Error(path + ".token_sha256",
              "must be the 64 lower-case hex digits of the token's SHA-256");
      } else if (!hashes.insert(hash).second) {
        Error(path + ".token_sha256",
              "the same token is already given to another credential");
      }
      CheckPin(path + ".pin_pbkdf2", c.pin_pbkdf2(), is_device);
      CheckLanguage(path + ".language", c.language());
    };
    for (int i = 0; i < config_.staff_size(); ++i) {
      check(absl::StrCat("staff[", i, "]"), config_.staff(i), false);
    }
    for (int i = 0; i < config_.devices_size(); ++i) {
      check(absl::StrCat("devices[", i, "]"), config_.devices(i), true);
    }
  }

  // TABLET and METRICS are devices' roles: a shared tablet, a monitoring
  // scraper, not a person.
  void CheckRole(const std::string& path, v1::Role role, bool is_device) {
    if (role == v1::ROLE_UNSPECIFIED) {
      Error(path, is_device ? "is required (SERVER, MANAGER, ADAPTER, "
                              "REPORTER, ADMIN, TABLET or METRICS)"
                            : "is required (SERVER, MANAGER, ADAPTER, "
                              "REPORTER or ADMIN)");
    } else if (role == v1::TABLET && !is_device) {
      Error(path,
            "TABLET is the role of a shared tablet: list it under devices; "
            "staff sign in on it with their PIN");
    } else if (role == v1::METRICS && !is_device) {
      Error(path,
            "METRICS is the role of a monitoring scraper: list it under "
            "devices");
    }
  }

  // Staff only; its message never repeats the hash.
  void CheckPin(const std::string& path, const std::string& pin_pbkdf2,
                bool is_device) {
    if (pin_pbkdf2.empty()) return;
    if (is_device) {
      Error(path, "only staff have a PIN: a device calls with its own token");
      return;
    }
    auto hash = core::ParsePinHash(pin_pbkdf2);
    if (!hash.ok()) Error(path, hash.status().message());
  }

  void CheckLanguage(const std::string& path, const std::string& language) {
    if (!language.empty() && !IsSupportedLanguage(language)) {
      Error(path, absl::StrCat("'", language,
                               "' is not a supported language: en (the "
                               "default) or es"));
    }
  }

  void CheckAuthority() {
    const auto& authority = config_.authority();
    std::set<int> roles;
    for (int i = 0; i < authority.roles_size(); ++i) {
      const std::string path = absl::StrCat("authority.roles[", i, "]");
      const auto& limits = authority.roles(i);
      if (limits.role() != v1::SERVER && limits.role() != v1::MANAGER &&
          limits.role() != v1::ADMIN) {
        Error(path + ".role", "must be SERVER, MANAGER or ADMIN");
      } else if (!roles.insert(limits.role()).second) {
        Error(path + ".role", absl::StrCat(v1::Role_Name(limits.role()),
                                           " already has limits"));
      }
      CheckPositiveAmount(path + ".max_per_case", limits.max_per_case(), true);
      CheckPositiveAmount(path + ".max_per_shift", limits.max_per_shift(),
                          false);
    }
    CheckPositiveAmount("authority.location_daily_budget",
                        authority.location_daily_budget(), false);
  }

  void CheckCategories() {
    if (config_.categories().empty()) {
      Error("categories", "at least one category is required");
    }
    for (int i = 0; i < config_.categories_size(); ++i) {
      const std::string path = absl::StrCat("categories[", i, "]");
      const auto& category = config_.categories(i);
      CheckId(path + ".id", category.id());
      if (!category.id().empty() &&
          !category_ids_.insert(category.id()).second) {
        Error(path + ".id",
              absl::StrCat("duplicate category '", category.id(), "'"));
      }
      if (category.label().empty()) Error(path + ".label", "is required");
      CheckTranslations(path + ".translations", category);
    }
  }

  // Sorted by language, so the errors come in the same order every time.
  void CheckTranslations(const std::string& path,
                         const v1::Category& category) {
    std::map<std::string, const v1::CategoryText*> sorted;
    for (const auto& entry : category.translations()) {
      sorted[entry.first] = &entry.second;
    }
    for (const auto& [language, text] : sorted) {
      const std::string text_path = absl::StrCat(path, ".", language);
      if (!IsSupportedLanguage(language)) {
        Error(text_path, absl::StrCat("'", language,
                                      "' is not a supported language: en "
                                      "or es"));
      } else if (text->label().empty()) {
        Error(text_path + ".label", "is required");
      }
    }
  }

  void CheckRemedies() {
    for (int i = 0; i < config_.remedies_size(); ++i) {
      const std::string path = absl::StrCat("remedies[", i, "]");
      const auto& remedy = config_.remedies(i);
      CheckId(path + ".id", remedy.id());
      if (!remedy.id().empty() && !remedy_ids_.insert(remedy.id()).second) {
        Error(path + ".id",
              absl::StrCat("duplicate remedy '", remedy.id(), "'"));
      }
      CheckRemedyKind(path, remedy);
    }
  }

  void CheckRemedyKind(const std::string& path, const v1::Remedy& remedy) {
    const RemedyKind kind = remedy.kind();
    const bool takes_discount = kind == v1::DISCOUNT_ITEM ||
                                kind == v1::DISCOUNT_CHECK ||
                                kind == v1::DISCOUNT_CODE;
    const bool takes_sku =
        kind == v1::COMPLIMENTARY_ITEM || kind == v1::REPLACE;
    if (kind == v1::REMEDY_KIND_UNSPECIFIED) {
      Error(path + ".kind", "is required");
      return;
    }
    const std::string kind_name = v1::RemedyKind_Name(kind);
    auto unused = [&](absl::string_view field) {
      Error(absl::StrCat(path, ".", field),
            absl::StrCat("is not used by kind ", kind_name));
    };
    if (!takes_sku && !remedy.sku().empty()) unused("sku");
    if (kind != v1::COMPLIMENTARY_ITEM && !remedy.value().empty())
      unused("value");
    if (!takes_discount && remedy.percent() != 0) unused("percent");
    if (!takes_discount && kind != v1::REFUND && !remedy.amount().empty()) {
      unused("amount");
    }
    if (kind != v1::DISCOUNT_CODE && remedy.expires_after_days() != 0) {
      unused("expires_after_days");
    }
    if (kind == v1::COMPLIMENTARY_ITEM) {
      if (remedy.sku().empty())
        Error(path + ".sku", "is required for COMPLIMENTARY_ITEM");
      CheckPositiveAmount(path + ".value", remedy.value(), true);
    }
    if (takes_discount) {
      const bool has_percent = remedy.percent() != 0;
      const bool has_amount = !remedy.amount().empty();
      if (has_percent == has_amount) {
        Error(path, absl::StrCat("kind ", kind_name,
                                 " needs exactly one of percent or amount"));
      } else if (has_percent &&
                 (remedy.percent() < 1 || remedy.percent() > 100)) {
        Error(path + ".percent",
              absl::StrCat("must be 1 to 100, got ", remedy.percent()));
      } else if (has_amount) {
        CheckPositiveAmount(path + ".amount", remedy.amount(), true);
      }
    }
    if (kind == v1::REFUND) {
      CheckPositiveAmount(path + ".amount", remedy.amount(), false);
    }
    if (!remedy.max_value().empty()) {
      if (kind != v1::DISCOUNT_CODE || remedy.percent() == 0) {
        Error(path + ".max_value",
              "caps the face value of a percent DISCOUNT_CODE only");
      } else {
        CheckPositiveAmount(path + ".max_value", remedy.max_value(), true);
      }
    }
    if (kind == v1::DISCOUNT_CODE && remedy.expires_after_days() <= 0) {
      Error(path + ".expires_after_days",
            "must be a positive number of days for DISCOUNT_CODE");
    }
  }

  void CheckRemedyRefs(
      const std::string& path,
      const google::protobuf::RepeatedPtrField<std::string>& refs) {
    for (int j = 0; j < refs.size(); ++j) {
      if (!remedy_ids_.contains(refs[j])) {
        Error(absl::StrCat(path, "[", j, "]"),
              absl::StrCat("unknown remedy '", refs[j], "'"));
      }
    }
  }

  void CheckPolicy() {
    std::set<std::string> rule_ids;
    for (int i = 0; i < config_.policy_size(); ++i) {
      const std::string path = absl::StrCat("policy[", i, "]");
      const auto& rule = config_.policy(i);
      if (!rule.id().empty()) {
        CheckId(path + ".id", rule.id());
        if (!rule_ids.insert(rule.id()).second) {
          Error(path + ".id", absl::StrCat("duplicate rule '", rule.id(), "'"));
        }
      }
      CheckCondition(path + ".when", rule.when());
      if (rule.offer().empty() && rule.extra().empty()) {
        Error(path, "offers nothing: give it offer or extra remedies");
      }
      CheckRemedyRefs(path + ".offer", rule.offer());
      CheckRemedyRefs(path + ".extra", rule.extra());
    }
  }

  void CheckCondition(const std::string& path, const v1::RuleCondition& when) {
    if (!when.category().empty() && !category_ids_.contains(when.category())) {
      Error(path + ".category",
            absl::StrCat("unknown category '", when.category(), "'"));
    }
    for (int j = 0; j < when.severity_size(); ++j) {
      if (when.severity(j) == v1::SEVERITY_UNSPECIFIED) {
        Error(absl::StrCat(path, ".severity[", j, "]"),
              "must be MINOR, MAJOR or SEVERE");
      }
    }
    CheckPositiveAmount(path + ".min_item_price", when.min_item_price(), false);
    auto non_negative = [&](absl::string_view field, int value) {
      if (value < 0) {
        Error(absl::StrCat(path, ".", field),
              absl::StrCat("must not be negative, got ", value));
      }
    };
    non_negative("problems_on_check_at_least",
                 when.problems_on_check_at_least());
    non_negative("minutes_since_fired_at_least",
                 when.minutes_since_fired_at_least());
    non_negative("minutes_since_ordered_at_least",
                 when.minutes_since_ordered_at_least());
    if (when.has_guest_history()) {
      if (when.guest_history().cases() <= 0) {
        Error(path + ".guest_history.cases", "must be positive");
      }
      if (when.guest_history().days() <= 0) {
        Error(path + ".guest_history.days", "must be positive");
      }
    }
  }

  void CheckFollowUp() {
    if (config_.follow_up().after_days() < 0) {
      Error("follow_up.after_days", "must not be negative");
    }
    if (config_.follow_up().contact_retention_days() < 0) {
      Error("follow_up.contact_retention_days", "must not be negative");
    }
  }

  // Zero means "use the default"; anything else must make sense.
  void CheckReportThresholds() {
    const auto& recurring = config_.recurring();
    if (recurring.count() != 0 && recurring.count() < 2) {
      Error("recurring.count", "must be at least 2");
    }
    if (recurring.window_minutes() < 0) {
      Error("recurring.window_minutes", "must be positive");
    }
    const int ack_deadline = config_.server().command_ack_deadline_seconds();
    if (ack_deadline < 0 || ack_deadline > 3600) {
      Error("server.command_ack_deadline_seconds",
            absl::StrCat("must be 1 to 3600 seconds (0: the default ",
                         kDefaultCommandAckDeadlineSeconds, "), got ",
                         ack_deadline));
    }
    const int hours = config_.recovery().flag_closed_within_hours();
    if (hours < 0 || hours > 24 * 366) {
      Error("recovery.flag_closed_within_hours",
            absl::StrCat("must be 1 to 8784 hours (0: the default ",
                         kDefaultFlagClosedWithinHours, "), got ", hours));
    }
    const auto& loss = config_.loss_prevention();
    if (loss.median_multiple() != 0 && !(loss.median_multiple() >= 1.0)) {
      Error("loss_prevention.median_multiple", "must be at least 1");
    }
    if (loss.end_of_shift_minutes() < 0) {
      Error("loss_prevention.end_of_shift_minutes", "must not be negative");
    }
    if (loss.repeat_guest_cases() != 0 && loss.repeat_guest_cases() < 2) {
      Error("loss_prevention.repeat_guest_cases", "must be at least 2");
    }
  }

  // The delivery protocol's settings: 0 means the default.
  void CheckStreamSettings() {
    const auto& server = config_.server();
    CheckSetting("server.command_stuck_after_seconds",
                 server.command_stuck_after_seconds(), 86400, "seconds",
                 kDefaultCommandStuckAfterSeconds);
    CheckSetting("server.keepalive_seconds", server.keepalive_seconds(), 3600,
                 "seconds", kDefaultKeepaliveSeconds);
    CheckSetting("server.stream_queue_limit", server.stream_queue_limit(),
                 100000, "messages", kDefaultStreamQueueLimit);
  }

  // `value` is 0 (the default) or 1 to `max` `unit`.
  void CheckSetting(const std::string& path, int value, int max,
                    const char* unit, int default_value) {
    if (value >= 0 && value <= max) return;
    Error(path,
          absl::StrCat("must be 1 to ", max, " ", unit, " (0: the default ",
                       default_value, "), got ", value));
  }

  const Config& config_;
  std::vector<std::string> errors_;
  bool currency_valid_ = false;
  std::set<std::string> category_ids_;
  std::set<std::string> remedy_ids_;
};

}  // namespace

std::vector<std::string> ValidateConfig(const Config& config) {
  return Validator(config).Run();
}

void ApplyDefaults(Config& config) {
  auto* server = config.mutable_server();
  if (server->listen().empty()) server->set_listen(kDefaultListen);
  if (server->database().empty()) server->set_database(kDefaultDatabase);
  if (server->command_ack_deadline_seconds() == 0) {
    server->set_command_ack_deadline_seconds(kDefaultCommandAckDeadlineSeconds);
  }
  if (server->write_queue_limit() == 0) {
    server->set_write_queue_limit(kDefaultWriteQueueLimit);
  }
  if (server->command_stuck_after_seconds() == 0) {
    server->set_command_stuck_after_seconds(kDefaultCommandStuckAfterSeconds);
  }
  if (server->keepalive_seconds() == 0) {
    server->set_keepalive_seconds(kDefaultKeepaliveSeconds);
  }
  if (server->stream_queue_limit() == 0) {
    server->set_stream_queue_limit(kDefaultStreamQueueLimit);
  }
  if (server->http().empty()) server->set_http(kDefaultHttp);
  if (server->http_max_body_bytes() == 0) {
    server->set_http_max_body_bytes(kDefaultHttpMaxBodyBytes);
  }
  if (server->session_idle_minutes() == 0) {
    server->set_session_idle_minutes(kDefaultSessionIdleMinutes);
  }
  auto* location = config.mutable_location();
  if (location->business_day_starts().empty()) {
    location->set_business_day_starts(kDefaultBusinessDayStarts);
  }
  if (location->name().empty()) location->set_name(location->id());
  for (auto& remedy : *config.mutable_remedies()) {
    if (remedy.label().empty()) remedy.set_label(remedy.id());
  }
  auto* follow_up = config.mutable_follow_up();
  if (follow_up->after_days() == 0)
    follow_up->set_after_days(kDefaultFollowUpDays);
  if (follow_up->contact_retention_days() == 0) {
    follow_up->set_contact_retention_days(kDefaultContactRetentionDays);
  }
  auto* recurring = config.mutable_recurring();
  if (recurring->count() == 0) recurring->set_count(kDefaultRecurringCount);
  if (recurring->window_minutes() == 0) {
    recurring->set_window_minutes(kDefaultRecurringWindowMinutes);
  }
  auto* recovery = config.mutable_recovery();
  if (recovery->flag_closed_within_hours() == 0) {
    recovery->set_flag_closed_within_hours(kDefaultFlagClosedWithinHours);
  }
  auto* loss = config.mutable_loss_prevention();
  if (loss->median_multiple() == 0) {
    loss->set_median_multiple(kDefaultMedianMultiple);
  }
  if (loss->end_of_shift_minutes() == 0) {
    loss->set_end_of_shift_minutes(kDefaultEndOfShiftMinutes);
  }
  if (loss->repeat_guest_cases() == 0) {
    loss->set_repeat_guest_cases(kDefaultRepeatGuestCases);
  }
}

bool IsLoopbackListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;  // Not host:port.
  std::string host = address.substr(0, colon);
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in6_addr ipv6;
  if (inet_pton(AF_INET6, host.c_str(), &ipv6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&ipv6);  // ::1 only, not "::".
  }
  // A literal of 127.0.0.0/8 only: a name such as "127.0.0.1.nip.io" may
  // resolve anywhere. inet_pton takes four decimal parts and nothing else.
  in_addr ipv4;
  return inet_pton(AF_INET, host.c_str(), &ipv4) == 1 &&
         (ntohl(ipv4.s_addr) >> 24) == 127;
}

}  // namespace makegood::config
