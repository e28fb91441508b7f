#include "exact_json.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace makegood::adapters {
namespace {

using nlohmann::json;

// Builds the document as nlohmann's own DOM parser does, except for floats.
class ExactBuilder : public json::json_sax_t {
 public:
  bool null() override { return Put(json(nullptr)); }
  bool boolean(bool value) override { return Put(json(value)); }
  bool number_integer(number_integer_t value) override {
    return Put(json(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return Put(json(value));
  }
  bool number_float(number_float_t, const string_t& text) override {
    return Put(ExactNumber(text));
  }
  bool string(string_t& value) override { return Put(json(value)); }
  bool binary(binary_t& value) override {
    return Put(json::binary(std::move(value)));
  }
  bool start_object(std::size_t) override {
    stack_.push_back(Put(json::object()) ? Last() : nullptr);
    return true;
  }
  bool key(string_t& name) override {
    key_ = name;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    stack_.push_back(Put(json::array()) ? Last() : nullptr);
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    error_ = absl::StrCat("not JSON at byte ", position, ": ", error.what());
    return false;
  }

  json& root() { return root_; }
  const std::string& error() const { return error_; }

 private:
  // Places `value` in the current container (or as the root).
  bool Put(json value) {
    last_ = nullptr;
    if (stack_.empty()) {
      root_ = std::move(value);
      last_ = &root_;
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(value));
      last_ = &stack_.back()->back();
    } else {
      last_ = &((*stack_.back())[key_] = std::move(value));
    }
    return true;
  }
  json* Last() { return last_; }

  json root_;
  std::vector<json*> stack_;
  json* last_ = nullptr;
  std::string key_;
  std::string error_;
};

}  // namespace

absl::StatusOr<nlohmann::json> ParseExactJson(absl::string_view text) {
  ExactBuilder builder;
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& error) {
    // The parser reports its errors to the builder; this is the last guard
    // (an allocation failing, say), so that no exception reaches a caller.
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", error.what()));
  }
  if (!ok) return absl::InvalidArgumentError(builder.error());
  return std::move(builder.root());
}

std::optional<std::string> ExactNumberText(const nlohmann::json& value) {
  if (!value.is_binary()) return std::nullopt;
  const json::binary_t& bytes = value.get_binary();
  if (!bytes.has_subtype() || bytes.subtype() != kExactNumberSubtype) {
    return std::nullopt;
  }
  return std::string(bytes.begin(), bytes.end());
}

nlohmann::json ExactNumber(absl::string_view text) {
  return json::binary(std::vector<std::uint8_t>(text.begin(), text.end()),
                      kExactNumberSubtype);
}

}  // namespace makegood::adapters
