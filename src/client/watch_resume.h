#ifndef MAKEGOOD_CLIENT_WATCH_RESUME_H_
#define MAKEGOOD_CLIENT_WATCH_RESUME_H_

// What every client of WatchRecoveries (the CLI's watch screen, the POS
// plugin's watch) needs to follow the stream across disconnects, as
// recovery.proto documents it: where to resume, and when asking again is
// pointless.

#include <cstdint>
#include <string>

#include "grpcpp/grpcpp.h"
#include "makegood/v1/recovery.pb.h"

namespace makegood::client {

// Whether makegoodd refused the watch (INVALID_ARGUMENT, NOT_FOUND,
// ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION, OUT_OF_RANGE,
// UNIMPLEMENTED, UNAUTHENTICATED): asking again would get the same answer.
// Any other end (OK when makegoodd stopped, UNAVAILABLE, a failed
// connection) is worth a reconnect; a CANCELLED is the caller's to judge.
bool WatchRefused(const grpc::Status& status);

// Where the next stream starts: the largest `sequence` received of the
// newest run (`stream_epoch`), or a snapshot when nothing was received yet.
class ResumePoint {
 public:
  ResumePoint() = default;
  // Where the caller asked to start (its after_sequence and stream_epoch).
  explicit ResumePoint(const makegood::v1::WatchRecoveriesRequest& start)
      : after_sequence_(start.after_sequence()),
        stream_epoch_(start.stream_epoch()) {}

  // Takes in an update as it arrives. A caught_up sets the point (its
  // sequence is the newest covered, 0 in a run that published nothing);
  // a live or replayed update moves it forward, or to its run when that is
  // another; snapshot updates (sequence 0) leave it.
  void Saw(const makegood::v1::RecoveryUpdate& update);

  // The request that resumes from here.
  makegood::v1::WatchRecoveriesRequest Request() const;

  int64_t after_sequence() const { return after_sequence_; }
  const std::string& stream_epoch() const { return stream_epoch_; }

 private:
  int64_t after_sequence_ = 0;
  std::string stream_epoch_;
};

}  // namespace makegood::client

#endif  // MAKEGOOD_CLIENT_WATCH_RESUME_H_
