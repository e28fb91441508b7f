// Load: tablets, POS adapters and a report screen against one makegoodd for
// --minutes at a busy Saturday's rate times --rate-multiplier (10). No
// fault is injected, so every call must succeed at its first attempt; the
// peak resident set of makegoodd (VmHWM) must stay under --max-rss-mib
// (64); its file descriptors (/proc/PID/fd) and threads (/proc/PID/task),
// sampled every second, must not grow: the fewest of each in the run's last
// fifth may not pass the most in the time before it, after a warm-up. Then
// the commands are drained and the database audited (db_audit.h).
//
// A busy Saturday at a 150-seat restaurant, at its peak, per hour:
//   120 checks of 4 lines (opened, lines added, fired, served, paid,
//   closed: 14 events), 3% of the lines flagged (makegood-sim's problem
//   rate), each tablet refreshing its open checks every 15 s and the
//   back-office screen reloading the end-of-day report every minute.
// Times ten: a check every 3 s, a flag about every 25 s, 50 tablets each
// refreshing every 1.5 s, the report every 6 s.
//
//   load_soak [--minutes 10] [--tablets 50] [--adapters 4] [--seed S]
//             [--rate-multiplier 10] [--max-rss-mib 64]

#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "soak/db_audit.h"
#include "soak/failure.h"
#include "soak/pos_feed.h"
#include "soak/report_screen.h"
#include "soak/soak_daemon.h"
#include "soak/soak_rpc.h"
#include "soak/soak_run.h"
#include "support/temp_dir.h"

