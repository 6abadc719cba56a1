/*
 * sandbox_api.c — every hostile kernel of modules/hostile.wat through the C
 * API, one line per case, then "N passed, M failed".
 *
 * usage: sandbox_api MODULE_DIR WORK_DIR
 *   MODULE_DIR holds hostile.so, good.so, ctor_trap.so and ctor_wild_name.so
 *   (built by `wasmgraph compile`); graphs and params are written to WORK_DIR.
 *
 * For each case (sandbox_cases.c) and thread count, on ONE executor:
 *   1. the good input gives the good output (the kernel's good path works);
 *   2. the hostile input (zeros), twice: exact status, exact trap kind
 *      (wasmgraph_executor_last_trap), the message names node and kernel and
 *      carries the trap text and the case's own text;
 *   3. the good input again gives the good output: the executor is reusable
 *      after a trap or kernel error (metadata, stack, static data restored).
 * After every case a separate executor of a separate model (good.so) must
 * still compute its output. Finally the creation cases: modules whose
 * constructor traps and a graph naming an unregistered kernel must fail
 * executor creation with the right status and message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_cases.h"
#include "wasmgraph.h"

static int g_passed, g_failed;

typedef struct {
  char why[1024]; /* first failure of the current case, "" if none */
} verdict;

/* A message longer than `why` is cut and ends in "..." so the cut shows. */
static void fail(verdict *v, const char *fmt, const char *a, const char *b) {
  if (v->why[0]) return;
  if (snprintf(v->why, sizeof v->why, fmt, a, b) >= (int)sizeof v->why)
    memcpy(v->why + sizeof v->why - 4, "...", 4);
}

