#ifndef MAKEGOOD_TESTS_SOAK_SOAK_DAEMON_H_
#define MAKEGOOD_TESTS_SOAK_SOAK_DAEMON_H_

// makegoodd for the soaks, and what /proc says of it: the sample
// configuration with the location's daily budget lifted (a soak gives
// thousands of remedies in one business day; the staff's own limits stay,
// so remedies still wait for approval), gRPC on a loopback port of the
// system's choosing, the database and the log in the soak's directory.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace makegood::soak {

// Writes the soak configuration into `dir`; its path.
absl::StatusOr<std::string> WriteSoakConfig(
    const makegood::testing::TempDir& dir);

struct DaemonOptions {
  std::string config;    // WriteSoakConfig's path.
  std::string database;  // The SQLite file, kept across restarts.
  std::string log;       // makegoodd's stderr; each start truncates it.
  bool http = false;     // The HTTP listener on a port of its own.
  // makegoodd's --log-level: warnings and errors only, unless a soak
  // counts what is logged at info.
  std::string log_level = "warning";
};

// Starts makegoodd and registers its pid with failure.h.
absl::StatusOr<std::unique_ptr<makegood::testing::DaemonProcess>> StartDaemon(
    const DaemonOptions& options);

// SIGTERM, then waits up to `deadline` for the exit: FAILED_PRECONDITION
// unless it exits 0 in time (then it is killed).
absl::Status StopDaemon(makegood::testing::DaemonProcess& daemon,
                        absl::Duration deadline = absl::Seconds(60));

// What `makegood health` prints for the makegoodd at `address`, without
// its newline: "SERVING", "NOT_SERVING", or its error when it cannot tell.
std::string DaemonHealth(const std::string& address);

struct ProcessStats {
  int64_t vm_hwm_kib = 0;  // Peak resident set size (VmHWM).
  int64_t vm_rss_kib = 0;  // Resident set size now (VmRSS).
  int64_t fds = 0;         // Entries of /proc/PID/fd.
  int64_t threads = 0;     // Entries of /proc/PID/task.
};

// The pid of this process's one child running makegoodd (DaemonProcess
// keeps its own to itself).
absl::StatusOr<pid_t> DaemonPid();
absl::StatusOr<ProcessStats> ReadStats(pid_t pid);
// "VmHWM 31.2 MiB, VmRSS 30.8 MiB, 27 fds, 14 threads".
std::string Format(const ProcessStats& stats);

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_SOAK_DAEMON_H_
