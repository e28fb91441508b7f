#ifndef MAKEGOOD_CLIENT_CONNECTION_FLAGS_H_
#define MAKEGOOD_CLIENT_CONNECTION_FLAGS_H_

// The command-line options of every program that talks to makegoodd
// (makegood, makegood-adapter-jsonl, makegood-sim), in one place so that
// they are spelled, documented and checked alike:
//
//   --server HOST:PORT            (env MAKEGOOD_SERVER)
//   --tls-ca FILE                 TLS, trusting the CA that signed makegoodd
//   --tls-cert FILE --tls-key FILE  a client certificate (mutual TLS)
//   --token TOKEN | --token-file FILE   (env MAKEGOOD_TOKEN when neither)
//
// Not thread-safe: for a program's main, before it starts threads.

#include <string>

#include "CLI/CLI.hpp"
#include "client/connection.h"

namespace makegood::client {

// How the flags are named in errors (for ReadTlsFiles and the like).
TlsSettingNames TlsFlagNames();

struct TokenFlags {
  // What --token is, for --help: "ADAPTER bearer token".
  std::string help = "Bearer token";
  // Parsing fails unless --token, --token-file or MAKEGOOD_TOKEN gives one.
  bool required = false;
};

// Adds --server, --tls-ca, --tls-cert and --tls-key to `app`, filling
// `connection`, and, when `token` is not null, --token and --token-file
// (not both), filling `*token`. Takes `app`'s parse_complete_callback:
// once the command line is parsed, before any subcommand's callback runs,
// the token file is read (client::ReadTokenFile; a warning on stderr when
// others may read it) and the TLS files are checked (client::ReadTlsFiles),
// and a problem fails the parse with a CLI::ParseError naming the flag.
// `connection` and `token` must outlive the parse.
void AddConnectionFlags(CLI::App& app, ConnectionOptions& connection,
                        std::string* token = nullptr,
                        const TokenFlags& token_flags = TokenFlags());

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_CONNECTION_FLAGS_H_
