#include "order_reading.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/event_validation.h"

namespace makegood::adapters {

void IdsSeen::Add(const JsonValue& at, const std::string& id) {
  if (id.empty()) return;
  auto [it, added] = paths_.emplace(id, at.path());
  if (!added) {
    at.Fail(absl::StrCat(DescribeJson(nlohmann::json(id)), " repeats ",
                         it->second, " (the two would share their event ids)"));
  }
}

bool UrlSafeId(absl::string_view id) {
  if (id.empty() || id.size() > core::kMaxIdLength) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      return false;
    }
  }
  return true;
}

void CheckUrlSafeId(const JsonValue& at, const std::string& id) {
  if (!at.reader().ok() || UrlSafeId(id)) return;
  at.Fail(absl::StrCat(DescribeJson(nlohmann::json(id)),
                       " is no id of the vendor's (letters, digits, '-' and "
                       "'_' only)"));
}

void AddAmount(int64_t& total, int64_t amount, const JsonValue& at) {
  int64_t sum = 0;
  if (__builtin_add_overflow(total, amount, &sum)) {
    at.Fail("makes a sum too large for int64 minor units");
    return;
  }
  total = sum;
}

void AddModifier(LineSnapshot& line, ModifierSnapshot modifier,
                 const JsonValue& at) {
  if (modifier.name.empty()) {
    at.Fail("has no name; a modifier is printed on the check by its name");
    return;
  }
  if (modifier.name.size() > core::kMaxModifierNameLength) {
    at.Fail(absl::StrCat("has a name of ", modifier.name.size(),
                         " bytes; at most ", core::kMaxModifierNameLength));
    return;
  }
  if (line.modifiers.size() >= core::kMaxModifiersPerItem) {
    at.Fail(absl::StrCat("is one modifier too many: a line holds at most ",
                         core::kMaxModifiersPerItem));
    return;
  }
  int64_t price = 0;
  if (__builtin_mul_overflow(modifier.unit_price_minor, modifier.quantity,
                             &price)) {
    at.Fail("makes a price too large for int64 minor units");
    return;
  }
  AddAmount(line.unit_price_minor, price, at);
  line.modifiers.push_back(std::move(modifier));
}

std::string OrderLocation(const VendorContext& context,
                          const std::string& vendor_location,
                          const JsonValue& at, absl::string_view why_none) {
  std::string location = context.Location(vendor_location);
  if (location.empty()) {
    at.Fail(absl::StrCat(why_none,
                         ", and no makegood location is configured for it"));
  }
  return location;
}

}  // namespace makegood::adapters
