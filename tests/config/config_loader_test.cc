#include "config/config_loader.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "config/config_validation.h"
#include "core/pin_hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kHash[] =
    "2cb166d8e576d0367668bb8eaebf3d744cd0a02ce79355deb484f0064a338243";
// PIN 2468 with 10000 iterations, written with Python's hashlib.
constexpr char kPinHash[] =
    "pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$"
    "k1B8R5uK33utde+RotI7QPQrd5VEG5U5FXjmvedQWO0=";

// A small valid configuration; tests replace one piece of it.
std::string Valid() {
  return absl::StrReplaceAll(R"yaml(
location: { id: downtown-01, currency: USD, timezone: America/New_York }
staff:
  - { id: s-17, name: Dana, role: SERVER, token_sha256: HASH }
devices:
  - { id: pos-1, role: ADAPTER, token_sha256: 1d4c3381353a73a0ac25a9424ad25a23b87a4d6c160f2c147cb4ffbad63001da }
authority:
  roles:
    - { role: SERVER, max_per_case: "25.00", max_per_shift: "60.00" }
  location_daily_budget: "500.00"
categories:
  - { id: cold_food, label: Cold food, guidance: Apologize. }
remedies:
  - { id: refire, kind: REMAKE }
  - { id: dessert_tray, kind: COMPLIMENTARY_ITEM, sku: DESSERT-TRAY, value: "18.00" }
  - { id: next_visit_20, kind: DISCOUNT_CODE, percent: 20, expires_after_days: 60 }
policy:
  - { when: { category: cold_food, severity: [MAJOR] }, offer: [refire], extra: [dessert_tray] }
)yaml",
                             {{"HASH", kHash}});
}

absl::Status Load(const std::string& yaml) {
  return ParseConfigYaml(yaml, "test.yaml").status();
}

TEST(ConfigLoaderTest, LoadsTheSampleConfig) {
  auto config = LoadConfigFile(MAKEGOOD_SAMPLE_CONFIG);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->location().id(), "downtown-01");
  EXPECT_GE(config->categories_size(), 10);
  EXPECT_EQ(config->server().listen(), "127.0.0.1:50051");
  EXPECT_EQ(config->server().http(), "127.0.0.1:8080");
}

// The demo PINs the sample's header comment gives, and its tablet.
TEST(ConfigLoaderTest, TheSampleConfigSignsInOnTablets) {
  auto config = LoadConfigFile(MAKEGOOD_SAMPLE_CONFIG);
  ASSERT_TRUE(config.ok()) << config.status();
  const std::map<std::string, std::string> pins = {
      {"s-17", "2468"}, {"s-22", "1357"}, {"m-2", "8642"}, {"o-1", "9753"}};
  for (const auto& staff : config->staff()) {
    SCOPED_TRACE(staff.id());
    ASSERT_TRUE(pins.contains(staff.id()));
    auto hash = core::ParsePinHash(staff.pin_pbkdf2());
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_EQ(hash->iterations, core::kDefaultPinIterations);
    EXPECT_TRUE(core::PinMatches(*hash, pins.at(staff.id())));
    EXPECT_FALSE(core::PinMatches(*hash, "0000"));
    EXPECT_EQ(staff.language(), staff.id() == "s-22" ? "es" : "");
  }
  bool has_tablet = false;
  for (const auto& device : config->devices()) {
    has_tablet = has_tablet ||
                 (device.id() == "tablet-1" && device.role() == v1::TABLET);
  }
  EXPECT_TRUE(has_tablet);
  for (const auto& category : config->categories()) {
    SCOPED_TRACE(category.id());
    ASSERT_TRUE(category.translations().contains("es"));
    EXPECT_FALSE(category.translations().at("es").label().empty());
    EXPECT_FALSE(category.translations().at("es").guidance().empty());
  }
}

