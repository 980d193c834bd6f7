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

}  // namespace backaid::storage
