# Loadable modules (src/loadable): the handover PDF (backaid_pdf.so, in
# 50-web.cmake), the PostgreSQL backend (backaid_pg.so, in
# 20-storage.cmake) and the calendar (backaid_calendar.so, here) are CMake
# MODULE libraries, dlopen'ed on first use so that most commands never
# load cairo, pango, glib, X11, libpq, Kerberos, libical or ICU.
# The binary looks for them next to itself (the build tree) and then in
# ${CMAKE_INSTALL_FULL_LIBDIR}/backaid (installed; see the install() rules
# of each module).
#
# Targets:
#   backaid_loadable       the loader (static; linked by whoever loads)
#   backaid_module_abi     INTERFACE: the ABI tag both sides compile in;
#                          a module whose tag differs is refused
#   backaid_add_module(NAME SOURCES...)  a MODULE library named NAME.so
#                          (no "lib" prefix), hidden visibility, the tag
include(GNUInstallDirs)

set(BACKAID_MODULE_ABI_TAG
    "backaid-${PROJECT_VERSION}/${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}/pdf2-pg2")
if(BACKAID_SANITIZE)
  string(APPEND BACKAID_MODULE_ABI_TAG "/asan-ubsan")
endif()
if(BACKAID_TSAN)
  string(APPEND BACKAID_MODULE_ABI_TAG "/tsan")
endif()
add_library(backaid_module_abi INTERFACE)
target_compile_definitions(backaid_module_abi INTERFACE
  BACKAID_MODULE_ABI="${BACKAID_MODULE_ABI_TAG}")

add_library(backaid_loadable STATIC "${CMAKE_SOURCE_DIR}/src/loadable/loadable.cc")
target_include_directories(backaid_loadable
  PUBLIC "${CMAKE_SOURCE_DIR}/include" "${CMAKE_SOURCE_DIR}")
# The install prefix at configure time need not be the package's (CPack
# installs under /usr), so the modules are also looked for relative to the
# binary: bin/ -> lib/<multiarch>/backaid.
file(RELATIVE_PATH BACKAID_MODULE_RELATIVE_DIR "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_FULL_LIBDIR}/backaid")
target_compile_definitions(backaid_loadable PRIVATE
  BACKAID_MODULE_INSTALL_DIR="${CMAKE_INSTALL_FULL_LIBDIR}/backaid"
  BACKAID_MODULE_RELATIVE_DIR="${BACKAID_MODULE_RELATIVE_DIR}")
target_link_libraries(backaid_loadable PUBLIC backaid_module_abi
                      PRIVATE ${CMAKE_DL_LIBS})

function(backaid_add_module name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_include_directories(${name} PRIVATE
    "${CMAKE_SOURCE_DIR}/include" "${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE backaid_module_abi)
  # A module must resolve every symbol from its own dependencies: catch a
  # missing library at link time, not at dlopen. Not in the fuzz build:
  # clang links its sanitizer runtimes (ASan, UBSan, libFuzzer) statically
  # into the executable only, so a module's __asan_*/__ubsan_* references
  # stay undefined until the executable that loads it provides them. The
  # release, asan-ubsan and tsan (gcc) builds keep the check.
  if(NOT BACKAID_FUZZ AND NOT (BACKAID_SANITIZE AND
                               CMAKE_CXX_COMPILER_ID MATCHES "Clang"))
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
  install(TARGETS ${name}
          LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/backaid")
endfunction()

# The calendar (src/calendar/calendar.cc: time zones and iCalendar with
# libical, which brings ICU). backaid_core holds calendar_module.cc, which
# forwards include/backaid/calendar.h to this module.
backaid_add_module(backaid_calendar
  "${CMAKE_SOURCE_DIR}/src/calendar/calendar.cc"
  "${CMAKE_SOURCE_DIR}/src/calendar/calendar_entry.cc")
target_link_libraries(backaid_calendar PRIVATE PkgConfig::LIBICAL fmt::fmt
                      nlohmann_json::nlohmann_json)
target_link_libraries(backaid_core PRIVATE backaid_loadable)
add_dependencies(backaid_core backaid_calendar)

# A missing or broken module: the binary alone in a temporary directory
# (tests/modules_test.py).
add_test(NAME modules_missing
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/modules_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}"
          "${CMAKE_INSTALL_FULL_LIBDIR}/backaid")
set_tests_properties(modules_missing PROPERTIES TIMEOUT 300)
