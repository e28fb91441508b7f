#include "support/test_certificates.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "support/process.h"

namespace makegood::testing {
namespace {

// The extensions each certificate carries; nothing is taken from the
// system's openssl.cnf.
constexpr char kOpensslConfig[] = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
)";

absl::Status Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), MAKEGOOD_OPENSSL_BIN);
  const CommandResult run = RunCommand(args);
  if (run.exit_code != 0) {
    return absl::InternalError(absl::StrCat("openssl ", args[1], " exited ",
                                            run.exit_code, ": ", run.err));
  }
  return absl::OkStatus();
}

// A self-signed CA certificate and its key.
absl::Status MakeCa(const std::string& config, const std::string& subject,
                    const std::string& cert, const std::string& key) {
  return Openssl({"req",
                  "-x509",
                  "-new",
                  "-newkey",
                  "ec",
                  "-pkeyopt",
                  "ec_paramgen_curve:prime256v1",
                  "-nodes",
                  "-keyout",
                  key,
                  "-out",
                  cert,
                  "-days",
                  "2",
                  "-subj",
                  subject,
                  "-config",
                  config,
                  "-extensions",
                  "ca"});
}

// A key and a certificate for it signed by the CA, with the extensions of
// `section`.
absl::Status MakeSigned(const std::string& dir, const std::string& config,
                        const std::string& name, const std::string& subject,
                        const std::string& section, const std::string& serial,
                        const std::string& ca_cert, const std::string& ca_key) {
  const std::string request = absl::StrCat(dir, "/", name, ".csr");
  if (absl::Status s =
          Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                   absl::StrCat(dir, "/", name, ".key"), "-out", request,
                   "-subj", subject, "-config", config});
      !s.ok()) {
    return s;
  }
  return Openssl({"x509", "-req", "-in", request, "-CA", ca_cert, "-CAkey",
                  ca_key, "-set_serial", serial, "-days", "2", "-sha256",
                  "-extfile", config, "-extensions", section, "-out",
                  absl::StrCat(dir, "/", name, ".pem")});
}

}  // namespace

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir) {
  const std::string config = dir + "/openssl.cnf";
  {
    std::ofstream out(config);
    out << kOpensslConfig;
    if (!out.flush()) {
      return absl::InternalError(absl::StrCat("cannot write ", config));
    }
  }
  TestCertificates made;
  made.ca_cert = dir + "/ca.pem";
  const std::string ca_key = dir + "/ca.key";
  made.server_cert = dir + "/server.pem";
  made.server_key = dir + "/server.key";
  made.client_cert = dir + "/client.pem";
  made.client_key = dir + "/client.key";
  made.other_ca_cert = dir + "/other-ca.pem";
  if (absl::Status s =
          MakeCa(config, "/CN=makegood test CA", made.ca_cert, ca_key);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = MakeSigned(dir, config, "server", "/CN=localhost",
                                  "server", "2", made.ca_cert, ca_key);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          MakeSigned(dir, config, "client", "/CN=makegood-test-client",
                     "client", "3", made.ca_cert, ca_key);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = MakeCa(config, "/CN=makegood other test CA",
                              made.other_ca_cert, dir + "/other-ca.key");
      !s.ok()) {
    return s;
  }
  return made;
}

std::string TlsServerSettings(const TestCertificates& certificates,
                              bool require_client_certificate) {
  std::string lines =
      absl::StrCat("  tls: { cert_file: \"", certificates.server_cert,
                   "\", key_file: \"", certificates.server_key, "\"");
  if (require_client_certificate) {
    absl::StrAppend(&lines, ", client_ca_file: \"", certificates.ca_cert, "\"");
  }
  absl::StrAppend(&lines, " }\n  http_tls: { cert_file: \"",
                  certificates.server_cert, "\", key_file: \"",
                  certificates.server_key, "\" }\n");
  return lines;
}

absl::Status WriteConfigWithServerSettings(
    const std::string& sample_config_path, const std::string& lines,
    const std::string& path) {
  std::ifstream in(sample_config_path);
  std::stringstream sample;
  if (!in || !(sample << in.rdbuf())) {
    return absl::InternalError(
        absl::StrCat("cannot read ", sample_config_path));
  }
  std::string yaml = sample.str();
  const std::string block = "\nserver:\n";
  const size_t at = yaml.find(block);
  if (at == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(sample_config_path, " has no server: block"));
  }
  yaml.insert(at + block.size(), lines);
  std::ofstream out(path);
  out << yaml;
  if (!out.flush())
    return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace makegood::testing
