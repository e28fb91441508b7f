// Fuzz target plugin_c_abi: the C interface of libmakegood_plugin
// (plugin/include/makegood_plugin.h) called with any arguments, as POS
// software in any language may call it, against a fake makegoodd in this
// process, and against an address where nothing listens.
//
// Input: the first line names what to call (status, connect, publish, flag,
// apply, ack, receive, null; any other line picks one by its bytes); each
// further line is an argument, "~" for a NULL pointer, a number where a
// number is wanted (any other text picks one by its bytes).
//
// Invariants: no call crashes, whatever it is given; every call returns a
// real mg_status, MG_OK with its result and an empty mg_last_error, or
// another status without a result and with a message; argument errors are
// MG_INVALID_ARGUMENT and send nothing to makegoodd. When the arguments are
// plain text, what reaches makegoodd is what the caller passed (the bearer
// token the staff member's when given) and what the caller gets back is
// what makegoodd answered, its JSON form included; remedy commands arrive
// once each, in order, with their fields, and can be acknowledged from the
// callback.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fuzz_support.h"
#include "google/protobuf/util/json_util.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "makegood_plugin.h"
#include "proto_compare.h"

namespace makegood::fuzz {
namespace {

constexpr char kClientToken[] = "fuzz-adapter-token";
// Loopback port 1: nothing listens there, a connection is refused at once.
constexpr char kNobodyAddress[] = "127.0.0.1:1";
// The most strings of one array argument, and commands of one stream.
constexpr size_t kMaxArray = 32;
constexpr size_t kMaxCommands = 8;

// ---- The fake makegoodd ----------------------------------------------------

// What the fake received and answered.
struct Record {
  int publish_calls = 0;
  v1::PublishBatchRequest publish;
  v1::PublishSummary publish_answer;
  int flag_calls = 0;
  v1::FlagProblemRequest flag;
  v1::RecoveryCase flag_answer;
  int apply_calls = 0;
  v1::ApplyRemedyRequest apply;
  v1::RecoveryCase apply_answer;
  std::vector<v1::AckCommandRequest> acks;
  std::string authorization;  // The last call's header.
  // Command streams opened, by adapter name.
  std::map<std::string, int> streams;
};

class Recorder {
 public:
  Record Snapshot() {
    absl::MutexLock lock(&mu_);
    return record_;
  }
  template <typename Change>
  void Update(Change change) {
    absl::MutexLock lock(&mu_);
    change(record_);
  }
  // The commands the next stream of `adapter_name` is to send. Keyed by
  // name: a stream the client gave up on before makegoodd saw it may
  // still open later, and must not take another call's commands.
  void QueueCommands(const std::string& adapter_name,
                     std::vector<v1::RemedyCommand> commands) {
    absl::MutexLock lock(&mu_);
    commands_for_ = adapter_name;
    commands_ = std::move(commands);
  }
  std::vector<v1::RemedyCommand> TakeCommands(const std::string& adapter_name) {
    absl::MutexLock lock(&mu_);
    if (adapter_name != commands_for_) return {};
    return std::exchange(commands_, {});
  }
  // True once a stream of `adapter_name` opened, false after `timeout`.
  bool AwaitStream(const std::string& adapter_name, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    awaited_ = adapter_name;
    return mu_.AwaitWithTimeout(
        absl::Condition(this, &Recorder::StreamOpenedLocked), timeout);
  }

 private:
  bool StreamOpenedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return record_.streams.count(awaited_) > 0;
  }

  absl::Mutex mu_;
  Record record_ ABSL_GUARDED_BY(mu_);
  std::string commands_for_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RemedyCommand> commands_ ABSL_GUARDED_BY(mu_);
  std::string awaited_ ABSL_GUARDED_BY(mu_);
};

std::string AuthorizationOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find("authorization");
  if (found == metadata.end()) return "";
  return std::string(found->second.data(), found->second.size());
}

// An id "!" + c asks the fake to refuse the call with a code chosen by c.
int RefusalCode(const std::string& id) {
  if (id.size() < 2 || id[0] != '!') return 0;
  return 1 + static_cast<unsigned char>(id[1]) % 16;
}

grpc::Status Refusal(int code, const std::string& id) {
  return grpc::Status(static_cast<grpc::StatusCode>(code), "refused " + id);
}

v1::Money Usd(int64_t minor_units) {
  v1::Money money;
  money.set_minor_units(minor_units);
  money.set_currency("USD");
  return money;
}

class FakeEvents final : public v1::OrderEventService::Service {
 public:
  explicit FakeEvents(Recorder& recorder) : recorder_(recorder) {}

