// A full disk during recovery load: makegoodd's database on a small disk of
// its own (a tmpfs mounted for the soak, support/small_disk.h), while
// tablets flag, apply, approve and record outcomes and an adapter streams
// and acknowledges commands. --fills times, at a random moment (drawn from
// the seed), the disk is filled: the WAL is emptied so the next commit
// needs new blocks, and a ballast file takes every free one. Then:
//  - some write is refused with RESOURCE_EXHAUSTED, reason STORE_FULL
//    (nothing saved), and the clients send it again, same request ids;
//  - makegoodd's health turns NOT_SERVING;
//  - after a random time the ballast goes, and makegoodd writes again by
//    itself, without a restart: health turns SERVING, the same process;
//  - the ledger verifies and still holds the head of the fill before.
// At the end the tablets finish their cases, every command the answers
// name is acknowledged, and the whole database audit (db_audit.h) holds:
// every answer a client received is there, nothing is half-written, the
// spending adds up, no remedy was written twice on the fake POS. makegoodd's
// log has each full-disk episode begin and end once.
//
// Mounting needs root (CAP_SYS_ADMIN), as CI runs the soaks.
//
//   diskfull_soak [--fills 20] [--seed S] [--tablets 4]

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "soak/db_audit.h"
#include "soak/failure.h"
#include "soak/soak_daemon.h"
#include "soak/soak_rpc.h"
#include "soak/soak_run.h"
#include "support/process.h"
#include "support/small_disk.h"
#include "support/temp_dir.h"

