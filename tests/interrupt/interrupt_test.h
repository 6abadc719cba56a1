/*
 * interrupt_test.h — what the tests/interrupt programs share: CHECK macros
 * that count and keep going (tests/parsers/check.h's style), a monotonic
 * clock, and a thread that keeps calling wasmgraph_executor_interrupt until
 * told to stop. Header-only; test code.
 */
#ifndef WASMGRAPH_INTERRUPT_TEST_H_
#define WASMGRAPH_INTERRUPT_TEST_H_

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wasmgraph.h"

#define SKIP_RC 77

static int check_passed_, check_failed_;

#define CHECK_MSG(expr, ctx)                                                       \
  do {                                                                             \
    if (expr) {                                                                    \
      check_passed_++;                                                             \
    } else {                                                                       \
      check_failed_++;                                                             \
      fprintf(stderr, "FAIL %s:%d %s  -- %s\n", __FILE__, __LINE__, #expr, (ctx)); \
    }                                                                              \
  } while (0)
#define CHECK(expr) CHECK_MSG(expr, "")

/* "name: N passed, M failed"; nonzero if anything failed or nothing ran. */
static inline int check_report(const char *name) {
  printf("%s: %d passed, %d failed\n", name, check_passed_, check_failed_);
  return check_failed_ || !check_passed_ ? 1 : 0;
}

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline void sleep_ms(double ms) {
  struct timespec ts = {(time_t)(ms / 1000),
                        (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
  nanosleep(&ts, NULL);
}

/* A thread that waits `delay_ms`, then calls wasmgraph_executor_interrupt
 * every `period_ms` (0: as fast as it can) until `stop` is set. */
typedef struct hammer {
  wasmgraph_executor *ex;
  double delay_ms, period_ms;
  atomic_int stop;
  atomic_long calls;
  _Atomic double first_call_ms; /* now_ms() of the first call, 0 before */
  pthread_t thread;
} hammer;

static inline void *hammer_main(void *arg) {
  hammer *h = arg;
  if (h->delay_ms > 0) sleep_ms(h->delay_ms);
  while (!atomic_load(&h->stop)) {
    if (atomic_load(&h->first_call_ms) == 0) atomic_store(&h->first_call_ms, now_ms());
    if (wasmgraph_executor_interrupt(h->ex) != WASMGRAPH_OK) break;
    atomic_fetch_add(&h->calls, 1);
    if (h->period_ms > 0) sleep_ms(h->period_ms);
  }
  return NULL;
}

static inline int hammer_start(hammer *h, wasmgraph_executor *ex, double delay_ms,
                               double period_ms) {
  memset(h, 0, sizeof *h);
  h->ex = ex;
  h->delay_ms = delay_ms;
  h->period_ms = period_ms;
  return pthread_create(&h->thread, NULL, hammer_main, h);
}

static inline void hammer_stop(hammer *h) {
  atomic_store(&h->stop, 1);
  pthread_join(h->thread, NULL);
}

#endif
