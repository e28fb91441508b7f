#include "cli/events_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace makegood::cli {

absl::StatusOr<std::vector<makegood::v1::OrderEvent>> ReadEventsJsonl(
    std::istream& in, const std::string& name) {
  std::vector<makegood::v1::OrderEvent> events;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    makegood::v1::OrderEvent event;
    auto status =
        google::protobuf::util::JsonStringToMessage(line, &event, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", number,
                       ": not an OrderEvent: ", status.message().as_string()));
    }
    events.push_back(std::move(event));
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": read error"));
  }
  return events;
}

}  // namespace makegood::cli
