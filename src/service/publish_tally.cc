#include "service/publish_tally.h"

#include <string>

namespace makegood::service {

void PublishTally::Reject(int index, const std::string& event_id,
                          absl::string_view reason, core::Reason error_reason) {
  summary_.set_rejected(summary_.rejected() + 1);
  if (summary_.rejections_size() >= kMaxListedRejections) return;
  auto* rejection = summary_.add_rejections();
  rejection->set_index(index);
  rejection->set_event_id(event_id);
  rejection->set_reason(std::string(reason));
  rejection->set_error_reason(makegood::v1::Error::Reason_Name(error_reason));
}

void PublishTally::Count(const std::vector<store::EventResult>& outcomes,
                         const std::vector<int>& indices) {
  for (size_t i = 0; i < outcomes.size(); ++i) {
    switch (outcomes[i].outcome) {
      case store::EventOutcome::kAccepted:
        summary_.set_accepted(summary_.accepted() + 1);
        break;
      case store::EventOutcome::kDuplicate:
        summary_.set_duplicates(summary_.duplicates() + 1);
        break;
      case store::EventOutcome::kRejected:
        Reject(i < indices.size() ? indices[i] : -1, outcomes[i].event_id,
               outcomes[i].reason, outcomes[i].error_reason);
        break;
    }
  }
}

}  // namespace makegood::service
