#include "core/pin_hash.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace makegood::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// PIN 2468, salt "0123456789abcdef", 10000 iterations, written with
// Python's hashlib.pbkdf2_hmac (another implementation) and base64.
constexpr char kStored2468[] =
    "pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$"
    "k1B8R5uK33utde+RotI7QPQrd5VEG5U5FXjmvedQWO0=";
constexpr char kSalt16Base64[] = "MDEyMzQ1Njc4OWFiY2RlZg==";  // 16 bytes.
constexpr char kKey32Base64[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

std::string Hex(const std::string& bytes) {
  return absl::BytesToHexString(bytes);
}

// RFC 7914 §11, the PBKDF2-HMAC-SHA256 vectors (dkLen 64; the first 32
// bytes are the key HashPin derives).
TEST(PinHashTest, MatchesTheRfc7914Vectors) {
  const PinHash one = HashPin("passwd", "salt", 1);
  EXPECT_EQ(Hex(one.key),
            "55ac046e56e3089fec1691c22544b605"
            "f94185216dde0465e68b9d57c20dacbc");
  EXPECT_EQ(one.iterations, 1);
  EXPECT_EQ(one.salt, "salt");
  const PinHash many = HashPin("Password", "NaCl", 80000);
  EXPECT_EQ(Hex(many.key),
            "4ddcd8f60b98be21830cee5ef22701f9"
            "641a4418d04c0414aeff08876b34ab56");
}

TEST(PinHashTest, ReadsAHashMadeElsewhere) {
  auto hash = ParsePinHash(kStored2468);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->iterations, 10000);
  EXPECT_EQ(hash->salt, "0123456789abcdef");
  EXPECT_EQ(hash->key.size(), 32u);
  EXPECT_TRUE(PinMatches(*hash, "2468"));
  EXPECT_EQ(FormatPinHash(*hash), kStored2468);
}

TEST(PinHashTest, RoundTrips) {
  const PinHash made = HashPin("13579", "a salt of 16 b..", kMinPinIterations);
  const std::string text = FormatPinHash(made);
  EXPECT_THAT(text, ::testing::StartsWith("pbkdf2-sha256$10000$"));
  auto parsed = ParsePinHash(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->iterations, made.iterations);
  EXPECT_EQ(parsed->salt, made.salt);
  EXPECT_EQ(parsed->key, made.key);
  EXPECT_TRUE(PinMatches(*parsed, "13579"));
}

TEST(PinHashTest, AWrongPinDoesNotMatch) {
  auto hash = ParsePinHash(kStored2468);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_FALSE(PinMatches(*hash, "2469"));
  EXPECT_FALSE(PinMatches(*hash, "8642"));
  EXPECT_FALSE(PinMatches(*hash, "24680"));
  EXPECT_FALSE(PinMatches(*hash, ""));
}

TEST(PinHashTest, AHashOutsideTheRulesMatchesNothing) {
  auto hash = ParsePinHash(kStored2468);
  ASSERT_TRUE(hash.ok()) << hash.status();
  PinHash short_key = *hash;
  short_key.key.resize(16);
  EXPECT_FALSE(PinMatches(short_key, "2468"));
  PinHash few_iterations = HashPin("2468", hash->salt, 1);
  EXPECT_FALSE(PinMatches(few_iterations, "2468"));
  EXPECT_FALSE(PinMatches(PinHash(), "2468"));
}

struct BadHash {
  std::string name;
  std::string text;
  std::string error;  // Expected in the message.
};

class BadPinHashTest : public ::testing::TestWithParam<BadHash> {};

TEST_P(BadPinHashTest, IsInvalidArgumentNamingTheProblem) {
  const BadHash& bad = GetParam();
  auto hash = ParsePinHash(bad.text);
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(hash.status().message());
  EXPECT_THAT(message, HasSubstr(bad.error));
  // The salt and key are never repeated.
  EXPECT_THAT(message, Not(HasSubstr(kSalt16Base64)));
  EXPECT_THAT(message, Not(HasSubstr("AAAAAAAA")));
}

