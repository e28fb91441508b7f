#include "telemetry/log.h"

#include <atomic>
#include <cmath>
#include <iostream>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "text/utf8.h"

namespace makegood::telemetry {
namespace {

using ::makegood::text::kReplacementCharacter;
using ::makegood::text::Utf8SequenceLength;

// What ConfigureLogging set. Never destroyed: threads that outlive main
// (gRPC's) may still log during exit.
struct Logger {
  std::atomic<LogFormat> format{LogFormat::kLogfmt};
  std::atomic<LogLevel> min_level{LogLevel::kInfo};
  absl::Mutex mu;
  std::ostream* out ABSL_GUARDED_BY(mu) = &std::cerr;
};

Logger& TheLogger() {
  static Logger* const logger = new Logger;
  return *logger;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// Appends `text` as the inside of a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced.
void AppendEscaped(std::string& out, absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      out.append(kReplacementCharacter.data(), kReplacementCharacter.size());
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.data() + i, length);
      i += length;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i++]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (IsControl(c)) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

// Whether a logfmt value must be quoted: empty, or with a byte a bare value
// cannot hold.
bool NeedsQuotes(absl::string_view text) {
  if (text.empty()) return true;
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) return true;
    if (length == 1) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == ' ' || c == '=' || c == '"' || c == '\\' || IsControl(c)) {
        return true;
      }
    }
    i += length;
  }
  return false;
}

void AppendKey(std::string& out, absl::string_view key) {
  if (key.empty()) {
    out += '_';
    return;
  }
  for (const char c : key) {
    const bool plain =
        absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
    out += plain ? c : '_';
  }
}

// A number as both formats write it; JSON has no NaN nor infinity, so
// those are written as text.
std::string RealText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return absl::StrCat(value);
}

void AppendLogfmtValue(std::string& out, const LogValue& value) {
  switch (value.kind()) {
    case LogValue::Kind::kText:
      if (NeedsQuotes(value.text())) {
        out += '"';
        AppendEscaped(out, value.text());
        out += '"';
      } else {
        out.append(value.text().data(), value.text().size());
      }
      return;
    case LogValue::Kind::kSigned:
      absl::StrAppend(&out, value.signed_value());
      return;
    case LogValue::Kind::kUnsigned:
      absl::StrAppend(&out, value.unsigned_value());
      return;
    case LogValue::Kind::kReal:
      out += RealText(value.real());
      return;
    case LogValue::Kind::kBool:
      out += value.truth() ? "true" : "false";
      return;
  }
}

void AppendJsonValue(std::string& out, const LogValue& value) {
  switch (value.kind()) {
    case LogValue::Kind::kText:
      out += '"';
      AppendEscaped(out, value.text());
      out += '"';
      return;
    case LogValue::Kind::kSigned:
      absl::StrAppend(&out, value.signed_value());
      return;
    case LogValue::Kind::kUnsigned:
      absl::StrAppend(&out, value.unsigned_value());
      return;
    case LogValue::Kind::kReal:
      if (std::isfinite(value.real())) {
        out += RealText(value.real());
      } else {
        absl::StrAppend(&out, "\"", RealText(value.real()), "\"");
      }
      return;
    case LogValue::Kind::kBool:
      out += value.truth() ? "true" : "false";
      return;
  }
}

std::string TimeText(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

absl::string_view LogFormatName(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "logfmt";
}

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                         LogLevel::kError}) {
    if (absl::EqualsIgnoreCase(name, LogLevelName(level))) return level;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", name,
                   "' is not a log level: choose debug, info, warning or "
                   "error"));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  for (LogFormat format : {LogFormat::kLogfmt, LogFormat::kJson}) {
    if (absl::EqualsIgnoreCase(name, LogFormatName(format))) return format;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", name, "' is not a log format: choose logfmt or json"));
}

void ConfigureLogging(LogFormat format, LogLevel min_level, std::ostream* out) {
  Logger& logger = TheLogger();
  absl::MutexLock lock(&logger.mu);
  logger.format.store(format);
  logger.min_level.store(min_level);
  logger.out = out != nullptr ? out : &std::cerr;
}

absl::Status ConfigureLoggingFromFlags(absl::string_view format,
                                       absl::string_view level,
                                       std::ostream* out) {
  const absl::StatusOr<LogFormat> parsed_format = ParseLogFormat(format);
  if (!parsed_format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format: ", parsed_format.status().message()));
  }
  const absl::StatusOr<LogLevel> parsed_level = ParseLogLevel(level);
  if (!parsed_level.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-level: ", parsed_level.status().message()));
  }
  ConfigureLogging(*parsed_format, *parsed_level, out);
  return absl::OkStatus();
}

bool LogEnabled(LogLevel level) {
  return level >= TheLogger().min_level.load(std::memory_order_relaxed);
}

std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level,
                          absl::string_view event,
                          absl::Span<const LogField> fields) {
  std::string line;
  line.reserve(96 + 32 * fields.size());
  if (format == LogFormat::kJson) {
    absl::StrAppend(&line, "{\"time\":\"", TimeText(time), "\",\"level\":\"",
                    LogLevelName(level), "\",\"event\":\"");
    AppendEscaped(line, event);
    line += '"';
    for (const LogField& field : fields) {
      line += ",\"";
      std::string key;
      AppendKey(key, field.key);
      AppendEscaped(line, key);
      line += "\":";
      AppendJsonValue(line, field.value);
    }
    line += '}';
    return line;
  }
  absl::StrAppend(&line, "time=", TimeText(time),
                  " level=", LogLevelName(level), " event=");
  AppendLogfmtValue(line, LogValue(event));
  for (const LogField& field : fields) {
    line += ' ';
    AppendKey(line, field.key);
    line += '=';
    AppendLogfmtValue(line, field.value);
  }
  return line;
}

void LogEvent(LogLevel level, absl::string_view event,
              absl::Span<const LogField> fields) {
  if (!LogEnabled(level)) return;
  Logger& logger = TheLogger();
  std::string line =
      FormatLogLine(logger.format.load(std::memory_order_relaxed), absl::Now(),
                    level, event, fields);
  line += '\n';
  absl::MutexLock lock(&logger.mu);
  logger.out->write(line.data(), static_cast<std::streamsize>(line.size()));
  logger.out->flush();
}

}  // namespace makegood::telemetry
