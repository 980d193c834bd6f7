# libFuzzer targets (issue 12): built only in the `fuzz` preset (clang-14,
# -fsanitize=fuzzer with AddressSanitizer and UBSan on every library).
# Each target gets a ctest entry, fuzz_<name>, that runs it for
# BACKAID_FUZZ_SECONDS (30 in `make test`, longer with `make fuzz`) from
# its seed corpus fuzz/corpus/<name> and dictionary fuzz/<name>.dict.
# New inputs go to the build tree, never into the source tree; a crash
# leaves its input in build/fuzz/artifacts/ (turn it into a regression test).
set(BACKAID_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzz_<name> test runs")
set(FUZZ_TARGETS case_reader kb_loader expr answers diary_entry http_request
                 fhir_qr)
add_custom_target(fuzzers)
foreach(name ${FUZZ_TARGETS})
  add_executable(fuzz_${name} "${CMAKE_SOURCE_DIR}/fuzz/${name}_fuzz.cc")
  target_include_directories(fuzz_${name} PRIVATE "${CMAKE_SOURCE_DIR}")
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_${name} PRIVATE backaid_core)
  add_dependencies(fuzzers fuzz_${name})
  set(dict "${CMAKE_SOURCE_DIR}/fuzz/${name}.dict")
  set(dict_arg "")
  if(EXISTS "${dict}")
    set(dict_arg "-dict=${dict}")
  endif()
  add_test(NAME fuzz_${name}
    COMMAND sh -c "mkdir -p corpus_${name} artifacts && exec \"$0\" \
-max_total_time=${BACKAID_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 \
-print_final_stats=1 -artifact_prefix=artifacts/${name}- ${dict_arg} \
corpus_${name} \"${CMAKE_SOURCE_DIR}/fuzz/corpus/${name}\"" $<TARGET_FILE:fuzz_${name}>
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}")
endforeach()
target_link_libraries(fuzz_http_request PRIVATE backaid_http)
target_include_directories(fuzz_http_request PRIVATE ${Boost_INCLUDE_DIRS})
target_compile_definitions(fuzz_http_request PRIVATE
  BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_NO_DEPRECATED)
# The FHIR reader lives in the FHIR front's library.
target_link_libraries(fuzz_fhir_qr PRIVATE backaid_fhir)
