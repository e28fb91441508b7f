// The Connect protocol on makegoodd's HTTP listener (DESIGN.md §9), through
// a real HTTP/1.1 client: libcurl, and once the curl program as the README
// shows it. Unary calls in JSON and in binary, the HTTP status and the
// google.rpc.ErrorInfo of every error, the protocol's own refusals (before
// any RPC runs), bearer tokens and roles, one handler behind both
// transports, and server streams in Connect's envelopes.
//
// The envelope codec and the error decoding below are written from Buf's
// public specification of the protocol (connectrpc.com/docs/protocol), not
// from the server's code, so that the two can disagree.
//
// No test waits by sleeping: a unary call blocks until its answer, a stream
// read waits for bytes (curl_multi_poll) until its deadline.

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/errors.pb.h"
#include "nlohmann/json.hpp"
#include "support/sample_events.h"
#include "support/test_certificates.h"

namespace makegood {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::AnyOf;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using v1::AckCommandRequest;
using v1::AppliedRemedy;
using v1::Error;
using v1::RecoveryCase;
using v1::RecoveryUpdate;

// How long any one answer, envelope or stream end may take.
constexpr absl::Duration kWait = absl::Seconds(30);

// ---------------------------------------------------------------------------
// The protocol, from the spec.

// The HTTP status of a unary error, by Connect code (the spec's table).
const std::map<std::string, long>& HttpStatusOfCode() {
  static const auto* const kTable = new std::map<std::string, long>{
      {"canceled", 499},
      {"unknown", 500},
      {"invalid_argument", 400},
      {"deadline_exceeded", 504},
      {"not_found", 404},
      {"already_exists", 409},
      {"permission_denied", 403},
      {"resource_exhausted", 429},
      {"failed_precondition", 400},
      {"aborted", 409},
      {"out_of_range", 400},
      {"unimplemented", 501},
      {"internal", 500},
      {"unavailable", 503},
      {"data_loss", 500},
      {"unauthenticated", 401},
  };
  return *kTable;
}

// Envelope flags: 0x01 is "compressed", 0x02 "end of stream".
constexpr uint8_t kEndStreamFlag = 0x02;
// Every envelope starts with one flags byte and a 4-byte big-endian length.
constexpr size_t kEnvelopePrefix = 5;

struct Envelope {
  uint8_t flags = 0;
  std::string data;
};

std::string EncodeEnvelope(uint8_t flags, absl::string_view data) {
  std::string out;
  out.push_back(static_cast<char>(flags));
  const uint32_t length = static_cast<uint32_t>(data.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((length >> shift) & 0xff));
  }
  out.append(data.data(), data.size());
  return out;
}

// The envelope at `*offset` of `bytes`, moving `*offset` past it; nullopt
// (and `*offset` unchanged) while it is not complete.
std::optional<Envelope> DecodeEnvelope(absl::string_view bytes,
                                       size_t* offset) {
  if (bytes.size() < *offset + kEnvelopePrefix) return std::nullopt;
  const auto byte = [&](size_t i) {
    return static_cast<uint8_t>(bytes[*offset + i]);
  };
  const uint32_t length = (uint32_t{byte(1)} << 24) |
                          (uint32_t{byte(2)} << 16) | (uint32_t{byte(3)} << 8) |
                          uint32_t{byte(4)};
  if (bytes.size() - *offset - kEnvelopePrefix < length) return std::nullopt;
  Envelope envelope;
  envelope.flags = byte(0);
  envelope.data = std::string(bytes.substr(*offset + kEnvelopePrefix, length));
  *offset += kEnvelopePrefix + length;
  return envelope;
}

// Standard base64 (RFC 4648 §4), padding optional, as the spec has error
// detail values; nullopt for any other character or a dangling sextet.
std::optional<std::string> DecodeBase64(absl::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int pending = 0;
  for (const char c : text) {
    uint32_t value = 0;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | value;
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xff));
    }
  }
  if (pending >= 6) return std::nullopt;
  return out;
}

// A Connect error object, {"code", "message", "details"}, as a client reads
// it.
struct ConnectError {
  // The JSON was an object.
  bool parsed = false;
  std::string code;
  std::string message;
  // Of the first google.rpc.ErrorInfo detail.
  std::string reason;
  std::string domain;
  // The first field violation of a google.rpc.BadRequest detail.
  std::string field;
  // How the object breaks the spec (or the ErrorInfo its "debug").
  std::vector<std::string> problems;
};

void ReadDetail(const nlohmann::json& detail, ConnectError& error) {
  if (!detail.is_object()) {
    error.problems.push_back("a detail is not an object: " + detail.dump());
    return;
  }
  const auto type = detail.find("type");
  const auto value = detail.find("value");
  if (type == detail.end() || !type->is_string() || value == detail.end() ||
      !value->is_string()) {
    error.problems.push_back("a detail without string type and value: " +
                             detail.dump());
    return;
  }
  const std::optional<std::string> bytes =
      DecodeBase64(value->get<std::string>());
  if (!bytes.has_value()) {
    error.problems.push_back("a detail value is not base64: " + detail.dump());
    return;
  }
  const std::string type_name = type->get<std::string>();
  if (type_name == "google.rpc.ErrorInfo") {
    google::rpc::ErrorInfo info;
    if (!info.ParseFromString(*bytes)) {
      error.problems.push_back("an ErrorInfo value does not parse: " +
                               detail.dump());
      return;
    }
    const auto debug = detail.find("debug");
    if (debug == detail.end()) {
      error.problems.push_back("an ErrorInfo without debug: " + detail.dump());
    } else {
      google::rpc::ErrorInfo shown;
      const auto status =
          google::protobuf::util::JsonStringToMessage(debug->dump(), &shown);
      if (!status.ok()) {
        error.problems.push_back("an ErrorInfo's debug is not its JSON (" +
                                 status.ToString() + "): " + detail.dump());
      } else if (!MessageDifferencer::Equals(info, shown)) {
        error.problems.push_back("an ErrorInfo's debug " + debug->dump() +
                                 " is not its value " +
                                 info.ShortDebugString());
      }
    }
    if (error.reason.empty()) {
      error.reason = info.reason();
      error.domain = info.domain();
    }
  } else if (type_name == "google.rpc.BadRequest") {
    google::rpc::BadRequest bad;
    if (!bad.ParseFromString(*bytes)) {
      error.problems.push_back("a BadRequest value does not parse: " +
                               detail.dump());
    } else if (error.field.empty() && bad.field_violations_size() > 0) {
      error.field = bad.field_violations(0).field();
    }
  }
}