TEST(ConfigLoaderTest, AppliesDefaults) {
  auto config = ParseConfigYaml(Valid(), "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server().listen(), kDefaultListen);
  EXPECT_EQ(config->server().write_queue_limit(), 10000);
  EXPECT_EQ(config->server().database(), kDefaultDatabase);
  EXPECT_EQ(config->server().command_stuck_after_seconds(), 120);
  EXPECT_EQ(config->server().keepalive_seconds(), 10);
  EXPECT_EQ(config->server().stream_queue_limit(), 1000);
  EXPECT_EQ(config->server().http(), kDefaultHttp);
  EXPECT_EQ(config->server().http(), "127.0.0.1:8080");
  EXPECT_EQ(config->server().http_max_body_bytes(), 1048576);
  EXPECT_EQ(config->server().session_idle_minutes(), 30);
  EXPECT_EQ(config->location().business_day_starts(), "04:00");
  EXPECT_EQ(config->follow_up().after_days(), 7);
  EXPECT_EQ(config->recurring().count(), 3);
  EXPECT_EQ(config->recurring().window_minutes(), 90);
  EXPECT_EQ(config->loss_prevention().median_multiple(), 2.0);
  EXPECT_EQ(config->loss_prevention().end_of_shift_minutes(), 30);
  EXPECT_EQ(config->loss_prevention().repeat_guest_cases(), 2);
  EXPECT_FALSE(config->outcomes().require_root_cause());
  EXPECT_EQ(config->remedies(0).label(), "refire");
  EXPECT_EQ(config->policy(0).when().severity(0), v1::MAJOR);
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  auto config = LoadConfigFile("/nonexistent/makegood.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("/nonexistent/makegood.yaml"));
}

// A byte that is not UTF-8 once made the JSON printer throw out of the
// loader, ending makegoodd (and --check-config) instead of naming the file.
TEST(ConfigLoaderTest, AFileThatIsNotUtf8IsRefusedNamingFileLineAndColumn) {
  const std::string path = ::testing::TempDir() + "config-not-utf8.yaml";
  std::string yaml = absl::StrReplaceAll(
      Valid(), {{"label: Cold food", "label: Cold f\xe9od"}});
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << yaml;
  }
  // Where the byte is, counted here by hand: lines from 1, columns in
  // bytes from 1.
  const size_t at = yaml.find('\xe9');
  ASSERT_NE(at, std::string::npos);
  const size_t line_start = yaml.rfind('\n', at) + 1;
  const int line =
      1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + at, '\n'));
  auto config = LoadConfigFile(path);
  std::remove(path.c_str());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            absl::StrCat(path, ": line ", line, ", column ",
                         at - line_start + 1, " (byte offset ", at,
                         "): byte 0xE9 is not UTF-8; the configuration must "
                         "be UTF-8 text"));
}

TEST(ConfigLoaderTest, Utf8TextLoadsAsWritten) {
  auto config = ParseConfigYaml(
      absl::StrReplaceAll(
          Valid(), {{"label: Cold food",
                     "label: \"Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8d\xb0\""}}),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->categories(0).label(),
            "Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8d\xb0");
}

// No exception leaves the loader, whatever the YAML holds: a refusal names
// the file.
TEST(ConfigLoaderTest, YamlThatCannotBeConvertedIsRefusedNamingTheFile) {
  for (const std::string& yaml : {std::string("location: &x { id: *x }\n"),
                                  std::string("location: { id: \"\xff\" }\n"),
                                  std::string("\0\0\0l\0\0\0:", 8)}) {
    absl::Status status = Load(yaml);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith("test.yaml: "));
  }
}

TEST(ConfigLoaderTest, ReportsEveryProblemOnItsOwnLine) {
  std::string yaml =
      absl::StrReplaceAll(Valid(), {{"currency: USD", "currency: USX"},
                                    {"offer: [refire]", "offer: [refrie]"}});
  absl::Status status = Load(yaml);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(status.message()),
      HasSubstr("test.yaml: location.currency: 'USX' is not an ISO 4217"));
  EXPECT_THAT(
      std::string(status.message()),
      HasSubstr("\ntest.yaml: policy[0].offer[0]: unknown remedy 'refrie'"));
}

