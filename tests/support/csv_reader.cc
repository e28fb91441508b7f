#include "support/csv_reader.h"

namespace makegood::testing {

std::optional<CsvRows> ParseCsv(absl::string_view text) {
  CsvRows rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool row_started = false;
  while (i < text.size()) {
    row_started = true;
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return std::nullopt;  // Unclosed quote.
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\r' &&
          text[i] != '\n')
        return std::nullopt;  // Text after a closing quote.
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\r' &&
             text[i] != '\n') {
        if (text[i] == '"') return std::nullopt;  // Quote inside a field.
        field += text[i++];
      }
    }
    row.push_back(std::move(field));
    field.clear();
    if (i >= text.size()) break;
    if (text[i] == ',') {
      ++i;
      if (i == text.size()) row.push_back("");
      continue;
    }
    if (text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
    rows.push_back(std::move(row));
    row.clear();
    row_started = false;
  }
  if (row_started) rows.push_back(std::move(row));
  return rows;
}

}  // namespace makegood::testing
