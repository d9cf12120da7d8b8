#include "depthforge/studio/sqlite_statement.h"

namespace depthforge {

sqlite3* OpenDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string reason = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    throw FileError(path, "database: " + reason);
  }
  sqlite3_busy_timeout(db, 5000);
  try {
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}) {
      Statement statement(db, path, pragma, {});
      while (statement.Step()) {
      }
    }
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  return db;
}

}  // namespace depthforge
