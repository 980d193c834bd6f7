// The PostgreSQL backend as seen from the binary: OpenPostgres loads the
// module backaid_pg.so (postgres_storage.cc and libpqxx, libpq, Kerberos,
// LDAP...) on first use, so commands and servers that never open a
// postgresql:// URL never map those libraries. A missing module is a
// kFailedPrecondition naming the file (src/loadable/loadable.h).
#include "src/storage/postgres_module.h"

#include <memory>
#include <string>

#include "src/loadable/loadable.h"
#include "src/storage/storage_internal.h"

namespace backaid::storage::internal {

Result<std::unique_ptr<Storage>> OpenPostgres(const std::string& url) {
  auto open = loadable::Symbol(loadable::kPostgresModule, kOpenPostgresSymbol,
                               "the PostgreSQL backend");
  if (!open.ok()) return open.status();
  Result<std::unique_ptr<Storage>> opened =
      Status::Internal("the PostgreSQL module returned nothing");
  reinterpret_cast<OpenPostgresFn> (*open)(&url, &opened);
  return opened;
}

}  // namespace backaid::storage::internal
