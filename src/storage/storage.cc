#include "src/storage/storage.h"

#include <string>
#include <utility>

#include "src/storage/storage_internal.h"

namespace backaid::storage {

Result<std::unique_ptr<Storage>> OpenStorage(const std::string& url) {
  Result<std::unique_ptr<Storage>> opened =
      Status::InvalidArgument("storage URL is empty");
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    // Accept sqlite:///abs/path and sqlite://rel as well as sqlite:PATH.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) {
      return Status::InvalidArgument(
          "storage URL 'sqlite:' has no file path (expected sqlite:PATH)");
    }
    opened = internal::OpenSqlite(path);
  } else if (url.rfind("postgresql://", 0) == 0 ||
             url.rfind("postgres://", 0) == 0) {
    opened = internal::OpenPostgres(url);
  } else if (!url.empty()) {
    // Only the scheme is echoed: the rest may hold a password.
    std::string scheme = url.substr(0, url.find(':'));
    if (scheme.size() > 32) scheme = scheme.substr(0, 32) + "...";
    return Status::InvalidArgument(
        "unsupported storage URL scheme '" + scheme +
        "' (expected sqlite:PATH, postgresql://... or postgres://...)");
  }
  if (!opened.ok()) return opened.status();
  Status migrated = (*opened)->Migrate();
  if (!migrated.ok()) return migrated;
  return opened;
}

namespace internal {

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

}  // namespace internal

}  // namespace backaid::storage