  // Accepts each event, counts an id starting "dup-" as a duplicate and
  // rejects an empty id.
  grpc::Status PublishBatch(grpc::ServerContext* context,
                            const v1::PublishBatchRequest* request,
                            v1::PublishSummary* summary) override {
    for (int i = 0; i < request->events_size(); ++i) {
      const std::string& id = request->events(i).event_id();
      if (id.empty()) {
        summary->set_rejected(summary->rejected() + 1);
        auto* rejection = summary->add_rejections();
        rejection->set_index(i);
        rejection->set_reason("event_id: is required");
      } else if (absl::StartsWith(id, "dup-")) {
        summary->set_duplicates(summary->duplicates() + 1);
      } else {
        summary->set_accepted(summary->accepted() + 1);
      }
    }
    recorder_.Update([&](Record& record) {
      ++record.publish_calls;
      record.publish = *request;
      record.publish_answer = *summary;
      record.authorization = AuthorizationOf(*context);
    });
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

class FakeRecovery final : public v1::RecoveryService::Service {
 public:
  explicit FakeRecovery(Recorder& recorder) : recorder_(recorder) {}

  // A case with one option per line (named after it) and, for an odd
  // severity, an extra.
  grpc::Status FlagProblem(grpc::ServerContext* context,
                           const v1::FlagProblemRequest* request,
                           v1::RecoveryCase* answer) override {
    const int refused = RefusalCode(request->check_id());
    if (refused == 0) {
      answer->set_case_id("RC-" + request->request_id());
      answer->set_check_id(request->check_id());
      answer->set_category_id(request->category_id());
      answer->set_status(v1::RecoveryCase::OPEN);
      answer->set_guidance(request->guest_words());
      for (int i = 0; i < request->line_ids_size(); ++i) {
        auto* option = answer->add_options();
        option->set_option_id(request->line_ids(i));
        option->set_label(request->category_id());
        option->set_kind(static_cast<v1::RemedyKind>(1 + i % 9));
        *option->mutable_estimated_cost() = Usd(100 * i);
      }
      if (static_cast<int>(request->severity()) % 2 != 0) {
        auto* extra = answer->add_extras();
        extra->set_option_id("x1");
        extra->set_label("Dessert tray");
        extra->set_kind(v1::COMPLIMENTARY_ITEM);
        *extra->mutable_estimated_cost() = Usd(1800);
      }
      *answer->mutable_total_cost() = Usd(request->line_ids_size());
    }
    recorder_.Update([&](Record& record) {
      ++record.flag_calls;
      record.flag = *request;
      record.flag_answer = *answer;
      record.authorization = AuthorizationOf(*context);
    });
    return refused == 0 ? grpc::Status::OK
                        : Refusal(refused, request->check_id());
  }

  // The case with the remedy applied and one option per extra.
  grpc::Status ApplyRemedy(grpc::ServerContext* context,
                           const v1::ApplyRemedyRequest* request,
                           v1::RecoveryCase* answer) override {
    const int refused = RefusalCode(request->case_id());
    if (refused == 0) {
      answer->set_case_id(request->case_id());
      answer->set_status(v1::RecoveryCase::REMEDY_APPLIED);
      answer->set_guidance(request->note());
      for (int i = 0; i < request->extra_option_ids_size(); ++i) {
        auto* extra = answer->add_extras();
        extra->set_option_id(request->extra_option_ids(i));
        extra->set_label("extra " + request->extra_option_ids(i));
        extra->set_kind(v1::COMPLIMENTARY_ITEM);
        *extra->mutable_estimated_cost() = Usd(100 * (i + 1));
      }
      *answer->mutable_total_cost() =
          Usd(100 * (request->extra_option_ids_size() + 1));
    }
    recorder_.Update([&](Record& record) {
      ++record.apply_calls;
      record.apply = *request;
      record.apply_answer = *answer;
      record.authorization = AuthorizationOf(*context);
    });
    return refused == 0 ? grpc::Status::OK
                        : Refusal(refused, request->case_id());
  }

 private:
  Recorder& recorder_;
};

// One command stream: writes its commands, then stays open, as
// makegoodd's does, until the client cancels it (a stream that ended would
// be reopened, and could take the commands of a later call).
class CommandStream final : public grpc::ServerWriteReactor<v1::RemedyCommand> {
 public:
  explicit CommandStream(std::vector<v1::RemedyCommand> commands)
      : commands_(std::move(commands)) {
    // gRPC holds the write until the stream is bound: no reaction runs
    // before this returns.
    if (!commands_.empty()) {
      writing_ = true;
      StartWrite(&commands_[0]);
    }
  }

  void OnWriteDone(bool ok) override {
    const v1::RemedyCommand* next = nullptr;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok && !cancelled_) {
        if (++written_ < commands_.size()) {
          writing_ = true;
          next = &commands_[written_];
        }
      } else {
        finish = TakeFinishLocked();
      }
    }
    if (next != nullptr) StartWrite(next);
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      finish = !writing_ && TakeFinishLocked();
    }
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override { delete this; }