ConnectError ErrorFromJson(const nlohmann::json& json) {
  ConnectError error;
  if (!json.is_object()) {
    error.problems.push_back("the error is not a JSON object: " + json.dump());
    return error;
  }
  error.parsed = true;
  const auto code = json.find("code");
  if (code == json.end() || !code->is_string()) {
    error.problems.push_back("no string code");
  } else {
    error.code = code->get<std::string>();
    if (HttpStatusOfCode().count(error.code) == 0)
      error.problems.push_back("'" + error.code + "' is no Connect code");
  }
  const auto message = json.find("message");
  if (message != json.end()) {
    if (message->is_string()) {
      error.message = message->get<std::string>();
    } else {
      error.problems.push_back("the message is not a string");
    }
  }
  const auto details = json.find("details");
  if (details != json.end()) {
    if (!details->is_array()) {
      error.problems.push_back("details is not an array");
    } else {
      for (const nlohmann::json& detail : *details) ReadDetail(detail, error);
    }
  }
  return error;
}

ConnectError ErrorFromBody(const std::string& body) {
  const nlohmann::json json =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    ConnectError error;
    error.problems.push_back("the body is not JSON: " + body);
    return error;
  }
  return ErrorFromJson(json);
}

std::string Describe(const ConnectError& error) {
  if (!error.parsed) {
    return absl::StrCat("no Connect error (",
                        absl::StrJoin(error.problems, "; "), ")");
  }
  std::string text =
      absl::StrCat("code '", error.code, "' reason '", error.reason,
                   "' domain '", error.domain, "' message '", error.message,
                   "' field '", error.field, "'");
  if (!error.problems.empty())
    absl::StrAppend(&text, "; problems: ", absl::StrJoin(error.problems, "; "));
  return text;
}

// `error` is a well-formed Connect error with `code` and a message, and
// (unless `reason` is REASON_UNSPECIFIED: an error gRPC itself raised, such
// as a deadline) an ErrorInfo of domain makegood.v1 with `reason`.
::testing::AssertionResult HasCodeAndReason(const ConnectError& error,
                                            const std::string& code,
                                            Error::Reason reason) {
  const std::string want_reason =
      reason == Error::REASON_UNSPECIFIED ? "" : Error::Reason_Name(reason);
  auto failure = [&]() {
    return ::testing::AssertionFailure()
           << "got " << Describe(error) << "; want code '" << code << "'"
           << (want_reason.empty() ? std::string()
                                   : " reason '" + want_reason + "'");
  };
  if (!error.parsed || !error.problems.empty()) return failure();
  if (error.code != code) return failure();
  if (error.message.empty()) return failure() << " (no message)";
  if (!want_reason.empty() &&
      (error.reason != want_reason || error.domain != "makegood.v1"))
    return failure();
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// An HTTP client: libcurl.

void InitCurlOnce() {
  static const bool kInitialized =
      curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)kInitialized;
}

struct HttpResponse {
  // 0 when no response came (`curl_error` says why).
  long status = 0;
  std::string content_type;
  std::string body;
  // Names in lower case; a repeated header's values joined by ", ".
  std::map<std::string, std::string> headers;
  std::string curl_error;
};

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  const auto it = response.headers.find(name);
  return it == response.headers.end() ? "" : it->second;
}

// A response as its bytes arrive.
struct ResponseSink {
  long status = 0;
  // The final (not 1xx) response's headers are complete.
  bool headers_done = false;
  std::map<std::string, std::string> headers;
  std::string body;
};

size_t OnHeaderLine(char* data, size_t size, size_t count, void* sink_ptr) {
  auto* sink = static_cast<ResponseSink*>(sink_ptr);
  const absl::string_view line(data, size * count);
  if (absl::StartsWith(line, "HTTP/")) {
    // A status line: a new response begins (the real one after a 1xx).
    sink->headers.clear();
    sink->headers_done = false;
    int status = 0;
    const size_t space = line.find(' ');
    if (space != absl::string_view::npos)
      (void)absl::SimpleAtoi(line.substr(space + 1, 3), &status);
    sink->status = status;
  } else if (absl::StripAsciiWhitespace(line).empty()) {
    if (sink->status >= 200) sink->headers_done = true;
  } else if (const size_t colon = line.find(':');
             colon != absl::string_view::npos) {
    const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    const std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    auto [it, inserted] = sink->headers.emplace(name, value);
    if (!inserted) absl::StrAppend(&it->second, ", ", value);
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* sink_ptr) {
  static_cast<ResponseSink*>(sink_ptr)->body.append(data, size * count);
  return size * count;
}

curl_slist* HeaderList(const std::vector<std::string>& headers) {
  // No "Expect: 100-continue": a body goes at once, as a browser sends it.
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const std::string& header : headers)
    list = curl_slist_append(list, header.c_str());
  return list;
}

// A request of `method` to `url`; a POST sends `body`, which must outlive
// the handle. Over HTTP/1.1, never through a proxy, one connection each.
CURL* NewRequest(const std::string& method, const std::string& url,
                 const std::string& body, curl_slist* headers,
                 ResponseSink* sink) {
  InitCurlOnce();
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
                   static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  } else if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeaderLine);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, sink);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  return curl;
}

// One request, to its complete response.
HttpResponse Send(const std::string& method, const std::string& url,
                  const std::string& body,
                  const std::vector<std::string>& headers) {
  ResponseSink sink;
  curl_slist* list = HeaderList(headers);
  CURL* curl = NewRequest(method, url, body, list, &sink);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(kWait)));
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  curl_slist_free_all(list);
  HttpResponse response;
  if (code != CURLE_OK) response.curl_error = curl_easy_strerror(code);
  response.status = sink.headers_done ? sink.status : 0;
  response.headers = std::move(sink.headers);
  response.content_type = HeaderOf(response, "content-type");
  response.body = std::move(sink.body);
  return response;
}

// One Connect server stream: the request is one envelope, the response is
// read envelope by envelope as it arrives. Driven from the test's thread
// through curl's multi interface, so that a test makes other calls between
// reads and can hang up mid-stream. Not thread-safe.
class ConnectStream {
 public:
  ConnectStream(const std::string& url, std::string body,
                const std::vector<std::string>& headers)
      : body_(std::move(body)),
        headers_(HeaderList(headers)),
        multi_(curl_multi_init()),
        easy_(NewRequest("POST", url, body_, headers_, &sink_)) {
    curl_multi_add_handle(multi_, easy_);
  }
  ConnectStream(const ConnectStream&) = delete;
  ConnectStream& operator=(const ConnectStream&) = delete;
  ~ConnectStream() { Close(); }

