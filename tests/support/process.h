#ifndef MAKEGOOD_TESTS_SUPPORT_PROCESS_H_
#define MAKEGOOD_TESTS_SUPPORT_PROCESS_H_

// Runs the real binaries: makegoodd in the background, commands to completion.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace makegood::testing {

// Any program in the background, stdout and stderr to `log_path`, with the
// environment as RunCommand gives it. Killed (SIGKILL) on destruction if
// still running.
class ChildProcess {
 public:
  static std::unique_ptr<ChildProcess> Start(
      const std::vector<std::string>& argv, const std::vector<std::string>& env,
      const std::string& log_path);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  void Signal(int signal_number);
  // Waits for the process to end; its exit code, or 128+signal.
  int Wait();

 private:
  // DaemonProcess starts makegoodd its own way, then owns it as a child.
  friend class DaemonProcess;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_;
  bool reaped_ = false;
};

// A running makegoodd. Killed (SIGKILL) on destruction if still running.
class DaemonProcess {
 public:
  // Starts `binary` with `args`, stderr to `log_path`, and waits (up to
  // `deadline`) for its whole "listening on HOST:PORT" line. DEADLINE_EXCEEDED
  // or INTERNAL (with the log) when it does not come up.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& log_path, absl::Duration deadline = absl::Seconds(30));

  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The HTTP listener's port (", http on HOST:PORT" of the same line), 0
  // when it is off.
  int http_port() const { return http_port_; }

  void Signal(int signal_number) { process_->Signal(signal_number); }
  // Waits for the process to end; its exit code, or 128+signal.
  int Wait() { return process_->Wait(); }
  // Its process id, e.g. to read /proc/<pid>/status.
  pid_t pid() const { return process_->pid_; }

 private:
  DaemonProcess(pid_t pid, int stdout_fd)
      : process_(new ChildProcess(pid)), stdout_fd_(stdout_fd) {}

  std::unique_ptr<ChildProcess> process_;
  int stdout_fd_;
  int port_ = 0;
  int http_port_ = 0;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` to completion with `env` added ("NAME=value"), stdin from
// `stdin_path` when given.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         const std::string& stdin_path = "");

// Contents of a file ("" if unreadable).
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_PROCESS_H_
