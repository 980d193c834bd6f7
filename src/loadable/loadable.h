// Loadable modules: parts of backaid that pull in large libraries most
// commands never use (the handover PDF: cairo, pango, glib, X11; the
// PostgreSQL backend: libpqxx, libpq, Kerberos, LDAP; the calendar:
// libical and ICU; CDS Hooks JWT signatures: libcrypto) are built as shared
// objects (CMake MODULE libraries) and dlopen'ed the first time they are
// needed, so `backaid --version` or `backaid triage` never loads them.
//
// A module is looked for, in this order:
//   1. the directory of the running executable (the build tree: modules
//      are built next to the binaries);
//   2. BACKAID_MODULE_INSTALL_DIR, i.e. ${CMAKE_INSTALL_FULL_LIBDIR}/backaid
//      (where `cmake --install` and the Debian package put them).
// Each module exports `backaid_module_abi`, a string that must equal the
// one this binary was built with (version, compiler, module interface
// revision): a module left over from another build is refused with a
// message, never called.
//
// A missing or unloadable module is a Status (kFailedPrecondition) naming
// the file and the directories searched, never a crash; the caller reports
// it (`backaid serve` exits 2 for a PostgreSQL URL, the summary PDF request
// answers 500 with that message).
#ifndef BACKAID_SRC_LOADABLE_LOADABLE_H_
#define BACKAID_SRC_LOADABLE_LOADABLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "backaid/status.h"

// The ABI tag every module exports and the loader checks (set by CMake).
#ifndef BACKAID_MODULE_ABI
#define BACKAID_MODULE_ABI "backaid-dev"
#endif

// Marks a module's entry point as exported (modules are built with hidden
// visibility).
#define BACKAID_MODULE_EXPORT extern "C" __attribute__((visibility("default")))

namespace backaid::loadable {

// The module file names.
inline constexpr std::string_view kPdfModule = "backaid_pdf.so";
inline constexpr std::string_view kPostgresModule = "backaid_pg.so";
inline constexpr std::string_view kCalendarModule = "backaid_calendar.so";
inline constexpr std::string_view kJwtModule = "backaid_jwt.so";

// The directories searched, in order (see above).
std::vector<std::string> ModuleDirs();

// Loads `module_file` (once per process; later calls reuse the handle and
// repeat a failure's message) and returns the address of `symbol` in it.
// `what` says what the module is for, in the error message
// ("the handover PDF").
Result<void*> Symbol(std::string_view module_file, const char* symbol,
                     std::string_view what);

}  // namespace backaid::loadable

#endif  // BACKAID_SRC_LOADABLE_LOADABLE_H_
