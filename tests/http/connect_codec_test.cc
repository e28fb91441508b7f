// The wire pieces of the Connect protocol (http/connect_codec.h) against
// Buf's public specification (connectrpc.com/docs/protocol). The expected
// codes, HTTP statuses and envelope bytes below are written by hand from the
// spec, never produced by the code under test.

#include "http/connect_codec.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/status.h>
#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "http/connect_gateway.h"
#include "makegood/v1/checks.pb.h"
#include "nlohmann/json.hpp"

namespace makegood::http {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The bytes of `text` as written, including NULs: "\x00\x00" in a string
// literal would otherwise end the std::string at the first NUL.
template <size_t N>
std::string Bytes(const char (&text)[N]) {
  return std::string(text, N - 1);
}

// ---------------------------------------------------------------------------
// Codes and HTTP statuses.

struct CodeRow {
  grpc::StatusCode code;
  const char* name;
  int http_status;
};

// The spec's "Error Codes" table.
const std::vector<CodeRow>& SpecTable() {
  static const auto* const kTable = new std::vector<CodeRow>{
      {grpc::StatusCode::CANCELLED, "canceled", 499},
      {grpc::StatusCode::UNKNOWN, "unknown", 500},
      {grpc::StatusCode::INVALID_ARGUMENT, "invalid_argument", 400},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "deadline_exceeded", 504},
      {grpc::StatusCode::NOT_FOUND, "not_found", 404},
      {grpc::StatusCode::ALREADY_EXISTS, "already_exists", 409},
      {grpc::StatusCode::PERMISSION_DENIED, "permission_denied", 403},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "resource_exhausted", 429},
      {grpc::StatusCode::FAILED_PRECONDITION, "failed_precondition", 400},
      {grpc::StatusCode::ABORTED, "aborted", 409},
      {grpc::StatusCode::OUT_OF_RANGE, "out_of_range", 400},
      {grpc::StatusCode::UNIMPLEMENTED, "unimplemented", 501},
      {grpc::StatusCode::INTERNAL, "internal", 500},
      {grpc::StatusCode::UNAVAILABLE, "unavailable", 503},
      {grpc::StatusCode::DATA_LOSS, "data_loss", 500},
      {grpc::StatusCode::UNAUTHENTICATED, "unauthenticated", 401},
  };
  return *kTable;
}

TEST(ConnectCodeTest, EveryErrorCodeHasTheSpecsNameAndHttpStatus) {
  ASSERT_EQ(SpecTable().size(), 16u);
  for (const CodeRow& row : SpecTable()) {
    const int code = static_cast<int>(row.code);
    EXPECT_EQ(ConnectCodeName(code), row.name) << "code " << code;
    EXPECT_EQ(HttpStatusOf(code), row.http_status) << "code " << code;
  }
}

TEST(ConnectCodeTest, GrpcAndAbseilNumberTheCodesAlike) {
  // ConnectCodeName takes the number; both status types must agree on it.
  EXPECT_EQ(ConnectCodeName(static_cast<int>(absl::StatusCode::kCancelled)),
            "canceled");
  EXPECT_EQ(
      ConnectCodeName(static_cast<int>(absl::StatusCode::kUnauthenticated)),
      "unauthenticated");
  EXPECT_EQ(HttpStatusOf(static_cast<int>(absl::StatusCode::kNotFound)), 404);
}

TEST(ConnectCodeTest, AValueThatIsNoCodeIsUnknownAnd500) {
  for (int code : {-1, 17, 18, 100, 1 << 20}) {
    EXPECT_EQ(ConnectCodeName(code), "unknown") << "code " << code;
    EXPECT_EQ(HttpStatusOf(code), 500) << "code " << code;
  }
}

// ---------------------------------------------------------------------------
// The error JSON.

