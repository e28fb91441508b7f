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

#include "absl/synchronization/mutex.h"
#include "client/command_receiver.h"
#include "client/connection.h"
#include "client/token_file.h"
#include "google/protobuf/util/json_util.h"
#include "last_error.h"
#include "makegood/v1/order_events.grpc.pb.h"
#include "makegood/v1/recovery.grpc.pb.h"
#include "makegood/v1/remedy_commands.grpc.pb.h"

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

// Moves the answer into a handle; the option arrays point into it.
mg_case* NewCase(makegood::v1::RecoveryCase proto) {
  auto recovery_case = std::make_unique<mg_case>();
  recovery_case->proto = std::move(proto);
  recovery_case->status =
      makegood::v1::RecoveryCase::Status_Name(recovery_case->proto.status());
  recovery_case->json = ToJson(recovery_case->proto);
  recovery_case->options = OptionsOf(recovery_case->proto.options());
  recovery_case->extras = OptionsOf(recovery_case->proto.extras());
  return recovery_case.release();
}

mg_status RequireText(const char* value, const char* name) {
  if (Empty(value)) {
    return Fail(MG_INVALID_ARGUMENT, std::string(name) + " is required");
  }
  return MG_OK;
}

// The fields of mg_connect_credentials the library knows, and the size of
// its first version: a caller compiled against that header passes it.
constexpr size_t kCredentialsSize = sizeof(mg_connect_credentials);
constexpr size_t kFirstCredentialsSize =
    offsetof(mg_connect_credentials, tls_key_file) + sizeof(const char*);

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
  if (credentials != nullptr &&
      (credentials->struct_size < kFirstCredentialsSize ||
       credentials->struct_size > kCredentialsSize)) {
    return Fail(MG_INVALID_ARGUMENT,
                "credentials.struct_size is " +
                    std::to_string(credentials->struct_size) +
                    ": set it to sizeof(mg_connect_credentials) (this "
                    "library knows " +
                    std::to_string(kFirstCredentialsSize) + " to " +
                    std::to_string(kCredentialsSize) + ")");
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
  // Keepalive: a command stream over a half-open connection ends, and is
  // reopened, instead of waiting forever.
  client->channel = grpc::CreateCustomChannel(
      options->target, *credentials_for_channel,
      makegood::client::WithKeepalive(grpc::ChannelArguments()));
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

// The checks every recovery call starts with.
template <typename Request>
mg_status CheckRecoveryCall(mg_client* client, const Request* request,
                            mg_case** out) {
  if (out == nullptr) return Fail(MG_INVALID_ARGUMENT, "recovery_case is NULL");
  *out = nullptr;
  if (client == nullptr) return Fail(MG_INVALID_ARGUMENT, "client is NULL");
  if (request == nullptr) return Fail(MG_INVALID_ARGUMENT, "request is NULL");
  if (mg_status s = RequireText(request->request_id, "request_id");
      s != MG_OK) {
    return s;
  }
  // NULL or "": the client's own token, checked when it connected.
  if (!Empty(request->staff_token)) {
    return CheckToken(request->staff_token, "staff_token");
  }
  return MG_OK;
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
  if (mg_status s = CheckRecoveryCall(client, request, out); s != MG_OK) {
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
  if (mg_status s = CheckRecoveryCall(client, request, out); s != MG_OK) {
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
  if (client == nullptr) return;
  try {
    makegood::plugin::StopCommands(client);
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
