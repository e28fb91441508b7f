// What makegoodd writes to its log (standard error) through a flow that
// handles every kind of secret: the sample's bearer tokens, a token nobody
// has, tablet sign-ins with PINs (over gRPC and over the Connect protocol),
// wrong PINs and a lockout, session tokens, and a guest's name, e-mail and
// phone on a flag, read back by a manager and carried by a follow-up
// command. With --log-level debug (so every RPC has its line) in each
// format, the whole log must:
//  - be structured, every line of it: a JSON object, or logfmt pairs,
//    starting with time, level and event;
//  - hold none of those secrets, anywhere;
//  - have the events an operator needs: start, auth_failed by credential
//    id (or "unknown"), pin_wrong, pin_locked, signed_in, the rpc lines
//    with method, principal and code, adapter_connected and
//    adapter_disconnected, command_applied, command_rejected, signal, stop.
// The real makegoodd on loopback with a temporary database; real gRPC and
// HTTP clients.

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/sha256.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/session.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "telemetry/logfmt_reader.h"

namespace makegood {
namespace {

using makegood::testing::ParseLogfmtLine;
using makegood::testing::ReadFileOrEmpty;
using ::testing::Not;
using v1::AckCommandRequest;
using v1::RecoveryCase;

// Every token of packaging/config/sample.yaml.
const std::vector<std::string>& SampleTokens() {
  static const auto* const tokens = new std::vector<std::string>{
      "demo-server-dana", "demo-server-marco",    "demo-manager-lee",
      "demo-adapter-pos", "demo-reporter-office", "demo-admin-owner",
      "demo-tablet-floor"};
  return *tokens;
}
constexpr char kTabletToken[] = "demo-tablet-floor";  // tablet-1
// A token nobody has, distinctive enough that finding it means it leaked.
constexpr char kWrongToken[] = "wrong-token-5c1e9a7f3b2d";
// The sample's PINs: Dana (s-17), Marco (s-22), Lee (m-2), Sam (o-1).
constexpr char kDanaPin[] = "2468";
constexpr char kMarcoPin[] = "1357";
constexpr char kLeePin[] = "8642";
constexpr char kSamPin[] = "9753";
// PINs nobody has.
constexpr const char* kWrongPins[] = {"864213",  "703194",  "90817263",
                                      "5511739", "3141592", "4718205"};
// A guest's contact details, on a flag with consent.
constexpr char kGuestName[] = "Ximena Quarterfield";
constexpr char kGuestEmail[] = "ximena.quarterfield@guest.example";
constexpr char kGuestPhone[] = "+1 555 014 2867";
constexpr char kGuestPhoneDigits[] = "5550142867";

// One line of the log, its fields in order, every value as text.
struct LogLine {
  std::string text;
  std::vector<std::pair<std::string, std::string>> fields;

  std::optional<std::string> Get(absl::string_view key) const {
    for (const auto& [k, v] : fields) {
      if (k == key) return v;
    }
    return std::nullopt;
  }
};

// `line` as a JSON object of scalars.
absl::StatusOr<LogLine> ParseJsonLine(const std::string& line) {
  nlohmann::ordered_json json;
  try {
    json = nlohmann::ordered_json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", e.what()));
  }
  if (!json.is_object()) return absl::InvalidArgumentError("not an object");
  LogLine parsed{line, {}};
  for (const auto& [key, value] : json.items()) {
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_boolean()) {
      text = value.get<bool>() ? "true" : "false";
    } else if (value.is_number()) {
      text = value.dump();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("the value of ", key, " is no string, number or bool"));
    }
    parsed.fields.emplace_back(key, std::move(text));
  }
  return parsed;
}

