#ifndef MAKEGOOD_CLIENT_TOKEN_FILE_H_
#define MAKEGOOD_CLIENT_TOKEN_FILE_H_

// A bearer token kept in a file (--token-file, makegood.token_file, the
// plugin's token_file), so that it shows neither in `ps` nor in a shell's
// history. Thread-safe (no state).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::client {

struct TokenFromFile {
  std::string token;
  // Not empty when users other than the file's owner may read it: a
  // warning for people ("FILE can be read by other users (mode 0644):
  // chmod 600 FILE"). Such a file is not refused, since secrets mounted by
  // container platforms are often 0644 in a directory only the service
  // reaches.
  std::string warning;
};

// The token in `path`: the file's text without the whitespace around it (a
// file written by `echo` ends in a newline). INVALID_ARGUMENT naming the
// file when it cannot be read, is larger than 4096 bytes, holds nothing
// but whitespace, or holds more than the token (whitespace or a control
// character inside it: two lines, a configuration file): a token is
// printable ASCII, as an HTTP header value must be. The message never
// contains the file's text.
absl::StatusOr<TokenFromFile> ReadTokenFile(const std::string& path);

// Whether `token` can be a bearer token: not empty, and every byte visible
// ASCII (0x21-0x7E: no space, control character or byte above 0x7E), so
// that HTTP headers and gRPC metadata carry it unchanged. gRPC aborts the
// process on metadata with a control character or a byte above 0x7E, so
// every token from outside (a flag, the environment, a file, the plugin's
// caller) is checked with this before it is sent.
bool IsWellFormedToken(absl::string_view token);

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_TOKEN_FILE_H_
