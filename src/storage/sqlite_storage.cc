// SQLite backend (SQLiteCpp).
//
// Durability and privacy settings, per connection: WAL with
// synchronous=FULL (a committed write survives power loss, not only
// SIGKILL), foreign_keys=ON (entries and idempotency rows cascade with
// their episode), secure_delete=ON (freed pages are zeroed, so erased data
// does not linger in the file) and a busy timeout. After an erase the WAL
// is checkpointed and truncated so the old page images leave it too.
//
// Concurrency: one connection per thread, opened lazily and kept in a map
// keyed by thread id (SQLite connections must not be shared by concurrent
// threads). Every write runs in BEGIN IMMEDIATE, which takes the database's
// single write lock up front: read-modify-write sequences (next seq,
// idempotency check then insert) cannot interleave, and a transaction
// never has to be upgraded from read to write (the case SQLite answers
// with SQLITE_BUSY without waiting).
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "src/storage/sqlite_internal.h"
#include "src/storage/storage.h"
#include "src/storage/storage_internal.h"

namespace backaid::storage::internal {
namespace {

constexpr int kBusyTimeoutMs = 10000;

std::optional<IdempotencyRecord> FindIdem(SQLite::Database& db,
                                          const std::string& key_hash) {
  SQLite::Statement q(db,
                      "SELECT key_hash, request_hash, status, response, "
                      "episode_id, created_at FROM idempotency "
                      "WHERE key_hash = ?");
  q.bind(1, key_hash);
  if (!q.executeStep()) return std::nullopt;
  IdempotencyRecord r;
  r.key_hash = q.getColumn(0).getString();
  r.request_hash = q.getColumn(1).getString();
  r.status = q.getColumn(2).getInt();
  const SQLite::Column blob = q.getColumn(3);
  r.response.assign(static_cast<const char*>(blob.getBlob()),
                    static_cast<size_t>(blob.getBytes()));
  r.episode_id = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
  r.created_at = q.getColumn(5).getInt64();
  return r;
}

void InsertIdem(SQLite::Database& db, const IdempotencyRecord& idem,
                const std::string& episode_id) {
  SQLite::Statement q(db,
                      "INSERT INTO idempotency (key_hash, request_hash, "
                      "status, response, episode_id, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, idem.key_hash);
  q.bind(2, idem.request_hash);
  q.bind(3, idem.status);
  q.bind(4, idem.response.data(), static_cast<int>(idem.response.size()));
  if (episode_id.empty()) {
    q.bind(5);  // NULL
  } else {
    q.bind(5, episode_id);
  }
  q.bind(6, static_cast<int64_t>(idem.created_at));
  q.exec();
}

bool EpisodeExists(SQLite::Database& db, const std::string& id) {
  SQLite::Statement q(db, "SELECT 1 FROM episodes WHERE id = ?");
  q.bind(1, id);
  return q.executeStep();
}

class SqliteStorage final : public Storage {
 public:
  explicit SqliteStorage(std::string path) : path_(std::move(path)) {}

  std::string_view backend() const override { return "sqlite"; }

  Status Migrate() override {
    return Guard("migrate", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      return MigrateSqlite(**db);
    });
  }

  Status Ping() override {
    return Guard("ping", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      (*db)->execAndGet("SELECT 1");
      return Status::Ok();
    });
  }

  Status CreateEpisode(const EpisodeRecord& episode,
                       const IdempotencyRecord* idem,
                       std::optional<IdempotencyRecord>* existing) override {
    if (existing != nullptr) existing->reset();
    if (Status s = internal::CheckEpisodeArgs(episode, idem); !s.ok()) {
      return s;
    }
    return Guard("create episode", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Database& d = **db;
      WriteTx tx(d);
      if (idem != nullptr) {
        if (auto found = FindIdem(d, idem->key_hash)) {
          if (existing != nullptr) *existing = std::move(*found);
          return Status::Ok();
        }
      }
      if (EpisodeExists(d, episode.id)) {
        return Status::FailedPrecondition("episode already exists");
      }
      SQLite::Statement q(d,
                          "INSERT INTO episodes (id, token_hash, created_at, "
                          "document) VALUES (?, ?, ?, ?)");
      q.bind(1, episode.id);
      q.bind(2, episode.token_hash);
      q.bind(3, static_cast<int64_t>(episode.created_at));
      q.bind(4, episode.document);
      q.exec();
      if (idem != nullptr) {
        InsertIdem(d, *idem,
                   idem->episode_id.empty() ? episode.id : idem->episode_id);
      }
      tx.Commit();
      return Status::Ok();
    });
  }

