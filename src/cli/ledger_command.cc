// `makegood ledger verify|head --db FILE`: the ledger's hash chain, read
// straight from a makegoodd database file, read-only and without the
// daemon (ledger/ledger_file.h): on the live file while makegoodd runs, or
// on a copy an auditor holds.

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "ledger/chain.h"
#include "ledger/ledger_file.h"

namespace makegood::cli {
namespace {

struct LedgerArgs {
  std::string db = "var/makegood.db";
  std::string expect_head;  // "" when not given; checked when parsed.
};

// `text` as a JSON string.
std::string JsonQuoted(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string HeadJson(const ledger::Head& head) {
  return absl::StrCat("{\"sequence\":", head.seq,
                      ",\"hash\":", JsonQuoted(head.hash), "}");
}

// The file's problems (missing, not a makegood database, ...) are input
// errors; SQLite failing while it reads is not.
int ReportFileError(const absl::Status& status) {
  std::cerr << "makegood: " << status.message() << std::endl;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    default:
      return kExitServerSaidNo;
  }
}

int RunVerify(const ClientOptions& options, const LedgerArgs& args) {
  std::optional<ledger::Head> expected;
  if (!args.expect_head.empty()) {
    auto parsed = ledger::ParseHead(args.expect_head);
    if (!parsed.ok()) {  // Checked when parsed; kept for safety.
      std::cerr << "makegood: --expect-head: " << parsed.status().message()
                << std::endl;
      return kExitUsage;
    }
    expected = *std::move(parsed);
  }
  auto file = ledger::LedgerFile::Open(args.db);
  if (!file.ok()) return ReportFileError(file.status());
  auto check = (*file)->Verify(expected);
  if (!check.ok()) return ReportFileError(check.status());
  if (options.output == OutputFormat::kJson) {
    std::string json = absl::StrCat(
        "{\"file\":", JsonQuoted(args.db),
        ",\"intact\":", check->intact ? "true" : "false",
        ",\"rows\":", check->rows, ",\"head\":", HeadJson(check->head));
    if (expected.has_value()) {
      absl::StrAppend(&json, ",\"expected_head\":", HeadJson(*expected));
    }
    if (!check->intact) {
      absl::StrAppend(&json, ",\"bad_sequence\":", check->bad_seq,
                      ",\"problem\":", JsonQuoted(check->problem));
    }
    std::cout << json << "}" << std::endl;
  } else if (check->intact) {
    std::cout << "ledger intact: " << check->rows << " rows verified";
    if (check->rows > 0) {
      std::cout << ", head " << ledger::FormatHead(check->head);
    }
    std::cout << std::endl;
    if (expected.has_value()) {
      std::cout << "expected head " << ledger::FormatHead(*expected)
                << " found, " << check->head.seq - expected->seq
                << " rows after it" << std::endl;
    }
  } else {
    std::cout << "ledger BROKEN at row " << check->bad_seq << " of "
              << check->rows << ": " << check->problem << std::endl;
  }
  return check->intact ? kExitOk : kExitServerSaidNo;
}

int RunHead(const ClientOptions& options, const LedgerArgs& args) {
  auto file = ledger::LedgerFile::Open(args.db);
  if (!file.ok()) return ReportFileError(file.status());
  auto head = (*file)->ReadHead();
  if (!head.ok()) return ReportFileError(head.status());
  if (head->seq == 0) {
    std::cerr << "makegood: " << args.db
              << ": the ledger is empty, it has no head yet" << std::endl;
    return kExitServerSaidNo;
  }
  if (options.output == OutputFormat::kJson) {
    std::cout << HeadJson(*head) << std::endl;
  } else {
    std::cout << ledger::FormatHead(*head) << std::endl;
  }
  return kExitOk;
}

void AddDbOption(CLI::App* command, LedgerArgs& args) {
  command
      ->add_option("--db", args.db,
                   "The makegoodd database file, live or a copy; opened "
                   "read-only")
      ->capture_default_str();
}

}  // namespace

void AddLedgerCommand(CLI::App& app, const ClientOptions& options,
                      int* exit_code) {
  CLI::App* command = app.add_subcommand(
      "ledger",
      "The recovery ledger, read from the database file (no server, no "
      "token): read-only, so it is safe on the live file while makegoodd "
      "runs and on a copy, even in a read-only directory");
  command->require_subcommand(1);
  auto args = std::make_shared<LedgerArgs>();

  CLI::App* verify = command->add_subcommand(
      "verify",
      "Check that no ledger row was changed or removed: recompute the hash "
      "chain from the first row. Exit 0 intact, 1 broken (or the expected "
      "head is not there), 2 when the file cannot be read as a makegood "
      "database");
  AddDbOption(verify, *args);
  verify
      ->add_option(
          "--expect-head", args->expect_head,
          "SEQ:HASH printed earlier by `makegood ledger head` and kept "
          "elsewhere: row SEQ must still be there with that hash, which "
          "detects rows removed from the end. Newer rows after it are fine: "
          "the chain proves they link to it")
      ->check(
          [](const std::string& text) -> std::string {
            auto head = ledger::ParseHead(text);
            return head.ok() ? std::string()
                             : std::string(head.status().message());
          },
          "SEQ:HASH");
  verify->callback(
      [&options, exit_code, args] { *exit_code = RunVerify(options, *args); });

  CLI::App* head = command->add_subcommand(
      "head",
      "Print the ledger's newest row as SEQ:HASH (json: sequence and hash). "
      "Keep it elsewhere, and check the file later with `makegood ledger "
      "verify --expect-head SEQ:HASH`. Exit 1 when the ledger is empty");
  AddDbOption(head, *args);
  head->callback(
      [&options, exit_code, args] { *exit_code = RunHead(options, *args); });
}

}  // namespace makegood::cli
