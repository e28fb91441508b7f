// libmakegood_plugin through its C interface only, against the real
// makegoodd on a loopback port with a temporary SQLite file, in plaintext
// and with mutual TLS: the POS's calls, and the manager's screen hosted on
// the POS (watch, approve, outcome), through a restart of makegoodd too.
// This binary does not link the contract's C++ code: the plugin carries
// its own.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
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
constexpr char kManagerToken[] = "demo-manager-lee";

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

// A watch update as the callback saw it, copied: its pointers live
// during the call only.
struct SeenUpdate {
  mg_watch_change change = MG_WATCH_OTHER;
  int64_t sequence = 0;
  std::string stream_epoch;
  bool snapshot = false;
  std::string case_id;         // The changed case's, or the alert's.
  std::string case_status;     // MG_WATCH_CASE_CHANGED.
  std::string update_case_id;  // mg_watch_update.case_id itself.
  mg_alert_kind alert_kind = MG_ALERT_UNSPECIFIED;
  std::string remedy_application_id;
  mg_watch_start start = MG_WATCH_START_UNSPECIFIED;
  int catch_up_updates = 0;
  mg_status status = MG_OK;
  std::string error;
  std::string json;
};

// A manager's screen: what a watch delivered, for the test thread to wait
// on.
struct Screen {
  absl::Mutex mu;
  std::vector<SeenUpdate> seen ABSL_GUARDED_BY(mu);

  static void Receive(const mg_watch_update* update, void* self) {
    SeenUpdate s;
    s.change = update->change;
    s.sequence = update->sequence;
    s.stream_epoch = update->stream_epoch;
    s.snapshot = update->snapshot != 0;
    if (update->recovery_case != nullptr) {
      s.case_id = mg_case_id(update->recovery_case);
      s.case_status = mg_case_status(update->recovery_case);
    } else {
      s.case_id = update->case_id;
    }
    s.update_case_id = update->case_id;
    s.alert_kind = update->alert_kind;
    s.remedy_application_id = update->remedy_application_id;
    s.start = update->start;
    s.catch_up_updates = update->catch_up_updates;
    s.status = update->status;
    s.error = update->error;
    s.json = update->json;
    auto* screen = static_cast<Screen*>(self);
    absl::MutexLock lock(&screen->mu);
    screen->seen.push_back(std::move(s));
  }

  // Waits (at most 30 s) for an update at index `from` or later that
  // `matches`; its index, or -1.
  template <typename Matches>
  int Await(Matches matches, int from = 0) {
    absl::MutexLock lock(&mu);
    int found = -1;
    auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      for (size_t i = static_cast<size_t>(std::max(from, 0)); i < seen.size();
           ++i) {
        if (matches(seen[i])) {
          found = static_cast<int>(i);
          return true;
        }
      }
      return false;
    };
    mu.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(30));
    return found;
  }

  SeenUpdate At(int index) {
    absl::MutexLock lock(&mu);
    return seen.at(static_cast<size_t>(index));
  }

  std::vector<SeenUpdate> All() {
    absl::MutexLock lock(&mu);
    return seen;
  }

  void Clear() {
    absl::MutexLock lock(&mu);
    seen.clear();
  }
};

bool IsCaughtUp(const SeenUpdate& u) { return u.change == MG_WATCH_CAUGHT_UP; }

// Matches the live change of case `case_id` to `status`.
auto CaseChangedTo(const std::string& case_id, const std::string& status) {
  return [case_id, status](const SeenUpdate& u) {
    return u.change == MG_WATCH_CASE_CHANGED && !u.snapshot &&
           u.case_id == case_id && u.case_status == status;
  };
}

auto ApprovalAskedFor(const std::string& case_id) {
  return [case_id](const SeenUpdate& u) {
    return u.change == MG_WATCH_ALERT &&
           u.alert_kind == MG_ALERT_PENDING_APPROVAL && u.case_id == case_id;
  };
}

// Whether makegoodd failed to start because its gRPC port was taken.
bool ThePortWasTaken(const absl::Status& start) {
  return absl::StrContains(start.message(), "listen_failed") &&
         absl::StrContains(start.message(), "the address is in use");
}

