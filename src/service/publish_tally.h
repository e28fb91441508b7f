#ifndef MAKEGOOD_SERVICE_PUBLISH_TALLY_H_
#define MAKEGOOD_SERVICE_PUBLISH_TALLY_H_

// Builds a PublishSummary as events are validated and committed.
// Not thread-safe; callers serialize.

#include <vector>

#include "absl/strings/string_view.h"
#include "makegood/v1/order_events.pb.h"
#include "store/store.h"

namespace makegood::service {

// Rejections listed in one summary; all are counted.
inline constexpr int kMaxListedRejections = 1000;

class PublishTally {
 public:
  // `error_reason` for programs; INVALID_FIELD for an event that does not
  // validate.
  void Reject(int index, const std::string& event_id, absl::string_view reason,
              core::Reason error_reason = makegood::v1::Error::INVALID_FIELD);
  // `indices[i]` is the stream position of the event of `outcomes[i]`.
  void Count(const std::vector<store::EventResult>& outcomes,
             const std::vector<int>& indices);
  const makegood::v1::PublishSummary& summary() const { return summary_; }

 private:
  makegood::v1::PublishSummary summary_;
};

}  // namespace makegood::service

#endif  // MAKEGOOD_SERVICE_PUBLISH_TALLY_H_
