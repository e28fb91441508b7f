#include "line_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace makegood::adapters {

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(
    const std::string& path, int64_t offset) {
  if (path == "-") {
    return std::unique_ptr<LineReader>(new LineReader(stdin, 0, 0, false));
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat info {};
  fstat(fileno(file), &info);
  if (offset > info.st_size) {
    std::fclose(file);
    return absl::InvalidArgumentError(absl::StrCat(path, ": resume offset ",
                                                   offset, " is past its end (",
                                                   info.st_size, " bytes)"));
  }
  std::fseek(file, offset, SEEK_SET);
  return std::unique_ptr<LineReader>(
      new LineReader(file, offset, static_cast<uint64_t>(info.st_ino), true));
}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

LineReader::Result LineReader::Next(bool growing, std::string& line,
                                    int64_t& end_offset) {
  for (;;) {
    const size_t newline = partial_.find('\n');
    if (newline != std::string::npos) {
      line = partial_.substr(0, newline);
      partial_.erase(0, newline + 1);
      offset_ += static_cast<int64_t>(newline + 1);
      end_offset = offset_;
      return Result::kLine;
    }
    char buffer[64 * 1024];
    const size_t n = std::fread(buffer, 1, sizeof buffer, file_);
    if (n > 0) {
      partial_.append(buffer, n);
      continue;
    }
    std::clearerr(file_);  // So that a growing file can be read again.
    if (growing) return Result::kNoneYet;
    if (partial_.empty()) return Result::kEnd;
    line = std::move(partial_);
    partial_.clear();
    offset_ += static_cast<int64_t>(line.size());
    end_offset = offset_;
    return Result::kLine;
  }
}

}  // namespace makegood::adapters
