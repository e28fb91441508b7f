#ifndef MAKEGOOD_TESTS_SUPPORT_DB_QUERY_H_
#define MAKEGOOD_TESTS_SUPPORT_DB_QUERY_H_

// One value of a query, read straight from a SQLite file (read-only), to
// check what a real binary stored. A query that does not prepare fails the
// test with SQLite's message.

#include <cstdint>
#include <string>

namespace makegood::testing {

// The first column of the first row; -1 when there is no row.
int64_t QueryInt(const std::string& db_path, const std::string& sql);

// The same as text; "<no row>" or "<null>" when there is none.
std::string QueryText(const std::string& db_path, const std::string& sql);

}  // namespace makegood::testing

#endif  // MAKEGOOD_TESTS_SUPPORT_DB_QUERY_H_
