// Fuzz target plugin_c_abi: the C interface of libmakegood_plugin
// (plugin/include/makegood_plugin.h) called with any arguments, as POS
// software in any language may call it, against a fake makegoodd in this
// process, and against an address where nothing listens.
//
// Input: the first line names what to call (status, connect, publish, flag,
// apply, ack, receive, null, approve, outcome, case, watch; any other line
// picks one by its bytes); each further line is an argument, "~" for a NULL
// pointer, a number where a number is wanted (any other text picks one by
// its bytes).
//
// Invariants: no call crashes, whatever it is given; every call returns a
// real mg_status, MG_OK with its result and an empty mg_last_error, or
// another status without a result and with a message; argument errors are
// MG_INVALID_ARGUMENT and send nothing to makegoodd. When the arguments are
// plain text, what reaches makegoodd is what the caller passed (the bearer
// token the staff member's when given) and what the caller gets back is
// what makegoodd answered, its JSON form included; remedy commands arrive
// once each, in order, with their fields, and can be acknowledged from the
// callback. A watch delivers makegoodd's updates once each, in order, with
// their fields; a lost stream is told to the callback and reopened after
// the largest sequence delivered, with its stream_epoch; a refused one
// ends the watch.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <algorithm>
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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fuzz_support.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "makegood_plugin.h"
#include "proto_compare.h"
#include "recovery_watch.h"

namespace makegood::fuzz {
namespace {

constexpr char kClientToken[] = "fuzz-adapter-token";
// Loopback port 1: nothing listens there, a connection is refused at once.
constexpr char kNobodyAddress[] = "127.0.0.1:1";
// The most strings of one array argument, and commands of one stream.
constexpr size_t kMaxArray = 32;
constexpr size_t kMaxCommands = 8;
// The run the fake's watch updates belong to.
constexpr char kFakeEpoch[] = "fake-run-1";

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
  int approve_calls = 0;
  v1::ApproveRemedyRequest approve;
  v1::RecoveryCase approve_answer;
  int outcome_calls = 0;
  v1::RecordOutcomeRequest outcome;
  v1::RecoveryCase outcome_answer;
  int get_calls = 0;
  v1::GetRecoveryRequest get;
  v1::RecoveryCase get_answer;
  // The watch streams of the current CallWatch, in order, with their
  // bearer tokens.
  std::vector<v1::WatchRecoveriesRequest> watches;
  std::vector<std::string> watch_authorizations;
  std::string authorization;  // The last call's header.
  // Command streams opened, by adapter name.
  std::map<std::string, int> streams;
};

// What the first watch stream of a CallWatch sends, and how it ends.
struct WatchScript {
  std::vector<v1::RecoveryUpdate> updates;
  grpc::Status end;
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

  // The script of the next CallWatch; forgets the streams of the last.
  void QueueWatch(WatchScript script) {
    absl::MutexLock lock(&mu_);
    watch_script_ = std::move(script);
    record_.watches.clear();
    record_.watch_authorizations.clear();
  }
  // Records a watch stream opening: the script for the first of a
  // CallWatch, nullopt for the next ones (a watch reconnecting).
  std::optional<WatchScript> WatchOpened(
      const v1::WatchRecoveriesRequest& request,
      const std::string& authorization) {
    absl::MutexLock lock(&mu_);
    record_.watches.push_back(request);
    record_.watch_authorizations.push_back(authorization);
    record_.authorization = authorization;
    if (record_.watches.size() > 1) return std::nullopt;
    return watch_script_;
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
  WatchScript watch_script_ ABSL_GUARDED_BY(mu_);
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

// One server stream: writes its messages, then ends with `end` when given,
// or else stays open, as makegoodd's streams do, until the client cancels
// it (a command stream that ended would be reopened, and could take the
// commands of a later call).
template <typename Message>
class ScriptedStream final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit ScriptedStream(std::vector<Message> messages,
                          std::optional<grpc::Status> end = std::nullopt)
      : messages_(std::move(messages)), end_(std::move(end)) {
    // gRPC holds the write (or the finish) until the stream is bound: no
    // reaction runs before this returns.
    absl::MutexLock lock(&mu_);
    if (!messages_.empty()) {
      writing_ = true;
      this->StartWrite(&messages_[0]);
    } else if (end_.has_value() && TakeFinishLocked()) {
      this->Finish(*end_);
    }
  }

  void OnWriteDone(bool ok) override {
    const Message* next = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok && !cancelled_) {
        if (++written_ < messages_.size()) {
          writing_ = true;
          next = &messages_[written_];
        } else if (end_.has_value() && TakeFinishLocked()) {
          finish = *end_;
        }
      } else if (TakeFinishLocked()) {
        finish = grpc::Status::CANCELLED;
      }
    }
    if (next != nullptr) this->StartWrite(next);
    if (finish.has_value()) this->Finish(*finish);
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      finish = !writing_ && TakeFinishLocked();
    }
    if (finish) this->Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override { delete this; }

