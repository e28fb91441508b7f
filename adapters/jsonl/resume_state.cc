#include "resume_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace makegood::adapters {

absl::StatusOr<ResumeState> LoadResumeState(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ResumeState{};
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr,
                                                    /*allow_exceptions=*/false);
  ResumeState state;
  if (!json.is_object() || !json.contains("offset") ||
      !json["offset"].is_number_integer() || !json.contains("line") ||
      !json["line"].is_number_integer() || !json.contains("inode") ||
      !json["inode"].is_number_unsigned()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": not a resume state (expected {\"offset\", \"line\", "
                     "\"inode\"}); remove it to start from the beginning"));
  }
  state.offset = json["offset"].get<int64_t>();
  state.line = json["line"].get<int64_t>();
  state.inode = json["inode"].get<uint64_t>();
  return state;
}

absl::Status SaveResumeState(const std::string& path,
                             const ResumeState& state) {
  const std::string text = nlohmann::json{{"offset", state.offset},
                                          {"line", state.line},
                                          {"inode", state.inode}}
                               .dump() +
                           "\n";
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat(temp, ": cannot write: ", std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) ==
                           static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot save: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace makegood::adapters
