#include "json_reader.h"

#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/event_validation.h"
#include "core/money.h"
#include "exact_json.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Values longer than this are described, not quoted.
constexpr size_t kMaxQuoted = 40;
// Longer decimal texts are too large for int64 minor units anyway.
constexpr size_t kMaxDecimalText = 40;
// An exponent beyond this cannot give an amount in range (or exact cents).
constexpr int kMaxExponent = 40;

// What the contract takes as an instant, in ms since the epoch:
// event_validation.cc refuses earlier ones (2000-01-01T00:00:00Z); later
// ones (after 9999-12-31T23:59:59.999Z) do not fit a Timestamp.
constexpr int64_t kEarliestMs = 946684800000;
constexpr int64_t kLatestMs = 253402300799999;

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Printable ASCII as is, anything else as '?'.
std::string Printable(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\' ? c
                                                                       : '?');
  }
  return out;
}

// A member name as written in a path: plain when it is a plain name.
std::string PathKey(absl::string_view key) {
  bool plain = !key.empty() && key.size() <= 64;
  for (char c : key) {
    plain = plain && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                      c == '_' || c == '-');
  }
  if (plain) return std::string(key);
  return absl::StrCat("[\"", Printable(key.substr(0, kMaxQuoted)),
                      key.size() > kMaxQuoted ? "..." : "", "\"]");
}

// Where member `key` of `parent` is.
std::string ChildPath(const std::string& parent, absl::string_view key) {
  std::string name = PathKey(key);
  if (name.front() == '[' || parent.empty()) {
    return absl::StrCat(parent, name);
  }
  return absl::StrCat(parent, ".", name);
}

// An exact JSON integer in int64; nullopt otherwise, with `out_of_range`
// set for an integer beyond int64.
std::optional<int64_t> ExactInteger(const json& value, bool& out_of_range) {
  out_of_range = false;
  // Unsigned first: nlohmann's is_number_integer() holds for unsigned
  // values too, so get_ptr<number_integer_t*> would read 2^63 as -2^63.
  if (const auto* v = value.get_ptr<const json::number_unsigned_t*>()) {
    if (*v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      out_of_range = true;
      return std::nullopt;
    }
    return static_cast<int64_t>(*v);
  }
  if (const auto* v = value.get_ptr<const json::number_integer_t*>()) {
    return static_cast<int64_t>(*v);
  }
  if (std::optional<std::string> text = ExactNumberText(value)) {
    // An integer too large for the parser's integers comes as its text.
    absl::string_view digits = *text;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    out_of_range = AllDigits(digits);
  }
  return std::nullopt;
}

// A JSON number's text ("-1.25e2") as a plain decimal ("-125"), trailing
// fraction zeros dropped; nullopt when it is not a number or its exponent
// is out of any amount's reach.
std::optional<std::string> PlainDecimal(absl::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  int exponent = 0;
  if (size_t e = text.find_first_of("eE"); e != absl::string_view::npos) {
    absl::string_view power = text.substr(e + 1);
    text = text.substr(0, e);
    bool minus = false;
    if (!power.empty() && (power.front() == '+' || power.front() == '-')) {
      minus = power.front() == '-';
      power.remove_prefix(1);
    }
    if (!AllDigits(power) || power.size() > 3) return std::nullopt;
    int magnitude = 0;
    if (!absl::SimpleAtoi(power, &magnitude) || magnitude > kMaxExponent) {
      return std::nullopt;
    }
    exponent = minus ? -magnitude : magnitude;
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view fraction = dot == absl::string_view::npos
                                         ? absl::string_view()
                                         : text.substr(dot + 1);
  if (!AllDigits(whole) ||
      (dot != absl::string_view::npos && !AllDigits(fraction))) {
    return std::nullopt;
  }
  // All the digits, and where the point goes among them.
  std::string digits = absl::StrCat(whole, fraction);
  int64_t point = static_cast<int64_t>(whole.size()) + exponent;
  while (point > static_cast<int64_t>(digits.size())) digits.push_back('0');
  while (point < 1) {
    digits.insert(digits.begin(), '0');
    ++point;
  }
  std::string integer = digits.substr(0, static_cast<size_t>(point));
  std::string decimals = digits.substr(static_cast<size_t>(point));
  while (!decimals.empty() && decimals.back() == '0') decimals.pop_back();
  while (integer.size() > 1 && integer.front() == '0') integer.erase(0, 1);
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, integer, decimals.empty() ? "" : ".", decimals);
  return out;
}