 private:
  // True for the one caller that is to call Finish.
  bool TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !std::exchange(finished_, true);
  }

  const std::vector<v1::RemedyCommand> commands_;
  absl::Mutex mu_;
  size_t written_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class FakeCommands final
    : public v1::RemedyCommandService::WithCallbackMethod_StreamCommands<
          v1::RemedyCommandService::Service> {
 public:
  explicit FakeCommands(Recorder& recorder) : recorder_(recorder) {}

  using WithCallbackMethod_StreamCommands::StreamCommands;
  // Sends the commands queued when the stream opens.
  grpc::ServerWriteReactor<v1::RemedyCommand>* StreamCommands(
      grpc::CallbackServerContext* context,
      const v1::StreamCommandsRequest* request) override {
    auto* stream =
        new CommandStream(recorder_.TakeCommands(request->adapter_name()));
    recorder_.Update([&](Record& record) {
      ++record.streams[request->adapter_name()];
      record.authorization = AuthorizationOf(*context);
    });
    return stream;
  }

  grpc::Status AckCommand(grpc::ServerContext* context,
                          const v1::AckCommandRequest* request,
                          v1::AckCommandResponse* answer) override {
    const int refused = RefusalCode(request->command_id());
    recorder_.Update([&](Record& record) {
      record.acks.push_back(*request);
      record.authorization = AuthorizationOf(*context);
    });
    if (refused != 0) return Refusal(refused, request->command_id());
    answer->set_command_id(request->command_id());
    answer->set_recorded_result(request->result());
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

// The fake makegoodd, a client connected to it, and a directory for the
// files a call names. Made once and never destroyed; at exit the client
// disconnects and the server stops, before static destructors run.
struct Daemon {
  Recorder recorder;
  FakeEvents events{recorder};
  FakeRecovery recovery{recorder};
  FakeCommands commands{recorder};
  std::unique_ptr<grpc::Server> server;
  std::string address;
  mg_client* client = nullptr;
  std::string files;
};

void ShutDown();

Daemon& TheDaemon() {
  static Daemon* const daemon = [] {
    auto* d = new Daemon;
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&d->events);
    builder.RegisterService(&d->recovery);
    builder.RegisterService(&d->commands);
    d->server = builder.BuildAndStart();
    FUZZ_CHECK(d->server != nullptr && port > 0,
               "the fake makegoodd does not start");
    d->address = absl::StrCat("127.0.0.1:", port);

    const mg_connect_options options{d->address.c_str(), kClientToken, nullptr,
                                     10000};
    const mg_status connected = mg_connect(&options, &d->client);
    FUZZ_CHECK(connected == MG_OK,
               absl::StrCat("cannot connect to the fake makegoodd: ",
                            mg_last_error()));

    char files[] = "/tmp/makegood-plugin-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(files) != nullptr, "no temporary directory");
    d->files = files;
    std::atexit(ShutDown);
    return d;
  }();
  return *daemon;
}

void ShutDown() {
  Daemon& daemon = TheDaemon();
  mg_disconnect(daemon.client);
  daemon.client = nullptr;
  daemon.server->Shutdown(std::chrono::system_clock::now() +
                          std::chrono::seconds(1));
  std::error_code ignored;
  std::filesystem::remove_all(daemon.files, ignored);
}

// ---- Arguments -------------------------------------------------------------

int64_t Mod(int64_t value, int64_t n) { return ((value % n) + n) % n; }

// The input's lines as C arguments. The strings live as long as this.
class Arguments {
 public:
  explicit Arguments(FuzzInput& input) : input_(input) {}

  bool empty() const { return input_.empty(); }

  // A string, or NULL for "~"; a C string ends at its first NUL.
  const char* String() {
    std::string line = input_.Line();
    if (line == "~") return nullptr;
    line.resize(std::strlen(line.c_str()));
    return Keep(std::move(line));
  }

  int64_t Number() { return input_.NumberLine(); }

  // The strings of the remaining lines, at most kMaxArray.
  std::vector<const char*> Strings() {
    std::vector<const char*> strings;
    while (!input_.empty() && strings.size() < kMaxArray) {
      strings.push_back(String());
    }
    return strings;
  }

  // A file argument: NULL, "", a missing file, or a file holding the
  // next line.
  const char* File(const std::string& directory, const std::string& name) {
    const int64_t choice = Mod(Number(), 4);
    const std::string content = input_.Line();
    switch (choice) {
      case 0:
        return nullptr;
      case 1:
        return "";
      case 2:
        return Keep("/nonexistent/makegood-fuzz/" + name);
      default: {
        const std::string path = directory + "/" + name;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
        return Keep(path);
      }
    }
  }

  const char* Keep(std::string text) {
    kept_.push_back(std::move(text));
    return kept_.back().c_str();
  }

 private:
  FuzzInput& input_;
  std::deque<std::string> kept_;  // Stable addresses.
};

bool Empty(const char* text) { return text == nullptr || *text == '\0'; }
std::string Text(const char* text) { return text == nullptr ? "" : text; }

// Text that a request carries unchanged: printable ASCII (valid UTF-8).
bool Plain(const char* text) {
  for (const char* c = text == nullptr ? "" : text; *c != '\0'; ++c) {
    if (*c < 0x20 || *c > 0x7e) return false;
  }
  return true;
}

// A bearer token that travels unchanged in a header: visible ASCII.
bool PlainToken(const char* token) {
  return Plain(token) && std::strchr(Text(token).c_str(), ' ') == nullptr;
}

bool AllPlain(const std::vector<const char*>& texts) {
  for (const char* text : texts) {
    if (!Plain(text)) return false;
  }
  return true;
}

// ---- Checks ----------------------------------------------------------------

// What every call promises about its status and mg_last_error.
void CheckOutcome(mg_status status, const char* call) {
  const int value = static_cast<int>(status);
  FUZZ_CHECK(value >= MG_OK && value <= MG_UNAUTHENTICATED,
             absl::StrCat(call, " returned ", value, ", no mg_status"));
  const char* error = mg_last_error();
  FUZZ_CHECK(error != nullptr,
             absl::StrCat("mg_last_error is NULL after ", call));
  if (status == MG_OK) {
    FUZZ_CHECK(*error == '\0', absl::StrCat(call,
                                            " returned MG_OK, yet "
                                            "mg_last_error says: ",
                                            error));
  } else {
    FUZZ_CHECK(*error != '\0',
               absl::StrCat(call, " failed with ", mg_status_name(status),
                            " and no message"));
  }
}

void CheckRefused(mg_status status, int code, const std::string& message,
                  const char* call) {
  FUZZ_CHECK(static_cast<int>(status) == code,
             absl::StrCat(call, " returned ", mg_status_name(status),
                          " where makegoodd refused with code ", code));
  FUZZ_CHECK(mg_last_error() == message,
             absl::StrCat(call, ": mg_last_error says \"", mg_last_error(),
                          "\", not \"", message, "\""));
}

std::string Bearer(const char* staff_token) {
  return absl::StrCat("Bearer ",
                      Empty(staff_token) ? kClientToken : staff_token);
}

void CheckOptions(
    const mg_option* options, size_t count,
    const google::protobuf::RepeatedPtrField<v1::RemedyOption>& answered,
    const char* which) {
  FUZZ_CHECK(count == static_cast<size_t>(answered.size()),
             absl::StrCat(count, " ", which, ", makegoodd answered ",
                          answered.size()));
  FUZZ_CHECK((count == 0) == (options == nullptr),
             absl::StrCat(which, ": the array and its count disagree"));
  for (size_t i = 0; i < count; ++i) {
    const v1::RemedyOption& want = answered[static_cast<int>(i)];
    FUZZ_CHECK(Text(options[i].option_id) == want.option_id() &&
                   Text(options[i].label) == want.label() &&
                   static_cast<int>(options[i].kind) ==
                       static_cast<int>(want.kind()) &&
                   options[i].estimated_cost_minor ==
                       want.estimated_cost().minor_units(),
               absl::StrCat(which, " ", i, " is not what makegoodd answered: ",
                            want.ShortDebugString()));
  }
}

// The handle shows exactly the case makegoodd answered.
void CheckCase(const mg_case* recovery_case, const v1::RecoveryCase& answer) {
  FUZZ_CHECK(
      Text(mg_case_id(recovery_case)) == answer.case_id() &&
          Text(mg_case_status(recovery_case)) ==
              v1::RecoveryCase::Status_Name(answer.status()) &&
          Text(mg_case_guidance(recovery_case)) == answer.guidance() &&
          mg_case_total_cost_minor(recovery_case) ==
              answer.total_cost().minor_units(),
      "the case is not what makegoodd answered: " + answer.ShortDebugString());
  size_t count = 0;
  const mg_option* options = mg_case_options(recovery_case, &count);
  CheckOptions(options, count, answer.options(), "options");
  const mg_option* extras = mg_case_extras(recovery_case, &count);
  CheckOptions(extras, count, answer.extras(), "extras");
  v1::RecoveryCase from_json;
  const std::string json = Text(mg_case_json(recovery_case));
  FUZZ_CHECK(google::protobuf::util::JsonStringToMessage(json, &from_json).ok(),
             "mg_case_json is not a RecoveryCase: " + json);
  const std::string differences = Differences(from_json, answer);
  FUZZ_CHECK(differences.empty(),
             "mg_case_json is not the case makegoodd answered: " + differences);
}

template <typename Proto>
std::vector<std::string> Repeated(
    const google::protobuf::RepeatedPtrField<Proto>& field) {
  return std::vector<std::string>(field.begin(), field.end());
}

std::vector<std::string> Texts(const std::vector<const char*>& texts) {
  std::vector<std::string> out;
  for (const char* text : texts) out.push_back(Text(text));
  return out;
}

// ---- The calls -------------------------------------------------------------

constexpr const char* kStatusNames[] = {"OK",
                                        "CANCELLED",
                                        "UNKNOWN",
                                        "INVALID_ARGUMENT",
                                        "DEADLINE_EXCEEDED",
                                        "NOT_FOUND",
                                        "ALREADY_EXISTS",
                                        "PERMISSION_DENIED",
                                        "RESOURCE_EXHAUSTED",
                                        "FAILED_PRECONDITION",
                                        "ABORTED",
                                        "OUT_OF_RANGE",
                                        "UNIMPLEMENTED",
                                        "INTERNAL",
                                        "UNAVAILABLE",
                                        "DATA_LOSS",
                                        "UNAUTHENTICATED"};

// A status: any int, as C lets a caller pass.
void CallStatusName(Arguments& arguments) {
  const int value = static_cast<int>(arguments.Number());
  const char* name = mg_status_name(static_cast<mg_status>(value));
  FUZZ_CHECK(name != nullptr,
             absl::StrCat("mg_status_name(", value, ") is NULL"));
  const char* want =
      value >= 0 && value <= 16 ? kStatusNames[value] : "UNKNOWN_STATUS";
  FUZZ_CHECK(std::strcmp(name, want) == 0,
             absl::StrCat("mg_status_name(", value, ") is ", name));
  FUZZ_CHECK(mg_abi_version() == MG_PLUGIN_ABI_VERSION,
             "mg_abi_version is not the header's");
  FUZZ_CHECK(mg_last_error() != nullptr, "mg_last_error is NULL");
}

// Target (NULL, "", the fake, nobody), token, CA file, timeout,
// credentials (none or a struct_size), token file, certificate file, key
// file, and which pointer argument is NULL.
void CallConnect(Arguments& arguments, Daemon& daemon) {
  const int64_t target_choice = Mod(arguments.Number(), 4);
  const char* target = target_choice == 0   ? nullptr
                       : target_choice == 1 ? ""
                       : target_choice == 2 ? daemon.address.c_str()
                                            : kNobodyAddress;
  const char* token = arguments.String();
  const char* ca_file = arguments.File(daemon.files, "ca.pem");
  int timeout_ms = static_cast<int>(Mod(arguments.Number(), 36)) - 5;
  const int64_t credentials_choice = Mod(arguments.Number(), 5);
  mg_connect_credentials credentials;
  std::memset(&credentials, 0, sizeof credentials);
  credentials.struct_size = credentials_choice == 1   ? sizeof credentials
                            : credentials_choice == 2 ? 0
                            : credentials_choice == 3 ? sizeof credentials + 8
                                                      : sizeof(size_t);
  credentials.token_file = arguments.File(daemon.files, "token");
  credentials.tls_cert_file = arguments.File(daemon.files, "cert.pem");
  credentials.tls_key_file = arguments.File(daemon.files, "key.pem");
  const int64_t nulls = Mod(arguments.Number(), 8);
  const bool null_options = nulls == 6;
  const bool null_out = nulls == 7;
  const bool with_credentials = credentials_choice != 0;

  // 0 is the default of 10 s: only where nothing makes the call wait.
  const bool prompt = target_choice == 2 && Empty(ca_file);
  if (timeout_ms == 0 && !prompt) timeout_ms = 1;
  const mg_connect_options options{target, token, ca_file, timeout_ms};

  mg_client* client = nullptr;
  const mg_status status = with_credentials
                               ? mg_connect_with_credentials(
                                     null_options ? nullptr : &options,
                                     &credentials, null_out ? nullptr : &client)
                               : mg_connect(null_options ? nullptr : &options,
                                            null_out ? nullptr : &client);
  CheckOutcome(status, "mg_connect");
  if (status == MG_OK) {
    FUZZ_CHECK(client != nullptr, "mg_connect returned MG_OK and no client");
    FUZZ_CHECK(target_choice == 2, "connected where nothing listens");
    mg_disconnect(client);
  }
  const bool size_known =
      !with_credentials || credentials.struct_size == sizeof credentials;
  const bool token_twice = with_credentials && size_known && !Empty(token) &&
                           !Empty(credentials.token_file);
  if (null_options || null_out || !size_known || Empty(target) ||
      timeout_ms < 0 || token_twice) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT,
               absl::StrCat("mg_connect with a wrong argument returned ",
                            mg_status_name(status)));
  }
  const bool no_files =
      !with_credentials ||
      (Empty(credentials.token_file) && Empty(credentials.tls_cert_file) &&
       Empty(credentials.tls_key_file));
  // A few milliseconds may not be enough to connect; the default is.
  if (target_choice == 2 && !Empty(token) && PlainToken(token) &&
      Empty(ca_file) && size_known && no_files && timeout_ms == 0 &&
      !null_options && !null_out) {
    FUZZ_CHECK(status == MG_OK, absl::StrCat("mg_connect to makegoodd failed: ",
                                             mg_last_error()));
    FUZZ_CHECK(daemon.recorder.Snapshot().authorization == Bearer(token),
               "mg_connect sent another token");
  }
}

