// `makegood pin hash` through the real binary: a PIN on stdin, the stored
// form on stdout, checked with the core's parser; bad PINs exit 2 without
// being repeated.

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "core/pin_hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace makegood::cli {
namespace {

using ::makegood::testing::CommandResult;
using ::makegood::testing::RunCommand;
using ::makegood::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class PinHashCommandTest : public ::testing::Test {
 protected:
  // Runs `makegood pin hash` with `args`, `input` on stdin.
  CommandResult PinHash(const std::string& input,
                        const std::vector<std::string>& args = {}) {
    const std::string path = dir_.File("stdin-" + std::to_string(runs_++));
    {
      std::ofstream file(path, std::ios::binary);
      file << input;
    }
    std::vector<std::string> argv = {MAKEGOOD_BIN, "pin", "hash"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, {}, path);
  }

  TempDir dir_;
  int runs_ = 0;
};

TEST_F(PinHashCommandTest, PrintsAHashOfThePinAndNothingElse) {
  const CommandResult result = PinHash("2468\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // One line on stdout.
  ASSERT_FALSE(result.out.empty());
  EXPECT_EQ(result.out.back(), '\n');
  const std::string line(absl::StripTrailingAsciiWhitespace(result.out));
  EXPECT_EQ(line.find('\n'), std::string::npos) << result.out;
  EXPECT_THAT(result.err, Not(HasSubstr("2468")));

  auto hash = core::ParsePinHash(line);
  ASSERT_TRUE(hash.ok()) << hash.status() << ": " << line;
  EXPECT_EQ(hash->iterations, core::kDefaultPinIterations);
  EXPECT_EQ(hash->salt.size(), 16u);
  EXPECT_TRUE(core::PinMatches(*hash, "2468"));
  EXPECT_FALSE(core::PinMatches(*hash, "2469"));
}

TEST_F(PinHashCommandTest, EachRunPicksAFreshSalt) {
  const CommandResult first = PinHash("2468\n");
  const CommandResult second = PinHash("2468\n");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto a = core::ParsePinHash(absl::StripTrailingAsciiWhitespace(first.out));
  auto b = core::ParsePinHash(absl::StripTrailingAsciiWhitespace(second.out));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->key, b->key);
  EXPECT_TRUE(core::PinMatches(*b, "2468"));
}

TEST_F(PinHashCommandTest, TakesALastLineWithoutItsEnd) {
  for (const char* input : {"1357", "1357\r\n"}) {
    const CommandResult result = PinHash(input);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto hash =
        core::ParsePinHash(absl::StripTrailingAsciiWhitespace(result.out));
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_TRUE(core::PinMatches(*hash, "1357"));
  }
}

TEST_F(PinHashCommandTest, UsesTheIterationsAsked) {
  const CommandResult result = PinHash("2468\n", {"--iterations", "10000"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto hash =
      core::ParsePinHash(absl::StripTrailingAsciiWhitespace(result.out));
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->iterations, 10000);
  EXPECT_TRUE(core::PinMatches(*hash, "2468"));
}

TEST_F(PinHashCommandTest, RefusesIterationsOutOfRange) {
  for (const char* iterations : {"9999", "10000001", "many"}) {
    const CommandResult result =
        PinHash("2468\n", {"--iterations", iterations});
    EXPECT_EQ(result.exit_code, 2) << iterations;
    EXPECT_THAT(result.out, IsEmpty()) << iterations;
  }
}

TEST_F(PinHashCommandTest, RefusesANonPinWithoutRepeatingIt) {
  const CommandResult result = PinHash("12ab\n");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, HasSubstr("digits"));
  EXPECT_THAT(result.err, Not(HasSubstr("12ab")));
}

TEST_F(PinHashCommandTest, RefusesPinsOfTheWrongLength) {
  for (const char* pin : {"135\n", "123456789\n", "\n"}) {
    const CommandResult result = PinHash(pin);
    EXPECT_EQ(result.exit_code, 2) << pin;
    EXPECT_THAT(result.out, IsEmpty()) << pin;
    EXPECT_THAT(result.err, HasSubstr("4 to 8 digits")) << pin;
  }
  const CommandResult long_pin = PinHash("123456789\n");
  EXPECT_THAT(long_pin.err, Not(HasSubstr("123456789")));
}

TEST_F(PinHashCommandTest, RefusesAnEmptyStdin) {
  const CommandResult result = PinHash("");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.err, HasSubstr("no PIN"));
}

TEST_F(PinHashCommandTest, HelpSaysWhereTheLineGoes) {
  const CommandResult result =
      RunCommand({MAKEGOOD_BIN, "pin", "hash", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("staff[].pin_pbkdf2"));
}

}  // namespace
}  // namespace makegood::cli
