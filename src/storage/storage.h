// Storage of episodes, diary entries, idempotency records and the audit log,
// behind one interface with two backends: SQLite (embedded, the default)
// and PostgreSQL (libpqxx). The same contract tests run against both.
//
// Storage knows nothing clinical: the episode's assessment and each entry are
// opaque JSON documents written and read by the diary module. What storage
// guarantees:
//  - A write that returned OK is durable (SQLite: WAL + synchronous=FULL;
//    PostgreSQL: a committed transaction) and survives SIGKILL of the server.
//  - AddEntry with an idempotency key is atomic with its idempotency record:
//    a retried request never adds a second entry, even across a crash.
//  - EraseEpisode removes the episode, its entries and its idempotency
//    records in one transaction; only audit rows (which hold hashes, never
//    data or ids in clear) remain.
//  - Errors come back as Status (kNotFound for an unknown episode, kIoError
//    when the database cannot be reached, kInvalidArgument for a bad URL or
//    text holding a NUL byte, kInternal otherwise); no exception leaves
//    this module.
//  - Text fields (ids, hashes, documents, audit fields) must not contain NUL
//    bytes (PostgreSQL text cannot hold them); IdempotencyRecord::response
//    is bytes and may hold anything.
//
// Thread safety: a Storage object is shared by all server threads; each
// backend keeps its own per-thread connections (SQLite: one connection per
// thread, opened on first use; PostgreSQL: a pool of up to 8 connections,
// acquire waits up to 10 s) and retries serialization failures. A lost
// PostgreSQL connection gives kIoError once; the next call reconnects.
#ifndef BACKAID_SRC_STORAGE_STORAGE_H_
#define BACKAID_SRC_STORAGE_STORAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/status.h"

namespace backaid::storage {

// An episode as stored. `id` is chosen by the caller (random, URL-safe).
struct EpisodeRecord {
  std::string id;
  std::string token_hash;  // hex hash of the capability token (never the
                           // token itself)
  int64_t created_at = 0;  // Unix milliseconds
  std::string document;    // JSON written by the diary module
};

struct EntryRecord {
  std::string episode_id;
  int64_t seq = 0;         // 1, 2, ... per episode, assigned by storage
  int64_t created_at = 0;  // Unix milliseconds
  std::string document;    // JSON written by the diary module
  // AddEntry only: 0 = any; otherwise the entry must get exactly this seq
  // (the writer reviewed the episode as it was after expected_seq - 1
  // entries), else nothing is written and AddEntry is kFailedPrecondition.
  int64_t expected_seq = 0;
};

// A remembered response to a write carrying an Idempotency-Key.
// `key_hash` is a hash of (scope, key); the key itself is never stored.
// `response` may be encrypted by the caller; storage keeps it as bytes.
struct IdempotencyRecord {
  std::string key_hash;
  std::string request_hash;  // fingerprint of the request body
  int status = 0;            // HTTP status of the first response
  std::string response;      // bytes returned to a retry
  std::string episode_id;    // erased with the episode ("" = none yet)
  int64_t created_at = 0;
};

// One audit row: who (a hash of the token id), did what, when, outcome.
struct AuditRecord {
  std::string episode_ref;  // keyed hash of the episode id, never the id
  std::string token_ref;    // hash of the presented token ("" = none)
  std::string action;       // "create", "read", "write", "export",
                            // "calendar", "erase", ...
  std::string outcome;      // "ok", "denied", "not_found", "error"
  int64_t at = 0;           // Unix milliseconds
};

struct IntegrityReport {
  bool ok = false;
  std::string detail;  // what was checked / what is wrong
  int64_t episodes = 0;
  int64_t entries = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  // Brings the schema up to the latest version (versioned migrations kept
  // in a schema_version table; idempotent; safe when several processes
  // start at once).
  virtual Status Migrate() = 0;

  // kOk when the database answers a trivial query.
  virtual Status Ping() = 0;