  // The HTTP status once the response headers are in; 0 if none came
  // within `timeout`.
  long Status(absl::Duration timeout = kWait) {
    Pump(absl::Now() + timeout, [this] { return sink_.headers_done; });
    return sink_.headers_done ? sink_.status : 0;
  }

  std::string content_type() const {
    const auto it = sink_.headers.find("content-type");
    return it == sink_.headers.end() ? "" : it->second;
  }

  // The next envelope; nullopt when the response ended without one, or
  // none was complete within `timeout`.
  std::optional<Envelope> Next(absl::Duration timeout = kWait) {
    std::optional<Envelope> envelope;
    Pump(absl::Now() + timeout, [&] {
      envelope = DecodeEnvelope(sink_.body, &offset_);
      return envelope.has_value();
    });
    return envelope;
  }

  // Reads to the end of the response; false if it did not end within
  // `timeout`.
  bool Finish(absl::Duration timeout = kWait) {
    return Pump(absl::Now() + timeout, [this] { return finished_; });
  }

  // Bytes received and not yet taken by Next.
  size_t unread() const { return sink_.body.size() - offset_; }
  const std::string& response() const { return sink_.body; }

  // The response so far, for failure messages.
  std::string Dump() const {
    std::string text = absl::StrCat("HTTP ", sink_.status, " '",
                                    absl::CHexEscape(sink_.body), "'");
    if (finished_ && result_ != CURLE_OK)
      absl::StrAppend(&text, " (", curl_easy_strerror(result_), ")");
    return text;
  }

  // Hangs up, mid-stream or not: the screen lost its Wi-Fi.
  void Close() {
    if (easy_ != nullptr) {
      curl_multi_remove_handle(multi_, easy_);
      curl_easy_cleanup(easy_);
      easy_ = nullptr;
    }
    if (multi_ != nullptr) {
      curl_multi_cleanup(multi_);
      multi_ = nullptr;
    }
    if (headers_ != nullptr) {
      curl_slist_free_all(headers_);
      headers_ = nullptr;
    }
  }

 private:
  // Moves the transfer on until `ready` (called once after each step) holds:
  // true; false when the transfer ended or `deadline` passed first.
  bool Pump(absl::Time deadline, const std::function<bool()>& ready) {
    bool first = true;
    while (true) {
      if (ready()) return true;
      if (finished_ || multi_ == nullptr) return false;
      if (!first) {
        const absl::Duration left = deadline - absl::Now();
        if (left <= absl::ZeroDuration()) return false;
        const int64_t wait_ms =
            std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 100);
        curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
      }
      first = false;
      Perform();
    }
  }

  void Perform() {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        finished_ = true;
        result_ = message->data.result;
      }
    }
    if (running == 0) finished_ = true;
  }

  const std::string body_;
  ResponseSink sink_;
  curl_slist* headers_;
  CURLM* multi_;
  CURL* easy_;
  size_t offset_ = 0;
  bool finished_ = false;
  CURLcode result_ = CURLE_OK;
};

// How a server stream ended: by its end-of-stream envelope (HTTP 200), or
// by a Connect error answered instead of a stream (another status, which
// the spec allows when the call fails before its first message).
struct StreamEnd {
  long status = 0;
  // The JSON of the messages read before the end.
  std::vector<std::string> messages;
  // The end's error; code empty when the stream ended OK.
  ConnectError error;
  // How the response breaks the protocol; empty when it does not.
  std::string problem;
};

StreamEnd ReadToEnd(ConnectStream& stream) {
  StreamEnd end;
  end.status = stream.Status();
  if (end.status == 0) {
    end.problem = "no response: " + stream.Dump();
    return end;
  }
  if (end.status != 200) {
    if (!stream.Finish()) {
      end.problem = "the error response did not end: " + stream.Dump();
      return end;
    }
    if (!absl::StartsWith(stream.content_type(), "application/json")) {
      end.problem = "an error response that is not JSON: " + stream.Dump();
      return end;
    }
    end.error = ErrorFromBody(stream.response());
    const auto want = HttpStatusOfCode().find(end.error.code);
    if (want != HttpStatusOfCode().end() && want->second != end.status) {
      end.problem = absl::StrCat("HTTP ", end.status, " for code ",
                                 end.error.code, ", not ", want->second);
    }
    return end;
  }
  if (!absl::StartsWith(stream.content_type(), "application/connect+json")) {
    end.problem = "a stream of content type '" + stream.content_type() + "'";
    return end;
  }
  while (std::optional<Envelope> envelope = stream.Next()) {
    if (envelope->flags == 0) {
      end.messages.push_back(envelope->data);
      continue;
    }
    if (envelope->flags != kEndStreamFlag) {
      end.problem = absl::StrCat("an envelope with flags ",
                                 static_cast<int>(envelope->flags));
      return end;
    }
    const nlohmann::json json = nlohmann::json::parse(
        envelope->data, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) {
      end.problem =
          "an end-of-stream message that is no JSON object: " + envelope->data;
      return end;
    }
    for (const auto& item : json.items()) {
      if (item.key() != "error" && item.key() != "metadata")
        end.problem = "an end-of-stream message with '" + item.key() + "'";
    }
    const auto error = json.find("error");
    if (error != json.end()) end.error = ErrorFromJson(*error);
    if (!stream.Finish()) {
      end.problem = "the response went on after its end-of-stream envelope";
    } else if (stream.unread() > 0) {
      end.problem = "bytes after the end-of-stream envelope: " + stream.Dump();
    }
    return end;
  }
  end.problem =
      "the response ended without an end-of-stream envelope: " + stream.Dump();
  return end;
}

template <typename Message>
::testing::AssertionResult ParseJson(const std::string& json,
                                     Message* message) {
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, message);
  if (!status.ok()) {
    return ::testing::AssertionFailure()
           << "not a " << message->GetDescriptor()->full_name() << " in JSON ("
           << status.ToString() << "): " << json;
  }
  return ::testing::AssertionSuccess();
}

// `response` is a 200 in JSON holding a `Message`, which goes to `message`.
template <typename Message>
::testing::AssertionResult ParsesAs(const HttpResponse& response,
                                    Message* message) {
  if (response.status != 200 ||
      !absl::StartsWith(response.content_type, "application/json")) {
    return ::testing::AssertionFailure()
           << "HTTP " << response.status << " (" << response.content_type
           << ") " << response.curl_error << ": " << response.body;
  }
  return ParseJson(response.body, message);
}

