# Storage module (src/storage): SQLite (SQLiteCpp) and PostgreSQL (libpqxx)
# backends behind src/storage/storage.h.
#
# Targets:
#   backaid_storage         the library (linked into the backaid binary)
#   backaid_storage_tests   the contract suite, run once per backend:
#     storage_contract_sqlite    against a temporary SQLite file
#     storage_contract_postgres  against the private server of fixture `pg`
#
# The `pg` ctest fixture: `pg_start` (tests/pg/start.sh) initdb's and starts
# a private PostgreSQL 15 server (data and socket in a fresh /tmp directory,
# a free TCP port on 127.0.0.1, superuser `backaid`, trust auth) and writes
# its libpq URL on one line to
#     ${BACKAID_PG_URL_FILE} = <build dir>/pg-fixture/url
# `pg_stop` (tests/pg/stop.sh) stops it and removes the data directory.
# Other modules' tests use it with
#     set_tests_properties(my_test PROPERTIES FIXTURES_REQUIRED pg
#                          ENVIRONMENT "BACKAID_PG_URL_FILE=${BACKAID_PG_URL_FILE}")
# and must fail (not skip) when the file is missing. Under ASan, also set
# LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/pg/lsan.supp (a
# libpqxx 6.4 leak on a lost connection). Each test should use
# its own schema or unique ids (the server is shared for one ctest run).
find_package(SQLiteCpp REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

# The PostgreSQL backend is a loadable module (backaid_pg.so, see
# 15-loadable.cmake): backaid_storage reaches it through
# postgres_module.cc, so the binary does not link libpqxx or libpq.
add_library(backaid_storage STATIC
  "${CMAKE_SOURCE_DIR}/src/storage/storage.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/storage_checks.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/sqlite_storage.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/sqlite_schema.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/postgres_module.cc")
# Storage needs only backaid/status.h (header-only) from the core, so it
# builds without the knowledge base. Users include "src/storage/storage.h".
target_include_directories(backaid_storage
  PUBLIC "${CMAKE_SOURCE_DIR}/include" "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_storage
  PRIVATE SQLiteCpp SQLite::SQLite3 Threads::Threads backaid_loadable)

backaid_add_module(backaid_pg
  "${CMAKE_SOURCE_DIR}/src/storage/postgres_storage.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/postgres_pool.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/storage_checks.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/postgres_entry.cc")
target_link_libraries(backaid_pg PRIVATE PkgConfig::PQXX Threads::Threads)
# Whatever links backaid_storage needs the module built beside it.
add_dependencies(backaid_storage backaid_pg)
list(APPEND BACKAID_FRONT_LIBS backaid_storage)

set(BACKAID_PG_FIXTURE_DIR "${CMAKE_BINARY_DIR}/pg-fixture")
set(BACKAID_PG_URL_FILE "${BACKAID_PG_FIXTURE_DIR}/url")

add_executable(backaid_storage_tests
  "${CMAKE_SOURCE_DIR}/src/storage/storage_contract_test.cc"
  "${CMAKE_SOURCE_DIR}/src/storage/storage_lifecycle_test.cc")
target_include_directories(backaid_storage_tests PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_storage_tests PRIVATE backaid_storage
                      SQLiteCpp SQLite::SQLite3 PkgConfig::PQXX
                      GTest::gtest_main Threads::Threads)

add_test(NAME storage_contract_sqlite COMMAND backaid_storage_tests)
set_tests_properties(storage_contract_sqlite PROPERTIES
  ENVIRONMENT "BACKAID_TEST_BACKEND=sqlite;BACKAID_TEST_TMPDIR=${CMAKE_BINARY_DIR}/storage-test-tmp"
  TIMEOUT 300)

add_test(NAME pg_start
  COMMAND bash "${CMAKE_SOURCE_DIR}/tests/pg/start.sh" "${BACKAID_PG_FIXTURE_DIR}")
add_test(NAME pg_stop
  COMMAND bash "${CMAKE_SOURCE_DIR}/tests/pg/stop.sh" "${BACKAID_PG_FIXTURE_DIR}")
# The lock keeps two ctest processes in this build dir from starting or
# stopping the same fixture at once; other build dirs have their own
# fixture dir, data dir and port.
set_tests_properties(pg_start PROPERTIES FIXTURES_SETUP pg
  RESOURCE_LOCK backaid_pg_fixture TIMEOUT 120)
set_tests_properties(pg_stop PROPERTIES FIXTURES_CLEANUP pg
  RESOURCE_LOCK backaid_pg_fixture TIMEOUT 60)

add_test(NAME storage_contract_postgres COMMAND backaid_storage_tests)
set_tests_properties(storage_contract_postgres PROPERTIES
  FIXTURES_REQUIRED pg
  ENVIRONMENT "BACKAID_TEST_BACKEND=postgres;BACKAID_PG_URL_FILE=${BACKAID_PG_URL_FILE};LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/pg/lsan.supp:print_suppressions=0"
  TIMEOUT 300)

if(BACKAID_BENCH AND NOT BACKAID_SANITIZE AND
   EXISTS "${CMAKE_SOURCE_DIR}/bench/storage_bench.cc")
  find_package(benchmark REQUIRED)
  add_executable(storage_bench "${CMAKE_SOURCE_DIR}/bench/storage_bench.cc")
  target_include_directories(storage_bench PRIVATE "${CMAKE_SOURCE_DIR}")
  target_link_libraries(storage_bench PRIVATE backaid_storage
                        benchmark::benchmark)
endif()
