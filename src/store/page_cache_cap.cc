#include "store/page_cache_cap.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "store/status_chain.h"

namespace makegood::store {
namespace {

absl::Status SetCacheSize(Connection& db, int64_t size) {
  return db.Exec(absl::StrCat("PRAGMA cache_size=", size).c_str());
}

}  // namespace

absl::StatusOr<int64_t> CacheSizeOf(Connection& db) {
  auto stmt = db.Prepare("PRAGMA cache_size");
  if (!stmt.ok()) return stmt.status();
  auto found = (*stmt)->Step();
  if (!found.ok()) return found.status();
  if (!*found) return absl::InternalError("PRAGMA cache_size gave no row");
  return (*stmt)->Int(0);
}

absl::Status WithPageCacheCap(Connection& db, int64_t kib,
                              absl::FunctionRef<absl::Status()> work,
                              bool* cap_kept) {
  auto own = CacheSizeOf(db);
  if (!own.ok()) return own.status();
  if (absl::Status capped = SetCacheSize(db, -kib); !capped.ok()) {
    return capped;
  }
  absl::Status status = work();
  absl::Status restored = SetCacheSize(db, *own);
  if (restored.ok()) return status;
  if (cap_kept != nullptr) *cap_kept = true;
  return WithFollowUp(std::move(status), restored,
                      "putting back PRAGMA cache_size");
}

}  // namespace makegood::store
