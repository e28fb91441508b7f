#include "vendor_payload.h"

#include <cstdint>

#include "exact_json.h"

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
  if (const auto* text = it->get_ptr<const json::string_t*>()) return *text;
  // Unsigned first: nlohmann's is_number_integer() holds for unsigned
  // values too, and would read 2^63 as -2^63.
  if (const auto* v = it->get_ptr<const json::number_unsigned_t*>()) {
    return std::to_string(*v);
  }
  if (const auto* v = it->get_ptr<const json::number_integer_t*>()) {
    return std::to_string(*v);
  }
  return ExactNumberText(*it).value_or("");
}

bool BoolAt(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  if (it == object.end()) return false;
  const auto* value = it->get_ptr<const json::boolean_t*>();
  return value != nullptr && *value;
}

int64_t IntAt(const json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (const auto* v = it->get_ptr<const json::number_unsigned_t*>()) {
    return *v <= static_cast<uint64_t>(INT64_MAX) ? static_cast<int64_t>(*v)
                                                  : fallback;
  }
  if (const auto* v = it->get_ptr<const json::number_integer_t*>()) return *v;
  return fallback;
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

}  // namespace makegood::adapters
