#include "http/connect_gateway.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "http/connect_codec.h"
#include "http/peer_socket.h"
#include "http/rpc_call.h"
#include "makegood/v1/errors.pb.h"

namespace makegood::http {
namespace {

using google::protobuf::MethodDescriptor;

constexpr char kPackage[] = "makegood.v1";
// How often a quiet stream checks that its client is still there.
constexpr absl::Duration kStreamPoll = absl::Seconds(1);

// A refusal of the request itself, with the reason programs read.
google::rpc::Status RequestRefusal(int grpc_code, const std::string& message,
                                   const std::string& field = "") {
  google::rpc::Status status;
  status.set_code(grpc_code);
  status.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_domain(kPackage);
  info.set_reason(
      makegood::v1::Error::Reason_Name(makegood::v1::Error::BAD_HTTP_REQUEST));
  status.add_details()->PackFrom(info);
  if (!field.empty()) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(field);
    violation->set_description(message);
    status.add_details()->PackFrom(bad);
  }
  return status;
}

void AnswerError(httplib::Response& response, int http_status,
                 const google::rpc::Status& status) {
  response.status = http_status;
  // ConnectErrorJson keeps every text UTF-8; replacing is the last guard
  // against the printer throwing out of the handler.
  response.set_content(
      ConnectErrorJson(status).dump(-1, ' ', false,
                                    nlohmann::json::error_handler_t::replace),
      "application/json");
}

// The method of makegood.v1 at `path`, or nullptr.
const MethodDescriptor* FindMethod(const MethodPath& path) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          path.service);
  if (service == nullptr || service->file()->package() != kPackage) {
    return nullptr;
  }
  return service->FindMethodByName(path.method);
}

std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor* type) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
}

// A request message as the gRPC wire wants it; INVALID_ARGUMENT naming
// the problem.
absl::StatusOr<std::string> RequestToWire(const MethodDescriptor& method,
                                          Codec codec,
                                          const std::string& body) {
  auto message = NewMessage(method.input_type());
  if (codec == Codec::kProto) {
    if (!message->ParseFromString(body)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the body is not a binary ",
                       method.input_type()->full_name(), " message"));
    }
    return body;
  }
  if (body.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is empty; send a JSON object of ",
                     method.input_type()->full_name(), " ({} for defaults)"));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(body, message.get(), options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the body is not a JSON ", method.input_type()->full_name(), ": ",
        std::string(parsed.message())));
  }
  std::string wire;
  message->SerializeToString(&wire);
  return wire;
}

// A response message (gRPC wire bytes) in the request's codec.
std::optional<std::string> ResponseFromWire(const MethodDescriptor& method,
                                            Codec codec, std::string wire) {
  if (codec == Codec::kProto) return wire;
  auto message = NewMessage(method.output_type());
  if (!message->ParseFromString(wire)) return std::nullopt;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*message, &json).ok()) {
    return std::nullopt;
  }
  return json;
}

bool IsStreaming(const MethodDescriptor& method) {
  return method.client_streaming() || method.server_streaming();
}

std::string ContentTypeOf(Codec codec, bool streaming) {
  const char* name = codec == Codec::kJson ? "json" : "proto";
  return streaming ? absl::StrCat("application/connect+", name)
                   : absl::StrCat("application/", name);
}

// The request's messages, or the refusal already written to `response`.
std::optional<std::vector<std::string>> DecodeRequests(
    const MethodDescriptor& method, Codec codec,
    const httplib::Request& request, size_t max_message_bytes,
    httplib::Response& response) {
  std::vector<std::string> bodies;
  if (IsStreaming(method)) {
    auto split = SplitEnvelopes(request.body, max_message_bytes);
    if (!split.ok()) {
      AnswerError(response, 400,
                  RequestRefusal(grpc::StatusCode::INVALID_ARGUMENT,
                                 std::string(split.status().message())));
      return std::nullopt;
    }
    bodies = *std::move(split);
    if (!method.client_streaming() && bodies.size() != 1) {
      AnswerError(
          response, 400,
          RequestRefusal(grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat(method.full_name(),
                                      " takes exactly one request message; "
                                      "the body has ",
                                      bodies.size())));
      return std::nullopt;
    }
  } else {
    bodies.push_back(request.body);
  }
  std::vector<std::string> wire;
  for (const std::string& body : bodies) {
    auto message = RequestToWire(method, codec, body);
    if (!message.ok()) {
      AnswerError(
          response, 400,
          RequestRefusal(grpc::StatusCode::INVALID_ARGUMENT,
                         std::string(message.status().message()), "body"));
      return std::nullopt;
    }
    wire.push_back(*std::move(message));
  }
  return wire;
}

