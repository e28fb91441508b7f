#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace makegood::testing {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The test's environment without MAKEGOOD_* (tests pass credentials
// explicitly; the caller's must not leak in), plus `env`.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& env) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("MAKEGOOD_", 0) != 0) environment.push_back(*e);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  return environment;
}

}  // namespace

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& log_path, absl::Duration deadline) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  // Everything the child needs is prepared before fork: no allocation after.
  std::vector<char*> c_argv = CStrings(argv);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDERR_FILENO);
    close(out[0]);
    execv(binary.c_str(), c_argv.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<DaemonProcess> daemon(new DaemonProcess(pid, out[0]));
  // Read stdout until the "listening on" line, polling against the deadline.
  const absl::Time until = absl::Now() + deadline;
  std::string seen;
  static const std::regex kListening("listening on [^ ,]+:([0-9]+)[^\n]*\n");
  static const std::regex kHttp(", http on [^ ]+:([0-9]+)");
  std::smatch match;
  while (!std::regex_search(seen, match, kListening)) {
    const int ms =
        static_cast<int>(absl::ToInt64Milliseconds(until - absl::Now()));
    if (ms <= 0) {
      return absl::DeadlineExceededError(absl::StrCat(
          "makegoodd did not start; log:\n", ReadFileOrEmpty(log_path)));
    }
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, ms) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) {
      return absl::InternalError(absl::StrCat("makegoodd exited with ",
                                              daemon->Wait(), "; log:\n",
                                              ReadFileOrEmpty(log_path)));
    }
    seen.append(buffer, n);
  }
  daemon->port_ = std::stoi(match[1]);
  std::smatch http;
  const std::string line = match[0];
  if (std::regex_search(line, http, kHttp)) {
    daemon->http_port_ = std::stoi(http[1]);
  }
  return daemon;
}

DaemonProcess::~DaemonProcess() {
  process_.reset();  // Killed and reaped before its stdout is closed.
  close(stdout_fd_);
}

std::unique_ptr<ChildProcess> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::vector<std::string>& env,
    const std::string& log_path) {
  const std::vector<std::string> environment = ChildEnvironment(env);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(environment);
  const pid_t pid = fork();
  if (pid == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, STDIN_FILENO);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void ChildProcess::Signal(int signal_number) { kill(pid_, signal_number); }

int ChildProcess::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return ExitCode(status);
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env,
                         const std::string& stdin_path) {
  char out_template[] = "/tmp/makegood-cmd-out-XXXXXX";
  char err_template[] = "/tmp/makegood-cmd-err-XXXXXX";
  const int out_fd = mkstemp(out_template);
  const int err_fd = mkstemp(err_template);
  const std::vector<std::string> environment = ChildEnvironment(env);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(environment);
  const char* in_path = stdin_path.empty() ? "/dev/null" : stdin_path.c_str();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    const int in = open(in_path, O_RDONLY);
    dup2(in, STDIN_FILENO);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  CommandResult result{ExitCode(status), ReadFileOrEmpty(out_template),
                       ReadFileOrEmpty(err_template)};
  unlink(out_template);
  unlink(err_template);
  return result;
}

}  // namespace makegood::testing
