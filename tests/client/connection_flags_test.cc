// AddConnectionFlags: the flags every client program shares, parsed by
// CLI11 as the programs parse them, and checked before any subcommand runs.

#include "client/connection_flags.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace makegood::client {
namespace {

using ::testing::HasSubstr;

class ConnectionFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("MAKEGOOD_TOKEN");
    unsetenv("MAKEGOOD_SERVER");
    std::ofstream(token_file_) << "token-from-file\n";
    chmod(token_file_.c_str(), 0600);
  }
  void TearDown() override { unsetenv("MAKEGOOD_TOKEN"); }

  // Parses `command_line` (no program name) with the flags and a `run`
  // subcommand that records the token it sees; the ParseError's text, or
  // "" when it parsed.
  std::string Parse(const std::string& command_line, bool required = false) {
    return ParseWith([&](CLI::App& app) { app.parse(command_line, false); },
                     required);
  }

  // As Parse, with the arguments as a shell passes them: one may hold
  // spaces or a newline.
  std::string ParseArguments(const std::vector<std::string>& arguments) {
    std::vector<const char*> argv = {"test-program"};
    for (const std::string& argument : arguments) {
      argv.push_back(argument.c_str());
    }
    return ParseWith([&](CLI::App& app) {
      app.parse(static_cast<int>(argv.size()), argv.data());
    });
  }

  template <typename ParseFunction>
  std::string ParseWith(ParseFunction parse, bool required = false) {
    CLI::App app{"test", "test-program"};
    connection_ = ConnectionOptions();
    TokenFlags flags;
    flags.required = required;
    AddConnectionFlags(app, connection_, &token_, flags);
    app.add_subcommand("run", "")->callback(
        [this] { token_seen_by_subcommand_ = token_; });
    try {
      parse(app);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  }

  makegood::testing::TempDir dir_;
  const std::string token_file_ = dir_.File("token");
  ConnectionOptions connection_;
  std::string token_;
  std::string token_seen_by_subcommand_;
};

TEST_F(ConnectionFlagsTest, TheTokenFileIsReadBeforeTheSubcommandRuns) {
  EXPECT_EQ(Parse("--token-file " + token_file_ + " run"), "");
  EXPECT_EQ(token_, "token-from-file");
  EXPECT_EQ(token_seen_by_subcommand_, "token-from-file");
}

TEST_F(ConnectionFlagsTest, TokenAndTokenFileAreNotBothAllowed) {
  EXPECT_THAT(Parse("--token abc --token-file " + token_file_ + " run"),
              HasSubstr("--token excludes --token-file"));
  EXPECT_EQ(token_seen_by_subcommand_, "");
}

TEST_F(ConnectionFlagsTest, MakegoodTokenIsTheFallbackOfBoth) {
  setenv("MAKEGOOD_TOKEN", "token-from-env", 1);
  EXPECT_EQ(Parse("run"), "");
  EXPECT_EQ(token_seen_by_subcommand_, "token-from-env");

  token_.clear();
  EXPECT_EQ(Parse("--token-file " + token_file_ + " run"), "");
  EXPECT_EQ(token_seen_by_subcommand_, "token-from-file");

  token_.clear();
  EXPECT_EQ(Parse("--token inline-token run"), "");
  EXPECT_EQ(token_seen_by_subcommand_, "inline-token");
}

TEST_F(ConnectionFlagsTest, ARequiredTokenMustComeFromSomewhere) {
  EXPECT_THAT(Parse("run", true),
              HasSubstr("--token or --token-file (or MAKEGOOD_TOKEN) is "
                        "required"));
  EXPECT_EQ(token_seen_by_subcommand_, "");
  EXPECT_EQ(Parse("run", false), "");
}

TEST_F(ConnectionFlagsTest, ABadTokenFileFailsTheParseNamingTheFlag) {
  const std::string empty = dir_.File("empty");
  std::ofstream(empty) << "\n";
  EXPECT_EQ(Parse("--token-file " + empty + " run"),
            "--token-file: " + empty +
                ": is empty: write the token in it, "
                "alone");
  EXPECT_EQ(token_seen_by_subcommand_, "");
}

// gRPC aborts on such a token in its metadata: `makegood --token $'a\nb'
// health` ended with an assertion instead of an error.
TEST_F(ConnectionFlagsTest, ATokenThatIsNoTokenFailsTheParseWithoutShowingIt) {
  const std::string refusal =
      "--token (or MAKEGOOD_TOKEN): is not a token: a token is printable "
      "ASCII without spaces, on one line";
  for (const std::string& bad :
       {std::string("secret\nline"), std::string("secret words"),
        std::string("secret\ttab"), std::string("secret\x7f"),
        std::string("secr\xc3\xa9t")}) {
    token_.clear();
    EXPECT_EQ(ParseArguments({"--token", bad, "run"}), refusal);
    EXPECT_EQ(token_seen_by_subcommand_, "");
  }
  token_.clear();
  setenv("MAKEGOOD_TOKEN", "secret\nline", 1);
  EXPECT_EQ(Parse("run"), refusal);
  EXPECT_EQ(token_seen_by_subcommand_, "");

  token_.clear();
  unsetenv("MAKEGOOD_TOKEN");
  EXPECT_EQ(ParseArguments({"--token", "demo-server-dana", "run"}), "");
  EXPECT_EQ(token_seen_by_subcommand_, "demo-server-dana");
}

TEST_F(ConnectionFlagsTest, TlsFlagsAreCheckedTogether) {
  auto certificates = makegood::testing::MakeTestCertificates(dir_.path());
  ASSERT_TRUE(certificates.ok()) << certificates.status();
  EXPECT_EQ(Parse("--tls-cert " + certificates->client_cert + " run"),
            "--tls-cert: needs --tls-key, its private key");
  EXPECT_EQ(token_seen_by_subcommand_, "");
  EXPECT_EQ(Parse("--tls-cert " + certificates->client_cert + " --tls-key " +
                  certificates->client_key + " run"),
            "--tls-cert: needs --tls-ca, the CA that signed makegoodd's "
            "certificate: a client certificate is only sent over TLS");
  EXPECT_EQ(Parse("--tls-ca " + dir_.File("nope.pem") + " run"),
            "--tls-ca: cannot read " + dir_.File("nope.pem"));

  EXPECT_EQ(Parse("--server 127.0.0.1:7 --tls-ca " + certificates->ca_cert +
                  " --tls-cert " + certificates->client_cert + " --tls-key " +
                  certificates->client_key + " run"),
            "");
  EXPECT_EQ(connection_.server, "127.0.0.1:7");
  EXPECT_EQ(connection_.tls_ca_file, certificates->ca_cert);
  EXPECT_EQ(connection_.tls_cert_file, certificates->client_cert);
  EXPECT_EQ(connection_.tls_key_file, certificates->client_key);
}

}  // namespace
}  // namespace makegood::client
