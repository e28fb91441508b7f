// ReadTlsFiles and ChannelCredentialsFor: which TLS files go together, and
// errors that name the setting as the program's user wrote it. The real
// handshakes are in tests/integration/tls_test.cc and the plugin's test.

#include "client/connection.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace makegood::client {
namespace {

using ::testing::HasSubstr;

TlsSettingNames Flags() {
  TlsSettingNames names;
  names.ca_file = "--tls-ca";
  names.cert_file = "--tls-cert";
  names.key_file = "--tls-key";
  return names;
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = makegood::testing::MakeTestCertificates(dir_.path());
    ASSERT_TRUE(made.ok()) << made.status();
    certificates_ = *made;
  }

  ConnectionOptions Mutual() const {
    ConnectionOptions options;
    options.tls_ca_file = certificates_.ca_cert;
    options.tls_cert_file = certificates_.client_cert;
    options.tls_key_file = certificates_.client_key;
    return options;
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  makegood::testing::TempDir dir_;
  makegood::testing::TestCertificates certificates_;
};

TEST_F(ConnectionTest, NoCaFileIsPlaintext) {
  auto files = ReadTlsFiles(ConnectionOptions());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->ca, "");
  EXPECT_EQ(files->cert, "");
  EXPECT_TRUE(ChannelCredentialsFor(ConnectionOptions()).ok());
}

TEST_F(ConnectionTest, ReadsTheCaAndTheClientCertificateWithItsKey) {
  auto files = ReadTlsFiles(Mutual());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(files->ca, HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(files->cert, HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(files->key, HasSubstr("PRIVATE KEY-----"));
  EXPECT_TRUE(ChannelCredentialsFor(Mutual()).ok());

  ConnectionOptions ca_only;
  ca_only.tls_ca_file = certificates_.ca_cert;
  files = ReadTlsFiles(ca_only);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->cert, "");
  EXPECT_EQ(files->key, "");
}

TEST_F(ConnectionTest, ACertificateNeedsItsKeyAndTheOtherWayRound) {
  ConnectionOptions options = Mutual();
  options.tls_key_file = "";
  auto files = ReadTlsFiles(options, Flags());
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(files.status().message(),
            "--tls-cert: needs --tls-key, its private key");

  options = Mutual();
  options.tls_cert_file = "";
  files = ReadTlsFiles(options);
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(files.status().message(),
            "tls_key_file: needs tls_cert_file, the certificate it is the key "
            "of");
}

TEST_F(ConnectionTest, AClientCertificateNeedsTheCaFile) {
  ConnectionOptions options = Mutual();
  options.tls_ca_file = "";
  auto credentials = ChannelCredentialsFor(options, Flags());
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(credentials.status().message()),
              HasSubstr("--tls-cert: needs --tls-ca"));
}

TEST_F(ConnectionTest, NamesTheFileThatCannotBeReadOrHoldsTheWrongThing) {
  ConnectionOptions options = Mutual();
  options.tls_ca_file = dir_.File("missing-ca.pem");
  EXPECT_EQ(ReadTlsFiles(options, Flags()).status().message(),
            "--tls-ca: cannot read " + dir_.File("missing-ca.pem"));

  options = Mutual();
  options.tls_ca_file = Write("empty.pem", "");
  EXPECT_EQ(ReadTlsFiles(options, Flags()).status().message(),
            "--tls-ca: " + options.tls_ca_file + " holds no PEM certificate");

  // Certificate and key swapped.
  options = Mutual();
  options.tls_cert_file = certificates_.client_key;
  options.tls_key_file = certificates_.client_cert;
  auto files = ReadTlsFiles(options, Flags());
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      files.status().message(),
      "--tls-cert: " + certificates_.client_key + " holds no PEM certificate");
  options.tls_cert_file = certificates_.client_cert;
  EXPECT_EQ(
      ReadTlsFiles(options, Flags()).status().message(),
      "--tls-key: " + certificates_.client_cert + " holds no PEM private key");

  options.tls_key_file = Write("encrypted.key",
                               "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                               "-----END ENCRYPTED PRIVATE KEY-----\n");
  EXPECT_THAT(
      std::string(ReadTlsFiles(options, Flags()).status().message()),
      HasSubstr("--tls-key: " + options.tls_key_file + " is encrypted"));
}

TEST_F(ConnectionTest, OpenChannelReportsTheSameErrors) {
  ConnectionOptions options = Mutual();
  options.tls_key_file = dir_.File("missing.key");
  auto channel = OpenChannel(options, Flags());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(channel.status().message(),
            "--tls-key: cannot read " + dir_.File("missing.key"));
  EXPECT_TRUE(OpenChannel(Mutual()).ok());
}

}  // namespace
}  // namespace makegood::client
