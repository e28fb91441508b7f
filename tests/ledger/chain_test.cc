#include "ledger/chain.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::ledger {
namespace {

using ::testing::HasSubstr;

RowFields Fields(int64_t seq) {
  return RowFields{seq,
                   1700000000000000 + seq,
                   "downtown-01",
                   absl::StrCat("case-", seq),
                   "flagged",
                   "s-17",
                   "",
                   100 * seq,
                   ""};
}

// `count` rows chained by the rule.
std::vector<StoredRow> Chain(int count) {
  std::vector<StoredRow> rows;
  std::string prev;
  for (int64_t seq = 1; seq <= count; ++seq) {
    StoredRow row{Fields(seq), prev, ""};
    row.hash = RowHash(prev, row.fields);
    prev = row.hash;
    rows.push_back(row);
  }
  return rows;
}

ChainCheck Walk(const std::vector<StoredRow>& rows,
                std::optional<Head> expected = std::nullopt) {
  ChainWalker walker(std::move(expected));
  for (const StoredRow& row : rows) walker.Add(row);
  return walker.Finish();
}

TEST(RowHashTest, IsSha256OfTheLengthPrefixedFields) {
  const RowFields row{
      1, 1700000000000000, "downtown-01", "case-1", "flagged", "s-17", "", 0,
      ""};
  // SHA-256 of "0:;1:1;16:1700000000000000;11:downtown-01;6:case-1;"
  // "7:flagged;4:s-17;0:;1:0;0:;", computed with sha256sum.
  EXPECT_EQ(RowHash("", row),
            "5c554a2c07c6f4013fb68f8277c216d9b4863c97555488311c2612ccda0aa666");
}

TEST(RowHashTest, ADeviceIsOneMoreFieldAfterTheDetail) {
  const RowFields row{
      1,  1700000000000000, "downtown-01", "case-1", "flagged", "s-17", "", 0,
      "", "tablet-1"};
  const std::string text =
      "0:;1:1;16:1700000000000000;11:downtown-01;6:case-1;7:flagged;4:s-17;"
      "0:;1:0;0:;8:tablet-1;";
  EXPECT_EQ(RowHash("", row), core::Sha256Hex(text));
  // Computed with sha256sum from the same text.
  EXPECT_EQ(RowHash("", row),
            "a79581c20377a92dec6e9a62b6f7b8505575d8cb395fd113f44c6a6024ba816a");
}

TEST(RowHashTest, ARowWithoutADeviceHashesAsBeforeDevicesExisted) {
  RowFields row{
      1, 1700000000000000, "downtown-01", "case-1", "flagged", "s-17", "", 0,
      ""};
  // The pinned hash above, from the text without a device field: an empty
  // device adds nothing, so rows written before the field keep their hash.
  const std::string before =
      "5c554a2c07c6f4013fb68f8277c216d9b4863c97555488311c2612ccda0aa666";
  EXPECT_EQ(RowHash("", row), before);
  EXPECT_EQ(core::Sha256Hex("0:;1:1;16:1700000000000000;11:downtown-01;"
                            "6:case-1;7:flagged;4:s-17;0:;1:0;0:;"),
            before);
  // The same row with a device hashes differently.
  row.device = "tablet-1";
  EXPECT_NE(RowHash("", row), before);
}

TEST(RowHashTest, EveryFieldAndThePreviousHashCount) {
  const RowFields row = Fields(2);
  const std::string base = RowHash("abc", row);
  EXPECT_NE(RowHash("abd", row), base);
  RowFields changed = row;
  changed.amount_minor += 1;
  EXPECT_NE(RowHash("abc", changed), base);
  changed = row;
  changed.approver = "m-2";
  EXPECT_NE(RowHash("abc", changed), base);
  changed = row;
  changed.device = "tablet-1";
  EXPECT_NE(RowHash("abc", changed), base);
  RowFields other_device = changed;
  other_device.device = "tablet-2";
  EXPECT_NE(RowHash("abc", other_device), RowHash("abc", changed));
  // Length prefixes: moving a character from one field to the next changes
  // the hash.
  changed = row;
  changed.actor = "s-1";
  changed.approver = "7";
  RowFields moved = row;
  moved.actor = "s-17";
  moved.approver = "";
  EXPECT_NE(RowHash("abc", changed), RowHash("abc", moved));
}

TEST(ChainWalkerTest, AnIntactChainReportsItsRowsAndHead) {
  const std::vector<StoredRow> rows = Chain(3);
  const ChainCheck check = Walk(rows);
  EXPECT_TRUE(check.intact) << check.problem;
  EXPECT_EQ(check.rows, 3);
  EXPECT_EQ(check.head.seq, 3);
  EXPECT_EQ(check.head.hash, rows[2].hash);
}

TEST(ChainWalkerTest, AnEmptyLedgerIsIntactWithoutAHead) {
  const ChainCheck check = Walk({});
  EXPECT_TRUE(check.intact);
  EXPECT_EQ(check.rows, 0);
  EXPECT_EQ(check.head.seq, 0);
}

TEST(ChainWalkerTest, FindsAChangedRow) {
  std::vector<StoredRow> rows = Chain(3);
  rows[1].fields.amount_minor = 1;
  const ChainCheck check = Walk(rows);
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.bad_seq, 2);
  EXPECT_THAT(check.problem, HasSubstr("row 2 was changed"));
  EXPECT_EQ(check.rows, 3);  // Counted to the end.
}

