// Reloading makegoodd's configuration with SIGHUP (README, "Reload"),
// through the real daemon on a copy of the sample configuration: limits and
// labels take effect, revoked tokens stop working with their streams and
// sessions, an invalid file changes nothing and is reported problem by
// problem, restart-only fields keep their running values, another location
// is refused, and renewed TLS certificate files are served: by the gRPC
// listener on its own, by the HTTP listener at SIGHUP, which keeps its
// running certificate when the new files are not valid.
//
// No test sleeps to wait for a reload: each polls, with a deadline, a call
// that shows the change, or the daemon's log for the line that reports it.

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/error_details.h"
#include "integration/recovery_calls.h"
#include "makegood/v1/checks.grpc.pb.h"
#include "makegood/v1/session.grpc.pb.h"
#include "support/test_certificates.h"

namespace makegood {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using v1::RecoveryCase;

constexpr char kTabletToken[] = "demo-tablet-floor";  // tablet-1
constexpr char kDanaPin[] = "2468";                   // s-17
// How long a reload may take to show.
constexpr absl::Duration kReloadDeadline = absl::Seconds(30);

std::string SampleYaml() {
  std::ifstream in(MAKEGOOD_SAMPLE_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `yaml` with its one `from` replaced by `to`.
std::string Replaced(std::string yaml, const std::string& from,
                     const std::string& to) {
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << "the configuration has no " << from;
  if (at == std::string::npos) return yaml;
  EXPECT_EQ(yaml.find(from, at + 1), std::string::npos)
      << "the configuration has more than one " << from;
  return yaml.replace(at, from.size(), to);
}

// `yaml` without the staff member or device `id` (its "- { id: ... }"
// entry, one line or more).
std::string WithoutCredential(std::string yaml, const std::string& id) {
  const size_t at = yaml.find("  - { id: " + id + ",");
  EXPECT_NE(at, std::string::npos) << "the configuration has no " << id;
  if (at == std::string::npos) return yaml;
  const size_t end = yaml.find("}\n", at);
  EXPECT_NE(end, std::string::npos);
  return yaml.erase(at, end + 2 - at);
}

// Calls `done` until it is true or `deadline` passes; whether it came true.
// Each call is a real request or read, so the loop goes at their pace.
bool Eventually(const std::function<bool()>& done,
                absl::Duration deadline = kReloadDeadline) {
  const absl::Time until = absl::Now() + deadline;
  while (absl::Now() < until) {
    if (done()) return true;
  }
  return done();
}

// Whether `log` has a line holding each of `parts`.
bool HasLineWith(const std::string& log,
                 const std::vector<std::string>& parts) {
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    bool all = true;
    for (const std::string& part : parts) {
      all = all && absl::StrContains(line, part);
    }
    if (all) return true;
  }
  return false;
}

// makegoodd on a copy of the sample configuration, started with nothing but
// --config, so that the file alone says where it listens and stores: what a
// reload reads is what it started with.
class ReloadTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    yaml_ = Replaced(SampleYaml(),
                     "  listen: 127.0.0.1:50051\n  database: var/makegood.db\n",
                     absl::StrCat("  listen: 127.0.0.1:0\n  database: \"",
                                  db_path(), "\"\n"));
    yaml_ =
        Replaced(yaml_, "  http: 127.0.0.1:8080\n", "  http: 127.0.0.1:0\n");
    config_path_ = dir_.File("config.yaml");
    WriteConfig(yaml_);
    auto daemon = testing::DaemonProcess::Start(
        MAKEGOODD_BIN, {"--config", config_path_}, dir_.File("makegoodd.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
  }

  void WriteConfig(const std::string& yaml) {
    // Whole, then renamed over the old one: a reload never reads half.
    const std::string next = config_path_ + ".next";
    {
      std::ofstream out(next);
      out << yaml;
    }
    ASSERT_EQ(std::rename(next.c_str(), config_path_.c_str()), 0);
  }

  // Writes `yaml` as the configuration and sends SIGHUP.
  void ReloadWith(const std::string& yaml) {
    ASSERT_NO_FATAL_FAILURE(WriteConfig(yaml));
    daemon_->Signal(SIGHUP);
  }

  std::unique_ptr<v1::SessionService::Stub> Sessions() {
    return v1::SessionService::NewStub(channel_);
  }

  grpc::Status GetSession(const std::string& token) {
    v1::Session session;
    return Sessions()->GetSession(Context(token).get(), v1::GetSessionRequest(),
                                  &session);
  }

  // The label ListCategories gives `category_id`; "" when the call fails.
  std::string CategoryLabel(const std::string& category_id) {
    v1::ListCategoriesResponse response;
    const grpc::Status status = Sessions()->ListCategories(
        Context(kServerToken).get(), v1::ListCategoriesRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& category : response.categories()) {
      if (category.category_id() == category_id) return category.label();
    }
    return "";
  }

  std::string LocationName() {
    v1::Location location;
    const grpc::Status status =
        v1::CheckService::NewStub(channel_)->GetLocation(
            Context(kServerToken).get(), v1::GetLocationRequest(), &location);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return location.name();
  }

  // Seeds `check_id` with one 10.00 line, flags it cold (MAJOR) and comps
  // the line as s-17: the case after the comp.
  RecoveryCase CompTenDollars(const std::string& check_id) {
    SeedCheck(check_id, {1000});
    RecoveryCase flagged, applied;
    const grpc::Status flag = Flag(kServerToken, "flag-" + check_id, check_id,
                                   {"1"}, "cold_food", v1::MAJOR, &flagged);
    EXPECT_TRUE(flag.ok()) << flag.error_message();
    const v1::RemedyOption* comp = OptionFor(flagged, "comp_item");
    EXPECT_NE(comp, nullptr) << flagged.ShortDebugString();
    if (comp == nullptr) return applied;
    const grpc::Status apply =
        Apply(kServerToken, "comp-" + check_id, flagged.case_id(),
              comp->option_id(), &applied);
    EXPECT_TRUE(apply.ok()) << apply.error_message();
    return applied;
  }

  // Whether the log has a line holding each of `parts`.
  bool LogHasLine(const std::vector<std::string>& parts) const {
    return HasLineWith(DaemonLog(), parts);
  }

  std::string yaml_;
};

TEST_F(ReloadTest, LimitsLabelsAndTheLocationNameTakeEffectAtOnce) {
  const RecoveryCase before = CompTenDollars("c1");
  EXPECT_NE(before.status(), RecoveryCase::PENDING_APPROVAL)
      << "10.00 is within a SERVER's 25.00 a case";
  ASSERT_EQ(CategoryLabel("cold_food"), "Cold food");

  std::string next =
      Replaced(yaml_, "{ role: SERVER, max_per_case: \"25.00\", max_per_shift:",
               "{ role: SERVER, max_per_case: \"5.00\", max_per_shift:");
  next = Replaced(next, "    label: Cold food\n", "    label: Cold plate\n");
  next = Replaced(next, "  name: Harbor Street Kitchen\n",
                  "  name: Harbor Street Kitchen & Bar\n");
  ReloadWith(next);

  ASSERT_TRUE(Eventually([&] {
    return CategoryLabel("cold_food") == "Cold plate";
  })) << DaemonLog();
  // One configuration: the label shows, so the limit and the name hold too.
  EXPECT_EQ(LocationName(), "Harbor Street Kitchen & Bar");
  const RecoveryCase after = CompTenDollars("c2");
  EXPECT_EQ(after.status(), RecoveryCase::PENDING_APPROVAL)
      << "10.00 is over a SERVER's new 5.00 a case: "
      << after.ShortDebugString();
  ASSERT_TRUE(Eventually([&] {
    return LogHasLine(
        {"event=reload", "changed=location.name,authority,categories"});
  })) << DaemonLog();
  EXPECT_THAT(DaemonLog(), Not(HasSubstr("reload_needs_restart")));
  ExpectStopsCleanly();
}

TEST_F(ReloadTest, RevokedTokensStopAtOnceWithTheirStreamsAndSessions) {
  // Dana signed in on the floor tablet, and Lee's manager screen watching.
  v1::SignInRequest sign_in;
  sign_in.set_staff_id("s-17");
  sign_in.set_pin(kDanaPin);
  v1::SignInResponse signed_in;
  const grpc::Status in =
      Sessions()->SignIn(Context(kTabletToken).get(), sign_in, &signed_in);
  ASSERT_TRUE(in.ok()) << in.error_message();
  const std::string session = signed_in.session_token();
  ASSERT_TRUE(GetSession(session).ok());

  auto watch_context = Context(kManagerToken);
  auto stub = v1::RecoveryService::NewStub(channel_);
  auto watch =
      stub->WatchRecoveries(watch_context.get(), v1::WatchRecoveriesRequest());
  v1::RecoveryUpdate update;
  do {
    ASSERT_TRUE(watch->Read(&update)) << "the stream ended before caught_up";
  } while (!update.has_caught_up());

  // The tablet and Lee (the only MANAGER; the owner is ADMIN) are removed.
  ReloadWith(WithoutCredential(WithoutCredential(yaml_, "tablet-1"), "m-2"));

  ASSERT_TRUE(Eventually([&] {
    return GetSession(kTabletToken).error_code() == grpc::UNAUTHENTICATED;
  })) << DaemonLog();
  EXPECT_EQ(GetSession(kManagerToken).error_code(), grpc::UNAUTHENTICATED);
  const grpc::Status ended = GetSession(session);
  EXPECT_EQ(ended.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(ended).reason, "SESSION_ENDED") << ended.error_message();
  EXPECT_TRUE(GetSession(kServerToken).ok()) << "Dana's own token stays";

  // Lee's open stream ends too, whatever it was waiting for.
  while (watch->Read(&update)) {
  }
  const grpc::Status watch_end = watch->Finish();
  EXPECT_EQ(watch_end.error_code(), grpc::UNAUTHENTICATED)
      << watch_end.error_message();
  EXPECT_THAT(watch_end.error_message(), HasSubstr("'m-2' was revoked"));

  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload", "changed=staff,devices",
                       "sessions_ended=1", "streams_ended=1"});
  })) << DaemonLog();
  ExpectStopsCleanly();
}