namespace makegood::soak {
namespace {

// A busy Saturday's peak hour (see the top of this file).
constexpr double kChecksPerHour = 120;
constexpr double kLinesPerCheck = 4;
constexpr double kProblemRate = 0.03;
constexpr absl::Duration kTabletRefresh = absl::Seconds(15);
constexpr absl::Duration kReportReload = absl::Minutes(1);

struct Sample {
  absl::Duration at;  // Since the load started.
  ProcessStats stats;
};

// Runs the tablet's schedule: a case at each of `flags`, a refresh every
// `refresh` from `first_refresh`, until `end` or `stop`.
void PaceTablet(SoakTablet& tablet, const std::vector<absl::Time>& flags,
                absl::Time first_refresh, absl::Duration refresh,
                absl::Time end, const absl::Notification& stop) {
  size_t next_flag = 0;
  absl::Time next_refresh = first_refresh;
  for (;;) {
    const bool flag_first =
        next_flag < flags.size() && flags[next_flag] <= next_refresh;
    const absl::Time at = flag_first ? flags[next_flag] : next_refresh;
    if (at >= end) return;
    // Paced by the schedule; ends early when stopped.
    if (stop.WaitForNotificationWithTimeout(at - absl::Now())) return;
    if (flag_first) {
      tablet.RunCase();
      ++next_flag;
    } else {
      tablet.Refresh();
      next_refresh += refresh;
    }
  }
}

// The most of `field` among the samples taken in [from, to).
// The most and the fewest of `field` among the samples taken in [from, to);
// both -1 when there is none.
struct Range {
  int64_t fewest = -1;
  int64_t most = -1;
};
Range RangeIn(const std::vector<Sample>& samples, absl::Duration from,
              absl::Duration to, int64_t ProcessStats::*field) {
  Range range;
  for (const Sample& sample : samples) {
    if (sample.at < from || sample.at >= to) continue;
    const int64_t value = sample.stats.*field;
    range.most = std::max(range.most, value);
    range.fewest = range.fewest < 0 ? value : std::min(range.fewest, value);
  }
  return range;
}

int Run(int minutes, int tablet_count, int adapter_count, uint64_t seed,
        double multiplier, int max_rss_mib) {
  makegood::testing::TempDir dir;
  SetKeptDirectory(dir.path());
  auto config = WriteSoakConfig(dir);
  FailUnlessOk(config.status(), "the soak configuration");
  const DaemonOptions options{*config, dir.File("makegood.db"),
                              dir.File("makegoodd.log"), /*http=*/true};
  auto daemon = StartDaemon(options);
  FailUnlessOk(daemon.status(), "makegoodd did not start");
  auto pid = DaemonPid();
  FailUnlessOk(pid.status(), "makegoodd");
  auto first_stats = ReadStats(*pid);
  FailUnlessOk(first_stats.status(), "makegoodd");
  std::cout << "makegoodd pid " << *pid
            << " before the load: " << Format(*first_stats) << std::endl;

  const absl::Duration check_every =
      absl::Hours(1) / (kChecksPerHour * multiplier);
  const absl::Duration flag_every =
      absl::Hours(1) /
      (kChecksPerHour * kLinesPerCheck * kProblemRate * multiplier);
  const absl::Duration refresh_every = kTabletRefresh / multiplier;
  const absl::Duration report_every = kReportReload / multiplier;
  std::cout << "rate: a check every " << check_every << ", a flag every "
            << flag_every << " on average, each tablet refreshing every "
            << refresh_every << ", the report every " << report_every
            << std::endl;

  FakePos pos;
  AckBook acks;
  AnswerLog log;
  RetryOptions first_attempt;
  first_attempt.retry = false;  // No fault is injected: a failure is an error.
  const std::string address = (*daemon)->address();
  std::vector<std::shared_ptr<grpc::Channel>> adapter_channels;
  std::vector<std::unique_ptr<SoakAdapter>> adapters;
  for (int i = 0; i < adapter_count; ++i) {
    adapter_channels.push_back(DeviceChannel(address));
    adapters.push_back(std::make_unique<SoakAdapter>(
        absl::StrCat("adapter-", i + 1), adapter_channels.back(), seed,
        first_attempt, pos, acks, log));
  }
  std::vector<std::unique_ptr<SoakTablet>> tablets;
  for (int i = 0; i < tablet_count; ++i) {
    // A flagged check is rung up by the POS adapter of the tablet's part of
    // the floor.
    tablets.push_back(std::make_unique<SoakTablet>(
        TabletOptions{absl::StrCat("t", i), i % 2 == 0 ? &kDana : &kMarco,
                      ClientSeed(seed, i), first_attempt},
        DeviceChannel(address), adapter_channels[i % adapter_count], log));
  }

  std::mt19937_64 random(seed);
  const absl::Duration duration = absl::Minutes(minutes);
  const absl::Time start = absl::Now() + absl::Milliseconds(200);
  const absl::Time end = start + duration;
  // The flags, a Poisson process, dealt to the tablets in turn.
  std::vector<std::vector<absl::Time>> flags(tablet_count);
  std::exponential_distribution<double> gap(1.0);
  int64_t planned_flags = 0;
  for (absl::Time at = start + flag_every * gap(random); at < end;
       at += flag_every * gap(random)) {
    flags[planned_flags++ % tablet_count].push_back(at);
  }
  std::vector<std::unique_ptr<PosFeed>> feeds;
  for (int i = 0; i < adapter_count; ++i) {
    feeds.push_back(std::make_unique<PosFeed>(
        absl::StrCat("feed", i + 1), adapter_channels[i],
        start + check_every * i, check_every * adapter_count,
        ClientSeed(seed, 1000 + i), log));
  }
  absl::Notification stop;
  std::vector<std::thread> tablet_threads;
  std::uniform_real_distribution<double> phase(0, 1);
  for (int i = 0; i < tablet_count; ++i) {
    const absl::Time first_refresh = start + refresh_every * phase(random);
    tablet_threads.emplace_back([&, i, first_refresh] {
      PaceTablet(*tablets[i], flags[i], first_refresh, refresh_every, end,
                 stop);
    });
  }
  ReportScreen screen((*daemon)->http_port(), report_every);
  std::cout << "load: " << minutes << " min, " << tablet_count << " tablets, "
            << adapter_count << " adapters, a report screen; " << planned_flags
            << " flags planned" << std::endl;

  std::vector<Sample> samples;
  for (absl::Time next = start + absl::Seconds(1); next <= end;
       next += absl::Seconds(1)) {
    absl::SleepFor(next - absl::Now());  // The sampling period.
    auto stats = ReadStats(*pid);
    FailUnlessOk(stats.status(), "during the load");
    samples.push_back({next - start, *stats});
    if (samples.size() % 60 == 0) {
      const SoakTablet::Counts counts = Total(tablets);
      std::cout << absl::FormatDuration(next - start) << ": " << Format(*stats)
                << "; " << counts.calls << " tablet calls, " << counts.cases
                << " cases, " << screen.reports() << " reports" << std::endl;
    }
  }
  stop.Notify();
  for (std::thread& thread : tablet_threads) thread.join();
  for (auto& feed : feeds) feed->Stop();
  screen.Stop();

  // Growth: the fewest in the run's last fifth against the most in all the
  // time before it, after a warm-up (connections made, pools filled). A
  // leak keeps climbing, so even its lowest late reading is above anything
  // seen before; gRPC's server starts a thread when its pollers are all busy
  // and ends it when idle, so one reading above the earlier most is a burst,
  // not a leak.
  const absl::Duration warm_up = std::max(absl::Seconds(10), duration / 10);
  const absl::Duration last = std::max(absl::Seconds(5), duration / 5);
  std::string growth;
  const std::pair<const char*, int64_t ProcessStats::*> kWatched[] = {
      {"file descriptors", &ProcessStats::fds},
      {"threads", &ProcessStats::threads}};
  for (const auto& [name, field] : kWatched) {
    const Range before = RangeIn(samples, warm_up, duration - last, field);
    const Range late =
        RangeIn(samples, duration - last, duration + last, field);
    if (before.most < 0 || late.most < 0) {
      Fail(absl::StrCat("the run is too short to compare makegoodd's ", name,
                        " early and late: use --minutes 1 or more"));
    }
    absl::StrAppend(
        &growth, "  ", name, ": ", samples.front().stats.*field, " at start, ",
        samples.back().stats.*field, " at end; at most ", before.most, " from ",
        absl::FormatDuration(warm_up), " to ",
        absl::FormatDuration(duration - last), "; ", late.fewest, " to ",
        late.most, " in the last ", absl::FormatDuration(last), "\n");
    if (late.fewest > before.most) {
      Fail(absl::StrCat("makegoodd's ", name,
                        " grew under steady load: at least ", late.fewest,
                        " late against at most ", before.most, " before\n",
                        growth));
    }
  }
  const AuditSummary audit = DrainAndAudit(options.database, log, acks, pos);
  FailUnlessOk(VerifyLedger(options.database, "").status(), "after the load");
  for (auto& adapter : adapters) adapter->Stop();
  auto last_stats = ReadStats(*pid);
  FailUnlessOk(last_stats.status(), "makegoodd");
  // VmHWM only grows: the last reading is the peak of the whole run.
  const int64_t peak_kib = last_stats->vm_hwm_kib;
  const std::string peak =
      absl::StrFormat("%.1f MiB", static_cast<double>(peak_kib) / 1024);
  if (max_rss_mib > 0 && peak_kib > int64_t{max_rss_mib} * 1024) {
    Fail(absl::StrCat("makegoodd's peak resident set (VmHWM) was ", peak,
                      ", over the bound of ", max_rss_mib, " MiB\n", growth));
  }
  FailUnlessOk(StopDaemon(**daemon), "makegoodd");

  int64_t feed_checks = 0, feed_events = 0;
  for (const auto& feed : feeds) {
    feed_checks += feed->checks();
    feed_events += feed->events();
  }
  std::cout << "load_soak passed: " << minutes << " min at " << multiplier
            << "x a busy Saturday, no error\n"
            << "  makegoodd peak RSS (VmHWM) " << peak
            << (max_rss_mib > 0 ? absl::StrCat(", under ", max_rss_mib, " MiB")
                                : std::string(" (no bound)"))
            << "; before the load " << Format(*first_stats) << "; after "
            << Format(*last_stats) << "\n"
            << growth << "  POS feeds: " << feed_checks << " checks, "
            << feed_events << " events; report screen: " << screen.reports()
            << " reports\n";
  PrintTotals(Total(tablets), Total(adapters), pos, audit);
  return 0;
}

}  // namespace
}  // namespace makegood::soak