// Keeps a loopback port bound, not listening, while makegoodd restarts on
// it, so that no other process (ctest runs several at once) takes it in
// between. makegoodd's gRPC listener sets SO_REUSEADDR and SO_REUSEPORT
// (gRPC's default on Linux), as this does, which lets the two share it;
// the kernel gives a bound port to no socket asking for any free one, and
// only a listening socket takes connections.
class PortReservation {
 public:
  // Made while makegoodd still listens on `port`; held() is false when the
  // kernel refused to share it.
  explicit PortReservation(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    const int on = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
        bind(fd_, reinterpret_cast<const sockaddr*>(&address),
             sizeof address) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;
  ~PortReservation() {
    if (fd_ >= 0) close(fd_);
  }

  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
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

  // The watch first: its callback writes to screen_.
  void TearDown() override {
    mg_watch_stop(watch_);
    mg_disconnect(other_);
    mg_disconnect(client_);
  }

  mg_status Connect(const char* token) { return ConnectAs(token, &client_); }

  mg_status ConnectAs(const char* token, mg_client** client) {
    mg_connect_options options{};
    options.target = address_.c_str();
    options.token = token;
    return mg_connect(&options, client);
  }

  mg_status Publish(const std::vector<std::string>& events,
                    mg_publish_summary* summary = nullptr) {
    std::vector<const char*> pointers;
    for (const std::string& event : events) pointers.push_back(event.c_str());
    return mg_publish_events(client_, pointers.data(), pointers.size(),
                             summary);
  }

  // makegoodd again on `port` and the same database, `reservation` (may
  // be null) keeping others off the port until it listens. A start that
  // finds the port taken is retried a few times, without the reservation,
  // which is what is in the way if the kernel did not let makegoodd share
  // it; any other failure is not.
  absl::Status RestartDaemonOn(int port,
                               std::unique_ptr<PortReservation> reservation) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      auto daemon = testing::DaemonProcess::Start(
          MAKEGOODD_BIN,
          {"--config", MAKEGOOD_SAMPLE_CONFIG, "--listen",
           absl::StrCat("127.0.0.1:", port), "--http", "127.0.0.1:0", "--db",
           db_path_},
          dir_.File(absl::StrCat("makegoodd-restart-", attempt, ".log")));
      if (daemon.ok()) {
        daemon_ = *std::move(daemon);
        return absl::OkStatus();
      }
      if (attempt == kAttempts || !ThePortWasTaken(daemon.status())) {
        return daemon.status();
      }
      reservation.reset();
    }
  }

  static mg_watch_options WatchOptions(const char* token) {
    mg_watch_options options;
    std::memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.staff_token = token;
    return options;
  }

  // Starts watch_ on `client` (client_ when NULL) into screen_.
  mg_status StartWatch(const char* token, int64_t after_sequence = 0,
                       const char* stream_epoch = nullptr,
                       mg_client* client = nullptr) {
    mg_watch_options options = WatchOptions(token);
    options.after_sequence = after_sequence;
    options.stream_epoch = stream_epoch;
    return mg_watch_recoveries(client == nullptr ? client_ : client, &options,
                               &Screen::Receive, &screen_, &watch_);
  }

  // The outcome request for `case_id`, as the server.
  static mg_outcome_request Outcome(const char* request_id, const char* case_id,
                                    mg_guest_response response) {
    mg_outcome_request outcome;
    std::memset(&outcome, 0, sizeof outcome);
    outcome.struct_size = sizeof outcome;
    outcome.staff_token = kServerToken;
    outcome.request_id = request_id;
    outcome.case_id = case_id;
    outcome.guest_response = response;
    return outcome;
  }

  static mg_approve_request Approval(const char* token, const char* request_id,
                                     const char* case_id,
                                     const char* remedy_application_id) {
    mg_approve_request approve;
    std::memset(&approve, 0, sizeof approve);
    approve.struct_size = sizeof approve;
    approve.staff_token = token;
    approve.request_id = request_id;
    approve.case_id = case_id;
    approve.remedy_application_id = remedy_application_id;
    approve.approve = 1;
    return approve;
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

  // Applies the comp of the steak, $48: over a server's $25 per case, so
  // it waits for a manager. The case, or nullptr.
  mg_case* AskForTheComp(const mg_case* flagged,
                         const std::string& request_id) {
    size_t count = 0;
    const mg_option* options = mg_case_options(flagged, &count);
    const mg_option* comp = nullptr;
    for (size_t i = 0; i < count; ++i) {
      if (options[i].kind == MG_REMEDY_COMP_ITEM) comp = &options[i];
    }
    EXPECT_NE(comp, nullptr) << mg_case_json(flagged);
    if (comp == nullptr) return nullptr;
    mg_apply_request apply{};
    apply.staff_token = kServerToken;
    apply.request_id = request_id.c_str();
    apply.case_id = mg_case_id(flagged);
    apply.option_id = comp->option_id;
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
  mg_client* other_ = nullptr;  // A second terminal.
  Screen screen_;
  mg_watch* watch_ = nullptr;
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

TEST_F(PluginTest, TheApproveExampleWatchesAndApprovesFromThePos) {
  testing::CommandResult run =
      testing::RunCommand({MAKEGOOD_PLUGIN_APPROVE_EXAMPLE, address_,
                           kAdapterToken, kServerToken, kManagerToken, "7301"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("watching: caught up"));
  EXPECT_THAT(run.out,
              HasSubstr("waiting for a manager: over the SERVER limit of"));
  EXPECT_THAT(
      run.out,
      HasSubstr("manager screen: s-17 asks approval for Comp the item"));
  EXPECT_THAT(run.out, HasSubstr("approved: case is REMEDY_APPLIED"));
  EXPECT_THAT(run.out, HasSubstr("outcome recorded: case is RESOLVED"));
  EXPECT_THAT(run.out, HasSubstr(": SENT, approved by m-2, 4800 cents"));
  // RESOLVED, and the comp went out to the POS as a command.
  EXPECT_EQ(QueryText(db_path_,
                      "SELECT status FROM cases WHERE check_id = "
                      "'7301'"),
            "4");
  EXPECT_EQ(QueryText(db_path_,
                      "SELECT count(*) FROM commands c JOIN cases k USING "
                      "(case_id) WHERE k.check_id = '7301'"),
            "1");
}

TEST_F(PluginTest, AManagerApprovesARemedyOverTheServersLimit) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7300")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7300", "press-7300");
  ASSERT_NE(flagged, nullptr);
  mg_case* applied = AskForTheComp(flagged, "apply-7300");
  ASSERT_NE(applied, nullptr);
  EXPECT_STREQ(mg_case_status(applied), "PENDING_APPROVAL");
  ASSERT_EQ(mg_case_remedy_count(applied), 1u);
  const mg_remedy* asked = mg_case_remedy(applied, 0);
  ASSERT_NE(asked, nullptr);
  EXPECT_EQ(mg_case_remedy(applied, 1), nullptr);
  EXPECT_STREQ(asked->status, "PENDING_APPROVAL");
  EXPECT_EQ(asked->kind, MG_REMEDY_COMP_ITEM);
  EXPECT_EQ(asked->cost_minor, 4800);
  EXPECT_STREQ(asked->requested_by, "s-17");
  EXPECT_STREQ(asked->approved_by, "");
  EXPECT_STREQ(asked->command_id, "");
  EXPECT_THAT(asked->approval_reason, HasSubstr("over the SERVER limit of"));
  const std::string remedy_id = asked->remedy_application_id;
  ASSERT_FALSE(remedy_id.empty());

  // A server may not approve, not even someone else's request.
  mg_approve_request approve = Approval(kServerToken, "approve-7300-s",
                                        mg_case_id(applied), remedy_id.c_str());
  mg_case* approved = nullptr;
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &approved),
            MG_PERMISSION_DENIED);
  EXPECT_EQ(approved, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("approve: "));
  // Nor may the POS's own ADAPTER token.
  approve.staff_token = nullptr;
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &approved),
            MG_PERMISSION_DENIED);
  // A remedy the case does not have.
  approve = Approval(kManagerToken, "approve-7300-x", mg_case_id(applied),
                     "no-such-remedy");
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &approved), MG_NOT_FOUND);
  EXPECT_THAT(mg_last_error(), HasSubstr("no-such-remedy"));

  approve = Approval(kManagerToken, "approve-7300", mg_case_id(applied),
                     remedy_id.c_str());
  ASSERT_EQ(mg_approve_remedy(client_, &approve, &approved), MG_OK)
      << mg_last_error();
  EXPECT_STREQ(mg_last_error(), "");
  EXPECT_STREQ(mg_case_status(approved), "REMEDY_APPLIED");
  ASSERT_EQ(mg_case_remedy_count(approved), 1u);
  const mg_remedy* sent = mg_case_remedy(approved, 0);
  EXPECT_STREQ(sent->status, "SENT");
  EXPECT_STREQ(sent->approved_by, "m-2");
  EXPECT_STRNE(sent->command_id, "");
  EXPECT_EQ(QueryText(db_path_, std::string("SELECT count(*) FROM commands "
                                            "WHERE command_id = '") +
                                    sent->command_id + "'"),
            "1");

  // The same press again is the same answer; a new one finds nothing
  // waiting.
  mg_case* again = nullptr;
  ASSERT_EQ(mg_approve_remedy(client_, &approve, &again), MG_OK);
  EXPECT_STREQ(mg_case_status(again), "REMEDY_APPLIED");
  mg_case_free(again);
  approve.request_id = "approve-7300-again";
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &again),
            MG_FAILED_PRECONDITION);
  EXPECT_EQ(again, nullptr);
  EXPECT_EQ(CountRows("commands"), 1);
  mg_case_free(approved);
  mg_case_free(applied);
  mg_case_free(flagged);
}