absl::StatusOr<LogLine> ParseLine(const std::string& line,
                                  absl::string_view format) {
  absl::StatusOr<LogLine> parsed;
  if (format == "json") {
    parsed = ParseJsonLine(line);
  } else {
    auto pairs = ParseLogfmtLine(line);
    if (!pairs.has_value()) return absl::InvalidArgumentError("not logfmt");
    parsed = LogLine{line, *std::move(pairs)};
  }
  if (!parsed.ok()) return parsed;
  // Every line starts with time, level and event.
  const auto& fields = parsed->fields;
  if (fields.size() < 3 || fields[0].first != "time" ||
      fields[1].first != "level" || fields[2].first != "event") {
    return absl::InvalidArgumentError("does not start with time, level, event");
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, fields[0].second, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("time: ", error));
  }
  const std::string& level = fields[1].second;
  if (level != "debug" && level != "info" && level != "warning" &&
      level != "error") {
    return absl::InvalidArgumentError(absl::StrCat("level '", level, "'"));
  }
  if (fields[2].second.empty()) {
    return absl::InvalidArgumentError("an empty event");
  }
  return parsed;
}

// Whether `text` holds `digits` on their own: not inside a longer run of
// letters or digits (an id, a hash).
bool HasStandalone(absl::string_view text, absl::string_view digits) {
  for (size_t at = text.find(digits); at != absl::string_view::npos;
       at = text.find(digits, at + 1)) {
    const size_t end = at + digits.size();
    const bool joined_before = at > 0 && absl::ascii_isalnum(text[at - 1]);
    const bool joined_after =
        end < text.size() && absl::ascii_isalnum(text[end]);
    if (!joined_before && !joined_after) return true;
  }
  return false;
}

// Fields that hold numbers of the machine's own (times, durations,
// addresses and ports, gRPC's source lines), where a PIN's digits may turn
// up by chance.
bool IsMachineNumber(absl::string_view key) {
  return key == "time" || key == "latency_ms" || key == "connected_s" ||
         key == "peer" || key == "listen" || key == "http" ||
         key == "address" || key == "line";
}

class LogSecretsTest : public RecoveryCallsTest,
                       public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start(
        MAKEGOODD_BIN,
        {"--config", config_path_, "--listen", "127.0.0.1:0", "--http",
         "127.0.0.1:0", "--db", db_path(), "--log-level", "debug",
         "--log-format", GetParam()},
        dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<v1::SessionService::Stub> Sessions() {
    return v1::SessionService::NewStub(channel_);
  }

  grpc::Status SignIn(const std::string& staff_id, const std::string& pin,
                      v1::SignInResponse* out) {
    v1::SignInRequest request;
    request.set_staff_id(staff_id);
    request.set_pin(pin);
    return Sessions()->SignIn(Context(kTabletToken).get(), request, out);
  }

  grpc::Status ListChecks(const std::string& token) {
    v1::ListChecksResponse response;
    return v1::CheckService::NewStub(channel_)->ListChecks(
        Context(token).get(), v1::ListChecksRequest(), &response);
  }

  // A Connect call on the HTTP listener: the JSON answer, or nullopt with
  // a failure.
  std::optional<nlohmann::json> ConnectCall(const std::string& method,
                                            const std::string& token,
                                            const nlohmann::json& body) {
    httplib::Client http("127.0.0.1", daemon_->http_port());
    http.set_read_timeout(30, 0);
    const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    auto response = http.Post(("/" + method).c_str(), headers, body.dump(),
                              "application/json");
    if (!response) {
      ADD_FAILURE() << method << ": no answer ("
                    << httplib::to_string(response.error()) << ")";
      return std::nullopt;
    }
    if (response->status != 200) {
      ADD_FAILURE() << method << ": HTTP " << response->status << ": "
                    << response->body;
      return std::nullopt;
    }
    return nlohmann::json::parse(response->body);
  }

  // Stops makegoodd with SIGTERM (it must exit 0) and returns its log.
  std::string StopAndReadLog() {
    daemon_->Signal(SIGTERM);
    auto exited = std::async(std::launch::async, [daemon = daemon_.get()] {
      return daemon->Wait();
    });
    if (exited.wait_for(std::chrono::seconds(60)) !=
        std::future_status::ready) {
      ADD_FAILURE() << "makegoodd did not stop within 60 s of SIGTERM";
      daemon_->Signal(SIGKILL);
    }
    EXPECT_EQ(exited.get(), 0);
    daemon_.reset();
    return ReadFileOrEmpty(dir_.File("makegoodd.log"));
  }
};