static void report(const char *name, int threads, const verdict *v) {
  if (v->why[0]) {
    g_failed++;
    printf("FAIL %-22s threads=%d: %s\n", name, threads, v->why);
  } else {
    g_passed++;
    printf("PASS %-22s threads=%d\n", name, threads);
  }
  fflush(stdout);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Runs the good input and checks the output; returns 0 if it matched. */
static int run_good(wasmgraph_executor *ex, verdict *v, const char *when) {
  float out[4];
  wasmgraph_status st = wasmgraph_executor_set_input(ex, 0, sb_good_input, sizeof sb_good_input);
  if (st == WASMGRAPH_OK) st = wasmgraph_executor_run(ex);
  if (st != WASMGRAPH_OK) {
    fail(v, "good run %s failed: %s", when, wasmgraph_executor_last_error(ex));
    return -1;
  }
  if (wasmgraph_executor_get_output(ex, 0, out, sizeof out) != WASMGRAPH_OK ||
      memcmp(out, sb_good_output, sizeof out) != 0) {
    char got[128];
    snprintf(got, sizeof got, "{%g, %g, %g, %g}", out[0], out[1], out[2], out[3]);
    fail(v, "good run %s gave %s, expected {3, 5, 7, 9}", when, got);
    return -1;
  }
  if (wasmgraph_executor_last_trap(ex) != WASMGRAPH_TRAP_NONE)
    fail(v, "good run %s left last_trap set%s", when, "");
  return 0;
}

static void check_outputs_ones(wasmgraph_executor *ex, verdict *v, const char *when) {
  float out[4];
  static const float ones[4] = {1, 1, 1, 1};
  if (wasmgraph_executor_get_output(ex, 0, out, sizeof out) != WASMGRAPH_OK ||
      memcmp(out, ones, sizeof out) != 0) {
    char got[128];
    snprintf(got, sizeof got, "{%g, %g, %g, %g}", out[0], out[1], out[2], out[3]);
    fail(v, "output %s is %s, expected {1, 1, 1, 1}", when, got);
  }
}

static void run_hostile(wasmgraph_executor *ex, const sandbox_case *c, verdict *v) {
  static const float zeros[4] = {0, 0, 0, 0};
  char prefix[512], want[64];
  sb_expected_prefix(c, prefix, sizeof prefix);
  if (wasmgraph_executor_set_input(ex, 0, zeros, sizeof zeros) != WASMGRAPH_OK) {
    fail(v, "set_input: %s%s", wasmgraph_executor_last_error(ex), "");
    return;
  }
  wasmgraph_status st = wasmgraph_executor_run(ex);
  const char *msg = wasmgraph_executor_last_error(ex);
  if (st != c->status) {
    snprintf(want, sizeof want, "%s", wasmgraph_status_string(c->status));
    char got[1200];
    snprintf(got, sizeof got, "%s (%s)", wasmgraph_status_string(st), msg);
    fail(v, "status is %s, expected %s", got, want);
    return;
  }
  if (wasmgraph_executor_last_trap(ex) != c->trap) {
    snprintf(want, sizeof want, "%s", wasmgraph_trap_string(c->trap));
    fail(v, "trap kind is '%s', expected '%s'",
         wasmgraph_trap_string(wasmgraph_executor_last_trap(ex)), want);
    return;
  }
  if (c->status == WASMGRAPH_OK && (c->flags & SB_STABLE_OUTPUT)) {
    /* Whatever the guest wrote, it must be done when run() returns: guest
     * code still running afterwards would change the output later. */
    float first[4], later[4];
    sleep_ms(200);
    wasmgraph_executor_get_output(ex, 0, first, sizeof first);
    sleep_ms(1500);
    wasmgraph_executor_get_output(ex, 0, later, sizeof later);
    if (first[2] == 7.0f && first[1] != 42.0f) {
      fail(v,
           "guest code ran after run() returned: a parallel task had started and not "
           "finished%s%s",
           "", "");
    } else if (first[0] >= 2.0f && first[3] != 5.0f) {
      fail(v, "a task of the parallel launch never ran (launch of %s tasks)%s",
           first[0] == 2.0f ? "2" : "several", "");
    } else if (memcmp(first, later, sizeof first) != 0) {
      char a[128], b[128];
      snprintf(a, sizeof a, "{%g, %g, %g, %g}", first[0], first[1], first[2], first[3]);
      snprintf(b, sizeof b, "{%g, %g, %g, %g}", later[0], later[1], later[2], later[3]);
      fail(v, "guest code ran after run() returned: the output changed from %s to %s", a, b);
    }
    return;
  }
  if (c->status == WASMGRAPH_OK) {
    check_outputs_ones(ex, v, "after the run");
    return;
  }
  if (!strstr(msg, prefix)) fail(v, "message '%s' lacks '%s'", msg, prefix);
  else if (!strstr(msg, c->text)) fail(v, "message '%s' lacks '%s'", msg, c->text);
}

static void run_case(const char *module_dir, const char *work_dir, const sandbox_case *c,
                     int threads) {
  verdict v = {""};
  char so[1024], graph[1024], params[1024], file[256], err[1024];
  /* on stderr, so that a crash (the worst failure) names its case */
  fprintf(stderr, "running %s threads=%d\n", c->name, threads);
  sb_path(so, sizeof so, module_dir, "hostile.so");
  snprintf(file, sizeof file, "%s.json", c->name);
  sb_path(graph, sizeof graph, work_dir, file);
  sb_path(params, sizeof params, work_dir, "empty.params");
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  wasmgraph_options opt;
  memset(&opt, 0, sizeof opt);
  opt.struct_size = sizeof opt;
  opt.num_threads = threads;
  if (wasmgraph_model_load_library(so, graph, params, &model, err, sizeof err) != WASMGRAPH_OK) {
    fail(&v, "load: %s%s", err, "");
  } else if (wasmgraph_executor_create(model, &opt, &ex, err, sizeof err) != WASMGRAPH_OK) {
    fail(&v, "create: %s%s", err, "");
  } else {
    if (!(c->flags & SB_NO_REUSE)) run_good(ex, &v, "before the hostile runs");
    run_hostile(ex, c, &v);
    run_hostile(ex, c, &v); /* a second failure reports the same way */
    if (!(c->flags & SB_NO_REUSE)) {
      if (run_good(ex, &v, "after the hostile runs (same executor)") != 0 &&
          (c->flags & SB_DATA_RESTORE)) {
        size_t n = strlen(v.why);
        snprintf(v.why + n, sizeof v.why - n, "%s", " [the module's static data was not restored]");
      }
    }
  }
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
  report(c->name, threads, &v);
}

static void run_create_case(const char *module_dir, const char *work_dir,
                            const sandbox_create_case *c) {
  verdict v = {""};
  char so[1024], graph[1024], params[1024], file[256], err[1024] = "";
  sb_path(so, sizeof so, module_dir, c->module);
  snprintf(file, sizeof file, "%s.json", c->name);
  sb_path(graph, sizeof graph, work_dir, file);
  sb_path(params, sizeof params, work_dir, "empty.params");
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  wasmgraph_status st = wasmgraph_model_load_library(so, graph, params, &model, err, sizeof err);
  if (st != WASMGRAPH_OK) {
    fail(&v, "load: %s%s", err, "");
  } else {
    for (int attempt = 0; attempt < 2 && !v.why[0]; attempt++) {
      err[0] = '\0';
      st = wasmgraph_executor_create(model, NULL, &ex, err, sizeof err);
      if (st != c->status) {
        char got[1200];
        snprintf(got, sizeof got, "%s (%s)", wasmgraph_status_string(st), err);
        fail(&v, "create gave %s, expected %s", got, wasmgraph_status_string(c->status));
      } else if (ex) {
        fail(&v, "create failed but returned an executor%s%s", "", "");
      } else if (!strstr(err, c->text)) {
        fail(&v, "message '%s' lacks '%s'", err, c->text);
      }
      wasmgraph_executor_destroy(ex);
      ex = NULL;
    }
  }
  wasmgraph_model_destroy(model);
  report(c->name, 0, &v);
}

static wasmgraph_executor *make_good_executor(const char *module_dir, const char *work_dir,
                                              wasmgraph_model **model) {
  char so[1024], graph[1024], params[1024], err[1024];
  sb_path(so, sizeof so, module_dir, "good.so");
  sb_path(graph, sizeof graph, work_dir, "good.json");
  sb_path(params, sizeof params, work_dir, "empty.params");
  wasmgraph_executor *ex = NULL;
  wasmgraph_options opt;
  memset(&opt, 0, sizeof opt);
  opt.struct_size = sizeof opt;
  opt.num_threads = 2;
  if (wasmgraph_model_load_library(so, graph, params, model, err, sizeof err) != WASMGRAPH_OK ||
      wasmgraph_executor_create(*model, &opt, &ex, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "sandbox_api: good model: %s\n", err);
    return NULL;
  }
  return ex;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: sandbox_api MODULE_DIR WORK_DIR\n");
    return 2;
  }
  const char *module_dir = argv[1], *work_dir = argv[2];
  if (sb_write_common_files(work_dir) != 0 ||
      sb_write_graph(work_dir, "good", "good_affine", false))
    return 1;
  for (size_t i = 0; i < sb_num_cases; i++)
    if (sb_write_graph(work_dir, sb_cases[i].name, sb_cases[i].kernel,
                       (sb_cases[i].flags & SB_COPY_GRAPH) != 0) != 0)
      return 1;
  for (size_t i = 0; i < sb_num_create_cases; i++)
    if (sb_write_graph(work_dir, sb_create_cases[i].name, sb_create_cases[i].kernel, false) != 0)
      return 1;

  printf("memory mode: %s\n", wasmgraph_memory_mode());
  wasmgraph_model *good_model = NULL;
  wasmgraph_executor *good = make_good_executor(module_dir, work_dir, &good_model);
  if (!good) {
    wasmgraph_model_destroy(good_model);
    return 1;
  }

  for (size_t i = 0; i < sb_num_cases; i++) {
    const sandbox_case *c = &sb_cases[i];
    for (int threads = 1; threads <= 2; threads++) {
      if (c->threads && c->threads != threads) continue;
      run_case(module_dir, work_dir, c, threads);
      /* another executor of another model keeps working */
      verdict v = {""};
      if (run_good(good, &v, "of good.so") != 0) {
        char name[128];
        snprintf(name, sizeof name, "good_after_%s", c->name);
        report(name, 2, &v);
      }
    }
  }
  for (size_t i = 0; i < sb_num_create_cases; i++)
    run_create_case(module_dir, work_dir, &sb_create_cases[i]);

  verdict v = {""};
  run_good(good, &v, "of good.so at the end");
  report("good_model_survives", 2, &v);
  wasmgraph_executor_destroy(good);
  wasmgraph_model_destroy(good_model);

  printf("%d passed, %d failed\n", g_passed, g_failed);
  if (g_passed + g_failed == 0) printf("FAIL: no check ran\n");
  return g_failed != 0 || g_passed + g_failed == 0;
}
