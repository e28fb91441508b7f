#ifndef MAKEGOOD_TESTS_INTEGRATION_RUNNING_CLI_H_
#define MAKEGOOD_TESTS_INTEGRATION_RUNNING_CLI_H_

// A client program running in the background (`makegood watch`, mostly)
// whose stdout the test reads as it comes, with poll() against a deadline,
// so that a wait ends as soon as the awaited text arrives; its stderr goes
// to a file.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "support/process.h"

extern char** environ;

namespace makegood::testing {

// Killed (SIGKILL) on destruction if still running.
class RunningCli {
 public:
  // How long a wait lasts unless told.
  static constexpr absl::Duration kPatience = absl::Seconds(60);

  // `argv` with the test's environment minus MAKEGOOD_*, plus `env`
  // ("NAME=value"); nullptr when the pipe cannot be made or fork fails.
  static std::unique_ptr<RunningCli> Start(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env,
                                           const std::string& stderr_path) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return nullptr;
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string(*e).rfind("MAKEGOOD_", 0) != 0) environment.push_back(*e);
    }
    environment.insert(environment.end(), env.begin(), env.end());
    // Everything the child needs is prepared before fork.
    std::vector<char*> c_argv = CStrings(argv);
    std::vector<char*> c_env = CStrings(environment);
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      const int err =
          open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(err, STDERR_FILENO);
      const int in = open("/dev/null", O_RDONLY);
      dup2(in, STDIN_FILENO);
      execve(c_argv[0], c_argv.data(), c_env.data());
      _exit(127);
    }
    close(out[1]);
    if (pid < 0) {
      close(out[0]);
      return nullptr;
    }
    return std::unique_ptr<RunningCli>(
        new RunningCli(pid, out[0], stderr_path));
  }

  RunningCli(const RunningCli&) = delete;
  RunningCli& operator=(const RunningCli&) = delete;
  ~RunningCli() {
    if (!reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    close(fd_);
  }

  // Where `text` starts in stdout at or after `from`, reading on until it
  // appears; npos when stdout closes or `patience` passes first.
  size_t WaitFor(const std::string& text, size_t from = 0,
                 absl::Duration patience = kPatience) {
    const absl::Time until = absl::Now() + patience;
    for (;;) {
      const size_t at = out_.find(text, from);
      if (at != std::string::npos) return at;
      if (!ReadSome(until)) return std::string::npos;
    }
  }

  // Reads until the command closes its stdout (it exits); false when
  // `patience` passes first.
  bool WaitForEnd(absl::Duration patience = kPatience) {
    const absl::Time until = absl::Now() + patience;
    while (ReadSome(until)) {
    }
    return closed_;
  }

  // The exit code, or 128+signal.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  std::string err() const { return ReadFileOrEmpty(stderr_path_); }

  // The whole line of stdout that holds position `at`.
  std::string LineAt(size_t at) const {
    const size_t begin = out_.rfind('\n', at);
    const size_t start = begin == std::string::npos ? 0 : begin + 1;
    const size_t end = out_.find('\n', at);
    return out_.substr(
        start, end == std::string::npos ? std::string::npos : end - start);
  }

 private:
  RunningCli(pid_t pid, int fd, std::string stderr_path)
      : pid_(pid), fd_(fd), stderr_path_(std::move(stderr_path)) {}

  // execve's NULL-terminated array; points into `strings`.
  static std::vector<char*> CStrings(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
  }

  // Waits (until `until`) for output and appends it; false when stdout
  // closed or the time is up.
  bool ReadSome(absl::Time until) {
    if (closed_) return false;
    const int64_t ms = absl::ToInt64Milliseconds(until - absl::Now());
    if (ms <= 0) return false;
    pollfd fd{fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(ms));
    if (ready < 0 && errno != EINTR) {
      closed_ = true;
      return false;
    }
    if (ready <= 0) return true;  // Interrupted or timed out: look again.
    char buffer[4096];
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    out_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  const pid_t pid_;
  const int fd_;
  const std::string stderr_path_;
  std::string out_;
  bool closed_ = false;
  bool reaped_ = false;
};

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_INTEGRATION_RUNNING_CLI_H_