// `response` is a unary Connect error: HTTP `status`, in JSON, with `code`
// and `reason` (see HasCodeAndReason).
::testing::AssertionResult IsConnectError(const HttpResponse& response,
                                          long status, const std::string& code,
                                          Error::Reason reason) {
  if (response.status != status ||
      !absl::StartsWith(response.content_type, "application/json")) {
    return ::testing::AssertionFailure()
           << "HTTP " << response.status << " (" << response.content_type
           << ") " << response.curl_error << ": " << response.body
           << "; want HTTP " << status << " in JSON, code '" << code << "'";
  }
  ::testing::AssertionResult result =
      HasCodeAndReason(ErrorFromBody(response.body), code, reason);
  if (!result) result << " (HTTP " << response.status << ")";
  return result;
}

// `response` is the error of an RPC: the HTTP status the spec gives `code`.
::testing::AssertionResult IsRpcError(const HttpResponse& response,
                                      const std::string& code,
                                      Error::Reason reason) {
  return IsConnectError(response, HttpStatusOfCode().at(code), code, reason);
}

// ---------------------------------------------------------------------------

class ConnectHttpTest : public RecoveryCallsTest {
 protected:
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", daemon_->http_port(), path);
  }

  // The headers a Connect client sends: the protocol version and, with a
  // token, the bearer.
  static std::vector<std::string> ConnectHeaders(const std::string& token) {
    std::vector<std::string> headers = {"Connect-Protocol-Version: 1"};
    if (!token.empty())
      headers.push_back(absl::StrCat("Authorization: Bearer ", token));
    return headers;
  }

  HttpResponse Post(const std::string& path, const std::string& content_type,
                    const std::string& body, std::vector<std::string> headers) {
    headers.push_back("Content-Type: " + content_type);
    return Send("POST", Url(path), body, headers);
  }

  // A unary call in JSON of "Service/Method" of makegood.v1.
  HttpResponse Call(const std::string& method, const std::string& json,
                    const std::string& token) {
    return Post("/makegood.v1." + method, "application/json", json,
                ConnectHeaders(token));
  }

  // A server stream of "Service/Method" of makegood.v1 whose request body
  // is `body` (normally one envelope).
  std::unique_ptr<ConnectStream> OpenStream(
      const std::string& method, std::string body, const std::string& token,
      const std::vector<std::string>& extra_headers = {}) {
    std::vector<std::string> headers = ConnectHeaders(token);
    headers.push_back("Content-Type: application/connect+json");
    headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
    return std::make_unique<ConnectStream>(Url("/makegood.v1." + method),
                                           std::move(body), headers);
  }

  std::unique_ptr<ConnectStream> OpenWatch(
      const std::string& token,
      const std::vector<std::string>& extra_headers = {}) {
    return OpenStream("RecoveryService/WatchRecoveries",
                      EncodeEnvelope(0, "{}"), token, extra_headers);
  }

  // A FlagProblemRequest for line "1" of `check_id`, in JSON as a browser
  // writes it.
  static std::string FlagJson(const std::string& request_id,
                              const std::string& check_id,
                              const std::string& category,
                              const std::string& severity) {
    return nlohmann::json{{"requestId", request_id},
                          {"checkId", check_id},
                          {"lineIds", nlohmann::json::array({"1"})},
                          {"categoryId", category},
                          {"severity", severity},
                          {"guestWords", "It came out cold"}}
        .dump();
  }

  RecoveryCase GetOverGrpc(const std::string& case_id) {
    v1::GetRecoveryRequest request;
    request.set_case_id(case_id);
    RecoveryCase recovery;
    const grpc::Status status = Recovery()->GetRecovery(
        Context(kManagerToken).get(), request, &recovery);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return recovery;
  }
};

std::vector<std::string> CheckIds(const v1::ListChecksResponse& list) {
  std::vector<std::string> ids;
  for (const auto& check : list.checks()) ids.push_back(check.check_id());
  return ids;
}

// The test's own codec, on bytes worked out by hand from the spec, so that
// the tests below fail only for the server.
TEST(ConnectCodecTest, EnvelopesAndBase64FollowTheSpec) {
  EXPECT_EQ(EncodeEnvelope(kEndStreamFlag, "{}"),
            std::string("\x02\x00\x00\x00\x02{}", 7));
  EXPECT_EQ(EncodeEnvelope(0, std::string(0x010203, 'x')).substr(0, 5),
            std::string("\x00\x00\x01\x02\x03", 5));

  const std::string two = EncodeEnvelope(0, "a") + EncodeEnvelope(0x02, "{}");
  size_t partial = 0;
  EXPECT_FALSE(DecodeEnvelope(two.substr(0, 5), &partial).has_value());
  EXPECT_EQ(partial, 0u);
  size_t offset = 0;
  const std::optional<Envelope> first = DecodeEnvelope(two, &offset);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->flags, 0);
  EXPECT_EQ(first->data, "a");
  const std::optional<Envelope> second = DecodeEnvelope(two, &offset);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->flags, kEndStreamFlag);
  EXPECT_EQ(second->data, "{}");
  EXPECT_EQ(offset, two.size());
  EXPECT_FALSE(DecodeEnvelope(two, &offset).has_value());

  EXPECT_EQ(DecodeBase64("AQID").value_or("?"), "\x01\x02\x03");
  EXPECT_EQ(DecodeBase64("AQI").value_or("?"), "\x01\x02");
  EXPECT_EQ(DecodeBase64("AQI=").value_or("?"), "\x01\x02");
  EXPECT_EQ(DecodeBase64("AQ==").value_or("?"), "\x01");
  EXPECT_EQ(DecodeBase64("AQ").value_or("?"), "\x01");
  EXPECT_FALSE(DecodeBase64("A").has_value());
  EXPECT_FALSE(DecodeBase64("-_8").has_value());  // URL-safe is not standard.
}

TEST_F(ConnectHttpTest, UnaryJsonCallsAnswerTheResponseMessageInJson) {
  PublishSummary summary;
  ASSERT_TRUE(Publish(DinnerEvents(), &summary).ok());
  for (const char* type :
       {"application/json", "application/json; charset=utf-8"}) {
    SCOPED_TRACE(type);
    v1::ListChecksResponse list;
    ASSERT_TRUE(ParsesAs(Post("/makegood.v1.CheckService/ListChecks", type,
                              "{}", ConnectHeaders(kServerToken)),
                         &list));
    EXPECT_THAT(CheckIds(list),
                UnorderedElementsAre("1041", "1042", "1043", "1044"));
  }

  v1::Check check;
  ASSERT_TRUE(ParsesAs(
      Call("CheckService/GetCheck", R"({"checkId":"1042"})", kServerToken),
      &check));
  EXPECT_EQ(check.check_id(), "1042");
  EXPECT_EQ(check.state(), v1::Check::OPEN);
  // The same check a gRPC client reads.
  v1::GetCheckRequest request;
  request.set_check_id("1042");
  v1::Check over_grpc;
  ASSERT_TRUE(v1::CheckService::NewStub(channel_)
                  ->GetCheck(Context(kServerToken).get(), request, &over_grpc)
                  .ok());
  EXPECT_TRUE(MessageDifferencer::Equals(check, over_grpc))
      << check.ShortDebugString() << "\nvs gRPC\n"
      << over_grpc.ShortDebugString();
}