// Which argument is NULL, then one event per line.
void CallPublish(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 5);
  std::vector<const char*> events = arguments.Strings();
  mg_publish_summary summary{-1, -1, -1};
  const int calls = daemon.recorder.Snapshot().publish_calls;
  const mg_status status = mg_publish_events(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : events.data(),
      events.size(), mode == 4 ? nullptr : &summary);
  CheckOutcome(status, "mg_publish_events");
  const Record record = daemon.recorder.Snapshot();
  if (mode == 2 || (mode == 3 && !events.empty())) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.publish_calls == calls,
               "mg_publish_events with a NULL argument");
    return;
  }
  // Each event as the header describes it: an OrderEvent in JSON.
  v1::PublishBatchRequest expected;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i] == nullptr || !google::protobuf::util::JsonStringToMessage(
                                     events[i], expected.add_events())
                                     .ok()) {
      FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.publish_calls == calls,
                 absl::StrCat("event ", i,
                              " is not an OrderEvent, yet "
                              "mg_publish_events returned ",
                              mg_status_name(status), " or sent the batch"));
      FUZZ_CHECK(
          absl::StartsWith(mg_last_error(), absl::StrCat("event ", i, " ")),
          absl::StrCat("the message does not name event ", i, ": ",
                       mg_last_error()));
      return;
    }
  }
  if (record.publish_calls == calls) {
    FUZZ_CHECK(status != MG_OK, "MG_OK for events makegoodd never received");
    return;
  }
  const std::string differences = Differences(record.publish, expected);
  FUZZ_CHECK(differences.empty(),
             "makegoodd received other events: " + differences);
  FUZZ_CHECK(record.authorization == Bearer(nullptr),
             "the events went with another token");
  const v1::PublishSummary& answer = record.publish_answer;
  if (mode != 4) {
    FUZZ_CHECK(summary.accepted == answer.accepted() &&
                   summary.duplicates == answer.duplicates() &&
                   summary.rejected == answer.rejected(),
               "the summary is not makegoodd's: " + answer.ShortDebugString());
  }
  if (answer.rejections_size() == 0) {
    FUZZ_CHECK(status == MG_OK,
               absl::StrCat("mg_publish_events returned ",
                            mg_status_name(status), ": ", mg_last_error()));
    return;
  }
  const auto& first = answer.rejections(0);
  FUZZ_CHECK(
      status == MG_INVALID_ARGUMENT &&
          absl::StartsWith(mg_last_error(),
                           absl::StrCat("event ", first.index(), " (",
                                        first.event_id(), ") rejected: ")),
      absl::StrCat("a rejection reported as ", mg_status_name(status), ": ",
                   mg_last_error()));
}

