#include "http/connect_codec.h"

#include <memory>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "text/utf8.h"

namespace makegood::http {
namespace {

using ::makegood::text::ReplaceInvalidUtf8;
using nlohmann::json;

// The index is the gRPC code; Connect names them the same, in snake case,
// with "canceled" spelt the American way.
constexpr const char* kCodeNames[] = {
    "ok",
    "canceled",
    "unknown",
    "invalid_argument",
    "deadline_exceeded",
    "not_found",
    "already_exists",
    "permission_denied",
    "resource_exhausted",
    "failed_precondition",
    "aborted",
    "out_of_range",
    "unimplemented",
    "internal",
    "unavailable",
    "data_loss",
    "unauthenticated",
};
constexpr int kCodeCount = sizeof(kCodeNames) / sizeof(kCodeNames[0]);

// The spec's table, by gRPC code.
constexpr int kHttpStatuses[] = {
    200, 499, 500, 400, 504, 404, 409, 403, 429,
    400, 409, 400, 501, 500, 503, 500, 401,
};

// "type.googleapis.com/google.rpc.ErrorInfo" → "google.rpc.ErrorInfo".
std::string TypeName(absl::string_view type_url) {
  const size_t slash = type_url.rfind('/');
  return std::string(
      slash == absl::string_view::npos ? type_url : type_url.substr(slash + 1));
}

// The detail's proto JSON, when its type is linked into this binary.
std::optional<json> DebugJson(const google::protobuf::Any& any) {
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          TypeName(any.type_url()));
  if (descriptor == nullptr) return std::nullopt;
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          descriptor);
  if (prototype == nullptr) return std::nullopt;
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromString(any.value())) return std::nullopt;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(*message, &text).ok()) {
    return std::nullopt;
  }
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::string ConnectCodeName(int grpc_code) {
  if (grpc_code < 0 || grpc_code >= kCodeCount) return "unknown";
  return kCodeNames[grpc_code];
}

int HttpStatusOf(int grpc_code) {
  if (grpc_code < 0 || grpc_code >= kCodeCount) return 500;
  return kHttpStatuses[grpc_code];
}

json ConnectErrorJson(const google::rpc::Status& status) {
  json error = {{"code", ConnectCodeName(status.code())}};
  if (!status.message().empty())
    error["message"] = ReplaceInvalidUtf8(status.message());
  json details = json::array();
  for (const google::protobuf::Any& any : status.details()) {
    std::string value;
    absl::Base64Escape(any.value(), &value);
    // The spec allows the padding to be left off, and its implementations
    // do.
    while (!value.empty() && value.back() == '=') value.pop_back();
    json detail = {{"type", ReplaceInvalidUtf8(TypeName(any.type_url()))},
                   {"value", value}};
    if (auto debug = DebugJson(any);
        debug.has_value() && !debug->is_discarded()) {
      detail["debug"] = *std::move(debug);
    }
    details.push_back(std::move(detail));
  }
  if (!details.empty()) error["details"] = std::move(details);
  return error;
}

std::string QuoteRequestBytes(absl::string_view bytes) {
  const bool cut = bytes.size() > kMaxQuotedBytes;
  return absl::StrCat("'", absl::CHexEscape(bytes.substr(0, kMaxQuotedBytes)),
                      cut ? "\xE2\x80\xA6" : "", "'");  // U+2026 "…".
}

google::rpc::Status RpcStatusOf(const grpc::Status& status) {
  google::rpc::Status out;
  if (!status.error_details().empty() &&
      out.ParseFromString(status.error_details()) &&
      out.code() == static_cast<int>(status.error_code())) {
    return out;
  }
  out.Clear();
  out.set_code(static_cast<int>(status.error_code()));
  out.set_message(status.error_message());
  return out;
}