TEST_F(ReloadTest, AnInvalidFileChangesNothingAndEveryProblemIsLogged) {
  std::string next =
      Replaced(yaml_, "{ role: SERVER, max_per_case: \"25.00\", max_per_shift:",
               "{ role: SERVER, max_per_case: \"-5.00\", max_per_shift:");
  next = Replaced(next,
                  "    when: { category: cold_food, severity: [MINOR] }\n"
                  "    offer: [refire]\n",
                  "    when: { category: cold_food, severity: [MINOR] }\n"
                  "    offer: [refire, reheat]\n");
  // A change that would show, were anything applied.
  next = Replaced(next, "    label: Cold food\n", "    label: Cold plate\n");
  next = WithoutCredential(next, "m-2");
  ReloadWith(next);

  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload_failed",
                       "authority.roles[0].max_per_case: must be positive"}) &&
           LogHasLine({"event=reload_failed",
                       "policy[0].offer[1]: unknown remedy 'reheat'"});
  })) << DaemonLog();
  EXPECT_TRUE(LogHasLine(
      {"event=reload_failed", "problems=2", "running=unchanged", config_path_}))
      << DaemonLog();

  // Still the running configuration, whole.
  EXPECT_EQ(CategoryLabel("cold_food"), "Cold food");
  EXPECT_TRUE(GetSession(kManagerToken).ok());
  EXPECT_NE(CompTenDollars("c1").status(), RecoveryCase::PENDING_APPROVAL);
  EXPECT_THAT(DaemonLog(), Not(HasSubstr("event=reload ")));

  // And a good file after it is taken.
  ReloadWith(
      Replaced(yaml_, "    label: Cold food\n", "    label: Cold plate\n"));
  EXPECT_TRUE(Eventually([&] {
    return CategoryLabel("cold_food") == "Cold plate";
  })) << DaemonLog();
  ExpectStopsCleanly();
}

