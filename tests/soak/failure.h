#ifndef MAKEGOOD_TESTS_SOAK_FAILURE_H_
#define MAKEGOOD_TESTS_SOAK_FAILURE_H_

// How a soak ends on its first violated invariant, from whichever thread
// sees it: one message naming the invariant, the command line that replays
// the run (same seed), and the directory kept with the database and
// makegoodd's log. makegoodd is killed and the process exits 1 at once,
// without running destructors, so the temporary directory stays for
// inspection. Thread-safe.

#include <sys/types.h>

#include <string>

namespace makegood::soak {

// What Fail prints besides its message; set by main before the clients
// start.
void SetReplayCommand(const std::string& command_line);
void SetKeptDirectory(const std::string& path);
// The running makegoodd, killed by Fail; 0 while none runs.
void SetDaemonPid(pid_t pid);

// Prints "<program>: VIOLATION: <message>" and what replays it, then exits
// 1. A second caller (another thread failing meanwhile) waits forever: the
// first message is the one that counts.
[[noreturn]] void Fail(const std::string& message);

}  // namespace makegood::soak

#endif  // MAKEGOOD_TESTS_SOAK_FAILURE_H_