TEST_F(ConnectHttpTest, BinaryCallsTakeAndAnswerProtobufAndErrorsStayJson) {
  PublishSummary summary;
  ASSERT_TRUE(Publish(DinnerEvents(), &summary).ok());
  v1::GetCheckRequest request;
  request.set_check_id("1042");
  const HttpResponse response =
      Post("/makegood.v1.CheckService/GetCheck", "application/proto",
           request.SerializeAsString(), ConnectHeaders(kServerToken));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/proto");
  v1::Check check;
  ASSERT_TRUE(check.ParseFromString(response.body));
  EXPECT_EQ(check.check_id(), "1042");
  EXPECT_GT(check.items_size(), 0);

  // A unary error is JSON whatever the request's codec.
  v1::GetRecoveryRequest missing;
  missing.set_case_id("RC-nope");
  EXPECT_TRUE(IsRpcError(
      Post("/makegood.v1.RecoveryService/GetRecovery", "application/proto",
           missing.SerializeAsString(), ConnectHeaders(kServerToken)),
      "not_found", Error::UNKNOWN_CASE));
}

TEST_F(ConnectHttpTest, RpcErrorsHaveTheSpecsHttpStatusAndTheirErrorInfo) {
  SeedCheck("c1", {2400});
  // invalid_argument: 400, with the field named in a BadRequest.
  const HttpResponse category =
      Call("RecoveryService/FlagProblem",
           FlagJson("r1", "c1", "soggy", "MAJOR"), kServerToken);
  EXPECT_TRUE(
      IsRpcError(category, "invalid_argument", Error::UNKNOWN_CATEGORY));
  EXPECT_EQ(ErrorFromBody(category.body).field, "category_id");
  // not_found: 404.
  EXPECT_TRUE(IsRpcError(Call("RecoveryService/GetRecovery",
                              R"({"caseId":"RC-nope"})", kServerToken),
                         "not_found", Error::UNKNOWN_CASE));
  // permission_denied: 403 (an adapter may not flag).
  EXPECT_TRUE(IsRpcError(
      Call("RecoveryService/FlagProblem",
           FlagJson("r2", "c1", "cold_food", "MAJOR"), kAdapterToken),
      "permission_denied", Error::ROLE_NOT_ALLOWED));
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);

  RecoveryCase flagged;
  ASSERT_TRUE(
      ParsesAs(Call("RecoveryService/FlagProblem",
                    FlagJson("r3", "c1", "cold_food", "MAJOR"), kServerToken),
               &flagged));
  const v1::RemedyOption* refire = OptionFor(flagged, "refire");
  ASSERT_NE(refire, nullptr) << flagged.ShortDebugString();
  auto apply = [&](const std::string& request_id) {
    return Call("RecoveryService/ApplyRemedy",
                nlohmann::json{{"requestId", request_id},
                               {"caseId", flagged.case_id()},
                               {"optionId", refire->option_id()}}
                    .dump(),
                kServerToken);
  };
  RecoveryCase applied;
  ASSERT_TRUE(ParsesAs(apply("r4"), &applied));
  // failed_precondition: 400 (the refire is applied already).
  EXPECT_TRUE(
      IsRpcError(apply("r5"), "failed_precondition", Error::ALREADY_APPLIED));
  // already_exists: 409 (a request id reused for another request).
  EXPECT_TRUE(IsRpcError(
      Call("RecoveryService/FlagProblem",
           FlagJson("r3", "c1", "wrong_item", "MAJOR"), kServerToken),
      "already_exists", Error::REQUEST_ID_REUSED));
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM remedies"), 1);
}

TEST_F(ConnectHttpTest, CallsNeedABearerTokenOfARoleThatMayCallTheMethod) {
  // No Authorization header at all.
  EXPECT_TRUE(IsRpcError(
      Post("/makegood.v1.CheckService/ListChecks", "application/json", "{}",
           {"Connect-Protocol-Version: 1"}),
      "unauthenticated", Error::UNAUTHENTICATED));
  // A token no credential has.
  EXPECT_TRUE(IsRpcError(Call("CheckService/ListChecks", "{}", "not-a-token"),
                         "unauthenticated", Error::UNAUTHENTICATED));
  // A SERVER may not approve; a MANAGER gets past the role check to the
  // store, which has no such case.
  const std::string approve =
      R"({"requestId":"ap-1","caseId":"RC-1","remedyApplicationId":"RA-1","approve":true})";
  EXPECT_TRUE(
      IsRpcError(Call("RecoveryService/ApproveRemedy", approve, kServerToken),
                 "permission_denied", Error::ROLE_NOT_ALLOWED));
  EXPECT_TRUE(
      IsRpcError(Call("RecoveryService/ApproveRemedy", approve, kManagerToken),
                 "not_found", Error::REASON_UNSPECIFIED));
}

TEST_F(ConnectHttpTest, AFlagOverConnectIsTheCaseGrpcReadsAndARetryReturnsIt) {
  SeedCheck("c1", {2400});
  const std::string flag = FlagJson("flag-1", "c1", "cold_food", "MAJOR");
  RecoveryCase flagged;
  ASSERT_TRUE(ParsesAs(Call("RecoveryService/FlagProblem", flag, kServerToken),
                       &flagged));
  EXPECT_FALSE(flagged.case_id().empty());
  EXPECT_EQ(flagged.status(), RecoveryCase::OPEN);
  EXPECT_EQ(flagged.flagged_by(), "s-17");
  EXPECT_NE(OptionFor(flagged, "refire"), nullptr);

  const RecoveryCase over_grpc = GetOverGrpc(flagged.case_id());
  EXPECT_EQ(over_grpc.case_id(), flagged.case_id());
  EXPECT_EQ(over_grpc.check_id(), "c1");
  EXPECT_EQ(over_grpc.category_id(), "cold_food");
  EXPECT_EQ(over_grpc.severity(), v1::MAJOR);
  EXPECT_EQ(over_grpc.guest_words(), "It came out cold");
  EXPECT_EQ(over_grpc.flagged_by(), "s-17");

  // The tablet lost the answer and sends the same request again.
  RecoveryCase retried;
  ASSERT_TRUE(ParsesAs(Call("RecoveryService/FlagProblem", flag, kServerToken),
                       &retried));
  EXPECT_EQ(retried.case_id(), flagged.case_id());
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM ledger WHERE action='flagged'"), 1);
}