 private:
  // True for the one caller that is to call Finish.
  bool TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !std::exchange(finished_, true);
  }

  const std::vector<Message> messages_;
  const std::optional<grpc::Status> end_;
  absl::Mutex mu_;
  size_t written_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class FakeRecovery final
    : public v1::RecoveryService::WithCallbackMethod_WatchRecoveries<
          v1::RecoveryService::Service> {
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

  // The case with the decided remedy: SENT with its command when approved,
  // DENIED with the reason otherwise.
  grpc::Status ApproveRemedy(grpc::ServerContext* context,
                             const v1::ApproveRemedyRequest* request,
                             v1::RecoveryCase* answer) override {
    const int refused = RefusalCode(request->case_id());
    if (refused == 0) {
      answer->set_case_id(request->case_id());
      answer->set_status(request->approve() ? v1::RecoveryCase::REMEDY_APPLIED
                                            : v1::RecoveryCase::OPEN);
      answer->set_guidance(request->reason());
      auto* remedy = answer->add_remedies();
      remedy->set_remedy_application_id(request->remedy_application_id());
      remedy->set_option_id("o2");
      remedy->set_kind(v1::COMP_ITEM);
      remedy->set_status(request->approve() ? v1::AppliedRemedy::SENT
                                            : v1::AppliedRemedy::DENIED);
      *remedy->mutable_cost() = Usd(4800);
      remedy->set_line_id("1");
      remedy->set_requested_by("s-17");
      remedy->set_approved_by("m-2");
      remedy->set_approval_reason("over the SERVER limit");
      if (request->approve()) {
        remedy->set_command_id("CMD-" + request->remedy_application_id());
      } else {
        remedy->set_rejection_reason(request->reason());
      }
      *answer->mutable_total_cost() = Usd(request->approve() ? 4800 : 0);
    }
    recorder_.Update([&](Record& record) {
      ++record.approve_calls;
      record.approve = *request;
      record.approve_answer = *answer;
      record.authorization = AuthorizationOf(*context);
    });
    return refused == 0 ? grpc::Status::OK
                        : Refusal(refused, request->case_id());
  }

  // The case closed or not as the guest answered, with what was recorded.
  grpc::Status RecordOutcome(grpc::ServerContext* context,
                             const v1::RecordOutcomeRequest* request,
                             v1::RecoveryCase* answer) override {
    const int refused = RefusalCode(request->case_id());
    if (refused == 0) {
      answer->set_case_id(request->case_id());
      answer->set_status(
          request->guest_response() == v1::ACCEPTED ? v1::RecoveryCase::RESOLVED
          : request->guest_response() == v1::LEFT ? v1::RecoveryCase::GUEST_LEFT
                                                  : v1::RecoveryCase::OPEN);
      answer->set_guest_response(request->guest_response());
      answer->set_root_cause(request->root_cause());
      answer->set_action_taken(request->action_taken());
      answer->set_guidance(request->action_taken());
    }
    recorder_.Update([&](Record& record) {
      ++record.outcome_calls;
      record.outcome = *request;
      record.outcome_answer = *answer;
      record.authorization = AuthorizationOf(*context);
    });
    return refused == 0 ? grpc::Status::OK
                        : Refusal(refused, request->case_id());
  }

  // A case with one remedy per character of its id (at most 8), of every
  // kind and status, those the header does not name included.
  grpc::Status GetRecovery(grpc::ServerContext* context,
                           const v1::GetRecoveryRequest* request,
                           v1::RecoveryCase* answer) override {
    const int refused = RefusalCode(request->case_id());
    if (refused == 0) {
      const std::string& id = request->case_id();
      answer->set_case_id(id);
      answer->set_status(static_cast<v1::RecoveryCase::Status>(id.size() % 7));
      for (size_t i = 0; i < std::min<size_t>(id.size(), 8); ++i) {
        auto* remedy = answer->add_remedies();
        remedy->set_remedy_application_id(absl::StrCat("RA-", i, "-", id));
        remedy->set_option_id(absl::StrCat("o", i));
        remedy->set_kind(static_cast<v1::RemedyKind>((id.size() + i) % 12));
        remedy->set_status(static_cast<v1::AppliedRemedy::Status>(i % 7));
        *remedy->mutable_cost() = Usd(100 * static_cast<int64_t>(i));
        remedy->set_line_id(i % 2 == 0 ? "" : "1");
        remedy->set_requested_by("s-17");
        remedy->set_approved_by(i % 3 == 0 ? "m-2" : "");
        remedy->set_approval_reason(i % 2 == 0 ? "over the limit" : "");
        remedy->set_command_id(i % 2 == 0 ? "" : absl::StrCat("CMD-", i));
      }
    }
    recorder_.Update([&](Record& record) {
      ++record.get_calls;
      record.get = *request;
      record.get_answer = *answer;
      record.authorization = AuthorizationOf(*context);
    });
    return refused == 0 ? grpc::Status::OK
                        : Refusal(refused, request->case_id());
  }

  using WithCallbackMethod_WatchRecoveries::WatchRecoveries;
  // The first stream of a CallWatch sends its script and ends as it says;
  // a reconnect is told it resumed, and stays open. A staff token "!" + c
  // is refused with a code chosen by c.
  grpc::ServerWriteReactor<v1::RecoveryUpdate>* WatchRecoveries(
      grpc::CallbackServerContext* context,
      const v1::WatchRecoveriesRequest* request) override {
    const std::string authorization = AuthorizationOf(*context);
    const std::string token = authorization.substr(
        std::min(authorization.size(), std::strlen("Bearer ")));
    std::optional<WatchScript> script =
        recorder_.WatchOpened(*request, authorization);
    if (const int refused = RefusalCode(token); refused != 0) {
      return new ScriptedStream<v1::RecoveryUpdate>({},
                                                    Refusal(refused, token));
    }
    if (script.has_value()) {
      return new ScriptedStream<v1::RecoveryUpdate>(std::move(script->updates),
                                                    script->end);
    }
    v1::RecoveryUpdate resumed;
    resumed.set_sequence(request->after_sequence());
    resumed.set_stream_epoch(request->stream_epoch());
    resumed.mutable_caught_up()->set_start(v1::CaughtUp::RESUMED);
    return new ScriptedStream<v1::RecoveryUpdate>({resumed});
  }

 private:
  Recorder& recorder_;
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
    auto* stream = new ScriptedStream<v1::RemedyCommand>(
        recorder_.TakeCommands(request->adapter_name()));
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
    // The checks are of where a lost watch resumes, not of how long it
    // waits first: the default 0.1 s would be most of the time per input.
    plugin::SetFirstWatchRetryForTesting(absl::Milliseconds(1));

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
  const size_t remedies = mg_case_remedy_count(recovery_case);
  FUZZ_CHECK(remedies == static_cast<size_t>(answer.remedies_size()),
             absl::StrCat(remedies, " remedies, makegoodd answered ",
                          answer.remedies_size()));
  FUZZ_CHECK(mg_case_remedy(recovery_case, remedies) == nullptr,
             "a remedy past the last");
  for (size_t i = 0; i < remedies; ++i) {
    const mg_remedy* got = mg_case_remedy(recovery_case, i);
    const v1::AppliedRemedy& want = answer.remedies(static_cast<int>(i));
    const int kind = static_cast<int>(want.kind());
    FUZZ_CHECK(
        got != nullptr &&
            Text(got->remedy_application_id) == want.remedy_application_id() &&
            Text(got->option_id) == want.option_id() &&
            static_cast<int>(got->kind) == (kind <= MG_REMEDY_MANAGER_VISIT
                                                ? kind
                                                : MG_REMEDY_UNSPECIFIED) &&
            Text(got->status) ==
                v1::AppliedRemedy::Status_Name(want.status()) &&
            got->cost_minor == want.cost().minor_units() &&
            Text(got->line_id) == want.line_id() &&
            Text(got->requested_by) == want.requested_by() &&
            Text(got->approved_by) == want.approved_by() &&
            Text(got->approval_reason) == want.approval_reason() &&
            Text(got->command_id) == want.command_id(),
        absl::StrCat("remedy ", i, " is not what makegoodd answered: ",
                     want.ShortDebugString()));
  }
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

// A status: any int, as C lets a caller pass.
void CallStatusName(Arguments& arguments) {
  const int value = static_cast<int>(arguments.Number());
  const char* name = mg_status_name(static_cast<mg_status>(value));
  FUZZ_CHECK(name != nullptr,
             absl::StrCat("mg_status_name(", value, ") is NULL"));
  // mg_status values are the gRPC codes, which absl's are too and names
  // alike: the names come from there, not from a copy of the library's.
  const std::string want =
      value >= MG_OK && value <= MG_UNAUTHENTICATED
          ? absl::StatusCodeToString(static_cast<absl::StatusCode>(value))
          : "UNKNOWN_STATUS";
  FUZZ_CHECK(
      !want.empty() && name == want,
      absl::StrCat("mg_status_name(", value, ") is ", name, ", not ", want));
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
  // -4 to 4 ms: wrong, the default, and deadlines too short to connect.
  int timeout_ms = static_cast<int>(Mod(arguments.Number(), 9)) - 4;
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

// A staff token the library refuses before sending anything.
bool BadToken(const char* token) { return !Empty(token) && !PlainToken(token); }

// The struct_size a mode asks for: 0, too big, or right.
template <typename Struct>
size_t SizeFor(int64_t mode) {
  return mode == 5 ? 0 : mode == 6 ? sizeof(Struct) + 8 : sizeof(Struct);
}

// Which argument is NULL or the struct_size wrong, staff token, request id,
// case, remedy, approve (any int), reason.
void CallApprove(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 8);
  mg_approve_request request;
  std::memset(&request, 0, sizeof request);
  request.struct_size = SizeFor<mg_approve_request>(mode);
  request.staff_token = arguments.String();
  request.request_id = arguments.String();
  request.case_id = arguments.String();
  request.remedy_application_id = arguments.String();
  request.approve = static_cast<int>(arguments.Number());
  request.reason = arguments.String();

  mg_case* recovery_case = nullptr;
  const int calls = daemon.recorder.Snapshot().approve_calls;
  const mg_status status = mg_approve_remedy(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : &request,
      mode == 4 ? nullptr : &recovery_case);
  CheckOutcome(status, "mg_approve_remedy");
  FUZZ_CHECK((status == MG_OK) == (recovery_case != nullptr),
             "mg_approve_remedy's case and status disagree");
  std::unique_ptr<mg_case, void (*)(mg_case*)> owned(recovery_case,
                                                     mg_case_free);
  const Record record = daemon.recorder.Snapshot();
  const bool wrong = (mode >= 2 && mode <= 6) ||
                     BadToken(request.staff_token) ||
                     Empty(request.request_id) || Empty(request.case_id) ||
                     Empty(request.remedy_application_id) ||
                     (request.approve == 0 && Empty(request.reason));
  if (wrong) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.approve_calls == calls,
               absl::StrCat("mg_approve_remedy with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  if (!AllPlain({request.request_id, request.case_id,
                 request.remedy_application_id, request.reason})) {
    return;
  }
  FUZZ_CHECK(record.approve_calls == calls + 1,
             "the approval never reached makegoodd");
  const v1::ApproveRemedyRequest& sent = record.approve;
  FUZZ_CHECK(
      sent.request_id() == Text(request.request_id) &&
          sent.case_id() == Text(request.case_id) &&
          sent.remedy_application_id() == Text(request.remedy_application_id) &&
          sent.approve() == (request.approve != 0) &&
          sent.reason() == Text(request.reason),
      "makegoodd received another approval: " + sent.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(request.staff_token),
             "the approval went with another token than the manager's");
  if (const int code = RefusalCode(sent.case_id()); code != 0) {
    CheckRefused(status, code, "approve: refused " + sent.case_id(),
                 "mg_approve_remedy");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_approve_remedy returned ", mg_status_name(status),
                          ": ", mg_last_error()));
  CheckCase(recovery_case, record.approve_answer);
}

