#include "core/recovery/id_source.h"

#include "core/record_id.h"

namespace makegood::core {

std::string RandomIdSource::NewId(absl::string_view prefix, absl::Time now) {
  return NewRecordId(prefix, now, random_);
}

std::string RandomIdSource::NewDiscountCode() {
  return core::NewDiscountCode(random_);
}

}  // namespace makegood::core
