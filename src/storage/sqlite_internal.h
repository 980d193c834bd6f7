// The SQLite backend's shared parts (SQLiteCpp): turning SQLite's
// exceptions into a Status, the transaction guards, and the schema
// (sqlite_schema.cc: the migrations and the integrity check). Internal to
// src/storage (sqlite_storage.cc).
#ifndef BACKAID_SRC_STORAGE_SQLITE_INTERNAL_H_
#define BACKAID_SRC_STORAGE_SQLITE_INTERNAL_H_

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "backaid/status.h"
#include "src/storage/storage.h"

namespace backaid::storage::internal {

// kIoError for what the disk or another process caused (cannot open, I/O,
// full, read-only, busy, locked, permission, not a database), else
// kInternal; the message names `what`.
inline Status FromSqlite(const SQLite::Exception& e, std::string_view what) {
  std::string msg = "sqlite: " + std::string(what) + ": " + e.what();
  switch (e.getErrorCode()) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PERM:
    case SQLITE_NOTADB:
      return Status::IoError(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

// Runs `body` and turns any exception into a Status: nothing leaves the
// module by throwing.
template <typename F>
auto Guard(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return FromSqlite(e, what);
  } catch (const std::exception& e) {
    return Status::Internal("sqlite: " + std::string(what) + ": " + e.what());
  }
}

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class WriteTx {
 public:
  explicit WriteTx(SQLite::Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
  }
  ~WriteTx() {
    if (done_) return;
    try {
      db_.exec("ROLLBACK");
    } catch (...) {  // nothing to do: the connection rolls back on its own
    }
  }
  void Commit() {
    db_.exec("COMMIT");
    done_ = true;
  }
  WriteTx(const WriteTx&) = delete;
  WriteTx& operator=(const WriteTx&) = delete;

 private:
  SQLite::Database& db_;
  bool done_ = false;
};

// A read snapshot over several statements (BEGIN DEFERRED).
class ReadTx {
 public:
  explicit ReadTx(SQLite::Database& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadTx() {
    try {
      db_.exec("COMMIT");
    } catch (...) {
    }
  }
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;

 private:
  SQLite::Database& db_;
};

// Brings the schema to the latest migration, one transaction per migration
// (re-reading the version under the write lock, so concurrent starters
// apply each once); kFailedPrecondition when the database is newer than
// this backaid. Throws SQLite::Exception (run it under Guard).
Status MigrateSqlite(SQLite::Database& d);

// integrity_check, foreign_key_check and entry seq 1..n per episode, with
// the counts of episodes and entries. Throws SQLite::Exception (run it
// under Guard).
IntegrityReport SqliteIntegrity(SQLite::Database& d);

}  // namespace backaid::storage::internal

#endif  // BACKAID_SRC_STORAGE_SQLITE_INTERNAL_H_
