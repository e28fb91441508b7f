#include "text/utf8.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace makegood::text {
namespace {

// U+FFFD, to build expected strings.
constexpr absl::string_view kFffd = kReplacementCharacter;

// Every case is measured alone, so that a failure names its bytes.
void ExpectLength(const std::vector<std::string>& cases, size_t length) {
  for (const std::string& bytes : cases) {
    EXPECT_EQ(Utf8SequenceLength(bytes), length)
        << "\"" << absl::CHexEscape(bytes) << "\"";
  }
}

TEST(Utf8SequenceLengthTest, EmptyTextStartsNoSequence) {
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
  EXPECT_EQ(Utf8SequenceLength(absl::string_view()), 0u);
}

// The first and last code point of each length, and either side of the
// surrogates.
TEST(Utf8SequenceLengthTest, MeasuresValidSequencesOfOneToFourBytes) {
  ExpectLength({std::string(1, '\0'), "A", "\x7F"}, 1);
  ExpectLength({"\xC2\x80", "\xC3\xA9", "\xDF\xBF"}, 2);
  ExpectLength({"\xE0\xA0\x80", "\xE2\x82\xAC", "\xED\x9F\xBF", "\xEE\x80\x80",
                "\xEF\xBF\xBF"},
               3);
  ExpectLength({"\xF0\x90\x80\x80", "\xF0\x9F\x98\x80", "\xF3\xBF\xBF\xBF",
                "\xF4\x8F\xBF\xBF"},
               4);
}

TEST(Utf8SequenceLengthTest, MeasuresOnlyTheSequenceAtTheStart) {
  EXPECT_EQ(Utf8SequenceLength("ab"), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9t\xC3\xA9"), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC\xFF"), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80\x80"), 4u);
}

// A code point in more bytes than it needs: C0 and C1 (U+0000..U+007F in
// two), E0 80..9F (below U+0800 in three), F0 80..8F (below U+10000 in
// four).
TEST(Utf8SequenceLengthTest, RefusesOverlongForms) {
  ExpectLength({"\xC0\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\x80",
                "\xE0\x80\xAF", "\xE0\x9F\xBF", "\xF0\x80\x80\x80",
                "\xF0\x80\x80\xAF", "\xF0\x8F\xBF\xBF"},
               0);
}

// U+D800..U+DFFF: ED A0..BF.
TEST(Utf8SequenceLengthTest, RefusesSurrogates) {
  ExpectLength({"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xB0\x80", "\xED\xBF\xBF",
                // A UTF-16 pair encoded as two sequences (CESU-8).
                "\xED\xA0\xBD\xED\xB8\x80"},
               0);
}

TEST(Utf8SequenceLengthTest, RefusesCodePointsPastU10FFFF) {
  ExpectLength({"\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF", "\xF5\x80\x80\x80",
                "\xF7\xBF\xBF\xBF", "\xF8\x88\x80\x80\x80",
                "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF"},
               0);
}

TEST(Utf8SequenceLengthTest, RefusesSequencesCutOffBeforeTheirEnd) {
  ExpectLength({"\xC3", "\xE2", "\xE2\x82", "\xF0", "\xF0\x9F", "\xF0\x9F\x98",
                "\xF4\x8F\xBF"},
               0);
}

// A continuation byte alone, or a lead byte followed by one that is not a
// continuation (ASCII, or the lead of another sequence).
TEST(Utf8SequenceLengthTest, RefusesMisplacedOrMissingContinuationBytes) {
  ExpectLength(
      {"\x80", "\xBF", "\xC3(", "\xC3\xC3\xA9", "\xE2(\xA1", "\xE2\x82(",
       "\xF0\x9F(\x80", "\xF0\x9F\x98(", "\xF0\x9F\x98\xC3"},
      0);
}

TEST(ReplaceInvalidUtf8Test, KeepsEmptyAndValidTextAsItIs) {
  EXPECT_EQ(ReplaceInvalidUtf8(""), "");
  const std::string valid = absl::StrCat(
      "plain ", std::string(1, '\0'), "\x7F", "caf\xC3\xA9 \xE2\x82\xAC",
      "\xEF\xBF\xBF", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", kFffd);
  EXPECT_EQ(ReplaceInvalidUtf8(valid), valid);
}

TEST(ReplaceInvalidUtf8Test, ReplacesEachByteThatStartsNoSequence) {
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF"
                               "b"),
            absl::StrCat("a", kFffd, "b"));
  // Overlong "/": each of its bytes starts no sequence.
  EXPECT_EQ(ReplaceInvalidUtf8("\xC0\xAF"), absl::StrCat(kFffd, kFffd));
  // A surrogate: three bytes, three replacements.
  EXPECT_EQ(ReplaceInvalidUtf8("x\xED\xA0\x80y"),
            absl::StrCat("x", kFffd, kFffd, kFffd, "y"));
  // Past U+10FFFF.
  EXPECT_EQ(ReplaceInvalidUtf8("\xF4\x90\x80\x80"),
            absl::StrCat(kFffd, kFffd, kFffd, kFffd));
}

TEST(ReplaceInvalidUtf8Test, KeepsWhatFollowsACutOffSequence) {
  // The cut-off lead and its continuation bytes go; the ASCII or the
  // valid sequence after them stays.
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82("), absl::StrCat(kFffd, kFffd, "("));
  EXPECT_EQ(ReplaceInvalidUtf8("\xC3\xC3\xA9"),
            absl::StrCat(kFffd, "\xC3\xA9"));
  EXPECT_EQ(ReplaceInvalidUtf8("ok\xF0\x9F\x98"),
            absl::StrCat("ok", kFffd, kFffd, kFffd));
}

}  // namespace
}  // namespace makegood::text
