// kill -9 during recovery load: tablets flag, apply, approve and record
// outcomes while an adapter streams and acknowledges commands; makegoodd is
// killed with SIGKILL at a random moment (drawn from the seed), its
// database audited as the crash left it (db_audit.h) and its ledger
// verified with `makegood ledger verify`, still holding the head of the
// trial before; then makegoodd starts again on the same file and the
// clients carry on with their retries, same request ids. The clients reach
// makegoodd through a loopback proxy that follows it to each new port, as
// a restarted daemon behind a fixed address.
// At the end, once every command the answers name is acknowledged: every
// command acknowledged APPLIED was written on the fake POS once, none
// twice, and nothing is left unanswered.
//
//   kill9_soak [--trials 100] [--seed S] [--tablets 4]

#include <signal.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "soak/cutting_proxy.h"
#include "soak/db_audit.h"
#include "soak/failure.h"
#include "soak/soak_daemon.h"
#include "soak/soak_rpc.h"
#include "soak/soak_run.h"
#include "support/temp_dir.h"

namespace makegood::soak {
namespace {

int Run(int trials, uint64_t seed, int tablet_count, int min_run_ms,
        int max_run_ms) {
  makegood::testing::TempDir dir;
  SetKeptDirectory(dir.path());
  auto config = WriteSoakConfig(dir);
  FailUnlessOk(config.status(), "the soak configuration");
  DaemonOptions options{*config, dir.File("makegood.db"),
                        dir.File("makegoodd-0.log"), /*http=*/false};
  auto daemon = StartDaemon(options);
  FailUnlessOk(daemon.status(), "makegoodd did not start");
  auto pid = DaemonPid();
  FailUnlessOk(pid.status(), "makegoodd");
  auto first_stats = ReadStats(*pid);
  FailUnlessOk(first_stats.status(), "makegoodd");
  std::cout << "makegoodd pid " << *pid << " at start: " << Format(*first_stats)
            << std::endl;
  auto proxy = CuttingProxy::Start((*daemon)->port());
  FailUnlessOk(proxy.status(), "the proxy");

  FakePos pos;
  AckBook acks;
  AnswerLog log;
  const RetryOptions retry;
  std::vector<std::unique_ptr<SoakAdapter>> adapters;
  adapters.push_back(std::make_unique<SoakAdapter>(
      "adapter-1", DeviceChannel((*proxy)->address()), seed, retry, pos, acks,
      log));
  std::vector<std::unique_ptr<SoakTablet>> tablets;
  for (int i = 0; i < tablet_count; ++i) {
    tablets.push_back(std::make_unique<SoakTablet>(
        TabletOptions{absl::StrCat("t", i), i % 2 == 0 ? &kDana : &kMarco,
                      ClientSeed(seed, i), retry},
        DeviceChannel((*proxy)->address()), DeviceChannel((*proxy)->address()),
        log));
  }
  CaseLoops loops(tablets);

  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> run_ms(min_run_ms, max_run_ms);
  std::string head;
  int64_t peak_hwm_kib = first_stats->vm_hwm_kib;
  int64_t answers_before = 0;
  const absl::Time start = absl::Now();
  for (int trial = 1; trial <= trials; ++trial) {
    const int ran = run_ms(random);
    absl::SleepFor(absl::Milliseconds(ran));  // The random moment.
    if (auto stats = ReadStats(*pid); stats.ok()) {
      peak_hwm_kib = std::max(peak_hwm_kib, stats->vm_hwm_kib);
    }
    (*daemon)->Signal(SIGKILL);
    const int code = (*daemon)->Wait();
    SetDaemonPid(0);
    if (code != 128 + SIGKILL) {
      Fail(absl::StrCat("trial ", trial, ": makegoodd exited ", code,
                        " before its SIGKILL: see ", options.log));
    }
    const std::string at =
        absl::StrCat("trial ", trial, " (SIGKILL after ", ran, " ms)");
    auto audit =
        AuditDatabase(options.database, log.Take(), pos.Snapshot(), false);
    FailUnlessOk(audit.status(), at);
    auto verified = VerifyLedger(options.database, head);
    FailUnlessOk(verified.status(), at);
    if (!verified->empty()) head = *verified;

    options.log = dir.File(absl::StrCat("makegoodd-", trial, ".log"));
    daemon = StartDaemon(options);
    FailUnlessOk(daemon.status(),
                 absl::StrCat(at, ": makegoodd did not start again"));
    pid = DaemonPid();
    FailUnlessOk(pid.status(), at);
    (*proxy)->SetTarget((*daemon)->port());
    const int64_t answers = log.answers();
    std::cout << at << ": " << answers << " answers (+"
              << answers - answers_before << "), " << Total(tablets).retries
              << " retries; " << audit->cases << " cases, " << audit->remedies
              << " remedies, " << audit->commands << " commands ("
              << audit->commands_answered << " answered) whole; ledger intact"
              << (head.empty() ? "" : ", head ") << head << std::endl;
    answers_before = answers;
  }
  std::cout << trials << " SIGKILLs in "
            << absl::FormatDuration(
                   absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
            << "; the tablets finish their cases" << std::endl;
  const SoakEnd end = FinishAndAudit(loops, adapters, **daemon, *pid,
                                     options.database, log, acks, pos, head);
  peak_hwm_kib = std::max(peak_hwm_kib, end.last_stats.vm_hwm_kib);

  const SoakTablet::Counts tablet_counts = Total(tablets);
  if (tablet_counts.cases == 0) {
    Fail("no case was finished: the clients made no progress");
  }
  std::cout << "kill9_soak passed: " << trials << " trials\n";
  PrintTotals(tablet_counts, Total(adapters), pos, end.audit);
  std::cout << "  makegoodd: peak VmHWM of its runs " << peak_hwm_kib / 1024.0
            << " MiB; first run at start " << Format(*first_stats)
            << "; last run at end " << Format(end.last_stats) << std::endl;
  return 0;
}

}  // namespace
}  // namespace makegood::soak

int main(int argc, char** argv) {
  CLI::App app{
      "kill -9 during recovery load: makegoodd killed with SIGKILL at random "
      "moments while tablets and an adapter work, the database audited after "
      "each kill",
      "kill9_soak"};
  int trials = 100;
  uint64_t seed = 0;
  int tablets = 4;
  int min_run_ms = 50;
  int max_run_ms = 500;
  app.add_option("--trials", trials, "SIGKILLs, each followed by a restart")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of every random choice; 0: a fresh one")
      ->capture_default_str();
  app.add_option("--tablets", tablets, "Tablets working at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--min-run-ms", min_run_ms,
                 "Shortest time makegoodd runs before its SIGKILL")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-run-ms", max_run_ms,
                 "Longest time makegoodd runs before its SIGKILL")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (max_run_ms < min_run_ms) {
    std::cerr << "kill9_soak: --max-run-ms must be at least --min-run-ms\n";
    return 2;
  }
  seed = makegood::soak::ChooseSeed(seed);
  const std::string replay = absl::StrCat(
      argv[0], " --trials ", trials, " --tablets ", tablets, " --min-run-ms ",
      min_run_ms, " --max-run-ms ", max_run_ms, " --seed ", seed);
  makegood::soak::SetReplayCommand(replay);
  std::cout << "kill9_soak: " << trials << " SIGKILLs, " << tablets
            << " tablets and 1 adapter; seed " << seed << " (replay: " << replay
            << ")" << std::endl;
  return makegood::soak::Run(trials, seed, tablets, min_run_ms, max_run_ms);
}
