#include <string>

#include "google/protobuf/util/json_util.h"
#include "report/render.h"

namespace makegood::report {

std::string ToJson(const google::protobuf::Message& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  // Zeros are figures in a report, so they are printed, not omitted.
  options.always_print_primitive_fields = true;
  std::string json;
  // Only fails for messages that cannot be printed (Any without a type
  // resolver); report messages always print.
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  return json;
}

}  // namespace makegood::report
