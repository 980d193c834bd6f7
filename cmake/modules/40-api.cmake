# The HTTP API (src/api): routes and thin handlers over the core, the
# storage and the HTTP transport. The OpenAPI document (src/api/openapi.json)
# is embedded into the binary and served at /openapi.json.
set(OPENAPI_JSON "${CMAKE_SOURCE_DIR}/src/api/openapi.json")
set(OPENAPI_CC "${CMAKE_BINARY_DIR}/generated/openapi_json.cc")
add_custom_command(
  OUTPUT "${OPENAPI_CC}"
  COMMAND ${CMAKE_COMMAND} -DIN=${OPENAPI_JSON} -DOUT=${OPENAPI_CC}
          -P ${CMAKE_SOURCE_DIR}/cmake/embed_openapi.cmake
  DEPENDS ${OPENAPI_JSON} ${CMAKE_SOURCE_DIR}/cmake/embed_openapi.cmake
  COMMENT "Embedding the OpenAPI document")

add_library(backaid_api STATIC
  src/api/api.cc
  src/api/assessment_handlers.cc
  src/api/audit.cc
  src/api/crypto.cc
  src/api/document_handlers.cc
  src/api/entry_handlers.cc
  src/api/episode_access.cc
  src/api/episode_handlers.cc
  src/api/health_handlers.cc
  src/api/idempotency.cc
  src/api/responses.cc
  src/api/static_files.cc
  "${OPENAPI_CC}")
target_include_directories(backaid_api PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_api
  PUBLIC backaid_http backaid_storage backaid_cdshooks backaid_fhir backaid_core
  PRIVATE simdjson::simdjson PkgConfig::SODIUM fmt::fmt)
list(APPEND BACKAID_FRONT_LIBS backaid_api)
list(APPEND BACKAID_MODULE_TEST_SOURCES
  "${CMAKE_SOURCE_DIR}/src/api/api_test.cc"
  "${CMAKE_SOURCE_DIR}/src/api/api_handler_test.cc")
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_api)

# End-to-end tests of the real binary over real HTTP (tests/server/*.py,
# python3 standard library only).
set(SERVER_TESTS "${CMAKE_SOURCE_DIR}/tests/server")
add_test(NAME api_e2e_sqlite
  COMMAND python3 "${SERVER_TESTS}/api_test.py" $<TARGET_FILE:backaid>
          "${CMAKE_SOURCE_DIR}" sqlite)
add_test(NAME api_e2e_postgres
  COMMAND python3 "${SERVER_TESTS}/api_test.py" $<TARGET_FILE:backaid>
          "${CMAKE_SOURCE_DIR}" postgres)
add_test(NAME api_bad_input
  COMMAND python3 "${SERVER_TESTS}/bad_input_test.py" $<TARGET_FILE:backaid>
          "${CMAKE_SOURCE_DIR}")
add_test(NAME api_limits
  COMMAND python3 "${SERVER_TESTS}/limits_test.py" $<TARGET_FILE:backaid>
          "${CMAKE_SOURCE_DIR}")
# Diary writes at twice the saturating rate: 503 with Retry-After at once
# for the excess, bounded p99 and memory, recovery (about 10 s).
add_test(NAME api_overload
  COMMAND python3 "${SERVER_TESTS}/overload_test.py" $<TARGET_FILE:backaid>
          "${CMAKE_SOURCE_DIR}")
set_tests_properties(api_overload PROPERTIES TIMEOUT 120)
# SIGKILL during concurrent diary writes: 20 rounds per backend here,
# 100 with tests/server/crash_long.sh.
add_test(NAME crash_sqlite
  COMMAND python3 "${SERVER_TESTS}/crash_test.py" $<TARGET_FILE:backaid>
          sqlite 20)
add_test(NAME crash_postgres
  COMMAND python3 "${SERVER_TESTS}/crash_test.py" $<TARGET_FILE:backaid>
          postgres 20)
add_test(NAME two_servers_postgres
  COMMAND python3 "${SERVER_TESTS}/two_servers_test.py" $<TARGET_FILE:backaid>)
set_tests_properties(api_e2e_sqlite api_bad_input api_limits crash_sqlite
  PROPERTIES TIMEOUT 600)
set_tests_properties(api_e2e_postgres crash_postgres two_servers_postgres
  PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED pg
  ENVIRONMENT "BACKAID_PG_URL_FILE=${BACKAID_PG_URL_FILE}")
# `backaid serve --config FILE` (the packaged config, precedence, bad files).
add_test(NAME serve_config
  COMMAND bash "${CMAKE_SOURCE_DIR}/tests/serve_config_test.sh"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}")