TEST_F(PluginTest, ADenialNeedsAReasonAndOffersTheNextOption) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7302")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7302", "press-7302");
  ASSERT_NE(flagged, nullptr);
  mg_case* applied = AskForTheComp(flagged, "apply-7302");
  ASSERT_NE(applied, nullptr);
  ASSERT_EQ(mg_case_remedy_count(applied), 1u);
  mg_approve_request deny =
      Approval(kManagerToken, "deny-7302", mg_case_id(applied),
               mg_case_remedy(applied, 0)->remedy_application_id);
  deny.approve = 0;
  mg_case* denied = nullptr;
  EXPECT_EQ(mg_approve_remedy(client_, &deny, &denied), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "reason is required when denying");
  deny.reason = "A refire is enough";
  ASSERT_EQ(mg_approve_remedy(client_, &deny, &denied), MG_OK)
      << mg_last_error();
  EXPECT_STREQ(mg_case_remedy(denied, 0)->status, "DENIED");
  EXPECT_STREQ(mg_case_status(denied), "OPEN");
  EXPECT_EQ(CountRows("commands"), 0);
  mg_case_free(denied);
  mg_case_free(applied);
  mg_case_free(flagged);
}

TEST_F(PluginTest, RecordingTheOutcomeClosesTheCase) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7303")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7303", "press-7303");
  ASSERT_NE(flagged, nullptr);
  mg_case* applied = ApplyFirstOption(flagged, "apply-7303");
  ASSERT_NE(applied, nullptr);

  mg_outcome_request outcome =
      Outcome("outcome-7303", mg_case_id(applied), MG_GUEST_ACCEPTED);
  outcome.root_cause = MG_ROOT_CAUSE_KITCHEN;
  outcome.action_taken = "Plates leave the pass within a minute";
  mg_case* resolved = nullptr;
  ASSERT_EQ(mg_record_outcome(client_, &outcome, &resolved), MG_OK)
      << mg_last_error();
  EXPECT_STREQ(mg_case_status(resolved), "RESOLVED");
  EXPECT_THAT(mg_case_json(resolved), HasSubstr(R"("rootCause":"KITCHEN")"));
  EXPECT_THAT(mg_case_json(resolved),
              HasSubstr(R"("guestResponse":"ACCEPTED")"));
  EXPECT_EQ(
      QueryText(db_path_, "SELECT status FROM cases WHERE check_id = '7303'"),
      "4");

  // A closed case takes no second answer from the guest.
  mg_case* again = nullptr;
  outcome = Outcome("outcome-7303-left", mg_case_id(applied), MG_GUEST_LEFT);
  EXPECT_EQ(mg_record_outcome(client_, &outcome, &again),
            MG_FAILED_PRECONDITION);
  EXPECT_EQ(again, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("outcome: "));
  EXPECT_EQ(
      QueryText(db_path_, "SELECT status FROM cases WHERE check_id = '7303'"),
      "4");
  mg_case_free(resolved);
  mg_case_free(applied);
  mg_case_free(flagged);
}

