#include "problem_episode.h"

namespace makegood::adapters {

ProblemEpisode::Seen ProblemEpisode::Occurred() {
  absl::MutexLock lock(&mu_);
  Seen seen;
  seen.starts = !ongoing_;
  ongoing_ = true;
  seen.report = !reported_ && !reporting_;
  if (seen.report) reporting_ = true;
  return seen;
}

void ProblemEpisode::ReportDone(bool delivered) {
  absl::MutexLock lock(&mu_);
  reporting_ = false;
  if (delivered && ongoing_) reported_ = true;  // Not for an episode over.
}

bool ProblemEpisode::Resolved() {
  absl::MutexLock lock(&mu_);
  if (!ongoing_) return false;
  ongoing_ = false;
  reported_ = false;
  return true;
}

}  // namespace makegood::adapters
