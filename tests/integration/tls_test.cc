// TLS that clients can use, with real handshakes: makegoodd with
// server.tls requiring client certificates (server.tls.client_ca_file) and
// server.http_tls, certificates made for each test by the openssl program
// (support/test_certificates.h), and every shipped client over it: the
// makegood CLI, makegood-adapter-jsonl, makegood-adapter (a vendor adapter
// from its configuration file), makegood-sim, and libcurl on the HTTP
// listener. The plugin's mutual TLS is tested in tests/plugin/.
//
// Tokens come from files (--token-file, makegood.token_file), and a
// running client's command line is read from /proc to see that the token
// is not on it.
//
// Nothing waits by sleeping except the wait for the vendor adapter's lease
// (a database poll with a deadline, as the vendor adapters' tests do).

#include <curl/curl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/connection.h"
#include "integration/recovery_calls.h"
#include "support/test_certificates.h"

namespace makegood {
namespace {

using ::testing::Not;

// ---------------------------------------------------------------------------
// A client's command line, and HTTPS through libcurl.

// The NUL-separated arguments of process `pid`, joined by spaces.
std::string CommandLineOf(pid_t pid) {
  std::string line =
      testing::ReadFileOrEmpty(absl::StrCat("/proc/", pid, "/cmdline"));
  return absl::StrReplaceAll(line, {{std::string(1, '\0'), " "}});
}

struct HttpAnswer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string error;
};

// A Connect unary call (POST, JSON, `{}`) to `url` with libcurl, trusting
// only `ca` (when given), presenting `cert`/`key` when given.
HttpAnswer PostConnect(const std::string& url, const std::string& token,
                       const std::string& ca, const std::string& cert = "",
                       const std::string& key = "") {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    answer.code = CURLE_FAILED_INIT;
    return answer;
  }
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers =
      curl_slist_append(nullptr, "Content-Type: application/json");
  const std::string authorization = "Authorization: Bearer " + token;
  headers = curl_slist_append(headers, authorization.c_str());
  using Write = size_t (*)(char*, size_t, size_t, void*);
  Write write = [](char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  };
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  if (!cert.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, key.c_str());
  }
  answer.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  answer.error = error;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

// ---------------------------------------------------------------------------
// makegoodd with mutual TLS on gRPC and TLS on HTTP.

class TlsTest : public RecoveryCallsTest {
 protected:
  void SetUp() override {
    auto made = testing::MakeTestCertificates(dir_.path());
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = *std::move(made);
    // The first start: this replaces DaemonTest's plaintext one.
    ASSERT_NO_FATAL_FAILURE(
        RestartWithServerSettings(testing::TlsServerSettings(certs_, true)));
    UseMutualTlsChannel();
    adapter_token_file_ = WriteTokenFile("adapter.token", kAdapterToken);
    server_token_file_ = WriteTokenFile("server.token", kServerToken);
    manager_token_file_ = WriteTokenFile("manager.token", kManagerToken);
  }

  // The fixture's own calls (seeding checks, flags) over mutual TLS too:
  // StartDaemon's channel is plaintext.
  void UseMutualTlsChannel() {
    client::ConnectionOptions options;
    options.server = daemon_->address();
    options.tls_ca_file = certs_.ca_cert;
    options.tls_cert_file = certs_.client_cert;
    options.tls_key_file = certs_.client_key;
    auto channel = client::OpenChannel(options);
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *std::move(channel);
  }

  // `token` and a newline in a file only its owner may read; its path.
  std::string WriteTokenFile(const std::string& name,
                             const std::string& token) {
    const std::string path = dir_.File(name);
    {
      std::ofstream out(path);
      out << token << "\n";
    }
    chmod(path.c_str(), 0600);
    return path;
  }

  // The TLS flags of a client with the client certificate.
  std::vector<std::string> MutualTls() const {
    return {"--tls-ca",         certs_.ca_cert, "--tls-cert",
            certs_.client_cert, "--tls-key",    certs_.client_key};
  }

  // `program --server ADDRESS` with `flags` then `args`; no MAKEGOOD_*
  // from the environment.
  CommandResult Run(const std::string& program,
                    const std::vector<std::string>& flags,
                    const std::vector<std::string>& args) {
    std::vector<std::string> argv = {program, "--server", daemon_->address()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  std::string HttpsUrl(const std::string& path) const {
    return absl::StrCat("https://127.0.0.1:", daemon_->http_port(), path);
  }

  testing::TestCertificates certs_;
  std::string adapter_token_file_;
  std::string server_token_file_;
  std::string manager_token_file_;
};

// (a) The CLI with the CA, its client certificate and tokens from files.
TEST_F(TlsTest, TheCliWorksWithItsClientCertificateAndTokenFiles) {
  std::vector<std::string> flags = MutualTls();
  const CommandResult health = Run(MAKEGOOD_BIN, flags, {"health"});
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));

