// PostgreSQL backend (libpqxx 6.4, keeping to the API that 7.x also has:
// exec / exec_params, no deprecated calls).
//
// Connections (postgres_pool.h): a bounded pool (kPoolSize) with a
// blocking acquire that gives up after kAcquireTimeout. A connection that
// broke is dropped, and so are the idle ones (after a server restart they
// are all dead); the next call connects afresh. A broken connection is
// reported as kIoError, not retried: the caller decides whether to repeat
// the request (writes carry idempotency keys for that).
//
// Transactions run at READ COMMITTED. AddEntry locks the episode row
// (SELECT ... FOR UPDATE) before reading MAX(seq), so writers to one
// episode queue up and each sees the previous one's entry. Serialization
// failures and deadlocks (40001, 40P01) and unique violations (23505: two
// requests with one idempotency key, the loser rolls back and on retry
// finds the winner's record) are retried up to kMaxAttempts times.
//
// Binary data (the idempotency response) travels as hex through
// decode()/encode(), which is the same in libpqxx 6 and 7.
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/storage/postgres_pool.h"
#include "src/storage/storage.h"
#include "src/storage/storage_internal.h"

namespace backaid::storage::internal {
namespace {

// pg_advisory_xact_lock key for migrations: any constant unique to backaid.
constexpr int64_t kMigrationLockKey = 0x6261636b61696401;  // "backaid\1"

struct Migration {
  int version;
  const char* sql;
};

// Append-only: never edit a migration that has shipped; add a new one.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE episodes (
  id          text PRIMARY KEY,
  token_hash  text NOT NULL,
  created_at  bigint NOT NULL,
  document    text NOT NULL
);
CREATE TABLE entries (
  episode_id  text NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
  seq         bigint NOT NULL,
  created_at  bigint NOT NULL,
  document    text NOT NULL,
  PRIMARY KEY (episode_id, seq)
);
CREATE TABLE idempotency (
  key_hash      text PRIMARY KEY,
  request_hash  text NOT NULL,
  status        integer NOT NULL,
  response      bytea NOT NULL,
  episode_id    text REFERENCES episodes(id) ON DELETE CASCADE,
  created_at    bigint NOT NULL
);
CREATE INDEX idempotency_by_episode ON idempotency(episode_id);
CREATE TABLE audit (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  episode_ref  text NOT NULL,
  token_ref    text NOT NULL,
  action       text NOT NULL,
  outcome      text NOT NULL,
  at           bigint NOT NULL
);
CREATE INDEX audit_by_episode_ref ON audit(episode_ref, id);
)sql"},
    {2, R"sql(
CREATE INDEX idempotency_by_age ON idempotency(created_at);
)sql"},
};

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

class PostgresStorage final : public Storage {
 public:
  explicit PostgresStorage(std::string url) : pool_(std::move(url)) {}

  std::string_view backend() const override { return "postgresql"; }

