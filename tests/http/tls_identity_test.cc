// The HTTP listener's TLS identity (http/tls_identity.h) through real TLS
// handshakes, in memory: an OpenSSL client against a server SSL_CTX the
// identity is installed on, with certificates the openssl program made for
// each test (support/test_certificates.h).

#include "http/tls_identity.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_certificates.h"

namespace makegood::http {
namespace {

using ::testing::HasSubstr;
using testing::TestCertificates;

struct FreeContext {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct FreeSsl {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct FreeX509 {
  void operator()(X509* x509) const { X509_free(x509); }
};
using ContextPtr = std::unique_ptr<SSL_CTX, FreeContext>;
using SslPtr = std::unique_ptr<SSL, FreeSsl>;
using X509Ptr = std::unique_ptr<X509, FreeX509>;

// Handshake messages need a few rounds each way; one that needs more than
// this is stuck.
constexpr int kMaxHandshakeRounds = 50;

X509Ptr ReadCertificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  X509Ptr certificate(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  return certificate;
}

// `text` written to `path` whole, then renamed over it, as a certificate
// tool writes renewed files.
void Replace(const std::string& path, const std::string& text) {
  const std::string next = path + ".next";
  {
    std::ofstream out(next, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.flush()) << next;
  }
  ASSERT_EQ(std::rename(next.c_str(), path.c_str()), 0) << path;
}

void CopyOver(const std::string& from, const std::string& to) {
  const std::string text = testing::ReadFileOrEmpty(from);
  ASSERT_FALSE(text.empty()) << from;
  ASSERT_NO_FATAL_FAILURE(Replace(to, text));
}

// One connection: both ends, joined by an in-memory BIO pair.
struct Connection {
  SslPtr client;
  SslPtr server;
  bool established = false;
};

// A client trusting only `ca_file` (and presenting `client_cert` with
// `client_key`, when given) shakes hands for "localhost" with a server made
// from `server_ctx`.
Connection Handshake(SSL_CTX* server_ctx, const std::string& ca_file,
                     const std::string& client_cert = "",
                     const std::string& client_key = "") {
  Connection connection;
  ContextPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  EXPECT_NE(client_ctx, nullptr);
  if (client_ctx == nullptr) return connection;
  EXPECT_EQ(
      SSL_CTX_load_verify_locations(client_ctx.get(), ca_file.c_str(), nullptr),
      1)
      << ca_file;
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!client_cert.empty()) {
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(client_ctx.get(),
                                                 client_cert.c_str()),
              1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(client_ctx.get(), client_key.c_str(),
                                          SSL_FILETYPE_PEM),
              1);
  }
  connection.client.reset(SSL_new(client_ctx.get()));
  connection.server.reset(SSL_new(server_ctx));
  BIO* client_end = nullptr;
  BIO* server_end = nullptr;
  EXPECT_EQ(BIO_new_bio_pair(&client_end, 0, &server_end, 0), 1);
  if (connection.client == nullptr || connection.server == nullptr ||
      client_end == nullptr) {
    BIO_free(client_end);
    BIO_free(server_end);
    return connection;
  }
  SSL_set_bio(connection.client.get(), client_end, client_end);
  SSL_set_bio(connection.server.get(), server_end, server_end);
  SSL_set_connect_state(connection.client.get());
  SSL_set_accept_state(connection.server.get());
  SSL_set1_host(connection.client.get(), "localhost");

  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < kMaxHandshakeRounds; ++round) {
    for (SSL* ssl : {connection.client.get(), connection.server.get()}) {
      bool& done = ssl == connection.client.get() ? client_done : server_done;
      if (done) continue;
      const int result = SSL_do_handshake(ssl);
      if (result == 1) {
        done = true;
        continue;
      }
      const int error = SSL_get_error(ssl, result);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return connection;  // Refused.
      }
    }
    if (client_done && server_done) {
      connection.established = true;
      return connection;
    }
  }
  ADD_FAILURE() << "the handshake did not end in " << kMaxHandshakeRounds
                << " rounds";
  return connection;
}

// The certificate the client of `connection` was served.
X509Ptr Served(const Connection& connection) {
  return X509Ptr(SSL_get1_peer_certificate(connection.client.get()));
}

bool Same(X509* a, X509* b) {
  return a != nullptr && b != nullptr && X509_cmp(a, b) == 0;
}

