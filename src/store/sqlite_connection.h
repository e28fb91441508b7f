#ifndef MAKEGOOD_STORE_SQLITE_CONNECTION_H_
#define MAKEGOOD_STORE_SQLITE_CONNECTION_H_

// The store's names for the shared SQLite helper (src/sqlite/connection.h,
// target makegood_sqlite, which the adapters' state files use too): the
// store's files speak of Connection, Statement, ForEachRow and SqliteError.

#include "sqlite/connection.h"

namespace makegood::store {

using sqlite::Connection;
using sqlite::ForEachRow;
using sqlite::SqliteError;
using sqlite::Statement;

}  // namespace makegood::store

#endif  // MAKEGOOD_STORE_SQLITE_CONNECTION_H_
