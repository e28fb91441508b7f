#ifndef MAKEGOOD_ADAPTERS_VENDOR_JSON_READER_H_
#define MAKEGOOD_ADAPTERS_VENDOR_JSON_READER_H_

// Typed reading of a vendor's JSON (as ParseExactJson parses it), for the
// translators. Every read names where it is in the payload
// ("order.line_items[2].base_price_money.amount") and refuses what the
// vendor does not send:
//  - a value of the wrong JSON type; a required field that is missing or
//    null;
//  - a number that is not an exact integer in range: money is int64 minor
//    units, so a fraction, 1e30 and 2^63 are refused, and so is a negative
//    amount where the vendor's amounts cannot be negative;
//  - a decimal amount (Toast's JSON doubles, Shopify's strings "12.50")
//    with more decimals than the currency has or too large for int64
//    minor units; a quantity that is not a whole positive count;
//  - an id that is empty or longer than the contract allows
//    (core::kMaxIdLength, src/core/event_validation.h);
//  - a time that does not parse or lies outside what the contract takes
//    (before 2000-01-01 or after 9999).
// An optional field that is absent or null reads as none: "" for text and
// ids, false, no object. Money and lists are never read from a null: an
// optional amount (a tip) or list that is absent is 0 or empty, a null one
// is refused, so that a null never stands for money silently.
//
// The first refusal is kept as the reader's status, INVALID_ARGUMENT
// "<path>: <problem>"; reads after it return neutral values (0, "", no
// elements) and record nothing, so a parser reads on and returns status()
// where it returns. Nothing here throws, and nothing inserts into the
// document. Values quoted in messages are cut to a few characters: a
// message never carries the payload. Not thread-safe: one JsonReader per
// payload.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace makegood::adapters {

class JsonValue;

// Whether a field must be there.
enum class Need { kOptional, kRequired };

// How a vendor writes an amount.
enum class AmountForm {
  kMinorUnits,   // A JSON integer of minor units (Square, Clover).
  kMajorNumber,  // A JSON number in major units (Toast's doubles).
  kMajorString,  // A decimal string in major units (Shopify's "12.50").
};

// Which amounts a field may hold.
enum class AmountSign {
  kNotNegative,  // Prices, totals, tips, discounts taken off.
  kNotPositive,  // Clover's discount amounts: negative cents off.
};

// How a vendor writes a quantity.
enum class QuantityForm {
  kDecimalString,  // Square: "2", "2.00000".
  kNumber,         // Toast: 2 or 2.0.
  kInteger,        // Shopify: 2.
};

class JsonReader {
 public:
  JsonReader() = default;
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  bool ok() const { return status_.ok(); }
  // OK, or the first refusal.
  const absl::Status& status() const { return status_; }
  // Records "<path>: <problem>" unless a refusal is recorded already.
  void Fail(absl::string_view path, absl::string_view problem);

  // The document's root, named `name` in paths: "order" gives
  // "order.line_items[0]"; "" gives "[0].checks" or "orders[0]".
  JsonValue Root(const nlohmann::json& document, std::string name);

 private:
  absl::Status status_;
};

// A place in the document, present or not. Cheap to copy; valid while its
// document and JsonReader are.
class JsonValue {
 public:
  const std::string& path() const { return path_; }
  JsonReader& reader() const { return *reader_; }
  // There (null included).
  bool exists() const { return value_ != nullptr; }
  // There and not null.
  bool present() const;
  // There and null.
  bool is_null() const;
  bool is_object() const;
  bool is_array() const;
  // `key` is there (not null) in this object.
  bool Has(absl::string_view key) const;

  // The member `key` of this object: none when this is none; a refusal
  // when this is there but not an object.
  JsonValue Field(absl::string_view key) const;
  // This array's elements; none when optional and absent (a null is
  // refused).
  std::vector<JsonValue> Elements(Need need = Need::kOptional) const;
  // This object's members in key order; none when optional and absent (a
  // null is refused).
  std::vector<std::pair<std::string, JsonValue>> Members(
      Need need = Need::kOptional) const;
  // True when this is an object; false when it is none (refused when
  // required) or not an object (refused).
  bool Object(Need need) const;

  // A string of any length; "" when optional and none.
  std::string Text(Need need = Need::kOptional) const;
  // A string of 1 to core::kMaxIdLength bytes; "" when optional and none.
  std::string Id(Need need = Need::kOptional) const;
  // A non-negative integer id (Shopify's int64 ids), as its decimal text.
  std::string IntegerId(Need need = Need::kOptional) const;
  // An active ISO 4217 code; "" when optional and none.
  std::string Currency(Need need = Need::kOptional) const;
  // true or false; false when none.
  bool Bool() const;
  // An exact JSON integer within [min, max]; `none` when optional and none.
  int64_t Integer(Need need, int64_t min, int64_t max, int64_t none = 0) const;

  // An amount in minor units of `currency`, written as `form`, with
  // `sign`; 0 when optional and absent (a null is refused).
  int64_t Amount(Need need, AmountForm form, const std::string& currency,
                 AmountSign sign = AmountSign::kNotNegative) const;
  // A whole positive count that fits int32; required.
  int32_t Quantity(QuantityForm form) const;

  // RFC 3339 ("2020-05-18T16:30:49.614Z") or Toast's
  // "2024-04-01T15:09:30.223+0000"; InfinitePast when optional and none.
  absl::Time Time(Need need = Need::kOptional) const;
  // Milliseconds since the Unix epoch (Clover); InfinitePast when optional
  // and none.
  absl::Time UnixMillis(Need need = Need::kOptional) const;

  // Records "<this path>: <problem>"; the parsers' own refusals.
  void Fail(absl::string_view problem) const;

 private:
  friend class JsonReader;
  JsonValue(JsonReader* reader, const nlohmann::json* value, std::string path)
      : reader_(reader), value_(value), path_(std::move(path)) {}

  // Refuses a missing required value; true when there is one to read.
  bool Needed(Need need, absl::string_view expected) const;
  // Refuses a value that is there with the wrong type.
  void WrongType(absl::string_view expected) const;
  // The decimal text of an amount written as `form`, or "" (refused).
  std::string AmountText(AmountForm form) const;

  JsonReader* reader_;
  const nlohmann::json* value_;  // Null when absent.
  std::string path_;
};

// A short description of `value` for messages: "null", "true", "12",
// "1.5", "\"abc\"", "a string of 300 bytes", "an array", "an object".
std::string DescribeJson(const nlohmann::json& value);

}  // namespace makegood::adapters

#endif  // MAKEGOOD_ADAPTERS_VENDOR_JSON_READER_H_
