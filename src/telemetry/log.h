#ifndef MAKEGOOD_TELEMETRY_LOG_H_
#define MAKEGOOD_TELEMETRY_LOG_H_

// Structured logs: one line per event that matters, as logfmt
//   time=2026-12-02T12:00:00.123Z level=info event=start location=loc-1
// or as JSON lines
//   {"time":"2026-12-02T12:00:00.123Z","level":"info","event":"start",...}
// on one stream (the daemon's standard error, which journald keeps).
//
// Every line starts with `time` (UTC, milliseconds), `level` and `event`,
// then the caller's fields in their order. A logfmt value is quoted when it
// is empty or holds a space, '=', '"', '\' or a control character, and
// escaped inside the quotes as JSON escapes a string; bytes that are not
// UTF-8 become U+FFFD in both formats, so every line is valid UTF-8.
//
// Never pass a secret as a value: no bearer or session token, no PIN, no
// guest's name, e-mail or phone. Log the credential's id instead (or, for a
// token nobody knows, the first digits of its SHA-256).
//
// Thread-safe: a line is formatted first, then written whole with one
// write and a flush under one mutex, so the lines of concurrent threads
// never interleave.

#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace makegood::telemetry {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kLogfmt, kJson };

// "debug", "info", "warning", "error".
absl::string_view LogLevelName(LogLevel level);
// "logfmt", "json".
absl::string_view LogFormatName(LogFormat format);

// The flag values (--log-level, --log-format), in any case.
// INVALID_ARGUMENT naming the value and the choices otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// A field's value: text, or a number or a truth value, which JSON keeps as
// such. Text is referred to, not copied: make the fields in the LogEvent
// call, or keep the strings alive until it returns.
class LogValue {
 public:
  enum class Kind { kText, kSigned, kUnsigned, kReal, kBool };

  // Implicit, so that a field reads {"key", value}.
  LogValue(absl::string_view text) : kind_(Kind::kText), text_(text) {}
  LogValue(const char* text)
      : kind_(Kind::kText), text_(text == nullptr ? "" : text) {}
  LogValue(const std::string& text) : kind_(Kind::kText), text_(text) {}
  LogValue(bool value) : kind_(Kind::kBool), bool_(value) {}
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  LogValue(T value) {
    if constexpr (std::is_signed_v<T>) {
      kind_ = Kind::kSigned;
      signed_ = static_cast<int64_t>(value);
    } else {
      kind_ = Kind::kUnsigned;
      unsigned_ = static_cast<uint64_t>(value);
    }
  }
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  LogValue(T value) : kind_(Kind::kReal), real_(static_cast<double>(value)) {}

  Kind kind() const { return kind_; }
  absl::string_view text() const { return text_; }
  int64_t signed_value() const { return signed_; }
  uint64_t unsigned_value() const { return unsigned_; }
  double real() const { return real_; }
  bool truth() const { return bool_; }

 private:
  Kind kind_ = Kind::kText;
  absl::string_view text_;
  int64_t signed_ = 0;
  uint64_t unsigned_ = 0;
  double real_ = 0;
  bool bool_ = false;
};

// One key=value of a line. Keys are short snake_case names; a character
// other than a letter, a digit, '_', '.' or '-' is written as '_'. The
// names time, level and event are the line's own.
struct LogField {
  absl::string_view key;
  LogValue value;
};

// Where and how lines go from now on: `format`, lines below `min_level`
// dropped, written to `out` (not owned; must outlive every later log call).
// The daemon calls it once at start-up; before any call, lines go to
// std::cerr as logfmt from info up.
void ConfigureLogging(LogFormat format, LogLevel min_level, std::ostream* out);

// What a program does with its --log-format and --log-level values before
// its first log line: both parsed (ParseLogFormat, ParseLogLevel), then
// ConfigureLogging to `out`. INVALID_ARGUMENT naming the flag, first
// --log-format ("--log-format: 'text' is not a log format: choose logfmt or
// json"), with the logging left as it was.
absl::Status ConfigureLoggingFromFlags(absl::string_view format,
                                       absl::string_view level,
                                       std::ostream* out);

// Whether a line of `level` would be written: to skip building costly
// fields.
bool LogEnabled(LogLevel level);

// Writes the event `event` (a snake_case name: "start", "auth_failed") with
// `fields`, as one whole line, if `level` is enabled:
//   LogEvent(LogLevel::kWarning, "auth_failed",
//            {{"credential", id}, {"method", method}});
void LogEvent(LogLevel level, absl::string_view event,
              absl::Span<const LogField> fields = {});

// The line LogEvent writes, without its newline, at `time`.
std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level,
                          absl::string_view event,
                          absl::Span<const LogField> fields);

}  // namespace makegood::telemetry

#endif  // MAKEGOOD_TELEMETRY_LOG_H_