// Which argument is NULL, staff token, request id, check, category,
// severity, guest's words, then one line id per line.
void CallFlag(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 6);
  mg_flag_request request;
  std::memset(&request, 0, sizeof request);
  request.staff_token = arguments.String();
  request.request_id = arguments.String();
  request.check_id = arguments.String();
  request.category_id = arguments.String();
  const int severity = static_cast<int>(arguments.Number());
  request.severity = static_cast<mg_severity>(severity);
  request.guest_words = arguments.String();
  const std::vector<const char*> lines = arguments.Strings();
  request.line_ids = mode == 5 ? nullptr : lines.data();
  request.line_count = lines.size();

  mg_case* recovery_case = nullptr;
  const int calls = daemon.recorder.Snapshot().flag_calls;
  const mg_status status = mg_flag_problem(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : &request,
      mode == 4 ? nullptr : &recovery_case);
  CheckOutcome(status, "mg_flag_problem");
  FUZZ_CHECK((status == MG_OK) == (recovery_case != nullptr),
             "mg_flag_problem's case and status disagree");
  const Record record = daemon.recorder.Snapshot();
  bool null_line = false;
  for (const char* line : lines) null_line = null_line || line == nullptr;
  const bool wrong = (mode >= 2 && mode <= 4) ||
                     (mode == 5 && !lines.empty()) ||
                     Empty(request.request_id) || Empty(request.check_id) ||
                     null_line || severity < 1 || severity > 3;
  if (wrong) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.flag_calls == calls,
               absl::StrCat("mg_flag_problem with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  std::unique_ptr<mg_case, void (*)(mg_case*)> owned(recovery_case,
                                                     mg_case_free);
  std::vector<const char*> texts = lines;
  texts.insert(texts.end(), {request.request_id, request.check_id,
                             request.category_id, request.guest_words});
  if (!PlainToken(request.staff_token) || !AllPlain(texts)) return;

  FUZZ_CHECK(record.flag_calls == calls + 1,
             "the flag never reached makegoodd");
  const v1::FlagProblemRequest& sent = record.flag;
  FUZZ_CHECK(sent.request_id() == Text(request.request_id) &&
                 sent.check_id() == Text(request.check_id) &&
                 sent.category_id() == Text(request.category_id) &&
                 static_cast<int>(sent.severity()) == severity &&
                 sent.guest_words() == Text(request.guest_words) &&
                 Repeated(sent.line_ids()) == Texts(lines),
             "makegoodd received another flag: " + sent.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(request.staff_token),
             "the flag went with another token than the staff member's");
  if (const int code = RefusalCode(sent.check_id()); code != 0) {
    CheckRefused(status, code, "flag: refused " + sent.check_id(),
                 "mg_flag_problem");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_flag_problem returned ", mg_status_name(status),
                          ": ", mg_last_error()));
  CheckCase(recovery_case, record.flag_answer);
}