// Which argument is NULL or the struct_size wrong, staff token, request id,
// case, guest response and root cause (any int), action taken.
void CallOutcome(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 8);
  mg_outcome_request request;
  std::memset(&request, 0, sizeof request);
  request.struct_size = SizeFor<mg_outcome_request>(mode);
  request.staff_token = arguments.String();
  request.request_id = arguments.String();
  request.case_id = arguments.String();
  const int response = static_cast<int>(arguments.Number());
  const int cause = static_cast<int>(arguments.Number());
  // As a C caller stores them: the ints themselves.
  std::memcpy(&request.guest_response, &response, sizeof response);
  std::memcpy(&request.root_cause, &cause, sizeof cause);
  request.action_taken = arguments.String();

  mg_case* recovery_case = nullptr;
  const int calls = daemon.recorder.Snapshot().outcome_calls;
  const mg_status status = mg_record_outcome(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : &request,
      mode == 4 ? nullptr : &recovery_case);
  CheckOutcome(status, "mg_record_outcome");
  FUZZ_CHECK((status == MG_OK) == (recovery_case != nullptr),
             "mg_record_outcome's case and status disagree");
  std::unique_ptr<mg_case, void (*)(mg_case*)> owned(recovery_case,
                                                     mg_case_free);
  const Record record = daemon.recorder.Snapshot();
  const bool wrong =
      (mode >= 2 && mode <= 6) || BadToken(request.staff_token) ||
      Empty(request.request_id) || Empty(request.case_id) ||
      response < MG_GUEST_RESPONSE_UNSPECIFIED || response > MG_GUEST_LEFT ||
      cause < MG_ROOT_CAUSE_UNSPECIFIED || cause > MG_ROOT_CAUSE_OTHER ||
      (response == 0 && cause == 0 && Empty(request.action_taken));
  if (wrong) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.outcome_calls == calls,
               absl::StrCat("mg_record_outcome with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  if (!AllPlain({request.request_id, request.case_id, request.action_taken})) {
    return;
  }
  FUZZ_CHECK(record.outcome_calls == calls + 1,
             "the outcome never reached makegoodd");
  const v1::RecordOutcomeRequest& sent = record.outcome;
  FUZZ_CHECK(sent.request_id() == Text(request.request_id) &&
                 sent.case_id() == Text(request.case_id) &&
                 static_cast<int>(sent.guest_response()) == response &&
                 static_cast<int>(sent.root_cause()) == cause &&
                 sent.action_taken() == Text(request.action_taken),
             "makegoodd received another outcome: " + sent.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(request.staff_token),
             "the outcome went with another token than the staff member's");
  if (const int code = RefusalCode(sent.case_id()); code != 0) {
    CheckRefused(status, code, "outcome: refused " + sent.case_id(),
                 "mg_record_outcome");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_record_outcome returned ", mg_status_name(status),
                          ": ", mg_last_error()));
  CheckCase(recovery_case, record.outcome_answer);
}