TEST_F(ReloadTest, ARestartOnlyFieldKeepsItsRunningValueAndIsReported) {
  // A new port for the gRPC listener, and a label beside it.
  std::string next =
      Replaced(yaml_, "  listen: 127.0.0.1:0\n", "  listen: 127.0.0.1:1\n");
  next = Replaced(next, "  write_queue_limit: 10000\n",
                  "  write_queue_limit: 50\n");
  next = Replaced(next, "    label: Cold food\n", "    label: Cold plate\n");
  ReloadWith(next);

  // The label is served on the port the daemon started on.
  ASSERT_TRUE(Eventually([&] {
    return CategoryLabel("cold_food") == "Cold plate";
  })) << DaemonLog();
  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload_needs_restart",
                       "fields=server.listen,server.write_queue_limit"});
  })) << DaemonLog();
  EXPECT_TRUE(LogHasLine({"event=reload", "changed=categories"}))
      << DaemonLog();
  EXPECT_TRUE(GetSession(kServerToken).ok());
  ExpectStopsCleanly();
}

TEST_F(ReloadTest, AnotherLocationIsRefused) {
  std::string next =
      Replaced(yaml_, "  id: downtown-01\n", "  id: uptown-02\n");
  next = Replaced(next, "    label: Cold food\n", "    label: Cold plate\n");
  ReloadWith(next);

  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload_failed",
                       "location.id: changed from 'downtown-01' to "
                       "'uptown-02'"});
  })) << DaemonLog();
  EXPECT_EQ(CategoryLabel("cold_food"), "Cold food");
  ExpectStopsCleanly();
}

