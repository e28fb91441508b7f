// libmakegood_plugin through its C interface only, against the real
// makegoodd on a loopback port with a temporary SQLite file, in plaintext
// and with mutual TLS. This binary does not link the contract's C++ code:
// the plugin carries its own.

#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "makegood_plugin.h"
#include "support/db_query.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace makegood {
namespace {

using ::testing::HasSubstr;
using testing::QueryText;

constexpr char kAdapterToken[] = "demo-adapter-pos";
constexpr char kServerToken[] = "demo-server-dana";

std::string IsoMinutesAgo(int minutes) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::Now() - absl::Minutes(minutes),
                          absl::UTCTimeZone());
}

// The events of a check with one fired steak.
std::vector<std::string> SteakCheck(const std::string& check_id) {
  const std::string head = absl::StrCat(
      R"("source":"plugin-test","locationId":"downtown-01","checkId":")",
      check_id, R"(",)");
  return {
      absl::StrCat(R"({"eventId":")", check_id, R"(-open",)", head,
                   R"("occurredAt":")", IsoMinutesAgo(20),
                   R"(","checkOpened":{"table":"7"}})"),
      absl::StrCat(R"({"eventId":")", check_id, R"(-add",)", head,
                   R"("occurredAt":")", IsoMinutesAgo(20),
                   R"(","itemAdded":{"lineId":"1","sku":"RIBEYE-12",)",
                   R"("name":"Ribeye","station":"grill","quantity":1,)",
                   R"("unitPrice":{"minorUnits":"4800","currency":"USD"}}})"),
      absl::StrCat(R"({"eventId":")", check_id, R"(-fire",)", head,
                   R"("occurredAt":")", IsoMinutesAgo(15),
                   R"(","itemFired":{"lineId":"1"}})"),
  };
}

// Commands handed to the callback, for the test thread to wait on.
struct Inbox {
  absl::Mutex mu;
  std::vector<std::string> command_ids ABSL_GUARDED_BY(mu);
  std::vector<int> attempts ABSL_GUARDED_BY(mu);

  static void Receive(const mg_command* command, void* self) {
    auto* inbox = static_cast<Inbox*>(self);
    absl::MutexLock lock(&inbox->mu);
    inbox->command_ids.push_back(command->command_id);
    inbox->attempts.push_back(command->delivery_attempt);
  }

  // Waits until `count` deliveries arrived (at most 10 s).
  bool AwaitCount(size_t count) {
    absl::MutexLock lock(&mu);
    auto arrived = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return command_ids.size() >= count;
    };
    return mu.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10));
  }
};

class PluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = testing::DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen", "127.0.0.1:0",
         "--http", "127.0.0.1:0", "--db", db_path_},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    address_ = daemon_->address();
  }

  void TearDown() override { mg_disconnect(client_); }

  mg_status Connect(const char* token) {
    mg_connect_options options{};
    options.target = address_.c_str();
    options.token = token;
    return mg_connect(&options, &client_);
  }

  mg_status Publish(const std::vector<std::string>& events,
                    mg_publish_summary* summary = nullptr) {
    std::vector<const char*> pointers;
    for (const std::string& event : events) pointers.push_back(event.c_str());
    return mg_publish_events(client_, pointers.data(), pointers.size(),
                             summary);
  }

  // Flags the steak of `check_id` as cold; the case, or nullptr.
  mg_case* FlagSteak(const std::string& check_id,
                     const std::string& request_id) {
    const char* lines[] = {"1"};
    mg_flag_request flag{};
    flag.staff_token = kServerToken;
    flag.request_id = request_id.c_str();
    flag.check_id = check_id.c_str();
    flag.line_ids = lines;
    flag.line_count = 1;
    flag.category_id = "cold_food";
    flag.severity = MG_SEVERITY_MAJOR;
    mg_case* flagged = nullptr;
    EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_OK)
        << mg_last_error();
    return flagged;
  }

  mg_case* ApplyFirstOption(const mg_case* flagged,
                            const std::string& request_id) {
    size_t count = 0;
    const mg_option* options = mg_case_options(flagged, &count);
    EXPECT_GT(count, 0u);
    if (count == 0) return nullptr;
    mg_apply_request apply{};
    apply.staff_token = kServerToken;
    apply.request_id = request_id.c_str();
    apply.case_id = mg_case_id(flagged);
    apply.option_id = options[0].option_id;
    mg_case* applied = nullptr;
    EXPECT_EQ(mg_apply_remedy(client_, &apply, &applied), MG_OK)
        << mg_last_error();
    return applied;
  }

  int64_t CountRows(const std::string& table) {
    return std::stoll(QueryText(db_path_, "SELECT count(*) FROM " + table));
  }

  testing::TempDir dir_;
  const std::string db_path_ = dir_.File("makegood.db");
  std::unique_ptr<testing::DaemonProcess> daemon_;
  std::string address_;
  mg_client* client_ = nullptr;
};

