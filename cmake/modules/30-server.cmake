# HTTP transport (src/server): Boost.Beast + Asio, header-only from
# libboost-dev. Beast is confined to http_server.cc (listen, accept, stop)
# and http_session.cc (one connection) to keep compile times down; Asio's
# thread pool to offload_pool.cc; the rest of the module does not include
# Boost.
find_package(Boost 1.74 REQUIRED)
add_library(backaid_http STATIC
  src/server/http_server.cc
  src/server/http_session.cc
  src/server/offload_pool.cc
  src/server/framing.cc
  src/server/trusted_proxies.cc
  src/server/http_policy.cc
  src/server/http_util.cc)
target_include_directories(backaid_http
  PUBLIC "${CMAKE_SOURCE_DIR}" "${CMAKE_SOURCE_DIR}/include"
  PRIVATE ${Boost_INCLUDE_DIRS})
target_compile_definitions(backaid_http PRIVATE
  BOOST_BEAST_USE_STD_STRING_VIEW
  BOOST_ASIO_NO_DEPRECATED)
# The transport knows nothing of the core: it is linked to no backaid
# library (the API, which uses both, links both).
target_link_libraries(backaid_http PUBLIC Threads::Threads)

list(APPEND BACKAID_FRONT_LIBS backaid_http)
list(APPEND BACKAID_MODULE_TEST_SOURCES
  "${CMAKE_SOURCE_DIR}/src/server/http_util_test.cc"
  "${CMAKE_SOURCE_DIR}/src/server/http_server_test.cc"
  "${CMAKE_SOURCE_DIR}/src/server/http_server_ops_test.cc")
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_http)

# A minimal server for the HTTP benchmarks (bench/http/run.sh): POST
# /v1/triage doing the real work, no rate limit.
if(BACKAID_BENCH AND NOT BACKAID_SANITIZE)
  add_executable(http_bench_server bench/http/http_bench_server.cc)
  target_include_directories(http_bench_server PRIVATE "${CMAKE_SOURCE_DIR}")
  target_link_libraries(http_bench_server PRIVATE backaid_http backaid_core)
endif()
