// Fuzz target connect_request: a Connect protocol request as the HTTP
// listener decodes it (http/connect_codec.h, and the body decoding of
// http/connect_gateway.cc): content type, timeout, protocol version, path,
// stream envelopes, and a JSON or binary request message.
//
// Input: the Content-Type, Connect-Timeout-Ms, Connect-Protocol-Version
// headers and the path, one line each, then the body.
//
// Invariants: each header is accepted exactly as the protocol allows, and
// adding "; charset=utf-8" to a content type changes nothing; a path
// splits into a service and a method that make it up again; the envelopes
// of a body account for every byte of it and re-encode to it; a request
// message that decodes survives the trip to the gRPC wire and back (and,
// for JSON, to JSON and back); every refusal the gateway would send,
// including the request bytes it repeats, can be encoded as Connect's error
// JSON; an end-of-stream envelope carries the code it was given.

#include <grpcpp/support/status.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "fuzz_support.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "http/connect_codec.h"
#include "makegood/v1/checks.pb.h"
#include "makegood/v1/order_events.pb.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"
#include "makegood/v1/report.pb.h"
#include "makegood/v1/session.pb.h"
#include "makegood/v1/simulation.pb.h"
#include "nlohmann/json.hpp"
#include "proto_compare.h"

namespace makegood::fuzz {
namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// Small enough that a fuzzed body reaches the limit.
constexpr size_t kMaxMessageBytes = 4096;

// Every method of makegood.v1. A message of each file with services is
// named, so that the linker keeps the file and it is in the generated pool
// (what the gateway's FindServiceByName searches).
const std::vector<const MethodDescriptor*>& Methods() {
  static const auto* const kMethods = [] {
    auto* methods = new std::vector<const MethodDescriptor*>;
    for (const google::protobuf::FileDescriptor* file :
         {v1::GetCheckRequest::descriptor()->file(),
          v1::PublishBatchRequest::descriptor()->file(),
          v1::FlagProblemRequest::descriptor()->file(),
          v1::StreamCommandsRequest::descriptor()->file(),
          v1::EndOfDayRequest::descriptor()->file(),
          v1::SignInRequest::descriptor()->file(),
          v1::SetClockRequest::descriptor()->file()}) {
      for (int s = 0; s < file->service_count(); ++s) {
        for (int m = 0; m < file->service(s)->method_count(); ++m) {
          methods->push_back(file->service(s)->method(m));
        }
      }
    }
    return methods;
  }();
  return *kMethods;
}

// The method at `path` as the gateway finds it, or nullptr.
const MethodDescriptor* FindMethod(const http::MethodPath& path) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          path.service);
  if (service == nullptr || service->file()->package() != "makegood.v1") {
    return nullptr;
  }
  return service->FindMethodByName(path.method);
}

// The gateway answers a refused request with this JSON, `message` (which
// may repeat request bytes) in it.
void CheckRefusalEncodes(const std::string& message) {
  google::rpc::Status status;
  status.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  status.set_message(message);
  try {
    (void)http::ConnectErrorJson(status).dump();
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, absl::StrCat("the refusal ", Shown(message),
                                   " cannot be sent: ", e.what()));
  }
}

bool SameType(const std::optional<http::ContentType>& a,
              const std::optional<http::ContentType>& b) {
  if (!a.has_value() || !b.has_value()) return a.has_value() == b.has_value();
  return a->codec == b->codec && a->streaming == b->streaming;
}

void CheckContentType(const std::string& header) {
  const auto type = http::ParseContentType(header);
  FUZZ_CHECK(SameType(type, http::ParseContentType(header + "; charset=utf-8")),
             "a utf-8 charset changes what " + Shown(header) + " means");
  if (!type.has_value()) {
    CheckRefusalEncodes(absl::StrCat("Content-Type '", header,
                                     "': makegood.v1.CheckService.GetCheck "
                                     "takes application/json or "
                                     "application/proto"));
    return;
  }
  const std::string name =
      absl::StrCat(type->streaming ? "application/connect+" : "application/",
                   type->codec == http::Codec::kJson ? "json" : "proto");
  FUZZ_CHECK(SameType(type, http::ParseContentType(name)),
             Shown(header) + " does not mean what " + name + " means");
  const std::string lowered = absl::AsciiStrToLower(header);
  FUZZ_CHECK(absl::StrContains(lowered, name),
             Shown(header) + " was taken as " + name);
}

