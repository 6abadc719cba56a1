/*
 * sandbox_concurrency.c — traps on one thread must not disturb executors on
 * another.
 *
 * usage: sandbox_concurrency MODULE_DIR WORK_DIR [ROUNDS]
 *
 * The hostile thread owns one executor per trap case (sandbox_cases.c rows
 * listed in k_trap_cases: guard-page faults, arithmetic traps, native stack
 * exhaustion, shadow-stack wrap, wild import pointers, traps inside parallel
 * lambdas on the pool) and, ROUNDS times, makes each trap and then runs the
 * same executor on a fresh good input, checking the output. Meanwhile the good
 * thread runs two executors over and over, checking every output: one of
 * good.so (two threads, parallel launch) and one made from the SAME model
 * object as the hostile thread's div_zero executor (models are shareable
 * between threads). Trap state is thread-local and every executor owns its
 * memory, so both threads must see only the results they expect. The threads
 * start together at a barrier, and the hostile thread keeps trapping (past
 * ROUNDS, up to 20 s) until the good thread has completed at least
 * MIN_OVERLAP runs meanwhile, so the two really overlap even on a loaded
 * machine. Prints one line per thread and "N passed, M failed".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_cases.h"
#include "wasmgraph.h"

typedef struct {
  const char *name;
  int threads;
} trap_pick;

static const trap_pick k_trap_cases[] = {
    {"oob_load_end", 1}, {"oob_store_end", 2}, {"div_zero", 1},    {"trunc_nan", 1},
    {"recursion", 1},    {"shadow_stack", 1},  {"seterr_wild", 1}, {"memcpy_huge", 2},
    {"lambda_oob", 2},   {"lambda_trap", 2},   {"call_null", 1},
};
#define NUM_TRAPS (sizeof k_trap_cases / sizeof k_trap_cases[0])
#define MIN_OVERLAP 200
#define MAX_SECONDS 20.0

typedef struct {
  const char *module_dir, *work_dir;
  int rounds;
  wasmgraph_model *models[NUM_TRAPS];
  const sandbox_case *cases[NUM_TRAPS];
  pthread_barrier_t start;
  atomic_int hostile_done;
  atomic_long good_runs;
  /* results */
  long rounds_done, overlap;
  long traps_ok, goods_ok, hostile_errors;
  long good_errors;
  char hostile_why[1024 + 64], good_why[1024 + 64]; /* a prefix and a whole err[1024] */
} shared_state;

static const sandbox_case *find_case(const char *name, int threads) {
  for (size_t i = 0; i < sb_num_cases; i++)
    if (strcmp(sb_cases[i].name, name) == 0 &&
        (sb_cases[i].threads == 0 || sb_cases[i].threads == threads))
      return &sb_cases[i];
  return NULL;
}

static wasmgraph_executor *make_executor(wasmgraph_model *model, int threads, char *err,
                                         size_t err_size) {
  wasmgraph_options opt;
  memset(&opt, 0, sizeof opt);
  opt.struct_size = sizeof opt;
  opt.num_threads = threads;
  wasmgraph_executor *ex = NULL;
  if (wasmgraph_executor_create(model, &opt, &ex, err, err_size) != WASMGRAPH_OK) return NULL;
  return ex;
}