std::string Stored(const std::string& scheme, const std::string& iterations,
                   const std::string& salt, const std::string& key) {
  return scheme + "$" + iterations + "$" + salt + "$" + key;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadPinHashTest,
    ::testing::Values(
        BadHash{"empty", "", "is not a PIN hash"},
        BadHash{"a_bare_pin", "2468", "is not a PIN hash"},
        BadHash{"too_few_parts",
                "pbkdf2-sha256$100000$" + std::string(kSalt16Base64),
                "is not a PIN hash"},
        BadHash{"too_many_parts",
                Stored("pbkdf2-sha256", "100000", kSalt16Base64, kKey32Base64) +
                    "$x",
                "is not a PIN hash"},
        BadHash{"unknown_scheme",
                Stored("pbkdf2-sha1", "100000", kSalt16Base64, kKey32Base64),
                "unknown scheme: only pbkdf2-sha256"},
        BadHash{"upper_case_scheme",
                Stored("PBKDF2-SHA256", "100000", kSalt16Base64, kKey32Base64),
                "unknown scheme"},
        BadHash{"iterations_not_a_number",
                Stored("pbkdf2-sha256", "many", kSalt16Base64, kKey32Base64),
                "iterations must be a whole number from 10000 to 10000000"},
        BadHash{"iterations_signed",
                Stored("pbkdf2-sha256", "+100000", kSalt16Base64, kKey32Base64),
                "iterations must be"},
        BadHash{"iterations_empty",
                Stored("pbkdf2-sha256", "", kSalt16Base64, kKey32Base64),
                "iterations must be"},
        BadHash{"iterations_too_few",
                Stored("pbkdf2-sha256", "9999", kSalt16Base64, kKey32Base64),
                "iterations must be a whole number from 10000"},
        BadHash{
            "iterations_too_many",
            Stored("pbkdf2-sha256", "10000001", kSalt16Base64, kKey32Base64),
            "iterations must be a whole number from 10000 to 10000000"},
        BadHash{"salt_not_base64",
                Stored("pbkdf2-sha256", "100000", "not*base64!", kKey32Base64),
                "the salt is not standard base64"},
        BadHash{"salt_without_padding",
                Stored("pbkdf2-sha256", "100000", "MDEyMzQ1Njc4OWFiY2RlZg",
                       kKey32Base64),
                "the salt is not standard base64"},
        BadHash{"salt_url_safe_alphabet",
                Stored("pbkdf2-sha256", "100000", "____________________",
                       kKey32Base64),
                "the salt is not standard base64"},
        BadHash{"salt_empty",
                Stored("pbkdf2-sha256", "100000", "", kKey32Base64),
                "the salt is not standard base64"},
        BadHash{"salt_too_short",
                Stored("pbkdf2-sha256", "100000", "MDEyMzQ1Njc4OWFiY2Rl",
                       kKey32Base64),
                "the salt must be at least 16 bytes, got 15"},
        BadHash{"key_not_base64",
                Stored("pbkdf2-sha256", "100000", kSalt16Base64, "key?"),
                "the key is not standard base64"},
        BadHash{"key_empty",
                Stored("pbkdf2-sha256", "100000", kSalt16Base64, ""),
                "the key is not standard base64"},
        BadHash{"key_too_short",
                Stored("pbkdf2-sha256", "100000", kSalt16Base64,
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="),
                "the key must be exactly 32 bytes, got 31"},
        BadHash{"key_too_long",
                Stored("pbkdf2-sha256", "100000", kSalt16Base64,
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                "the key must be exactly 32 bytes, got 33"}),
    [](const auto& info) { return info.param.name; });

TEST(PinFormatTest, TakesFourToEightDigits) {
  EXPECT_TRUE(CheckPinFormat("2468").ok());
  EXPECT_TRUE(CheckPinFormat("0000").ok());
  EXPECT_TRUE(CheckPinFormat("12345678").ok());
}

TEST(PinFormatTest, RefusesOtherPinsWithoutRepeatingThem) {
  for (const char* pin : {"", "135", "123456789", "12ab", "abcd", "24 68",
                          "2468\n", "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4"}) {
    const absl::Status status = CheckPinFormat(pin);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << pin;
    if (*pin != '\0') {
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr(pin))) << pin;
    }
  }
  EXPECT_THAT(std::string(CheckPinFormat("135").message()),
              HasSubstr("too short"));
  EXPECT_THAT(std::string(CheckPinFormat("123456789").message()),
              HasSubstr("too long"));
  EXPECT_THAT(std::string(CheckPinFormat("12ab").message()),
              HasSubstr("digits only"));
  EXPECT_THAT(std::string(CheckPinFormat("").message()),
              HasSubstr("too short"));
}

}  // namespace
}  // namespace makegood::core