void CheckTimeout(const std::string& header) {
  const auto timeout = http::ParseTimeout(header);
  if (header.empty()) {
    FUZZ_CHECK(timeout.ok() && !timeout->has_value(),
               "no Connect-Timeout-Ms header is not \"no timeout\"");
    return;
  }
  uint64_t ms = 0;
  const bool valid = header.size() <= 10 &&
                     absl::c_all_of(header,
                                    [](char c) {
                                      return absl::ascii_isdigit(
                                          static_cast<unsigned char>(c));
                                    }) &&
                     absl::SimpleAtoi(header, &ms) && ms > 0;
  FUZZ_CHECK(timeout.ok() == valid,
             absl::StrCat("Connect-Timeout-Ms ", Shown(header), " is ",
                          timeout.ok() ? "accepted" : "refused"));
  if (valid) {
    FUZZ_CHECK(timeout->has_value() &&
                   **timeout == absl::Milliseconds(static_cast<int64_t>(ms)),
               "Connect-Timeout-Ms " + Shown(header) + " read wrong");
  } else {
    CheckRefusalEncodes(std::string(timeout.status().message()));
  }
}

void CheckProtocolVersion(const std::string& header) {
  const absl::Status version = http::CheckProtocolVersion(header);
  FUZZ_CHECK(version.ok() == (header.empty() || header == "1"),
             "Connect-Protocol-Version " + Shown(header) + " is " +
                 (version.ok() ? "accepted" : "refused"));
  if (!version.ok()) CheckRefusalEncodes(std::string(version.message()));
}

// The method the body is decoded for: the path's, or any, so that every
// body reaches a decoder.
const MethodDescriptor& CheckPath(const std::string& path) {
  const auto parsed = http::ParseMethodPath(path);
  const std::vector<std::string> pieces = absl::StrSplit(path, '/');
  const bool valid = pieces.size() == 3 && pieces[0].empty() &&
                     !pieces[1].empty() && !pieces[2].empty();
  FUZZ_CHECK(parsed.has_value() == valid,
             "path " + Shown(path) + " is " +
                 (parsed.has_value() ? "accepted" : "refused"));
  const MethodDescriptor* method = nullptr;
  if (parsed.has_value()) {
    FUZZ_CHECK(absl::StrCat("/", parsed->service, "/", parsed->method) == path,
               "path " + Shown(path) + " splits wrong");
    method = FindMethod(*parsed);
  }
  if (method == nullptr) {
    CheckRefusalEncodes(absl::StrCat(
        "no method ", path, ": makegood.v1 has no such service or method"));
    size_t pick = 0;
    for (unsigned char c : path) pick = pick * 31 + c;
    method = Methods()[pick % Methods().size()];
  }
  return *method;
}

std::optional<std::vector<std::string>> CheckEnvelopes(
    const std::string& body) {
  const auto split = http::SplitEnvelopes(body, kMaxMessageBytes);
  const std::string alone = body.substr(0, kMaxMessageBytes);
  const auto one =
      http::SplitEnvelopes(http::Envelope(0, alone), kMaxMessageBytes);
  FUZZ_CHECK(one.ok() && one->size() == 1 && (*one)[0] == alone,
             "one envelope does not give back its message");
  if (!split.ok()) {
    FUZZ_CHECK(
        split.status().code() == absl::StatusCode::kInvalidArgument &&
            absl::StartsWith(split.status().message(), "request envelope "),
        split.status().ToString());
    CheckRefusalEncodes(std::string(split.status().message()));
    return std::nullopt;
  }
  std::string again;
  for (const std::string& message : *split) {
    FUZZ_CHECK(message.size() <= kMaxMessageBytes,
               absl::StrCat("an envelope of ", message.size(),
                            " bytes passed the limit of ", kMaxMessageBytes));
    again += http::Envelope(0, message);
  }
  FUZZ_CHECK(again.size() == body.size(),
             absl::StrCat("the envelopes account for ", again.size(),
                          " bytes of a body of ", body.size()));
  FUZZ_CHECK(again == body, "the envelopes re-encode to another body");
  return *split;
}

std::unique_ptr<Message> NewMessage(const MethodDescriptor& method) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method.input_type())
          ->New());
}