// "12.50" as written by a vendor that sends decimal strings; trailing
// fraction zeros dropped; nullopt when not such a decimal.
std::optional<std::string> DecimalString(absl::string_view text) {
  if (text.size() > kMaxDecimalText) return std::nullopt;
  absl::string_view rest = text;
  if (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  const size_t dot = rest.find('.');
  if (!AllDigits(rest.substr(0, dot)) ||
      (dot != absl::string_view::npos && !AllDigits(rest.substr(dot + 1)))) {
    return std::nullopt;
  }
  return PlainDecimal(text);
}

}  // namespace

std::string DescribeJson(const json& value) {
  if (value.is_null()) return "null";
  if (const auto* b = value.get_ptr<const json::boolean_t*>()) {
    return *b ? "true" : "false";
  }
  // Unsigned first (see ExactInteger).
  if (const auto* v = value.get_ptr<const json::number_unsigned_t*>()) {
    return absl::StrCat(*v);
  }
  if (const auto* v = value.get_ptr<const json::number_integer_t*>()) {
    return absl::StrCat(*v);
  }
  if (std::optional<std::string> text = ExactNumberText(value)) {
    if (text->size() > kMaxQuoted) {
      return absl::StrCat("a number of ", text->size(), " characters");
    }
    return Printable(*text);
  }
  if (const auto* s = value.get_ptr<const json::string_t*>()) {
    if (s->size() > kMaxQuoted) {
      return absl::StrCat("a string of ", s->size(), " bytes");
    }
    return absl::StrCat("\"", Printable(*s), "\"");
  }
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "binary data";
}

void JsonReader::Fail(absl::string_view path, absl::string_view problem) {
  if (!status_.ok()) return;
  status_ = absl::InvalidArgumentError(
      path.empty() ? std::string(problem) : absl::StrCat(path, ": ", problem));
}

JsonValue JsonReader::Root(const json& document, std::string name) {
  return JsonValue(this, &document, std::move(name));
}

bool JsonValue::present() const {
  return value_ != nullptr && !value_->is_null();
}

bool JsonValue::is_null() const {
  return value_ != nullptr && value_->is_null();
}

bool JsonValue::is_object() const {
  return value_ != nullptr && value_->is_object();
}

bool JsonValue::is_array() const {
  return value_ != nullptr && value_->is_array();
}

bool JsonValue::Has(absl::string_view key) const {
  if (!is_object()) return false;
  const auto* object = value_->get_ptr<const json::object_t*>();
  auto it = object->find(std::string(key));
  return it != object->end() && !it->second.is_null();
}

void JsonValue::Fail(absl::string_view problem) const {
  reader_->Fail(path_, problem);
}

void JsonValue::WrongType(absl::string_view expected) const {
  Fail(absl::StrCat("expected ", expected, ", got ", DescribeJson(*value_)));
}

bool JsonValue::Needed(Need need, absl::string_view expected) const {
  if (!reader_->ok()) return false;
  if (present()) return true;
  if (need == Need::kRequired) {
    Fail(value_ == nullptr ? std::string("is required")
                           : absl::StrCat("is null; expected ", expected));
  }
  return false;
}

JsonValue JsonValue::Field(absl::string_view key) const {
  const std::string path = ChildPath(path_, key);
  if (!reader_->ok() || !present()) return JsonValue(reader_, nullptr, path);
  const auto* object = value_->get_ptr<const json::object_t*>();
  if (object == nullptr) {
    WrongType("an object");
    return JsonValue(reader_, nullptr, path);
  }
  auto it = object->find(std::string(key));
  return JsonValue(reader_, it == object->end() ? nullptr : &it->second, path);
}

std::vector<JsonValue> JsonValue::Elements(Need need) const {
  std::vector<JsonValue> out;
  if (is_null()) {
    // What a list holds (money, lines) is never read from a null.
    Fail("is null; expected an array (left out, or [], when there are none)");
    return out;
  }
  if (!Needed(need, "an array")) return out;
  const auto* array = value_->get_ptr<const json::array_t*>();
  if (array == nullptr) {
    WrongType("an array");
    return out;
  }
  out.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    out.push_back(
        JsonValue(reader_, &(*array)[i], absl::StrCat(path_, "[", i, "]")));
  }
  return out;
}

std::vector<std::pair<std::string, JsonValue>> JsonValue::Members(
    Need need) const {
  std::vector<std::pair<std::string, JsonValue>> out;
  if (is_null()) {
    Fail("is null; expected an object (left out when there is none)");
    return out;
  }
  if (!Needed(need, "an object")) return out;
  const auto* object = value_->get_ptr<const json::object_t*>();
  if (object == nullptr) {
    WrongType("an object");
    return out;
  }
  for (const auto& [key, member] : *object) {
    out.emplace_back(key, JsonValue(reader_, &member, ChildPath(path_, key)));
  }
  return out;
}