TEST_F(PluginTest, TheCExampleFlagsAppliesAndAcknowledges) {
  testing::CommandResult run = testing::RunCommand(
      {MAKEGOOD_PLUGIN_EXAMPLE, address_, kAdapterToken, kServerToken, "7001"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("published: 3 accepted, 0 duplicates"));
  EXPECT_THAT(run.out, HasSubstr("option o1"));
  EXPECT_THAT(run.out, HasSubstr("acknowledged: applied"));
  // The acknowledgement is on record, with the POS's reference.
  EXPECT_EQ(QueryText(db_path_,
                      "SELECT c.pos_reference FROM commands c JOIN cases k "
                      "USING (case_id) WHERE k.check_id = '7001' AND "
                      "c.acked_at_us IS NOT NULL"),
            "example-pos-ticket-1");
}

TEST_F(PluginTest, ReportsItsAbiVersionAndStatusNames) {
  EXPECT_EQ(mg_abi_version(), MG_PLUGIN_ABI_VERSION);
  EXPECT_STREQ(mg_status_name(MG_NOT_FOUND), "NOT_FOUND");
  EXPECT_STREQ(mg_status_name(MG_UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_STREQ(mg_status_name(static_cast<mg_status>(99)), "UNKNOWN_STATUS");
}

TEST_F(PluginTest, ConnectRefusesAnUnknownTokenAndMissingOptions) {
  EXPECT_EQ(Connect("not-a-token"), MG_UNAUTHENTICATED);
  EXPECT_EQ(client_, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("connect: "));

  // A staff token cannot act as the POS.
  EXPECT_EQ(Connect(kServerToken), MG_PERMISSION_DENIED);
  EXPECT_EQ(client_, nullptr);

  mg_connect_options options{};
  options.token = kAdapterToken;
  EXPECT_EQ(mg_connect(&options, &client_), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "options.target is required");
  EXPECT_EQ(mg_connect(nullptr, &client_), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "options is NULL");
  options.target = address_.c_str();
  options.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(mg_connect(&options, &client_), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("options.tls_ca_file"));
}

TEST_F(PluginTest, PublishStoresEventsAndCountsResentOnesAsDuplicates) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK) << mg_last_error();
  mg_publish_summary summary{};
  ASSERT_EQ(Publish(SteakCheck("7100"), &summary), MG_OK) << mg_last_error();
  EXPECT_EQ(summary.accepted, 3);
  EXPECT_STREQ(mg_last_error(), "");
  ASSERT_EQ(Publish(SteakCheck("7100"), &summary), MG_OK);
  EXPECT_EQ(summary.accepted, 0);
  EXPECT_EQ(summary.duplicates, 3);
  EXPECT_EQ(CountRows("order_events"), 3);
}

TEST_F(PluginTest, PublishWithMalformedJsonSendsNothing) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  std::vector<std::string> events = SteakCheck("7101");
  events[1] = R"({"eventId":"x","itemAdded":{"lineId":1,"nope":true}})";
  mg_publish_summary summary{};
  EXPECT_EQ(Publish(events, &summary), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("event 1 is not an OrderEvent"));
  EXPECT_EQ(summary.accepted, 0);
  EXPECT_EQ(CountRows("order_events"), 0);
}

TEST_F(PluginTest, PublishNamesTheEventTheServerRejects) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  std::vector<std::string> events = SteakCheck("7102");
  events[2] = R"({"eventId":"no-check","source":"plugin-test",)"
              R"("locationId":"downtown-01","itemFired":{"lineId":"1"}})";
  mg_publish_summary summary{};
  EXPECT_EQ(Publish(events, &summary), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("event 2 (no-check) rejected: "));
  EXPECT_EQ(summary.accepted, 2);
  EXPECT_EQ(summary.rejected, 1);
  EXPECT_EQ(CountRows("order_events"), 2);
}