// Which argument is NULL, staff token, case.
void CallGetCase(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 4);
  const char* staff_token = arguments.String();
  const char* case_id = arguments.String();
  mg_case* recovery_case = nullptr;
  const int calls = daemon.recorder.Snapshot().get_calls;
  const mg_status status =
      mg_get_case(mode == 2 ? nullptr : daemon.client, staff_token, case_id,
                  mode == 3 ? nullptr : &recovery_case);
  CheckOutcome(status, "mg_get_case");
  FUZZ_CHECK((status == MG_OK) == (recovery_case != nullptr),
             "mg_get_case's case and status disagree");
  std::unique_ptr<mg_case, void (*)(mg_case*)> owned(recovery_case,
                                                     mg_case_free);
  const Record record = daemon.recorder.Snapshot();
  if (mode >= 2 || BadToken(staff_token) || Empty(case_id)) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT && record.get_calls == calls,
               absl::StrCat("mg_get_case with a wrong argument returned ",
                            mg_status_name(status), " or called makegoodd"));
    return;
  }
  if (!Plain(case_id)) return;
  FUZZ_CHECK(
      record.get_calls == calls + 1 && record.get.case_id() == Text(case_id),
      "makegoodd was not asked for the case: " + record.get.ShortDebugString());
  FUZZ_CHECK(record.authorization == Bearer(staff_token),
             "the read went with another token than the staff member's");
  if (const int code = RefusalCode(Text(case_id)); code != 0) {
    CheckRefused(status, code, "get case: refused " + Text(case_id),
                 "mg_get_case");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_get_case returned ", mg_status_name(status), ": ",
                          mg_last_error()));
  CheckCase(recovery_case, record.get_answer);
}

