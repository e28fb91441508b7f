#ifndef MAKEGOOD_LEDGER_CHAIN_H_
#define MAKEGOOD_LEDGER_CHAIN_H_

// The ledger's hash chain: the one rule every row follows, used by the
// store when it appends a row (store/ledger.cc) and by whoever checks the
// chain (the store's own check, and `makegood ledger verify`).
//
// Rules of the chain:
//  1. seq values run 1, 2, 3, ... without gaps.
//  2. Row n's prev_hash is row n-1's hash ("" for row 1).
//  3. Row n's hash is RowHash(prev_hash, its fields): SHA-256 over the
//     length-prefixed fields, so a changed row breaks its own hash and a
//     removed row breaks its successor's link. The device a row was acted
//     from (schema version 5) counts only when it is set: a row without one
//     hashes exactly as every row did before the field existed, so rows
//     written by older binaries keep their hashes and a chain spanning the
//     schema change verifies whole.
//  4. Removing rows from the end breaks no rule: only a head recorded
//     elsewhere (Head, ParseHead) shows it.
//
// Pure: no I/O. Errors: INVALID_ARGUMENT (ParseHead).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace makegood::ledger {

// The fields of a row that its hash covers.
struct RowFields {
  int64_t seq = 0;
  int64_t at_us = 0;
  std::string location_id;
  std::string case_id;
  std::string action;
  std::string actor;
  std::string approver;
  int64_t amount_minor = 0;
  std::string detail;
  // The tablet a session acted from; empty for a plain credential and for
  // every row written before the ledger recorded devices.
  std::string device;
};

// Lowercase hex SHA-256 of the text made of prev_hash, seq, at_us,
// location_id, case_id, action, actor, approver, amount_minor and detail,
// in that order, each written as "LENGTH:VALUE;" (numbers in decimal),
// then, only when it is not empty, device the same way. An empty device
// adds nothing, so a row without one has the hash it had before the field
// existed (rule 3). The text still reads back into one list of fields, so
// a row with a device never shares its text with a row without one.
std::string RowHash(absl::string_view prev_hash, const RowFields& row);

// A row as stored: its fields and the two hashes stored with it.
struct StoredRow {
  RowFields fields;
  std::string prev_hash;
  std::string hash;
};

// The newest row of a ledger, by sequence and hash; seq 0 (and no hash)
// when the ledger is empty.
struct Head {
  int64_t seq = 0;
  std::string hash;
};

// "SEQ:HASH", as `makegood ledger head` prints it.
std::string FormatHead(const Head& head);

// Reads "SEQ:HASH": SEQ a row number (1 or more), HASH its 64 hex digits
// (either case; returned in lowercase). INVALID_ARGUMENT saying what is
// wrong otherwise.
absl::StatusOr<Head> ParseHead(absl::string_view text);

// What a walk of the chain found.
struct ChainCheck {
  int64_t rows = 0;
  // The newest row as stored, whether or not the chain is intact.
  Head head;
  bool intact = true;
  // When not intact: the first row that does not verify, and why.
  int64_t bad_seq = 0;
  std::string problem;
};

// Checks rows one by one, oldest first (in seq order), against the rules
// above and, when given, an expected head: the row expected->seq must be
// there with expected->hash. Newer rows than the expected head are fine,
// since the walk proves that they link to it; fewer rows mean rows were
// removed from the end, another hash that the ledger was rewritten.
// The first problem found is the one reported. Not thread-safe.
class ChainWalker {
 public:
  explicit ChainWalker(std::optional<Head> expected = std::nullopt);
  ChainWalker(const ChainWalker&) = delete;
  ChainWalker& operator=(const ChainWalker&) = delete;

  void Add(const StoredRow& row);
  // The result once every row was added.
  ChainCheck Finish() const;

 private:
  void Fail(int64_t seq, std::string problem);

  const std::optional<Head> expected_;
  ChainCheck result_;
  std::string prev_hash_;
  int64_t expected_seq_ = 1;
  // The stored hash of row expected_->seq, once walked past.
  std::optional<std::string> expected_row_hash_;
};

}  // namespace makegood::ledger

#endif  // MAKEGOOD_LEDGER_CHAIN_H_