TEST_F(PluginTest, AnOutcomeTheHeaderDoesNotNameIsRefusedByName) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  mg_case* recorded = nullptr;
  for (const int response : {4, -1}) {
    mg_outcome_request outcome =
        Outcome("outcome-bad", "RC-1", MG_GUEST_ACCEPTED);
    std::memcpy(&outcome.guest_response, &response, sizeof response);
    EXPECT_EQ(mg_record_outcome(client_, &outcome, &recorded),
              MG_INVALID_ARGUMENT);
    EXPECT_EQ(mg_last_error(),
              absl::StrCat("guest_response is ", response,
                           ": it must be MG_GUEST_RESPONSE_UNSPECIFIED (0) to "
                           "MG_GUEST_LEFT (3)"));
  }
  for (const int cause : {7, -3}) {
    mg_outcome_request outcome =
        Outcome("outcome-bad", "RC-1", MG_GUEST_ACCEPTED);
    std::memcpy(&outcome.root_cause, &cause, sizeof cause);
    EXPECT_EQ(mg_record_outcome(client_, &outcome, &recorded),
              MG_INVALID_ARGUMENT);
    EXPECT_EQ(mg_last_error(),
              absl::StrCat("root_cause is ", cause,
                           ": it must be MG_ROOT_CAUSE_UNSPECIFIED (0) to "
                           "MG_ROOT_CAUSE_OTHER (6)"));
  }
  mg_outcome_request nothing =
      Outcome("outcome-empty", "RC-1", MG_GUEST_RESPONSE_UNSPECIFIED);
  EXPECT_EQ(mg_record_outcome(client_, &nothing, &recorded),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("give at least one"));
  EXPECT_EQ(recorded, nullptr);
}

TEST_F(PluginTest, GetCaseReadsTheCaseAsItIsNow) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7304")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7304", "press-7304");
  ASSERT_NE(flagged, nullptr);
  mg_case* applied = ApplyFirstOption(flagged, "apply-7304");
  ASSERT_NE(applied, nullptr);

  mg_case* read = nullptr;
  ASSERT_EQ(mg_get_case(client_, kServerToken, mg_case_id(flagged), &read),
            MG_OK)
      << mg_last_error();
  EXPECT_STREQ(mg_case_id(read), mg_case_id(flagged));
  EXPECT_STREQ(mg_case_status(read), "REMEDY_APPLIED");
  EXPECT_STREQ(mg_case_guidance(read), mg_case_guidance(flagged));
  ASSERT_EQ(mg_case_remedy_count(read), 1u);
  EXPECT_STREQ(mg_case_remedy(read, 0)->status, "SENT");
  EXPECT_STREQ(mg_case_remedy(read, 0)->option_id,
               mg_case_remedy(applied, 0)->option_id);
  mg_case_free(read);

  // An unknown case is named; the POS's own token may not read cases.
  read = nullptr;
  EXPECT_EQ(mg_get_case(client_, kManagerToken, "RC-no-such-case", &read),
            MG_NOT_FOUND);
  EXPECT_EQ(read, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("get case: "));
  EXPECT_THAT(mg_last_error(), HasSubstr("RC-no-such-case"));
  EXPECT_EQ(mg_get_case(client_, nullptr, mg_case_id(flagged), &read),
            MG_PERMISSION_DENIED);
  EXPECT_EQ(read, nullptr);
  // Nor does an outcome or an approval name a case that does not exist.
  mg_outcome_request outcome =
      Outcome("outcome-nope", "RC-no-such-case", MG_GUEST_ACCEPTED);
  EXPECT_EQ(mg_record_outcome(client_, &outcome, &read), MG_NOT_FOUND);
  EXPECT_THAT(mg_last_error(), HasSubstr("RC-no-such-case"));
  mg_approve_request approve =
      Approval(kManagerToken, "approve-nope", "RC-no-such-case", "RA-1");
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &read), MG_NOT_FOUND);
  EXPECT_THAT(mg_last_error(), HasSubstr("RC-no-such-case"));
  EXPECT_EQ(read, nullptr);
  mg_case_free(applied);
  mg_case_free(flagged);
}

