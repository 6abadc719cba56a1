/*
 * check.h — the few assertion macros the parser tests use.
 *
 * CHECK(expr) prints "FAIL file:line expr" and counts the failure but keeps
 * going, so one run shows every broken case; CHECK_MSG additionally prints a
 * context string (e.g. the case name and the parser's message). A test's
 * main() ends with `return check_report("name");`, which prints
 * "name: N passed, M failed" and returns nonzero if anything failed or if
 * no check ran at all (a test that checked nothing has shown nothing).
 * SKIP_RC (77) is registered as SKIP_RETURN_CODE in tests/parsers/CMakeLists.txt.
 */
#ifndef WASMGRAPH_TESTS_CHECK_H_
#define WASMGRAPH_TESTS_CHECK_H_

#include <stdio.h>
#include <string.h>

#define SKIP_RC 77

static int check_passed_, check_failed_;

#define CHECK(expr) CHECK_MSG(expr, "")

#define CHECK_MSG(expr, ctx)                                                                     \
  do {                                                                                           \
    if (expr) {                                                                                  \
      check_passed_++;                                                                           \
    } else {                                                                                     \
      check_failed_++;                                                                           \
      fprintf(stderr, "FAIL %s:%d %s%s%s\n", __FILE__, __LINE__, #expr, (ctx)[0] ? "  -- " : "", \
              (ctx));                                                                            \
    }                                                                                            \
  } while (0)

/* True if `hay` contains `needle`; NULL-safe. */
static inline int check_contains(const char *hay, const char *needle) {
  return hay && needle && strstr(hay, needle) != NULL;
}

static inline int check_report(const char *name) {
  printf("%s: %d passed, %d failed\n", name, check_passed_, check_failed_);
  if (check_passed_ + check_failed_ == 0) {
    fprintf(stderr, "FAIL %s: no check ran\n", name);
    return 1;
  }
  return check_failed_ ? 1 : 0;
}

#endif
