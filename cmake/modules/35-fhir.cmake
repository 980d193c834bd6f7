# FHIR R4 front (src/fhir): /fhir/metadata, the Questionnaire generated from
# the knowledge base, $triage and QuestionnaireResponse/$extract. Routes
# are registered by the API (src/api/api.cc) through fhir::RegisterRoutes.
# Its knowledge file loader (src/fhir/fhir_codes_loader.cc) is part of
# the knowledge bundle, backaid_knowledge (CMakeLists.txt).
add_library(backaid_fhir STATIC
  src/fhir/fhir.cc
  src/fhir/fhir_bundle.cc
  src/fhir/fhir_common.cc
  src/fhir/fhir_decode.cc
  src/fhir/fhir_observations.cc
  src/fhir/fhir_questionnaire.cc
  src/fhir/json_response.cc)
target_include_directories(backaid_fhir PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_fhir
  PUBLIC backaid_http backaid_core
  PRIVATE nlohmann_json::nlohmann_json PkgConfig::SODIUM fmt::fmt)
list(APPEND BACKAID_FRONT_LIBS backaid_fhir)
list(APPEND BACKAID_MODULE_TEST_SOURCES
  "${CMAKE_SOURCE_DIR}/src/fhir/fhir_test.cc")
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_fhir)

# End-to-end over the real binary: every own vignette through the adaptive
# path of POST /v1/assessments, then the same answers as a FHIR
# QuestionnaireResponse through $triage and $extract (tests/fhir/).
# The resources it receives are validated against the R4 JSON schema by a
# pinned npm package (tests/fhir/node, installed by npm ci at build time).
set(BACKAID_FHIR_NODE "${CMAKE_BINARY_DIR}/fhir-node")
add_custom_command(
  OUTPUT "${BACKAID_FHIR_NODE}/stamp"
  COMMAND bash "${CMAKE_SOURCE_DIR}/tests/fhir/node/install.sh"
          "${CMAKE_SOURCE_DIR}" "${BACKAID_FHIR_NODE}"
  DEPENDS "${CMAKE_SOURCE_DIR}/tests/fhir/node/package.json"
          "${CMAKE_SOURCE_DIR}/tests/fhir/node/package-lock.json"
          "${CMAKE_SOURCE_DIR}/tests/fhir/node/install.sh"
  COMMENT "Installing the FHIR schema validator (npm ci, pinned)"
  VERBATIM)
add_custom_target(backaid_fhir_node ALL DEPENDS "${BACKAID_FHIR_NODE}/stamp")
add_test(NAME fhir_e2e
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/fhir/fhir_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}"
          "${BACKAID_FHIR_NODE}/node_modules")
set_tests_properties(fhir_e2e PROPERTIES TIMEOUT 600)
# The bad-input suite of the FHIR and CDS Hooks routes (never a 5xx).
add_test(NAME fhir_bad_input
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/fhir/bad_input_fhir_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}")
set_tests_properties(fhir_bad_input PROPERTIES TIMEOUT 300)
