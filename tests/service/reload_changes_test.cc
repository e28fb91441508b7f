// What a reload may change (service/reload_changes.h): refused fields,
// restart-only fields, and what takes effect.

#include "service/reload_changes.h"

#include <string>
#include <vector>

#include "core/sha256.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"

namespace makegood::service {
namespace {

using makegood::v1::Config;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A running configuration as the loader leaves it (defaults filled in).
Config Running() {
  Config config;
  auto* location = config.mutable_location();
  location->set_id("downtown-01");
  location->set_name("Harbor Street Kitchen");
  location->set_currency("USD");
  location->set_timezone("America/New_York");
  location->set_business_day_starts("04:00");
  auto* server = config.mutable_server();
  server->set_listen("127.0.0.1:50051");
  server->set_database("var/makegood.db");
  server->set_http("127.0.0.1:8080");
  server->set_command_ack_deadline_seconds(30);
  server->set_command_stuck_after_seconds(120);
  server->set_keepalive_seconds(10);
  server->set_stream_queue_limit(1000);
  server->set_write_queue_limit(10000);
  server->set_http_max_body_bytes(1048576);
  server->set_session_idle_minutes(30);
  auto* dana = config.add_staff();
  dana->set_id("s-17");
  dana->set_role(makegood::v1::SERVER);
  dana->set_token_sha256(core::Sha256Hex("dana-token"));
  auto* limits = config.mutable_authority()->add_roles();
  limits->set_role(makegood::v1::SERVER);
  limits->set_max_per_case("25.00");
  auto* cold = config.add_categories();
  cold->set_id("cold_food");
  cold->set_label("Cold food");
  return config;
}

// Every field a reload applies at once, changed.
Config WithReloadableChanges() {
  Config next = Running();
  next.mutable_location()->set_name("Harbor Street Kitchen & Bar");
  next.mutable_location()->set_business_day_starts("05:00");
  next.mutable_staff(0)->set_token_sha256(core::Sha256Hex("new-token"));
  next.mutable_authority()->mutable_roles(0)->set_max_per_case("5.00");
  next.mutable_categories(0)->set_label("Cold plate");
  next.mutable_recovery()->set_flag_closed_within_hours(48);
  next.mutable_outcomes()->set_require_root_cause(true);
  return next;
}

TEST(CheckReloadableTest, TheSameLocationMayChangeEverythingElse) {
  Config next = WithReloadableChanges();
  next.mutable_server()->set_listen("0.0.0.0:50051");
  next.mutable_location()->set_timezone("Europe/Madrid");
  EXPECT_TRUE(CheckReloadable(Running(), next).ok());
}

TEST(CheckReloadableTest, AnotherLocationIdIsRefused) {
  Config next = Running();
  next.mutable_location()->set_id("uptown-02");
  const absl::Status refused = CheckReloadable(Running(), next);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("location.id: changed from 'downtown-01' to "
                        "'uptown-02'"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("restart makegoodd"));
}

TEST(CheckReloadableTest, AnotherCurrencyIsRefused) {
  Config next = Running();
  next.mutable_location()->set_currency("EUR");
  const absl::Status refused = CheckReloadable(Running(), next);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("location.currency: changed from USD to EUR"));
}

TEST(RestartOnlyChangesTest, NoneWhenOnlyReloadableFieldsChange) {
  EXPECT_THAT(RestartOnlyChanges(Running(), WithReloadableChanges()),
              IsEmpty());
  EXPECT_THAT(RestartOnlyChanges(Running(), Running()), IsEmpty());
}

TEST(RestartOnlyChangesTest, ListsTheTimeZoneAndEachServerFieldInSchemaOrder) {
  Config next = WithReloadableChanges();
  next.mutable_server()->set_session_idle_minutes(60);
  next.mutable_server()->set_listen("127.0.0.1:50052");
  next.mutable_server()->mutable_tls()->set_cert_file("/etc/makegood/c.pem");
  next.mutable_server()->set_write_queue_limit(5);
  next.mutable_server()->set_database("/var/lib/makegood/other.db");
  next.mutable_location()->set_timezone("America/Chicago");
  EXPECT_THAT(
      RestartOnlyChanges(Running(), next),
      ElementsAre("location.timezone", "server.listen", "server.database",
                  "server.tls", "server.write_queue_limit",
                  "server.session_idle_minutes"));
}

// None of server.* is read after start (reload_changes.h): each one, also
// one added later, is restart-only.
TEST(RestartOnlyChangesTest, EveryServerFieldIsRestartOnly) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor* type =
      makegood::v1::ServerConfig::descriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    Config next = Running();
    google::protobuf::Message* server = next.mutable_server();
    const google::protobuf::Reflection* reflection = server->GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(server, field,
                             reflection->GetInt32(*server, field) + 1);
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(server, field,
                              reflection->GetString(*server, field) + "x");
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        auto* tls = static_cast<makegood::v1::TlsConfig*>(
            reflection->MutableMessage(server, field));
        tls->set_key_file("/etc/makegood/key.pem");
        break;
      }
      default:
        FAIL() << "server." << field->name()
               << ": a field type this test does not change yet";
    }
    EXPECT_THAT(RestartOnlyChanges(Running(), next),
                ElementsAre("server." + field->name()));
    // The field keeps its running value.
    EXPECT_THAT(RestartOnlyChanges(Running(), KeepRestartOnly(Running(), next)),
                IsEmpty());
  }
}