  // Creates the episode; with `idem`, stores the idempotency record in the
  // same transaction (an empty `idem->episode_id` means this episode, so the
  // record is erased with it). If `idem->key_hash` already exists, nothing
  // is written and the stored record is returned through `existing` (if not
  // null) with Status OK; `existing` is reset otherwise. Two requests with
  // one key racing: exactly one writes, the other gets its record.
  // kFailedPrecondition if an episode with this id exists already;
  // kInvalidArgument for an empty id.
  virtual Status CreateEpisode(const EpisodeRecord& episode,
                               const IdempotencyRecord* idem,
                               std::optional<IdempotencyRecord>* existing) = 0;

  // kNotFound if there is no such episode.
  virtual Result<EpisodeRecord> GetEpisode(std::string_view id) = 0;

  // Replaces the episode document (e.g. the current level after an entry).
  virtual Status UpdateEpisodeDocument(std::string_view id,
                                       std::string_view document) = 0;

  // Appends an entry with the next seq (returned through `entry->seq`) and
  // `new_episode_document` as the episode's document (an empty one leaves
  // the document unchanged), all in one transaction. Concurrent writers to
  // one episode are serialised: seq is always 1..n without gaps. With
  // `idem`: if its key_hash exists already, nothing is written, `entry->seq`
  // is left alone and the stored record is returned in `existing` (Status
  // OK); an empty `idem->episode_id` means `entry->episode_id`.
  // kNotFound if the episode does not exist; kFailedPrecondition if
  // `entry->expected_seq` is set and another entry was added meanwhile (the
  // caller re-reads the episode and tries again).
  virtual Status AddEntry(EntryRecord* entry,
                          std::string_view new_episode_document,
                          const IdempotencyRecord* idem,
                          std::optional<IdempotencyRecord>* existing) = 0;

  // Entries with seq > after_seq in seq order, at most `limit` of them
  // (one indexed range read: a page costs the same at any position).
  // kNotFound if the episode does not exist; kInvalidArgument if limit < 1
  // or after_seq < 0.
  virtual Result<std::vector<EntryRecord>> ListEntriesPage(std::string_view id,
                                                           int64_t after_seq,
                                                           int64_t limit) = 0;
  // Every entry in seq order. kNotFound if the episode does not exist.
  Result<std::vector<EntryRecord>> ListEntries(std::string_view id) {
    return ListEntriesPage(id, 0, INT64_MAX);
  }

  // Looks up an idempotency record (nullopt if none).
  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(
      std::string_view key_hash) = 0;

  // Forgets idempotency records created before `before_ms` (Unix ms) and
  // returns how many were deleted. A retry arriving after its record is
  // gone is a new request. The entries and episodes they answered are not
  // touched. Uses an index on created_at: cheap to call often.
  virtual Result<int64_t> PurgeIdempotency(int64_t before_ms) = 0;

  // Deletes the episode, its entries and its idempotency records in one
  // transaction. kNotFound if it did not exist. SQLite: secure_delete zeroes
  // the freed pages and the WAL is checkpointed and truncated afterwards, so
  // the erased text is left in neither file.
  virtual Status EraseEpisode(std::string_view id) = 0;

  virtual Status AppendAudit(const AuditRecord& record) = 0;
  // Audit rows for one episode_ref, oldest first (for export and tests).
  virtual Result<std::vector<AuditRecord>> ListAudit(
      std::string_view episode_ref) = 0;

  // Database integrity (SQLite: PRAGMA integrity_check + foreign_key_check;
  // PostgreSQL: orphan entries and idempotency rows) and, for both, entry
  // seq 1..n per episode; plus counts. A damaged database is an OK Result
  // with `ok` false and the problems in `detail`.
  virtual Result<IntegrityReport> CheckIntegrity() = 0;
};

// Opens storage from a URL:
//   sqlite:PATH            (file created with its directory if missing;
//                           sqlite:///abs/path also accepted)
//   postgresql://...  or  postgres://...   (libpq connection URI; e.g.
//                           `options=-csearch_path%3Dmyschema` picks a schema)
// and runs Migrate(). kInvalidArgument for an unknown scheme (the message
// names only the scheme, never the rest of the URL); kIoError when the
// database cannot be created or reached.
Result<std::unique_ptr<Storage>> OpenStorage(const std::string& url);

}  // namespace backaid::storage

#endif  // BACKAID_SRC_STORAGE_STORAGE_H_