// ---------------------------------------------------------------------------
// TLS: the gRPC listener reads its certificate files again by itself.

// A self-signed certificate for localhost and 127.0.0.1, made with the
// openssl program.
void MakeCertificate(const std::string& cert, const std::string& key,
                     const std::string& name) {
  const testing::CommandResult made = testing::RunCommand(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
       "-keyout", key, "-out", cert, "-days", "1", "-subj",
       absl::StrCat("/CN=localhost/O=", name), "-addext",
       "subjectAltName=DNS:localhost,IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

class ReloadTlsTest : public DaemonTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeCertificate(cert_, key_, "first"));
    ASSERT_NO_FATAL_FAILURE(RestartWithServerSettings(absl::StrCat(
        "  tls: { cert_file: \"", cert_, "\", key_file: \"", key_, "\" }\n")));
  }

  // A channel to the daemon that trusts only the certificate in `ca`,
  // reconnecting at least once a second.
  std::shared_ptr<grpc::Channel> TrustingOnly(const std::string& ca) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = testing::ReadFileOrEmpty(ca);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    return grpc::CreateCustomChannel(daemon_->address(),
                                     grpc::SslCredentials(options), args);
  }

  // GetLocation over `channel`; with `wait`, it waits (up to `deadline`)
  // for the channel to connect instead of failing at the first refusal.
  grpc::Status GetLocation(const std::shared_ptr<grpc::Channel>& channel,
                           bool wait, absl::Duration deadline) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kServerToken));
    context.set_wait_for_ready(wait);
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(deadline));
    v1::Location location;
    return v1::CheckService::NewStub(channel)->GetLocation(
        &context, v1::GetLocationRequest(), &location);
  }

  const std::string cert_ = dir_.File("grpc-cert.pem");
  const std::string key_ = dir_.File("grpc-key.pem");
};