// Which argument is NULL, staff token, request id, case, option, note,
// then one extra option per line.
void CallApply(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 6);
  mg_apply_request request;
  std::memset(&request, 0, sizeof request);
  request.staff_token = arguments.String();
  request.request_id = arguments.String();
  request.case_id = arguments.String();
  request.option_id = arguments.String();
  request.note = arguments.String();
  const std::vector<const char*> extras = arguments.Strings();
  request.extra_option_ids = mode == 5 ? nullptr : extras.data();
  request.extra_count = extras.size();

  mg_case* recovery_case = nullptr;
  const int calls = daemon.recorder.Snapshot().apply_calls;
  const mg_status status = mg_apply_remedy(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : &request,
      mode == 4 ? nullptr : &recovery_case);
  CheckOutcome(status, "mg_apply_remedy");
  FUZZ_CHECK((status == MG_OK) == (recovery_case != nullptr),
             "mg_apply_remedy's case and status disagree");
  const Record record = daemon.recorder.Snapshot();
  bool null_extra = false;
  for (const char* extra : extras) null_extra = null_extra || extra == nullptr;
  const bool wrong = (mode >= 2 && mode <= 4) ||
                     (mode == 5 && !extras.empty()) ||
                     Empty(request.request_id) || Empty(request.case_id) ||
                     Empty(request.option_id) || null_extra;
  if (wrong) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.apply_calls == calls,
               absl::StrCat("mg_apply_remedy with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  std::unique_ptr<mg_case, void (*)(mg_case*)> owned(recovery_case,
                                                     mg_case_free);
  std::vector<const char*> texts = extras;
  texts.insert(texts.end(), {request.request_id, request.case_id,
                             request.option_id, request.note});
  if (!PlainToken(request.staff_token) || !AllPlain(texts)) return;

  FUZZ_CHECK(record.apply_calls == calls + 1,
             "the remedy never reached makegoodd");
  const v1::ApplyRemedyRequest& sent = record.apply;
  FUZZ_CHECK(sent.request_id() == Text(request.request_id) &&
                 sent.case_id() == Text(request.case_id) &&
                 sent.option_id() == Text(request.option_id) &&
                 sent.note() == Text(request.note) &&
                 Repeated(sent.extra_option_ids()) == Texts(extras),
             "makegoodd received another remedy: " + sent.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(request.staff_token),
             "the remedy went with another token than the staff member's");
  if (const int code = RefusalCode(sent.case_id()); code != 0) {
    CheckRefused(status, code, "apply: refused " + sent.case_id(),
                 "mg_apply_remedy");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_apply_remedy returned ", mg_status_name(status),
                          ": ", mg_last_error()));
  CheckCase(recovery_case, record.apply_answer);
}

// Whether the client is NULL, command id, result (any int), POS reference,
// vendor reason.
void CallAck(Arguments& arguments, Daemon& daemon) {
  const bool null_client = Mod(arguments.Number(), 4) == 3;
  const char* command_id = arguments.String();
  const int result = static_cast<int>(arguments.Number());
  const char* pos_reference = arguments.String();
  const char* vendor_reason = arguments.String();
  daemon.recorder.Update([](Record& record) { record.acks.clear(); });

  const mg_status status = mg_ack_command(
      null_client ? nullptr : daemon.client, command_id,
      static_cast<mg_ack_result>(result), pos_reference, vendor_reason);
  CheckOutcome(status, "mg_ack_command");
  const Record record = daemon.recorder.Snapshot();
  if (null_client || Empty(command_id) ||
      (result != MG_ACK_APPLIED && result != MG_ACK_REJECTED)) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.acks.empty(),
               absl::StrCat("mg_ack_command with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  if (!AllPlain({command_id, pos_reference, vendor_reason})) return;
  FUZZ_CHECK(record.acks.size() == 1, "the ack never reached makegoodd");
  const v1::AckCommandRequest& sent = record.acks[0];
  FUZZ_CHECK(sent.request_id() == "ack-" + Text(command_id) &&
                 sent.command_id() == Text(command_id) &&
                 static_cast<int>(sent.result()) == result &&
                 sent.pos_reference() == Text(pos_reference) &&
                 sent.vendor_reason() == Text(vendor_reason),
             "makegoodd received another ack: " + sent.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(nullptr),
             "the ack went with another token");
  if (const int code = RefusalCode(sent.command_id()); code != 0) {
    CheckRefused(status, code, "ack: refused " + sent.command_id(),
                 "mg_ack_command");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_ack_command returned ", mg_status_name(status),
                          ": ", mg_last_error()));
}

// A command whose every field is printable text made from `line`.
v1::RemedyCommand CommandFrom(size_t index, const std::string& line) {
  std::string text;
  for (unsigned char c : line.substr(0, 64)) {
    text.push_back(static_cast<char>(0x20 + c % 95));
  }
  v1::RemedyCommand command;
  command.set_command_id(absl::StrCat("CMD-", index, "-", text));
  command.set_case_id("RC-" + text);
  command.set_location_id("downtown-01");
  command.set_check_id(text);
  command.set_delivery_attempt(static_cast<int>(index) + 1);
  if (!text.empty() && text[0] == 'F') {
    command.mutable_guest_follow_up()->set_category_id(text);
    return command;
  }
  auto* action = command.mutable_apply_remedy();
  action->set_kind(static_cast<v1::RemedyKind>(text.size() % 10));
  action->set_line_id(text);
  *action->mutable_amount() = Usd(static_cast<int64_t>(text.size()) * 25);
  action->set_percent_bps(static_cast<int32_t>(text.size() * 100 % 10001));
  action->set_sku(text);
  action->set_discount_code(text);
  action->set_reason(text);
  action->set_waste(text.size() % 2 == 1);
  return command;
}