// Whether bytes written by the client reach the server over `connection`.
bool Carries(const Connection& connection) {
  const std::string ping = "ping";
  if (SSL_write(connection.client.get(), ping.data(),
                static_cast<int>(ping.size())) !=
      static_cast<int>(ping.size())) {
    return false;
  }
  char buffer[16] = {};
  const int read = SSL_read(connection.server.get(), buffer, sizeof(buffer));
  return read > 0 && std::string(buffer, static_cast<size_t>(read)) == ping;
}

class TlsIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"first", "second"}) {
      std::filesystem::create_directory(dir_.File(name));
    }
    auto first = testing::MakeTestCertificates(dir_.File("first"));
    ASSERT_TRUE(first.ok()) << first.status();
    first_ = *std::move(first);
    auto second = testing::MakeTestCertificates(dir_.File("second"));
    ASSERT_TRUE(second.ok()) << second.status();
    second_ = *std::move(second);
    // The files the identity reads, at paths that stay.
    ASSERT_NO_FATAL_FAILURE(CopyOver(first_.server_cert, cert_file_));
    ASSERT_NO_FATAL_FAILURE(CopyOver(first_.server_key, key_file_));
    server_ctx_.reset(SSL_CTX_new(TLS_server_method()));
    ASSERT_NE(server_ctx_, nullptr);
  }

  TlsFiles Files() const {
    TlsFiles files;
    files.cert_file = cert_file_;
    files.key_file = key_file_;
    return files;
  }

  // Loads `files` and installs the identity on server_ctx_.
  std::unique_ptr<TlsIdentity> Installed(TlsFiles files) {
    auto identity = TlsIdentity::Load(std::move(files));
    EXPECT_TRUE(identity.ok()) << identity.status();
    if (!identity.ok()) return nullptr;
    (*identity)->Install(server_ctx_.get());
    return *std::move(identity);
  }

  testing::TempDir dir_;
  TestCertificates first_;
  TestCertificates second_;
  const std::string cert_file_ = dir_.File("http-cert.pem");
  const std::string key_file_ = dir_.File("http-key.pem");
  ContextPtr server_ctx_;
};

TEST_F(TlsIdentityTest, ServesTheLoadedPairAtEachHandshake) {
  std::unique_ptr<TlsIdentity> identity = Installed(Files());
  ASSERT_NE(identity, nullptr);
  const X509Ptr expected = ReadCertificate(first_.server_cert);
  ASSERT_NE(expected, nullptr);

  for (int i = 0; i < 2; ++i) {
    const Connection connection = Handshake(server_ctx_.get(), first_.ca_cert);
    ASSERT_TRUE(connection.established);
    EXPECT_TRUE(Same(Served(connection).get(), expected.get()));
    EXPECT_TRUE(Carries(connection));
  }
  // Another CA's client does not trust it.
  EXPECT_FALSE(Handshake(server_ctx_.get(), second_.ca_cert).established);
  // test_certificates.cc: CN=localhost, serial 2.
  EXPECT_THAT(identity->Describe(), HasSubstr("CN=localhost (serial 02, "));
  EXPECT_THAT(identity->Describe(), HasSubstr(", expires 20"));
}

TEST_F(TlsIdentityTest, RefusesAKeyThatIsNotTheCertificatesNamingBothFiles) {
  TlsFiles files = Files();
  files.key_file = first_.client_key;
  const auto identity = TlsIdentity::Load(files);
  ASSERT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(identity.status().message(),
            absl::StrCat("server.http_tls.key_file: '", first_.client_key,
                         "' is not the private key of the certificate in '",
                         cert_file_, "'"));
}

TEST_F(TlsIdentityTest, NamesTheFieldAndTheFileThatDoNotLoad) {
  TlsFiles files = Files();
  files.field = "server.tls";
  files.cert_file = dir_.File("missing.pem");
  auto identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(identity.status().message(),
            absl::StrCat("server.tls.cert_file: cannot read '",
                         dir_.File("missing.pem"), "'"));

  // A key where the certificate should be, and the other way round.
  files = Files();
  files.cert_file = key_file_;
  identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(identity.status().message(),
            absl::StrCat("server.http_tls.cert_file: no PEM certificate in '",
                         key_file_, "'"));
  files = Files();
  files.key_file = cert_file_;
  identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(identity.status().message(),
            absl::StrCat(
                "server.http_tls.key_file: no unencrypted PEM private key in '",
                cert_file_, "'"));

  // A chain whose second certificate is broken.
  const std::string broken = dir_.File("broken-chain.pem");
  ASSERT_NO_FATAL_FAILURE(Replace(
      broken, testing::ReadFileOrEmpty(cert_file_) +
                  "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
                  "-----END CERTIFICATE-----\n"));
  files = Files();
  files.cert_file = broken;
  identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(identity.status().message(),
              HasSubstr(absl::StrCat("server.http_tls.cert_file: certificate "
                                     "2 in '",
                                     broken, "' does not parse")));

  // A client CA file without a certificate.
  files = Files();
  files.client_ca_file = key_file_;
  identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      identity.status().message(),
      absl::StrCat("server.http_tls.client_ca_file: no PEM certificate in '",
                   key_file_, "'"));
}