bool JsonValue::Object(Need need) const {
  if (!Needed(need, "an object")) return false;
  if (!value_->is_object()) {
    WrongType("an object");
    return false;
  }
  return true;
}

std::string JsonValue::Text(Need need) const {
  if (!Needed(need, "a string")) return "";
  const auto* text = value_->get_ptr<const json::string_t*>();
  if (text == nullptr) {
    WrongType("a string");
    return "";
  }
  return *text;
}

std::string JsonValue::Id(Need need) const {
  if (!Needed(need, "an id (a string)")) return "";
  const auto* text = value_->get_ptr<const json::string_t*>();
  if (text == nullptr) {
    WrongType("an id (a string)");
    return "";
  }
  if (text->empty()) {
    Fail("is empty; expected an id");
    return "";
  }
  if (text->size() > core::kMaxIdLength) {
    Fail(absl::StrCat("is ", text->size(), " bytes long; ids have at most ",
                      core::kMaxIdLength));
    return "";
  }
  return *text;
}

std::string JsonValue::IntegerId(Need need) const {
  if (!Needed(need, "an id (an integer)")) return "";
  bool out_of_range = false;
  std::optional<int64_t> id = ExactInteger(*value_, out_of_range);
  if (!id.has_value() || *id < 0) {
    if (out_of_range) {
      Fail(absl::StrCat("is out of range for an int64 id: ",
                        DescribeJson(*value_)));
    } else {
      WrongType("an id (a non-negative integer)");
    }
    return "";
  }
  return absl::StrCat(*id);
}

std::string JsonValue::Currency(Need need) const {
  std::string code = Text(need);
  if (code.empty()) {
    if (reader_->ok() && present()) Fail("is empty; expected an ISO 4217 code");
    return "";
  }
  if (!core::CurrencyExponent(code).has_value()) {
    Fail(absl::StrCat(DescribeJson(*value_),
                      " is not an ISO 4217 currency code"));
    return "";
  }
  return code;
}

bool JsonValue::Bool() const {
  if (!Needed(Need::kOptional, "true or false")) return false;
  const auto* value = value_->get_ptr<const json::boolean_t*>();
  if (value == nullptr) {
    WrongType("true or false");
    return false;
  }
  return *value;
}

int64_t JsonValue::Integer(Need need, int64_t min, int64_t max,
                           int64_t none) const {
  if (!Needed(need, "an integer")) return none;
  bool out_of_range = false;
  std::optional<int64_t> value = ExactInteger(*value_, out_of_range);
  if (!value.has_value() && !out_of_range) {
    WrongType("an integer");
    return none;
  }
  if (!value.has_value() || *value < min || *value > max) {
    Fail(absl::StrCat(DescribeJson(*value_), " is out of range (", min, " to ",
                      max, ")"));
    return none;
  }
  return *value;
}

std::string JsonValue::AmountText(AmountForm form) const {
  switch (form) {
    case AmountForm::kMinorUnits: {
      bool out_of_range = false;
      std::optional<int64_t> value = ExactInteger(*value_, out_of_range);
      if (value.has_value()) return absl::StrCat(*value);
      if (out_of_range) {
        Fail(absl::StrCat(DescribeJson(*value_),
                          " is out of range for int64 minor units"));
      } else {
        WrongType("an integer amount of minor units");
      }
      return "";
    }
    case AmountForm::kMajorNumber: {
      bool out_of_range = false;
      if (std::optional<int64_t> value = ExactInteger(*value_, out_of_range)) {
        return absl::StrCat(*value);
      }
      std::optional<std::string> text = ExactNumberText(*value_);
      if (!text.has_value()) {
        // A positive integer beyond int64 is parsed as unsigned.
        if (const auto* v = value_->get_ptr<const json::number_unsigned_t*>()) {
          return absl::StrCat(*v);
        }
        WrongType("a number");
        return "";
      }
      std::optional<std::string> plain = PlainDecimal(*text);
      if (!plain.has_value()) {
        Fail(absl::StrCat(DescribeJson(*value_), " is too large"));
        return "";
      }
      return *plain;
    }
    case AmountForm::kMajorString: {
      const auto* text = value_->get_ptr<const json::string_t*>();
      if (text == nullptr) {
        WrongType("a decimal string like \"12.50\"");
        return "";
      }
      std::optional<std::string> plain = DecimalString(*text);
      if (!plain.has_value()) {
        Fail(absl::StrCat("expected a decimal like \"12.50\", got ",
                          DescribeJson(*value_)));
        return "";
      }
      return *plain;
    }
  }
  return "";
}

