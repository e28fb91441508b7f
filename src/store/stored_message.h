#ifndef MAKEGOOD_STORE_STORED_MESSAGE_H_
#define MAKEGOOD_STORE_STORED_MESSAGE_H_

// Reading back a message the store wrote as a blob (a case's body, a
// command, a guest's contact, a request's answer). A blob that no longer
// parses is damage to the file, so it is refused with INTERNAL naming what
// it is, never read as an empty message that an answer or a write would
// then carry on with.
// Pure; thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"

namespace makegood::store {

// Parses `blob` into `message`: OK, or INTERNAL "<what> is stored damaged".
absl::Status ParseStored(absl::string_view blob, absl::string_view what,
                         google::protobuf::MessageLite& message);

// The same for a blob that belongs to one record: the error reads
// "<kind> '<id>' is stored damaged". The name is built only on failure, so
// reading a sound row costs no allocation for it.
absl::Status ParseStored(absl::string_view blob, absl::string_view kind,
                         absl::string_view id,
                         google::protobuf::MessageLite& message);

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_STORED_MESSAGE_H_