/* Runs x = base + {0, 0.5, -1, 3}; 0 if the output is 2x + 1. */
static int good_run(wasmgraph_executor *ex, float base, char *why, size_t why_size) {
  float x[4] = {base, base + 0.5f, -base - 1.0f, 3.0f}, y[4];
  wasmgraph_status st = wasmgraph_executor_set_input(ex, 0, x, sizeof x);
  if (st == WASMGRAPH_OK) st = wasmgraph_executor_run(ex);
  if (st != WASMGRAPH_OK) {
    snprintf(why, why_size, "good run failed: %s", wasmgraph_executor_last_error(ex));
    return -1;
  }
  wasmgraph_executor_get_output(ex, 0, y, sizeof y);
  for (int i = 0; i < 4; i++) {
    if (y[i] != x[i] * 2.0f + 1.0f) {
      snprintf(why, why_size, "output[%d] = %g for x = %g, expected %g", i, y[i], x[i],
               x[i] * 2.0f + 1.0f);
      return -1;
    }
  }
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *hostile_main(void *arg) {
  shared_state *s = arg;
  wasmgraph_executor *ex[NUM_TRAPS] = {0};
  char err[1024];
  pthread_barrier_wait(&s->start);
  for (size_t i = 0; i < NUM_TRAPS; i++) {
    ex[i] = make_executor(s->models[i], k_trap_cases[i].threads, err, sizeof err);
    if (!ex[i]) {
      snprintf(s->hostile_why, sizeof s->hostile_why, "%s: create: %s", k_trap_cases[i].name, err);
      s->hostile_errors++;
      goto done;
    }
  }
  static const float zeros[4] = {0, 0, 0, 0};
  long good_at_start = atomic_load(&s->good_runs);
  double t0 = now_s();
  for (int r = 0;; r++) {
    s->overlap = atomic_load(&s->good_runs) - good_at_start;
    if (r >= s->rounds && (s->overlap >= MIN_OVERLAP || now_s() - t0 > MAX_SECONDS)) break;
    s->rounds_done++;
    for (size_t i = 0; i < NUM_TRAPS; i++) {
      const sandbox_case *c = s->cases[i];
      wasmgraph_executor_set_input(ex[i], 0, zeros, sizeof zeros);
      wasmgraph_status st = wasmgraph_executor_run(ex[i]);
      if (st != c->status || wasmgraph_executor_last_trap(ex[i]) != c->trap) {
        if (!s->hostile_why[0])
          snprintf(s->hostile_why, sizeof s->hostile_why, "%s round %d: %s (%s)", c->name, r,
                   wasmgraph_status_string(st), wasmgraph_executor_last_error(ex[i]));
        s->hostile_errors++;
      } else {
        s->traps_ok++;
      }
      char why[512];
      if (good_run(ex[i], (float)(r + 1), why, sizeof why) != 0) {
        if (!s->hostile_why[0])
          snprintf(s->hostile_why, sizeof s->hostile_why, "%s round %d after the trap: %s", c->name,
                   r, why);
        s->hostile_errors++;
      } else {
        s->goods_ok++;
      }
    }
  }
done:
  for (size_t i = 0; i < NUM_TRAPS; i++) wasmgraph_executor_destroy(ex[i]);
  atomic_store(&s->hostile_done, 1);
  return NULL;
}

static void *good_main(void *arg) {
  shared_state *s = arg;
  char so[1024], graph[1024], params[1024], err[1024];
  pthread_barrier_wait(&s->start);
  sb_path(so, sizeof so, s->module_dir, "good.so");
  sb_path(graph, sizeof graph, s->work_dir, "good.json");
  sb_path(params, sizeof params, s->work_dir, "empty.params");
  wasmgraph_model *good_model = NULL;
  wasmgraph_executor *good = NULL, *shared = NULL;
  if (wasmgraph_model_load_library(so, graph, params, &good_model, err, sizeof err) !=
          WASMGRAPH_OK ||
      !(good = make_executor(good_model, 2, err, sizeof err))) {
    snprintf(s->good_why, sizeof s->good_why, "good.so: %s", err);
    s->good_errors++;
    goto done;
  }
  /* k_trap_cases[2] is div_zero: the same model the hostile thread traps on */
  if (!(shared = make_executor(s->models[2], 1, err, sizeof err))) {
    snprintf(s->good_why, sizeof s->good_why, "shared model: %s", err);
    s->good_errors++;
    goto done;
  }
  for (long i = 0; !atomic_load(&s->hostile_done) || i < 2L * s->rounds; i++) {
    char why[512];
    wasmgraph_executor *ex = i % 2 ? shared : good;
    if (good_run(ex, (float)(i % 1000) * 0.25f + 1.0f, why, sizeof why) != 0) {
      if (!s->good_why[0])
        snprintf(s->good_why, sizeof s->good_why, "run %ld (%s): %s", i,
                 ex == good ? "good.so" : "shared div_zero model", why);
      s->good_errors++;
    }
    atomic_fetch_add(&s->good_runs, 1);
  }
done:
  wasmgraph_executor_destroy(good);
  wasmgraph_executor_destroy(shared);
  wasmgraph_model_destroy(good_model);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: sandbox_concurrency MODULE_DIR WORK_DIR [ROUNDS]\n");
    return 2;
  }
  static shared_state s;
  s.module_dir = argv[1];
  s.work_dir = argv[2];
  s.rounds = argc == 4 ? atoi(argv[3]) : 30;
  if (s.rounds < 1) s.rounds = 1;
  if (sb_write_common_files(s.work_dir) != 0 ||
      sb_write_graph(s.work_dir, "good", "good_affine", false) != 0)
    return 1;

  char so[1024], graph[1024], params[1024], file[256], err[1024];
  int failed = 0, passed = 0;
  sb_path(so, sizeof so, s.module_dir, "hostile.so");
  sb_path(params, sizeof params, s.work_dir, "empty.params");
  for (size_t i = 0; i < NUM_TRAPS; i++) {
    s.cases[i] = find_case(k_trap_cases[i].name, k_trap_cases[i].threads);
    if (!s.cases[i] || s.cases[i]->status != WASMGRAPH_ERR_TRAP) {
      fprintf(stderr, "sandbox_concurrency: no trap case '%s'\n", k_trap_cases[i].name);
      return 1;
    }
    if (sb_write_graph(s.work_dir, s.cases[i]->name, s.cases[i]->kernel, false) != 0) return 1;
    snprintf(file, sizeof file, "%s.json", s.cases[i]->name);
    sb_path(graph, sizeof graph, s.work_dir, file);
    if (wasmgraph_model_load_library(so, graph, params, &s.models[i], err, sizeof err) !=
        WASMGRAPH_OK) {
      fprintf(stderr, "sandbox_concurrency: %s\n", err);
      return 1;
    }
  }

  pthread_t th, tg;
  pthread_barrier_init(&s.start, NULL, 2);
  if (pthread_create(&tg, NULL, good_main, &s) != 0 ||
      pthread_create(&th, NULL, hostile_main, &s) != 0) {
    fprintf(stderr, "sandbox_concurrency: cannot start threads\n");
    return 1;
  }
  pthread_join(th, NULL);
  pthread_join(tg, NULL);
  pthread_barrier_destroy(&s.start);
  for (size_t i = 0; i < NUM_TRAPS; i++) wasmgraph_model_destroy(s.models[i]);

  long want = s.rounds_done * (long)NUM_TRAPS;
  long good_runs = atomic_load(&s.good_runs);
  if (s.hostile_errors || s.traps_ok != want || s.goods_ok != want || want == 0) {
    failed++;
    printf("FAIL hostile thread: %ld/%ld traps as expected, %ld/%ld good runs after them: %s\n",
           s.traps_ok, want, s.goods_ok, want, s.hostile_why);
  } else {
    passed++;
    printf(
        "PASS hostile thread: %ld traps as expected, each followed by a correct run of the "
        "same executor (%ld good runs of the other thread overlapped)\n",
        s.traps_ok, s.overlap);
  }
  if (s.good_errors || good_runs < 2L * s.rounds) {
    failed++;
    printf("FAIL good thread: %ld errors in %ld runs: %s\n", s.good_errors, good_runs, s.good_why);
  } else {
    passed++;
    printf("PASS good thread: %ld runs concurrent with the traps, every output correct\n",
           good_runs);
  }
  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