TEST_F(ReloadTlsTest, RenewedCertificateFilesAreServedWithoutARestart) {
  const grpc::Status first =
      GetLocation(TrustingOnly(cert_), false, absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.error_message() << "\n" << DaemonLog();
  const std::string old_cert = dir_.File("old-cert.pem");
  std::ofstream(old_cert) << testing::ReadFileOrEmpty(cert_);

  // Renewed, at the same paths, as a certificate tool writes them.
  const std::string new_cert = dir_.File("new-cert.pem");
  const std::string new_key = dir_.File("new-key.pem");
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(new_cert, new_key, "renewed"));
  ASSERT_EQ(std::rename(new_key.c_str(), key_.c_str()), 0);
  ASSERT_EQ(std::rename(new_cert.c_str(), cert_.c_str()), 0);

  // A client that trusts only the renewed certificate connects once
  // makegoodd serves it (it reads the files every 10 s); the wait is the
  // call's, on the channel's reconnects.
  const grpc::Status renewed =
      GetLocation(TrustingOnly(cert_), true, absl::Seconds(60));
  EXPECT_TRUE(renewed.ok()) << renewed.error_message() << "\n" << DaemonLog();
  // And a new connection trusting only the old one is refused.
  const grpc::Status stale =
      GetLocation(TrustingOnly(old_cert), false, absl::Seconds(10));
  EXPECT_EQ(stale.error_code(), grpc::UNAVAILABLE) << stale.error_message();
  ExpectStopsCleanly();
}

// ---------------------------------------------------------------------------
// TLS: the HTTP listener reads its certificate files again at SIGHUP.

// What an HTTPS client was served on a new connection.
struct HttpsAnswer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string subject;  // Of the server's certificate, as libcurl gives it.
  std::string error;
};

class ReloadHttpTlsTest : public DaemonTest {
 protected:
  void SetUp() override {
    auto made = testing::MakeTestCertificates(dir_.path());
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = *std::move(made);
    // The paths the configuration names, which stay; what is there changes.
    ASSERT_EQ(std::rename(certs_.server_cert.c_str(), cert_.c_str()), 0);
    ASSERT_EQ(std::rename(certs_.server_key.c_str(), key_.c_str()), 0);
    ASSERT_NO_FATAL_FAILURE(RestartWithServerSettings(
        absl::StrCat("  http_tls: { cert_file: \"", cert_, "\", key_file: \"",
                     key_, "\" }\n")));
  }

  // A new server certificate from the same CA, with a new key, "O=renewed"
  // in its subject.
  void MakeRenewed(const std::string& cert, const std::string& key) {
    const std::string extensions = dir_.File("renewed.ext");
    std::ofstream(extensions)
        << "basicConstraints = critical, CA:FALSE\n"
           "keyUsage = critical, digitalSignature\n"
           "extendedKeyUsage = serverAuth\n"
           "subjectAltName = IP:127.0.0.1, DNS:localhost\n";
    const std::string request = dir_.File("renewed.csr");
    const testing::CommandResult requested = testing::RunCommand(
        {MAKEGOOD_OPENSSL_BIN, "req", "-new", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
         request, "-subj", "/CN=localhost/O=renewed"});
    ASSERT_EQ(requested.exit_code, 0) << requested.err;
    const testing::CommandResult signed_by_ca = testing::RunCommand(
        {MAKEGOOD_OPENSSL_BIN, "x509", "-req", "-in", request, "-CA",
         certs_.ca_cert, "-CAkey", dir_.File("ca.key"), "-set_serial", "4",
         "-days", "2", "-sha256", "-extfile", extensions, "-out", cert});
    ASSERT_EQ(signed_by_ca.exit_code, 0) << signed_by_ca.err;
  }