// Standard base64 of `unpadded`, its padding put back.
std::string Unbase64(std::string unpadded) {
  while (unpadded.size() % 4 != 0) unpadded.push_back('=');
  std::string bytes;
  EXPECT_TRUE(absl::Base64Unescape(unpadded, &bytes)) << unpadded;
  return bytes;
}

google::rpc::ErrorInfo SampleErrorInfo() {
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_FIELD");
  info.set_domain("makegood.v1");
  (*info.mutable_metadata())["field"] = "pin";
  return info;
}

google::rpc::BadRequest SampleBadRequest() {
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field("pin");
  violation->set_description("the PIN is too short");
  return bad;
}

google::rpc::Status SampleStatus() {
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  status.set_message("pin: the PIN is too short");
  status.add_details()->PackFrom(SampleErrorInfo());
  status.add_details()->PackFrom(SampleBadRequest());
  return status;
}

TEST(ConnectErrorJsonTest, CarriesCodeMessageAndEveryDetail) {
  const google::rpc::Status status = SampleStatus();
  json error = ConnectErrorJson(status);
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["message"], "pin: the PIN is too short");
  ASSERT_TRUE(error.contains("details")) << error.dump();
  ASSERT_EQ(error["details"].size(), 2u) << error.dump();

  json& info = error["details"][0];
  EXPECT_EQ(info["type"], "google.rpc.ErrorInfo");
  EXPECT_EQ(info["debug"], json::parse(R"({"reason": "INVALID_FIELD",
                                           "domain": "makegood.v1",
                                           "metadata": {"field": "pin"}})"));
  json& bad = error["details"][1];
  EXPECT_EQ(bad["type"], "google.rpc.BadRequest");
  EXPECT_EQ(bad["debug"], json::parse(R"({"fieldViolations": [
      {"field": "pin", "description": "the PIN is too short"}]})"));

  // The value is the detail's own bytes, in base64 without its padding.
  bool some_need_padding = false;
  for (size_t i = 0; i < 2; ++i) {
    const std::string& bytes = status.details(static_cast<int>(i)).value();
    const std::string value = error["details"][i]["value"].get<std::string>();
    EXPECT_FALSE(absl::StrContains(value, "=")) << value;
    EXPECT_EQ(Unbase64(value), bytes) << "detail " << i;
    std::string padded = absl::Base64Escape(bytes);
    some_need_padding |= absl::EndsWith(padded, "=");
    while (absl::EndsWith(padded, "=")) padded.pop_back();
    EXPECT_EQ(value, padded) << "detail " << i;
  }
  // Else this test would not see padding being left off.
  EXPECT_TRUE(some_need_padding)
      << "pick detail contents whose length is no multiple of 3";
}

TEST(ConnectErrorJsonTest, ADetailOfAnUnknownTypeHasNoDebug) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::INTERNAL));
  google::protobuf::Any* any = status.add_details();
  any->set_type_url("type.googleapis.com/example.v9.NotLinkedIn");
  any->set_value(
      Bytes("\x0a\x03"
            "abc"));
  json error = ConnectErrorJson(status);
  EXPECT_EQ(error["code"], "internal");
  EXPECT_FALSE(error.contains("message")) << error.dump();
  ASSERT_EQ(error["details"].size(), 1u);
  EXPECT_EQ(error["details"][0]["type"], "example.v9.NotLinkedIn");
  EXPECT_EQ(error["details"][0]["value"], "CgNhYmM");
  EXPECT_FALSE(error["details"][0].contains("debug")) << error.dump();
}

TEST(ConnectErrorJsonTest, NoDetailsNoDetailsArray) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  status.set_message("no check 'c-1'");
  EXPECT_EQ(
      ConnectErrorJson(status),
      json::parse(R"({"code": "not_found", "message": "no check 'c-1'"})"));
}

// ---------------------------------------------------------------------------
// google.rpc.Status from a gRPC status.

