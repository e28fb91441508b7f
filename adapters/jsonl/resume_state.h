#ifndef MAKEGOOD_ADAPTERS_JSONL_RESUME_STATE_H_
#define MAKEGOOD_ADAPTERS_JSONL_RESUME_STATE_H_

// Where the JSON-lines adapter resumes after a restart: just after the last
// line whose events makegoodd acknowledged. Saved atomically (write, fsync,
// rename), so a crash leaves the old state or the new one, never half.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace makegood::adapters {

struct ResumeState {
  int64_t offset = 0;  // Bytes of the file already published.
  int64_t line = 0;    // Lines of the file already published.
  uint64_t inode = 0;  // The file they belong to; another one starts at 0.
};

// The state in `path`; a zero state when the file does not exist yet.
// INVALID_ARGUMENT naming the file when it is not a state file.
absl::StatusOr<ResumeState> LoadResumeState(const std::string& path);

absl::Status SaveResumeState(const std::string& path, const ResumeState& state);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_JSONL_RESUME_STATE_H_
