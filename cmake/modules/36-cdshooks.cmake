# CDS Hooks 2.0 front (src/cdshooks): discovery and the backaid-back-pain
# service over the FHIR front's decoder; JWT verification (ES384/RS384).
# Registered by the API. The signature arithmetic is OpenSSL's libcrypto
# (Debian libssl-dev) in the backaid_jwt.so module (src/cdshooks/
# jwt_crypto.h): linked into the binary, libcrypto's load-time relocations
# alone nearly doubled the start-up cost of every command.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
backaid_add_module(backaid_jwt "${CMAKE_SOURCE_DIR}/src/cdshooks/jwt_crypto.cc")
target_link_libraries(backaid_jwt PRIVATE OpenSSL::Crypto)
add_library(backaid_cdshooks STATIC
  src/cdshooks/cdshooks.cc
  src/cdshooks/jwt.cc)
target_include_directories(backaid_cdshooks PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_cdshooks
  PUBLIC backaid_fhir backaid_http backaid_core
  PRIVATE backaid_loadable nlohmann_json::nlohmann_json PkgConfig::SODIUM
          fmt::fmt)
add_dependencies(backaid_cdshooks backaid_jwt)
list(APPEND BACKAID_FRONT_LIBS backaid_cdshooks)
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_cdshooks)

# A CDS Hooks client of our own: signed ES384 JWTs (openssl CLI), prefetch,
# fhirAuthorization, the bad cases (tests/cdshooks/).
add_test(NAME cdshooks_e2e
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/cdshooks/cdshooks_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}")
set_tests_properties(cdshooks_e2e PROPERTIES TIMEOUT 300)

# orders.yaml's loader and the choice of an order-select card's answer.
list(APPEND BACKAID_MODULE_TEST_SOURCES src/cdshooks/orders_test.cc)

# The order-select service (backaid-imaging-advice) driven by published
# cases through the real binary (tests/cdshooks/order_select_test.py).
add_test(NAME cdshooks_order_select
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/cdshooks/order_select_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}")
set_tests_properties(cdshooks_order_select PROPERTIES TIMEOUT 300)