  // A Connect call (GetLocation) over a new HTTPS connection that trusts
  // only the test CA; the subject of the certificate it was served.
  HttpsAnswer Https() {
    HttpsAnswer answer;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      answer.code = CURLE_FAILED_INIT;
      return answer;
    }
    char error[CURL_ERROR_SIZE] = {};
    std::string body;
    curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: application/json");
    const std::string authorization =
        absl::StrCat("Authorization: Bearer ", kServerToken);
    headers = curl_slist_append(headers, authorization.c_str());
    using Write = size_t (*)(char*, size_t, size_t, void*);
    Write write = [](char* data, size_t size, size_t count, void* out) {
      static_cast<std::string*>(out)->append(data, size * count);
      return size * count;
    };
    const std::string url =
        absl::StrCat("https://127.0.0.1:", daemon_->http_port(),
                     "/makegood.v1.CheckService/GetLocation");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_CAINFO, certs_.ca_cert.c_str());
    curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    // A new handle has no session to resume: a full handshake each time.
    curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    answer.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    curl_certinfo* chain = nullptr;
    if (answer.code == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_CERTINFO, &chain) == CURLE_OK &&
        chain != nullptr && chain->num_of_certs > 0) {
      for (curl_slist* field = chain->certinfo[0]; field != nullptr;
           field = field->next) {
        const absl::string_view text(field->data);
        if (absl::StartsWith(text, "Subject:")) {
          answer.subject = std::string(text.substr(8));
        }
      }
    }
    answer.error = error;
    if (answer.code == CURLE_OK && answer.status != 200) answer.error = body;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return answer;
  }

  bool LogHasLine(const std::vector<std::string>& parts) const {
    return HasLineWith(DaemonLog(), parts);
  }

  testing::TestCertificates certs_;
  const std::string cert_ = dir_.File("http-cert.pem");
  const std::string key_ = dir_.File("http-key.pem");
};

TEST_F(ReloadHttpTlsTest, RenewedFilesAreServedAfterSighupAndABadKeyIsNot) {
  const HttpsAnswer first = Https();
  ASSERT_EQ(first.code, CURLE_OK) << first.error << "\n" << DaemonLog();
  EXPECT_EQ(first.status, 200) << first.error;
  ASSERT_THAT(first.subject, HasSubstr("localhost"));
  EXPECT_THAT(first.subject, Not(HasSubstr("renewed")));

  // Renewed, at the same paths, as a certificate tool writes them. The
  // listener reads them only when told: new connections still get the
  // running certificate.
  const std::string new_cert = dir_.File("new-cert.pem");
  const std::string new_key = dir_.File("new-key.pem");
  ASSERT_NO_FATAL_FAILURE(MakeRenewed(new_cert, new_key));
  ASSERT_EQ(std::rename(new_key.c_str(), key_.c_str()), 0);
  ASSERT_EQ(std::rename(new_cert.c_str(), cert_.c_str()), 0);
  const HttpsAnswer before_sighup = Https();
  ASSERT_EQ(before_sighup.code, CURLE_OK) << before_sighup.error;
  EXPECT_THAT(before_sighup.subject, Not(HasSubstr("renewed")));

  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    const HttpsAnswer answer = Https();
    return answer.code == CURLE_OK && answer.status == 200 &&
           absl::StrContains(answer.subject, "renewed");
  })) << DaemonLog();
  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload", "http_tls=reloaded",
                       "http_certificate=\"O=renewed,CN=localhost (serial 04"});
  })) << DaemonLog();

  // A key that is not the certificate's (the client's, from the same CA):
  // refused, named in the log, and the renewed certificate stays.
  const std::string bad_key = dir_.File("bad-key.pem");
  std::ofstream(bad_key) << testing::ReadFileOrEmpty(certs_.client_key);
  ASSERT_EQ(std::rename(bad_key.c_str(), key_.c_str()), 0);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    return LogHasLine({"event=reload_tls_failed", "listener=http",
                       absl::StrCat("server.http_tls.key_file: '", key_,
                                    "' is not the private key of the "
                                    "certificate in '",
                                    cert_, "'"),
                       "running=unchanged"});
  })) << DaemonLog();
  EXPECT_TRUE(LogHasLine({"event=reload", "http_tls=unchanged"}))
      << DaemonLog();
  const HttpsAnswer kept = Https();
  ASSERT_EQ(kept.code, CURLE_OK) << kept.error << "\n" << DaemonLog();
  EXPECT_EQ(kept.status, 200) << kept.error;
  EXPECT_THAT(kept.subject, HasSubstr("renewed"));
  ExpectStopsCleanly();
}

}  // namespace
}  // namespace makegood
