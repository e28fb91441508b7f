#include "store/stored_message.h"

#include "absl/strings/str_cat.h"

namespace makegood::store {
namespace {

bool Parses(absl::string_view blob, google::protobuf::MessageLite& message) {
  return message.ParseFromArray(blob.data(), static_cast<int>(blob.size()));
}

}  // namespace

absl::Status ParseStored(absl::string_view blob, absl::string_view what,
                         google::protobuf::MessageLite& message) {
  if (Parses(blob, message)) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, " is stored damaged"));
}

absl::Status ParseStored(absl::string_view blob, absl::string_view kind,
                         absl::string_view id,
                         google::protobuf::MessageLite& message) {
  if (Parses(blob, message)) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(kind, " '", id, "' is stored damaged"));
}

}  // namespace makegood::store