// An update of the fake's run made from `line`: a case change, an alert,
// a caught_up or an update of no kind the header names, by its length; a
// line starting "S" is part of a snapshot (sequence 0).
v1::RecoveryUpdate UpdateFrom(size_t index, const std::string& line) {
  std::string text;
  for (unsigned char c : line.substr(0, 64)) {
    text.push_back(static_cast<char>(0x20 + c % 95));
  }
  const int choice = static_cast<int>(text.size() / 4);
  v1::RecoveryUpdate update;
  update.set_stream_epoch(kFakeEpoch);
  update.set_sequence(static_cast<int64_t>(index) + 1);
  update.mutable_at()->set_seconds(1'790'000'000 + text.size());
  switch (text.size() % 4) {
    case 0: {
      v1::RecoveryCase& changed = *update.mutable_case_changed();
      changed.set_case_id("RC-" + text);
      changed.set_status(static_cast<v1::RecoveryCase::Status>(choice % 7));
      changed.set_guidance(text);
      auto* remedy = changed.add_remedies();
      remedy->set_remedy_application_id("RA-" + text);
      remedy->set_kind(static_cast<v1::RemedyKind>(choice % 12));
      remedy->set_status(static_cast<v1::AppliedRemedy::Status>(choice % 7));
      *remedy->mutable_cost() = Usd(static_cast<int64_t>(text.size()) * 100);
      *changed.mutable_total_cost() = remedy->cost();
      break;
    }
    case 1: {
      v1::Alert& alert = *update.mutable_alert();
      alert.set_alert_id("AL-" + text);
      alert.set_kind(static_cast<v1::Alert::Kind>(choice % 8));
      alert.set_case_id(choice % 3 == 0 ? "" : "RC-" + text);
      alert.set_check_id(text);
      alert.set_message(text);
      switch (choice % 4) {
        case 1:
          alert.mutable_approval_asked()->set_remedy_application_id("RA-" +
                                                                    text);
          *alert.mutable_approval_asked()->mutable_cost() =
              Usd(static_cast<int64_t>(text.size()));
          break;
        case 2:
          alert.mutable_manager_visit()->set_remedy_application_id("RV-" +
                                                                   text);
          break;
        case 3:
          alert.mutable_command_rejected()->set_remedy_application_id("RJ-" +
                                                                      text);
          break;
        default:
          break;
      }
      break;
    }
    case 2:
      update.mutable_caught_up()->set_start(
          static_cast<v1::CaughtUp::Start>(choice % 6));
      update.mutable_caught_up()->set_updates(choice);
      break;
    default:
      break;  // No update kind: a newer makegoodd's.
  }
  if (!text.empty() && text[0] == 'S' && !update.has_caught_up()) {
    update.set_sequence(0);
    update.set_snapshot(true);
  }
  return update;
}

// How the first stream of a CallWatch ends, by `choice`: lost (UNAVAILABLE,
// or OK as when makegoodd stops), or refused.
grpc::Status WatchEnd(int64_t choice) {
  switch (Mod(choice, 3)) {
    case 0:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "makegoodd stopping");
    case 1:
      return grpc::Status::OK;
    default:
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "revoked");
  }
}

