// The C functions of makegood_plugin.h over the makegood.v1 gRPC contract.
// Every entry point catches everything: no exception crosses the C ABI.

#include "makegood_plugin.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/command_receiver.h"
#include "client/connection.h"
#include "client/token_file.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "last_error.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"
#include "recovery_watch.h"

struct mg_client {
  std::shared_ptr<grpc::Channel> channel;
  std::string token;
  std::chrono::milliseconds timeout;
  std::unique_ptr<makegood::v1::OrderEventService::Stub> events;
  std::unique_ptr<makegood::v1::RecoveryService::Stub> recovery;
  std::unique_ptr<makegood::v1::RemedyCommandService::Stub> commands;

  absl::Mutex mu;
  std::unique_ptr<makegood::client::CommandReceiver> receiver
      ABSL_GUARDED_BY(mu);
};

struct mg_case {
  makegood::v1::RecoveryCase proto;
  std::string status;
  std::string json;
  std::vector<mg_option> options;
  std::vector<mg_option> extras;
  // The remedies' status names, which `remedies` points into.
  std::vector<std::string> remedy_statuses;
  std::vector<mg_remedy> remedies;
};

struct mg_watch {
  std::unique_ptr<makegood::plugin::RecoveryWatch> watch;
};

namespace makegood::plugin {
namespace {

using google::protobuf::util::JsonPrintOptions;
using google::protobuf::util::JsonStringToMessage;
using google::protobuf::util::MessageToJsonString;

bool Empty(const char* text) { return text == nullptr || *text == '\0'; }

// The integer a C caller passed where the header declares one of its enums
// (a parameter or a field of a struct the caller filled). C lets any int
// through; in C++ reading an enum object that holds a value outside its
// enumerators' range is undefined, so its bytes are copied out as the int
// they are, before anything compares or converts them.
template <typename Enum>
int IntegerOf(const Enum& value) {
  static_assert(std::is_enum_v<Enum> && sizeof(Enum) == sizeof(int),
                "the header's enums travel as int");
  int integer = 0;
  std::memcpy(&integer, &value, sizeof integer);
  return integer;
}

// A kind as the header names it; a kind this header does not know (from a
// newer makegoodd) reads as MG_REMEDY_UNSPECIFIED, the JSON has it.
mg_remedy_kind RemedyKindOf(int kind) {
  if (kind < MG_REMEDY_UNSPECIFIED || kind > MG_REMEDY_MANAGER_VISIT) {
    return MG_REMEDY_UNSPECIFIED;
  }
  return static_cast<mg_remedy_kind>(kind);
}

// MG_OK for a token that may travel as a bearer token, else
// MG_INVALID_ARGUMENT naming `name`; never repeats the token. gRPC aborts
// the process on metadata it cannot carry.
mg_status CheckToken(const char* token, const char* name) {
  if (makegood::client::IsWellFormedToken(token)) return MG_OK;
  return Fail(MG_INVALID_ARGUMENT,
              std::string(name) +
                  " is not a token: a token is printable ASCII without "
                  "spaces (bytes 0x21 to 0x7E)");
}

// CheckToken for a staff token, which may be NULL or "": the client's own
// token then, checked when it connected.
mg_status CheckStaffToken(const char* token, const char* name) {
  if (Empty(token)) return MG_OK;
  return CheckToken(token, name);
}

std::string ToJson(const google::protobuf::Message& message) {
  JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  std::string json;
  (void)MessageToJsonString(message, &json, options);
  return json;
}

// A call's context: the deadline and the bearer token, the staff member's
// when one is given.
std::unique_ptr<grpc::ClientContext> NewContext(const mg_client& client,
                                                const char* token_override,
                                                bool with_deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (with_deadline) {
    context->set_deadline(std::chrono::system_clock::now() + client.timeout);
  }
  makegood::client::AddBearerToken(
      *context, Empty(token_override) ? client.token : token_override);
  return context;
}

std::vector<mg_option> OptionsOf(
    const google::protobuf::RepeatedPtrField<makegood::v1::RemedyOption>&
        options) {
  std::vector<mg_option> out;
  for (const auto& option : options) {
    out.push_back(mg_option{option.option_id().c_str(), option.label().c_str(),
                            RemedyKindOf(option.kind()),
                            option.estimated_cost().minor_units()});
  }
  return out;
}

// The case's remedies as C structs pointing into `c`, its statuses first:
// the strings must not move once pointed to.
void FillRemedies(mg_case& c) {
  for (const auto& remedy : c.proto.remedies()) {
    c.remedy_statuses.push_back(
        makegood::v1::AppliedRemedy::Status_Name(remedy.status()));
  }
  for (int i = 0; i < c.proto.remedies_size(); ++i) {
    const makegood::v1::AppliedRemedy& remedy = c.proto.remedies(i);
    mg_remedy r{};
    r.remedy_application_id = remedy.remedy_application_id().c_str();
    r.option_id = remedy.option_id().c_str();
    r.kind = RemedyKindOf(remedy.kind());
    r.status = c.remedy_statuses[static_cast<size_t>(i)].c_str();
    r.cost_minor = remedy.cost().minor_units();
    r.line_id = remedy.line_id().c_str();
    r.requested_by = remedy.requested_by().c_str();
    r.approved_by = remedy.approved_by().c_str();
    r.approval_reason = remedy.approval_reason().c_str();
    r.command_id = remedy.command_id().c_str();
    c.remedies.push_back(r);
  }
}

// Moves the answer into a handle; the option and remedy arrays point into
// it.
mg_case* NewCase(makegood::v1::RecoveryCase proto) {
  auto recovery_case = std::make_unique<mg_case>();
  recovery_case->proto = std::move(proto);
  recovery_case->status =
      makegood::v1::RecoveryCase::Status_Name(recovery_case->proto.status());
  recovery_case->json = ToJson(recovery_case->proto);
  recovery_case->options = OptionsOf(recovery_case->proto.options());
  recovery_case->extras = OptionsOf(recovery_case->proto.extras());
  FillRemedies(*recovery_case);
  return recovery_case.release();
}

mg_status RequireText(const char* value, const char* name) {
  if (Empty(value)) {
    return Fail(MG_INVALID_ARGUMENT, std::string(name) + " is required");
  }
  return MG_OK;
}

// MG_OK for the struct_size of a struct the caller filled that this
// library can read: from its first version's size to this header's.
// `field` names the struct_size, `type` the struct.
mg_status CheckStructSize(size_t size, size_t first, size_t current,
                          const char* field, const char* type) {
  if (size >= first && size <= current) return MG_OK;
  return Fail(MG_INVALID_ARGUMENT,
              std::string(field) + " is " + std::to_string(size) +
                  ": set it to sizeof(" + type + ") (this library knows " +
                  std::to_string(first) + " to " + std::to_string(current) +
                  ")");
}

// The size of each sized struct's first version, which a caller compiled
// against that header passes: up to the end of its last field then. Frozen
// as such, so that it stays put when fields are added.
constexpr size_t kCredentialsSize = sizeof(mg_connect_credentials);
constexpr size_t kFirstCredentialsSize =
    offsetof(mg_connect_credentials, tls_key_file) +
    sizeof(mg_connect_credentials::tls_key_file);
constexpr size_t kFirstApproveRequestSize =
    offsetof(mg_approve_request, reason) + sizeof(mg_approve_request::reason);
constexpr size_t kFirstOutcomeRequestSize =
    offsetof(mg_outcome_request, action_taken) +
    sizeof(mg_outcome_request::action_taken);
constexpr size_t kFirstWatchOptionsSize =
    offsetof(mg_watch_options, stream_epoch) +
    sizeof(mg_watch_options::stream_epoch);
// The structs added with MAKEGOOD_PLUGIN_1.1 are still in their first
// version, and it ends with its last field (no padding): its sizeof is
// what these sizes say. A field added to one fails its check here: read
// the new field only when struct_size covers it, then drop the check.
static_assert(kFirstApproveRequestSize == sizeof(mg_approve_request),
              "mg_approve_request grew: read a new field only when struct_size "
              "covers it, then drop this check");
static_assert(kFirstOutcomeRequestSize == sizeof(mg_outcome_request),
              "mg_outcome_request grew: read a new field only when struct_size "
              "covers it, then drop this check");
static_assert(kFirstWatchOptionsSize == sizeof(mg_watch_options),
              "mg_watch_options grew: read a new field only when struct_size "
              "covers it, then drop this check");

// The token: options.token, or the one in credentials.token_file.
mg_status TokenOf(const mg_connect_options& options,
                  const mg_connect_credentials* credentials,
                  std::string* token) {
  const bool from_file =
      credentials != nullptr && !Empty(credentials->token_file);
  if (from_file && !Empty(options.token)) {
    return Fail(MG_INVALID_ARGUMENT,
                "options.token and credentials.token_file: give one, not "
                "both");
  }
  if (!from_file) {
    if (mg_status s = RequireText(options.token, "options.token"); s != MG_OK)
      return s;
    if (mg_status s = CheckToken(options.token, "options.token"); s != MG_OK)
      return s;
    *token = options.token;
    return MG_OK;
  }
  auto read = makegood::client::ReadTokenFile(credentials->token_file);
  if (!read.ok()) {
    return Fail(MG_INVALID_ARGUMENT, "credentials.token_file: " +
                                         std::string(read.status().message()));
  }
  *token = std::move(read->token);
  return MG_OK;
}

mg_status Connect(const mg_connect_options* options,
                  const mg_connect_credentials* credentials, mg_client** out) {
  if (out == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  *out = nullptr;
  if (options == nullptr) return Fail(MG_INVALID_ARGUMENT, "options is NULL");
  if (credentials != nullptr) {
    if (mg_status s = CheckStructSize(
            credentials->struct_size, kFirstCredentialsSize, kCredentialsSize,
            "credentials.struct_size", "mg_connect_credentials");
        s != MG_OK) {
      return s;
    }
  }
  if (mg_status s = RequireText(options->target, "options.target"); s != MG_OK)
    return s;
  std::string token;
  if (mg_status s = TokenOf(*options, credentials, &token); s != MG_OK) {
    return s;
  }
  if (options->timeout_ms < 0) {
    return Fail(MG_INVALID_ARGUMENT, "options.timeout_ms must not be negative");
  }
  makegood::client::ConnectionOptions connection;
  connection.server = options->target;
  if (!Empty(options->tls_ca_file))
    connection.tls_ca_file = options->tls_ca_file;
  if (credentials != nullptr) {
    if (!Empty(credentials->tls_cert_file)) {
      connection.tls_cert_file = credentials->tls_cert_file;
    }
    if (!Empty(credentials->tls_key_file)) {
      connection.tls_key_file = credentials->tls_key_file;
    }
  }
  makegood::client::TlsSettingNames names;
  names.ca_file = "options.tls_ca_file";
  names.cert_file = "credentials.tls_cert_file";
  names.key_file = "credentials.tls_key_file";
  auto credentials_for_channel =
      makegood::client::ChannelCredentialsFor(connection, names);
  if (!credentials_for_channel.ok()) {
    return Fail(MG_INVALID_ARGUMENT,
                std::string(credentials_for_channel.status().message()));
  }
  auto client = std::make_unique<mg_client>();
  // Keepalive: a command or watch stream over a half-open connection ends,
  // and is reopened, instead of waiting forever. A lost connection is
  // retried at least every 5 s (gRPC's own backoff grows to 2 minutes):
  // the streams are back soon after makegoodd is.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  client->channel = grpc::CreateCustomChannel(
      options->target, *credentials_for_channel,
      makegood::client::WithKeepalive(std::move(arguments)));
  client->token = std::move(token);
  client->timeout = std::chrono::milliseconds(
      options->timeout_ms == 0 ? 10000 : options->timeout_ms);
  client->events = makegood::v1::OrderEventService::NewStub(client->channel);
  client->recovery = makegood::v1::RecoveryService::NewStub(client->channel);
  client->commands =
      makegood::v1::RemedyCommandService::NewStub(client->channel);

  // An empty batch proves the server answers and takes the token as an
  // ADAPTER's, without storing anything.
  auto context = NewContext(*client, nullptr, true);
  context->set_wait_for_ready(true);
  makegood::v1::PublishBatchRequest empty;
  makegood::v1::PublishSummary summary;
  grpc::Status answered =
      client->events->PublishBatch(context.get(), empty, &summary);
  if (answered.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      client->channel->GetState(false) != GRPC_CHANNEL_READY) {
    // Never connected within the deadline: a call that does not wait for
    // a connection says why (UNAVAILABLE: refused, or the TLS handshake,
    // with gRPC's reason).
    auto again = NewContext(*client, nullptr, true);
    answered = client->events->PublishBatch(again.get(), empty, &summary);
  }
  if (mg_status s = FromGrpc(answered, "connect"); s != MG_OK) return s;
  *out = client.release();
  return MG_OK;
}

mg_status PublishEvents(mg_client* client, const char* const* events_json,
                        size_t count, mg_publish_summary* summary) {
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (summary != nullptr) *summary = mg_publish_summary{0, 0, 0};
  if (count > 0 && events_json == nullptr) {
    return Fail(MG_INVALID_ARGUMENT, "events_json is NULL");
  }
  makegood::v1::PublishBatchRequest request;
  for (size_t i = 0; i < count; ++i) {
    const std::string where = "event " + std::to_string(i);
    if (events_json[i] == nullptr) {
      return Fail(MG_INVALID_ARGUMENT, where + " is NULL");
    }
    google::protobuf::util::Status parsed =
        JsonStringToMessage(events_json[i], request.add_events());
    if (!parsed.ok()) {
      return Fail(MG_INVALID_ARGUMENT, where +
                                           " is not an OrderEvent in JSON: " +
                                           std::string(parsed.message()));
    }
  }
  auto context = NewContext(*client, nullptr, true);
  makegood::v1::PublishSummary answer;
  if (mg_status s = FromGrpc(
          client->events->PublishBatch(context.get(), request, &answer),
          "publish");
      s != MG_OK) {
    return s;
  }
  if (summary != nullptr) {
    *summary = mg_publish_summary{answer.accepted(), answer.duplicates(),
                                  answer.rejected()};
  }
  if (answer.rejections_size() > 0) {
    const auto& first = answer.rejections(0);
    return Fail(MG_INVALID_ARGUMENT, "event " + std::to_string(first.index()) +
                                         " (" + first.event_id() +
                                         ") rejected: " + first.reason());
  }
  return MG_OK;
}

// Copies a C array of strings into `add`; INVALID_ARGUMENT naming a NULL.
template <typename Add>
mg_status CopyStrings(const char* const* strings, size_t count,
                      const char* name, Add add) {
  if (count > 0 && strings == nullptr) {
    return Fail(MG_INVALID_ARGUMENT, std::string(name) + " is NULL");
  }
  for (size_t i = 0; i < count; ++i) {
    if (strings[i] == nullptr) {
      return Fail(MG_INVALID_ARGUMENT,
                  std::string(name) + "[" + std::to_string(i) + "] is NULL");
    }
    add(strings[i]);
  }
  return MG_OK;
}

// The size check of a request that starts with its struct_size, from its
// first version's size to this header's. `type` names the struct.
template <typename Request>
auto StructSizeOf(size_t first_size, const char* type) {
  return [first_size, type](const Request& request) {
    return CheckStructSize(request.struct_size, first_size, sizeof(Request),
                           "struct_size", type);
  };
}

// The size check of the first release's requests, which have none.
constexpr auto kNoStructSize = [](const auto&) { return MG_OK; };

// The checks every recovery call starts with; `check_size` (StructSizeOf
// or kNoStructSize) comes before any field of the request is read.
template <typename Request, typename SizeCheck>
mg_status CheckRecoveryCall(mg_client* client, const Request* request,
                            SizeCheck check_size, mg_case** out) {
  if (out == nullptr) return Fail(MG_INVALID_ARGUMENT, "recovery_case is NULL");
  *out = nullptr;
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (request == nullptr) return Fail(MG_INVALID_ARGUMENT, "request is NULL");
  if (mg_status s = check_size(*request); s != MG_OK) return s;
  if (mg_status s = RequireText(request->request_id, "request_id");
      s != MG_OK) {
    return s;
  }
  return CheckStaffToken(request->staff_token, "staff_token");
}

// Calls `method` as the staff member and hands back the case.
template <typename Proto, typename Method>
mg_status CallForCase(mg_client* client, const char* staff_token, Method method,
                      const Proto& proto, const char* what, mg_case** out) {
  auto context = NewContext(*client, staff_token, true);
  makegood::v1::RecoveryCase answer;
  if (mg_status s = FromGrpc(
          (client->recovery.get()->*method)(context.get(), proto, &answer),
          what);
      s != MG_OK) {
    return s;
  }
  *out = NewCase(std::move(answer));
  return MG_OK;
}

mg_status FlagProblem(mg_client* client, const mg_flag_request* request,
                      mg_case** out) {
  if (mg_status s = CheckRecoveryCall(client, request, kNoStructSize, out);
      s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(request->check_id, "check_id"); s != MG_OK) {
    return s;
  }
  makegood::v1::FlagProblemRequest proto;
  proto.set_request_id(request->request_id);
  proto.set_check_id(request->check_id);
  if (mg_status s =
          CopyStrings(request->line_ids, request->line_count, "line_ids",
                      [&](const char* line) { proto.add_line_ids(line); });
      s != MG_OK) {
    return s;
  }
  if (request->category_id != nullptr) {
    proto.set_category_id(request->category_id);
  }
  const int severity = IntegerOf(request->severity);
  if (severity < MG_SEVERITY_MINOR || severity > MG_SEVERITY_SEVERE) {
    return Fail(MG_INVALID_ARGUMENT,
                "severity is " + std::to_string(severity) +
                    ": it must be MG_SEVERITY_MINOR (1), MG_SEVERITY_MAJOR "
                    "(2) or MG_SEVERITY_SEVERE (3)");
  }
  proto.set_severity(static_cast<makegood::v1::Severity>(severity));
  if (request->guest_words != nullptr) {
    proto.set_guest_words(request->guest_words);
  }
  return CallForCase(client, request->staff_token,
                     &makegood::v1::RecoveryService::Stub::FlagProblem, proto,
                     "flag", out);
}

mg_status ApplyRemedy(mg_client* client, const mg_apply_request* request,
                      mg_case** out) {
  if (mg_status s = CheckRecoveryCall(client, request, kNoStructSize, out);
      s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(request->case_id, "case_id"); s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(request->option_id, "option_id"); s != MG_OK) {
    return s;
  }
  makegood::v1::ApplyRemedyRequest proto;
  proto.set_request_id(request->request_id);
  proto.set_case_id(request->case_id);
  proto.set_option_id(request->option_id);
  if (mg_status s = CopyStrings(
          request->extra_option_ids, request->extra_count, "extra_option_ids",
          [&](const char* extra) { proto.add_extra_option_ids(extra); });
      s != MG_OK) {
    return s;
  }
  if (request->note != nullptr) proto.set_note(request->note);
  return CallForCase(client, request->staff_token,
                     &makegood::v1::RecoveryService::Stub::ApplyRemedy, proto,
                     "apply", out);
}

// The integer a caller put in an enum field, when it is one of
// [lowest, highest]; else MG_INVALID_ARGUMENT naming the field and the
// values allowed.
mg_status CheckEnumField(int value, int lowest, int highest, const char* field,
                         const char* allowed) {
  if (value >= lowest && value <= highest) return MG_OK;
  return Fail(MG_INVALID_ARGUMENT, std::string(field) + " is " +
                                       std::to_string(value) + ": it must be " +
                                       allowed);
}

mg_status ApproveRemedy(mg_client* client, const mg_approve_request* request,
                        mg_case** out) {
  if (mg_status s =
          CheckRecoveryCall(client, request,
                            StructSizeOf<mg_approve_request>(
                                kFirstApproveRequestSize, "mg_approve_request"),
                            out);
      s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(request->case_id, "case_id"); s != MG_OK) {
    return s;
  }
  if (mg_status s =
          RequireText(request->remedy_application_id, "remedy_application_id");
      s != MG_OK) {
    return s;
  }
  if (request->approve == 0 && Empty(request->reason)) {
    return Fail(MG_INVALID_ARGUMENT, "reason is required when denying");
  }
  makegood::v1::ApproveRemedyRequest proto;
  proto.set_request_id(request->request_id);
  proto.set_case_id(request->case_id);
  proto.set_remedy_application_id(request->remedy_application_id);
  proto.set_approve(request->approve != 0);
  if (request->reason != nullptr) proto.set_reason(request->reason);
  return CallForCase(client, request->staff_token,
                     &makegood::v1::RecoveryService::Stub::ApproveRemedy, proto,
                     "approve", out);
}

mg_status RecordOutcome(mg_client* client, const mg_outcome_request* request,
                        mg_case** out) {
  if (mg_status s =
          CheckRecoveryCall(client, request,
                            StructSizeOf<mg_outcome_request>(
                                kFirstOutcomeRequestSize, "mg_outcome_request"),
                            out);
      s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(request->case_id, "case_id"); s != MG_OK) {
    return s;
  }
  const int response = IntegerOf(request->guest_response);
  if (mg_status s = CheckEnumField(
          response, MG_GUEST_RESPONSE_UNSPECIFIED, MG_GUEST_LEFT,
          "guest_response",
          "MG_GUEST_RESPONSE_UNSPECIFIED (0) to MG_GUEST_LEFT (3)");
      s != MG_OK) {
    return s;
  }
  const int cause = IntegerOf(request->root_cause);
  if (mg_status s = CheckEnumField(
          cause, MG_ROOT_CAUSE_UNSPECIFIED, MG_ROOT_CAUSE_OTHER, "root_cause",
          "MG_ROOT_CAUSE_UNSPECIFIED (0) to MG_ROOT_CAUSE_OTHER (6)");
      s != MG_OK) {
    return s;
  }
  if (response == MG_GUEST_RESPONSE_UNSPECIFIED &&
      cause == MG_ROOT_CAUSE_UNSPECIFIED && Empty(request->action_taken)) {
    return Fail(MG_INVALID_ARGUMENT,
                "guest_response, root_cause and action_taken are all unset: "
                "give at least one");
  }
  makegood::v1::RecordOutcomeRequest proto;
  proto.set_request_id(request->request_id);
  proto.set_case_id(request->case_id);
  // The header's values are the contract's.
  proto.set_guest_response(static_cast<makegood::v1::GuestResponse>(response));
  proto.set_root_cause(static_cast<makegood::v1::RootCause>(cause));
  if (request->action_taken != nullptr) {
    proto.set_action_taken(request->action_taken);
  }
  return CallForCase(client, request->staff_token,
                     &makegood::v1::RecoveryService::Stub::RecordOutcome, proto,
                     "outcome", out);
}

mg_status GetCase(mg_client* client, const char* staff_token,
                  const char* case_id, mg_case** out) {
  if (out == nullptr) return Fail(MG_INVALID_ARGUMENT, "recovery_case is NULL");
  *out = nullptr;
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (mg_status s = CheckStaffToken(staff_token, "staff_token"); s != MG_OK) {
    return s;
  }
  if (mg_status s = RequireText(case_id, "case_id"); s != MG_OK) return s;
  makegood::v1::GetRecoveryRequest proto;
  proto.set_case_id(case_id);
  return CallForCase(client, staff_token,
                     &makegood::v1::RecoveryService::Stub::GetRecovery, proto,
                     "get case", out);
}

// An alert kind as the header names it; one it does not know reads as
// MG_ALERT_UNSPECIFIED, the JSON has it.
mg_alert_kind AlertKindOf(int kind) {
  if (kind < MG_ALERT_UNSPECIFIED || kind > MG_ALERT_ADAPTER_PROBLEM) {
    return MG_ALERT_UNSPECIFIED;
  }
  return static_cast<mg_alert_kind>(kind);
}

mg_watch_start WatchStartOf(int start) {
  if (start < MG_WATCH_START_UNSPECIFIED ||
      start > MG_WATCH_START_SNAPSHOT_OTHER_RUN) {
    return MG_WATCH_START_UNSPECIFIED;
  }
  return static_cast<mg_watch_start>(start);
}

// An update with every string "" and nothing set.
mg_watch_update EmptyUpdate(mg_watch_change change) {
  mg_watch_update u{};
  u.change = change;
  u.stream_epoch = u.at = u.alert_id = u.case_id = u.check_id = u.message =
      u.remedy_application_id = u.error = u.json = "";
  u.status = MG_OK;
  return u;
}

void CallWatcher(const mg_watch_update& update, mg_watch_callback callback,
                 void* user_data) {
  try {
    callback(&update, user_data);
  } catch (...) {
    // As for commands: a throwing C++ callback must not end the watch.
  }
}

// Hands one RecoveryUpdate to the POS's callback in plain C types.
void ConvertAndCall(const makegood::v1::RecoveryUpdate& update,
                    mg_watch_callback callback, void* user_data) {
  using makegood::v1::RecoveryUpdate;
  const std::string json = ToJson(update);
  const std::string at =
      update.has_at() ? google::protobuf::util::TimeUtil::ToString(update.at())
                      : "";
  std::unique_ptr<mg_case> changed;
  mg_watch_update u = EmptyUpdate(MG_WATCH_OTHER);
  u.sequence = update.sequence();
  u.stream_epoch = update.stream_epoch().c_str();
  u.snapshot = update.snapshot() ? 1 : 0;
  u.at = at.c_str();
  u.json = json.c_str();
  switch (update.update_case()) {
    case RecoveryUpdate::kCaseChanged:
      changed.reset(NewCase(update.case_changed()));
      u.change = MG_WATCH_CASE_CHANGED;
      u.recovery_case = changed.get();
      u.case_id = changed->proto.case_id().c_str();
      break;
    case RecoveryUpdate::kAlert: {
      const makegood::v1::Alert& alert = update.alert();
      u.change = MG_WATCH_ALERT;
      u.alert_kind = AlertKindOf(alert.kind());
      u.alert_id = alert.alert_id().c_str();
      u.case_id = alert.case_id().c_str();
      u.check_id = alert.check_id().c_str();
      u.message = alert.message().c_str();
      if (alert.has_approval_asked()) {
        u.remedy_application_id =
            alert.approval_asked().remedy_application_id().c_str();
        u.cost_minor = alert.approval_asked().cost().minor_units();
      } else if (alert.has_manager_visit()) {
        u.remedy_application_id =
            alert.manager_visit().remedy_application_id().c_str();
      } else if (alert.has_command_rejected()) {
        u.remedy_application_id =
            alert.command_rejected().remedy_application_id().c_str();
      }
      break;
    }
    case RecoveryUpdate::kCaughtUp:
      u.change = MG_WATCH_CAUGHT_UP;
      u.start = WatchStartOf(update.caught_up().start());
      u.catch_up_updates = update.caught_up().updates();
      break;
    default:
      break;  // MG_WATCH_OTHER: the JSON has it.
  }
  CallWatcher(u, callback, user_data);
}

absl::Status CannotDeliver(const char* why) {
  return absl::InternalError(
      absl::StrCat("cannot pass an update on to the callback: ", why));
}

// ConvertAndCall on the watch's thread: an update that cannot be converted
// (out of memory) is an error, which ends the watch with MG_WATCH_ENDED.
absl::Status DeliverUpdate(const makegood::v1::RecoveryUpdate& update,
                           mg_watch_callback callback, void* user_data) {
  try {
    ConvertAndCall(update, callback, user_data);
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return CannotDeliver(e.what());
  } catch (...) {
    return CannotDeliver("an exception of no standard type");
  }
}

// Tells the POS's callback how a stream ended. Called back even when the
// message cannot be made: an MG_WATCH_ENDED must not go missing.
void DeliverEnd(mg_watch_change change, const grpc::Status& status,
                mg_watch_callback callback, void* user_data) {
  mg_watch_update u = EmptyUpdate(change);
  // mg_status values are the gRPC codes.
  u.status = static_cast<mg_status>(status.error_code());
  std::string error;
  try {
    error = std::string("watch: ") + (status.ok() ? "makegoodd ended the stream"
                                                  : status.error_message());
    u.error = error.c_str();
  } catch (...) {
    u.error = "watch: the stream ended (out of memory for its message)";
  }
  CallWatcher(u, callback, user_data);
}

mg_status WatchRecoveries(mg_client* client, const mg_watch_options* options,
                          mg_watch_callback callback, void* user_data,
                          mg_watch** out) {
  if (out == nullptr) return Fail(MG_INVALID_ARGUMENT, "watch is NULL");
  *out = nullptr;
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (options == nullptr) return Fail(MG_INVALID_ARGUMENT, "options is NULL");
  if (mg_status s = CheckStructSize(
          options->struct_size, kFirstWatchOptionsSize,
          sizeof(mg_watch_options), "options.struct_size", "mg_watch_options");
      s != MG_OK) {
    return s;
  }
  if (callback == nullptr) return Fail(MG_INVALID_ARGUMENT, "callback is NULL");
  if (mg_status s =
          CheckStaffToken(options->staff_token, "options.staff_token");
      s != MG_OK) {
    return s;
  }
  if (options->after_sequence < 0) {
    return Fail(MG_INVALID_ARGUMENT,
                "options.after_sequence is " +
                    std::to_string(options->after_sequence) +
                    ": it must be 0 (start with a snapshot) or a sequence an "
                    "earlier watch delivered");
  }
  makegood::v1::WatchRecoveriesRequest from;
  if (options->after_sequence > 0) {
    if (mg_status s = RequireText(options->stream_epoch,
                                  "options.stream_epoch (with "
                                  "options.after_sequence)");
        s != MG_OK) {
      return s;
    }
    from.set_after_sequence(options->after_sequence);
    from.set_stream_epoch(options->stream_epoch);
  }
  // The handle first: it is stored in *watch before the first callback,
  // which may look for it there.
  auto handle = std::make_unique<mg_watch>();
  // The watch keeps what it needs of the client: it may outlive it.
  std::string token =
      Empty(options->staff_token) ? client->token : options->staff_token;
  RecoveryWatch::Handlers handlers;
  handlers.update = [callback,
                     user_data](const makegood::v1::RecoveryUpdate& update) {
    return DeliverUpdate(update, callback, user_data);
  };
  handlers.lost = [callback, user_data](const grpc::Status& status) {
    DeliverEnd(MG_WATCH_LOST, status, callback, user_data);
  };
  handlers.ended = [callback, user_data](const grpc::Status& status) {
    DeliverEnd(MG_WATCH_ENDED, status, callback, user_data);
  };
  auto watch = RecoveryWatch::Start(
      client->channel,
      [token = std::move(token)] {
        // A watch runs until stopped: no deadline.
        auto context = std::make_unique<grpc::ClientContext>();
        makegood::client::AddBearerToken(*context, token);
        return context;
      },
      from, std::move(handlers), absl::FromChrono(client->timeout));
  if (!watch.ok()) {
    // mg_status values are the gRPC codes, which absl's are too.
    return Fail(static_cast<mg_status>(watch.status().code()),
                "watch: " + std::string(watch.status().message()));
  }
  handle->watch = *std::move(watch);
  // Nothing from here on can fail; the callbacks start once *out is set.
  FromGrpc(grpc::Status::OK, "");
  mg_watch* started = handle.release();
  *out = started;
  started->watch->Publish();
  return MG_OK;
}

void StopWatch(mg_watch* watch) { watch->watch->Stop(); }

// Hands one command to the POS's callback in plain C types.
void Deliver(const makegood::v1::RemedyCommand& command,
             mg_command_callback callback, void* user_data) {
  const std::string json = ToJson(command);
  const makegood::v1::ApplyRemedyAction& action = command.apply_remedy();
  mg_command c{};
  c.command_id = command.command_id().c_str();
  c.case_id = command.case_id().c_str();
  c.location_id = command.location_id().c_str();
  c.check_id = command.check_id().c_str();
  c.delivery_attempt = command.delivery_attempt();
  c.type = command.has_guest_follow_up() ? MG_COMMAND_GUEST_FOLLOW_UP
                                         : MG_COMMAND_APPLY_REMEDY;
  c.kind = RemedyKindOf(action.kind());
  c.line_id = action.line_id().c_str();
  c.amount_minor = action.amount().minor_units();
  c.percent_bps = action.percent_bps();
  c.sku = action.sku().c_str();
  c.discount_code = action.discount_code().c_str();
  c.reason = action.reason().c_str();
  c.waste = action.waste() ? 1 : 0;
  c.json = json.c_str();
  try {
    callback(&c, user_data);
  } catch (...) {
    // A C callback cannot throw; a C++ one that does must not take the
    // receiving thread down. The command stays unacknowledged.
  }
}

mg_status ReceiveCommands(mg_client* client, const char* adapter_name,
                          mg_command_callback callback, void* user_data) {
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (mg_status s = RequireText(adapter_name, "adapter_name"); s != MG_OK)
    return s;
  if (callback == nullptr) {
    return Fail(MG_INVALID_ARGUMENT, "callback is NULL");
  }
  absl::MutexLock lock(&client->mu);
  if (client->receiver != nullptr) {
    return Fail(MG_FAILED_PRECONDITION,
                "already receiving commands; call mg_stop_commands first");
  }
  client->receiver = std::make_unique<client::CommandReceiver>(
      client->channel, [client] { return NewContext(*client, nullptr, false); },
      adapter_name,
      [callback, user_data](const makegood::v1::RemedyCommand& command) {
        Deliver(command, callback, user_data);
      });
  return FromGrpc(grpc::Status::OK, "");
}

void StopCommands(mg_client* client) {
  std::unique_ptr<client::CommandReceiver> receiver;
  {
    absl::MutexLock lock(&client->mu);
    receiver = std::move(client->receiver);
  }
  receiver.reset();  // Joins outside the lock: the callback may use client.
}

// `result` is the caller's integer (IntegerOf), not yet an mg_ack_result.
mg_status AckCommand(mg_client* client, const char* command_id, int result,
                     const char* pos_reference, const char* vendor_reason) {
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (mg_status s = RequireText(command_id, "command_id"); s != MG_OK) return s;
  if (result != MG_ACK_APPLIED && result != MG_ACK_REJECTED) {
    return Fail(MG_INVALID_ARGUMENT,
                "result is " + std::to_string(result) +
                    ": it must be MG_ACK_APPLIED (1) or MG_ACK_REJECTED (2)");
  }
  makegood::v1::AckCommandRequest proto;
  // One acknowledgement per command: its id makes a retry recognisable.
  proto.set_request_id(std::string("ack-") + command_id);
  proto.set_command_id(command_id);
  proto.set_result(result == MG_ACK_APPLIED
                       ? makegood::v1::AckCommandRequest::APPLIED
                       : makegood::v1::AckCommandRequest::REJECTED);
  if (pos_reference != nullptr) proto.set_pos_reference(pos_reference);
  if (vendor_reason != nullptr) proto.set_vendor_reason(vendor_reason);
  auto context = NewContext(*client, nullptr, true);
  makegood::v1::AckCommandResponse answer;
  return FromGrpc(client->commands->AckCommand(context.get(), proto, &answer),
                  "ack");
}

// Runs `body`, turning any escaping exception into MG_INTERNAL.
template <typename Body>
mg_status Guarded(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(MG_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(MG_INTERNAL, "internal error");
  }
}

}  // namespace
}  // namespace makegood::plugin

