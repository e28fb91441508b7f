#include "client/watch_resume.h"

#include <algorithm>

namespace makegood::client {

using makegood::v1::RecoveryUpdate;
using makegood::v1::WatchRecoveriesRequest;

bool WatchRefused(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return true;
    default:
      return false;
  }
}

void ResumePoint::Saw(const RecoveryUpdate& update) {
  if (update.has_caught_up()) {
    after_sequence_ = update.sequence();
    stream_epoch_ = update.stream_epoch();
    return;
  }
  if (update.sequence() <= 0) return;  // A snapshot update: no resume point.
  if (update.stream_epoch() != stream_epoch_) {
    stream_epoch_ = update.stream_epoch();
    after_sequence_ = update.sequence();
    return;
  }
  after_sequence_ = std::max(after_sequence_, update.sequence());
}

WatchRecoveriesRequest ResumePoint::Request() const {
  WatchRecoveriesRequest request;
  // A sequence is a resume point only with its run's name.
  if (after_sequence_ > 0 && !stream_epoch_.empty()) {
    request.set_after_sequence(after_sequence_);
    request.set_stream_epoch(stream_epoch_);
  }
  return request;
}

}  // namespace makegood::client
