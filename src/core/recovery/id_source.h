#ifndef MAKEGOOD_CORE_RECOVERY_ID_SOURCE_H_
#define MAKEGOOD_CORE_RECOVERY_ID_SOURCE_H_

// Where the decisions get new record ids and discount codes: injected, so
// that a decision is a function of its inputs and tests can predict ids.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/discount_code.h"

namespace makegood::core {

class IdSource {
 public:
  virtual ~IdSource() = default;
  // A new time-ordered record id with `prefix` ("RC-", "RA-", "CMD-", "AL-").
  virtual std::string NewId(absl::string_view prefix, absl::Time now) = 0;
  // A new next-visit discount code.
  virtual std::string NewDiscountCode() = 0;
};

// Ids and codes from a CSPRNG (core/record_id.h, core/discount_code.h).
// Thread-safe when `random` is.
class RandomIdSource final : public IdSource {
 public:
  explicit RandomIdSource(RandomBytes random) : random_(std::move(random)) {}
  RandomIdSource(const RandomIdSource&) = delete;
  RandomIdSource& operator=(const RandomIdSource&) = delete;

  std::string NewId(absl::string_view prefix, absl::Time now) override;
  std::string NewDiscountCode() override;

 private:
  const RandomBytes random_;
};

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_RECOVERY_ID_SOURCE_H_
