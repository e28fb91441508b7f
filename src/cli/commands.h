#ifndef MAKEGOOD_CLI_COMMANDS_H_
#define MAKEGOOD_CLI_COMMANDS_H_

// The subcommands of `makegood`. Each registers itself on the app; when run
// it stores its exit code in *exit_code. `options` is read when the command
// runs, after the global flags are parsed.

#include "CLI/CLI.hpp"
#include "cli/client.h"
#include "cli/format.h"

namespace makegood::cli {

void AddHealthCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code);
void AddEventsCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code);
void AddChecksCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code);
// flag, apply, approve, outcome, recoveries list|show, watch.
void AddRecoveryCommands(CLI::App& app, const ClientOptions& options,
                         int* exit_code);
// report eod|causes|staff, followups due|done.
void AddReportCommands(CLI::App& app, const ClientOptions& options,
                       int* exit_code);
// ledger verify|head: read the database file (read-only), not the server.
void AddLedgerCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code);
// backup, restore: copy the database file (online, verified) and put a copy
// back (makegoodd stopped); files only, no server.
void AddBackupCommands(CLI::App& app, const ClientOptions& options,
                       int* exit_code);
// pin hash: a tablet PIN's stored form, for the configuration; no server.
void AddPinCommand(CLI::App& app, int* exit_code);

// How a screen (table output) shows times: in UTC with --utc; otherwise in
// the location's time zone as makegoodd tells it (CheckService.GetLocation,
// one more call). When that call fails, in UTC, which the caption says.
// Defined with the checks commands, whose service answers it.
TimeDisplay ScreenTimes(const ClientOptions& options);

}  // namespace makegood::cli

#endif  // MAKEGOOD_CLI_COMMANDS_H_
