// Internal to src/storage: the backend factories behind OpenStorage and
// the helpers both backends share.
#ifndef BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_
#define BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_

#include <memory>
#include <string>
#include <string_view>

#include "backaid/status.h"
#include "src/storage/storage.h"

namespace backaid::storage::internal {

// Open the backend without migrating (OpenStorage runs Migrate()). They
// connect lazily: only a call that needs the database can fail with
// kIoError.
Result<std::unique_ptr<Storage>> OpenSqlite(const std::string& path);
Result<std::unique_ptr<Storage>> OpenPostgres(const std::string& url);

// Argument checks shared by both backends, made before any transaction:
// kInvalidArgument for an empty id or key, or a NUL byte in any text
// column (PostgreSQL text cannot hold one; SQLite would cut it off).
bool HasNul(std::string_view s);
Status CheckIdempotencyArgs(const IdempotencyRecord* idem);
Status CheckEpisodeArgs(const EpisodeRecord& episode,
                        const IdempotencyRecord* idem);
Status CheckDocumentArgs(std::string_view id, std::string_view document);
Status CheckEntryArgs(const EntryRecord* entry,
                      std::string_view new_episode_document,
                      const IdempotencyRecord* idem);
Status CheckAuditArgs(const AuditRecord& a);

}  // namespace backaid::storage::internal

#endif  // BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_
