#include "support/db_query.h"

#include <sqlite3.h>

#include "gtest/gtest.h"

namespace makegood::testing {
namespace {

// Runs `read` on the first row of `sql`, if any.
template <typename Read>
void FirstRow(const std::string& db_path, const std::string& sql, Read read) {
  sqlite3* db = nullptr;
  EXPECT_EQ(
      sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  if (sqlite3_step(stmt) == SQLITE_ROW) read(stmt);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  int64_t value = -1;
  FirstRow(db_path, sql,
           [&](sqlite3_stmt* stmt) { value = sqlite3_column_int64(stmt, 0); });
  return value;
}

std::string QueryText(const std::string& db_path, const std::string& sql) {
  std::string value = "<no row>";
  FirstRow(db_path, sql, [&](sqlite3_stmt* stmt) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    value = text == nullptr ? "<null>" : reinterpret_cast<const char*>(text);
  });
  return value;
}

}  // namespace makegood::testing
