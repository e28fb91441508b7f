#include "client/connection_flags.h"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <utility>

#include "client/token_file.h"

namespace makegood::client {

TlsSettingNames TlsFlagNames() {
  TlsSettingNames names;
  names.ca_file = "--tls-ca";
  names.cert_file = "--tls-cert";
  names.key_file = "--tls-key";
  return names;
}

void AddConnectionFlags(CLI::App& app, ConnectionOptions& connection,
                        std::string* token, const TokenFlags& token_flags) {
  app.add_option("--server", connection.server, "makegoodd address, host:port")
      ->envname("MAKEGOOD_SERVER")
      ->capture_default_str();
  app.add_option("--tls-ca", connection.tls_ca_file,
                 "Connect with TLS, trusting this PEM CA bundle (the CA that "
                 "signed makegoodd's certificate)");
  app.add_option("--tls-cert", connection.tls_cert_file,
                 "PEM client certificate to present when makegoodd's "
                 "server.tls.client_ca_file asks for one; with --tls-key and "
                 "--tls-ca");
  app.add_option("--tls-key", connection.tls_key_file,
                 "The unencrypted PEM private key of --tls-cert");
  // Shared by the option that fills it and the check that reads it.
  auto token_file = std::make_shared<std::string>();
  if (token != nullptr) {
    CLI::Option* inline_token = app.add_option(
        "--token", *token,
        token_flags.help +
            " (env MAKEGOOD_TOKEN); `ps` shows it to every user of the "
            "machine, --token-file does not");
    app.add_option_function<std::string>(
           "--token-file",
           [token_file](const std::string& path) { *token_file = path; },
           "Read the token from this file (alone on its line; keep it "
           "chmod 600)")
        ->excludes(inline_token);
  }
  const std::string program = app.get_name();
  const bool required = token_flags.required;
  app.parse_complete_callback([&connection, token, token_file, program,
                               required] {
    if (token != nullptr) {
      if (!token_file->empty()) {
        auto read = ReadTokenFile(*token_file);
        if (!read.ok()) {
          throw CLI::ValidationError("--token-file",
                                     std::string(read.status().message()));
        }
        if (!read->warning.empty()) {
          std::cerr << program << ": warning: --token-file: " << read->warning
                    << std::endl;
        }
        *token = std::move(read->token);
      } else if (token->empty()) {
        if (const char* env = std::getenv("MAKEGOOD_TOKEN")) *token = env;
      }
      if (required && token->empty()) {
        throw CLI::RequiredError("--token or --token-file (or MAKEGOOD_TOKEN)");
      }
      // The file's token was checked as it was read; the others are held
      // to the same rule: gRPC aborts on a control character in metadata.
      if (!token->empty() && !IsWellFormedToken(*token)) {
        throw CLI::ValidationError(
            "--token (or MAKEGOOD_TOKEN)",
            "is not a token: a token is printable ASCII without spaces, on "
            "one line");
      }
    }
    auto files = ReadTlsFiles(connection, TlsFlagNames());
    if (!files.ok()) {
      throw CLI::ValidationError(std::string(files.status().message()));
    }
  });
}

}  // namespace makegood::client
