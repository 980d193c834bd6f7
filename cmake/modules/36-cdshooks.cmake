# CDS Hooks 2.0 front (src/cdshooks): discovery and the backaid-back-pain
# service over the FHIR front's decoder; JWT verification (ES384/RS384)
# with OpenSSL's libcrypto (Debian libssl-dev). Registered by the API.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
add_library(backaid_cdshooks STATIC
  src/cdshooks/cdshooks.cc
  src/cdshooks/jwt.cc)
target_include_directories(backaid_cdshooks PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_cdshooks
  PUBLIC backaid_fhir backaid_http backaid_core
  PRIVATE OpenSSL::Crypto nlohmann_json::nlohmann_json PkgConfig::SODIUM
          fmt::fmt)
list(APPEND BACKAID_FRONT_LIBS backaid_cdshooks)
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_cdshooks)

# A CDS Hooks client of our own: signed ES384 JWTs (openssl CLI), prefetch,
# fhirAuthorization, the bad cases (tests/cdshooks/).
add_test(NAME cdshooks_e2e
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/cdshooks/cdshooks_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}")
set_tests_properties(cdshooks_e2e PROPERTIES TIMEOUT 300)
