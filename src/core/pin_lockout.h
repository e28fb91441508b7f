#ifndef MAKEGOOD_CORE_PIN_LOCKOUT_H_
#define MAKEGOOD_CORE_PIN_LOCKOUT_H_

// The tablet sign-in lockout (session.proto, SignIn): five wrong PINs in a
// row for a staff member on a device lock that staff member out on that
// device for 5 minutes; a right PIN resets the count. Once a lock has ended
// the count starts again from zero. Other devices, and other staff on the
// same device, are not affected.
//
// Pure: the caller passes the time. Not thread-safe: the caller serializes
// every call (one mutex around the object).
//
// Memory: one entry per (device, staff) pair with wrong PINs counted. The
// caller records only pairs of the configuration (an authenticated TABLET
// device, a configured staff member with a PIN), so there are at most
// tablets × staff entries; on top of that, each RecordWrongPin forgets the
// entries whose lock has ended and those whose last wrong PIN is older than
// kForgetAfter (a business day: a wrong try yesterday does not count
// today), so ids removed by a configuration reload do not stay forever.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/time.h"

namespace makegood::core {

class PinLockout {
 public:
  static constexpr int kMaxWrongPins = 5;
  static constexpr absl::Duration kLockTime = absl::Minutes(5);
  // Wrong PINs this long ago, with no lock since, are forgotten.
  static constexpr absl::Duration kForgetAfter = absl::Hours(24);

  PinLockout() = default;
  PinLockout(const PinLockout&) = delete;
  PinLockout& operator=(const PinLockout&) = delete;

  // When (device, staff) is locked at `now`, until when; nullopt when not
  // locked. A lock holds from the fifth wrong PIN for kLockTime: locked at
  // lock + kLockTime - 1ns, not at lock + kLockTime.
  std::optional<absl::Time> LockedUntil(const std::string& device_id,
                                        const std::string& staff_id,
                                        absl::Time now) const;

  // A wrong PIN at `now`: how many tries are left before the lock (0:
  // locked from `now` for kLockTime). While a lock holds, the caller refuses
  // the sign-in without checking the PIN; a wrong PIN recorded then anyway
  // returns 0 and leaves the lock as it is (it does not extend it).
  int RecordWrongPin(const std::string& device_id, const std::string& staff_id,
                     absl::Time now);

  // A right PIN: the count of (device, staff) starts again from zero.
  void RecordRightPin(const std::string& device_id,
                      const std::string& staff_id);

 private:
  using Key = std::pair<std::string, std::string>;  // (device, staff).
  struct Entry {
    int wrong_pins = 0;  // In a row, since the last right PIN or lock.
    absl::Time last_wrong = absl::InfinitePast();
    std::optional<absl::Time> locked_until;
  };

  // Drops the entries that no longer count at `now`.
  void Forget(absl::Time now);
  static bool Expired(const Entry& entry, absl::Time now);

  std::map<Key, Entry> entries_;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_PIN_LOCKOUT_H_
