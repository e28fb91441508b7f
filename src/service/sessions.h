#ifndef MAKEGOOD_SERVICE_SESSIONS_H_
#define MAKEGOOD_SERVICE_SESSIONS_H_

// Tablet sessions (session.proto): a staff member signed in with their PIN
// on a paired device. Kept in memory: a restart signs everyone out, which
// costs a PIN, never a pairing. Only each token's SHA-256 is kept.
// Thread-safe.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace makegood::service {

struct SessionRecord {
  std::string staff_id;
  std::string device_id;
  // The end of the business day it was opened in.
  absl::Time expires_at;
  absl::Time last_used;
};

class SessionTable {
 public:
  // A session ends after `idle_limit` without a call.
  explicit SessionTable(absl::Duration idle_limit) : idle_limit_(idle_limit) {}
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  absl::Duration idle_limit() const { return idle_limit_; }

  // Opens a session and returns its token (base64url of 32 random bytes).
  // A session the staff member still had on that device ends: one person,
  // one session per tablet.
  std::string Open(const std::string& staff_id, const std::string& device_id,
                   absl::Time now, absl::Time expires_at);

  enum class Lookup { kLive, kEnded, kUnknown };
  struct Found {
    Lookup lookup = Lookup::kUnknown;
    SessionRecord record;
  };
  // The session of `token` at `now`; a live one counts as used now.
  Found Use(absl::string_view token, absl::Time now);

  // Ends the session of `token`; false when it was not live.
  bool Close(absl::string_view token, absl::Time now);

  // Ends at `now` every live session `revoked` is true for (a reload
  // removed its staff member or tablet); how many.
  int CloseIf(const std::function<bool(const SessionRecord&)>& revoked,
              absl::Time now);

 private:
  struct Entry {
    SessionRecord record;
    bool closed = false;
  };
  // Forgets sessions that ended long ago: they are kept a day so that their
  // tokens are told "session ended", not "unknown token".
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Live(const Entry& entry, absl::Time now) const;

  const absl::Duration idle_limit_;
  absl::Mutex mu_;
  // By the SHA-256 (hex) of the token.
  std::map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_SESSIONS_H_