// NULL pointers, a size of struct the library does not know, a missing
// field, a token that cannot travel: refused by name, before anything is
// sent.
TEST_F(PluginTest, ApproveOutcomeAndGetCaseRefuseBadArgumentsByName) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  mg_case* out = nullptr;
  mg_approve_request approve =
      Approval(kManagerToken, "approve-1", "RC-1", "RA-1");
  EXPECT_EQ(mg_approve_remedy(nullptr, &approve, &out), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "client is NULL");
  EXPECT_EQ(mg_approve_remedy(client_, nullptr, &out), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "request is NULL");
  EXPECT_EQ(mg_approve_remedy(client_, &approve, nullptr), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "recovery_case is NULL");
  approve.struct_size = 0;
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &out), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("struct_size is 0: set it to "
                                         "sizeof(mg_approve_request)"));
  approve.struct_size = sizeof approve + 8;
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &out), MG_INVALID_ARGUMENT);
  approve.struct_size = sizeof approve;
  approve.remedy_application_id = nullptr;
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &out), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "remedy_application_id is required");
  approve.remedy_application_id = "RA-1";
  approve.request_id = "";
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &out), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "request_id is required");
  approve.request_id = "approve-1";
  approve.staff_token = "demo manager";
  EXPECT_EQ(mg_approve_remedy(client_, &approve, &out), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("staff_token is not a token"));

  mg_outcome_request outcome = Outcome("outcome-1", nullptr, MG_GUEST_ACCEPTED);
  EXPECT_EQ(mg_record_outcome(client_, &outcome, &out), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "case_id is required");
  outcome.case_id = "RC-1";
  outcome.struct_size = 4;
  EXPECT_EQ(mg_record_outcome(client_, &outcome, &out), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("sizeof(mg_outcome_request)"));
  EXPECT_EQ(mg_record_outcome(client_, nullptr, &out), MG_INVALID_ARGUMENT);
  EXPECT_EQ(mg_record_outcome(nullptr, &outcome, &out), MG_INVALID_ARGUMENT);

  EXPECT_EQ(mg_get_case(client_, kManagerToken, nullptr, &out),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "case_id is required");
  EXPECT_EQ(mg_get_case(client_, kManagerToken, "RC-1", nullptr),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "recovery_case is NULL");
  EXPECT_EQ(mg_get_case(nullptr, kManagerToken, "RC-1", &out),
            MG_INVALID_ARGUMENT);
  EXPECT_EQ(mg_get_case(client_, "demo-manager-lee\n", "RC-1", &out),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("staff_token is not a token"));
  EXPECT_EQ(out, nullptr);

  // A NULL case reads as none.
  EXPECT_EQ(mg_case_remedy_count(nullptr), 0u);
  EXPECT_EQ(mg_case_remedy(nullptr, 0), nullptr);
  EXPECT_EQ(CountRows("cases"), 0);
}

TEST_F(PluginTest, AWatchSeesAFlagMadeByAnotherClientAndItsApproval) {
  // The manager's screen runs on one terminal...
  ASSERT_EQ(ConnectAs(kAdapterToken, &other_), MG_OK) << mg_last_error();
  ASSERT_EQ(StartWatch(kManagerToken, 0, nullptr, other_), MG_OK)
      << mg_last_error();
  ASSERT_NE(watch_, nullptr);
  EXPECT_STREQ(mg_last_error(), "");
  const int caught_up = screen_.Await(IsCaughtUp);
  ASSERT_GE(caught_up, 0);
  EXPECT_EQ(screen_.At(caught_up).start, MG_WATCH_START_SNAPSHOT);
  EXPECT_EQ(screen_.At(caught_up).catch_up_updates, 0);

  // ...the server flags on another.
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7400")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7400", "press-7400");
  ASSERT_NE(flagged, nullptr);
  const std::string case_id = mg_case_id(flagged);
  const int opened = screen_.Await(CaseChangedTo(case_id, "OPEN"), caught_up);
  ASSERT_GE(opened, 0);
  EXPECT_EQ(screen_.At(opened).update_case_id, case_id);
  EXPECT_GT(screen_.At(opened).sequence, 0);
  EXPECT_FALSE(screen_.At(opened).stream_epoch.empty());
  EXPECT_THAT(screen_.At(opened).json, HasSubstr(case_id));

  mg_case* applied = AskForTheComp(flagged, "apply-7400");
  ASSERT_NE(applied, nullptr);
  const int asked = screen_.Await(ApprovalAskedFor(case_id), opened);
  ASSERT_GE(asked, 0);
  const SeenUpdate alert = screen_.At(asked);
  EXPECT_EQ(alert.remedy_application_id,
            mg_case_remedy(applied, 0)->remedy_application_id);

  // The manager approves on the watching terminal, from the alert.
  mg_approve_request approve =
      Approval(kManagerToken, "approve-7400", case_id.c_str(),
               alert.remedy_application_id.c_str());
  mg_case* approved = nullptr;
  ASSERT_EQ(mg_approve_remedy(other_, &approve, &approved), MG_OK)
      << mg_last_error();
  ASSERT_GE(screen_.Await(CaseChangedTo(case_id, "REMEDY_APPLIED"), asked), 0);

  // Live updates come in commit order, numbered without gaps, of one run.
  int64_t previous = 0;
  for (const SeenUpdate& u : screen_.All()) {
    if (u.sequence == 0) continue;
    if (previous != 0) {
      EXPECT_EQ(u.sequence, previous + 1) << u.json;
    }
    EXPECT_EQ(u.stream_epoch, alert.stream_epoch);
    previous = u.sequence;
  }
  mg_case_free(approved);
  mg_case_free(applied);
  mg_case_free(flagged);
}

