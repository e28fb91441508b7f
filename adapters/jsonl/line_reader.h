#ifndef MAKEGOOD_ADAPTERS_JSONL_LINE_READER_H_
#define MAKEGOOD_ADAPTERS_JSONL_LINE_READER_H_

// Complete lines of a file that may still be growing, each with the byte
// offset just after it, so a reader can resume exactly there. A last line
// without its newline yet is held back while the file may still grow.
// Not thread-safe.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace makegood::adapters {

class LineReader {
 public:
  // Opens `path` ("-" for stdin) at `offset`. NOT_FOUND when it does not
  // exist; INVALID_ARGUMENT when `offset` lies beyond its end.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(
      const std::string& path, int64_t offset);
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  enum class Result { kLine, kNoneYet, kEnd };
  // kLine: `line` (without its newline) ends at `*end_offset`. kNoneYet:
  // nothing complete now; ask again later. kEnd: only when `growing` is
  // false, after the last line (which needs no newline then).
  Result Next(bool growing, std::string& line, int64_t& end_offset);

  // The file's inode, to notice a rotated file; 0 for stdin.
  uint64_t inode() const { return inode_; }

 private:
  LineReader(FILE* file, int64_t offset, uint64_t inode, bool owned)
      : file_(file), offset_(offset), inode_(inode), owned_(owned) {}

  FILE* file_;
  int64_t offset_;       // Just after the last line returned.
  std::string partial_;  // Read past offset_, no newline yet.
  uint64_t inode_;
  bool owned_;
};

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_JSONL_LINE_READER_H_
