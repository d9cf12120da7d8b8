// A prepared SQLite statement with its values bound, finalised at scope
// exit; errors name the database file. Internal to the studio's stores.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "depthforge/core/error.h"

namespace depthforge {

using Value = std::variant<std::string, double, int64_t>;

// One prepared statement with its values bound; finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const std::string& sql, const std::vector<Value>& values)
      : db_(db), path_(path) {
    Check(sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &statement_, nullptr));
    for (size_t i = 0; i < values.size(); ++i) {
      const int index = int(i) + 1;
      if (const auto* text = std::get_if<std::string>(&values[i])) {
        Check(sqlite3_bind_text(statement_, index, text->data(), int(text->size()), SQLITE_TRANSIENT));
      } else if (const auto* real = std::get_if<double>(&values[i])) {
        Check(sqlite3_bind_double(statement_, index, *real));
      } else {
        Check(sqlite3_bind_int64(statement_, index, std::get<int64_t>(values[i])));
      }
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // True while there is a row to read.
  bool Step() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    Check(code);
    return false;
  }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, size_t(sqlite3_column_bytes(statement_, column))) : std::string();
  }
  double Real(int column) const { return sqlite3_column_double(statement_, column); }
  int64_t Integer(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  void Check(int code) const {
    if (code != SQLITE_OK) throw FileError(path_, std::string("job database: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* statement_ = nullptr;
};

// Opens (creating) a database in WAL mode with a busy timeout; throws FileError.
sqlite3* OpenDatabase(const std::string& path);

}  // namespace depthforge
