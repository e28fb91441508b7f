// `makegood ledger verify --db FILE`: recomputes the ledger's hash chain
// straight from the SQLite file, without the daemon, so an auditor can run it
// on a copy.

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "store/sqlite_store.h"

namespace makegood::cli {

void AddLedgerCommand(CLI::App& app, int* exit_code) {
  CLI::App* ledger = app.add_subcommand("ledger", "The recovery ledger");
  ledger->require_subcommand(1);
  CLI::App* verify = ledger->add_subcommand(
      "verify",
      "Check that no ledger row was changed or removed (reads the database "
      "file; exit 1 when the chain is broken)");
  auto path = std::make_shared<std::string>("var/makegood.db");
  verify->add_option("--db", *path, "The makegoodd database file")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  verify->callback([exit_code, path] {
    store::SqliteStoreOptions options;
    options.path = *path;
    auto store = store::SqliteStore::Open(options);
    if (!store.ok()) {
      std::cerr << "makegood: " << store.status().message() << std::endl;
      *exit_code = kExitUsage;
      return;
    }
    auto result = (*store)->VerifyLedger();
    if (!result.ok()) {
      std::cerr << "makegood: " << result.status().message() << std::endl;
      *exit_code = kExitServerSaidNo;
      return;
    }
    if (result->intact) {
      std::cout << "ledger intact: " << result->rows << " rows verified"
                << std::endl;
      *exit_code = kExitOk;
    } else {
      std::cout << "ledger BROKEN at row " << result->bad_seq << " of "
                << result->rows << ": " << result->problem << std::endl;
      *exit_code = kExitServerSaidNo;
    }
  });
}

}  // namespace makegood::cli
