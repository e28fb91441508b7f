#ifndef MAKEGOOD_TESTS_ADAPTERS_POS_FIXTURE_OUTCOME_H_
#define MAKEGOOD_TESTS_ADAPTERS_POS_FIXTURE_OUTCOME_H_

// Whether a vendor fixture is one the translators must read: its checked-in
// expected output (X.expected.txt beside X.json) ends with "exit 0". The
// others are refusals on purpose. Tests that sweep a vendor's fixtures use
// it to tell a refusal they expect from one that would hide a regression.

#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "support/process.h"

namespace makegood::adapters {

inline bool FixtureTranslates(const std::filesystem::path& payload) {
  std::filesystem::path expected = payload;
  expected.replace_extension(".expected.txt");
  return absl::EndsWith(testing::ReadFileOrEmpty(expected.string()),
                        "exit 0\n");
}

}  // namespace makegood::adapters

#endif  // MAKEGOOD_TESTS_ADAPTERS_POS_FIXTURE_OUTCOME_H_
