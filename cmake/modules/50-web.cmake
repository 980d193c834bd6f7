# The web page (web/): TypeScript bundled by esbuild into
# ${BACKAID_WEB_DIR} (index.html, assets/), served by
# `backaid serve --web ${BACKAID_WEB_DIR}`. The tools (esbuild, typescript,
# and for the tests playwright-core and axe-core) are pinned by
# web/package-lock.json and installed by `npm ci` once into
# ${BACKAID_WEB_NODE} (web/build.sh).
#
# Tests (tests/web/run.mjs): Debian's Chromium, driven by playwright-core,
# against the real `backaid serve` on a free port.
find_program(BACKAID_NODE node REQUIRED)
find_program(BACKAID_NPM npm REQUIRED)

set(BACKAID_WEB_DIR "${CMAKE_BINARY_DIR}/web")
set(BACKAID_WEB_NODE "${CMAKE_BINARY_DIR}/web-node")
file(GLOB_RECURSE BACKAID_WEB_INPUTS CONFIGURE_DEPENDS
     "${CMAKE_SOURCE_DIR}/web/src/*.ts"
     "${CMAKE_SOURCE_DIR}/web/static/*")
add_custom_command(
  OUTPUT "${BACKAID_WEB_DIR}/build-stamp"
  COMMAND bash "${CMAKE_SOURCE_DIR}/web/build.sh" "${CMAKE_SOURCE_DIR}"
          "${BACKAID_WEB_NODE}" "${BACKAID_WEB_DIR}"
  DEPENDS ${BACKAID_WEB_INPUTS}
          "${CMAKE_SOURCE_DIR}/web/build.sh"
          "${CMAKE_SOURCE_DIR}/web/build.mjs"
          "${CMAKE_SOURCE_DIR}/web/tsconfig.json"
          "${CMAKE_SOURCE_DIR}/web/package.json"
          "${CMAKE_SOURCE_DIR}/web/package-lock.json"
  COMMENT "Building the web page (npm ci once, tsc, esbuild)"
  VERBATIM)
add_custom_target(backaid_web ALL DEPENDS "${BACKAID_WEB_DIR}/build-stamp")

# The handover summary PDF (src/handover, include/backaid/handover.h). The
# API's GET /v1/episodes/{id}/summary.pdf calls HandoverPdf, which builds
# the document (handover.cc, in the binary) and hands it to the loadable
# module backaid_pdf.so (pdf_render.cc: cairo's PDF surface with Pango for
# Unicode text; see 15-loadable.cmake), so the binary does not link cairo,
# pango or glib.
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf)
backaid_add_module(backaid_pdf "${CMAKE_SOURCE_DIR}/src/handover/pdf_render.cc")
target_link_libraries(backaid_pdf PRIVATE PkgConfig::PANGOCAIRO)
add_library(backaid_handover STATIC "${CMAKE_SOURCE_DIR}/src/handover/handover.cc")
target_include_directories(backaid_handover PUBLIC "${CMAKE_SOURCE_DIR}/include"
  PRIVATE "${CMAKE_SOURCE_DIR}")
target_link_libraries(backaid_handover
  PUBLIC backaid_core
  PRIVATE backaid_loadable fmt::fmt)
add_dependencies(backaid_handover backaid_pdf)
if(TARGET backaid_api)
  target_link_libraries(backaid_api PRIVATE backaid_handover)
endif()
list(APPEND BACKAID_FRONT_LIBS backaid_handover)
list(APPEND BACKAID_MODULE_TEST_SOURCES
  "${CMAKE_SOURCE_DIR}/src/handover/handover_test.cc")
list(APPEND BACKAID_MODULE_TEST_LIBS backaid_handover)


# The browser tests: playwright-core driving Debian's Chromium against the
# real `backaid serve --web`, axe-core on every page. Screenshots go to
# <build>/web-test/.
add_test(NAME web_browser
  COMMAND "${BACKAID_NODE}" "${CMAKE_SOURCE_DIR}/tests/web/run.mjs"
          --bin $<TARGET_FILE:backaid> --web "${BACKAID_WEB_DIR}"
          --node-modules "${BACKAID_WEB_NODE}/node_modules"
          --out "${CMAKE_BINARY_DIR}/web-test")
set_tests_properties(web_browser PROPERTIES TIMEOUT 600
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/pg/lsan.supp:print_suppressions=0")

# Every pinned npm package must run on bookworm's own Node.js (18.20): a
# newer Node installed by hand would otherwise hide one that refuses it.
add_test(NAME web_node_engines
  COMMAND "${BACKAID_NODE}" "${CMAKE_SOURCE_DIR}/tests/web/engines_test.mjs"
          "${CMAKE_SOURCE_DIR}/web/package-lock.json" 18.20.4)
add_test(NAME fhir_node_engines
  COMMAND "${BACKAID_NODE}" "${CMAKE_SOURCE_DIR}/tests/web/engines_test.mjs"
          "${CMAKE_SOURCE_DIR}/tests/fhir/node/package-lock.json" 18.20.4)

# LHC-Forms (NLM's SDC form renderer), pinned by version and sha512 in
# tests/fhir/lforms/lforms.pin, fetched once with `npm pack` (fetch.sh).
# The test serves it with the real `backaid serve --web`, fills our
# Questionnaire in Debian's Chromium and triages the QuestionnaireResponse
# that LHC-Forms builds. Screenshots go to <build>/lforms-test/.
set(BACKAID_LFORMS_DIR "${CMAKE_BINARY_DIR}/lforms")
add_custom_command(
  OUTPUT "${BACKAID_LFORMS_DIR}/stamp"
  COMMAND bash "${CMAKE_SOURCE_DIR}/tests/fhir/lforms/fetch.sh"
          "${CMAKE_SOURCE_DIR}" "${BACKAID_LFORMS_DIR}"
  DEPENDS "${CMAKE_SOURCE_DIR}/tests/fhir/lforms/lforms.pin"
          "${CMAKE_SOURCE_DIR}/tests/fhir/lforms/fetch.sh"
  COMMENT "Fetching LHC-Forms (npm pack, pinned sha512)"
  VERBATIM)
add_custom_target(backaid_lforms ALL DEPENDS "${BACKAID_LFORMS_DIR}/stamp")
add_test(NAME fhir_lforms
  COMMAND python3 "${CMAKE_SOURCE_DIR}/tests/fhir/lforms/lforms_test.py"
          $<TARGET_FILE:backaid> "${CMAKE_SOURCE_DIR}" "${BACKAID_LFORMS_DIR}"
          "${BACKAID_WEB_NODE}/node_modules" "${CMAKE_BINARY_DIR}/lforms-test")
set_tests_properties(fhir_lforms PROPERTIES TIMEOUT 900
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/pg/lsan.supp:print_suppressions=0")