TEST(ChainWalkerTest, FindsARemovedRow) {
  std::vector<StoredRow> rows = Chain(3);
  rows.erase(rows.begin() + 1);
  const ChainCheck check = Walk(rows);
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.bad_seq, 2);
  EXPECT_THAT(check.problem, HasSubstr("row 2 is missing"));
}

TEST(ChainWalkerTest, FindsARowThatDoesNotLink) {
  std::vector<StoredRow> rows = Chain(3);
  // Row 2 rewritten whole, with a hash of its own that matches its fields.
  rows[1].prev_hash = std::string(64, '0');
  rows[1].hash = RowHash(rows[1].prev_hash, rows[1].fields);
  const ChainCheck check = Walk(rows);
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.bad_seq, 2);
  EXPECT_THAT(check.problem, HasSubstr("row 2 does not link to row 1"));
}

TEST(ChainWalkerTest, TheExpectedHeadDetectsRowsRemovedFromTheEnd) {
  std::vector<StoredRow> rows = Chain(3);
  const Head head{3, rows[2].hash};
  rows.pop_back();
  EXPECT_TRUE(Walk(rows).intact);  // The chain alone cannot tell.
  const ChainCheck check = Walk(rows, head);
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.bad_seq, 3);
  EXPECT_THAT(check.problem, HasSubstr("ends at row 2"));
  EXPECT_THAT(check.problem, HasSubstr("removed from the end"));

  const ChainCheck empty = Walk({}, head);
  EXPECT_FALSE(empty.intact);
  EXPECT_THAT(empty.problem, HasSubstr("the ledger is empty"));
}

TEST(ChainWalkerTest, NewerRowsAfterTheExpectedHeadAreFine) {
  const std::vector<StoredRow> rows = Chain(5);
  const ChainCheck check = Walk(rows, Head{3, rows[2].hash});
  EXPECT_TRUE(check.intact) << check.problem;
  EXPECT_EQ(check.head.seq, 5);
}

TEST(ChainWalkerTest, AnotherHashAtTheExpectedHeadIsARewrite) {
  const std::vector<StoredRow> rows = Chain(3);
  // The recorded head of another ledger: row 3 there has another hash.
  const ChainCheck check = Walk(rows, Head{3, rows[1].hash});
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.bad_seq, 3);
  EXPECT_THAT(check.problem, HasSubstr("row 3 is not the expected head"));
}

TEST(HeadTest, FormatsAndParsesSeqColonHash) {
  const std::string hash =
      "5c554a2c07c6f4013fb68f8277c216d9b4863c97555488311c2612ccda0aa666";
  EXPECT_EQ(FormatHead(Head{42, hash}), "42:" + hash);
  auto head = ParseHead("42:" + hash);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->seq, 42);
  EXPECT_EQ(head->hash, hash);
  // Upper-case hex is read as the same hash.
  std::string upper = hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto same = ParseHead("42:" + upper);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->hash, hash);
}

TEST(HeadTest, RefusesAnythingButSeqColonHash) {
  const std::string hash(64, 'a');
  for (const std::string& bad :
       {std::string(""), std::string("42"), ":" + hash, "0:" + hash,
        "-1:" + hash, "+1:" + hash, " 1:" + hash, "1 :" + hash, "x:" + hash,
        "99999999999999999999:" + hash, "1:" + hash.substr(1),
        "1:" + hash + "a", "1:" + std::string(64, 'g'), "1:" + hash + " "}) {
    auto head = ParseHead(bad);
    EXPECT_EQ(head.status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << bad << "'";
    EXPECT_THAT(head.status().message(), HasSubstr("SEQ:HASH"));
  }
}

}  // namespace
}  // namespace makegood::ledger
