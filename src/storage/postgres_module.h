// The entry point of the PostgreSQL module (backaid_pg.so): what
// postgres_module.cc (in the binary) looks up and postgres_entry.cc (in the
// module) defines. Standard library and storage.h types only; both sides
// come from one build (the loader checks the module's ABI tag). Rename the
// symbol (_v2) if this signature changes.
#ifndef BACKAID_SRC_STORAGE_POSTGRES_MODULE_H_
#define BACKAID_SRC_STORAGE_POSTGRES_MODULE_H_

#include <memory>
#include <string>

#include "backaid/status.h"
#include "src/storage/storage.h"

namespace backaid::storage::internal {

// Sets *out to internal::OpenPostgres(*url) (no migration).
using OpenPostgresFn = void (*)(const std::string* url,
                                Result<std::unique_ptr<Storage>>* out);
inline constexpr const char* kOpenPostgresSymbol = "backaid_open_postgres_v1";

}  // namespace backaid::storage::internal

#endif  // BACKAID_SRC_STORAGE_POSTGRES_MODULE_H_
