/*
 * interrupt.c — stopping a run in progress: wasmgraph_executor_interrupt
 * from any thread, and run deadlines (docs/security.md#deadlines).
 *
 * The stop word. Every executor has one 32-bit word; its memory struct
 * points at it (wasm_rt_memory_t.interrupt), so every instance and thread of
 * the executor polls the same word: generated code checks bit 0 at function
 * entries, loop back edges and after host imports (wasm-rt.h), and traps with
 * WASM_RT_TRAP_INTERRUPTED when it is set. The other bits belong to the
 * runtime: WG_RUNNING while a run is in progress, the run's epoch, and
 * WG_STOP_DEADLINE to say why it was stopped.
 *
 * Why one word. A stop request must reach the run in progress and never a
 * later one. Requests are a compare-and-swap that sets WG_STOP only while the
 * word still holds WG_RUNNING (and, for the watchdog, the epoch of the run it
 * was armed for); a run ends with an atomic exchange that clears the word.
 * So a request that races with the end of a run either lands before the
 * exchange (and is reported by it) or fails its CAS and finds no run: it can
 * never set WG_STOP on the next run's word, which starts with a new epoch.
 * The request is lock-free, so it is safe from any thread and from a signal
 * handler. (An epoch repeats after 2^29 runs; a request would have to stall
 * between its load and its CAS for exactly that many runs to misfire.)
 *
 * The watchdog. A run with a deadline arms a per-executor thread, started on
 * first use, that sleeps on a monotonic-clock condition variable until the
 * deadline and then requests a stop for that run's epoch. Disarming only
 * clears a flag: the thread wakes at the old deadline, finds nothing to do,
 * and waits for the next arm, so back-to-back runs cost two uncontended
 * mutex operations each and no wake-up.
 */
#include "interrupt.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

_Static_assert(WG_STOP == WASM_RT_INTERRUPT_BIT, "generated code polls bit 0");

typedef struct wg_watchdog {
  struct wasmgraph_executor *ex;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* CLOCK_MONOTONIC */
  bool shutdown;
  bool armed;
  uint32_t armed_word; /* the word of the run to stop: epoch | WG_RUNNING */
  struct timespec armed_at;
  bool timed_wait; /* the thread sleeps until wait_until */
  struct timespec wait_until;
} wg_watchdog;

/* Sets WG_STOP | reason on the run in progress; with `only_word`, only if
 * the run in progress is that one. */