  Status Migrate() override {
    const int latest = kMigrations[std::size(kMigrations) - 1].version;
    for (const Migration& m : kMigrations) {
      Status s = RunTx("migrate", [&](pqxx::work& tx) -> Status {
        // Held until this transaction ends: concurrent starters queue here
        // and then see the version the first one wrote.
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version integer PRIMARY KEY, applied_at bigint NOT NULL)");
        const int current =
            tx.exec(
                  "SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]
                .as<int>();
        if (current > latest) {
          return Status::FailedPrecondition(
              "postgresql: database schema version " + std::to_string(current) +
              " is newer than this backaid supports (" +
              std::to_string(latest) + ")");
        }
        if (current >= m.version) return Status::Ok();
        tx.exec(m.sql);
        tx.exec_params(
            "INSERT INTO schema_version (version, applied_at) VALUES "
            "($1, (extract(epoch from now()) * 1000)::bigint)",
            m.version);
        return Status::Ok();
      });
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status Ping() override {
    return RunTx("ping", [&](pqxx::work& tx) -> Status {
      tx.exec("SELECT 1");
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
    return RunTx("create episode", [&](pqxx::work& tx) -> Status {
      if (existing != nullptr) existing->reset();
      if (idem != nullptr) {
        if (auto found = FindIdem(tx, idem->key_hash)) {
          if (existing != nullptr) *existing = std::move(*found);
          return Status::Ok();
        }
      }
      // ON CONFLICT DO NOTHING: a duplicate id is an answer, not an
      // aborted transaction.
      const pqxx::result r = tx.exec_params(
          "INSERT INTO episodes (id, token_hash, created_at, document) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
          episode.id, episode.token_hash, episode.created_at, episode.document);
      if (r.affected_rows() == 0) {
        return Status::FailedPrecondition("episode already exists");
      }
      if (idem != nullptr) {
        InsertIdem(tx, *idem,
                   idem->episode_id.empty() ? episode.id : idem->episode_id);
      }
      return Status::Ok();
    });
  }

  Result<EpisodeRecord> GetEpisode(std::string_view id) override {
    EpisodeRecord out;
    Status s = RunTx("get episode", [&](pqxx::work& tx) -> Status {
      const pqxx::result r = tx.exec_params(
          "SELECT id, token_hash, created_at, document FROM episodes "
          "WHERE id = $1",
          std::string(id));
      if (r.empty()) return Status::NotFound("no such episode");
      out.id = r[0][0].as<std::string>();
      out.token_hash = r[0][1].as<std::string>();
      out.created_at = r[0][2].as<int64_t>();
      out.document = r[0][3].as<std::string>();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status UpdateEpisodeDocument(std::string_view id,
                               std::string_view document) override {
    if (Status s = internal::CheckDocumentArgs(id, document); !s.ok()) {
      return s;
    }
    return RunTx("update episode", [&](pqxx::work& tx) -> Status {
      const pqxx::result r =
          tx.exec_params("UPDATE episodes SET document = $1 WHERE id = $2",
                         std::string(document), std::string(id));
      if (r.affected_rows() == 0) return Status::NotFound("no such episode");
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
    int64_t seq = 0;
    Status s = RunTx("add entry", [&](pqxx::work& tx) -> Status {
      if (existing != nullptr) existing->reset();
      if (idem != nullptr) {
        if (auto found = FindIdem(tx, idem->key_hash)) {
          if (existing != nullptr) *existing = std::move(*found);
          return Status::Ok();
        }
      }
      // Writers to one episode queue on this row lock.
      const pqxx::result lock = tx.exec_params(
          "SELECT 1 FROM episodes WHERE id = $1 FOR UPDATE", entry->episode_id);
      if (lock.empty()) return Status::NotFound("no such episode");
      if (idem != nullptr) {
        // A request with the same key on this episode may have committed
        // while we waited for the lock.
        if (auto found = FindIdem(tx, idem->key_hash)) {
          if (existing != nullptr) *existing = std::move(*found);
          return Status::Ok();
        }
      }
      seq = tx.exec_params(
                  "SELECT COALESCE(MAX(seq), 0) + 1 FROM entries "
                  "WHERE episode_id = $1",
                  entry->episode_id)[0][0]
                .as<int64_t>();
      if (entry->expected_seq != 0 && seq != entry->expected_seq) {
        return Status::FailedPrecondition(
            "another entry was added to this episode meanwhile");
      }
      tx.exec_params(
          "INSERT INTO entries (episode_id, seq, created_at, document) "
          "VALUES ($1, $2, $3, $4)",
          entry->episode_id, seq, entry->created_at, entry->document);
      if (!new_episode_document.empty()) {
        tx.exec_params("UPDATE episodes SET document = $1 WHERE id = $2",
                       std::string(new_episode_document), entry->episode_id);
      }
      if (idem != nullptr) {
        InsertIdem(
            tx, *idem,
            idem->episode_id.empty() ? entry->episode_id : idem->episode_id);
      }
      return Status::Ok();
    });
    if (s.ok() && (existing == nullptr || !existing->has_value())) {
      entry->seq = seq;
    }
    return s;
  }

  Result<std::vector<EntryRecord>> ListEntriesPage(std::string_view id,
                                                   int64_t after_seq,
                                                   int64_t limit) override {
    if (limit < 1 || after_seq < 0) {
      return Status::InvalidArgument("a page needs limit >= 1, after >= 0");
    }
    std::vector<EntryRecord> out;
    Status s = RunTx("list entries", [&](pqxx::work& tx) -> Status {
      out.clear();
      // One statement, so the existence check and the rows are one
      // snapshot: the LEFT JOIN yields a single all-NULL entry row for an
      // episode without entries.
      const pqxx::result r = tx.exec_params(
          "SELECT e.id, n.seq, n.created_at, n.document FROM episodes e "
          "LEFT JOIN LATERAL (SELECT seq, created_at, document FROM entries "
          "WHERE episode_id = e.id AND seq > $2 ORDER BY seq LIMIT $3) n "
          "ON true WHERE e.id = $1 ORDER BY n.seq",
          std::string(id), after_seq, limit);
      if (r.empty()) return Status::NotFound("no such episode");
      for (const auto& row : r) {
        if (row[1].is_null()) continue;
        EntryRecord e;
        e.episode_id = row[0].as<std::string>();
        e.seq = row[1].as<int64_t>();
        e.created_at = row[2].as<int64_t>();
        e.document = row[3].as<std::string>();
        out.push_back(std::move(e));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<IdempotencyRecord>> FindIdempotency(
      std::string_view key_hash) override {
    std::optional<IdempotencyRecord> out;
    Status s = RunTx("find idempotency", [&](pqxx::work& tx) -> Status {
      out = FindIdem(tx, std::string(key_hash));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<int64_t> PurgeIdempotency(int64_t before_ms) override {
    int64_t deleted = 0;
    Status s = RunTx("purge idempotency", [&](pqxx::work& tx) -> Status {
      const pqxx::result r = tx.exec_params(
          "DELETE FROM idempotency WHERE created_at < $1", before_ms);
      deleted = static_cast<int64_t>(r.affected_rows());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return deleted;
  }

  Status EraseEpisode(std::string_view id) override {
    return RunTx("erase episode", [&](pqxx::work& tx) -> Status {
      const std::string key(id);
      tx.exec_params("DELETE FROM idempotency WHERE episode_id = $1", key);
      tx.exec_params("DELETE FROM entries WHERE episode_id = $1", key);
      const pqxx::result r =
          tx.exec_params("DELETE FROM episodes WHERE id = $1", key);
      if (r.affected_rows() == 0) return Status::NotFound("no such episode");
      return Status::Ok();
    });
  }

  Status AppendAudit(const AuditRecord& a) override {
    if (Status s = internal::CheckAuditArgs(a); !s.ok()) return s;
    return RunTx("append audit", [&](pqxx::work& tx) -> Status {
      tx.exec_params(
          "INSERT INTO audit (episode_ref, token_ref, action, outcome, at) "
          "VALUES ($1, $2, $3, $4, $5)",
          a.episode_ref, a.token_ref, a.action, a.outcome, a.at);
      return Status::Ok();
    });
  }

  Result<std::vector<AuditRecord>> ListAudit(
      std::string_view episode_ref) override {
    std::vector<AuditRecord> out;
    Status s = RunTx("list audit", [&](pqxx::work& tx) -> Status {
      out.clear();
      const pqxx::result r = tx.exec_params(
          "SELECT episode_ref, token_ref, action, outcome, at FROM audit "
          "WHERE episode_ref = $1 ORDER BY id",
          std::string(episode_ref));
      for (const auto& row : r) {
        AuditRecord a;
        a.episode_ref = row[0].as<std::string>();
        a.token_ref = row[1].as<std::string>();
        a.action = row[2].as<std::string>();
        a.outcome = row[3].as<std::string>();
        a.at = row[4].as<int64_t>();
        out.push_back(std::move(a));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<IntegrityReport> CheckIntegrity() override {
    IntegrityReport report;
    Status s = RunTx("check integrity", [&](pqxx::work& tx) -> Status {
      // One snapshot for all the checks.
      tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      std::vector<std::string> problems;
      const int64_t orphan_entries =
          tx.exec(
                "SELECT COUNT(*) FROM entries n WHERE NOT EXISTS "
                "(SELECT 1 FROM episodes e WHERE e.id = n.episode_id)")[0][0]
              .as<int64_t>();
      const int64_t orphan_idem =
          tx.exec(
                "SELECT COUNT(*) FROM idempotency i WHERE i.episode_id IS NOT "
                "NULL AND NOT EXISTS (SELECT 1 FROM episodes e "
                "WHERE e.id = i.episode_id)")[0][0]
              .as<int64_t>();
      if (orphan_entries + orphan_idem > 0) {
        problems.push_back(std::to_string(orphan_entries + orphan_idem) +
                           " rows reference a missing episode");
      }
      const int64_t bad_seq =
          tx.exec(
                "SELECT COUNT(*) FROM (SELECT episode_id FROM entries "
                "GROUP BY episode_id HAVING MIN(seq) <> 1 OR MAX(seq) <> "
                "COUNT(*) OR COUNT(DISTINCT seq) <> COUNT(*)) AS bad")[0][0]
              .as<int64_t>();
      if (bad_seq > 0) {
        problems.push_back(std::to_string(bad_seq) +
                           " episodes whose entry seq is not 1..n");
      }
      report.episodes =
          tx.exec("SELECT COUNT(*) FROM episodes")[0][0].as<int64_t>();
      report.entries =
          tx.exec("SELECT COUNT(*) FROM entries")[0][0].as<int64_t>();
      report.ok = problems.empty();
      report.detail.clear();
      if (report.ok) {
        report.detail =
            "no orphan entries or idempotency rows; entry seq 1..n per "
            "episode";
      }
      for (const std::string& p : problems) {
        if (!report.detail.empty()) report.detail += "; ";
        report.detail += p;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return report;
  }

 private:
  static std::optional<IdempotencyRecord> FindIdem(pqxx::work& tx,
                                                   const std::string& key) {
    const pqxx::result r = tx.exec_params(
        "SELECT key_hash, request_hash, status, encode(response, 'hex'), "
        "episode_id, created_at FROM idempotency WHERE key_hash = $1",
        key);
    if (r.empty()) return std::nullopt;
    IdempotencyRecord rec;
    rec.key_hash = r[0][0].as<std::string>();
    rec.request_hash = r[0][1].as<std::string>();
    rec.status = r[0][2].as<int>();
    std::optional<std::string> bytes = FromHex(r[0][3].as<std::string>());
    if (!bytes) throw std::runtime_error("undecodable idempotency response");
    rec.response = std::move(*bytes);
    rec.episode_id = r[0][4].is_null() ? "" : r[0][4].as<std::string>();
    rec.created_at = r[0][5].as<int64_t>();
    return rec;
  }

  static void InsertIdem(pqxx::work& tx, const IdempotencyRecord& idem,
                         const std::string& episode_id) {
    tx.exec_params(
        "INSERT INTO idempotency (key_hash, request_hash, status, response, "
        "episode_id, created_at) VALUES ($1, $2, $3, decode($4, 'hex'), "
        "NULLIF($5, ''), $6)",
        idem.key_hash, idem.request_hash, idem.status, ToHex(idem.response),
        episode_id, idem.created_at);
  }

  // Runs `body` in a transaction on a pooled connection, commits when it
  // returns OK (rolls back otherwise) and retries transient conflicts.
  template <typename Body>
  Status RunTx(std::string_view what, Body&& body) {
    return internal::RunTx(pool_, what, std::forward<Body>(body));
  }

  Pool pool_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenPostgres(const std::string& url) {
  return std::unique_ptr<Storage>(std::make_unique<PostgresStorage>(url));
}

}  // namespace backaid::storage::internal