int64_t JsonValue::Amount(Need need, AmountForm form,
                          const std::string& currency, AmountSign sign) const {
  if (!reader_->ok()) return 0;
  if (value_ == nullptr) {
    if (need == Need::kRequired) Fail("is required");
    return 0;
  }
  if (value_->is_null()) {
    Fail("is null; expected an amount (left out when there is none)");
    return 0;
  }
  const std::string text = AmountText(form);
  if (!reader_->ok()) return 0;
  int64_t minor = 0;
  if (form == AmountForm::kMinorUnits) {
    if (!absl::SimpleAtoi(text, &minor)) {
      Fail(absl::StrCat(DescribeJson(*value_), " is not an amount"));
      return 0;
    }
  } else {
    if (text.size() > kMaxDecimalText) {
      Fail(absl::StrCat(DescribeJson(*value_), " is too large"));
      return 0;
    }
    absl::StatusOr<int64_t> parsed = core::ParseDecimalAmount(text, currency);
    if (!parsed.ok()) {
      Fail(parsed.status().message());
      return 0;
    }
    minor = *parsed;
  }
  if (sign == AmountSign::kNotNegative && minor < 0) {
    Fail(absl::StrCat("must not be negative, got ", DescribeJson(*value_)));
    return 0;
  }
  if (sign == AmountSign::kNotPositive && minor > 0) {
    Fail(absl::StrCat("must not be positive (money off is negative), got ",
                      DescribeJson(*value_)));
    return 0;
  }
  return minor;
}

int32_t JsonValue::Quantity(QuantityForm form) const {
  if (!Needed(Need::kRequired, "a quantity")) return 1;
  std::string text;
  bool out_of_range = false;
  std::optional<int64_t> integer = ExactInteger(*value_, out_of_range);
  switch (form) {
    case QuantityForm::kDecimalString:
      if (const auto* s = value_->get_ptr<const json::string_t*>()) {
        if (std::optional<std::string> plain = DecimalString(*s)) text = *plain;
      }
      break;
    case QuantityForm::kNumber:
      if (integer.has_value()) {
        text = absl::StrCat(*integer);
      } else if (std::optional<std::string> number = ExactNumberText(*value_)) {
        if (std::optional<std::string> plain = PlainDecimal(*number)) {
          text = *plain;
        }
      }
      break;
    case QuantityForm::kInteger:
      if (integer.has_value()) text = absl::StrCat(*integer);
      break;
  }
  int32_t quantity = 0;
  if (!AllDigits(text) || !absl::SimpleAtoi(text, &quantity) || quantity <= 0) {
    const char* written = form == QuantityForm::kDecimalString
                              ? " (a decimal string like \"2\")"
                          : form == QuantityForm::kInteger ? " (an integer)"
                                                           : "";
    Fail(absl::StrCat("expected a whole positive quantity", written, ", got ",
                      DescribeJson(*value_)));
    return 1;
  }
  return quantity;
}

absl::Time JsonValue::Time(Need need) const {
  if (!Needed(need, "a time")) return absl::InfinitePast();
  const auto* text = value_->get_ptr<const json::string_t*>();
  if (text == nullptr) {
    WrongType("a time (a string)");
    return absl::InfinitePast();
  }
  absl::Time at;
  std::string error;
  if (text->size() > 64 ||
      !(absl::ParseTime(absl::RFC3339_full, *text, &at, &error) ||
        absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%z", *text, &at, &error))) {
    Fail(absl::StrCat(DescribeJson(*value_), " is not a time"));
    return absl::InfinitePast();
  }
  if (at < absl::FromUnixMillis(kEarliestMs) ||
      at > absl::FromUnixMillis(kLatestMs)) {
    Fail(absl::StrCat(DescribeJson(*value_),
                      " is outside 2000-01-01 to 9999-12-31"));
    return absl::InfinitePast();
  }
  return at;
}

absl::Time JsonValue::UnixMillis(Need need) const {
  if (!Needed(need, "a time")) return absl::InfinitePast();
  bool out_of_range = false;
  std::optional<int64_t> ms = ExactInteger(*value_, out_of_range);
  if (!ms.has_value() && !out_of_range) {
    WrongType("a time (milliseconds since 1970, an integer)");
    return absl::InfinitePast();
  }
  if (!ms.has_value() || *ms < kEarliestMs || *ms > kLatestMs) {
    Fail(absl::StrCat(DescribeJson(*value_),
                      " ms is outside 2000-01-01 to 9999-12-31"));
    return absl::InfinitePast();
  }
  return absl::FromUnixMillis(*ms);
}

}  // namespace makegood::adapters
