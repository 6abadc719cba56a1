# run_fuzzer.cmake — one bounded libFuzzer run for ctest (fuzz_short_<parser>).
# -DFUZZER=binary -DCORPUS=seed dir -DWORK=scratch dir -DSECONDS=n [-DDICT=file]
# The seeds are copied so the run never writes into the source tree; a crash,
# leak or timeout leaves its input in ${WORK}/artifacts and fails the test.
foreach(v FUZZER CORPUS WORK SECONDS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${v}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB _seeds "${CORPUS}/*")
file(COPY ${_seeds} DESTINATION "${WORK}/corpus")
set(_args -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 -max_len=16384
          -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/)
if(DICT)
  list(APPEND _args -dict=${DICT})
endif()
execute_process(COMMAND "${FUZZER}" ${_args} "${WORK}/corpus" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (exit ${_rc}); reproducer in ${WORK}/artifacts")
endif()
message(STATUS "fuzz run clean: ${SECONDS} s")