TEST(KeepRestartOnlyTest, KeepsRunningValuesOfRestartOnlyFieldsTakesTheRest) {
  Config next = WithReloadableChanges();
  next.mutable_server()->set_listen("127.0.0.1:50052");
  next.mutable_server()->set_command_stuck_after_seconds(5);
  next.mutable_location()->set_timezone("America/Chicago");

  const Config kept = KeepRestartOnly(Running(), next);
  EXPECT_EQ(kept.server().listen(), "127.0.0.1:50051");
  EXPECT_EQ(kept.server().command_stuck_after_seconds(), 120);
  EXPECT_EQ(kept.location().timezone(), "America/New_York");
  EXPECT_EQ(kept.location().name(), "Harbor Street Kitchen & Bar");
  EXPECT_EQ(kept.location().business_day_starts(), "05:00");
  EXPECT_EQ(kept.authority().roles(0).max_per_case(), "5.00");
  EXPECT_EQ(kept.categories(0).label(), "Cold plate");
  EXPECT_EQ(kept.staff(0).token_sha256(), core::Sha256Hex("new-token"));
  EXPECT_THAT(RestartOnlyChanges(Running(), kept), IsEmpty());
}

TEST(ChangedFieldsTest, NamesTopLevelFieldsAndThoseOfLocationAndServer) {
  Config next = Running();
  next.mutable_categories(0)->set_label("Cold plate");
  next.mutable_staff(0)->set_token_sha256(core::Sha256Hex("new-token"));
  next.mutable_location()->set_name("Harbor Street Kitchen & Bar");
  next.mutable_server()->set_listen("127.0.0.1:50052");
  EXPECT_THAT(
      ChangedFields(Running(), next),
      ElementsAre("location.name", "server.listen", "staff", "categories"));
}

TEST(ChangedFieldsTest, NothingWhenTheFileIsTheSame) {
  EXPECT_THAT(ChangedFields(Running(), Running()), IsEmpty());
}

TEST(ChangedFieldsTest, TranslationsInAnotherOrderAreNoChange) {
  Config a = Running();
  Config b = Running();
  (*a.mutable_categories(0)->mutable_translations())["es"].set_label("Fría");
  (*a.mutable_categories(0)->mutable_translations())["fr"].set_label("Froid");
  (*b.mutable_categories(0)->mutable_translations())["fr"].set_label("Froid");
  (*b.mutable_categories(0)->mutable_translations())["es"].set_label("Fría");
  EXPECT_THAT(ChangedFields(a, b), IsEmpty());
  (*b.mutable_categories(0)->mutable_translations())["es"].set_label("Helada");
  EXPECT_THAT(ChangedFields(a, b), ElementsAre("categories"));
}

}  // namespace
}  // namespace makegood::service
