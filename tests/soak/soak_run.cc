#include "soak/soak_run.h"

#include <iostream>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "soak/failure.h"

namespace makegood::soak {

uint64_t ChooseSeed(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  const uint64_t fresh = (uint64_t{device()} << 32) | device();
  return fresh == 0 ? 1 : fresh;
}

uint64_t ClientSeed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void FailUnlessOk(const absl::Status& status, const std::string& context) {
  if (!status.ok()) Fail(absl::StrCat(context, ": ", status.message()));
}

CaseLoops::CaseLoops(const std::vector<std::unique_ptr<SoakTablet>>& tablets) {
  for (const auto& tablet : tablets) {
    threads_.emplace_back([this, tablet = tablet.get()] {
      while (!stopping_.load()) tablet->RunCase();
    });
  }
}

CaseLoops::~CaseLoops() { Stop(); }

void CaseLoops::Stop() {
  stopping_.store(true);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

AuditSummary DrainAndAudit(const std::string& db_path, const AnswerLog& log,
                           const AckBook& acks, const FakePos& pos,
                           absl::Duration timeout) {
  const std::set<std::string> commands = log.CommandIds();
  const std::vector<std::string> missing = acks.WaitForAll(commands, timeout);
  if (!missing.empty()) {
    Fail(absl::StrCat(missing.size(), " of the ", commands.size(),
                      " commands the answers name got no answered ack within ",
                      absl::FormatDuration(timeout),
                      " although the adapters kept streaming, e.g. ",
                      missing.front(),
                      ": a committed command was not delivered"));
  }
  auto audit = AuditDatabase(db_path, log.Take(), pos.Snapshot(),
                             /*all_answered=*/true);
  FailUnlessOk(audit.status(), "after the drain");
  return *audit;
}

SoakEnd FinishAndAudit(CaseLoops& loops,
                       std::vector<std::unique_ptr<SoakAdapter>>& adapters,
                       makegood::testing::DaemonProcess& daemon, pid_t pid,
                       const std::string& db_path, AnswerLog& log,
                       const AckBook& acks, const FakePos& pos,
                       const std::string& head) {
  loops.Stop();
  SoakEnd end;
  end.audit = DrainAndAudit(db_path, log, acks, pos);
  for (auto& adapter : adapters) adapter->Stop();
  auto last_stats = ReadStats(pid);
  FailUnlessOk(last_stats.status(), "makegoodd");
  end.last_stats = *last_stats;
  FailUnlessOk(StopDaemon(daemon), "makegoodd");
  auto stopped = AuditDatabase(db_path, log.Take(), pos.Snapshot(),
                               /*all_answered=*/true);
  FailUnlessOk(stopped.status(), "after makegoodd stopped");
  FailUnlessOk(VerifyLedger(db_path, head).status(), "after makegoodd stopped");
  return end;
}

SoakTablet::Counts Total(const std::vector<std::unique_ptr<SoakTablet>>& all) {
  SoakTablet::Counts sum;
  for (const auto& tablet : all) {
    const SoakTablet::Counts c = tablet->counts();
    sum.calls += c.calls;
    sum.retries += c.retries;
    sum.cases += c.cases;
    sum.approvals += c.approvals;
    sum.denials += c.denials;
    sum.declines += c.declines;
    sum.refreshes += c.refreshes;
  }
  return sum;
}

SoakAdapter::Counts Total(
    const std::vector<std::unique_ptr<SoakAdapter>>& all) {
  SoakAdapter::Counts sum;
  for (const auto& adapter : all) {
    const SoakAdapter::Counts c = adapter->counts();
    sum.deliveries += c.deliveries;
    sum.streams += c.streams;
    sum.written += c.written;
    sum.rejected += c.rejected;
    sum.known_again += c.known_again;
    sum.found_by_marker += c.found_by_marker;
    sum.acks += c.acks;
    sum.ack_retries += c.ack_retries;
  }
  return sum;
}

void PrintTotals(const SoakTablet::Counts& tablets,
                 const SoakAdapter::Counts& adapters, const FakePos& pos,
                 const AuditSummary& audit) {
  std::cout << "  tablets: " << tablets.calls << " calls answered, "
            << tablets.retries << " retries (same request ids), "
            << tablets.cases << " cases (" << tablets.approvals
            << " approvals, " << tablets.denials << " denials, "
            << tablets.declines << " declines), " << tablets.refreshes
            << " refreshes\n"
            << "  adapters: " << adapters.streams << " command streams, "
            << adapters.deliveries << " deliveries, " << adapters.written
            << " remedies written on the POS, " << adapters.rejected
            << " rejected, " << adapters.known_again
            << " redeliveries acked again from the adapter's store, "
            << adapters.found_by_marker << " found on the POS by marker, "
            << adapters.acks << " acks answered (" << adapters.ack_retries
            << " retries)\n"
            << "  fake POS: " << pos.writes() << " writes, "
            << pos.Snapshot().size() << " commands, none twice\n"
            << "  audit: " << audit.answers_checked << " answers and "
            << audit.events_checked << " acknowledged events found; "
            << audit.cases << " cases, " << audit.remedies << " remedies, "
            << audit.commands << " commands (" << audit.commands_answered
            << " answered) whole; spending matches" << std::endl;
}

}  // namespace makegood::soak
