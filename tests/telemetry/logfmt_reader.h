#ifndef MAKEGOOD_TESTS_TELEMETRY_LOGFMT_READER_H_
#define MAKEGOOD_TESTS_TELEMETRY_LOGFMT_READER_H_

// A strict reader of one logfmt line, written from the format's rules (not
// from telemetry/log.cc), so that tests check what the logger writes
// against what a logfmt reader accepts: key=value pairs separated by one
// space; a bare value has no space, '=', '"' or control character; a quoted
// one takes the JSON escapes \" \\ \n \r \t \b \f \/ and \uXXXX.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace makegood::testing {

using LogfmtPairs = std::vector<std::pair<std::string, std::string>>;

namespace logfmt_internal {

inline void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

inline std::optional<uint32_t> Hex4(absl::string_view text) {
  if (text.size() < 4) return std::nullopt;
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = text[i];
    if (!absl::ascii_isxdigit(c)) return std::nullopt;
    value = value * 16 +
            static_cast<uint32_t>(absl::ascii_isdigit(c)
                                      ? c - '0'
                                      : absl::ascii_tolower(c) - 'a' + 10);
  }
  return value;
}

}  // namespace logfmt_internal

// The pairs of `line` in order, or nullopt when it is not logfmt.
inline std::optional<LogfmtPairs> ParseLogfmtLine(absl::string_view line) {
  LogfmtPairs pairs;
  size_t i = 0;
  while (i < line.size()) {
    if (!pairs.empty()) {
      if (line[i] != ' ') return std::nullopt;
      ++i;
    }
    const size_t key_start = i;
    while (i < line.size() && line[i] != '=') {
      const char c = line[i];
      if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
        return std::nullopt;
      }
      ++i;
    }
    if (i == key_start || i == line.size()) return std::nullopt;
    std::string key(line.substr(key_start, i - key_start));
    ++i;  // '='
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i];
        if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c != '\\') {
          value += c;
          ++i;
          continue;
        }
        if (++i == line.size()) return std::nullopt;
        switch (line[i]) {
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case '/':
            value += '/';
            break;
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case 'b':
            value += '\b';
            break;
          case 'f':
            value += '\f';
            break;
          case 'u': {
            const auto code = logfmt_internal::Hex4(line.substr(i + 1));
            if (!code.has_value()) return std::nullopt;
            logfmt_internal::AppendUtf8(value, *code);
            i += 4;
            break;
          }
          default:
            return std::nullopt;
        }
        ++i;
      }
      if (!closed) return std::nullopt;
    } else {
      const size_t start = i;
      while (i < line.size() && line[i] != ' ') {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 || c == 0x7F || c == '=' || c == '"') return std::nullopt;
        ++i;
      }
      if (i == start) return std::nullopt;  // An empty value is "".
      value = std::string(line.substr(start, i - start));
    }
    pairs.emplace_back(std::move(key), std::move(value));
  }
  if (pairs.empty()) return std::nullopt;
  return pairs;
}

// The value of `key` in `pairs`, or nullopt.
inline std::optional<std::string> LogfmtValue(const LogfmtPairs& pairs,
                                              absl::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_TELEMETRY_LOGFMT_READER_H_
