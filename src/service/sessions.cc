#include "service/sessions.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "core/sha256.h"

namespace makegood::service {
namespace {

constexpr int kTokenBytes = 32;
// How long an ended session is still recognised as one.
constexpr absl::Duration kRememberEnded = absl::Hours(24);

std::string NewToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, kTokenBytes) != 1) {
    // Without randomness no token is safe; refuse to run on rather than
    // hand out a guessable one.
    std::abort();
  }
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), kTokenBytes));
}

}  // namespace

bool SessionTable::Live(const Entry& entry, absl::Time now) const {
  return !entry.closed && now < entry.record.expires_at &&
         now - entry.record.last_used < idle_limit_;
}

std::string SessionTable::Open(const std::string& staff_id,
                               const std::string& device_id, absl::Time now,
                               absl::Time expires_at) {
  const std::string token = NewToken();
  absl::MutexLock lock(&mu_);
  Prune(now);
  for (auto& [hash, entry] : sessions_) {
    if (entry.record.staff_id == staff_id &&
        entry.record.device_id == device_id && !entry.closed) {
      entry.closed = true;
      entry.record.expires_at = now;
    }
  }
  sessions_[core::Sha256Hex(token)] =
      Entry{SessionRecord{staff_id, device_id, expires_at, now}, false};
  return token;
}

SessionTable::Found SessionTable::Use(absl::string_view token, absl::Time now) {
  const std::string hash = core::Sha256Hex(token);
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(hash);
  if (it == sessions_.end()) return Found{};
  Entry& entry = it->second;
  if (!Live(entry, now)) {
    if (!entry.closed) {
      entry.closed = true;
      entry.record.expires_at = std::min(entry.record.expires_at,
                                         entry.record.last_used + idle_limit_);
    }
    return Found{Lookup::kEnded, entry.record};
  }
  entry.record.last_used = now;
  return Found{Lookup::kLive, entry.record};
}

bool SessionTable::Close(absl::string_view token, absl::Time now) {
  const std::string hash = core::Sha256Hex(token);
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(hash);
  if (it == sessions_.end() || !Live(it->second, now)) return false;
  it->second.closed = true;
  it->second.record.expires_at = now;
  return true;
}

int SessionTable::CloseIf(
    const std::function<bool(const SessionRecord&)>& revoked, absl::Time now) {
  absl::MutexLock lock(&mu_);
  int closed = 0;
  for (auto& [hash, entry] : sessions_) {
    if (!Live(entry, now) || !revoked(entry.record)) continue;
    entry.closed = true;
    entry.record.expires_at = now;
    ++closed;
  }
  return closed;
}

void SessionTable::Prune(absl::Time now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const SessionRecord& record = it->second.record;
    const absl::Time ended =
        std::min(record.expires_at, record.last_used + idle_limit_);
    if (now - ended > kRememberEnded) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace makegood::service