void ServeUnary(const MethodDescriptor& method, Codec codec,
                const UnaryAnswer& answer, httplib::Response& response) {
  if (!answer.status.ok()) {
    AnswerRpcError(response, answer.status);
    return;
  }
  std::optional<std::string> body;
  if (answer.message.has_value()) {
    body = ResponseFromWire(method, codec, *answer.message);
  }
  if (!body.has_value()) {
    AnswerError(response, 500,
                RequestRefusal(grpc::StatusCode::INTERNAL,
                               "the method gave no readable response"));
    return;
  }
  response.status = 200;
  response.set_content(*std::move(body), ContentTypeOf(codec, false));
}

// The state of one streamed answer, shared by the library's calls of the
// content provider.
struct StreamState {
  const MethodDescriptor* method = nullptr;
  Codec codec = Codec::kJson;
  std::unique_ptr<RpcCall> call;
  std::unique_ptr<PeerSocket> peer;
  const std::atomic<bool>* stopping = nullptr;
};

// Ends a stream that broke on this side: the call cancelled, INTERNAL
// without the exception's text. False: nothing more to send.
bool EndBrokenStream(StreamState& state, httplib::DataSink& sink) noexcept {
  try {
    state.call->Cancel();
    const std::string end = EndStreamEnvelope(grpc::Status(
        grpc::StatusCode::INTERNAL, "makegoodd failed while streaming"));
    if (sink.write(end.data(), end.size())) sink.done();
  } catch (...) {
    // The connection closes without an end of stream: the client retries.
  }
  return false;
}

// The next piece of the stream into `sink`; false when it has ended.
bool StreamNext(StreamState& state, httplib::DataSink& sink) {
  for (;;) {
    if (state.stopping->load()) {
      // Shutting down: the client hears it as from a gRPC stream,
      // UNAVAILABLE, and resumes elsewhere or later.
      state.call->Cancel();
      const std::string end = EndStreamEnvelope(
          grpc::Status(grpc::StatusCode::UNAVAILABLE,
                       "makegoodd is shutting down; reconnect shortly"));
      if (sink.write(end.data(), end.size())) sink.done();
      return false;
    }
    RpcCall::Event event = state.call->Next(kStreamPoll);
    if (event.waiting) {
      if (!state.peer->Connected()) {
        state.call->Cancel();
        return false;
      }
      continue;
    }
    if (event.message.has_value()) {
      auto body = ResponseFromWire(*state.method, state.codec,
                                   *std::move(event.message));
      if (!body.has_value()) {
        state.call->Cancel();
        continue;  // Ends with CANCELLED: the message was unreadable.
      }
      const std::string envelope = Envelope(0, *body);
      if (!sink.write(envelope.data(), envelope.size())) {
        state.call->Cancel();
        return false;
      }
      return true;
    }
    const std::string end = EndStreamEnvelope(event.status);
    const bool written = sink.write(end.data(), end.size());
    if (written) sink.done();
    return written;
  }
}

void ServeStream(std::shared_ptr<StreamState> state,
                 httplib::Response& response) {
  response.status = 200;
  // The library calls the provider while it writes the answer, outside
  // the handler's exception handler: an exception would end the process.
  response.set_chunked_content_provider(
      ContentTypeOf(state->codec, true),
      [state](size_t, httplib::DataSink& sink) {
        try {
          return StreamNext(*state, sink);
        } catch (...) {
          return EndBrokenStream(*state, sink);
        }
      });
}

}  // namespace

void RefuseRequest(httplib::Response& response, int http_status, int grpc_code,
                   const std::string& message) {
  AnswerError(response, http_status, RequestRefusal(grpc_code, message));
}

