#ifndef MAKEGOOD_TESTS_SOAK_ANSWER_LOG_H_
#define MAKEGOOD_TESTS_SOAK_ANSWER_LOG_H_

// What the soak's clients were told: every answer makegoodd gave them (the
// answer to each request's last attempt), each order event a
// PublishSummary acknowledged, and every ack answered. The database audit
// (db_audit.h) finds each of them again in the file. Entries are kept
// behind shared pointers so that a snapshot is cheap to take between two
// SIGKILLs. Thread-safe.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "makegood/v1/recovery.pb.h"
#include "makegood/v1/remedy_commands.pb.h"

namespace makegood::soak {

// The answer to FlagProblem, ApplyRemedy, ApproveRemedy or RecordOutcome.
struct RecoveryAnswer {
  std::string method;      // As the store records it: "ApplyRemedy".
  std::string caller;      // The credential id: "s-17".
  std::string request_id;  // As sent.
  makegood::v1::RecoveryCase answer;
};

// The answer to AckCommand.
struct AckAnswer {
  std::string caller;
  std::string request_id;
  std::string command_id;
  makegood::v1::AckCommandRequest::Result recorded =
      makegood::v1::AckCommandRequest::RESULT_UNSPECIFIED;
};

class AnswerLog {
 public:
  struct Snapshot {
    std::vector<std::shared_ptr<const RecoveryAnswer>> recovery;
    std::vector<std::shared_ptr<const AckAnswer>> acks;
    // Event ids (source "test-pos") acknowledged as stored.
    std::vector<std::string> event_ids;
  };

  AnswerLog() = default;
  AnswerLog(const AnswerLog&) = delete;
  AnswerLog& operator=(const AnswerLog&) = delete;

  void AddRecovery(RecoveryAnswer answer);
  void AddAck(AckAnswer answer);
  void AddEvents(const std::vector<std::string>& event_ids);

  Snapshot Take() const;
  // Recovery and ack answers so far.
  int64_t answers() const;
  // Every command the recovery answers name: the commands the clients'
  // requests made, each of which some adapter must answer.
  std::set<std::string> CommandIds() const;

 private:
  mutable absl::Mutex mu_;
  Snapshot log_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_ANSWER_LOG_H_