// What the gateway hands the gRPC server must parse there as the same.
void CheckWireTrip(const MethodDescriptor& method, const Message& message) {
  std::string wire;
  FUZZ_CHECK(
      message.SerializeToString(&wire),
      "a decoded " + method.input_type()->full_name() + " does not serialize");
  auto again = NewMessage(method);
  FUZZ_CHECK(again->ParseFromString(wire),
             "a decoded " + method.input_type()->full_name() +
                 " does not parse back from the wire");
  const std::string differences = Differences(message, *again);
  FUZZ_CHECK(differences.empty(),
             "a decoded " + method.input_type()->full_name() +
                 " comes back different from the wire: " + differences);
}

void CheckDecoding(const MethodDescriptor& method, http::Codec codec,
                   const std::string& body) {
  auto message = NewMessage(method);
  if (codec == http::Codec::kProto) {
    if (message->ParseFromString(body)) CheckWireTrip(method, *message);
    return;
  }
  if (body.empty()) return;  // Refused before any parsing.
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(body, message.get(), options);
  if (!parsed.ok()) {
    CheckRefusalEncodes(absl::StrCat("the body is not a JSON ",
                                     method.input_type()->full_name(), ": ",
                                     std::string(parsed.message())));
    return;
  }
  CheckWireTrip(method, *message);
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(*message, &json);
  FUZZ_CHECK(printed.ok(),
             "a decoded " + method.input_type()->full_name() +
                 " does not print as JSON: " + printed.ToString());
  auto again = NewMessage(method);
  FUZZ_CHECK(
      google::protobuf::util::JsonStringToMessage(json, again.get(), options)
          .ok(),
      "a decoded message's JSON does not parse: " + json);
  const std::string differences = Differences(*message, *again);
  FUZZ_CHECK(differences.empty(),
             "a decoded message's JSON reads back different: " + json + "\n" +
                 differences);
}

// The last envelope of a streamed answer; `details` as a google.rpc.Status
// in the gRPC status, the way the services attach it.
void CheckEndStream(int code, const std::string& details) {
  const grpc::Status status(static_cast<grpc::StatusCode>(code),
                            "fuzzed end of stream", details);
  std::string envelope;
  try {
    envelope = http::EndStreamEnvelope(status);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, absl::StrCat("the end of a stream of code ", code,
                                   " cannot be sent: ", e.what()));
  }
  FUZZ_CHECK(envelope.size() >= http::kEnvelopePrefixBytes &&
                 static_cast<uint8_t>(envelope[0]) == http::kEndStreamFlag,
             "an end-of-stream envelope without its flag");
  const auto end = nlohmann::json::parse(
      envelope.substr(http::kEnvelopePrefixBytes), nullptr, false);
  FUZZ_CHECK(end.is_object(), "an end-of-stream envelope without JSON");
  if (code == 0) {
    FUZZ_CHECK(end.empty(), "a successful stream ends with " + end.dump());
  } else {
    FUZZ_CHECK(
        end.contains("error") && end.at("error").is_object() &&
            end.at("error").value("code", "") == http::ConnectCodeName(code),
        absl::StrCat("a stream ending with code ", code,
                     " says: ", end.dump()));
  }
}

int Run(const uint8_t* data, size_t size) {
  FuzzInput input(data, size);
  const std::string content_type = input.Line();
  const std::string timeout = input.Line();
  const std::string version = input.Line();
  const std::string path = input.Line();
  const std::string body = input.Rest();

  CheckContentType(content_type);
  CheckTimeout(timeout);
  CheckProtocolVersion(version);
  const MethodDescriptor& method = CheckPath(path);
  const std::optional<std::vector<std::string>> envelopes =
      CheckEnvelopes(body);

  const auto type = http::ParseContentType(content_type);
  const http::Codec codec =
      type.has_value() ? type->codec
                       : (content_type.size() % 2 == 0 ? http::Codec::kJson
                                                       : http::Codec::kProto);
  if (method.client_streaming() || method.server_streaming()) {
    if (envelopes.has_value()) {
      for (const std::string& message : *envelopes) {
        CheckDecoding(method, codec, message);
      }
    }
  } else {
    CheckDecoding(method, codec, body);
  }

  const int code = body.empty() ? 0 : static_cast<unsigned char>(body[0]) % 17;
  FUZZ_CHECK(!http::ConnectCodeName(code).empty(), "a code without a name");
  const int http_status = http::HttpStatusOf(code);
  FUZZ_CHECK(
      code == 0 ? http_status == 200 : http_status >= 400 && http_status <= 599,
      absl::StrCat("code ", code, " answers HTTP ", http_status));
  CheckEndStream(code, body);
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