struct BadConfig {
  std::string name;
  std::string from;   // Text of Valid() to replace...
  std::string to;     // ...with this.
  std::string error;  // Expected in the message, after "test.yaml: ".
};

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, NamesFileFieldAndProblem) {
  const BadConfig& bad = GetParam();
  std::string yaml = Valid();
  ASSERT_NE(yaml.find(bad.from), std::string::npos) << bad.from;
  yaml = absl::StrReplaceAll(yaml, {{bad.from, bad.to}});
  absl::Status status = Load(yaml);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("test.yaml: " + bad.error));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadConfigTest,
    ::testing::Values(
        // Syntax and schema.
        BadConfig{"yaml_syntax", "staff:", "staff: [", "line "},
        BadConfig{"not_a_mapping", "location:", "- location:", "(top level)"},
        BadConfig{"unknown_key", "offer: [refire]", "offerz: [refire]",
                  "policy[0].offerz: unknown field"},
        BadConfig{"unknown_top_level",
                  "categories:", "categoriez:", "categoriez: unknown field"},
        BadConfig{
            "bad_enum", "severity: [MAJOR]", "severity: [HUGE]",
            "policy[0].when.severity[0]: invalid value \"HUGE\": expected "
            "one of MINOR, MAJOR, SEVERE"},
        BadConfig{"bad_number", "percent: 20", "percent: twenty",
                  "remedies[2].percent: invalid value"},
        BadConfig{"duplicate_key", "timezone: America/New_York",
                  "timezone: America/New_York, timezone: UTC",
                  "location.timezone: duplicate key"},
        // Location.
        BadConfig{"no_location",
                  "location: { id: downtown-01, currency: USD, timezone: "
                  "America/New_York }",
                  "", "location: is required"},
        BadConfig{"bad_location_id", "id: downtown-01", "id: down town",
                  "location.id: 'down town' must be"},
        BadConfig{"no_currency", "currency: USD, ", "",
                  "location.currency: is required"},
        BadConfig{"bad_currency", "currency: USD", "currency: usd",
                  "location.currency: 'usd' is not an ISO 4217 currency code"},
        BadConfig{"bad_timezone", "America/New_York", "America/Gotham",
                  "location.timezone: 'America/Gotham' is not in the system's "
                  "time zone database"},
        BadConfig{"no_timezone", ", timezone: America/New_York", "",
                  "location.timezone: is required"},
        BadConfig{
            "bad_day_start", "timezone: America/New_York }",
            "timezone: America/New_York, business_day_starts: \"25:00\" }",
            "location.business_day_starts: '25:00' is not a time of day"},
        // Server.
        BadConfig{"bad_listen", "staff:", "server: { listen: nowhere }\nstaff:",
                  "server.listen: 'nowhere' is not host:port"},
        BadConfig{"tls_half", "staff:",
                  "server: { tls: { cert_file: /etc/hostname } }\nstaff:",
                  "server.tls: cert_file and key_file must be given together"},
        BadConfig{"tls_unreadable", "staff:",
                  "server: { tls: { cert_file: /nonexistent.pem, key_file: "
                  "/nonexistent.key } }\nstaff:",
                  "server.tls.cert_file: cannot read '/nonexistent.pem'"},
        BadConfig{"write_queue_negative",
                  "staff:", "server: { write_queue_limit: -1 }\nstaff:",
                  "server.write_queue_limit: must be 1 to 1000000 waiting "
                  "writes (0: the default 10000), got -1"},
        BadConfig{"write_queue_too_large",
                  "staff:", "server: { write_queue_limit: 1000001 }\nstaff:",
                  "server.write_queue_limit: must be 1 to 1000000"},
        // The HTTP listener and tablet sessions.
        BadConfig{"bad_http", "staff:", "server: { http: nowhere }\nstaff:",
                  "server.http: 'nowhere' is not host:port (e.g. "
                  "127.0.0.1:8080)"},
        BadConfig{"http_without_port",
                  "staff:", "server: { http: \"127.0.0.1:\" }\nstaff:",
                  "server.http: '127.0.0.1:' is not host:port"},
        BadConfig{"http_is_listen", "staff:",
                  "server: { listen: \"127.0.0.1:9000\", http: "
                  "\"127.0.0.1:9000\" }\nstaff:",
                  "server.http: '127.0.0.1:9000' is server.listen's address "
                  "too"},
        BadConfig{"http_is_default_listen",
                  "staff:", "server: { http: \"127.0.0.1:50051\" }\nstaff:",
                  "server.http: '127.0.0.1:50051' is server.listen's address "
                  "too"},
        BadConfig{"http_tls_half", "staff:",
                  "server: { http_tls: { key_file: /etc/hostname } }\nstaff:",
                  "server.http_tls: cert_file and key_file must be given "
                  "together"},
        BadConfig{"http_tls_unreadable", "staff:",
                  "server: { http_tls: { cert_file: /nonexistent.pem, "
                  "key_file: /nonexistent.key } }\nstaff:",
                  "server.http_tls.cert_file: cannot read '/nonexistent.pem'"},
        BadConfig{"http_body_too_small",
                  "staff:", "server: { http_max_body_bytes: 1023 }\nstaff:",
                  "server.http_max_body_bytes: must be 1024 to 4194304 bytes "
                  "(0: the default 1048576), got 1023"},
        BadConfig{"http_body_too_large",
                  "staff:", "server: { http_max_body_bytes: 4194305 }\nstaff:",
                  "server.http_max_body_bytes: must be 1024 to 4194304 "
                  "bytes"},
        BadConfig{"http_body_negative",
                  "staff:", "server: { http_max_body_bytes: -1 }\nstaff:",
                  "server.http_max_body_bytes: must be 1024 to 4194304"},
        BadConfig{"session_idle_too_long",
                  "staff:", "server: { session_idle_minutes: 1441 }\nstaff:",
                  "server.session_idle_minutes: must be 1 to 1440 minutes (0: "
                  "the default 30), got 1441"},
        BadConfig{"session_idle_negative",
                  "staff:", "server: { session_idle_minutes: -1 }\nstaff:",
                  "server.session_idle_minutes: must be 1 to 1440 minutes"},
        // Credentials.
        BadConfig{
            "no_staff",
            "staff:\n  - { id: s-17, name: Dana, role: SERVER, token_sha256: " +
                std::string(kHash) + " }",
            "staff: []", "staff: at least one staff member is required"},
        BadConfig{"staff_without_id", "id: s-17, ", "",
                  "staff[0].id: is required"},
        BadConfig{"staff_without_role", "role: SERVER, token", "token",
                  "staff[0].role: is required"},
        BadConfig{
            "short_hash", std::string(kHash), "abc123",
            "staff[0].token_sha256: must be the 64 lower-case hex digits"},
        BadConfig{
            "upper_hash", std::string(kHash),
            "2CB166D8E576D0367668BB8EAEBF3D744CD0A02CE79355DEB484F0064A338243",
            "staff[0].token_sha256: must be the 64 lower-case hex digits"},
        BadConfig{"duplicate_credential_id", "id: pos-1", "id: s-17",
                  "devices[0].id: 's-17' is already used"},
        BadConfig{"staff_tablet_role", "role: SERVER, token",
                  "role: TABLET, token",
                  "staff[0].role: TABLET is the role of a shared tablet: "
                  "list it under devices"},
        BadConfig{"device_without_role", "{ id: pos-1, role: ADAPTER, ",
                  "{ id: pos-1, ",
                  "devices[0].role: is required (SERVER, MANAGER, ADAPTER, "
                  "REPORTER, ADMIN, TABLET or METRICS)"},
        BadConfig{"staff_metrics_role", "role: SERVER, token",
                  "role: METRICS, token",
                  "staff[0].role: METRICS is the role of a monitoring "
                  "scraper: list it under devices"},
        BadConfig{"pin_not_a_hash", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: \"2468\", ",
                  "staff[0].pin_pbkdf2: is not a PIN hash: expected "
                  "pbkdf2-sha256$<iterations>$<salt, base64>$<key, base64>"},
        BadConfig{"pin_unknown_scheme", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: \"bcrypt$10$c2FsdA==$a2V5\", ",
                  "staff[0].pin_pbkdf2: unknown scheme: only pbkdf2-sha256"},
        BadConfig{"pin_few_iterations", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: "
                  "\"pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$"
                  "k1B8R5uK33utde+RotI7QPQrd5VEG5U5FXjmvedQWO0=\", ",
                  "staff[0].pin_pbkdf2: iterations must be a whole number "
                  "from 10000 to 10000000"},
        BadConfig{"pin_short_salt", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: "
                  "\"pbkdf2-sha256$10000$c2FsdA==$"
                  "k1B8R5uK33utde+RotI7QPQrd5VEG5U5FXjmvedQWO0=\", ",
                  "staff[0].pin_pbkdf2: the salt must be at least 16 bytes"},
        BadConfig{"pin_short_key", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: "
                  "\"pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$a2V5\", ",
                  "staff[0].pin_pbkdf2: the key must be exactly 32 bytes"},
        BadConfig{"pin_bad_base64", "name: Dana, ",
                  "name: Dana, pin_pbkdf2: "
                  "\"pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$k*y\", ",
                  "staff[0].pin_pbkdf2: the key is not standard base64"},
        BadConfig{"device_with_pin", "{ id: pos-1, role: ADAPTER, ",
                  "{ id: pos-1, role: ADAPTER, pin_pbkdf2: \"" +
                      std::string(kPinHash) + "\", ",
                  "devices[0].pin_pbkdf2: only staff have a PIN"},
        BadConfig{"unknown_language", "name: Dana, ",
                  "name: Dana, language: fr, ",
                  "staff[0].language: 'fr' is not a supported language: en "
                  "(the default) or es"},
        BadConfig{"upper_case_language", "name: Dana, ",
                  "name: Dana, language: ES, ",
                  "staff[0].language: 'ES' is not a supported language"},
        BadConfig{"device_unknown_language", "{ id: pos-1, ",
                  "{ id: pos-1, language: de, ",
                  "devices[0].language: 'de' is not a supported language"},
        BadConfig{
            "shared_token",
            "1d4c3381353a73a0ac25a9424ad25a23b87a4d6c160f2c147cb4ffbad63001da",
            std::string(kHash),
            "devices[0].token_sha256: the same token is already given"},
        // Authority.
        BadConfig{"limits_for_adapter", "- { role: SERVER, max_per_case",
                  "- { role: ADAPTER, max_per_case",
                  "authority.roles[0].role: must be SERVER, MANAGER or ADMIN"},
        BadConfig{"duplicate_role_limits", "  location_daily_budget:",
                  "    - { role: SERVER, max_per_case: \"5.00\" }\n  "
                  "location_daily_budget:",
                  "authority.roles[1].role: SERVER already has limits"},
        BadConfig{"no_max_per_case", "max_per_case: \"25.00\", ", "",
                  "authority.roles[0].max_per_case: is required"},
        BadConfig{"zero_limit", "max_per_case: \"25.00\"",
                  "max_per_case: \"0.00\"",
                  "authority.roles[0].max_per_case: must be positive"},
        BadConfig{"negative_budget", "\"500.00\"", "\"-5.00\"",
                  "authority.location_daily_budget: must be positive"},
        BadConfig{
            "too_many_decimals", "\"60.00\"", "\"60.001\"",
            "authority.roles[0].max_per_shift: '60.001' has more decimals"},
        BadConfig{"not_money", "\"60.00\"", "sixty",
                  "authority.roles[0].max_per_shift: 'sixty' is not a decimal "
                  "amount"},
        // Categories.
        BadConfig{
            "no_categories",
            "  - { id: cold_food, label: Cold food, guidance: Apologize. }\n",
            "", "categories: at least one category is required"},
        BadConfig{"category_without_label", "label: Cold food, ", "",
                  "categories[0].label: is required"},
        BadConfig{"duplicate_category", "guidance: Apologize. }",
                  "guidance: Apologize. }\n  - { id: cold_food, label: Again }",
                  "categories[1].id: duplicate category 'cold_food'"},
        BadConfig{"translation_unknown_language", "guidance: Apologize. }",
                  "guidance: Apologize., translations: { fr: { label: Plat "
                  "froid } } }",
                  "categories[0].translations.fr: 'fr' is not a supported "
                  "language: en or es"},
        BadConfig{"translation_without_label", "guidance: Apologize. }",
                  "guidance: Apologize., translations: { es: { guidance: "
                  "Discúlpese. } } }",
                  "categories[0].translations.es.label: is required"},
        BadConfig{"translation_empty_label", "guidance: Apologize. }",
                  "guidance: Apologize., translations: { es: { label: \"\" "
                  "} } }",
                  "categories[0].translations.es.label: is required"},
        // Remedies.
        BadConfig{"duplicate_remedy", "id: dessert_tray", "id: refire",
                  "remedies[1].id: duplicate remedy 'refire'"},
        BadConfig{"remedy_without_kind", "{ id: refire, kind: REMAKE }",
                  "{ id: refire }", "remedies[0].kind: is required"},
        BadConfig{"unused_field", "{ id: refire, kind: REMAKE }",
                  "{ id: refire, kind: REMAKE, sku: X }",
                  "remedies[0].sku: is not used by kind REMAKE"},
        BadConfig{"complimentary_without_sku", "sku: DESSERT-TRAY, ", "",
                  "remedies[1].sku: is required for COMPLIMENTARY_ITEM"},
        BadConfig{"complimentary_without_value", ", value: \"18.00\"", "",
                  "remedies[1].value: is required"},
        BadConfig{"discount_both", "percent: 20,",
                  "percent: 20, amount: \"5.00\",",
                  "remedies[2]: kind DISCOUNT_CODE needs exactly one of "
                  "percent or amount"},
        BadConfig{"discount_neither", "percent: 20, ", "",
                  "remedies[2]: kind DISCOUNT_CODE needs exactly one of "
                  "percent or amount"},
        BadConfig{"percent_over_100", "percent: 20", "percent: 120",
                  "remedies[2].percent: must be 1 to 100, got 120"},
        BadConfig{"code_without_expiry", ", expires_after_days: 60", "",
                  "remedies[2].expires_after_days: must be a positive number "
                  "of days"},
        // Policy.
        BadConfig{"unknown_offer", "offer: [refire]", "offer: [refrie]",
                  "policy[0].offer[0]: unknown remedy 'refrie'"},
        BadConfig{"unknown_extra", "extra: [dessert_tray]",
                  "extra: [desert_tray]",
                  "policy[0].extra[0]: unknown remedy 'desert_tray'"},
        BadConfig{"unknown_category", "category: cold_food,",
                  "category: cold_drinks,",
                  "policy[0].when.category: unknown category 'cold_drinks'"},
        BadConfig{"rule_offers_nothing",
                  ", offer: [refire], extra: [dessert_tray]", "",
                  "policy[0]: offers nothing"},
        BadConfig{"negative_minutes", "severity: [MAJOR] }",
                  "severity: [MAJOR], minutes_since_fired_at_least: -5 }",
                  "policy[0].when.minutes_since_fired_at_least: must not be "
                  "negative"},
        BadConfig{"bad_min_price", "severity: [MAJOR] }",
                  "severity: [MAJOR], min_item_price: \"0\" }",
                  "policy[0].when.min_item_price: must be positive"},
        BadConfig{"guest_history_zero", "severity: [MAJOR] }",
                  "severity: [MAJOR], guest_history: { cases: 0, days: 30 } }",
                  "policy[0].when.guest_history.cases: must be positive"},
        BadConfig{"duplicate_rule_id", "  - { when:",
                  "  - { id: r1, offer: [refire] }\n  - { id: r1, offer: "
                  "[refire] }\n  - { when:",
                  "policy[1].id: duplicate rule 'r1'"},
        // Follow-up.
        BadConfig{"negative_follow_up",
                  "policy:", "follow_up: { after_days: -1 }\npolicy:",
                  "follow_up.after_days: must not be negative"},
        // Report thresholds.
        BadConfig{"recurring_count_one",
                  "policy:", "recurring: { count: 1 }\npolicy:",
                  "recurring.count: must be at least 2"},
        BadConfig{"negative_window",
                  "policy:", "recurring: { window_minutes: -5 }\npolicy:",
                  "recurring.window_minutes: must be positive"},
        BadConfig{"median_multiple_below_one", "policy:",
                  "loss_prevention: { median_multiple: 0.5 }\npolicy:",
                  "loss_prevention.median_multiple: must be at least 1"},
        BadConfig{"repeat_guest_one", "policy:",
                  "loss_prevention: { repeat_guest_cases: 1 }\npolicy:",
                  "loss_prevention.repeat_guest_cases: must be at least 2"},
        BadConfig{"unknown_outcome_key", "policy:",
                  "outcomes: { require_cause: true }\npolicy:", "outcomes"},
        // The delivery protocol's settings.
        BadConfig{"stuck_after_too_long", "policy:",
                  "server: { command_stuck_after_seconds: 86401 }\npolicy:",
                  "server.command_stuck_after_seconds: must be 1 to 86400 "
                  "seconds (0: the default 120), got 86401"},
        BadConfig{"stuck_after_negative", "policy:",
                  "server: { command_stuck_after_seconds: -1 }\npolicy:",
                  "server.command_stuck_after_seconds: must be 1 to 86400"},
        BadConfig{"keepalive_too_long",
                  "policy:", "server: { keepalive_seconds: 3601 }\npolicy:",
                  "server.keepalive_seconds: must be 1 to 3600 seconds (0: "
                  "the default 10), got 3601"},
        BadConfig{"stream_queue_negative",
                  "policy:", "server: { stream_queue_limit: -5 }\npolicy:",
                  "server.stream_queue_limit: must be 1 to 100000 messages "
                  "(0: the default 1000), got -5"}),
    [](const auto& info) { return info.param.name; });

