// makegood: the command-line client of makegoodd.

#include <cstdlib>
#include <iostream>
#include <map>

#include "CLI/CLI.hpp"
#include "cli/client.h"
#include "cli/commands.h"
#include "client/connection_flags.h"
#include "makegood/version.h"

int main(int argc, char** argv) {
  using makegood::cli::OutputFormat;
  CLI::App app{
      "makegood: talk to the makegoodd sidecar.\n"
      "Every command except health needs a token: --token-file, --token or "
      "MAKEGOOD_TOKEN.",
      "makegood"};
  makegood::cli::ClientOptions options;
  int exit_code = makegood::cli::kExitOk;

  makegood::client::TokenFlags token_flags;
  token_flags.help = "Bearer token of a staff member or device";
  makegood::client::AddConnectionFlags(app, options.connection, &options.token,
                                       token_flags);
  const std::map<std::string, OutputFormat> formats{
      {"table", OutputFormat::kTable}, {"json", OutputFormat::kJson}};
  app.add_option("--output,-o", options.output,
                 "table (default) or json: answers as JSON on stdout; a "
                 "refusal as one JSON line on stderr, "
                 "{\"code\",\"message\",\"reason\",\"field\"}, with "
                 "reason a makegood.v1.Error.Reason name (errors.proto)")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  app.add_flag("--utc", options.utc,
               "Show times in UTC instead of the location's time zone "
               "(reports keep the location's business day and hours; "
               "json output is always UTC)");
  app.add_option("--timeout", options.timeout_seconds,
                 "Seconds before a call gives up")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.set_version_flag("--version",
                       std::string("makegood ") + MAKEGOOD_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 the server said no (or is unreachable), "
      "2 usage or input error. A refusal names its code and reason, "
      "\"FAILED_PRECONDITION (OVER_AUTHORITY): ...\"; with --output json "
      "it is a JSON line on stderr that programs read instead of the "
      "English.");

  makegood::cli::AddHealthCommand(app, options, &exit_code);
  makegood::cli::AddEventsCommand(app, options, &exit_code);
  makegood::cli::AddChecksCommand(app, options, &exit_code);
  makegood::cli::AddRecoveryCommands(app, options, &exit_code);
  makegood::cli::AddReportCommands(app, options, &exit_code);
  makegood::cli::AddLedgerCommand(app, options, &exit_code);
  makegood::cli::AddBackupCommands(app, options, &exit_code);
  makegood::cli::AddPinCommand(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? makegood::cli::kExitOk : makegood::cli::kExitUsage;
  }
  return exit_code;
}