using makegood::plugin::Guarded;

extern "C" {

int mg_abi_version(void) { return MG_PLUGIN_ABI_VERSION; }

const char* mg_last_error(void) { return makegood::plugin::LastError(); }

const char* mg_status_name(mg_status status) {
  static const char* const kNames[] = {"OK",
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
  const int index = makegood::plugin::IntegerOf(status);
  if (index < 0 || index >= static_cast<int>(std::size(kNames))) {
    return "UNKNOWN_STATUS";
  }
  return kNames[index];
}

mg_status mg_connect(const mg_connect_options* options, mg_client** client) {
  return Guarded(
      [&] { return makegood::plugin::Connect(options, nullptr, client); });
}

mg_status mg_connect_with_credentials(const mg_connect_options* options,
                                      const mg_connect_credentials* credentials,
                                      mg_client** client) {
  return Guarded(
      [&] { return makegood::plugin::Connect(options, credentials, client); });
}

void mg_disconnect(mg_client* client) {
  try {
    makegood::plugin::JoinFinishedWatchThreads();
    if (client != nullptr) makegood::plugin::StopCommands(client);
  } catch (...) {
  }
  delete client;
}

mg_status mg_publish_events(mg_client* client, const char* const* events_json,
                            size_t count, mg_publish_summary* summary) {
  return Guarded([&] {
    return makegood::plugin::PublishEvents(client, events_json, count, summary);
  });
}

const char* mg_case_id(const mg_case* c) {
  return c == nullptr ? "" : c->proto.case_id().c_str();
}

const char* mg_case_status(const mg_case* c) {
  return c == nullptr ? "" : c->status.c_str();
}

const char* mg_case_guidance(const mg_case* c) {
  return c == nullptr ? "" : c->proto.guidance().c_str();
}

const mg_option* mg_case_options(const mg_case* c, size_t* count) {
  if (count != nullptr) *count = c == nullptr ? 0 : c->options.size();
  return c == nullptr || c->options.empty() ? nullptr : c->options.data();
}

const mg_option* mg_case_extras(const mg_case* c, size_t* count) {
  if (count != nullptr) *count = c == nullptr ? 0 : c->extras.size();
  return c == nullptr || c->extras.empty() ? nullptr : c->extras.data();
}

int64_t mg_case_total_cost_minor(const mg_case* c) {
  return c == nullptr ? 0 : c->proto.total_cost().minor_units();
}

const char* mg_case_json(const mg_case* c) {
  return c == nullptr ? "" : c->json.c_str();
}

size_t mg_case_remedy_count(const mg_case* c) {
  return c == nullptr ? 0 : c->remedies.size();
}

const mg_remedy* mg_case_remedy(const mg_case* c, size_t index) {
  if (c == nullptr || index >= c->remedies.size()) return nullptr;
  return &c->remedies[index];
}

void mg_case_free(mg_case* c) { delete c; }

mg_status mg_flag_problem(mg_client* client, const mg_flag_request* request,
                          mg_case** recovery_case) {
  return Guarded([&] {
    return makegood::plugin::FlagProblem(client, request, recovery_case);
  });
}

mg_status mg_apply_remedy(mg_client* client, const mg_apply_request* request,
                          mg_case** recovery_case) {
  return Guarded([&] {
    return makegood::plugin::ApplyRemedy(client, request, recovery_case);
  });
}

mg_status mg_approve_remedy(mg_client* client,
                            const mg_approve_request* request,
                            mg_case** recovery_case) {
  return Guarded([&] {
    return makegood::plugin::ApproveRemedy(client, request, recovery_case);
  });
}

mg_status mg_record_outcome(mg_client* client,
                            const mg_outcome_request* request,
                            mg_case** recovery_case) {
  return Guarded([&] {
    return makegood::plugin::RecordOutcome(client, request, recovery_case);
  });
}

mg_status mg_get_case(mg_client* client, const char* staff_token,
                      const char* case_id, mg_case** recovery_case) {
  return Guarded([&] {
    return makegood::plugin::GetCase(client, staff_token, case_id,
                                     recovery_case);
  });
}

mg_status mg_watch_recoveries(mg_client* client,
                              const mg_watch_options* options,
                              mg_watch_callback callback, void* user_data,
                              mg_watch** watch) {
  return Guarded([&] {
    makegood::plugin::JoinFinishedWatchThreads();
    return makegood::plugin::WatchRecoveries(client, options, callback,
                                             user_data, watch);
  });
}

void mg_watch_stop(mg_watch* watch) {
  try {
    makegood::plugin::JoinFinishedWatchThreads();
    if (watch != nullptr) makegood::plugin::StopWatch(watch);
  } catch (...) {
  }
  delete watch;
}

mg_status mg_receive_commands(mg_client* client, const char* adapter_name,
                              mg_command_callback callback, void* user_data) {
  return Guarded([&] {
    return makegood::plugin::ReceiveCommands(client, adapter_name, callback,
                                             user_data);
  });
}

void mg_stop_commands(mg_client* client) {
  if (client == nullptr) return;
  try {
    makegood::plugin::StopCommands(client);
  } catch (...) {
  }
}

mg_status mg_ack_command(mg_client* client, const char* command_id,
                         mg_ack_result result, const char* pos_reference,
                         const char* vendor_reason) {
  const int result_value = makegood::plugin::IntegerOf(result);
  return Guarded([&] {
    return makegood::plugin::AckCommand(client, command_id, result_value,
                                        pos_reference, vendor_reason);
  });
}

}  // extern "C"