TEST(ConfigLoaderTest, TakesTheDeliverySettingsAtTheirBounds) {
  for (const char* server :
       {"server: { command_stuck_after_seconds: 1, keepalive_seconds: 1, "
        "stream_queue_limit: 1 }",
        "server: { command_stuck_after_seconds: 86400, keepalive_seconds: "
        "3600, stream_queue_limit: 100000 }"}) {
    auto config = ParseConfigYaml(
        absl::StrReplaceAll(Valid(),
                            {{"policy:", std::string(server) + "\npolicy:"}}),
        "test.yaml");
    EXPECT_TRUE(config.ok()) << server << ": " << config.status();
  }
}

// Tablet sign-in: a TABLET device, staff with a PIN and a language,
// translated categories, and the HTTP settings at their bounds.
TEST(ConfigLoaderTest, TakesTabletsPinsAndTranslations) {
  const std::string yaml = absl::StrReplaceAll(
      Valid(),
      {{"name: Dana, ", absl::StrCat("name: Dana, language: es, pin_pbkdf2: \"",
                                     kPinHash, "\", ")},
       {"devices:\n",
        "devices:\n  - { id: tablet-1, name: Floor tablet, role: TABLET, "
        "token_sha256: "
        "4f3d4b482e55ee1de42833598d4431a80a76e7ba99c622171c4819d06dbc4905 }\n"},
       {"guidance: Apologize. }",
        "guidance: Apologize., translations: { es: { label: Comida fría, "
        "guidance: Discúlpese. }, en: { label: Cold food } } }"}});
  auto config = ParseConfigYaml(yaml, "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->staff(0).language(), "es");
  EXPECT_EQ(config->staff(0).pin_pbkdf2(), kPinHash);
  EXPECT_EQ(config->devices(0).role(), v1::TABLET);
  EXPECT_EQ(config->categories(0).translations().at("es").label(),
            "Comida fría");
  for (const char* server :
       {"server: { http: \"off\" }",
        "server: { http: \"0.0.0.0:8443\", http_max_body_bytes: 1024, "
        "session_idle_minutes: 1 }",
        "server: { http: \"127.0.0.1:0\", listen: \"127.0.0.1:0\", "
        "http_max_body_bytes: 4194304, session_idle_minutes: 1440 }"}) {
    auto with_server = ParseConfigYaml(
        absl::StrReplaceAll(yaml,
                            {{"policy:", std::string(server) + "\npolicy:"}}),
        "test.yaml");
    EXPECT_TRUE(with_server.ok()) << server << ": " << with_server.status();
  }
}

TEST(ConfigLoaderTest, KeepsHttpOff) {
  auto config = ParseConfigYaml(
      absl::StrReplaceAll(Valid(),
                          {{"policy:", "server: { http: \"off\" }\npolicy:"}}),
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server().http(), kHttpOff);
}

// A PIN hash may be pasted wrongly (a bare PIN, a truncated line): the
// error names the field, never what was pasted.
TEST(ConfigLoaderTest, PinErrorsDoNotRepeatThePinHash) {
  for (const char* pasted :
       {"24681357", "pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$k1B8R5uK",
        "pbkdf2-sha1$10000$MDEyMzQ1Njc4OWFiY2RlZg==$k1B8R5uK"}) {
    absl::Status status = Load(absl::StrReplaceAll(
        Valid(), {{"name: Dana, ", absl::StrCat("name: Dana, pin_pbkdf2: \"",
                                                pasted, "\", ")}}));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << pasted;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("staff[0].pin_pbkdf2: "));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("24681357")));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("k1B8R5uK")));
    EXPECT_THAT(std::string(status.message()),
                Not(HasSubstr("MDEyMzQ1Njc4OWFiY2RlZg")));
  }
}

TEST(LoopbackTest, RecognisesLoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackListenAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("127.0.0.2:0"));
  EXPECT_TRUE(IsLoopbackListenAddress("localhost:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("[::1]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("192.168.1.20:50051"));
}

}  // namespace
}  // namespace makegood::config
