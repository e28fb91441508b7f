#ifndef MAKEGOOD_REPORT_TEXT_TABLE_H_
#define MAKEGOOD_REPORT_TEXT_TABLE_H_

// Aligned plain-text tables for terminal output.

#include <ostream>
#include <string>
#include <vector>

namespace makegood::report {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void AddRow(std::vector<std::string> cells);
  // Columns padded to their widest cell, two spaces apart.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace makegood::report

#endif  // MAKEGOOD_REPORT_TEXT_TABLE_H_