TEST_F(PluginTest, FlagNamesAnUnknownCheckAndChangesNothing) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  mg_flag_request flag{};
  flag.staff_token = kServerToken;
  flag.request_id = "press-1";
  flag.check_id = "no-such-check";
  flag.category_id = "cold_food";
  flag.severity = MG_SEVERITY_MINOR;
  mg_case* flagged = nullptr;
  EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_NOT_FOUND);
  EXPECT_EQ(flagged, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("no-such-check"));
  flag.line_count = 1;  // ...but no array.
  EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "line_ids is NULL");
  const char* lines[] = {nullptr};
  flag.line_ids = lines;
  EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "line_ids[0] is NULL");
  flag.request_id = nullptr;
  EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "request_id is required");
  EXPECT_EQ(CountRows("cases"), 0);
}

// C lets a caller put any int in an enum; the plugin checks the integer
// before it becomes a C++ or proto enum (reading it as one would be
// undefined behaviour) and sends nothing.
TEST_F(PluginTest, ASeverityTheHeaderDoesNotNameIsRefusedByName) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7106")), MG_OK) << mg_last_error();
  const char* lines[] = {"1"};
  mg_flag_request flag{};
  flag.staff_token = kServerToken;
  flag.request_id = "press-7106";
  flag.check_id = "7106";
  flag.line_ids = lines;
  flag.line_count = 1;
  flag.category_id = "cold_food";
  for (const int severity : {7, 0, -1, 4}) {
    // As a C caller stores it: the int itself.
    std::memcpy(&flag.severity, &severity, sizeof severity);
    mg_case* flagged = nullptr;
    EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_INVALID_ARGUMENT)
        << severity;
    EXPECT_EQ(flagged, nullptr);
    EXPECT_EQ(mg_last_error(),
              absl::StrCat("severity is ", severity,
                           ": it must be MG_SEVERITY_MINOR (1), "
                           "MG_SEVERITY_MAJOR (2) or MG_SEVERITY_SEVERE (3)"));
  }
  EXPECT_EQ(CountRows("cases"), 0);
}

TEST_F(PluginTest, AnAckResultTheHeaderDoesNotNameIsRefusedByName) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  // 0 and 3 are values mg_ack_result can hold, yet name no result.
  for (const mg_ack_result result :
       {static_cast<mg_ack_result>(0), static_cast<mg_ack_result>(3)}) {
    EXPECT_EQ(mg_ack_command(client_, "CMD-1", result, nullptr, nullptr),
              MG_INVALID_ARGUMENT);
    EXPECT_EQ(mg_last_error(),
              absl::StrCat("result is ", static_cast<int>(result),
                           ": it must be MG_ACK_APPLIED (1) or "
                           "MG_ACK_REJECTED (2)"));
  }
  EXPECT_STREQ(mg_status_name(static_cast<mg_status>(17)), "UNKNOWN_STATUS");
  EXPECT_STREQ(mg_status_name(static_cast<mg_status>(31)), "UNKNOWN_STATUS");
}

// gRPC aborts the whole process (the POS) on metadata it cannot carry: a
// token with a space, a control character or a byte above 0x7E is refused
// before any call, and never repeated in the message.
TEST_F(PluginTest, ATokenThatCannotTravelInAHeaderIsRefusedByName) {
  const std::string not_a_token =
      "options.token is not a token: a token is printable ASCII without "
      "spaces (bytes 0x21 to 0x7E)";
  for (const char* token : {"demo-adapter-pos\n", "demo adapter",
                            "demo-adapter-pos\x01", "demo-\xc3\xa9"}) {
    EXPECT_EQ(Connect(token), MG_INVALID_ARGUMENT) << token;
    EXPECT_EQ(client_, nullptr);
    EXPECT_EQ(mg_last_error(), not_a_token);
  }

  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7107")), MG_OK) << mg_last_error();
  const char* lines[] = {"1"};
  mg_flag_request flag{};
  flag.request_id = "press-7107";
  flag.check_id = "7107";
  flag.line_ids = lines;
  flag.line_count = 1;
  flag.category_id = "cold_food";
  flag.severity = MG_SEVERITY_MAJOR;
  mg_case* flagged = nullptr;
  for (const char* token : {"demo-server-dana ", "demo-server\r\ndana"}) {
    flag.staff_token = token;
    EXPECT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_INVALID_ARGUMENT)
        << token;
    EXPECT_EQ(flagged, nullptr);
    EXPECT_EQ(mg_last_error(),
              std::string("staff_token is not a token: a token is printable "
                          "ASCII without spaces (bytes 0x21 to 0x7E)"));
  }
  mg_apply_request apply{};
  apply.staff_token = "demo-server-dana\t";
  apply.request_id = "apply-7107";
  apply.case_id = "RC-1";
  apply.option_id = "o1";
  mg_case* applied = nullptr;
  EXPECT_EQ(mg_apply_remedy(client_, &apply, &applied), MG_INVALID_ARGUMENT);
  EXPECT_EQ(applied, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("staff_token is not a token"));
  EXPECT_EQ(CountRows("cases"), 0);

  // The staff member's own, well-formed token still goes.
  flag.staff_token = kServerToken;
  ASSERT_EQ(mg_flag_problem(client_, &flag, &flagged), MG_OK)
      << mg_last_error();
  mg_case_free(flagged);
  EXPECT_EQ(CountRows("cases"), 1);
}

