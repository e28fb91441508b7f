#include "ledger/chain.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/sha256.h"

namespace makegood::ledger {
namespace {

constexpr size_t kHashDigits = 64;  // SHA-256 in hex.

absl::Status BadHead(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "expected SEQ:HASH (a row number, a colon and that row's ", kHashDigits,
      "-digit hex hash, as `makegood ledger head` prints them), got '", text,
      "': ", why));
}

}  // namespace

std::string RowHash(absl::string_view prev_hash, const RowFields& row) {
  std::string text;
  // Length-prefixed fields, so no two different rows hash the same text.
  for (const std::string& field :
       {std::string(prev_hash), absl::StrCat(row.seq), absl::StrCat(row.at_us),
        row.location_id, row.case_id, row.action, row.actor, row.approver,
        absl::StrCat(row.amount_minor), row.detail}) {
    absl::StrAppend(&text, field.size(), ":", field, ";");
  }
  // Only when set, so that rows without a device (all of them before the
  // field existed) keep their hashes.
  if (!row.device.empty()) {
    absl::StrAppend(&text, row.device.size(), ":", row.device, ";");
  }
  return core::Sha256Hex(text);
}

std::string FormatHead(const Head& head) {
  return absl::StrCat(head.seq, ":", head.hash);
}

absl::StatusOr<Head> ParseHead(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) return BadHead(text, "no colon");
  const absl::string_view seq = text.substr(0, colon);
  const absl::string_view hash = text.substr(colon + 1);
  Head head;
  bool digits = !seq.empty();
  for (const char c : seq) {
    digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (!digits || !absl::SimpleAtoi(seq, &head.seq) || head.seq < 1) {
    return BadHead(text, "SEQ must be a row number, 1 or more");
  }
  if (hash.size() != kHashDigits) {
    return BadHead(text, absl::StrCat("HASH has ", hash.size(),
                                      " characters, not ", kHashDigits));
  }
  for (const char c : hash) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return BadHead(text, "HASH must be hex digits (0-9, a-f)");
    }
  }
  head.hash = absl::AsciiStrToLower(hash);
  return head;
}

ChainWalker::ChainWalker(std::optional<Head> expected)
    : expected_(std::move(expected)) {}

void ChainWalker::Fail(int64_t seq, std::string problem) {
  result_.intact = false;
  result_.bad_seq = seq;
  result_.problem = std::move(problem);
}

void ChainWalker::Add(const StoredRow& row) {
  ++result_.rows;
  const int64_t seq = row.fields.seq;
  result_.head = Head{seq, row.hash};
  if (!result_.intact) return;  // Keep counting rows.
  if (seq != expected_seq_) {
    Fail(expected_seq_,
         absl::StrCat("row ", expected_seq_, " is missing (the next row is ",
                      seq, ")"));
    return;
  }
  if (row.prev_hash != prev_hash_) {
    Fail(seq, absl::StrCat("row ", seq, " does not link to row ", seq - 1,
                           ": a row before it was changed or removed"));
    return;
  }
  if (RowHash(prev_hash_, row.fields) != row.hash) {
    Fail(seq, absl::StrCat("row ", seq,
                           " was changed after it was written (its hash "
                           "does not match its fields)"));
    return;
  }
  if (expected_.has_value() && seq == expected_->seq) {
    expected_row_hash_ = row.hash;
  }
  prev_hash_ = row.hash;
  expected_seq_ = seq + 1;
}

ChainCheck ChainWalker::Finish() const {
  ChainCheck result = result_;
  if (!result.intact || !expected_.has_value()) return result;
  const Head& expected = *expected_;
  if (!expected_row_hash_.has_value()) {
    result.intact = false;
    result.bad_seq = expected.seq;
    result.problem =
        result.rows == 0
            ? absl::StrCat(
                  "the ledger is empty, but its head was expected at "
                  "row ",
                  expected.seq, ": rows were removed")
            : absl::StrCat("the ledger ends at row ", result.head.seq,
                           ", but its head was expected at row ", expected.seq,
                           ": rows were removed from the end");
  } else if (*expected_row_hash_ != expected.hash) {
    result.intact = false;
    result.bad_seq = expected.seq;
    result.problem = absl::StrCat(
        "row ", expected.seq, " is not the expected head (its hash is ",
        *expected_row_hash_, ", not ", expected.hash,
        "): the ledger was rewritten up to it, or rows were removed from the "
        "end and others appended");
  }
  return result;
}

}  // namespace makegood::ledger
