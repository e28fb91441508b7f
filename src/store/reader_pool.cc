#include "store/reader_pool.h"

namespace makegood::store {

absl::StatusOr<std::unique_ptr<Connection>> ReaderPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return Connection::Open(path_, /*read_only=*/true);
}

void ReaderPool::Release(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < max_idle_) {
    idle_.push_back(std::move(connection));
  }
}

}  // namespace makegood::store
