#include "client/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace makegood::client {
namespace {

// Far above any token makegood makes or hashes; a larger file is not one.
constexpr size_t kMaxTokenFileBytes = 4096;

absl::Status Refuse(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

}  // namespace

absl::StatusOr<TokenFromFile> ReadTokenFile(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("the token file's name is empty");
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Refuse(path, absl::StrCat("cannot read: ", std::strerror(errno)));
  }
  TokenFromFile result;
  struct stat info;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
      (info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    result.warning = absl::StrFormat(
        "%s can be read by other users (mode %04o): chmod 600 %s", path,
        info.st_mode & 07777, path);
  }
  // A pipe (--token-file <(pass show makegood)) has no size: read until its
  // end, one byte past the limit at most.
  std::string text;
  char buffer[1024];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      return Refuse(path, absl::StrCat("cannot read: ", std::strerror(error)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxTokenFileBytes) {
      close(fd);
      return Refuse(path, absl::StrCat("is larger than ", kMaxTokenFileBytes,
                                       " bytes: not a token file"));
    }
  }
  close(fd);
  const absl::string_view token = absl::StripAsciiWhitespace(text);
  if (token.empty()) {
    return Refuse(path, "is empty: write the token in it, alone");
  }
  if (!IsWellFormedToken(token)) {
    return Refuse(path,
                  "holds more than a token: it must hold the token alone, "
                  "printable ASCII on one line");
  }
  result.token = std::string(token);
  return result;
}

bool IsWellFormedToken(absl::string_view token) {
  if (token.empty()) return false;
  for (const char c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e) return false;
  }
  return true;
}

}  // namespace makegood::client