int main(int argc, char** argv) {
  CLI::App app{
      "Load: tablets, adapters and a report screen at a busy Saturday's rate "
      "times ten; no error, bounded RSS, no fd or thread growth",
      "load_soak"};
  int minutes = 10;
  int tablets = 50;
  int adapters = 4;
  uint64_t seed = 0;
  double multiplier = 10;
  int max_rss_mib = 64;
  app.add_option("--minutes", minutes, "How long the load runs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--tablets", tablets, "Tablets, each its own connection")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--adapters", adapters, "POS adapters (feeds and commands)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of every random choice; 0: a fresh one")
      ->capture_default_str();
  app.add_option("--rate-multiplier", multiplier,
                 "Times a busy Saturday's rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-rss-mib", max_rss_mib,
                 "Bound on makegoodd's peak RSS; 0: report it only (for "
                 "sanitizer builds)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  seed = makegood::soak::ChooseSeed(seed);
  const std::string replay =
      absl::StrCat(argv[0], " --minutes ", minutes, " --tablets ", tablets,
                   " --adapters ", adapters, " --rate-multiplier ", multiplier,
                   " --max-rss-mib ", max_rss_mib, " --seed ", seed);
  makegood::soak::SetReplayCommand(replay);
  std::cout << "load_soak: seed " << seed << " (replay: " << replay << ")"
            << std::endl;
  return makegood::soak::Run(minutes, tablets, adapters, seed, multiplier,
                             max_rss_mib);
}