TEST_F(PluginTest, AWatchStartedAfterASequenceGetsOnlyWhatItMissed) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7401")), MG_OK) << mg_last_error();
  ASSERT_EQ(Publish(SteakCheck("7402")), MG_OK) << mg_last_error();
  ASSERT_EQ(StartWatch(kManagerToken), MG_OK) << mg_last_error();
  ASSERT_GE(screen_.Await(IsCaughtUp), 0);
  mg_case* first = FlagSteak("7401", "press-7401");
  ASSERT_NE(first, nullptr);
  const int seen = screen_.Await(CaseChangedTo(mg_case_id(first), "OPEN"));
  ASSERT_GE(seen, 0);
  const SeenUpdate last = screen_.At(seen);
  mg_watch_stop(watch_);
  watch_ = nullptr;

  // Flagged while nobody watched; a screen that saw `last` resumes from it.
  mg_case* second = FlagSteak("7402", "press-7402");
  ASSERT_NE(second, nullptr);
  screen_.Clear();
  ASSERT_EQ(StartWatch(kManagerToken, last.sequence, last.stream_epoch.c_str()),
            MG_OK)
      << mg_last_error();
  const int caught_up = screen_.Await(IsCaughtUp);
  ASSERT_GE(caught_up, 0);
  const SeenUpdate marker = screen_.At(caught_up);
  EXPECT_EQ(marker.start, MG_WATCH_START_RESUMED);
  EXPECT_EQ(marker.catch_up_updates, caught_up);
  ASSERT_GE(screen_.Await(CaseChangedTo(mg_case_id(second), "OPEN")), 0);
  // Nothing it had seen comes again.
  for (const SeenUpdate& u : screen_.All()) {
    if (u.change == MG_WATCH_CAUGHT_UP) continue;
    EXPECT_GT(u.sequence, last.sequence) << u.json;
    EXPECT_FALSE(u.snapshot) << u.json;
    EXPECT_NE(u.case_id, mg_case_id(first)) << u.json;
  }
  mg_case_free(second);
  mg_case_free(first);
}

TEST_F(PluginTest, AWatchResumesAfterMakegooddRestarts) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(StartWatch(kManagerToken), MG_OK) << mg_last_error();
  ASSERT_GE(screen_.Await(IsCaughtUp), 0);
  ASSERT_EQ(Publish(SteakCheck("7403")), MG_OK) << mg_last_error();
  mg_case* flagged = FlagSteak("7403", "press-7403");
  ASSERT_NE(flagged, nullptr);
  mg_case* applied = AskForTheComp(flagged, "apply-7403");
  ASSERT_NE(applied, nullptr);
  const std::string case_id = mg_case_id(flagged);
  const int asked = screen_.Await(ApprovalAskedFor(case_id));
  ASSERT_GE(asked, 0);
  const SeenUpdate before = screen_.At(asked);

  // makegoodd stops: the watch is told, and keeps trying. The port is
  // reserved while makegoodd still holds it.
  const int port = daemon_->port();
  auto reservation = std::make_unique<PortReservation>(port);
  if (!reservation->held()) reservation.reset();
  daemon_->Signal(SIGTERM);
  daemon_->Wait();
  const int lost = screen_.Await(
      [](const SeenUpdate& u) { return u.change == MG_WATCH_LOST; }, asked);
  ASSERT_GE(lost, 0);
  EXPECT_THAT(screen_.At(lost).error, HasSubstr("watch: "));

  // Back on the same port and database: the watch resumes with its last
  // sequence, which is of the earlier run, so makegoodd sends a fresh
  // snapshot, the approval still waiting in it.
  const absl::Status restarted = RestartDaemonOn(port, std::move(reservation));
  ASSERT_TRUE(restarted.ok()) << restarted;
  const int back = screen_.Await(
      [](const SeenUpdate& u) {
        return u.change == MG_WATCH_CAUGHT_UP &&
               u.start == MG_WATCH_START_SNAPSHOT_OTHER_RUN;
      },
      lost);
  ASSERT_GE(back, 0);
  EXPECT_NE(screen_.At(back).stream_epoch, before.stream_epoch);
  bool still_waiting = false;
  int losses = 0;
  for (int i = asked; i < back; ++i) {
    const SeenUpdate u = screen_.At(i);
    still_waiting = still_waiting ||
                    (i > lost && u.change == MG_WATCH_ALERT && u.snapshot &&
                     u.remedy_application_id == before.remedy_application_id);
    if (u.change == MG_WATCH_LOST) ++losses;
  }
  EXPECT_TRUE(still_waiting);
  // One loss, told once, however many reconnects failed while makegoodd
  // was down.
  EXPECT_EQ(losses, 1);

  // And live again.
  ASSERT_EQ(Publish(SteakCheck("7404")), MG_OK) << mg_last_error();
  mg_case* later = FlagSteak("7404", "press-7404");
  ASSERT_NE(later, nullptr);
  EXPECT_GE(screen_.Await(CaseChangedTo(mg_case_id(later), "OPEN"), back), 0);
  mg_case_free(later);
  mg_case_free(applied);
  mg_case_free(flagged);
}