std::string Envelope(uint8_t flags, absl::string_view data) {
  std::string out;
  out.reserve(kEnvelopePrefixBytes + data.size());
  const auto size = static_cast<uint32_t>(data.size());
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>((size >> 24) & 0xff));
  out.push_back(static_cast<char>((size >> 16) & 0xff));
  out.push_back(static_cast<char>((size >> 8) & 0xff));
  out.push_back(static_cast<char>(size & 0xff));
  out.append(data.data(), data.size());
  return out;
}

std::string EndStreamEnvelope(const grpc::Status& status) {
  json end = json::object();
  if (!status.ok()) end["error"] = ConnectErrorJson(RpcStatusOf(status));
  // ConnectErrorJson keeps it UTF-8; replacing is the last guard.
  return Envelope(kEndStreamFlag,
                  end.dump(-1, ' ', false, json::error_handler_t::replace));
}

absl::StatusOr<std::vector<std::string>> SplitEnvelopes(
    absl::string_view body, size_t max_message_bytes) {
  std::vector<std::string> messages;
  while (!body.empty()) {
    const size_t index = messages.size();
    if (body.size() < kEnvelopePrefixBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request envelope ", index, ": cut off inside its 5-byte prefix"));
    }
    const auto flags = static_cast<uint8_t>(body[0]);
    const uint32_t size =
        (static_cast<uint32_t>(static_cast<uint8_t>(body[1])) << 24) |
        (static_cast<uint32_t>(static_cast<uint8_t>(body[2])) << 16) |
        (static_cast<uint32_t>(static_cast<uint8_t>(body[3])) << 8) |
        static_cast<uint32_t>(static_cast<uint8_t>(body[4]));
    if (flags != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("request envelope ", index, ": flags ", flags,
                       (flags & kCompressedFlag) != 0
                           ? " (compressed; no compression was negotiated)"
                           : " (only 0, a message, is allowed in a request)"));
    }
    if (size > max_message_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("request envelope ", index, ": message of ", size,
                       " bytes is over the limit of ", max_message_bytes));
    }
    if (body.size() - kEnvelopePrefixBytes < size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request envelope ", index, ": says ", size, " bytes but only ",
          body.size() - kEnvelopePrefixBytes, " follow"));
    }
    messages.emplace_back(body.substr(kEnvelopePrefixBytes, size));
    body.remove_prefix(kEnvelopePrefixBytes + size);
  }
  return messages;
}

std::optional<ContentType> ParseContentType(absl::string_view header) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  const std::string type =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string parameter =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[i]));
    // JSON is UTF-8; a charset parameter may only say so.
    if (parameter != "charset=utf-8" && parameter != "charset=\"utf-8\"") {
      return std::nullopt;
    }
  }
  if (type == "application/json") return ContentType{Codec::kJson, false};
  if (type == "application/proto") return ContentType{Codec::kProto, false};
  if (type == "application/connect+json") {
    return ContentType{Codec::kJson, true};
  }
  if (type == "application/connect+proto") {
    return ContentType{Codec::kProto, true};
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<absl::Duration>> ParseTimeout(
    absl::string_view header) {
  if (header.empty()) return std::nullopt;
  uint64_t ms = 0;
  const bool digits = absl::c_all_of(header, [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
  if (!digits || header.size() > 10 || !absl::SimpleAtoi(header, &ms) ||
      ms == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Connect-Timeout-Ms: ", QuoteRequestBytes(header),
        " is not a positive whole number of milliseconds (at most 10 "
        "digits)"));
  }
  return absl::Milliseconds(static_cast<int64_t>(ms));
}

absl::Status CheckProtocolVersion(absl::string_view header) {
  if (header.empty() || header == "1") return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("Connect-Protocol-Version: ", QuoteRequestBytes(header),
                   " is not supported; this server speaks version 1"));
}

std::optional<MethodPath> ParseMethodPath(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(path, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return std::nullopt;
  }
  return MethodPath{parts[0], parts[1]};
}

}  // namespace makegood::http