TEST_F(ConnectHttpTest, AnUnknownServiceOrMethodIs404Unimplemented) {
  for (const char* path : {"/makegood.v1.NoSuchService/ListChecks",
                           "/makegood.v1.CheckService/NoSuchMethod"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(IsConnectError(
        Post(path, "application/json", "{}", ConnectHeaders(kServerToken)), 404,
        "unimplemented", Error::BAD_HTTP_REQUEST));
  }
}

TEST_F(ConnectHttpTest, OtherHttpMethodsOnAnRpcPathAre405AllowingPost) {
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    const HttpResponse response =
        Send(method, Url("/makegood.v1.CheckService/ListChecks"), "",
             ConnectHeaders(kServerToken));
    EXPECT_EQ(response.status, 405) << response.curl_error << response.body;
    EXPECT_EQ(HeaderOf(response, "allow"), "POST");
  }
}

TEST_F(ConnectHttpTest, AContentTypeConnectDoesNotKnowIs415AndRunsNothing) {
  SeedCheck("c1", {2400});
  const std::string flag = FlagJson("r1", "c1", "cold_food", "MAJOR");
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "application/xml",
        "application/json; charset=iso-8859-1"}) {
    SCOPED_TRACE(type);
    const HttpResponse response =
        Post("/makegood.v1.RecoveryService/FlagProblem", type, flag,
             ConnectHeaders(kServerToken));
    EXPECT_EQ(response.status, 415) << response.curl_error << response.body;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
}

TEST_F(ConnectHttpTest, ABodyOverTheLimitIs413AndStoresNothing) {
  ASSERT_NO_FATAL_FAILURE(
      RestartWithServerSettings("  http_max_body_bytes: 2048\n"));
  const std::vector<OrderEvent> events = DinnerEvents();
  ASSERT_GE(events.size(), 2u);
  auto batch_of = [](const std::vector<OrderEvent>& some) {
    v1::PublishBatchRequest batch;
    for (const OrderEvent& event : some) *batch.add_events() = event;
    return batch;
  };
  const v1::PublishBatchRequest all = batch_of(events);
  std::string all_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(all, &all_json).ok());
  ASSERT_GT(all_json.size(), 2048u);
  EXPECT_EQ(
      Call("OrderEventService/PublishBatch", all_json, kAdapterToken).status,
      413);
  const std::string all_binary = all.SerializeAsString();
  ASSERT_GT(all_binary.size(), 2048u);
  EXPECT_EQ(Post("/makegood.v1.OrderEventService/PublishBatch",
                 "application/proto", all_binary, ConnectHeaders(kAdapterToken))
                .status,
            413);
  EXPECT_EQ(StoredEvents(), 0);

  // Under the limit the same call goes through.
  std::string two_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(
                  batch_of({events[0], events[1]}), &two_json)
                  .ok());
  ASSERT_LT(two_json.size(), 2048u);
  PublishSummary published;
  ASSERT_TRUE(
      ParsesAs(Call("OrderEventService/PublishBatch", two_json, kAdapterToken),
               &published));
  EXPECT_EQ(published.accepted(), 2);
  EXPECT_EQ(StoredEvents(), 2);
}

TEST_F(ConnectHttpTest, ABodyThatIsNotTheRequestMessageIs400NamingTheProblem) {
  SeedCheck("c1", {2400});
  const std::string path = "RecoveryService/FlagProblem";
  // Not JSON at all: cut off mid-object.
  const HttpResponse cut =
      Call(path, R"({"requestId":"r1","checkId":)", kServerToken);
  EXPECT_TRUE(IsRpcError(cut, "invalid_argument", Error::BAD_HTTP_REQUEST));
  EXPECT_THAT(absl::AsciiStrToLower(ErrorFromBody(cut.body).message),
              HasSubstr("json"));
  // A field of the wrong type.
  const HttpResponse typed =
      Call(path, R"({"requestId":"r2","checkId":5})", kServerToken);
  EXPECT_TRUE(IsRpcError(typed, "invalid_argument", Error::BAD_HTTP_REQUEST));
  EXPECT_THAT(ErrorFromBody(typed.body).message,
              AnyOf(HasSubstr("checkId"), HasSubstr("check_id")));
  // A field the message does not have.
  const HttpResponse unknown =
      Call(path, R"({"requestId":"r3","nope":1})", kServerToken);
  EXPECT_TRUE(IsRpcError(unknown, "invalid_argument", Error::BAD_HTTP_REQUEST));
  EXPECT_THAT(ErrorFromBody(unknown.body).message, HasSubstr("nope"));
  // Bytes that are no protobuf message.
  EXPECT_TRUE(IsRpcError(
      Post("/makegood.v1." + path, "application/proto",
           std::string("\xff\xff\xff", 3), ConnectHeaders(kServerToken)),
      "invalid_argument", Error::BAD_HTTP_REQUEST));
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
}