TEST_F(PluginTest, AWatchRefusesAWrongRoleAndBadOptionsByName) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  // A server's token, the POS's own, an unknown one: makegoodd refuses.
  EXPECT_EQ(StartWatch(kServerToken), MG_PERMISSION_DENIED);
  EXPECT_EQ(watch_, nullptr);
  EXPECT_THAT(mg_last_error(), HasSubstr("watch: "));
  EXPECT_EQ(StartWatch(nullptr), MG_PERMISSION_DENIED);
  EXPECT_EQ(StartWatch("no-such-token"), MG_UNAUTHENTICATED);
  EXPECT_EQ(watch_, nullptr);

  EXPECT_EQ(StartWatch(kManagerToken, -1), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("options.after_sequence is -1"));
  EXPECT_EQ(StartWatch(kManagerToken, 5), MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(),
               "options.stream_epoch (with options.after_sequence) is "
               "required");
  EXPECT_EQ(StartWatch("demo manager"), MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("options.staff_token is not a token"));

  mg_watch_options options;
  std::memset(&options, 0, sizeof options);
  options.staff_token = kManagerToken;
  EXPECT_EQ(mg_watch_recoveries(client_, &options, &Screen::Receive, &screen_,
                                &watch_),
            MG_INVALID_ARGUMENT);
  EXPECT_THAT(mg_last_error(), HasSubstr("options.struct_size is 0: set it to "
                                         "sizeof(mg_watch_options)"));
  options.struct_size = sizeof options;
  EXPECT_EQ(mg_watch_recoveries(client_, nullptr, &Screen::Receive, &screen_,
                                &watch_),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "options is NULL");
  EXPECT_EQ(mg_watch_recoveries(client_, &options, nullptr, &screen_, &watch_),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "callback is NULL");
  EXPECT_EQ(mg_watch_recoveries(nullptr, &options, &Screen::Receive, &screen_,
                                &watch_),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "client is NULL");
  EXPECT_EQ(mg_watch_recoveries(client_, &options, &Screen::Receive, &screen_,
                                nullptr),
            MG_INVALID_ARGUMENT);
  EXPECT_STREQ(mg_last_error(), "watch is NULL");
  EXPECT_EQ(watch_, nullptr);
  // A failed start made no callback.
  EXPECT_TRUE(screen_.All().empty());
  mg_watch_stop(nullptr);
}

// The callback may stop its own watch: mg_watch_stop returns at once there
// instead of waiting for itself. It stops on the first case change and
// counts the callbacks that come after.
struct StoppingScreen {
  absl::Mutex mu;
  // Set by mg_watch_recoveries before the first callback.
  mg_watch* watch ABSL_GUARDED_BY(mu) = nullptr;
  bool stopped ABSL_GUARDED_BY(mu) = false;
  int without_handle ABSL_GUARDED_BY(mu) = 0;  // Callbacks before it was set.
  int after_stop ABSL_GUARDED_BY(mu) = 0;

  static void Receive(const mg_watch_update* update, void* self) {
    auto* screen = static_cast<StoppingScreen*>(self);
    absl::MutexLock lock(&screen->mu);
    if (screen->stopped) {
      ++screen->after_stop;
      return;
    }
    if (screen->watch == nullptr) {
      ++screen->without_handle;
      return;
    }
    if (update->change != MG_WATCH_CASE_CHANGED) return;
    mg_watch_stop(screen->watch);
    screen->watch = nullptr;
    screen->stopped = true;
  }
};

TEST_F(PluginTest, AWatchMayBeStoppedFromItsOwnCallback) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7405")), MG_OK) << mg_last_error();
  ASSERT_EQ(Publish(SteakCheck("7406")), MG_OK) << mg_last_error();
  // A second screen, to know when the stopped one would have had a later
  // change.
  ASSERT_EQ(StartWatch(kManagerToken), MG_OK) << mg_last_error();
  ASSERT_GE(screen_.Await(IsCaughtUp), 0);
  StoppingScreen screen;
  const mg_watch_options options = WatchOptions(kManagerToken);
  // The handle goes straight where the callback looks for it.
  ASSERT_EQ(mg_watch_recoveries(client_, &options, &StoppingScreen::Receive,
                                &screen, &screen.watch),
            MG_OK)
      << mg_last_error();
  // No ASSERT from here on: the watch is stopped at the end either way.
  mg_case* first = FlagSteak("7405", "press-7405");
  {
    absl::MutexLock lock(&screen.mu);
    EXPECT_TRUE(screen.mu.AwaitWithTimeout(absl::Condition(&screen.stopped),
                                           absl::Seconds(30)));
  }
  mg_case* second = FlagSteak("7406", "press-7406");
  EXPECT_GE(screen_.Await(CaseChangedTo(mg_case_id(second), "OPEN")), 0);
  mg_watch* left = nullptr;
  {
    absl::MutexLock lock(&screen.mu);
    EXPECT_EQ(screen.after_stop, 0);
    EXPECT_EQ(screen.without_handle, 0);
    left = std::exchange(screen.watch, nullptr);
  }
  mg_watch_stop(left);  // Only when the callback did not.
  mg_case_free(second);
  mg_case_free(first);
}