static void request_stop(struct wasmgraph_executor *ex, uint32_t only_word, uint32_t reason) {
  uint32_t w = __atomic_load_n(&ex->stop_word, __ATOMIC_ACQUIRE);
  for (;;) {
    if (!(w & WG_RUNNING) || (w & WG_STOP)) return; /* no run, or already stopping */
    if (only_word && w != only_word) return;        /* another run */
    if (__atomic_compare_exchange_n(&ex->stop_word, &w, w | WG_STOP | reason, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      return;
  }
}

static bool has_checks(const struct wasmgraph_executor *ex) {
  return ex->model->desc->interrupt_checks == WASMGRAPH_INTERRUPT_CHECKS_ALL;
}

/* ---- the watchdog thread -------------------------------------------------- */

static bool before(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *watchdog_main(void *arg) {
  wg_watchdog *wd = arg;
  pthread_mutex_lock(&wd->mu);
  while (!wd->shutdown) {
    if (!wd->armed) {
      pthread_cond_wait(&wd->cv, &wd->mu);
      continue;
    }
    uint32_t word = wd->armed_word;
    wd->timed_wait = true;
    wd->wait_until = wd->armed_at;
    pthread_cond_timedwait(&wd->cv, &wd->mu, &wd->wait_until);
    wd->timed_wait = false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (wd->armed && wd->armed_word == word && !before(&now, &wd->armed_at)) {
      request_stop(wd->ex, word, WG_STOP_DEADLINE);
      wd->armed = false;
    }
  }
  pthread_mutex_unlock(&wd->mu);
  return NULL;
}

static wg_watchdog *watchdog_start(struct wasmgraph_executor *ex) {
  wg_watchdog *wd = calloc(1, sizeof *wd);
  if (!wd) return NULL;
  wd->ex = ex;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&wd->cv, &ca);
  pthread_condattr_destroy(&ca);
  pthread_mutex_init(&wd->mu, NULL);
  if (pthread_create(&wd->thread, NULL, watchdog_main, wd) != 0) {
    pthread_cond_destroy(&wd->cv);
    pthread_mutex_destroy(&wd->mu);
    free(wd);
    return NULL;
  }
  return wd;
}

void wg_watchdog_destroy(struct wasmgraph_executor *ex) {
  wg_watchdog *wd = ex->watchdog;
  if (!wd) return;
  pthread_mutex_lock(&wd->mu);
  wd->shutdown = true;
  pthread_cond_signal(&wd->cv);
  pthread_mutex_unlock(&wd->mu);
  pthread_join(wd->thread, NULL);
  pthread_cond_destroy(&wd->cv);
  pthread_mutex_destroy(&wd->mu);
  free(wd);
  ex->watchdog = NULL;
}

/* ---- runs ------------------------------------------------------------------ */

void wg_stop_init(struct wasmgraph_executor *ex) {
  __atomic_store_n(&ex->stop_word, 0u, __ATOMIC_RELAXED);
  ex->memory.interrupt = &ex->stop_word;
}

wasmgraph_status wg_run_begin(struct wasmgraph_executor *ex) {
  ex->run_epoch += WG_EPOCH_STEP;
  if (ex->run_epoch == 0) ex->run_epoch = WG_EPOCH_STEP;
  uint32_t word = ex->run_epoch | WG_RUNNING;
  if (ex->deadline_ms && !ex->watchdog) {
    ex->watchdog = watchdog_start(ex);
    if (!ex->watchdog)
      return wg_fail(ex, WASMGRAPH_ERR_NO_MEMORY,
                     "cannot start the thread that enforces the "
                     "%u ms deadline",
                     ex->deadline_ms);
  }
  __atomic_store_n(&ex->stop_word, word, __ATOMIC_RELEASE);
  if (ex->deadline_ms) {
    wg_watchdog *wd = ex->watchdog;
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    at.tv_sec += ex->deadline_ms / 1000;
    at.tv_nsec += (long)(ex->deadline_ms % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
      at.tv_sec++;
      at.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&wd->mu);
    wd->armed = true;
    wd->armed_word = word;
    wd->armed_at = at;
    /* A thread asleep until an earlier time re-arms itself when it wakes. */
    if (!wd->timed_wait || before(&at, &wd->wait_until)) pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
  }
  return WASMGRAPH_OK;
}

uint32_t wg_run_end(struct wasmgraph_executor *ex) {
  if (ex->watchdog) {
    pthread_mutex_lock(&ex->watchdog->mu);
    ex->watchdog->armed = false;
    pthread_mutex_unlock(&ex->watchdog->mu);
  }
  return __atomic_exchange_n(&ex->stop_word, ex->run_epoch, __ATOMIC_ACQ_REL);
}

/* ---- API ------------------------------------------------------------------- */

wasmgraph_status wasmgraph_executor_set_deadline(wasmgraph_executor *ex, uint32_t deadline_ms) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  if (deadline_ms && !has_checks(ex))
    return wg_fail(ex, WASMGRAPH_ERR_UNSUPPORTED,
                   "module '%s' was compiled without interrupt checks "
                   "(--disable-pass=interrupt-checks): its runs cannot be stopped, so it "
                   "takes no deadline",
                   ex->model->desc->name);
  ex->deadline_ms = deadline_ms;
  return WASMGRAPH_OK;
}

wasmgraph_status wasmgraph_executor_interrupt(wasmgraph_executor *ex) {
  if (!ex) return WASMGRAPH_ERR_INVALID_ARGUMENT;
  /* No wg_fail: last_error belongs to the thread that runs. */
  if (!has_checks(ex)) return WASMGRAPH_ERR_UNSUPPORTED;
  request_stop(ex, 0, 0);
  return WASMGRAPH_OK;
}