  std::vector<std::string> adapter = flags;
  adapter.insert(adapter.end(), {"--token-file", adapter_token_file_});
  const CommandResult published =
      Run(MAKEGOOD_BIN, adapter,
          {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  EXPECT_EQ(StoredEvents(), static_cast<int64_t>(DinnerEvents().size()));

  std::vector<std::string> server = flags;
  server.insert(server.end(), {"--token-file", server_token_file_});
  const CommandResult checks = Run(MAKEGOOD_BIN, server, {"checks", "list"});
  ASSERT_EQ(checks.exit_code, 0) << checks.err;
  EXPECT_THAT(checks.out, HasSubstr("1042"));
  // The token files are private: no warning.
  EXPECT_THAT(checks.err, Not(HasSubstr("warning")));
}

TEST_F(TlsTest, ATokenFileOthersMayReadWorksWithAWarning) {
  chmod(server_token_file_.c_str(), 0644);
  std::vector<std::string> flags = MutualTls();
  flags.insert(flags.end(), {"--token-file", server_token_file_});
  const CommandResult checks = Run(MAKEGOOD_BIN, flags, {"checks", "list"});
  ASSERT_EQ(checks.exit_code, 0) << checks.err;
  EXPECT_THAT(
      checks.err,
      HasSubstr("makegood: warning: --token-file: " + server_token_file_ +
                " can be read by other users (mode 0644): chmod 600"));
}

// (b) Without a client certificate the handshake is refused: UNAVAILABLE,
// and nothing is done.
TEST_F(TlsTest, WithoutAClientCertificateTheHandshakeFailsAndNothingIsDone) {
  const CommandResult published =
      Run(MAKEGOOD_BIN,
          {"--tls-ca", certs_.ca_cert, "--token-file", adapter_token_file_},
          {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS});
  EXPECT_EQ(published.exit_code, 1) << published.err;
  EXPECT_THAT(published.err, HasSubstr("makegood: UNAVAILABLE"));
  EXPECT_THAT(published.err, HasSubstr("does the TLS handshake pass?"));
  EXPECT_EQ(published.out, "");
  EXPECT_EQ(StoredEvents(), 0);

  // Plaintext to a TLS listener is no better, and the hint says so.
  const CommandResult plain =
      Run(MAKEGOOD_BIN, {"--token-file", adapter_token_file_},
          {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS});
  EXPECT_EQ(plain.exit_code, 1) << plain.err;
  EXPECT_THAT(plain.err, HasSubstr("makegood: UNAVAILABLE"));
  EXPECT_THAT(plain.err, HasSubstr("--tls-ca when it has server.tls"));
  EXPECT_EQ(StoredEvents(), 0);
}

// (c) A CA that did not sign makegoodd's certificate: the client refuses
// the server.
TEST_F(TlsTest, ACaThatDidNotSignTheServerCertificateIsRefused) {
  const CommandResult published =
      Run(MAKEGOOD_BIN,
          {"--tls-ca", certs_.other_ca_cert, "--tls-cert", certs_.client_cert,
           "--tls-key", certs_.client_key, "--token-file", adapter_token_file_},
          {"events", "publish", "--file", MAKEGOOD_DINNER_EVENTS});
  EXPECT_EQ(published.exit_code, 1) << published.err;
  EXPECT_THAT(published.err, HasSubstr("makegood: UNAVAILABLE"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(TlsTest, FlagsThatDoNotGoTogetherAreUsageErrorsNamingTheFlag) {
  CommandResult run =
      Run(MAKEGOOD_BIN,
          {"--tls-ca", certs_.ca_cert, "--tls-cert", certs_.client_cert},
          {"health"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--tls-cert: needs --tls-key"));

  run = Run(MAKEGOOD_BIN,
            {"--tls-ca", certs_.ca_cert, "--tls-cert", certs_.client_key,
             "--tls-key", certs_.client_key},
            {"health"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--tls-cert: " + certs_.client_key +
                                 " holds no PEM certificate"));

  run = Run(MAKEGOOD_BIN,
            {"--token", kServerToken, "--token-file", server_token_file_},
            {"checks", "list"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("excludes"));

  const std::string empty = WriteTokenFile("empty.token", "");
  run = Run(MAKEGOOD_BIN, {"--token-file", empty}, {"checks", "list"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--token-file: " + empty + ": is empty"));
}

// (d) The JSON-lines adapter publishes over mutual TLS with a token file.
TEST_F(TlsTest, TheJsonlAdapterPublishesOverMutualTlsWithATokenFile) {
  std::vector<std::string> flags = MutualTls();
  flags.insert(flags.end(), {"--token-file", adapter_token_file_});
  const CommandResult run = Run(MAKEGOOD_ADAPTER_JSONL_BIN, flags,
                                {"--file", MAKEGOOD_DINNER_EVENTS});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const int64_t lines = static_cast<int64_t>(DinnerEvents().size());
  EXPECT_THAT(run.err, HasSubstr(absl::StrCat(
                           lines, " accepted, 0 duplicates, 0 rejected")));
  EXPECT_EQ(StoredEvents(), lines);

  // Without the client certificate it cannot even start publishing: it
  // says so as it retries. Not run here: it would retry until stopped.
}

// A vendor adapter configured with makegood.token_file and the
// makegood.tls_* files takes its command over mutual TLS.
TEST_F(TlsTest, AVendorAdapterTakesCommandsOverMutualTlsWithATokenFile) {
  const std::string config = dir_.File("adapter-square.yaml");
  {
    std::ofstream out(config);
    out << "listen: 127.0.0.1:0\n"
        << "state: " << dir_.File("adapter.db") << "\n"
        << "adapter_name: square-tls\n"
        << "location: downtown-01\n"
        << "makegood: { server: " << daemon_->address() << ", token_file: \""
        << adapter_token_file_ << "\", tls_ca_file: \"" << certs_.ca_cert
        << "\", tls_cert_file: \"" << certs_.client_cert
        << "\", tls_key_file: \"" << certs_.client_key
        << "\" }\n"
        // No Square here: its calls fail and are retried, which does not
        // matter to the lease.
        << "square: { api_base: \"http://127.0.0.1:1\", access_token: t, "
           "signature_key: k, notification_url: "
           "\"https://pos.example.com/webhooks/square\" }\n";
  }
  auto adapter =
      DaemonProcess::Start(MAKEGOOD_ADAPTER_BIN, {"square", "--config", config},
                           dir_.File("adapter.log"));
  ASSERT_TRUE(adapter.ok()) << adapter.status();

  const v1::RecoveryCase applied = CompOneLine("tls-1");
  ASSERT_EQ(applied.remedies_size(), 1);
  const std::string leased = absl::StrCat(
      "SELECT count(*) FROM commands WHERE deliveries > 0 AND case_id = '",
      applied.case_id(), "'");
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (Count(leased) == 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Count(leased), 1)
      << testing::ReadFileOrEmpty(dir_.File("adapter.log"));
}

TEST_F(TlsTest, AVendorAdapterConfigNamesTheTlsAndTokenFileProblems) {
  const std::string empty = WriteTokenFile("empty.token", "");
  const std::string config = dir_.File("adapter-bad.yaml");
  std::ofstream(config)
      << "makegood: { token_file: \"" << empty << "\", tls_ca_file: \""
      << certs_.ca_cert << "\", tls_cert_file: \"" << certs_.client_cert
      << "\" }\n"
      << "square: { access_token: t, signature_key: k, notification_url: "
         "\"https://pos.example.com/webhooks/square\" }\n";
  const CommandResult run =
      RunCommand({MAKEGOOD_ADAPTER_BIN, "square", "--config", config});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr(config + ": makegood.token_file: " + empty +
                                 ": is empty"));
  EXPECT_THAT(run.err, HasSubstr(config + ": makegood.tls_cert_file: needs "
                                          "makegood.tls_key_file"));
}

// The simulator plays a (small) day over mutual TLS.
TEST_F(TlsTest, TheSimulatorPlaysADayOverMutualTls) {
  auto simulated =
      DaemonProcess::Start(MAKEGOODD_BIN,
                           {"--config", config_path_, "--listen", "127.0.0.1:0",
                            "--http", "off", "--db", dir_.File("simulated.db"),
                            "--simulated-clock", "2026-11-20T00:00:00Z"},
                           dir_.File("simulated.log"));
  ASSERT_TRUE(simulated.ok()) << simulated.status();
  std::vector<std::string> argv = {MAKEGOOD_SIM_BIN, "--server",
                                   (*simulated)->address()};
  const std::vector<std::string> flags = MutualTls();
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(),
              {"--date", "2026-11-20", "--covers", "40", "--seed", "3"});
  const CommandResult run = RunCommand(argv);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("simulated 2026-11-20 (seed 3): 40 covers"));
  EXPECT_THAT(run.out, HasSubstr(", 0 failed calls"));

  // Without its client certificate it is refused at its first call.
  argv = {MAKEGOOD_SIM_BIN, "--server",     (*simulated)->address(),
          "--tls-ca",       certs_.ca_cert, "--date",
          "2026-11-20",     "--covers",     "40"};
  const CommandResult refused = RunCommand(argv);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("reading earlier cases from"));
}

// (f) HTTPS on the HTTP listener (server.http_tls, no client CA: a browser
// has no certificate) with libcurl trusting the CA; plain HTTP on the same
// port gets nothing, and another CA is not trusted.
TEST_F(TlsTest, ConnectCallsOverHttpsWithTheCaAndNotOverPlainHttp) {
  const std::string path = "/makegood.v1.CheckService/GetLocation";
  const HttpAnswer secure =
      PostConnect(HttpsUrl(path), kServerToken, certs_.ca_cert);
  ASSERT_EQ(secure.code, CURLE_OK) << secure.error;
  EXPECT_EQ(secure.status, 200) << secure.body;
  EXPECT_THAT(secure.body, HasSubstr("\"timezone\":\"America/New_York\""));

  const HttpAnswer other =
      PostConnect(HttpsUrl(path), kServerToken, certs_.other_ca_cert);
  EXPECT_EQ(other.code, CURLE_PEER_FAILED_VERIFICATION) << other.error;

  const HttpAnswer plain =
      PostConnect(absl::StrCat("http://127.0.0.1:", daemon_->http_port(), path),
                  kServerToken, "");
  EXPECT_NE(plain.status, 200);
  EXPECT_THAT(plain.body, Not(HasSubstr("America/New_York")));
}

// server.http_tls.client_ca_file makes the HTTP listener require a client
// certificate as well (for a back office; tablets' browsers have none).
TEST_F(TlsTest, TheHttpListenerCanRequireAClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(RestartWithServerSettings(absl::StrCat(
      "  tls: { cert_file: \"", certs_.server_cert, "\", key_file: \"",
      certs_.server_key, "\", client_ca_file: \"", certs_.ca_cert, "\" }\n",
      "  http_tls: { cert_file: \"", certs_.server_cert, "\", key_file: \"",
      certs_.server_key, "\", client_ca_file: \"", certs_.ca_cert, "\" }\n")));
  const std::string url = HttpsUrl("/makegood.v1.CheckService/GetLocation");
  const HttpAnswer with_certificate = PostConnect(
      url, kServerToken, certs_.ca_cert, certs_.client_cert, certs_.client_key);
  ASSERT_EQ(with_certificate.code, CURLE_OK) << with_certificate.error;
  EXPECT_EQ(with_certificate.status, 200) << with_certificate.body;
  EXPECT_THAT(with_certificate.body, HasSubstr("America/New_York"));

  const HttpAnswer without = PostConnect(url, kServerToken, certs_.ca_cert);
  EXPECT_NE(without.code, CURLE_OK);
  EXPECT_NE(without.status, 200);
  EXPECT_THAT(without.body, Not(HasSubstr("America/New_York")));
}

// (g) A token given with --token-file is not on the command line that
// `ps` shows every user of the machine.
TEST_F(TlsTest, ATokenFromAFileIsNotOnTheProcessCommandLine) {
  std::vector<std::string> args = MutualTls();
  args.insert(args.end(), {"--token-file", manager_token_file_, "watch"});
  auto watch = StartCli(args, {}, "watch.err");
  ASSERT_NE(watch, nullptr);
  // The watch is authenticated (a MANAGER's token) and running.
  ASSERT_NE(watch->WaitFor(" (snapshot) —"), std::string::npos)
      << watch->out() << watch->err();

  const std::string command_line = CommandLineOf(watch->pid());
  EXPECT_THAT(command_line, HasSubstr("--token-file " + manager_token_file_));
  EXPECT_THAT(command_line, Not(HasSubstr(kManagerToken)));
  EXPECT_THAT(testing::ReadFileOrEmpty(
                  absl::StrCat("/proc/", watch->pid(), "/environ")),
              Not(HasSubstr(kManagerToken)));
}

}  // namespace
}  // namespace makegood