// Blocks in its callback, on the first case change, until the test lets
// it go; notes what the thread stopping the watch saw.
struct BlockingScreen {
  absl::Mutex mu;
  bool blocked ABSL_GUARDED_BY(mu) = false;
  bool release ABSL_GUARDED_BY(mu) = false;
  bool returned ABSL_GUARDED_BY(mu) = false;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool stop_returned ABSL_GUARDED_BY(mu) = false;
  // What `returned` was when mg_watch_stop returned.
  bool returned_before_stop ABSL_GUARDED_BY(mu) = false;

  static void Receive(const mg_watch_update* update, void* self) {
    auto* screen = static_cast<BlockingScreen*>(self);
    absl::MutexLock lock(&screen->mu);
    if (screen->blocked || update->change != MG_WATCH_CASE_CHANGED) return;
    screen->blocked = true;
    screen->mu.Await(absl::Condition(&screen->release));
    screen->returned = true;
  }

  void Stop(mg_watch* watch) {
    {
      absl::MutexLock lock(&mu);
      stopping = true;
    }
    mg_watch_stop(watch);
    absl::MutexLock lock(&mu);
    stop_returned = true;
    returned_before_stop = returned;
  }
};

TEST_F(PluginTest, AStopFromAnotherThreadWaitsForTheRunningCallback) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7407")), MG_OK) << mg_last_error();
  ASSERT_EQ(Publish(SteakCheck("7408")), MG_OK) << mg_last_error();
  ASSERT_EQ(StartWatch(kManagerToken), MG_OK) << mg_last_error();
  ASSERT_GE(screen_.Await(IsCaughtUp), 0);
  BlockingScreen screen;
  const mg_watch_options options = WatchOptions(kManagerToken);
  mg_watch* watch = nullptr;
  ASSERT_EQ(mg_watch_recoveries(client_, &options, &BlockingScreen::Receive,
                                &screen, &watch),
            MG_OK)
      << mg_last_error();
  mg_case* first = FlagSteak("7407", "press-7407");
  bool blocked = false;
  {
    absl::MutexLock lock(&screen.mu);
    blocked = first != nullptr &&
              screen.mu.AwaitWithTimeout(absl::Condition(&screen.blocked),
                                         absl::Seconds(30));
    if (!blocked) screen.release = true;  // Nothing is to block any more.
  }
  if (!blocked) {
    mg_watch_stop(watch);
    mg_case_free(first);
    FAIL() << "the callback did not get the case change";
  }

  std::thread stopper([&screen, watch] { screen.Stop(watch); });
  {
    absl::MutexLock lock(&screen.mu);
    screen.mu.Await(absl::Condition(&screen.stopping));
  }
  // Time for a stop that did not wait to return: another change, until
  // the other screen has it.
  mg_case* second = FlagSteak("7408", "press-7408");
  if (second != nullptr) {
    EXPECT_GE(screen_.Await(CaseChangedTo(mg_case_id(second), "OPEN")), 0);
  }
  {
    absl::MutexLock lock(&screen.mu);
    EXPECT_FALSE(screen.stop_returned)
        << "mg_watch_stop returned while its callback was running";
    screen.release = true;
  }
  stopper.join();
  {
    absl::MutexLock lock(&screen.mu);
    EXPECT_TRUE(screen.returned_before_stop);
  }
  mg_case_free(second);
  mg_case_free(first);
}

TEST_F(PluginTest, AWatchGoesOnAfterItsClientIsDisconnected) {
  ASSERT_EQ(Connect(kAdapterToken), MG_OK);
  ASSERT_EQ(Publish(SteakCheck("7409")), MG_OK) << mg_last_error();
  ASSERT_EQ(ConnectAs(kAdapterToken, &other_), MG_OK) << mg_last_error();
  ASSERT_EQ(StartWatch(kManagerToken, 0, nullptr, other_), MG_OK)
      << mg_last_error();
  ASSERT_GE(screen_.Await(IsCaughtUp), 0);
  // Disconnected before the watch is stopped, as the README allows.
  mg_disconnect(other_);
  other_ = nullptr;
  mg_case* flagged = FlagSteak("7409", "press-7409");
  ASSERT_NE(flagged, nullptr);
  EXPECT_GE(screen_.Await(CaseChangedTo(mg_case_id(flagged), "OPEN")), 0);
  mg_watch_stop(watch_);
  watch_ = nullptr;
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
