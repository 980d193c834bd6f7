// Internal to src/storage: the backend factories behind OpenStorage and
// the helpers both backends share.
#ifndef BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_
#define BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_

#include <memory>
#include <string>

#include "backaid/status.h"
#include "src/storage/storage.h"

namespace backaid::storage::internal {

// Open the backend without migrating (OpenStorage runs Migrate()). They
// connect lazily: only a call that needs the database can fail with
// kIoError.
Result<std::unique_ptr<Storage>> OpenSqlite(const std::string& path);
Result<std::unique_ptr<Storage>> OpenPostgres(const std::string& url);

}  // namespace backaid::storage::internal

#endif  // BACKAID_SRC_STORAGE_STORAGE_INTERNAL_H_