  Result<EpisodeRecord> GetEpisode(std::string_view id) override {
    return Guard("get episode", [&]() -> Result<EpisodeRecord> {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Statement q(**db,
                          "SELECT id, token_hash, created_at, document "
                          "FROM episodes WHERE id = ?");
      q.bind(1, std::string(id));
      if (!q.executeStep()) return Status::NotFound("no such episode");
      EpisodeRecord r;
      r.id = q.getColumn(0).getString();
      r.token_hash = q.getColumn(1).getString();
      r.created_at = q.getColumn(2).getInt64();
      r.document = q.getColumn(3).getString();
      return r;
    });
  }

  Status UpdateEpisodeDocument(std::string_view id,
                               std::string_view document) override {
    if (Status s = internal::CheckDocumentArgs(id, document); !s.ok()) {
      return s;
    }
    return Guard("update episode", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Statement q(**db,
                          "UPDATE episodes SET document = ? WHERE id = ?");
      q.bind(1, std::string(document));
      q.bind(2, std::string(id));
      if (q.exec() == 0) return Status::NotFound("no such episode");
      return Status::Ok();
    });
  }

  Status AddEntry(EntryRecord* entry, std::string_view new_episode_document,
                  const IdempotencyRecord* idem,
                  std::optional<IdempotencyRecord>* existing) override {
    if (existing != nullptr) existing->reset();
    if (Status s = internal::CheckEntryArgs(entry, new_episode_document, idem);
        !s.ok()) {
      return s;
    }
    return Guard("add entry", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Database& d = **db;
      WriteTx tx(d);
      if (idem != nullptr) {
        if (auto found = FindIdem(d, idem->key_hash)) {
          if (existing != nullptr) *existing = std::move(*found);
          return Status::Ok();
        }
      }
      if (!EpisodeExists(d, entry->episode_id)) {
        return Status::NotFound("no such episode");
      }
      SQLite::Statement next(
          d,
          "SELECT COALESCE(MAX(seq), 0) + 1 FROM entries WHERE episode_id = ?");
      next.bind(1, entry->episode_id);
      next.executeStep();
      const int64_t seq = next.getColumn(0).getInt64();
      if (entry->expected_seq != 0 && seq != entry->expected_seq) {
        return Status::FailedPrecondition(
            "another entry was added to this episode meanwhile");
      }
      SQLite::Statement ins(d,
                            "INSERT INTO entries (episode_id, seq, created_at, "
                            "document) VALUES (?, ?, ?, ?)");
      ins.bind(1, entry->episode_id);
      ins.bind(2, static_cast<int64_t>(seq));
      ins.bind(3, static_cast<int64_t>(entry->created_at));
      ins.bind(4, entry->document);
      ins.exec();
      if (!new_episode_document.empty()) {
        SQLite::Statement up(d,
                             "UPDATE episodes SET document = ? WHERE id = ?");
        up.bind(1, std::string(new_episode_document));
        up.bind(2, entry->episode_id);
        up.exec();
      }
      if (idem != nullptr) {
        InsertIdem(
            d, *idem,
            idem->episode_id.empty() ? entry->episode_id : idem->episode_id);
      }
      tx.Commit();
      entry->seq = seq;
      return Status::Ok();
    });
  }

  Result<std::vector<EntryRecord>> ListEntriesPage(std::string_view id,
                                                   int64_t after_seq,
                                                   int64_t limit) override {
    if (limit < 1 || after_seq < 0) {
      return Status::InvalidArgument("a page needs limit >= 1, after >= 0");
    }
    return Guard("list entries", [&]() -> Result<std::vector<EntryRecord>> {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Database& d = **db;
      const std::string key(id);
      ReadTx tx(d);
      if (!EpisodeExists(d, key)) return Status::NotFound("no such episode");
      SQLite::Statement q(d,
                          "SELECT episode_id, seq, created_at, document "
                          "FROM entries WHERE episode_id = ? AND seq > ? "
                          "ORDER BY seq LIMIT ?");
      q.bind(1, key);
      q.bind(2, static_cast<int64_t>(after_seq));
      q.bind(3, static_cast<int64_t>(limit));
      std::vector<EntryRecord> out;
      while (q.executeStep()) {
        EntryRecord r;
        r.episode_id = q.getColumn(0).getString();
        r.seq = q.getColumn(1).getInt64();
        r.created_at = q.getColumn(2).getInt64();
        r.document = q.getColumn(3).getString();
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  Result<std::optional<IdempotencyRecord>> FindIdempotency(
      std::string_view key_hash) override {
    return Guard("find idempotency",
                 [&]() -> Result<std::optional<IdempotencyRecord>> {
                   Result<SQLite::Database*> db = Conn();
                   if (!db.ok()) return db.status();
                   return FindIdem(**db, std::string(key_hash));
                 });
  }

  Result<int64_t> PurgeIdempotency(int64_t before_ms) override {
    return Guard("purge idempotency", [&]() -> Result<int64_t> {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      WriteTx tx(**db);
      SQLite::Statement q(**db, "DELETE FROM idempotency WHERE created_at < ?");
      q.bind(1, static_cast<int64_t>(before_ms));
      const int64_t deleted = q.exec();
      tx.Commit();
      return deleted;
    });
  }

  Status EraseEpisode(std::string_view id) override {
    Status erased = Guard("erase episode", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Database& d = **db;
      const std::string key(id);
      WriteTx tx(d);
      for (const char* sql : {"DELETE FROM idempotency WHERE episode_id = ?",
                              "DELETE FROM entries WHERE episode_id = ?"}) {
        SQLite::Statement q(d, sql);
        q.bind(1, key);
        q.exec();
      }
      SQLite::Statement q(d, "DELETE FROM episodes WHERE id = ?");
      q.bind(1, key);
      if (q.exec() == 0) return Status::NotFound("no such episode");
      tx.Commit();
      return Status::Ok();
    });
    if (!erased.ok()) return erased;
    // Copy the WAL into the file (where secure_delete zeroed the freed
    // space) and truncate it. Best effort: if a reader is in the way the
    // next automatic checkpoint overwrites those frames.
    try {
      Result<SQLite::Database*> db = Conn();
      if (db.ok()) {
        SQLite::Statement q(**db, "PRAGMA wal_checkpoint(TRUNCATE)");
        while (q.executeStep()) {
        }
      }
    } catch (...) {
    }
    return Status::Ok();
  }

  Status AppendAudit(const AuditRecord& r) override {
    if (Status s = internal::CheckAuditArgs(r); !s.ok()) return s;
    return Guard("append audit", [&]() -> Status {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Statement q(**db,
                          "INSERT INTO audit (episode_ref, token_ref, action, "
                          "outcome, at) VALUES (?, ?, ?, ?, ?)");
      q.bind(1, r.episode_ref);
      q.bind(2, r.token_ref);
      q.bind(3, r.action);
      q.bind(4, r.outcome);
      q.bind(5, static_cast<int64_t>(r.at));
      q.exec();
      return Status::Ok();
    });
  }

  Result<std::vector<AuditRecord>> ListAudit(
      std::string_view episode_ref) override {
    return Guard("list audit", [&]() -> Result<std::vector<AuditRecord>> {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      SQLite::Statement q(**db,
                          "SELECT episode_ref, token_ref, action, outcome, at "
                          "FROM audit WHERE episode_ref = ? ORDER BY id");
      q.bind(1, std::string(episode_ref));
      std::vector<AuditRecord> out;
      while (q.executeStep()) {
        AuditRecord r;
        r.episode_ref = q.getColumn(0).getString();
        r.token_ref = q.getColumn(1).getString();
        r.action = q.getColumn(2).getString();
        r.outcome = q.getColumn(3).getString();
        r.at = q.getColumn(4).getInt64();
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  Result<IntegrityReport> CheckIntegrity() override {
    return Guard("check integrity", [&]() -> Result<IntegrityReport> {
      Result<SQLite::Database*> db = Conn();
      if (!db.ok()) return db.status();
      return SqliteIntegrity(**db);
    });
  }

 private:
  // This thread's connection, opened and configured on first use.
  Result<SQLite::Database*> Conn() {
    const std::thread::id me = std::this_thread::get_id();
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = conns_.find(me);
      if (it != conns_.end()) return it->second.get();
    }
    std::unique_ptr<SQLite::Database> db;
    try {
      db = std::make_unique<SQLite::Database>(
          path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
      db->exec("PRAGMA journal_mode = WAL");
      db->exec("PRAGMA synchronous = FULL");
      db->exec("PRAGMA foreign_keys = ON");
      db->exec("PRAGMA secure_delete = ON");
    } catch (const SQLite::Exception& e) {
      Status s = FromSqlite(e, "open " + path_);
      return Status::IoError(s.message());
    }
    SQLite::Database* raw = db.get();
    std::lock_guard<std::mutex> lock(mu_);
    conns_[me] = std::move(db);
    return raw;
  }

  const std::string path_;
  std::mutex mu_;
  // A thread id may be reused after its thread ended; the new thread then
  // inherits an idle connection, which SQLite allows.
  std::map<std::thread::id, std::unique_ptr<SQLite::Database>> conns_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenSqlite(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::IoError("sqlite: cannot create directory " +
                             parent.string() + ": " + ec.message());
    }
  }
  // Health data: the file is created 0600 whatever the umask, and SQLite
  // gives its -wal and -shm files the database file's mode.
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status::IoError(
          "sqlite: cannot create " + path + ": " +
          std::error_code(errno, std::generic_category()).message());
    }
    ::close(fd);
  }
  return std::unique_ptr<Storage>(std::make_unique<SqliteStorage>(path));
}

}  // namespace backaid::storage::internal
