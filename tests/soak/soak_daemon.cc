#include "soak/soak_daemon.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "soak/failure.h"

namespace makegood::soak {
namespace {

// The line of the sample that bounds the location's spending per day.
constexpr char kDailyBudget[] = "location_daily_budget: \"500.00\"";
constexpr char kLiftedBudget[] = "location_daily_budget: \"10000000.00\"";

// Entries of a /proc directory, "." and ".." excepted; -1 if unreadable.
int64_t CountEntries(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return -1;
  int64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") ++count;
  }
  closedir(dir);
  return count;
}

}  // namespace

absl::StatusOr<std::string> WriteSoakConfig(
    const makegood::testing::TempDir& dir) {
  std::string yaml = makegood::testing::ReadFileOrEmpty(MAKEGOOD_SAMPLE_CONFIG);
  const size_t at = yaml.find(kDailyBudget);
  if (at == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(MAKEGOOD_SAMPLE_CONFIG, " has no line '", kDailyBudget,
                     "' for the soak to lift"));
  }
  yaml.replace(at, sizeof(kDailyBudget) - 1, kLiftedBudget);
  const std::string path = dir.File("soak.yaml");
  std::ofstream out(path);
  out << yaml;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
}

absl::StatusOr<std::unique_ptr<makegood::testing::DaemonProcess>> StartDaemon(
    const DaemonOptions& options) {
  auto daemon = makegood::testing::DaemonProcess::Start(
      MAKEGOODD_BIN,
      {"--config", options.config, "--listen", "127.0.0.1:0", "--http",
       options.http ? "127.0.0.1:0" : "off", "--db", options.database,
       "--log-level", options.log_level},
      options.log);
  if (!daemon.ok()) return daemon.status();
  auto pid = DaemonPid();
  if (!pid.ok()) return pid.status();
  SetDaemonPid(*pid);
  return daemon;
}

std::string DaemonHealth(const std::string& address) {
  const makegood::testing::CommandResult health = makegood::testing::RunCommand(
      {MAKEGOOD_BIN, "--server", address, "health"});
  std::string said = health.out.empty() ? health.err : health.out;
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) {
    said.pop_back();
  }
  return said;
}

absl::Status StopDaemon(makegood::testing::DaemonProcess& daemon,
                        absl::Duration deadline) {
  daemon.Signal(SIGTERM);
  auto exited =
      std::async(std::launch::async, [&daemon] { return daemon.Wait(); });
  if (exited.wait_for(absl::ToChronoMilliseconds(deadline)) !=
      std::future_status::ready) {
    daemon.Signal(SIGKILL);
    exited.wait();
    SetDaemonPid(0);
    return absl::FailedPreconditionError(absl::StrCat(
        "makegoodd did not stop within ", absl::FormatDuration(deadline),
        " of SIGTERM: a call that never finishes holds up its shutdown"));
  }
  SetDaemonPid(0);
  const int code = exited.get();
  if (code != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("makegoodd exited ", code, " after SIGTERM, not 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<pid_t> DaemonPid() {
  const pid_t self = getpid();
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return absl::InternalError("cannot read /proc");
  while (const dirent* entry = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
    const std::string stat = makegood::testing::ReadFileOrEmpty(
        absl::StrCat("/proc/", pid, "/stat"));
    const size_t open = stat.find('(');
    const size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (stat.substr(open + 1, close - open - 1) != "makegoodd") continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == self && state != 'Z') found.push_back(pid);
  }
  closedir(proc);
  if (found.size() != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "expected one makegoodd child of this process, found ", found.size()));
  }
  return found.front();
}

absl::StatusOr<ProcessStats> ReadStats(pid_t pid) {
  const std::string base = absl::StrCat("/proc/", pid);
  std::istringstream status(
      makegood::testing::ReadFileOrEmpty(base + "/status"));
  ProcessStats stats;
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    fields >> key >> kib;
    if (key == "VmHWM:") stats.vm_hwm_kib = kib;
    if (key == "VmRSS:") stats.vm_rss_kib = kib;
  }
  stats.fds = CountEntries(base + "/fd");
  stats.threads = CountEntries(base + "/task");
  if (stats.vm_hwm_kib == 0 || stats.fds < 0 || stats.threads < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", base, ": makegoodd is gone"));
  }
  return stats;
}

std::string Format(const ProcessStats& stats) {
  return absl::StrFormat("VmHWM %.1f MiB, VmRSS %.1f MiB, %d fds, %d threads",
                         stats.vm_hwm_kib / 1024.0, stats.vm_rss_kib / 1024.0,
                         stats.fds, stats.threads);
}

}  // namespace makegood::soak
