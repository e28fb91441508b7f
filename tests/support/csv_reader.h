#ifndef MAKEGOOD_TESTS_SUPPORT_CSV_READER_H_
#define MAKEGOOD_TESTS_SUPPORT_CSV_READER_H_

// A strict RFC 4180 reader for tests: quoted fields, doubled quotes, CRLF
// or LF line ends. nullopt when the text is not well-formed CSV.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace makegood::testing {

using CsvRows = std::vector<std::vector<std::string>>;

std::optional<CsvRows> ParseCsv(absl::string_view text);

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_CSV_READER_H_
