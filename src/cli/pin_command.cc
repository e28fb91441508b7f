// `makegood pin hash`: a staff member's tablet PIN in the form the
// configuration stores (Credential.pin_pbkdf2, core/pin_hash.h). No server,
// no token: the PIN never leaves this process, is never printed, and its
// copies are wiped once hashed; stdout carries the hash line and nothing
// else, so `makegood pin hash < pin.txt >> notes` stays clean.

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/commands.h"
#include "core/pin_hash.h"

namespace makegood::cli {
namespace {

constexpr int kSaltBytes = 16;

// The signals that end the process while echo is off; the terminal's
// settings are put back first, or the shell would be left without echo.
constexpr int kRestoreOn[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int kRestoreOnCount = sizeof(kRestoreOn) / sizeof(kRestoreOn[0]);

// The terminal's own settings while an EchoOff is alive.
termios saved_terminal;
volatile std::sig_atomic_t terminal_echo_off = 0;

void RestoreTerminalAndRaise(int signal_number) {
  if (terminal_echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

// Turns off the echo of the terminal on stdin for its lifetime, as a
// password prompt does. Line editing (backspace) still works. One at a time.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    for (int i = 0; i < kRestoreOnCount; ++i) {
      struct sigaction action = {};
      action.sa_handler = RestoreTerminalAndRaise;
      sigemptyset(&action.sa_mask);
      sigaction(kRestoreOn[i], &action, &previous_[i]);
    }
    handlers_installed_ = true;
    termios quiet = saved_terminal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    terminal_echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (terminal_echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    terminal_echo_off = 0;
    if (!handlers_installed_) return;
    for (int i = 0; i < kRestoreOnCount; ++i) {
      sigaction(kRestoreOn[i], &previous_[i], nullptr);
    }
  }

 private:
  struct sigaction previous_[kRestoreOnCount] = {};
  bool handlers_installed_ = false;
};

void Wipe(std::string& secret) {
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

// One line of stdin without its line end ("\n" or "\r\n"); nullopt when
// stdin is empty.
std::optional<std::string> ReadLine() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Asks on stderr, reads a line from the terminal without echoing it.
std::optional<std::string> Prompt(const char* question) {
  std::cerr << question << std::flush;
  std::optional<std::string> answer;
  {
    EchoOff quiet;
    answer = ReadLine();
  }
  std::cerr << std::endl;  // The Enter the person typed was not echoed.
  return answer;
}

int RunPinHash(int iterations) {
  const bool terminal = isatty(STDIN_FILENO) == 1;
  std::optional<std::string> pin =
      terminal ? Prompt("PIN (4 to 8 digits): ") : ReadLine();
  if (!pin.has_value()) {
    std::cerr << "makegood: no PIN on stdin: give it one line, 4 to 8 digits"
              << std::endl;
    return kExitUsage;
  }
  if (absl::Status format = core::CheckPinFormat(*pin); !format.ok()) {
    Wipe(*pin);
    std::cerr << "makegood: " << format.message() << std::endl;
    return kExitUsage;
  }
  if (terminal) {
    std::optional<std::string> again = Prompt("The same PIN again: ");
    const bool same = again.has_value() && *again == *pin;
    if (again.has_value()) Wipe(*again);
    if (!same) {
      Wipe(*pin);
      std::cerr << "makegood: the two PINs differ; nothing was printed"
                << std::endl;
      return kExitUsage;
    }
  }
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, kSaltBytes) != 1) {
    Wipe(*pin);
    std::cerr << "makegood: the system's random generator failed" << std::endl;
    return kExitServerSaidNo;
  }
  const core::PinHash hash = core::HashPin(
      *pin, absl::string_view(reinterpret_cast<const char*>(salt), kSaltBytes),
      iterations);
  Wipe(*pin);
  if (hash.key.empty()) {
    std::cerr << "makegood: OpenSSL could not derive the key" << std::endl;
    return kExitServerSaidNo;
  }
  std::cout << core::FormatPinHash(hash) << std::endl;
  if (terminal) {
    std::cerr << "Paste that line into the configuration as the staff "
                 "member's pin_pbkdf2 (staff[].pin_pbkdf2)."
              << std::endl;
  }
  return kExitOk;
}

}  // namespace

void AddPinCommand(CLI::App& app, int* exit_code) {
  CLI::App* pin = app.add_subcommand(
      "pin",
      "Staff PINs for signing in on a shared tablet (no server, no token)");
  pin->require_subcommand(1);
  auto iterations = std::make_shared<int>(core::kDefaultPinIterations);
  CLI::App* hash = pin->add_subcommand(
      "hash",
      "Read a PIN (4 to 8 digits) from stdin and print the line to put in "
      "the configuration as the staff member's pin_pbkdf2 (staff[].pin_pbkdf2 "
      "in the YAML file, for example `pin_pbkdf2: \"pbkdf2-sha256$...\"`), "
      "then restart makegoodd. From a terminal it asks twice and "
      "does not echo; from a pipe or file it reads one line. The PIN is "
      "never printed; each run picks a fresh random salt, so the same PIN "
      "gives a different line every time. Exit 0 printed, 2 not a PIN of 4 "
      "to 8 digits");
  hash->add_option("--iterations", *iterations,
                   "PBKDF2-HMAC-SHA256 iterations; more is slower to guess "
                   "and slower to sign in")
      ->check(CLI::Range(core::kMinPinIterations, core::kMaxPinIterations))
      ->capture_default_str();
  hash->callback(
      [exit_code, iterations] { *exit_code = RunPinHash(*iterations); });
}

}  // namespace makegood::cli