// The update the header describes for `sent`, checked during the callback
// (its pointers live that long).
void CheckUpdate(const mg_watch_update& got, const v1::RecoveryUpdate& sent) {
  const std::string at =
      sent.has_at() ? google::protobuf::util::TimeUtil::ToString(sent.at())
                    : "";
  FUZZ_CHECK(
      got.sequence == sent.sequence() &&
          Text(got.stream_epoch) == sent.stream_epoch() &&
          (got.snapshot != 0) == sent.snapshot() && Text(got.at) == at &&
          got.status == MG_OK && Text(got.error).empty(),
      "the update is not what makegoodd sent: " + sent.ShortDebugString());
  for (const char* text :
       {got.stream_epoch, got.at, got.alert_id, got.case_id, got.check_id,
        got.message, got.remedy_application_id, got.error, got.json}) {
    FUZZ_CHECK(text != nullptr, "a NULL string in an mg_watch_update");
  }
  v1::RecoveryUpdate from_json;
  FUZZ_CHECK(
      google::protobuf::util::JsonStringToMessage(got.json, &from_json).ok(),
      "mg_watch_update.json is not a RecoveryUpdate: " + Text(got.json));
  const std::string differences = Differences(from_json, sent);
  FUZZ_CHECK(differences.empty(),
             "mg_watch_update.json is not the update sent: " + differences);
  if (sent.has_case_changed()) {
    FUZZ_CHECK(
        got.change == MG_WATCH_CASE_CHANGED && got.recovery_case != nullptr,
        "a case change delivered as " + std::to_string(got.change));
    FUZZ_CHECK(
        Text(got.case_id) == sent.case_changed().case_id(),
        "a case change's case_id is not its case's: " + Text(got.case_id));
    CheckCase(got.recovery_case, sent.case_changed());
    return;
  }
  FUZZ_CHECK(got.recovery_case == nullptr, "a case with an update of none");
  if (sent.has_alert()) {
    const v1::Alert& alert = sent.alert();
    const int kind = static_cast<int>(alert.kind());
    std::string remedy;
    if (alert.has_approval_asked()) {
      remedy = alert.approval_asked().remedy_application_id();
    }
    if (alert.has_manager_visit()) {
      remedy = alert.manager_visit().remedy_application_id();
    }
    if (alert.has_command_rejected()) {
      remedy = alert.command_rejected().remedy_application_id();
    }
    FUZZ_CHECK(
        got.change == MG_WATCH_ALERT &&
            static_cast<int>(got.alert_kind) ==
                (kind <= MG_ALERT_ADAPTER_PROBLEM ? kind
                                                  : MG_ALERT_UNSPECIFIED) &&
            Text(got.alert_id) == alert.alert_id() &&
            Text(got.case_id) == alert.case_id() &&
            Text(got.check_id) == alert.check_id() &&
            Text(got.message) == alert.message() &&
            Text(got.remedy_application_id) == remedy &&
            got.cost_minor == alert.approval_asked().cost().minor_units(),
        "the alert is not what makegoodd sent: " + alert.ShortDebugString());
    return;
  }
  if (sent.has_caught_up()) {
    const int start = static_cast<int>(sent.caught_up().start());
    FUZZ_CHECK(
        got.change == MG_WATCH_CAUGHT_UP &&
            static_cast<int>(got.start) ==
                (start <= MG_WATCH_START_SNAPSHOT_OTHER_RUN
                     ? start
                     : MG_WATCH_START_UNSPECIFIED) &&
            got.catch_up_updates == sent.caught_up().updates(),
        "the caught_up is not what makegoodd sent: " + sent.ShortDebugString());
    return;
  }
  FUZZ_CHECK(got.change == MG_WATCH_OTHER,
             "an update of no kind delivered as " + std::to_string(got.change));
}

// What a watch's callback was given, against the fake's script.
struct WatchCollector {
  struct Seen {
    mg_watch_change change = MG_WATCH_OTHER;
    mg_watch_start start = MG_WATCH_START_UNSPECIFIED;
    mg_status status = MG_OK;
    std::string error;
  };

  // Ends the watch's deliveries: the updates, then the end the first
  // stream's `end` makes (an MG_WATCH_LOST and the reconnect's caught_up,
  // or an MG_WATCH_ENDED).
  bool DoneLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return seen.size() >= script.size() + 2 ||
           (seen.size() == script.size() + 1 &&
            seen.back().change == MG_WATCH_ENDED);
  }

  // True once done, false after 10 s.
  bool AwaitDone() {
    absl::MutexLock lock(&mu);
    return mu.AwaitWithTimeout(
        absl::Condition(this, &WatchCollector::DoneLocked), absl::Seconds(10));
  }

  std::vector<v1::RecoveryUpdate> script;
  absl::Mutex mu;
  std::vector<Seen> seen ABSL_GUARDED_BY(mu);
};

void OnWatchUpdate(const mg_watch_update* update, void* user_data) {
  auto* collector = static_cast<WatchCollector*>(user_data);
  FUZZ_CHECK(update != nullptr, "a NULL mg_watch_update");
  size_t index = 0;
  {
    absl::MutexLock lock(&collector->mu);
    index = collector->seen.size();
  }
  // One call at a time: nobody else appends meanwhile.
  if (index < collector->script.size()) {
    CheckUpdate(*update, collector->script[index]);
  }
  WatchCollector::Seen seen;
  seen.change = update->change;
  seen.start = update->start;
  seen.status = update->status;
  seen.error = Text(update->error);
  absl::MutexLock lock(&collector->mu);
  collector->seen.push_back(std::move(seen));
}

