#include "cli/events_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/event_json.h"

namespace makegood::cli {

absl::StatusOr<std::vector<makegood::v1::OrderEvent>> ReadEventsJsonl(
    std::istream& in, const std::string& name) {
  std::vector<makegood::v1::OrderEvent> events;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto event = core::ParseOrderEventJson(line);
    if (!event.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", number, ": ", event.status().message()));
    }
    events.push_back(*std::move(event));
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": read error"));
  }
  return events;
}

}  // namespace makegood::cli
