// The SQLite schema: its migrations (append-only) and the integrity check
// of `backaid db check` (sqlite_internal.h).
#include <SQLiteCpp/SQLiteCpp.h>

#include <iterator>
#include <string>
#include <vector>

#include "src/storage/sqlite_internal.h"
#include "src/storage/storage.h"

namespace backaid::storage::internal {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append-only: never edit a migration that has shipped; add a new one.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE episodes (
  id          TEXT PRIMARY KEY NOT NULL,
  token_hash  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  document    TEXT NOT NULL
);
CREATE TABLE entries (
  episode_id  TEXT NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  document    TEXT NOT NULL,
  PRIMARY KEY (episode_id, seq)
) WITHOUT ROWID;
CREATE TABLE idempotency (
  key_hash      TEXT PRIMARY KEY NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  response      BLOB NOT NULL,
  episode_id    TEXT REFERENCES episodes(id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL
);
CREATE INDEX idempotency_by_episode ON idempotency(episode_id);
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  episode_ref  TEXT NOT NULL,
  token_ref    TEXT NOT NULL,
  action       TEXT NOT NULL,
  outcome      TEXT NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX audit_by_episode_ref ON audit(episode_ref, id);
)sql"},
    {2, R"sql(
CREATE INDEX idempotency_by_age ON idempotency(created_at);
)sql"},
};

}  // namespace

Status MigrateSqlite(SQLite::Database& d) {
  d.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "version INTEGER PRIMARY KEY NOT NULL, "
      "applied_at INTEGER NOT NULL)");
  const int latest = kMigrations[std::size(kMigrations) - 1].version;
  for (const Migration& m : kMigrations) {
    // One transaction per migration; the version is re-read under the
    // write lock, so a concurrent starter that got there first wins
    // and this one skips it.
    WriteTx tx(d);
    const int current =
        d.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            .getInt();
    if (current > latest) {
      return Status::FailedPrecondition(
          "sqlite: database schema version " + std::to_string(current) +
          " is newer than this backaid supports (" + std::to_string(latest) +
          ")");
    }
    if (current >= m.version) continue;
    d.exec(m.sql);
    SQLite::Statement ins(
        d,
        "INSERT INTO schema_version (version, applied_at) "
        "VALUES (?, CAST(strftime('%s','now') AS INTEGER) * 1000)");
    ins.bind(1, m.version);
    ins.exec();
    tx.Commit();
  }
  return Status::Ok();
}

IntegrityReport SqliteIntegrity(SQLite::Database& d) {
  IntegrityReport report;
  std::vector<std::string> problems;
  ReadTx tx(d);
  {
    SQLite::Statement q(d, "PRAGMA integrity_check");
    while (q.executeStep()) {
      std::string line = q.getColumn(0).getString();
      if (line != "ok") problems.push_back("integrity_check: " + line);
    }
  }
  {
    SQLite::Statement q(d, "PRAGMA foreign_key_check");
    int64_t orphans = 0;
    while (q.executeStep()) ++orphans;
    if (orphans > 0) {
      problems.push_back(std::to_string(orphans) +
                         " rows reference a missing episode");
    }
  }
  {
    // Per episode, seq must be exactly 1..n.
    SQLite::Statement q(d,
                        "SELECT COUNT(*) FROM (SELECT episode_id FROM "
                        "entries GROUP BY episode_id HAVING MIN(seq) <> 1 "
                        "OR MAX(seq) <> COUNT(*) "
                        "OR COUNT(DISTINCT seq) <> COUNT(*))");
    q.executeStep();
    const int64_t bad = q.getColumn(0).getInt64();
    if (bad > 0) {
      problems.push_back(std::to_string(bad) +
                         " episodes whose entry seq is not 1..n");
    }
  }
  report.episodes = d.execAndGet("SELECT COUNT(*) FROM episodes").getInt64();
  report.entries = d.execAndGet("SELECT COUNT(*) FROM entries").getInt64();
  report.ok = problems.empty();
  if (report.ok) {
    report.detail =
        "integrity_check ok; foreign_key_check ok; entry seq 1..n per "
        "episode";
  } else {
    for (const std::string& p : problems) {
      if (!report.detail.empty()) report.detail += "; ";
      report.detail += p;
    }
  }
  return report;
}

}  // namespace backaid::storage::internal