TEST(RpcStatusOfTest, TakesTheErrorDetailsWhenTheyHoldTheStatus) {
  const google::rpc::Status sample = SampleStatus();
  const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                            "pin: the PIN is too short",
                            sample.SerializeAsString());
  const google::rpc::Status out = RpcStatusOf(status);
  EXPECT_EQ(out.SerializeAsString(), sample.SerializeAsString())
      << out.DebugString();
  EXPECT_EQ(out.details_size(), 2);
}

TEST(RpcStatusOfTest, WithoutDetailsCodeAndMessageOnly) {
  const grpc::Status status(grpc::StatusCode::PERMISSION_DENIED,
                            "s-17 has role SERVER");
  const google::rpc::Status out = RpcStatusOf(status);
  EXPECT_EQ(out.code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(out.message(), "s-17 has role SERVER");
  EXPECT_EQ(out.details_size(), 0);

  const google::rpc::Status ok = RpcStatusOf(grpc::Status::OK);
  EXPECT_EQ(ok.code(), 0);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.details_size(), 0);
}

TEST(RpcStatusOfTest, DetailsOfAnotherCodeAreNotTrusted) {
  // The details say INVALID_ARGUMENT, the status NOT_FOUND: the status wins.
  const grpc::Status status(grpc::StatusCode::NOT_FOUND, "no case 'RC-1'",
                            SampleStatus().SerializeAsString());
  const google::rpc::Status out = RpcStatusOf(status);
  EXPECT_EQ(out.code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(out.message(), "no case 'RC-1'");
  EXPECT_EQ(out.details_size(), 0);
}

TEST(RpcStatusOfTest, DetailsThatDoNotParseAreNotTrusted) {
  const grpc::Status status(grpc::StatusCode::UNAVAILABLE, "try again",
                            Bytes("\xff\xff\xff\xff"));
  const google::rpc::Status out = RpcStatusOf(status);
  EXPECT_EQ(out.code(), static_cast<int>(grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(out.message(), "try again");
  EXPECT_EQ(out.details_size(), 0);
}

// ---------------------------------------------------------------------------
// Envelopes.

TEST(EnvelopeTest, FlagsThenABigEndianLengthThenTheData) {
  EXPECT_EQ(Envelope(0, "abc"), Bytes("\x00\x00\x00\x00\x03"
                                      "abc"));
  EXPECT_EQ(Envelope(0, ""), Bytes("\x00\x00\x00\x00\x00"));
  EXPECT_EQ(Envelope(kEndStreamFlag, "{}"), Bytes("\x02\x00\x00\x00\x02{}"));

  const std::string medium(300, 'x');  // 0x012c
  const std::string enveloped = Envelope(kCompressedFlag, medium);
  EXPECT_EQ(enveloped.substr(0, 5), Bytes("\x01\x00\x00\x01\x2c"));
  EXPECT_EQ(enveloped.substr(5), medium);

  // Every byte of the length in its place.
  const std::string large(0x01020304, 'y');
  const std::string big = Envelope(0, large);
  EXPECT_EQ(big.size(), 5u + 0x01020304u);
  EXPECT_EQ(big.substr(0, 5), Bytes("\x00\x01\x02\x03\x04"));
}

TEST(EnvelopeTest, TheEndOfAGoodStreamIsAnEmptyObject) {
  EXPECT_EQ(EndStreamEnvelope(grpc::Status::OK),
            Bytes("\x02\x00\x00\x00\x02{}"));
}

TEST(EnvelopeTest, TheEndOfAFailedStreamCarriesTheError) {
  const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                            "pin: the PIN is too short",
                            SampleStatus().SerializeAsString());
  const std::string end = EndStreamEnvelope(status);
  ASSERT_GE(end.size(), 5u);
  EXPECT_EQ(end[0], '\x02');
  const std::string data = end.substr(5);
  const uint32_t length =
      (static_cast<uint32_t>(static_cast<uint8_t>(end[1])) << 24) |
      (static_cast<uint32_t>(static_cast<uint8_t>(end[2])) << 16) |
      (static_cast<uint32_t>(static_cast<uint8_t>(end[3])) << 8) |
      static_cast<uint32_t>(static_cast<uint8_t>(end[4]));
  EXPECT_EQ(length, data.size());
  json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << data;
  ASSERT_TRUE(parsed.contains("error")) << data;
  EXPECT_EQ(parsed["error"]["code"], "invalid_argument");
  EXPECT_EQ(parsed["error"]["message"], "pin: the PIN is too short");
  ASSERT_EQ(parsed["error"]["details"].size(), 2u) << data;
  EXPECT_EQ(parsed["error"]["details"][0]["type"], "google.rpc.ErrorInfo");
  EXPECT_EQ(parsed["error"]["details"][0]["debug"]["reason"], "INVALID_FIELD");
  EXPECT_EQ(parsed.size(), 1u) << "no metadata was given: " << data;
}

TEST(SplitEnvelopesTest, AnEmptyBodyHasNoMessages) {
  auto messages = SplitEnvelopes("", 100);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_THAT(*messages, IsEmpty());
}

TEST(SplitEnvelopesTest, OneEnvelope) {
  auto messages = SplitEnvelopes(Bytes("\x00\x00\x00\x00\x05"
                                       "hello"),
                                 100);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_THAT(*messages, ElementsAre("hello"));
}

TEST(SplitEnvelopesTest, SeveralEnvelopesInOrder) {
  const std::string body = Bytes(
      "\x00\x00\x00\x00\x01"
      "a"
      "\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x03"
      "bcd");
  auto messages = SplitEnvelopes(body, 100);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_THAT(*messages, ElementsAre("a", "", "bcd"));
}

TEST(SplitEnvelopesTest, AMessageAtTheLimitIsTaken) {
  auto messages = SplitEnvelopes(Bytes("\x00\x00\x00\x00\x04"
                                       "abcd"),
                                 4);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_THAT(*messages, ElementsAre("abcd"));
}

// Each bad body, and the words its error must have (the envelope's index
// first).
struct BadBody {
  const char* what;
  std::string body;
  size_t limit;
  std::vector<std::string> words;
};

TEST(SplitEnvelopesTest, BadBodiesAreInvalidArgumentNamingTheEnvelope) {
  const std::string one = Bytes(
      "\x00\x00\x00\x00\x01"
      "a");
  const std::vector<BadBody> bad = {
      {"a prefix cut off",
       one + Bytes("\x00\x00"),
       100,
       {"request envelope 1:", "prefix"}},
      {"a prefix of one byte",
       Bytes("\x00"),
       100,
       {"request envelope 0:", "prefix"}},
      {"a message cut off",
       one + Bytes("\x00\x00\x00\x00\x05"
                   "he"),
       100,
       {"request envelope 1:", "5 bytes", "only 2"}},
      {"a length beyond the body",
       Bytes("\x00\x00\x01\x00\x00"),
       1 << 20,
       {"request envelope 0:", "65536 bytes", "only 0"}},
      {"flag 1 (compressed)",
       Bytes("\x01\x00\x00\x00\x01"
             "a"),
       100,
       {"request envelope 0:", "flags 1", "compress"}},
      {"flag 2 (end of stream) in a request",
       one + one + Bytes("\x02\x00\x00\x00\x02{}"),
       100,
       {"request envelope 2:", "flags 2"}},
      {"a message over the limit",
       one + Bytes("\x00\x00\x00\x00\x05"
                   "abcde"),
       4,
       {"request envelope 1:", "5 bytes", "limit of 4"}},
  };
  for (const BadBody& body : bad) {
    auto messages = SplitEnvelopes(body.body, body.limit);
    ASSERT_FALSE(messages.ok()) << body.what;
    EXPECT_EQ(messages.status().code(), absl::StatusCode::kInvalidArgument)
        << body.what;
    for (const std::string& word : body.words) {
      EXPECT_THAT(std::string(messages.status().message()), HasSubstr(word))
          << body.what;
    }
  }
}

// ---------------------------------------------------------------------------
// Headers and the path.

TEST(ParseContentTypeTest, TheFourTypesOfTheProtocol) {
  const std::vector<std::tuple<const char*, Codec, bool>> accepted = {
      {"application/json", Codec::kJson, false},
      {"application/proto", Codec::kProto, false},
      {"application/connect+json", Codec::kJson, true},
      {"application/connect+proto", Codec::kProto, true},
  };
  for (const auto& [header, codec, streaming] : accepted) {
    const std::optional<ContentType> type = ParseContentType(header);
    ASSERT_TRUE(type.has_value()) << header;
    EXPECT_EQ(type->codec, codec) << header;
    EXPECT_EQ(type->streaming, streaming) << header;
  }
}

TEST(ParseContentTypeTest, CaseAndAUtf8CharsetDoNotMatter) {
  for (const char* header :
       {"application/json; charset=utf-8", "application/json;charset=utf-8",
        "application/json; charset=UTF-8",
        "application/json; charset=\"utf-8\"", "Application/JSON",
        "APPLICATION/JSON; CHARSET=UTF-8", "  application/json  "}) {
    const std::optional<ContentType> type = ParseContentType(header);
    ASSERT_TRUE(type.has_value()) << header;
    EXPECT_EQ(type->codec, Codec::kJson) << header;
    EXPECT_FALSE(type->streaming) << header;
  }
  const std::optional<ContentType> streaming =
      ParseContentType("Application/Connect+Proto");
  ASSERT_TRUE(streaming.has_value());
  EXPECT_EQ(streaming->codec, Codec::kProto);
  EXPECT_TRUE(streaming->streaming);
}

TEST(ParseContentTypeTest, AnotherCharsetOrParameterIsRefused) {
  for (const char* header :
       {"application/json; charset=iso-8859-1",
        "application/json; charset=utf-16", "application/json; charset=latin1",
        "application/json; charset=utf8x", "application/json; boundary=x"}) {
    EXPECT_FALSE(ParseContentType(header).has_value()) << header;
  }
}

TEST(ParseContentTypeTest, OtherTypesAreRefused) {
  for (const char* header :
       {"", "text/plain", "application/xml", "application/grpc",
        "application/grpc+proto", "application/grpc-web+proto",
        "application/jsonx", "application/json+connect",
        "application/x-www-form-urlencoded", "multipart/form-data",
        "application/connect+xml", "json"}) {
    EXPECT_FALSE(ParseContentType(header).has_value()) << header;
  }
}

TEST(ParseTimeoutTest, AbsentIsNoTimeout) {
  auto timeout = ParseTimeout("");
  ASSERT_TRUE(timeout.ok()) << timeout.status();
  EXPECT_FALSE(timeout->has_value());
}

TEST(ParseTimeoutTest, APositiveNumberOfAtMostTenDigitsIsMilliseconds) {
  auto one = ParseTimeout("1");
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ(**one, absl::Milliseconds(1));

  auto most = ParseTimeout("9999999999");
  ASSERT_TRUE(most.ok()) << most.status();
  ASSERT_TRUE(most->has_value());
  EXPECT_EQ(**most, absl::Milliseconds(int64_t{9999999999}));

  auto usual = ParseTimeout("15000");
  ASSERT_TRUE(usual.ok()) << usual.status();
  ASSERT_TRUE(usual->has_value());
  EXPECT_EQ(**usual, absl::Seconds(15));
}

TEST(ParseTimeoutTest, AnythingElseIsInvalidArgument) {
  for (const char* header : {"0", "-1", "abc", "12345678901", " 5", "5 ", "+5",
                             "1.5", "1e3", "0x10", "00000000000"}) {
    auto timeout = ParseTimeout(header);
    ASSERT_FALSE(timeout.ok()) << "'" << header << "'";
    EXPECT_EQ(timeout.status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << header << "'";
    EXPECT_THAT(std::string(timeout.status().message()),
                HasSubstr("Connect-Timeout-Ms"))
        << "'" << header << "'";
  }
}

TEST(CheckProtocolVersionTest, AbsentOrOne) {
  EXPECT_TRUE(CheckProtocolVersion("").ok());
  EXPECT_TRUE(CheckProtocolVersion("1").ok());
  for (const char* header : {"0", "2", "1.0", " 1", "1 ", "v1", "11"}) {
    const absl::Status status = CheckProtocolVersion(header);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << "'" << header << "'";
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("Connect-Protocol-Version"))
        << "'" << header << "'";
  }
}

TEST(ParseMethodPathTest, ServiceThenMethod) {
  const std::optional<MethodPath> short_path = ParseMethodPath("/a/b");
  ASSERT_TRUE(short_path.has_value());
  EXPECT_EQ(short_path->service, "a");
  EXPECT_EQ(short_path->method, "b");

  const std::optional<MethodPath> path =
      ParseMethodPath("/makegood.v1.CheckService/ListChecks");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->service, "makegood.v1.CheckService");
  EXPECT_EQ(path->method, "ListChecks");
}

TEST(ParseMethodPathTest, AnythingElseIsNoMethod) {
  for (const char* path :
       {"/a", "a/b", "/a/b/c", "//b", "/a/", "", "/", "//", "/a/b/"}) {
    EXPECT_FALSE(ParseMethodPath(path).has_value()) << "'" << path << "'";
  }
}

// ---------------------------------------------------------------------------
// Request bytes in error answers: a client may send any bytes in a header
// or the path, and the JSON printer throws on bytes that are not UTF-8
// (cpp-httplib then answered an empty 500 with the exception's text).

TEST(QuoteRequestBytesTest, PrintableAsciiAsItIsAnyOtherByteEscaped) {
  EXPECT_EQ(QuoteRequestBytes("application/json"), "'application/json'");
  EXPECT_EQ(QuoteRequestBytes(""), "''");
  EXPECT_EQ(QuoteRequestBytes("a\xff b"), "'a\\xff b'");
  EXPECT_EQ(QuoteRequestBytes("caf\xc3\xa9"), "'caf\\xc3\\xa9'");
  EXPECT_EQ(QuoteRequestBytes(Bytes("x\n\r\ty\x00z")), "'x\\n\\r\\ty\\x00z'");
  EXPECT_EQ(QuoteRequestBytes("it's a \\"), "'it\\'s a \\\\'");
}

TEST(QuoteRequestBytesTest, KeepsTheFirstHundredBytesOnly) {
  EXPECT_EQ(QuoteRequestBytes(std::string(100, 'a')),
            "'" + std::string(100, 'a') + "'");
  EXPECT_EQ(QuoteRequestBytes(std::string(101, 'a')),
            "'" + std::string(100, 'a') + "\xe2\x80\xa6'");
  EXPECT_EQ(QuoteRequestBytes(std::string(100000, '\xff')).size(),
            2 + 4 * 100 + 3u);
}

TEST(ConnectErrorJsonTest, TextThatIsNotUtf8IsReplacedSoItAlwaysDumps) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  status.set_message("GET /caf\xe9 x\xc3\xa9 \xed\xa0\x80");
  json error = ConnectErrorJson(status);
  EXPECT_EQ(
      error["message"],
      "GET /caf\xef\xbf\xbd x\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_NO_THROW((void)error.dump());

  const std::string end = EndStreamEnvelope(
      grpc::Status(grpc::StatusCode::INTERNAL, "broken \xff"));
  json parsed = json::parse(end.substr(5), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << end;
  EXPECT_EQ(parsed["error"]["message"], "broken \xef\xbf\xbd");
}

TEST(ParseTimeoutTest, TheRefusalQuotesTheHeaderSafely) {
  auto timeout = ParseTimeout("9\xff");
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.status().message(),
            "Connect-Timeout-Ms: '9\\xff' is not a positive whole number of "
            "milliseconds (at most 10 digits)");
  EXPECT_EQ(CheckProtocolVersion("1\n").message(),
            "Connect-Protocol-Version: '1\\n' is not supported; this server "
            "speaks version 1");
}

// The gateway's own answers, before any RPC runs: no makegoodd is needed
// behind the channel.
class GatewayRefusalTest : public ::testing::Test {
 protected:
  GatewayRefusalTest()
      : gateway_(grpc::CreateChannel("127.0.0.1:1",
                                     grpc::InsecureChannelCredentials()),
                 4096) {
    // Links the file of CheckService, which the gateway finds by name.
    (void)v1::GetCheckRequest::descriptor();
  }

  // The answer to a POST of "{}" to `path` with `headers`; its error JSON
  // in `error`.
  httplib::Response Serve(const std::string& path,
                          const httplib::Headers& headers, json& error) {
    httplib::Request request;
    request.method = "POST";
    request.path = path;
    request.headers = headers;
    request.body = "{}";
    httplib::Response response;
    EXPECT_NO_THROW(gateway_.Serve(request, response)) << path;
    error = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(error.is_object()) << response.body;
    return response;
  }

  ConnectGateway gateway_;
};

TEST_F(GatewayRefusalTest, APathThatIsNotUtf8IsQuotedInThe404) {
  json error;
  const httplib::Response response =
      Serve("/makegood.v1.Check\xffService/GetCheck", {}, error);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(error["code"], "unimplemented");
  EXPECT_EQ(error["message"],
            "no method '/makegood.v1.Check\\xffService/GetCheck': "
            "makegood.v1 has no such service or method");

  const std::string long_path = "/" + std::string(300, 'x') + "/M";
  Serve(long_path, {}, error);
  EXPECT_EQ(error["message"], "no method '" + long_path.substr(0, 100) +
                                  "\xe2\x80\xa6': makegood.v1 has no such "
                                  "service or method");
}

TEST_F(GatewayRefusalTest, HeadersThatAreNotUtf8AreQuotedInTheRefusal) {
  const std::string path = "/makegood.v1.CheckService/GetCheck";
  json error;
  httplib::Response response =
      Serve(path, {{"Content-Type", "application/json\xff"}}, error);
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(error["message"],
            "Content-Type 'application/json\\xff': "
            "makegood.v1.CheckService.GetCheck takes application/json or "
            "application/proto");

  response = Serve(path,
                   {{"Content-Type", "application/json"},
                    {"Connect-Protocol-Version", "1\xc3"}},
                   error);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error["message"],
            "Connect-Protocol-Version: '1\\xc3' is not supported; this "
            "server speaks version 1");

  response = Serve(path,
                   {{"Content-Type", "application/json"},
                    {"Connect-Timeout-Ms", "5\xe2\x82"}},
                   error);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error["message"],
            "Connect-Timeout-Ms: '5\\xe2\\x82' is not a positive whole number "
            "of milliseconds (at most 10 digits)");
}

// RefuseRequest answers for the listener too (a 405 repeats the path).
TEST(RefuseRequestTest, AMessageThatIsNotUtf8StillAnswersJson) {
  httplib::Response response;
  EXPECT_NO_THROW(RefuseRequest(response, 405,
                                grpc::StatusCode::INVALID_ARGUMENT,
                                "GET /makegood.v1.\xff/X: Connect calls are "
                                "POST requests"));
  EXPECT_EQ(response.status, 405);
  json error = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(error.is_object()) << response.body;
  EXPECT_EQ(error["message"],
            "GET /makegood.v1.\xef\xbf\xbd/X: Connect calls are POST requests");
}

}  // namespace
}  // namespace makegood::http