// A command as the callback saw it: copied, since its pointers live only
// during the call.
struct Delivered {
  std::string command_id, case_id, location_id, check_id, line_id, sku,
      discount_code, reason, json;
  int delivery_attempt = 0;
  int type = 0;
  int kind = 0;
  int64_t amount_minor = 0;
  int32_t percent_bps = 0;
  int waste = 0;
  bool acknowledged = false;
  mg_status ack = MG_OK;
};

struct Collector {
  bool AllDeliveredLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return delivered.size() >= expected;
  }

  mg_client* client = nullptr;
  size_t expected = 0;
  absl::Mutex mu;
  std::vector<Delivered> delivered ABSL_GUARDED_BY(mu);
};

// Keeps the command, and acknowledges every second one from the callback
// (which the header allows).
void OnCommand(const mg_command* command, void* user_data) {
  auto* collector = static_cast<Collector*>(user_data);
  Delivered d;
  d.command_id = Text(command->command_id);
  d.case_id = Text(command->case_id);
  d.location_id = Text(command->location_id);
  d.check_id = Text(command->check_id);
  d.line_id = Text(command->line_id);
  d.sku = Text(command->sku);
  d.discount_code = Text(command->discount_code);
  d.reason = Text(command->reason);
  d.json = Text(command->json);
  d.delivery_attempt = command->delivery_attempt;
  d.type = static_cast<int>(command->type);
  d.kind = static_cast<int>(command->kind);
  d.amount_minor = command->amount_minor;
  d.percent_bps = command->percent_bps;
  d.waste = command->waste;
  if (command->delivery_attempt % 2 == 0) {
    d.acknowledged = true;
    d.ack = mg_ack_command(collector->client, command->command_id,
                           MG_ACK_APPLIED, "pos-ref", nullptr);
  }
  absl::MutexLock lock(&collector->mu);
  collector->delivered.push_back(std::move(d));
}

void CheckDelivered(const Delivered& got, const v1::RemedyCommand& sent,
                    const std::vector<v1::AckCommandRequest>& acks) {
  const v1::ApplyRemedyAction& action = sent.apply_remedy();
  FUZZ_CHECK(
      got.command_id == sent.command_id() && got.case_id == sent.case_id() &&
          got.location_id == sent.location_id() &&
          got.check_id == sent.check_id() &&
          got.delivery_attempt == sent.delivery_attempt() &&
          got.type == (sent.has_guest_follow_up() ? MG_COMMAND_GUEST_FOLLOW_UP
                                                  : MG_COMMAND_APPLY_REMEDY) &&
          got.kind == static_cast<int>(action.kind()) &&
          got.line_id == action.line_id() &&
          got.amount_minor == action.amount().minor_units() &&
          got.percent_bps == action.percent_bps() && got.sku == action.sku() &&
          got.discount_code == action.discount_code() &&
          got.reason == action.reason() &&
          got.waste == (action.waste() ? 1 : 0),
      "the callback got another command than " + sent.ShortDebugString());
  v1::RemedyCommand from_json;
  FUZZ_CHECK(
      google::protobuf::util::JsonStringToMessage(got.json, &from_json).ok(),
      "mg_command.json is not a RemedyCommand: " + got.json);
  const std::string differences = Differences(from_json, sent);
  FUZZ_CHECK(differences.empty(),
             "mg_command.json is not the command sent: " + differences);
  if (!got.acknowledged) return;
  FUZZ_CHECK(got.ack == MG_OK,
             absl::StrCat("acknowledging from the callback returned ",
                          mg_status_name(got.ack)));
  bool recorded = false;
  for (const v1::AckCommandRequest& ack : acks) {
    recorded = recorded || (ack.command_id() == sent.command_id() &&
                            ack.result() == v1::AckCommandRequest::APPLIED &&
                            ack.pos_reference() == "pos-ref");
  }
  FUZZ_CHECK(recorded, "the callback's ack of " + sent.command_id() +
                           " never reached makegoodd");
}

// Which argument is NULL, adapter name, then one command per line.
void CallReceive(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 5);
  const char* adapter_name = arguments.String();
  std::vector<v1::RemedyCommand> commands;
  while (!arguments.empty() && commands.size() < kMaxCommands) {
    commands.push_back(CommandFrom(commands.size(), Text(arguments.String())));
  }
  Collector collector;
  collector.client = daemon.client;
  collector.expected = commands.size();
  mg_client* client = mode == 3 ? nullptr : daemon.client;
  const mg_command_callback callback = mode == 4 ? nullptr : OnCommand;
  if (mode >= 3 || Empty(adapter_name)) {
    const mg_status status =
        mg_receive_commands(client, adapter_name, callback, &collector);
    CheckOutcome(status, "mg_receive_commands");
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT,
               absl::StrCat("mg_receive_commands with a wrong argument "
                            "returned ",
                            mg_status_name(status)));
    return;
  }
  // A name that is no plain text may not travel as a proto string: the
  // stream may never open, so nothing is queued for it.
  const bool plain = Plain(adapter_name);
  daemon.recorder.QueueCommands(
      Text(adapter_name), plain ? commands : std::vector<v1::RemedyCommand>());
  daemon.recorder.Update([](Record& record) {
    record.acks.clear();
    record.streams.clear();
  });
  const mg_status status =
      mg_receive_commands(client, adapter_name, callback, &collector);
  CheckOutcome(status, "mg_receive_commands");
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_receive_commands returned ",
                          mg_status_name(status), ": ", mg_last_error()));
  const mg_status again =
      mg_receive_commands(client, adapter_name, callback, &collector);
  CheckOutcome(again, "mg_receive_commands");
  FUZZ_CHECK(again == MG_FAILED_PRECONDITION,
             absl::StrCat("receiving twice returned ", mg_status_name(again)));
  if (!plain) {
    mg_stop_commands(client);
    return;
  }
  // The stream took the commands when it opened: no later call's stream
  // can take them.
  const bool opened =
      daemon.recorder.AwaitStream(Text(adapter_name), absl::Seconds(10));
  bool all_arrived = false;
  if (opened) {
    absl::MutexLock lock(&collector.mu);
    all_arrived = collector.mu.AwaitWithTimeout(
        absl::Condition(&collector, &Collector::AllDeliveredLocked),
        absl::Seconds(10));
  }
  mg_stop_commands(client);
  FUZZ_CHECK(opened, "the command stream did not open within 10 s");
  FUZZ_CHECK(all_arrived, "the commands did not all arrive within 10 s");
  const Record record = daemon.recorder.Snapshot();
  FUZZ_CHECK(record.authorization == Bearer(nullptr),
             "the stream was opened with another token");
  absl::MutexLock lock(&collector.mu);
  FUZZ_CHECK(collector.delivered.size() == commands.size(),
             absl::StrCat(collector.delivered.size(), " deliveries of ",
                          commands.size(), " commands"));
  for (size_t i = 0; i < commands.size(); ++i) {
    CheckDelivered(collector.delivered[i], commands[i], record.acks);
  }
}

