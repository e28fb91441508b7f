#ifndef MAKEGOOD_TESTS_SOAK_SOAK_RUN_H_
#define MAKEGOOD_TESTS_SOAK_SOAK_RUN_H_

// What the three soaks share: the seed, the tablets' threads, the drain
// and audit at the end, and the totals they print.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "soak/answer_log.h"
#include "soak/db_audit.h"
#include "soak/fake_pos.h"
#include "soak/soak_adapter.h"
#include "soak/soak_daemon.h"
#include "soak/soak_tablet.h"

namespace makegood::soak {

// `seed`, or a fresh random one when it is 0.
uint64_t ChooseSeed(uint64_t seed);
// A seed of its own for client `index`, from the run's (SplitMix64).
uint64_t ClientSeed(uint64_t seed, uint64_t index);

// Fails the soak with "<context>: <message>" unless `status` is OK.
void FailUnlessOk(const absl::Status& status, const std::string& context);

// Runs RunCase on each tablet, on a thread of its own, until Stop; Stop
// lets each finish the case it is in (every case ends answered: the calls
// retry until they are) and joins them.
class CaseLoops {
 public:
  explicit CaseLoops(const std::vector<std::unique_ptr<SoakTablet>>& tablets);
  CaseLoops(const CaseLoops&) = delete;
  CaseLoops& operator=(const CaseLoops&) = delete;
  ~CaseLoops();  // Stops.

  void Stop();

 private:
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

// Once no tablet makes new requests: waits up to `timeout` until an
// adapter answered every command the clients' answers name, then audits
// the database with all_answered. Fails the soak on a violation.
AuditSummary DrainAndAudit(const std::string& db_path, const AnswerLog& log,
                           const AckBook& acks, const FakePos& pos,
                           absl::Duration timeout = absl::Seconds(60));

// What the end of a soak found.
struct SoakEnd {
  AuditSummary audit;       // Of the drained database, makegoodd running.
  ProcessStats last_stats;  // makegoodd's, just before it stopped.
};

// Ends a soak on the makegoodd `daemon` (process `pid`) and its database
// `db_path`: the tablets finish the cases they are in, the adapters answer
// every command the answers name (DrainAndAudit) and stop, makegoodd stops
// cleanly on SIGTERM, and the stopped database is audited again and its
// ledger verified, still holding `head` ("" for any). Fails the soak on a
// violation.
SoakEnd FinishAndAudit(CaseLoops& loops,
                       std::vector<std::unique_ptr<SoakAdapter>>& adapters,
                       makegood::testing::DaemonProcess& daemon, pid_t pid,
                       const std::string& db_path, AnswerLog& log,
                       const AckBook& acks, const FakePos& pos,
                       const std::string& head);

SoakTablet::Counts Total(const std::vector<std::unique_ptr<SoakTablet>>& all);
SoakAdapter::Counts Total(const std::vector<std::unique_ptr<SoakAdapter>>& all);

// The lines every soak ends with: calls and retries, cases, what the
// adapters did, what the POS holds, what the audit checked.
void PrintTotals(const SoakTablet::Counts& tablets,
                 const SoakAdapter::Counts& adapters, const FakePos& pos,
                 const AuditSummary& audit);

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_SOAK_RUN_H_