// Which argument is NULL or the struct_size wrong, staff token, after
// sequence, stream epoch, how the first stream ends, then one update per
// line.
void CallWatch(Arguments& arguments, Daemon& daemon) {
  const int64_t mode = Mod(arguments.Number(), 8);
  mg_watch_options options;
  std::memset(&options, 0, sizeof options);
  options.struct_size = SizeFor<mg_watch_options>(mode);
  options.staff_token = arguments.String();
  options.after_sequence = arguments.Number();
  options.stream_epoch = arguments.String();
  const grpc::Status end = WatchEnd(arguments.Number());
  WatchCollector collector;
  while (!arguments.empty() && collector.script.size() < kMaxCommands) {
    collector.script.push_back(
        UpdateFrom(collector.script.size(), Text(arguments.String())));
  }
  daemon.recorder.QueueWatch({collector.script, end});

  mg_watch* watch = nullptr;
  const mg_status status = mg_watch_recoveries(
      mode == 2 ? nullptr : daemon.client, mode == 3 ? nullptr : &options,
      mode == 4 ? nullptr : OnWatchUpdate, &collector,
      mode == 7 ? nullptr : &watch);
  CheckOutcome(status, "mg_watch_recoveries");
  FUZZ_CHECK((status == MG_OK) == (watch != nullptr),
             "mg_watch_recoveries's watch and status disagree");
  const bool wrong =
      (mode >= 2 && mode <= 7) || BadToken(options.staff_token) ||
      options.after_sequence < 0 ||
      (options.after_sequence > 0 && Empty(options.stream_epoch));
  if (wrong) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT &&
                   daemon.recorder.Snapshot().watches.empty(),
               absl::StrCat("mg_watch_recoveries with a wrong argument "
                            "returned ",
                            mg_status_name(status), " or called makegoodd"));
    absl::MutexLock lock(&collector.mu);
    FUZZ_CHECK(collector.seen.empty(), "a refused watch called back");
    return;
  }
  if (options.after_sequence > 0 && !Plain(options.stream_epoch)) {
    // An epoch that is no proto string: whatever makegoodd makes of it,
    // the watch ends cleanly, once its streams are done with (a stream
    // still opening could take a later call's script).
    if (watch != nullptr) collector.AwaitDone();
    mg_watch_stop(watch);
    return;
  }
  const std::string token = Text(options.staff_token);
  const int refused = RefusalCode(token);
  if (refused != 0 || collector.script.empty()) {
    // The first stream ends before it sends anything: the start fails
    // with its status, and nothing is called back.
    FUZZ_CHECK(status != MG_OK,
               "a watch started on a stream that sent "
               "nothing");
    if (refused != 0) {
      CheckRefused(status, refused, "watch: refused " + token,
                   "mg_watch_recoveries");
    } else {
      FUZZ_CHECK(
          static_cast<int>(status) ==
              (end.ok() ? MG_UNAVAILABLE : static_cast<int>(end.error_code())),
          absl::StrCat("a first stream that ended with ", end.error_code(),
                       " returned ", mg_status_name(status)));
    }
    absl::MutexLock lock(&collector.mu);
    FUZZ_CHECK(collector.seen.empty(), "a watch that failed called back");
    return;
  }
  FUZZ_CHECK(status == MG_OK,
             absl::StrCat("mg_watch_recoveries returned ",
                          mg_status_name(status), ": ", mg_last_error()));
  const bool done = collector.AwaitDone();
  mg_watch_stop(watch);
  FUZZ_CHECK(done, "the watch did not deliver its updates within 10 s");
  const Record record = daemon.recorder.Snapshot();
  absl::MutexLock lock(&collector.mu);
  const size_t n = collector.script.size();
  FUZZ_CHECK(!record.watches.empty() &&
                 record.watch_authorizations[0] == Bearer(options.staff_token),
             "the watch went with another token than the manager's");
  const v1::WatchRecoveriesRequest& first = record.watches[0];
  FUZZ_CHECK(
      first.after_sequence() == options.after_sequence &&
          first.stream_epoch() ==
              (options.after_sequence > 0 ? Text(options.stream_epoch) : ""),
      "the watch did not start where it was asked to: " +
          first.ShortDebugString());
  const WatchCollector::Seen& lost = collector.seen[n];
  const std::string error =
      "watch: " + (end.ok() ? std::string("makegoodd ended the stream")
                            : end.error_message());
  if (!end.ok() && end.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    FUZZ_CHECK(lost.change == MG_WATCH_ENDED &&
                   lost.status == MG_PERMISSION_DENIED && lost.error == error,
               "a refused stream did not end the watch: " + lost.error);
    FUZZ_CHECK(collector.seen.size() == n + 1 && record.watches.size() == 1,
               "a refused watch went on");
    return;
  }
  FUZZ_CHECK(
      lost.change == MG_WATCH_LOST &&
          static_cast<int>(lost.status) == static_cast<int>(end.error_code()) &&
          lost.error == error,
      "a lost stream was not told as lost: " + lost.error);
  FUZZ_CHECK(collector.seen[n + 1].change == MG_WATCH_CAUGHT_UP &&
                 collector.seen[n + 1].start == MG_WATCH_START_RESUMED,
             "the reopened stream's caught_up did not arrive");
  // The contract's resume point: the largest sequence delivered, with its
  // run, else where the watch started.
  int64_t largest = 0;
  for (const v1::RecoveryUpdate& update : collector.script) {
    largest = std::max(largest, update.sequence());
  }
  if (Text(options.stream_epoch) == kFakeEpoch) return;  // Runs mix.
  const int64_t after = largest > 0 ? largest : first.after_sequence();
  const std::string epoch = largest > 0 ? kFakeEpoch : first.stream_epoch();
  FUZZ_CHECK(record.watches.size() >= 2 &&
                 record.watches[1].after_sequence() == after &&
                 record.watches[1].stream_epoch() == epoch,
             absl::StrCat("the watch resumed from ",
                          record.watches.size() >= 2
                              ? record.watches[1].ShortDebugString()
                              : "nothing",
                          ", not after ", after, " of ", epoch));
}