void AnswerRpcError(httplib::Response& response, const grpc::Status& status) {
  const google::rpc::Status shown = RpcStatusOf(status);
  AnswerError(response, HttpStatusOf(shown.code()), shown);
}

ConnectGateway::ConnectGateway(std::shared_ptr<grpc::Channel> channel,
                               size_t max_message_bytes)
    : channel_(std::move(channel)), max_message_bytes_(max_message_bytes) {}

void ConnectGateway::Serve(const httplib::Request& request,
                           httplib::Response& response) {
  const std::optional<MethodPath> path = ParseMethodPath(request.path);
  const MethodDescriptor* method = path ? FindMethod(*path) : nullptr;
  if (method == nullptr) {
    // The spec's answer to a path that names no procedure; clients read
    // HTTP 404 as unimplemented.
    AnswerError(response, 404,
                RequestRefusal(
                    grpc::StatusCode::UNIMPLEMENTED,
                    absl::StrCat("no method ", QuoteRequestBytes(request.path),
                                 ": makegood.v1 has no such "
                                 "service or method")));
    return;
  }
  if (stopping_) {
    AnswerError(response, 503,
                RequestRefusal(grpc::StatusCode::UNAVAILABLE,
                               "makegoodd is shutting down; retry shortly"));
    return;
  }
  const bool streaming = IsStreaming(*method);
  const std::optional<ContentType> type =
      ParseContentType(request.get_header_value("Content-Type"));
  if (!type.has_value() || type->streaming != streaming) {
    response.set_header(
        "Accept-Post",
        absl::StrCat(ContentTypeOf(Codec::kJson, streaming), ", ",
                     ContentTypeOf(Codec::kProto, streaming)));
    AnswerError(response, 415,
                RequestRefusal(
                    grpc::StatusCode::INVALID_ARGUMENT,
                    absl::StrCat("Content-Type ",
                                 QuoteRequestBytes(
                                     request.get_header_value("Content-Type")),
                                 ": ", method->full_name(), " takes ",
                                 ContentTypeOf(Codec::kJson, streaming), " or ",
                                 ContentTypeOf(Codec::kProto, streaming))));
    return;
  }
  if (auto version = CheckProtocolVersion(
          request.get_header_value("Connect-Protocol-Version"));
      !version.ok()) {
    AnswerError(response, 400,
                RequestRefusal(grpc::StatusCode::INVALID_ARGUMENT,
                               std::string(version.message())));
    return;
  }
  const std::string encoding =
      request.get_header_value("Connect-Content-Encoding");
  if (streaming && !encoding.empty() && encoding != "identity") {
    response.set_header("Connect-Accept-Encoding", "identity");
    AnswerError(response, 501,
                RequestRefusal(grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat("Connect-Content-Encoding ",
                                            QuoteRequestBytes(encoding),
                                            " is not supported; send "
                                            "messages uncompressed")));
    return;
  }
  auto timeout = ParseTimeout(request.get_header_value("Connect-Timeout-Ms"));
  if (!timeout.ok()) {
    AnswerError(response, 400,
                RequestRefusal(grpc::StatusCode::INVALID_ARGUMENT,
                               std::string(timeout.status().message())));
    return;
  }
  auto requests = DecodeRequests(*method, type->codec, request,
                                 max_message_bytes_, response);
  if (!requests.has_value()) return;

  RpcCallOptions options;
  options.method_path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  options.authorization = request.get_header_value("Authorization");
  options.timeout = *timeout;
  options.requests = *std::move(requests);
  if (!streaming) {
    ServeUnary(*method, type->codec, CallUnary(channel_, std::move(options)),
               response);
    return;
  }
  auto state = std::make_shared<StreamState>();
  state->method = method;
  state->codec = type->codec;
  state->call = RpcCall::Start(channel_, std::move(options));
  state->peer = std::make_unique<PeerSocket>(
      request.local_port, request.remote_addr, request.remote_port);
  state->stopping = &stopping_;
  ServeStream(std::move(state), response);
}

}  // namespace makegood::http