void IgnoreCommand(const mg_command*, void*) {}

// Every function with NULL handles and arguments.
void CallWithNulls(Daemon& daemon) {
  mg_client* client = nullptr;
  const mg_connect_options options{daemon.address.c_str(), kClientToken,
                                   nullptr, 1000};
  mg_connect_credentials credentials;
  std::memset(&credentials, 0, sizeof credentials);
  credentials.struct_size = sizeof credentials;
  mg_flag_request flag;
  std::memset(&flag, 0, sizeof flag);
  flag.request_id = "r-1";
  flag.check_id = "1042";
  mg_apply_request apply;
  std::memset(&apply, 0, sizeof apply);
  apply.request_id = "r-2";
  apply.case_id = "RC-1";
  apply.option_id = "o1";
  mg_case* recovery_case = nullptr;
  const std::pair<const char*, mg_status> calls[] = {
      {"mg_connect(NULL options)", mg_connect(nullptr, &client)},
      {"mg_connect(NULL client)", mg_connect(&options, nullptr)},
      {"mg_connect_with_credentials(NULL options)",
       mg_connect_with_credentials(nullptr, &credentials, &client)},
      {"mg_connect_with_credentials(NULL client)",
       mg_connect_with_credentials(&options, &credentials, nullptr)},
      {"mg_publish_events(NULL client)",
       mg_publish_events(nullptr, nullptr, 0, nullptr)},
      {"mg_flag_problem(NULL client)",
       mg_flag_problem(nullptr, &flag, &recovery_case)},
      {"mg_flag_problem(NULL request)",
       mg_flag_problem(daemon.client, nullptr, &recovery_case)},
      {"mg_flag_problem(NULL case)",
       mg_flag_problem(daemon.client, &flag, nullptr)},
      {"mg_apply_remedy(NULL client)",
       mg_apply_remedy(nullptr, &apply, &recovery_case)},
      {"mg_apply_remedy(NULL request)",
       mg_apply_remedy(daemon.client, nullptr, &recovery_case)},
      {"mg_apply_remedy(NULL case)",
       mg_apply_remedy(daemon.client, &apply, nullptr)},
      {"mg_receive_commands(NULL client)",
       mg_receive_commands(nullptr, "pos-1", IgnoreCommand, nullptr)},
      {"mg_receive_commands(NULL name)",
       mg_receive_commands(daemon.client, nullptr, IgnoreCommand, nullptr)},
      {"mg_receive_commands(NULL callback)",
       mg_receive_commands(daemon.client, "pos-1", nullptr, nullptr)},
      {"mg_ack_command(NULL client)",
       mg_ack_command(nullptr, "CMD-1", MG_ACK_APPLIED, nullptr, nullptr)},
      {"mg_ack_command(NULL command)",
       mg_ack_command(daemon.client, nullptr, MG_ACK_APPLIED, nullptr,
                      nullptr)},
  };
  for (const auto& [call, status] : calls) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT,
               absl::StrCat(call, " returned ", mg_status_name(status)));
  }
  FUZZ_CHECK(client == nullptr && recovery_case == nullptr,
             "a failed call handed out a handle");
  size_t count = 1;
  FUZZ_CHECK(Text(mg_case_id(nullptr)).empty() &&
                 Text(mg_case_status(nullptr)).empty() &&
                 Text(mg_case_guidance(nullptr)).empty() &&
                 Text(mg_case_json(nullptr)).empty() &&
                 mg_case_total_cost_minor(nullptr) == 0 &&
                 mg_case_options(nullptr, &count) == nullptr && count == 0 &&
                 mg_case_extras(nullptr, nullptr) == nullptr,
             "a NULL case does not read as empty");
  mg_case_free(nullptr);
  mg_disconnect(nullptr);
  mg_stop_commands(nullptr);
  mg_stop_commands(daemon.client);  // Not receiving: nothing to stop.
}

int Run(const uint8_t* data, size_t size) {
  Daemon& daemon = TheDaemon();
  FuzzInput input(data, size);
  const std::string call = input.Line();
  static constexpr const char* kCalls[] = {"status",  "connect", "publish",
                                           "flag",    "apply",   "ack",
                                           "receive", "null"};
  size_t which = 0;
  for (unsigned char c : call) which = which * 31 + c;
  which %= std::size(kCalls);
  for (size_t i = 0; i < std::size(kCalls); ++i) {
    if (call == kCalls[i]) which = i;
  }
  Arguments arguments(input);
  switch (which) {
    case 0:
      CallStatusName(arguments);
      break;
    case 1:
      CallConnect(arguments, daemon);
      break;
    case 2:
      CallPublish(arguments, daemon);
      break;
    case 3:
      CallFlag(arguments, daemon);
      break;
    case 4:
      CallApply(arguments, daemon);
      break;
    case 5:
      CallAck(arguments, daemon);
      break;
    case 6:
      CallReceive(arguments, daemon);
      break;
    default:
      CallWithNulls(daemon);
      break;
  }
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
