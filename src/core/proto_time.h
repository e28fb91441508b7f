#ifndef MAKEGOOD_CORE_PROTO_TIME_H_
#define MAKEGOOD_CORE_PROTO_TIME_H_

// Conversions between google.protobuf.Timestamp and absl::Time.

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace makegood::core {

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    seconds -= 1;
    rest += 1000000;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

// Microseconds since the epoch: how the store keeps instants.
inline int64_t ToUnixMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

inline google::protobuf::Timestamp TimestampFromMicros(int64_t micros) {
  return ToProto(absl::FromUnixMicros(micros));
}

}  // namespace makegood::core

#endif  // MAKEGOOD_CORE_PROTO_TIME_H_
