#include "core/pin_lockout.h"

namespace makegood::core {

std::optional<absl::Time> PinLockout::LockedUntil(const std::string& device_id,
                                                  const std::string& staff_id,
                                                  absl::Time now) const {
  const auto it = entries_.find(Key(device_id, staff_id));
  if (it == entries_.end() || !it->second.locked_until.has_value() ||
      now >= *it->second.locked_until) {
    return std::nullopt;
  }
  return it->second.locked_until;
}

int PinLockout::RecordWrongPin(const std::string& device_id,
                               const std::string& staff_id, absl::Time now) {
  // An ended lock is forgotten here, so the count starts from zero again.
  Forget(now);
  Entry& entry = entries_[Key(device_id, staff_id)];
  if (entry.locked_until.has_value()) return 0;  // Still locked.
  ++entry.wrong_pins;
  entry.last_wrong = now;
  if (entry.wrong_pins >= kMaxWrongPins) {
    entry.locked_until = now + kLockTime;
    return 0;
  }
  return kMaxWrongPins - entry.wrong_pins;
}

void PinLockout::RecordRightPin(const std::string& device_id,
                                const std::string& staff_id) {
  entries_.erase(Key(device_id, staff_id));
}

bool PinLockout::Expired(const Entry& entry, absl::Time now) {
  if (entry.locked_until.has_value()) return now >= *entry.locked_until;
  return now - entry.last_wrong >= kForgetAfter;
}

void PinLockout::Forget(absl::Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (Expired(it->second, now)) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace makegood::core