TEST_F(ConnectHttpTest, BadConnectHeadersAre400BeforeAnyRpcRuns) {
  SeedCheck("c1", {2400});
  const std::string path = "/makegood.v1.RecoveryService/FlagProblem";
  const std::string flag = FlagJson("r1", "c1", "cold_food", "MAJOR");
  const std::string bearer =
      absl::StrCat("Authorization: Bearer ", kServerToken);
  const HttpResponse version = Post(path, "application/json", flag,
                                    {"Connect-Protocol-Version: 2", bearer});
  EXPECT_TRUE(IsRpcError(version, "invalid_argument", Error::BAD_HTTP_REQUEST));
  EXPECT_THAT(absl::AsciiStrToLower(ErrorFromBody(version.body).message),
              HasSubstr("connect-protocol-version"));
  for (const char* timeout : {"abc", "-5", "12345678901"}) {
    SCOPED_TRACE(timeout);
    const HttpResponse response =
        Post(path, "application/json", flag,
             {"Connect-Protocol-Version: 1", bearer,
              absl::StrCat("Connect-Timeout-Ms: ", timeout)});
    EXPECT_TRUE(
        IsRpcError(response, "invalid_argument", Error::BAD_HTTP_REQUEST));
    EXPECT_THAT(absl::AsciiStrToLower(ErrorFromBody(response.body).message),
                HasSubstr("connect-timeout-ms"));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM cases"), 0);
}

TEST_F(ConnectHttpTest, TheReadmesCurlCommandListsTheChecks) {
  PublishSummary summary;
  ASSERT_TRUE(Publish(DinnerEvents(), &summary).ok());
  const CommandResult curl =
      RunCommand({MAKEGOOD_CURL_BIN, "--silent", "--show-error", "--noproxy",
                  "*", "-H", "Content-Type: application/json", "-H",
                  absl::StrCat("Authorization: Bearer ", kServerToken),
                  "--data", "{}", Url("/makegood.v1.CheckService/ListChecks")});
  ASSERT_EQ(curl.exit_code, 0) << curl.err;
  v1::ListChecksResponse list;
  ASSERT_TRUE(ParseJson(curl.out, &list));
  EXPECT_THAT(CheckIds(list),
              UnorderedElementsAre("1041", "1042", "1043", "1044"));
}

// TLS on the HTTP listener with a real handshake: a certificate made here
// with the openssl program (support/test_certificates.h), curl trusting
// only its CA, and plain HTTP refused on the same port.
TEST_F(ConnectHttpTest, TheHttpListenerServesTlsWithItsCertificate) {
  auto certificates = testing::MakeTestCertificates(dir_.path());
  ASSERT_TRUE(certificates.ok()) << certificates.status();
  ASSERT_NO_FATAL_FAILURE(RestartWithServerSettings(
      absl::StrCat("  http_tls: { cert_file: \"", certificates->server_cert,
                   "\", key_file: \"", certificates->server_key, "\" }\n")));
  const std::string path =
      absl::StrCat("127.0.0.1:", daemon_->http_port(),
                   "/makegood.v1.CheckService/GetLocation");
  const std::vector<std::string> call = {
      MAKEGOOD_CURL_BIN,
      "--silent",
      "--show-error",
      "--noproxy",
      "*",
      "-H",
      "Content-Type: application/json",
      "-H",
      absl::StrCat("Authorization: Bearer ", kServerToken),
      "--data",
      "{}"};

  std::vector<std::string> trusted = call;
  trusted.insert(trusted.end(),
                 {"--cacert", certificates->ca_cert, "https://" + path});
  const CommandResult secure = RunCommand(trusted);
  ASSERT_EQ(secure.exit_code, 0) << secure.err;
  EXPECT_THAT(secure.out, HasSubstr("\"timezone\":\"America/New_York\""));

  std::vector<std::string> untrusted = call;
  untrusted.push_back("https://" + path);
  EXPECT_NE(RunCommand(untrusted).exit_code, 0)
      << "curl accepted a certificate it was not told to trust";

  std::vector<std::string> plain = call;
  plain.push_back("http://" + path);
  const CommandResult clear = RunCommand(plain);
  EXPECT_THAT(clear.out, Not(HasSubstr("America/New_York")));
}

TEST_F(ConnectHttpTest,
       AWatchStreamsItsSnapshotThenLiveChangesUntilItsTimeout) {
  // A comp over the server's 25.00 waits for a manager: the snapshot has it.
  SeedCheck("c1", {3000});
  RecoveryCase flagged, pending;
  ASSERT_TRUE(
      Flag(kServerToken, "f1", "c1", {"1"}, "wrong_item", v1::MAJOR, &flagged)
          .ok());
  const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
  ASSERT_NE(comp, nullptr) << flagged.ShortDebugString();
  ASSERT_TRUE(
      Apply(kServerToken, "a1", flagged.case_id(), comp->option_id(), &pending)
          .ok());
  ASSERT_EQ(pending.status(), RecoveryCase::PENDING_APPROVAL);
  SeedCheck("c2", {1500});

  auto stream = OpenWatch(kManagerToken, {"Connect-Timeout-Ms: 2000"});
  ASSERT_EQ(stream->Status(), 200) << stream->Dump();
  EXPECT_THAT(stream->content_type(), StartsWith("application/connect+json"));
  std::vector<RecoveryUpdate> snapshot;
  RecoveryUpdate update;
  while (true) {
    std::optional<Envelope> envelope = stream->Next();
    ASSERT_TRUE(envelope.has_value())
        << "the stream ended before its caught_up: " << stream->Dump();
    ASSERT_EQ(static_cast<int>(envelope->flags), 0) << envelope->data;
    ASSERT_TRUE(ParseJson(envelope->data, &update));
    if (update.has_caught_up()) break;
    snapshot.push_back(update);
  }
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_TRUE(snapshot[0].snapshot());
  EXPECT_EQ(snapshot[0].case_changed().case_id(), flagged.case_id());
  EXPECT_EQ(snapshot[0].case_changed().status(),
            RecoveryCase::PENDING_APPROVAL);
  EXPECT_EQ(snapshot[1].alert().kind(), v1::Alert::PENDING_APPROVAL);
  EXPECT_EQ(update.caught_up().start(), v1::CaughtUp::SNAPSHOT);
  EXPECT_EQ(update.caught_up().updates(), 2);

  // Flagged over gRPC meanwhile: it arrives live on the Connect stream.
  RecoveryCase live;
  ASSERT_TRUE(
      Flag(kServerToken, "f2", "c2", {"1"}, "cold_food", v1::MINOR, &live)
          .ok());
  do {
    std::optional<Envelope> envelope = stream->Next();
    ASSERT_TRUE(envelope.has_value()) << stream->Dump();
    ASSERT_EQ(static_cast<int>(envelope->flags), 0)
        << "the stream ended before the live change: " << envelope->data;
    ASSERT_TRUE(ParseJson(envelope->data, &update));
  } while (update.case_changed().case_id() != live.case_id());
  EXPECT_FALSE(update.snapshot());
  EXPECT_EQ(update.case_changed().check_id(), "c2");

  // Then its timeout ends it, in an end-of-stream envelope.
  const StreamEnd end = ReadToEnd(*stream);
  ASSERT_TRUE(end.problem.empty()) << end.problem;
  EXPECT_EQ(end.status, 200);
  EXPECT_TRUE(HasCodeAndReason(end.error, "deadline_exceeded",
                               Error::REASON_UNSPECIFIED));
}

TEST_F(ConnectHttpTest, AWatchWithAOneMillisecondTimeoutEndsDeadlineExceeded) {
  auto stream = OpenWatch(kManagerToken, {"Connect-Timeout-Ms: 1"});
  const StreamEnd end = ReadToEnd(*stream);
  ASSERT_TRUE(end.problem.empty()) << end.problem;
  EXPECT_TRUE(HasCodeAndReason(end.error, "deadline_exceeded",
                               Error::REASON_UNSPECIFIED))
      << "HTTP " << end.status;
}

TEST_F(ConnectHttpTest, AWatchNeedsAManagerAndSaysSoInTheStreamOrItsStatus) {
  // The spec lets a stream that fails at once answer either way: HTTP 200
  // with only an end-of-stream error, or the error's own status.
  struct Caller {
    std::string token;
    std::string code;
    Error::Reason reason;
  };
  for (const Caller& caller :
       {Caller{kServerToken, "permission_denied", Error::ROLE_NOT_ALLOWED},
        Caller{"", "unauthenticated", Error::UNAUTHENTICATED}}) {
    SCOPED_TRACE(caller.code);
    auto stream = OpenWatch(caller.token);
    const StreamEnd end = ReadToEnd(*stream);
    ASSERT_TRUE(end.problem.empty()) << end.problem;
    EXPECT_TRUE(end.status == 200 ||
                end.status == HttpStatusOfCode().at(caller.code))
        << "HTTP " << end.status;
    EXPECT_TRUE(end.messages.empty()) << end.messages.front();
    EXPECT_TRUE(HasCodeAndReason(end.error, caller.code, caller.reason))
        << "HTTP " << end.status;
  }
}

TEST_F(ConnectHttpTest, AMalformedEnvelopeIsInvalidArgument) {
  // A length of 100 with 2 bytes after it, and a prefix cut off.
  const std::string longer_than_body =
      EncodeEnvelope(0, std::string(100, ' ')).substr(0, kEnvelopePrefix) +
      "{}";
  const std::string cut_prefix = std::string("\x00\x00\x00", 3);
  for (const std::string& body : {longer_than_body, cut_prefix}) {
    SCOPED_TRACE(absl::CHexEscape(body));
    auto stream =
        OpenStream("RecoveryService/WatchRecoveries", body, kManagerToken);
    const StreamEnd end = ReadToEnd(*stream);
    ASSERT_TRUE(end.problem.empty()) << end.problem;
    EXPECT_TRUE(end.messages.empty()) << end.messages.front();
    EXPECT_TRUE(HasCodeAndReason(end.error, "invalid_argument",
                                 Error::BAD_HTTP_REQUEST))
        << "HTTP " << end.status;
  }
}

TEST_F(ConnectHttpTest, ClientsThatHangUpMidStreamLeaveTheDaemonServing) {
  constexpr int kTimes = 20;
  for (int i = 0; i < kTimes; ++i) SeedCheck(absl::StrCat("h", i), {1500});
  for (int i = 0; i < kTimes; ++i) {
    SCOPED_TRACE(i);
    auto stream = OpenWatch(kManagerToken);
    ASSERT_EQ(stream->Status(), 200) << stream->Dump();
    if (i % 2 == 1) {
      // Hang up live, after the caught_up; else as soon as it answered.
      RecoveryUpdate update;
      do {
        std::optional<Envelope> envelope = stream->Next();
        ASSERT_TRUE(envelope.has_value() && envelope->flags == 0)
            << stream->Dump();
        ASSERT_TRUE(ParseJson(envelope->data, &update));
      } while (!update.has_caught_up());
    }
    stream->Close();
    // A change for the stream whose client has gone.
    const std::string check = absl::StrCat("h", i);
    RecoveryCase flagged;
    ASSERT_TRUE(Flag(kServerToken, "f-" + check, check, {"1"}, "wrong_item",
                     v1::MINOR, &flagged)
                    .ok())
        << DaemonLog();
  }

  // Still serving, over both transports.
  v1::ListChecksResponse list;
  ASSERT_TRUE(
      ParsesAs(Call("CheckService/ListChecks", "{}", kServerToken), &list))
      << DaemonLog();
  EXPECT_EQ(list.checks_size(), kTimes);
  v1::ListChecksRequest request;
  v1::ListChecksResponse over_grpc;
  ASSERT_TRUE(v1::CheckService::NewStub(channel_)
                  ->ListChecks(Context(kServerToken).get(), request, &over_grpc)
                  .ok());
  EXPECT_EQ(over_grpc.checks_size(), kTimes);
  ExpectStopsCleanly();
}

TEST_F(ConnectHttpTest, AnAdapterStreamsCommandsAndAcksThemOverConnect) {
  SeedCheck("c1", {2400});
  RecoveryCase flagged, applied;
  ASSERT_TRUE(
      Flag(kServerToken, "f1", "c1", {"1"}, "cold_food", v1::MAJOR, &flagged)
          .ok());
  const v1::RemedyOption* refire = OptionFor(flagged, "refire");
  ASSERT_NE(refire, nullptr) << flagged.ShortDebugString();
  ASSERT_TRUE(Apply(kServerToken, "a1", flagged.case_id(), refire->option_id(),
                    &applied)
                  .ok());
  ASSERT_EQ(applied.remedies_size(), 1);
  const std::string command_id = applied.remedies(0).command_id();
  ASSERT_FALSE(command_id.empty());

  auto stream = OpenStream(
      "RemedyCommandService/StreamCommands",
      EncodeEnvelope(0, R"({"adapterName":"connect-test"})"), kAdapterToken);
  ASSERT_EQ(stream->Status(), 200) << stream->Dump();
  EXPECT_THAT(stream->content_type(), StartsWith("application/connect+json"));
  v1::RemedyCommand command;
  do {
    std::optional<Envelope> envelope = stream->Next();
    ASSERT_TRUE(envelope.has_value()) << stream->Dump();
    ASSERT_EQ(static_cast<int>(envelope->flags), 0) << envelope->data;
    ASSERT_TRUE(ParseJson(envelope->data, &command));
  } while (command.command_id() != command_id);
  EXPECT_EQ(command.case_id(), flagged.case_id());
  EXPECT_EQ(command.check_id(), "c1");
  EXPECT_EQ(command.apply_remedy().kind(), v1::REMAKE);
  EXPECT_EQ(command.apply_remedy().line_id(), "1");

  // Answered while the stream still holds its lease.
  v1::AckCommandResponse ack;
  ASSERT_TRUE(ParsesAs(Call("RemedyCommandService/AckCommand",
                            nlohmann::json{{"requestId", "ack-1"},
                                           {"commandId", command_id},
                                           {"result", "APPLIED"},
                                           {"posReference", "pos-refire-7"}}
                                .dump(),
                            kAdapterToken),
                       &ack));
  EXPECT_EQ(ack.command_id(), command_id);
  EXPECT_EQ(ack.recorded_result(), AckCommandRequest::APPLIED);
  EXPECT_FALSE(ack.duplicate());
  stream->Close();

  const RecoveryCase now = GetOverGrpc(flagged.case_id());
  ASSERT_EQ(now.remedies_size(), 1);
  EXPECT_EQ(now.remedies(0).status(), AppliedRemedy::APPLIED);
  EXPECT_EQ(now.remedies(0).pos_reference(), "pos-refire-7");
}

}  // namespace
}  // namespace makegood