TEST_F(TlsIdentityTest, RefusesAnEncryptedKey) {
  // The same key, encrypted with a passphrase makegoodd is never given.
  FILE* plain = std::fopen(key_file_.c_str(), "r");
  ASSERT_NE(plain, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(plain, nullptr, nullptr, nullptr);
  std::fclose(plain);
  ASSERT_NE(key, nullptr);
  const std::string encrypted = dir_.File("encrypted.key");
  FILE* out = std::fopen(encrypted.c_str(), "w");
  ASSERT_NE(out, nullptr);
  static const char kPassphrase[] = "secret";
  const int written = PEM_write_PKCS8PrivateKey(
      out, key, EVP_aes_256_cbc(), const_cast<char*>(kPassphrase),
      sizeof(kPassphrase) - 1, nullptr, nullptr);
  std::fclose(out);
  EVP_PKEY_free(key);
  ASSERT_EQ(written, 1);

  TlsFiles files = Files();
  files.key_file = encrypted;
  const auto identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(identity.status().message(),
            absl::StrCat(
                "server.http_tls.key_file: no unencrypted PEM private key in '",
                encrypted, "'"));
}

TEST_F(TlsIdentityTest, RefusesACertificateOpensslWillNotServe) {
  // A 512-bit RSA key: under every OpenSSL security level above 0.
  EVP_PKEY* weak = EVP_RSA_gen(512);
  ASSERT_NE(weak, nullptr);
  X509* certificate = X509_new();
  ASSERT_NE(certificate, nullptr);
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 7);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
  X509_set_pubkey(certificate, weak);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  const bool signed_ok = X509_sign(certificate, weak, EVP_sha256()) > 0;
  const std::string weak_cert = dir_.File("weak.pem");
  const std::string weak_key = dir_.File("weak.key");
  FILE* cert_out = std::fopen(weak_cert.c_str(), "w");
  FILE* key_out = std::fopen(weak_key.c_str(), "w");
  const bool written = cert_out != nullptr && key_out != nullptr &&
                       PEM_write_X509(cert_out, certificate) == 1 &&
                       PEM_write_PrivateKey(key_out, weak, nullptr, nullptr, 0,
                                            nullptr, nullptr) == 1;
  if (cert_out != nullptr) std::fclose(cert_out);
  if (key_out != nullptr) std::fclose(key_out);
  X509_free(certificate);
  EVP_PKEY_free(weak);
  ASSERT_TRUE(signed_ok);
  ASSERT_TRUE(written);

  TlsFiles files;
  files.cert_file = weak_cert;
  files.key_file = weak_key;
  const auto identity = TlsIdentity::Load(files);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(identity.status().message(),
              HasSubstr(absl::StrCat(
                  "server.http_tls.cert_file: OpenSSL will not serve the "
                  "certificate in '",
                  weak_cert, "' (")));
}