// Whether some line has every one of `want`'s key=value.
bool HasEvent(const std::vector<LogLine>& lines,
              const std::map<std::string, std::string>& want) {
  for (const LogLine& line : lines) {
    bool all = true;
    for (const auto& [key, value] : want) {
      if (line.Get(key) != value) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::string Describe(const std::map<std::string, std::string>& want) {
  std::vector<std::string> pairs;
  for (const auto& [key, value] : want) pairs.push_back(key + "=" + value);
  return absl::StrJoin(pairs, " ");
}

TEST_P(LogSecretsTest, EveryLineIsAStructuredEventAndNoSecretIsInAny) {
  const std::string address = daemon_->address();
  std::vector<std::string> session_tokens;

  // Credentials of the configuration, a token nobody has, none, and a
  // token of the wrong role.
  SeedCheck("c-secret", {2000});
  EXPECT_EQ(ListChecks(kServerToken).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(ListChecks(kReporterToken).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(ListChecks(kWrongToken).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListChecks("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  {
    v1::PublishBatchRequest batch;
    PublishSummary summary;
    EXPECT_EQ(v1::OrderEventService::NewStub(channel_)
                  ->PublishBatch(Context(kServerToken).get(), batch, &summary)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // Tablet sign-ins over gRPC: a wrong PIN, then the right ones; a session
  // token's calls; Sam locked out by five wrong PINs, then refused his
  // right one.
  v1::SignInResponse wrong;
  EXPECT_EQ(SignIn("m-2", kWrongPins[0], &wrong).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  for (const auto& [staff, pin] :
       std::vector<std::pair<std::string, std::string>>{
           {"s-17", kDanaPin}, {"m-2", kLeePin}, {"o-1", kSamPin}}) {
    v1::SignInResponse signed_in;
    const grpc::Status status = SignIn(staff, pin, &signed_in);
    ASSERT_TRUE(status.ok()) << staff << ": " << status.error_message();
    session_tokens.push_back(signed_in.session_token());
  }
  const std::string& dana_session = session_tokens[0];
  EXPECT_EQ(ListChecks(dana_session).error_code(), grpc::StatusCode::OK);
  for (int i = 1; i <= 5; ++i) {
    v1::SignInResponse refused;
    EXPECT_NE(SignIn("o-1", kWrongPins[i], &refused).error_code(),
              grpc::StatusCode::OK);
  }
  {
    v1::SignInResponse refused;
    EXPECT_EQ(SignIn("o-1", kSamPin, &refused).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  // A sign-in over the Connect protocol, and its session's call.
  std::optional<nlohmann::json> marco =
      ConnectCall("makegood.v1.SessionService/SignIn", kTabletToken,
                  {{"staffId", "s-22"}, {"pin", kMarcoPin}});
  ASSERT_TRUE(marco.has_value());
  const std::string marco_session = marco->value("sessionToken", "");
  ASSERT_FALSE(marco_session.empty()) << marco->dump();
  session_tokens.push_back(marco_session);
  ASSERT_TRUE(ConnectCall("makegood.v1.SessionService/GetSession",
                          marco_session, nlohmann::json::object())
                  .has_value());

  // A guest's contact details on a flag (with consent: a follow-up
  // command carries them), read back by a manager.
  SeedCheck("c-guest", {1500});
  v1::FlagProblemRequest flag;
  flag.set_request_id("flag-guest");
  flag.set_check_id("c-guest");
  flag.set_category_id("long_wait");
  flag.set_severity(v1::MINOR);
  flag.set_guest_words("We waited an hour");
  flag.mutable_guest_contact()->set_name(kGuestName);
  flag.mutable_guest_contact()->set_email(kGuestEmail);
  flag.mutable_guest_contact()->set_phone(kGuestPhone);
  flag.mutable_guest_contact()->set_follow_up_consent(true);
  RecoveryCase flagged;
  ASSERT_TRUE(Recovery()
                  ->FlagProblem(Context(dana_session).get(), flag, &flagged)
                  .ok());
  ASSERT_TRUE(flagged.contact_on_file());
  v1::GetRecoveryRequest get;
  get.set_case_id(flagged.case_id());
  RecoveryCase as_manager;
  ASSERT_TRUE(Recovery()
                  ->GetRecovery(Context(kManagerToken).get(), get, &as_manager)
                  .ok());
  EXPECT_EQ(as_manager.guest_contact().email(), kGuestEmail);

  // A comp, then an adapter's stream: the comp's command rejected, the
  // follow-up's (with the contact) applied.
  const RecoveryCase comped = CompOneLine("c-comp");
  ASSERT_EQ(comped.remedies_size(), 1);
  const std::vector<v1::RemedyCommand> commands = ReadCommands(2);
  ASSERT_EQ(commands.size(), 2u);
  std::string comp_command, follow_up_command;
  for (const v1::RemedyCommand& command : commands) {
    if (command.has_guest_follow_up()) {
      EXPECT_EQ(command.guest_follow_up().contact().phone(), kGuestPhone);
      follow_up_command = command.command_id();
    } else {
      comp_command = command.command_id();
    }
  }
  ASSERT_FALSE(comp_command.empty());
  ASSERT_FALSE(follow_up_command.empty());
  v1::AckCommandResponse ack;
  ASSERT_TRUE(Ack("ack-comp", comp_command, AckCommandRequest::REJECTED,
                  "the check is closed at the POS", &ack)
                  .ok());
  ASSERT_TRUE(Ack("ack-follow-up", follow_up_command,
                  AckCommandRequest::APPLIED, "crm-4711", &ack)
                  .ok());

  const std::string log = StopAndReadLog();
  const std::string format = GetParam();

  // Every line is a structured event.
  std::vector<LogLine> lines;
  for (absl::string_view text : absl::StrSplit(log, '\n')) {
    if (text.empty()) continue;
    absl::StatusOr<LogLine> line = ParseLine(std::string(text), format);
    ASSERT_TRUE(line.ok()) << line.status().message() << ":\n" << text;
    lines.push_back(*std::move(line));
  }
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(absl::EndsWith(log, "\n"));

  // No secret, in the text as written or in any value as read.
  std::vector<std::string> secrets = SampleTokens();
  secrets.push_back(kWrongToken);
  for (const std::string& token : session_tokens) {
    ASSERT_FALSE(token.empty());
    secrets.push_back(token);
  }
  for (const char* guest :
       {kGuestName, kGuestEmail, kGuestPhone, kGuestPhoneDigits}) {
    secrets.push_back(guest);
  }
  secrets.push_back("Quarterfield");
  for (const std::string& secret : secrets) {
    EXPECT_THAT(log, Not(HasSubstr(secret))) << "in the log:\n" << log;
    for (const LogLine& line : lines) {
      for (const auto& [key, value] : line.fields) {
        EXPECT_THAT(value, Not(HasSubstr(secret))) << key << " of:\n"
                                                   << line.text;
      }
    }
  }
  std::vector<std::string> pins = {kDanaPin, kMarcoPin, kLeePin, kSamPin};
  for (const char* pin : kWrongPins) pins.push_back(pin);
  for (const LogLine& line : lines) {
    for (const auto& [key, value] : line.fields) {
      if (IsMachineNumber(key)) continue;
      for (const std::string& pin : pins) {
        EXPECT_FALSE(HasStandalone(value, pin))
            << "PIN " << pin << " in " << key << " of:\n"
            << line.text;
      }
    }
  }

  // The events an operator needs.
  const std::string unknown_prefix = core::Sha256Hex(kWrongToken).substr(0, 8);
  const std::vector<std::map<std::string, std::string>> expected = {
      {{"event", "start"},
       {"level", "info"},
       {"location", "downtown-01"},
       {"listen", address},
       {"tls", "off"}},
      {{"event", "auth_failed"},
       {"level", "warning"},
       {"credential", "unknown"},
       {"token_sha256_prefix", unknown_prefix},
       {"failure", "unknown_token"},
       {"code", "UNAUTHENTICATED"},
       {"method", "/makegood.v1.CheckService/ListChecks"}},
      {{"event", "auth_failed"},
       {"credential", "none"},
       {"failure", "no_token"}},
      {{"event", "auth_failed"},
       {"credential", "s-17"},
       {"failure", "wrong_role"},
       {"code", "PERMISSION_DENIED"},
       {"method", "/makegood.v1.OrderEventService/PublishBatch"}},
      {{"event", "pin_wrong"},
       {"level", "warning"},
       {"staff", "m-2"},
       {"device", "tablet-1"},
       {"tries_left", "4"}},
      {{"event", "pin_locked"}, {"staff", "o-1"}, {"device", "tablet-1"}},
      {{"event", "sign_in_locked_out"},
       {"staff", "o-1"},
       {"device", "tablet-1"}},
      {{"event", "signed_in"}, {"staff", "s-17"}, {"device", "tablet-1"}},
      {{"event", "signed_in"}, {"staff", "s-22"}, {"device", "tablet-1"}},
      {{"event", "rpc"},
       {"level", "debug"},
       {"method", "/makegood.v1.CheckService/ListChecks"},
       {"principal", "s-17"},
       {"code", "OK"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.CheckService/ListChecks"},
       {"principal", "s-17"},
       {"device", "tablet-1"},
       {"code", "OK"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.CheckService/ListChecks"},
       {"principal", "unknown"},
       {"code", "UNAUTHENTICATED"},
       {"reason", "UNAUTHENTICATED"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.SessionService/SignIn"},
       {"principal", "tablet-1"},
       {"code", "UNAUTHENTICATED"},
       {"reason", "WRONG_PIN"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.SessionService/GetSession"},
       {"principal", "s-22"},
       {"device", "tablet-1"},
       {"code", "OK"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.RecoveryService/FlagProblem"},
       {"principal", "s-17"},
       {"code", "OK"}},
      {{"event", "rpc"},
       {"method", "/makegood.v1.RemedyCommandService/StreamCommands"},
       {"principal", "pos-adapter-1"}},
      {{"event", "adapter_connected"},
       {"credential", "pos-adapter-1"},
       {"adapter", "test"},
       {"location", "downtown-01"}},
      {{"event", "adapter_disconnected"},
       {"credential", "pos-adapter-1"},
       {"location", "downtown-01"}},
      {{"event", "command_rejected"},
       {"level", "warning"},
       {"command", comp_command},
       {"credential", "pos-adapter-1"},
       {"vendor_reason", "the check is closed at the POS"}},
      {{"event", "command_applied"},
       {"command", follow_up_command},
       {"credential", "pos-adapter-1"},
       {"pos_reference", "crm-4711"}},
      {{"event", "signal"}, {"signal", "SIGTERM"}},
      {{"event", "stop"}},
  };
  for (const auto& want : expected) {
    EXPECT_TRUE(HasEvent(lines, want))
        << "no line has " << Describe(want) << "; the log:\n"
        << log;
  }
  // Every rpc line has its latency, a number.
  for (const LogLine& line : lines) {
    if (line.Get("event") != "rpc") continue;
    double latency_ms = -1;
    EXPECT_TRUE(
        absl::SimpleAtod(line.Get("latency_ms").value_or(""), &latency_ms) &&
        latency_ms >= 0)
        << line.text;
  }
  // One start, logged before the first call's line; stop last.
  size_t starts = 0, first_rpc = lines.size(), start_at = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].Get("event") == "start") {
      ++starts;
      start_at = i;
    }
    if (lines[i].Get("event") == "rpc" && first_rpc == lines.size()) {
      first_rpc = i;
    }
  }
  EXPECT_EQ(starts, 1u) << log;
  EXPECT_LT(start_at, first_rpc) << log;
  EXPECT_EQ(lines.back().Get("event"), "stop") << log;
}

INSTANTIATE_TEST_SUITE_P(Formats, LogSecretsTest,
                         ::testing::Values("json", "logfmt"));

}  // namespace
}  // namespace makegood
