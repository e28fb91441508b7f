// Disconnects: loopback TCP proxies between the adapters and makegoodd and
// between the tablets and makegoodd cut connections at random (a reset to
// both ends), --cuts times, at gaps drawn from the seed, while tablets
// flag, apply, approve and record outcomes and two adapters publish the
// checks and stream and acknowledge commands. Every client sends what was
// cut again with the same request id or event ids. At the end, once every
// command the answers name is acknowledged: every remedy was applied
// exactly once on the fake POS, no acknowledged event was lost, and the
// rest of the database audit (db_audit.h) and the ledger hold.
//
//   disconnect_soak [--cuts 1000] [--seed S] [--tablets 6] [--adapters 2]

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

int Run(int cuts, uint64_t seed, int tablet_count, int adapter_count,
        int max_gap_ms) {
  makegood::testing::TempDir dir;
  SetKeptDirectory(dir.path());
  auto config = WriteSoakConfig(dir);
  FailUnlessOk(config.status(), "the soak configuration");
  const DaemonOptions options{*config, dir.File("makegood.db"),
                              dir.File("makegoodd.log"), /*http=*/false};
  auto daemon = StartDaemon(options);
  FailUnlessOk(daemon.status(), "makegoodd did not start");
  auto pid = DaemonPid();
  FailUnlessOk(pid.status(), "makegoodd");
  auto first_stats = ReadStats(*pid);
  FailUnlessOk(first_stats.status(), "makegoodd");
  std::cout << "makegoodd pid " << *pid << " at start: " << Format(*first_stats)
            << std::endl;
  auto adapter_proxy = CuttingProxy::Start((*daemon)->port());
  FailUnlessOk(adapter_proxy.status(), "the adapters' proxy");
  auto tablet_proxy = CuttingProxy::Start((*daemon)->port());
  FailUnlessOk(tablet_proxy.status(), "the tablets' proxy");

  FakePos pos;
  AckBook acks;
  AnswerLog log;
  const RetryOptions retry;
  std::vector<std::unique_ptr<SoakAdapter>> adapters;
  for (int i = 0; i < adapter_count; ++i) {
    adapters.push_back(std::make_unique<SoakAdapter>(
        absl::StrCat("adapter-", i + 1),
        DeviceChannel((*adapter_proxy)->address()), seed, retry, pos, acks,
        log));
  }
  std::vector<std::unique_ptr<SoakTablet>> tablets;
  for (int i = 0; i < tablet_count; ++i) {
    // The tablet's own calls through one proxy; its checks, as the POS
    // adapter publishes them, through the other.
    tablets.push_back(std::make_unique<SoakTablet>(
        TabletOptions{absl::StrCat("t", i), i % 2 == 0 ? &kDana : &kMarco,
                      ClientSeed(seed, i), retry},
        DeviceChannel((*tablet_proxy)->address()),
        DeviceChannel((*adapter_proxy)->address()), log));
  }
  CaseLoops loops(tablets);

  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> gap_ms(0, max_gap_ms);
  const absl::Time start = absl::Now();
  int64_t adapter_cuts = 0, tablet_cuts = 0;
  for (int cut = 1; cut <= cuts; ++cut) {
    absl::SleepFor(absl::Milliseconds(gap_ms(random)));  // A random moment.
    const bool adapter_side = random() % 2 == 0;
    CuttingProxy& proxy = adapter_side ? **adapter_proxy : **tablet_proxy;
    if (!proxy.CutOne(random(), absl::Seconds(30))) {
      Fail(absl::StrCat("cut ", cut, ": no connection through the ",
                        adapter_side ? "adapters'" : "tablets'",
                        " proxy for 30 s: its clients stopped reconnecting"));
    }
    ++(adapter_side ? adapter_cuts : tablet_cuts);
    if (cut % std::max(1, cuts / 10) == 0 || cut == cuts) {
      const SoakTablet::Counts counts = Total(tablets);
      std::cout << cut << " cuts (" << adapter_cuts << " adapter side, "
                << tablet_cuts << " tablet side): " << log.answers()
                << " answers, " << counts.retries << " tablet retries, "
                << Total(adapters).ack_retries << " ack retries, "
                << counts.cases << " cases done" << std::endl;
    }
  }
  std::cout << cuts << " cuts in "
            << absl::FormatDuration(
                   absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
            << "; the tablets finish their cases" << std::endl;
  loops.Stop();
  const AuditSummary audit = DrainAndAudit(options.database, log, acks, pos);
  FailUnlessOk(VerifyLedger(options.database, "").status(), "after the cuts");
  for (auto& adapter : adapters) adapter->Stop();
  auto last_stats = ReadStats(*pid);
  FailUnlessOk(last_stats.status(), "makegoodd");
  FailUnlessOk(StopDaemon(**daemon), "makegoodd");

  const SoakTablet::Counts tablet_counts = Total(tablets);
  const SoakAdapter::Counts adapter_counts = Total(adapters);
  if (tablet_counts.retries + adapter_counts.ack_retries == 0) {
    Fail("no call was ever retried: the cuts did not reach the clients");
  }
  std::cout << "disconnect_soak passed: " << cuts << " cuts (" << adapter_cuts
            << " between adapters and makegoodd, " << tablet_cuts
            << " between tablets and makegoodd; "
            << (*adapter_proxy)->accepted() + (*tablet_proxy)->accepted()
            << " connections made)\n";
  PrintTotals(tablet_counts, adapter_counts, pos, audit);
  std::cout << "  makegoodd: at start " << Format(*first_stats) << "; at end "
            << Format(*last_stats) << std::endl;
  return 0;
}

}  // namespace
}  // namespace makegood::soak

int main(int argc, char** argv) {
  CLI::App app{
      "Disconnects: connections between the clients and makegoodd cut at "
      "random; every remedy applied once, no acknowledged event lost",
      "disconnect_soak"};
  int cuts = 1000;
  uint64_t seed = 0;
  int tablets = 6;
  int adapters = 2;
  int max_gap_ms = 40;
  app.add_option("--cuts", cuts, "Connections cut")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of every random choice; 0: a fresh one")
      ->capture_default_str();
  app.add_option("--tablets", tablets, "Tablets working at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--adapters", adapters, "Adapters streaming commands")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-gap-ms", max_gap_ms, "Longest pause between two cuts")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  seed = makegood::soak::ChooseSeed(seed);
  const std::string replay = absl::StrCat(
      argv[0], " --cuts ", cuts, " --tablets ", tablets, " --adapters ",
      adapters, " --max-gap-ms ", max_gap_ms, " --seed ", seed);
  makegood::soak::SetReplayCommand(replay);
  std::cout << "disconnect_soak: " << cuts << " cuts, " << tablets
            << " tablets and " << adapters << " adapters; seed " << seed
            << " (replay: " << replay << ")" << std::endl;
  return makegood::soak::Run(cuts, seed, tablets, adapters, max_gap_ms);
}