TEST_F(TlsIdentityTest,
       AReloadServesNewHandshakesAndOpenConnectionsKeepTheirs) {
  std::unique_ptr<TlsIdentity> identity = Installed(Files());
  ASSERT_NE(identity, nullptr);
  const X509Ptr old_certificate = ReadCertificate(first_.server_cert);
  const X509Ptr new_certificate = ReadCertificate(second_.server_cert);
  ASSERT_NE(old_certificate, nullptr);
  ASSERT_NE(new_certificate, nullptr);
  const Connection open = Handshake(server_ctx_.get(), first_.ca_cert);
  ASSERT_TRUE(open.established);

  // Renewed at the same paths: read only when asked.
  ASSERT_NO_FATAL_FAILURE(CopyOver(second_.server_key, key_file_));
  ASSERT_NO_FATAL_FAILURE(CopyOver(second_.server_cert, cert_file_));
  const Connection not_yet = Handshake(server_ctx_.get(), first_.ca_cert);
  ASSERT_TRUE(not_yet.established);
  EXPECT_TRUE(Same(Served(not_yet).get(), old_certificate.get()));

  ASSERT_TRUE(identity->Reload().ok());
  const Connection renewed = Handshake(server_ctx_.get(), second_.ca_cert);
  ASSERT_TRUE(renewed.established);
  EXPECT_TRUE(Same(Served(renewed).get(), new_certificate.get()));
  EXPECT_TRUE(Carries(renewed));
  EXPECT_FALSE(Handshake(server_ctx_.get(), first_.ca_cert).established)
      << "a new connection is served the new certificate only";

  // The connection opened before keeps its certificate and goes on.
  EXPECT_TRUE(
      Same(SSL_get_certificate(open.server.get()), old_certificate.get()));
  EXPECT_TRUE(Carries(open));
}

TEST_F(TlsIdentityTest, AnInvalidReloadKeepsTheRunningPairAndNamesTheFiles) {
  std::unique_ptr<TlsIdentity> identity = Installed(Files());
  ASSERT_NE(identity, nullptr);
  const X509Ptr running = ReadCertificate(first_.server_cert);
  ASSERT_NE(running, nullptr);
  const std::string before = identity->Describe();

  // A new certificate whose key was not written, then a missing key file.
  ASSERT_NO_FATAL_FAILURE(CopyOver(second_.server_cert, cert_file_));
  const absl::Status mismatched = identity->Reload();
  EXPECT_EQ(mismatched.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mismatched.message(),
            absl::StrCat("server.http_tls.key_file: '", key_file_,
                         "' is not the private key of the certificate in '",
                         cert_file_, "'"));
  ASSERT_EQ(std::remove(key_file_.c_str()), 0);
  const absl::Status missing = identity->Reload();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.message(), absl::StrCat("server.http_tls.key_file: cannot "
                                            "read '",
                                            key_file_, "'"));

  const Connection connection = Handshake(server_ctx_.get(), first_.ca_cert);
  ASSERT_TRUE(connection.established);
  EXPECT_TRUE(Same(Served(connection).get(), running.get()));
  EXPECT_EQ(identity->Describe(), before);

  // The key written after all: the next reload takes both.
  ASSERT_NO_FATAL_FAILURE(CopyOver(second_.server_key, key_file_));
  ASSERT_TRUE(identity->Reload().ok());
  const Connection renewed = Handshake(server_ctx_.get(), second_.ca_cert);
  ASSERT_TRUE(renewed.established);
  const X509Ptr new_certificate = ReadCertificate(second_.server_cert);
  EXPECT_TRUE(Same(Served(renewed).get(), new_certificate.get()));
}

TEST_F(TlsIdentityTest, ClientCertificatesAreRequiredFromTheReloadedCas) {
  const std::string ca_file = dir_.File("client-ca.pem");
  ASSERT_NO_FATAL_FAILURE(CopyOver(first_.ca_cert, ca_file));
  TlsFiles files = Files();
  files.client_ca_file = ca_file;
  std::unique_ptr<TlsIdentity> identity = Installed(files);
  ASSERT_NE(identity, nullptr);

  EXPECT_TRUE(Handshake(server_ctx_.get(), first_.ca_cert, first_.client_cert,
                        first_.client_key)
                  .established);
  EXPECT_FALSE(Handshake(server_ctx_.get(), first_.ca_cert).established)
      << "a client without a certificate is refused";
  EXPECT_FALSE(Handshake(server_ctx_.get(), first_.ca_cert, second_.client_cert,
                         second_.client_key)
                   .established)
      << "a certificate another CA signed is refused";

  // The client CA file now names the second CA.
  ASSERT_NO_FATAL_FAILURE(CopyOver(second_.ca_cert, ca_file));
  ASSERT_TRUE(identity->Reload().ok());
  EXPECT_TRUE(Handshake(server_ctx_.get(), first_.ca_cert, second_.client_cert,
                        second_.client_key)
                  .established);
  EXPECT_FALSE(Handshake(server_ctx_.get(), first_.ca_cert, first_.client_cert,
                         first_.client_key)
                   .established);
}

}  // namespace
}  // namespace makegood::http
