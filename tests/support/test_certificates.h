#ifndef MAKEGOOD_TESTS_SUPPORT_TEST_CERTIFICATES_H_
#define MAKEGOOD_TESTS_SUPPORT_TEST_CERTIFICATES_H_

// Certificates for tests with a real TLS handshake, made by the openssl
// program in a test's temporary directory: a CA, a server certificate it
// signed for 127.0.0.1 and localhost, a client certificate it signed, and
// a second CA that signed neither. ECDSA P-256 keys, valid for two days.
// No protobuf, so that the plugin's tests can use it too.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace makegood::testing {

// Paths of PEM files.
struct TestCertificates {
  std::string ca_cert;      // The CA that signed the two below.
  std::string server_cert;  // SAN IP:127.0.0.1, DNS:localhost; serverAuth.
  std::string server_key;
  std::string client_cert;  // CN makegood-test-client; clientAuth.
  std::string client_key;
  std::string other_ca_cert;  // A CA that signed nothing here.
};

// Makes them in `dir` (ca.pem, server.pem, server.key, client.pem,
// client.key, other-ca.pem, and the CAs' keys). INTERNAL with openssl's
// output when it fails.
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir);

// Lines of a config's `server:` block (two-space indented) that turn on TLS
// with `certificates`: server.tls with the server certificate and, when
// `require_client_certificate`, client_ca_file (mutual TLS on gRPC); and
// server.http_tls with the server certificate and no client CA, as for
// browsers.
std::string TlsServerSettings(const TestCertificates& certificates,
                              bool require_client_certificate);

// Writes the configuration `sample_config_path` with `lines` added at the
// top of its `server:` block to `path`. FAILED_PRECONDITION when it has no
// such block, INTERNAL when a file cannot be read or written.
absl::Status WriteConfigWithServerSettings(
    const std::string& sample_config_path, const std::string& lines,
    const std::string& path);

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_TEST_CERTIFICATES_H_