void IgnoreCommand(const mg_command*, void*) {}
void IgnoreUpdate(const mg_watch_update*, void*) {}

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
  mg_approve_request approve;
  std::memset(&approve, 0, sizeof approve);
  approve.struct_size = sizeof approve;
  approve.request_id = "r-3";
  approve.case_id = "RC-1";
  approve.remedy_application_id = "RA-1";
  approve.approve = 1;
  mg_outcome_request outcome;
  std::memset(&outcome, 0, sizeof outcome);
  outcome.struct_size = sizeof outcome;
  outcome.request_id = "r-4";
  outcome.case_id = "RC-1";
  outcome.guest_response = MG_GUEST_ACCEPTED;
  mg_watch_options watch_options;
  std::memset(&watch_options, 0, sizeof watch_options);
  watch_options.struct_size = sizeof watch_options;
  mg_case* recovery_case = nullptr;
  mg_watch* watch = nullptr;
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
      {"mg_approve_remedy(NULL client)",
       mg_approve_remedy(nullptr, &approve, &recovery_case)},
      {"mg_approve_remedy(NULL request)",
       mg_approve_remedy(daemon.client, nullptr, &recovery_case)},
      {"mg_approve_remedy(NULL case)",
       mg_approve_remedy(daemon.client, &approve, nullptr)},
      {"mg_record_outcome(NULL client)",
       mg_record_outcome(nullptr, &outcome, &recovery_case)},
      {"mg_record_outcome(NULL request)",
       mg_record_outcome(daemon.client, nullptr, &recovery_case)},
      {"mg_record_outcome(NULL case)",
       mg_record_outcome(daemon.client, &outcome, nullptr)},
      {"mg_get_case(NULL client)",
       mg_get_case(nullptr, nullptr, "RC-1", &recovery_case)},
      {"mg_get_case(NULL case id)",
       mg_get_case(daemon.client, nullptr, nullptr, &recovery_case)},
      {"mg_get_case(NULL case)",
       mg_get_case(daemon.client, nullptr, "RC-1", nullptr)},
      {"mg_watch_recoveries(NULL client)",
       mg_watch_recoveries(nullptr, &watch_options, IgnoreUpdate, nullptr,
                           &watch)},
      {"mg_watch_recoveries(NULL options)",
       mg_watch_recoveries(daemon.client, nullptr, IgnoreUpdate, nullptr,
                           &watch)},
      {"mg_watch_recoveries(NULL callback)",
       mg_watch_recoveries(daemon.client, &watch_options, nullptr, nullptr,
                           &watch)},
      {"mg_watch_recoveries(NULL watch)",
       mg_watch_recoveries(daemon.client, &watch_options, IgnoreUpdate, nullptr,
                           nullptr)},
  };
  for (const auto& [call, status] : calls) {
    FUZZ_CHECK(status == MG_INVALID_ARGUMENT,
               absl::StrCat(call, " returned ", mg_status_name(status)));
  }
  FUZZ_CHECK(client == nullptr && recovery_case == nullptr && watch == nullptr,
             "a failed call handed out a handle");
  size_t count = 1;
  FUZZ_CHECK(Text(mg_case_id(nullptr)).empty() &&
                 Text(mg_case_status(nullptr)).empty() &&
                 Text(mg_case_guidance(nullptr)).empty() &&
                 Text(mg_case_json(nullptr)).empty() &&
                 mg_case_total_cost_minor(nullptr) == 0 &&
                 mg_case_options(nullptr, &count) == nullptr && count == 0 &&
                 mg_case_extras(nullptr, nullptr) == nullptr &&
                 mg_case_remedy_count(nullptr) == 0 &&
                 mg_case_remedy(nullptr, 0) == nullptr,
             "a NULL case does not read as empty");
  mg_case_free(nullptr);
  mg_watch_stop(nullptr);
  mg_disconnect(nullptr);
  mg_stop_commands(nullptr);
  mg_stop_commands(daemon.client);  // Not receiving: nothing to stop.
}

int Run(const uint8_t* data, size_t size) {
  Daemon& daemon = TheDaemon();
  FuzzInput input(data, size);
  const std::string call = input.Line();
  static constexpr const char* kCalls[] = {
      "status",  "connect", "publish", "flag",    "apply", "ack",
      "receive", "null",    "approve", "outcome", "case",  "watch"};
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
    case 8:
      CallApprove(arguments, daemon);
      break;
    case 9:
      CallOutcome(arguments, daemon);
      break;
    case 10:
      CallGetCase(arguments, daemon);
      break;
    case 11:
      CallWatch(arguments, daemon);
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
