/*
 * check.h — the counting CHECK of the runtime's C API tests (test_api.c,
 * test_profile.c, test_reload.c): a failed condition is printed with its
 * place and counted, and the test goes on. Each test prints its summary and
 * fails when `failures` is not 0 or no check ran.
 */
#ifndef WASMGRAPH_TESTS_RUNTIME_CHECK_H
#define WASMGRAPH_TESTS_RUNTIME_CHECK_H

#include <stdio.h>

static int failures, checks;
#define CHECK(cond)                                                   \
  do {                                                                \
    checks++;                                                         \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

#endif
