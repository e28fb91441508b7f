// Fuzz target order_events_jsonl: JSON-lines files of order events
// (cli/events_file.h over core/event_json.h), what `makegood events
// publish --file` and the JSON-lines adapter read.
//
// Invariants: the reader takes exactly the events of parsing each
// non-blank line on its own, and refuses a file at its first bad line,
// naming it; every event it returns prints as one JSON line that reads back
// the same; validation accepts only a well-formed event and otherwise names
// the field it refuses.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cli/events_file.h"
#include "core/event_json.h"
#include "core/event_validation.h"
#include "fuzz_support.h"
#include "proto_compare.h"

namespace makegood::fuzz {
namespace {

using makegood::v1::OrderEvent;

constexpr char kFileName[] = "fuzz.jsonl";

// "item_added.unit_price.currency: ..." starts with a field path.
bool StartsWithFieldPath(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == 0 || colon == absl::string_view::npos) return false;
  for (char c : message.substr(0, colon)) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

void CheckEvent(const OrderEvent& event) {
  const std::string line = core::OrderEventJsonLine(event);
  FUZZ_CHECK(line.find('\n') == std::string::npos,
             "an event prints over several lines: " + line);
  auto again = core::ParseOrderEventJson(line);
  FUZZ_CHECK(again.ok(),
             absl::StrCat("an event's own line does not read back (",
                          again.status().ToString(), "): ", line));
  const std::string differences = Differences(event, *again);
  FUZZ_CHECK(differences.empty(),
             absl::StrCat("an event's line reads back different: ", line, "\n",
                          differences));

  // The evening of the dinner fixture, an hour after its last event.
  static const absl::Time kNow = absl::FromCivil(
      absl::CivilSecond(2026, 11, 21, 5, 0, 0), absl::UTCTimeZone());
  const core::EventValidationContext context{"downtown-01", "USD", kNow};
  const absl::Status valid = core::ValidateOrderEvent(event, context);
  if (valid.ok()) {
    FUZZ_CHECK(core::EventKindName(event) != "none",
               "an event without a kind passed validation: " + line);
    FUZZ_CHECK(!event.event_id().empty() &&
                   event.event_id().size() <= core::kMaxIdLength &&
                   !event.check_id().empty() &&
                   event.location_id() == context.location_id,
               "a malformed event passed validation: " + line);
  } else {
    FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument,
               valid.ToString());
    FUZZ_CHECK(
        StartsWithFieldPath(valid.message()),
        "a refusal does not start with the field path: " + valid.ToString());
  }
}

int Run(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  const auto events = cli::ReadEventsJsonl(in, kFileName);

  // The same text line by line, as std::getline cuts it: a last newline
  // ends the last line rather than starting an empty one.
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!text.empty() && text.back() == '\n') lines.pop_back();
  std::vector<v1::OrderEvent> expected;
  int number = 0;
  for (const std::string& line : lines) {
    ++number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto event = core::ParseOrderEventJson(line);
    if (!event.ok()) {
      FUZZ_CHECK(
          !events.ok(),
          absl::StrCat("line ", number, " does not parse on its own (",
                       event.status().ToString(), ") but the file was read"));
      FUZZ_CHECK(events.status().code() == absl::StatusCode::kInvalidArgument,
                 events.status().ToString());
      const std::string want =
          absl::StrCat(kFileName, ":", number, ": ", event.status().message());
      FUZZ_CHECK(events.status().message() == want,
                 absl::StrCat("the refusal should read \"", want, "\", not \"",
                              events.status().message(), "\""));
      return 0;
    }
    expected.push_back(*std::move(event));
  }
  FUZZ_CHECK(events.ok(),
             "every line parses on its own, yet the file was "
             "refused: " +
                 events.status().ToString());
  FUZZ_CHECK(events->size() == expected.size(),
             absl::StrCat(events->size(), " events read, ", expected.size(),
                          " lines of events"));
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string differences = Differences((*events)[i], expected[i]);
    FUZZ_CHECK(differences.empty(),
               absl::StrCat("event ", i, " differs from its line read alone: ",
                            differences));
    CheckEvent((*events)[i]);
  }
  return 0;
}

}  // namespace
}  // namespace makegood::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return makegood::fuzz::Run(data, size);
}
