// ReadTokenFile: the token alone from a file, whitespace around it ignored,
// anything else refused with the file named and its text never shown.

#include "client/token_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace makegood::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TokenFileTest : public ::testing::Test {
 protected:
  // Writes `text` to a file of mode `mode`; its path.
  std::string Write(const std::string& name, const std::string& text,
                    mode_t mode = 0600) {
    const std::string path = dir_.File(name);
    {
      std::ofstream out(path, std::ios::binary);
      out << text;
    }
    chmod(path.c_str(), mode);
    return path;
  }

  makegood::testing::TempDir dir_;
};

TEST_F(TokenFileTest, ReadsTheTokenWithoutTheWhitespaceAroundIt) {
  for (const std::string& text :
       {std::string("s3cret-token"), std::string("s3cret-token\n"),
        std::string("s3cret-token\r\n"),
        std::string("  s3cret-token \t\n\n")}) {
    auto read = ReadTokenFile(Write("token", text));
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->token, "s3cret-token");
    EXPECT_EQ(read->warning, "");
  }
}

TEST_F(TokenFileTest, WarnsWhenOtherUsersMayReadTheFileButReadsIt) {
  const std::string path = Write("token", "s3cret-token\n", 0644);
  auto read = ReadTokenFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->token, "s3cret-token");
  EXPECT_EQ(
      read->warning,
      path + " can be read by other users (mode 0644): chmod 600 " + path);
  chmod(path.c_str(), 0640);
  EXPECT_THAT(ReadTokenFile(path)->warning, HasSubstr("(mode 0640)"));
  chmod(path.c_str(), 0400);
  EXPECT_EQ(ReadTokenFile(path)->warning, "");
}

TEST_F(TokenFileTest, RefusesAnEmptyOrBlankFile) {
  for (const std::string& text :
       {std::string(""), std::string("\n"), std::string("  \t\r\n ")}) {
    const std::string path = Write("token", text);
    auto read = ReadTokenFile(path);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(read.status().message(),
              path + ": is empty: write the token in it, alone");
  }
}

TEST_F(TokenFileTest, RefusesMoreThanATokenWithoutShowingIt) {
  for (const std::string& text :
       {std::string("first-token\nsecond-token\n"),
        std::string("makegood: { token: first-token }\n"),
        std::string("first\ttoken"), std::string("first-token\x01"),
        std::string("caf\xc3\xa9-token")}) {
    auto read = ReadTokenFile(Write("token", text));
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(read.status().message()),
                HasSubstr("holds more than a token"));
    EXPECT_THAT(std::string(read.status().message()), Not(HasSubstr("first")));
  }
}

TEST_F(TokenFileTest, RefusesAFileLargerThanAnyToken) {
  const std::string path = Write("token", std::string(4097, 'a'));
  auto read = ReadTokenFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("is larger than 4096 bytes"));
  EXPECT_TRUE(ReadTokenFile(Write("token", std::string(4096, 'a'))).ok());
}

TEST_F(TokenFileTest, NamesAFileThatCannotBeRead) {
  const std::string missing = dir_.File("missing.token");
  auto read = ReadTokenFile(missing);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(read.status().message(),
            missing + ": cannot read: No such file or directory");
  auto directory = ReadTokenFile(dir_.path());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(directory.status().message()),
              HasSubstr(dir_.path() + ": cannot read: "));
  EXPECT_EQ(ReadTokenFile("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --token-file <(pass show makegood): a pipe, which has no size and no
// mode worth a warning.
TEST_F(TokenFileTest, ReadsATokenFromAPipe) {
  int ends[2];
  ASSERT_EQ(pipe(ends), 0);
  const std::string text = "piped-token\n";
  ASSERT_EQ(write(ends[1], text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  close(ends[1]);
  auto read = ReadTokenFile("/dev/fd/" + std::to_string(ends[0]));
  close(ends[0]);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->token, "piped-token");
  EXPECT_EQ(read->warning, "");
}

// The rule a token from a file, a flag or the plugin's caller is held to.
TEST(IsWellFormedTokenTest, VisibleAsciiOnly) {
  EXPECT_TRUE(IsWellFormedToken("demo-server-dana"));
  EXPECT_TRUE(IsWellFormedToken("!~"));
  EXPECT_TRUE(IsWellFormedToken("aZ09+/=_-.:"));
  for (const std::string& token :
       {std::string(""), std::string("two words"), std::string("a\nb"),
        std::string("a\tb"), std::string("a\rb"), std::string("a\x7f"),
        std::string("a\x01"), std::string("caf\xc3\xa9"), std::string("\xff"),
        std::string("a\0b", 3)}) {
    EXPECT_FALSE(IsWellFormedToken(token)) << token.size();
  }
}

}  // namespace
}  // namespace makegood::client
