#include "service/publish_tally.h"

#include <string>

namespace makegood::service {

void PublishTally::Reject(int index, const std::string& event_id,
                          absl::string_view reason) {
  summary_.set_rejected(summary_.rejected() + 1);
  if (summary_.rejections_size() >= kMaxListedRejections) return;
  auto* rejection = summary_.add_rejections();
  rejection->set_index(index);
  rejection->set_event_id(event_id);
  rejection->set_reason(std::string(reason));
}

void PublishTally::Count(const std::vector<store::EventOutcome>& outcomes) {
  for (store::EventOutcome outcome : outcomes) {
    if (outcome == store::EventOutcome::kAccepted) {
      summary_.set_accepted(summary_.accepted() + 1);
    } else {
      summary_.set_duplicates(summary_.duplicates() + 1);
    }
  }
}

}  // namespace makegood::service