TEST_F(PluginTest, ADoublePressOpensOneCase) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7103")), MG_OK) << mg_last_error();
  mg_case* first = FlagSteak("7103", "press-7103");
  mg_case* again = FlagSteak("7103", "press-7103");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(again, nullptr);
  EXPECT_STREQ(mg_case_id(first), mg_case_id(again));
  EXPECT_STREQ(mg_case_status(first), "OPEN");
  EXPECT_THAT(mg_case_json(first), HasSubstr(mg_case_id(first)));
  EXPECT_EQ(CountRows("cases"), 1);
  mg_case_free(first);
  mg_case_free(again);
}

TEST_F(PluginTest, UnackedCommandsComeAgainAndASecondAckChangesNothing) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7104")), MG_OK);
  mg_case* flagged = FlagSteak("7104", "press-7104");
  ASSERT_NE(flagged, nullptr);

  Inbox first;
  ASSERT_EQ(mg_receive_commands(client_, "till-1", &Inbox::Receive, &first),
            MG_OK);
  EXPECT_EQ(mg_receive_commands(client_, "till-1", &Inbox::Receive, &first),
            MG_FAILED_PRECONDITION);
  mg_case* applied = ApplyFirstOption(flagged, "apply-7104");
  ASSERT_NE(applied, nullptr);
  ASSERT_TRUE(first.AwaitCount(1));
  mg_stop_commands(client_);  // Gone before acknowledging.

  Inbox second;
  ASSERT_EQ(mg_receive_commands(client_, "till-1", &Inbox::Receive, &second),
            MG_OK);
  ASSERT_TRUE(second.AwaitCount(1));
  std::string command_id;
  {
    absl::MutexLock a(&first.mu), b(&second.mu);
    command_id = first.command_ids[0];
    EXPECT_EQ(second.command_ids[0], command_id);
    EXPECT_EQ(first.attempts[0], 1);
    EXPECT_EQ(second.attempts[0], 2);
  }
  EXPECT_EQ(mg_ack_command(client_, command_id.c_str(), MG_ACK_APPLIED,
                           "ticket-9", nullptr),
            MG_OK)
      << mg_last_error();
  EXPECT_EQ(mg_ack_command(client_, command_id.c_str(), MG_ACK_APPLIED,
                           "ticket-9", nullptr),
            MG_OK);
  EXPECT_EQ(
      QueryText(db_path_,
                "SELECT pos_reference FROM commands WHERE command_id = '" +
                    command_id + "'"),
      "ticket-9");
  EXPECT_EQ(
      mg_ack_command(client_, "no-such-command", MG_ACK_APPLIED, "", nullptr),
      MG_NOT_FOUND);
  EXPECT_EQ(mg_ack_command(client_, command_id.c_str(),
                           static_cast<mg_ack_result>(7), "", nullptr),
            MG_INVALID_ARGUMENT);
  mg_case_free(applied);
  mg_case_free(flagged);
}

// The plugin against a makegoodd that requires mutual TLS
// (server.tls.client_ca_file), with certificates made for the test by the
// openssl program: the CA, makegoodd's certificate for 127.0.0.1, and a
// client certificate the CA signed.
class PluginTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = testing::MakeTestCertificates(dir_.path());
    ASSERT_TRUE(made.ok()) << made.status();
    certificates_ = *std::move(made);
    const std::string config = dir_.File("tls.yaml");
    ASSERT_TRUE(testing::WriteConfigWithServerSettings(
                    MAKEGOOD_SAMPLE_CONFIG,
                    testing::TlsServerSettings(certificates_, true), config)
                    .ok());
    auto daemon = testing::DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0",
         "--db", db_path_},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    address_ = daemon_->address();
    {
      std::ofstream out(token_file_);
      out << kAdapterToken << "\n";
    }
    chmod(token_file_.c_str(), 0600);
  }

  void TearDown() override { mg_disconnect(client_); }

  // Options trusting the test CA, with a deadline short enough for the
  // refused handshakes.
  mg_connect_options TlsOptions() {
    mg_connect_options options{};
    options.target = address_.c_str();
    options.tls_ca_file = certificates_.ca_cert.c_str();
    options.timeout_ms = 3000;
    return options;
  }

  mg_connect_credentials ClientCredentials() {
    mg_connect_credentials credentials{};
    credentials.struct_size = sizeof credentials;
    credentials.token_file = token_file_.c_str();
    credentials.tls_cert_file = certificates_.client_cert.c_str();
    credentials.tls_key_file = certificates_.client_key.c_str();
    return credentials;
  }

  int64_t CountRows(const std::string& table) {
    return std::stoll(QueryText(db_path_, "SELECT count(*) FROM " + table));
  }

  testing::TempDir dir_;
  const std::string db_path_ = dir_.File("makegood.db");
  const std::string token_file_ = dir_.File("adapter.token");
  testing::TestCertificates certificates_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
  std::string address_;
  mg_client* client_ = nullptr;
};