namespace makegood::soak {
namespace {

using makegood::testing::ReadFileOrEmpty;
using makegood::testing::SmallDisk;

// Asks `makegood health` until it says `wanted`, up to `timeout`; whether
// it did.
bool AwaitHealth(const std::string& address, const std::string& wanted,
                 absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  for (;;) {
    if (DaemonHealth(address) == wanted) return true;
    if (absl::Now() >= until) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

// Waits up to `timeout` until some client was refused STORE_FULL more than
// `before` times; whether one was.
bool AwaitRefusal(int64_t before, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (StoreFullRefusals() <= before) {
    if (absl::Now() >= until) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

// The size of the file at `path` in MiB; 0 when it is not there.
double MiBOf(const std::string& path) {
  std::error_code error;
  const uintmax_t bytes = std::filesystem::file_size(path, error);
  return error ? 0 : bytes / (1024.0 * 1024.0);
}

// Lines of the log at `path` that contain `text`.
int LogLinesWith(const std::string& path, const std::string& text) {
  std::istringstream log(ReadFileOrEmpty(path));
  int count = 0;
  for (std::string line; std::getline(log, line);) {
    if (absl::StrContains(line, text)) ++count;
  }
  return count;
}

int Run(int fills, uint64_t seed, int tablet_count, int disk_mib,
        int min_run_ms, int max_run_ms, int max_full_ms) {
  makegood::testing::TempDir dir;
  SetKeptDirectory(dir.path());
  auto config = WriteSoakConfig(dir);
  FailUnlessOk(config.status(), "the soak configuration");
  auto disk = SmallDisk::Mount(dir.File("disk"), disk_mib);
  FailUnlessOk(disk.status(), "the small disk");
  // The log stays on the soak's own disk, where it can still be written;
  // at info, so that it has the end of each full-disk episode too.
  const DaemonOptions options{*config, (*disk)->File("makegood.db"),
                              dir.File("makegoodd.log"), /*http=*/false,
                              /*log_level=*/"info"};
  auto daemon = StartDaemon(options);
  FailUnlessOk(daemon.status(), "makegoodd did not start");
  auto pid = DaemonPid();
  FailUnlessOk(pid.status(), "makegoodd");
  auto first_stats = ReadStats(*pid);
  FailUnlessOk(first_stats.status(), "makegoodd");
  const std::string address = (*daemon)->address();
  std::cout << "makegoodd pid " << *pid << " at start: " << Format(*first_stats)
            << "; its database on a " << disk_mib << " MiB disk of its own"
            << std::endl;

  FakePos pos;
  AckBook acks;
  AnswerLog log;
  const RetryOptions retry;
  std::vector<std::unique_ptr<SoakAdapter>> adapters;
  adapters.push_back(std::make_unique<SoakAdapter>(
      "adapter-1", DeviceChannel(address), seed, retry, pos, acks, log));
  std::vector<std::unique_ptr<SoakTablet>> tablets;
  for (int i = 0; i < tablet_count; ++i) {
    tablets.push_back(std::make_unique<SoakTablet>(
        TabletOptions{absl::StrCat("t", i), i % 2 == 0 ? &kDana : &kMarco,
                      ClientSeed(seed, i), retry},
        DeviceChannel(address), DeviceChannel(address), log));
  }
  CaseLoops loops(tablets);

  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> run_ms(min_run_ms, max_run_ms);
  std::uniform_int_distribution<int> full_ms(0, max_full_ms);
  std::string head;
  int64_t peak_hwm_kib = first_stats->vm_hwm_kib;
  const absl::Time start = absl::Now();
  for (int fill = 1; fill <= fills; ++fill) {
    const int ran = run_ms(random);
    absl::SleepFor(absl::Milliseconds(ran));  // The random moment.
    const std::string at =
        absl::StrCat("fill ", fill, " (after ", ran, " ms of load)");
    const int64_t refused_before = StoreFullRefusals();
    // Without its ballast the disk must have room: what the database takes
    // is the soak's size, not a fault it made.
    auto free_blocks = (*disk)->FreeBlocks();
    FailUnlessOk(free_blocks.status(), at);
    if (*free_blocks == 0) {
      Fail(absl::StrCat(at,
                        ": the disk is full without its ballast: the "
                        "database takes ",
                        MiBOf(options.database), " MiB and its WAL ",
                        MiBOf(options.database + "-wal"), " MiB of ", disk_mib,
                        " (--disk-mib)"));
    }
    FailUnlessOk(makegood::testing::EmptyWal(options.database), at);
    FailUnlessOk((*disk)->Fill(), at);
    const absl::Time filled = absl::Now();
    if (!AwaitRefusal(refused_before, absl::Seconds(30))) {
      Fail(absl::StrCat(at,
                        ": the disk was full for 30 s and no client was "
                        "refused STORE_FULL"));
    }
    const absl::Duration to_refusal = absl::Now() - filled;
    if (!AwaitHealth(address, "NOT_SERVING", absl::Seconds(10))) {
      Fail(absl::StrCat(at,
                        ": writes were refused STORE_FULL but health "
                        "did not turn NOT_SERVING within 10 s"));
    }
    const int held = full_ms(random);
    absl::SleepFor(absl::Milliseconds(held));  // The clients keep retrying.
    FailUnlessOk((*disk)->Empty(), at);
    const absl::Time emptied = absl::Now();
    if (!AwaitHealth(address, "SERVING", absl::Seconds(30))) {
      Fail(absl::StrCat(at, ": the disk had room again but makegoodd did not ",
                        "turn SERVING within 30 s (its log: ", options.log,
                        ")"));
    }
    const absl::Duration to_serving = absl::Now() - emptied;
    auto stats = ReadStats(*pid);
    FailUnlessOk(stats.status(),
                 absl::StrCat(at, ": makegoodd is not the same process"));
    peak_hwm_kib = std::max(peak_hwm_kib, stats->vm_hwm_kib);
    auto verified = VerifyLedger(options.database, head);
    FailUnlessOk(verified.status(), at);
    if (!verified->empty()) head = *verified;
    std::cout
        << at << ": refused STORE_FULL after "
        << absl::FormatDuration(absl::Trunc(to_refusal, absl::Milliseconds(1)))
        << ", " << StoreFullRefusals() - refused_before
        << " refusals in all; full " << held << " ms more; SERVING again "
        << absl::FormatDuration(absl::Trunc(to_serving, absl::Milliseconds(1)))
        << " after the ballast went; " << log.answers() << " answers, "
        << Total(tablets).retries << " tablet retries; database "
        << MiBOf(options.database) << " MiB, WAL "
        << MiBOf(options.database + "-wal") << " MiB; ledger intact"
        << (head.empty() ? "" : ", head ") << head << std::endl;
  }
  std::cout << fills << " fills in "
            << absl::FormatDuration(
                   absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
            << "; the tablets finish their cases" << std::endl;
  const SoakEnd end = FinishAndAudit(loops, adapters, **daemon, *pid,
                                     options.database, log, acks, pos, head);
  peak_hwm_kib = std::max(peak_hwm_kib, end.last_stats.vm_hwm_kib);

  // Each episode is logged when it begins and when it ends, once each (a
  // fill may make more than one: a commit small enough for the WAL blocks
  // already there ends it, and the next write begins another).
  const int began = LogLinesWith(options.log, "store_write_failed");
  const int ended = LogLinesWith(options.log, "store_write_recovered");
  if (began < fills || ended != began) {
    Fail(absl::StrCat("makegoodd's log has ", began,
                      " full-disk episodes begun and ", ended, " ended for ",
                      fills, " fills: each must begin and end once (",
                      options.log, ")"));
  }
  const SoakTablet::Counts tablet_counts = Total(tablets);
  if (tablet_counts.cases == 0) {
    Fail("no case was finished: the clients made no progress");
  }
  std::cout << "diskfull_soak passed: " << fills << " fills, "
            << StoreFullRefusals() << " writes refused STORE_FULL and sent "
            << "again, " << began << " full-disk episodes logged begun and "
            << "ended\n";
  PrintTotals(tablet_counts, Total(adapters), pos, end.audit);
  std::cout << "  makegoodd: peak VmHWM " << peak_hwm_kib / 1024.0
            << " MiB; at start " << Format(*first_stats) << "; at end "
            << Format(end.last_stats) << std::endl;
  return 0;
}

}  // namespace
}  // namespace makegood::soak

int main(int argc, char** argv) {
  CLI::App app{
      "A full disk during recovery load: makegoodd's database on a small disk "
      "of its own, filled at random moments while tablets and an adapter "
      "work, then given room again; needs root to mount the disk",
      "diskfull_soak"};
  int fills = 20;
  uint64_t seed = 0;
  int tablets = 4;
  int disk_mib = 256;
  int min_run_ms = 50;
  int max_run_ms = 500;
  int max_full_ms = 500;
  app.add_option("--fills", fills, "Times the disk is filled, then emptied")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "Seed of every random choice; 0: a fresh one")
      ->capture_default_str();
  app.add_option("--tablets", tablets, "Tablets working at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--disk-mib", disk_mib, "Size of the database's disk")
      ->capture_default_str()
      ->check(CLI::Range(8, 4096));
  app.add_option("--min-run-ms", min_run_ms,
                 "Shortest load between one fill and the next")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-run-ms", max_run_ms,
                 "Longest load between one fill and the next")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-full-ms", max_full_ms,
                 "Longest the disk stays full after the first refusal")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  if (max_run_ms < min_run_ms) {
    std::cerr << "diskfull_soak: --max-run-ms must be at least --min-run-ms\n";
    return 2;
  }
  seed = makegood::soak::ChooseSeed(seed);
  const std::string replay = absl::StrCat(
      argv[0], " --fills ", fills, " --tablets ", tablets, " --disk-mib ",
      disk_mib, " --min-run-ms ", min_run_ms, " --max-run-ms ", max_run_ms,
      " --max-full-ms ", max_full_ms, " --seed ", seed);
  makegood::soak::SetReplayCommand(replay);
  std::cout << "diskfull_soak: " << fills << " fills, " << tablets
            << " tablets and 1 adapter; seed " << seed << " (replay: " << replay
            << ")" << std::endl;
  return makegood::soak::Run(fills, seed, tablets, disk_mib, min_run_ms,
                             max_run_ms, max_full_ms);
}
