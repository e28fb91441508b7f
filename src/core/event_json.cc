#include "core/event_json.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace makegood::core {

absl::StatusOr<makegood::v1::OrderEvent> ParseOrderEventJson(
    absl::string_view json) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  makegood::v1::OrderEvent event;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &event, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an OrderEvent: ", status.message().as_string()));
  }
  return event;
}

std::string OrderEventJsonLine(const makegood::v1::OrderEvent& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string line;
  (void)google::protobuf::util::MessageToJsonString(event, &line, options);
  return line;
}

}  // namespace makegood::core