TEST_F(PluginTlsTest, ConnectsWithAClientCertificateAndATokenFile) {
  const mg_connect_options options = TlsOptions();
  const mg_connect_credentials credentials = ClientCredentials();
  ASSERT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_OK)
      << mg_last_error();
  std::vector<std::string> events = SteakCheck("7200");
  std::vector<const char*> pointers;
  for (const std::string& event : events) pointers.push_back(event.c_str());
  mg_publish_summary summary{};
  ASSERT_EQ(
      mg_publish_events(client_, pointers.data(), pointers.size(), &summary),
      MG_OK)
      << mg_last_error();
  EXPECT_EQ(summary.accepted, 3);
  EXPECT_EQ(CountRows("order_events"), 3);
}

TEST_F(PluginTlsTest, TheCExampleRunsOverMutualTlsWithATokenFile) {
  testing::CommandResult run = testing::RunCommand(
      {MAKEGOOD_PLUGIN_EXAMPLE, address_, "@" + token_file_, kServerToken,
       "7201", certificates_.ca_cert, certificates_.client_cert,
       certificates_.client_key});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("acknowledged: applied"));
  EXPECT_EQ(QueryText(db_path_,
                      "SELECT c.pos_reference FROM commands c JOIN cases k "
                      "USING (case_id) WHERE k.check_id = '7201' AND "
                      "c.acked_at_us IS NOT NULL"),
            "example-pos-ticket-1");
}

TEST_F(PluginTlsTest, WithoutAClientCertificateTheHandshakeIsRefused) {
  mg_connect_options options = TlsOptions();
  options.token = kAdapterToken;
  EXPECT_EQ(mg_connect(&options, &client_), MG_UNAVAILABLE);
  EXPECT_EQ(client_, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("connect: "));

  // Nor does a CA that did not sign makegoodd's certificate connect, with
  // the client certificate or not.
  options.tls_ca_file = certificates_.other_ca_cert.c_str();
  options.token = nullptr;  // The credentials' token file gives it.
  mg_connect_credentials credentials = ClientCredentials();
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_UNAVAILABLE)
      << mg_last_error();
  EXPECT_EQ(client_, nullptr);
  EXPECT_EQ(CountRows("order_events"), 0);
}

TEST_F(PluginTlsTest, CredentialsThatDoNotGoTogetherAreRefusedByName) {
  mg_connect_options options = TlsOptions();
  mg_connect_credentials credentials = ClientCredentials();

  credentials.struct_size = 0;
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("credentials.struct_size is 0"));
  credentials.struct_size = sizeof credentials + 8;
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  credentials.struct_size = sizeof credentials;

  options.token = kAdapterToken;
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("give one, not both"));
  options.token = nullptr;

  credentials.tls_key_file = nullptr;
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("credentials.tls_cert_file: needs "
                                         "credentials.tls_key_file"));
  credentials.tls_key_file = certificates_.client_key.c_str();

  // The key where the certificate belongs.
  credentials.tls_cert_file = certificates_.client_key.c_str();
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("credentials.tls_cert_file: "));
  EXPECT_THAT(mg_last_error(), HasSubstr("holds no PEM certificate"));
  credentials.tls_cert_file = certificates_.client_cert.c_str();

  options.tls_ca_file = nullptr;
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("needs options.tls_ca_file"));
  options.tls_ca_file = certificates_.ca_cert.c_str();

  const std::string empty = dir_.File("empty.token");
  { std::ofstream out(empty); }
  credentials.token_file = empty.c_str();
  EXPECT_EQ(mg_connect_with_credentials(&options, &credentials, &client_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("credentials.token_file: "));
  EXPECT_THAT(mg_last_error(), HasSubstr("is empty"));
  EXPECT_EQ(client_, nullptr);
}

}  // namespace
}  // namespace makegood
