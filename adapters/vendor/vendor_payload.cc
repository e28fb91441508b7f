#include "vendor_payload.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/money.h"

namespace makegood::adapters {

using nlohmann::json;

std::string VendorContext::Location(const std::string& vendor_location) const {
  if (auto it = locations.find(vendor_location); it != locations.end()) {
    return it->second;
  }
  return default_location.empty() ? vendor_location : default_location;
}

std::string TextAt(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  return "";
}

bool BoolAt(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

int64_t IntAt(const json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>()
                                                       : fallback;
}

const json& ArrayAt(const json& object, const char* key) {
  static const json* const kEmpty = new json(json::array());
  if (!object.is_object()) return *kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : *kEmpty;
}

const json& ObjectAt(const json& object, const char* key) {
  static const json* const kEmpty = new json(json::object());
  if (!object.is_object()) return *kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : *kEmpty;
}

absl::StatusOr<int64_t> MajorToMinor(const json& value,
                                     const std::string& currency,
                                     const std::string& path) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number_integer()) {
    text = std::to_string(value.get<int64_t>());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected an amount, got ", value.dump()));
  }
  // JSON doubles come as "1.0" or "12.50"; trailing zeros beyond the
  // currency's digits carry no money.
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  auto minor = core::ParseDecimalAmount(text, currency);
  if (!minor.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", minor.status().message()));
  }
  return *minor;
}

absl::StatusOr<int32_t> WholeQuantity(const json& value,
                                      const std::string& path) {
  std::string text = value.is_string() ? value.get<std::string>()
                     : value.is_number_integer()
                         ? std::to_string(value.get<int64_t>())
                         : "";
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  int32_t quantity = 0;
  if (!absl::SimpleAtoi(text, &quantity) || quantity <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": expected a whole positive quantity, got ", value.dump()));
  }
  return quantity;
}

absl::StatusOr<absl::Time> ParseVendorTime(const std::string& text,
                                           const std::string& path) {
  absl::Time at;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &at, &error) ||
      absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%z", text, &at, &error)) {
    return at;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": '", text, "' is not a time"));
}

}  // namespace makegood::adapters
