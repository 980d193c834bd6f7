// The PostgreSQL module's (backaid_pg.so) exported symbols: its ABI tag and
// the entry point that opens the backend (postgres_module.h).
#include <memory>
#include <string>

#include "src/loadable/loadable.h"
#include "src/storage/postgres_module.h"
#include "src/storage/storage_internal.h"

BACKAID_MODULE_EXPORT const char* const backaid_module_abi = BACKAID_MODULE_ABI;

BACKAID_MODULE_EXPORT void backaid_open_postgres_v1(
    const std::string* url,
    backaid::Result<std::unique_ptr<backaid::storage::Storage>>* out) {
  *out = backaid::storage::internal::OpenPostgres(*url);
}
