// Argument checks shared by both backends (storage_internal.h). Compiled
// into the binary and, for the PostgreSQL backend, into its module
// (backaid_pg.so) as well.
#include <string>
#include <string_view>

#include "src/storage/storage.h"
#include "src/storage/storage_internal.h"

namespace backaid::storage::internal {

bool HasNul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

Status CheckIdempotencyArgs(const IdempotencyRecord* idem) {
  if (idem == nullptr) return Status::Ok();
  if (idem->key_hash.empty()) {
    return Status::InvalidArgument("idempotency key_hash is empty");
  }
  if (HasNul(idem->key_hash) || HasNul(idem->request_hash) ||
      HasNul(idem->episode_id)) {
    return Status::InvalidArgument("idempotency record holds a NUL byte");
  }
  return Status::Ok();
}

Status CheckEpisodeArgs(const EpisodeRecord& episode,
                        const IdempotencyRecord* idem) {
  if (episode.id.empty()) {
    return Status::InvalidArgument("episode id is empty");
  }
  if (HasNul(episode.id) || HasNul(episode.token_hash) ||
      HasNul(episode.document)) {
    return Status::InvalidArgument("episode holds a NUL byte");
  }
  return CheckIdempotencyArgs(idem);
}

Status CheckDocumentArgs(std::string_view id, std::string_view document) {
  if (HasNul(document) || HasNul(id)) {
    return Status::InvalidArgument("episode document holds a NUL byte");
  }
  return Status::Ok();
}

Status CheckEntryArgs(const EntryRecord* entry,
                      std::string_view new_episode_document,
                      const IdempotencyRecord* idem) {
  if (entry == nullptr) return Status::InvalidArgument("entry is null");
  if (HasNul(entry->episode_id) || HasNul(entry->document) ||
      HasNul(new_episode_document)) {
    return Status::InvalidArgument("entry document holds a NUL byte");
  }
  return CheckIdempotencyArgs(idem);
}

Status CheckAuditArgs(const AuditRecord& a) {
  if (HasNul(a.episode_ref) || HasNul(a.token_ref) || HasNul(a.action) ||
      HasNul(a.outcome)) {
    return Status::InvalidArgument("audit record holds a NUL byte");
  }
  return Status::Ok();
}

}  // namespace backaid::storage::internal
