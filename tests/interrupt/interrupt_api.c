/*
 * interrupt_api.c — deadlines, wasmgraph_executor_interrupt and the memory
 * budget through the C API, on modules/runaway.wat (issue 15).
 *
 *   interrupt_api MODULE_DIR WORK_DIR
 *
 * MODULE_DIR holds runaway.so (wasmgraph compile) and runaway_nochk.so (the
 * same with --disable-pass=interrupt-checks). For every runaway kernel, with
 * 1 and 2 threads:
 *   - a deadline stops it: WASMGRAPH_ERR_TRAP, trap kind
 *     WASMGRAPH_TRAP_DEADLINE, the message naming node, kernel and deadline,
 *     not before the deadline; the executor then stops it again;
 *   - the *_if_zero kernels, on one executor: stopped, then the good input
 *     gives the exact result, then stopped again, then exact again;
 *   - an interrupt from another thread stops them (WASMGRAPH_TRAP_INTERRUPTED);
 * and:
 *   - an interrupt that arrives when no run is in progress (before the first
 *     run, after a run) does not stop the next run;
 *   - a thread interrupting without pause while short runs follow each other:
 *     every run either gives the exact result or reports the interrupt, and
 *     the first run after the thread stops succeeds (the race the stop word's
 *     epoch closes; run it under ThreadSanitizer);
 *   - a deadline far away never fires; a 1 ms deadline on short runs either
 *     fires or not, never anything else;
 *   - a module without interrupt checks refuses deadlines and interrupts;
 *   - the memory budget: refused with the sizes in the message, honoured
 *     (memory.grow past it returns -1, within it succeeds);
 *   - a descriptor of ABI version 2 (before interrupt checks) is refused
 *     with WASMGRAPH_ERR_ABI and the "recompile" hint.
 * Prints "interrupt_api: N passed, M failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_write_file.h"
#include "interrupt_test.h"

static const char *g_mod_dir, *g_work;
static const float k_good_in[4] = {1, 2, 3, 4}, k_good_out[4] = {3, 5, 7, 9};
static const float k_zero_in[4] = {0, 0, 0, 0};

/* <work>/<kernel>.json: x float32[4] -> op_<kernel> -> output; and the
 * empty params file. */
static int write_graph(const char *kernel) {
  char json[2048], path[1024];
  snprintf(json, sizeof json,
           "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},\n"
           " {\"op\": \"tvm_op\", \"name\": \"op_%s\", \"attrs\": {\"num_inputs\": \"1\",\n"
           "  \"num_outputs\": \"1\", \"flatten_data\": \"0\", \"func_name\": \"%s\"},\n"
           "  \"inputs\": [[0, 0, 0]]}],\n"
           " \"arg_nodes\": [0], \"heads\": [[1, 0, 0]], \"node_row_ptr\": [0, 1, 2],\n"
           " \"attrs\": {\"dltype\": [\"list_str\", [\"float32\", \"float32\"]],\n"
           "  \"shape\": [\"list_shape\", [[4], [4]]],\n"
           "  \"storage_id\": [\"list_int\", [0, 1]]}}\n",
           kernel, kernel);
  snprintf(path, sizeof path, "%s/%s.json", g_work, kernel);
  return test_write_file("interrupt_api", path, json, strlen(json));
}

static int write_params(void) {
  uint8_t p[32] = {0};
  uint64_t magic = 0xF7E58D4F05049CB7ull;
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(magic >> (8 * i));
  char path[1024];
  snprintf(path, sizeof path, "%s/empty.params", g_work);
  return test_write_file("interrupt_api", path, p, sizeof p);
}

/* The model of `kernel` in module file `so` (runaway.so by default). */
static wasmgraph_model *load(const char *so, const char *kernel) {
  char lib[1024], graph[1024], params[1024], err[512];
  snprintf(lib, sizeof lib, "%s/%s", g_mod_dir, so);
  snprintf(graph, sizeof graph, "%s/%s.json", g_work, kernel);
  snprintf(params, sizeof params, "%s/empty.params", g_work);
  wasmgraph_model *m = NULL;
  if (write_graph(kernel) != 0 ||
      wasmgraph_model_load_library(lib, graph, params, &m, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "FAIL: cannot load %s for %s: %s\n", lib, kernel, err);
    check_failed_++;
    return NULL;
  }
  return m;
}

static wasmgraph_executor *executor(wasmgraph_model *m, int threads, uint32_t deadline_ms) {
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = threads;
  o.workspace_bytes = 1 << 20;
  o.deadline_ms = deadline_ms;
  wasmgraph_executor *ex = NULL;
  char err[512];
  if (wasmgraph_executor_create(m, &o, &ex, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "FAIL: executor_create: %s\n", err);
    check_failed_++;
    return NULL;
  }
  return ex;
}

/* Runs with input `in`; the status. */
static wasmgraph_status run_with(wasmgraph_executor *ex, const float *in) {
  wasmgraph_executor_set_input(ex, 0, in, 4 * sizeof(float));
  return wasmgraph_executor_run(ex);
}

static bool good_output(wasmgraph_executor *ex) {
  float y[4];
  return wasmgraph_executor_get_output(ex, 0, y, sizeof y) == WASMGRAPH_OK &&
         memcmp(y, k_good_out, sizeof y) == 0;
}

/* The run must have been stopped with `kind` and the exact message. */
static void expect_stopped(wasmgraph_executor *ex, wasmgraph_status st, const char *kernel,
                           wasmgraph_trap_kind kind, uint32_t deadline_ms, const char *ctx) {
  char want[256], why[512];
  if (kind == WASMGRAPH_TRAP_DEADLINE)
    snprintf(want, sizeof want, "node 1 'op_%s' (kernel %s) stopped: deadline of %u ms exceeded",
             kernel, kernel, deadline_ms);
  else
    snprintf(want, sizeof want,
             "node 1 'op_%s' (kernel %s) stopped: interrupted (wasmgraph_executor_interrupt)",
             kernel, kernel);
  snprintf(why, sizeof why, "%s: status %d, trap %d, message '%s'", ctx, (int)st,
           (int)wasmgraph_executor_last_trap(ex), wasmgraph_executor_last_error(ex));
  CHECK_MSG(st == WASMGRAPH_ERR_TRAP, why);
  CHECK_MSG(wasmgraph_executor_last_trap(ex) == kind, why);
  CHECK_MSG(strcmp(wasmgraph_executor_last_error(ex), want) == 0, why);
}

static const char *const k_runaway[] = {"rw_loop",   "rw_parallel_loop", "rw_counted",
                                        "rw_nested", "rw_recursion",     "rw_import_loop"};
static const char *const k_if_zero[] = {"rw_loop_if_zero", "rw_parallel_loop_if_zero",
                                        "rw_counted_if_zero"};

/* Every runaway kernel stopped by a deadline, twice on one executor. */
static void test_deadlines(int threads) {
  const uint32_t deadline = 200;
  for (size_t k = 0; k < sizeof k_runaway / sizeof k_runaway[0]; k++) {
    char ctx[128];
    snprintf(ctx, sizeof ctx, "%s, %d thread(s)", k_runaway[k], threads);
    wasmgraph_model *m = load("runaway.so", k_runaway[k]);
    wasmgraph_executor *ex = m ? executor(m, threads, deadline) : NULL;
    for (int again = 0; ex && again < 2; again++) {
      double t0 = now_ms();
      wasmgraph_status st = run_with(ex, k_zero_in);
      double took = now_ms() - t0;
      expect_stopped(ex, st, k_runaway[k], WASMGRAPH_TRAP_DEADLINE, deadline, ctx);
      CHECK_MSG(took >= deadline, ctx); /* never before the deadline */
      printf("%-28s %d thread(s): stopped after %.0f ms (deadline %u ms)\n", k_runaway[k], threads,
             took, deadline);
    }
    wasmgraph_executor_destroy(ex);
    wasmgraph_model_destroy(m);
  }
}

/* One executor: stopped, exact, stopped, exact; by deadline or interrupt. */
static void test_reuse(int threads, bool by_interrupt) {
  for (size_t k = 0; k < sizeof k_if_zero / sizeof k_if_zero[0]; k++) {
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s, %d thread(s), %s", k_if_zero[k], threads,
             by_interrupt ? "interrupt" : "deadline");
    wasmgraph_model *m = load("runaway.so", k_if_zero[k]);
    wasmgraph_executor *ex = m ? executor(m, threads, 0) : NULL;
    if (ex && !by_interrupt) CHECK_MSG(wasmgraph_executor_set_deadline(ex, 150) == 0, ctx);
    for (int round = 0; ex && round < 2; round++) {
      hammer h;
      bool hammering = by_interrupt && hammer_start(&h, ex, 20, 5) == 0;
      wasmgraph_status st = run_with(ex, k_zero_in);
      if (hammering) hammer_stop(&h);
      expect_stopped(ex, st, k_if_zero[k],
                     by_interrupt ? WASMGRAPH_TRAP_INTERRUPTED : WASMGRAPH_TRAP_DEADLINE, 150, ctx);
      st = run_with(ex, k_good_in);
      CHECK_MSG(st == WASMGRAPH_OK, wasmgraph_executor_last_error(ex));
      CHECK_MSG(good_output(ex), ctx);
    }
    wasmgraph_executor_destroy(ex);
    wasmgraph_model_destroy(m);
  }
}

/* Runaway kernels stopped from another thread. */
static void test_interrupt(int threads) {
  for (size_t k = 0; k < sizeof k_runaway / sizeof k_runaway[0]; k++) {
    char ctx[128];
    snprintf(ctx, sizeof ctx, "%s, %d thread(s), interrupt", k_runaway[k], threads);
    wasmgraph_model *m = load("runaway.so", k_runaway[k]);
    wasmgraph_executor *ex = m ? executor(m, threads, 0) : NULL;
    hammer h;
    if (ex && hammer_start(&h, ex, 50, 10) == 0) {
      wasmgraph_status st = run_with(ex, k_zero_in);
      hammer_stop(&h);
      expect_stopped(ex, st, k_runaway[k], WASMGRAPH_TRAP_INTERRUPTED, 0, ctx);
    }
    wasmgraph_executor_destroy(ex);
    wasmgraph_model_destroy(m);
  }
}

/* Interrupts without a run in progress, and a deadline that never fires. */
static void test_no_run(int threads) {
  wasmgraph_model *m = load("runaway.so", "rw_good");
  wasmgraph_executor *ex = m ? executor(m, threads, 0) : NULL;
  if (!ex) goto done;
  CHECK(wasmgraph_executor_interrupt(ex) == WASMGRAPH_OK); /* before any run */
  CHECK(run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex));
  for (int i = 0; i < 3; i++) CHECK(wasmgraph_executor_interrupt(ex) == WASMGRAPH_OK);
  CHECK(run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex)); /* late: no effect */
  /* a far deadline, armed and disarmed by many short runs */
  CHECK(wasmgraph_executor_set_deadline(ex, 60000) == WASMGRAPH_OK);
  int ok = 0;
  for (int i = 0; i < 200; i++) ok += run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex);
  CHECK_MSG(ok == 200, "a 60 s deadline fired on short runs");
  /* a 1 ms deadline on short runs: either outcome, nothing else */
  CHECK(wasmgraph_executor_set_deadline(ex, 1) == WASMGRAPH_OK);
  int fired = 0, bad = 0;
  for (int i = 0; i < 200; i++) {
    wasmgraph_status st = run_with(ex, k_good_in);
    if (st == WASMGRAPH_OK) bad += !good_output(ex);
    else if (st == WASMGRAPH_ERR_TRAP &&
             wasmgraph_executor_last_trap(ex) == WASMGRAPH_TRAP_DEADLINE)
      fired++;
    else bad++;
  }
  CHECK_MSG(bad == 0, "a 1 ms deadline gave something other than the result or a deadline trap");
  printf("1 ms deadline, %d thread(s): %d of 200 short runs stopped\n", threads, fired);
  CHECK(wasmgraph_executor_set_deadline(ex, 0) == WASMGRAPH_OK);
  CHECK(run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex));
done:
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(m);
}

/* A thread interrupting without pause while short runs follow each other. */
static void test_race(int threads) {
  wasmgraph_model *m = load("runaway.so", "rw_good");
  wasmgraph_executor *ex = m ? executor(m, threads, 0) : NULL;
  hammer h;
  if (!ex || hammer_start(&h, ex, 0, 0) != 0) goto done;
  int ok = 0, stopped = 0, bad = 0;
  for (int i = 0; i < 2000; i++) {
    wasmgraph_status st = run_with(ex, k_good_in);
    if (st == WASMGRAPH_OK && good_output(ex)) ok++;
    else if (st == WASMGRAPH_ERR_TRAP &&
             wasmgraph_executor_last_trap(ex) == WASMGRAPH_TRAP_INTERRUPTED)
      stopped++;
    else bad++;
  }
  hammer_stop(&h);
  CHECK_MSG(bad == 0, "a run under interrupts gave neither the result nor the interrupt");
  CHECK_MSG(run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex),
            "the first run after the interrupts stopped failed");
  printf("race, %d thread(s): %d runs exact, %d interrupted, %ld interrupt calls\n", threads, ok,
         stopped, (long)atomic_load(&h.calls));
done:
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(m);
}

/* A module compiled with --disable-pass=interrupt-checks. */
static void test_unchecked(void) {
  wasmgraph_model *m = load("runaway_nochk.so", "rw_good");
  if (!m) return;
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = 1;
  o.deadline_ms = 100;
  wasmgraph_executor *ex = NULL;
  char err[512] = "";
  CHECK(wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_ERR_UNSUPPORTED);
  CHECK_MSG(ex == NULL && strstr(err, "compiled without interrupt checks") &&
                strstr(err, "--disable-pass=interrupt-checks"),
            err);
  ex = executor(m, 1, 0);
  if (ex) {
    CHECK(wasmgraph_executor_set_deadline(ex, 100) == WASMGRAPH_ERR_UNSUPPORTED);
    CHECK(wasmgraph_executor_interrupt(ex) == WASMGRAPH_ERR_UNSUPPORTED);
    CHECK(wasmgraph_executor_set_deadline(ex, 0) == WASMGRAPH_OK);
    CHECK(run_with(ex, k_good_in) == WASMGRAPH_OK && good_output(ex));
  }
  CHECK(wasmgraph_executor_interrupt(NULL) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_set_deadline(NULL, 1) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(m);
}

/* memory.grow(pages) through rw_grow: the old size in pages, or -1. */
static float grow(wasmgraph_executor *ex, float pages) {
  float in[4] = {pages, 0, 0, 0}, y[4] = {0};
  if (run_with(ex, in) != WASMGRAPH_OK) return -2;
  wasmgraph_executor_get_output(ex, 0, y, sizeof y);
  return y[0];
}

static void test_budget(void) {
  wasmgraph_model *m = load("runaway.so", "rw_grow");
  if (!m) return;
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  char err[512];
  wasmgraph_executor *ex = NULL;
  /* refused: 128 KiB cannot hold the 64 KiB stack, the data and a 64 KiB
   * workspace */
  o.num_threads = 1;
  o.max_memory_bytes = 128u << 10;
  err[0] = 0;
  CHECK(wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_ERR_NO_MEMORY);
  CHECK_MSG(ex == NULL &&
                strstr(err,
                       "model 'interrupt_runaway' does not fit in the memory "
                       "budget of 0.1 MiB (max_memory_bytes 131072)") &&
                strstr(err, "plus at least 0.1 MiB of workspace per thread"),
            err);
  /* refused: a second thread's 1 MiB shadow stack leaves no workspace in
   * 17 pages */
  o.num_threads = 2;
  o.max_memory_bytes = 17u << 16;
  err[0] = 0;
  CHECK(wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_ERR_NO_MEMORY);
  CHECK_MSG(ex == NULL && strstr(err, "or use fewer threads"), err);
  /* refused: an explicit workspace larger than the budget */
  o.num_threads = 1;
  o.max_memory_bytes = 4u << 20;
  o.workspace_bytes = 8u << 20;
  err[0] = 0;
  CHECK(wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_ERR_NO_MEMORY);
  CHECK_MSG(ex == NULL && strstr(err, "plus 8.0 MiB of workspace per thread"), err);
  /* honoured: 4 MiB (64 pages) with a 1 MiB workspace; memory.grow may
   * reach 64 pages and no further */
  o.workspace_bytes = 1u << 20;
  if (wasmgraph_executor_create(m, &o, &ex, err, sizeof err) != WASMGRAPH_OK) {
    CHECK_MSG(0, err);
  } else {
    float pages = grow(ex, 0);
    CHECK_MSG(pages >= 2 && pages < 64, "the initial size is inside the budget");
    CHECK(grow(ex, 64 - pages + 1) == -1); /* one page too many */
    CHECK(grow(ex, 64 - pages) == pages);  /* exactly the budget */
    CHECK(grow(ex, 1) == -1);
    CHECK(grow(ex, 0) == 64);
    wasmgraph_executor_destroy(ex);
    ex = NULL;
  }
  /* honoured, workspace sized from the budget: runs, and grows no further */
  o.workspace_bytes = 0;
  o.max_memory_bytes = 2u << 20;
  if (wasmgraph_executor_create(m, &o, &ex, err, sizeof err) != WASMGRAPH_OK) {
    CHECK_MSG(0, err);
  } else {
    CHECK(grow(ex, 0) == 32);
    CHECK(grow(ex, 1) == -1);
    wasmgraph_executor_destroy(ex);
    ex = NULL;
  }
  /* no budget: the module's own maximum (65535 pages) */
  o.max_memory_bytes = 0;
  o.workspace_bytes = 1u << 20;
  if (wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_OK) {
    float pages = grow(ex, 0);
    CHECK(grow(ex, 100) == pages);
    wasmgraph_executor_destroy(ex);
  } else {
    CHECK_MSG(0, err);
  }
  /* an options struct from before these fields: they are not read */
  memset(&o, 0xff, sizeof o);
  o.struct_size = (uint32_t)offsetof(wasmgraph_options, max_memory_bytes);
  o.num_threads = 1;
  o.workspace_bytes = 1u << 20;
  ex = NULL;
  CHECK_MSG(wasmgraph_executor_create(m, &o, &ex, err, sizeof err) == WASMGRAPH_OK, err);
  if (ex) CHECK(grow(ex, 100) > 0);
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(m);
}

/* A descriptor as a module compiled before interrupt checks describes
 * itself: ABI version 2. */
static void test_old_abi(void) {
  wasmgraph_module_desc d;
  memset(&d, 0, sizeof d);
  d.abi_version = 2;
  d.struct_size = (uint32_t)offsetof(wasmgraph_module_desc, interrupt_checks);
  d.name = "old";
  wasmgraph_model *m = NULL;
  char err[512] = "";
  CHECK(wasmgraph_model_create(&d, "{}", 2, "", 0, &m, err, sizeof err) == WASMGRAPH_ERR_ABI);
  CHECK_MSG(m == NULL && strstr(err, "descriptor ABI version 2") && strstr(err, "recompile"), err);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: interrupt_api MODULE_DIR WORK_DIR\n");
    return 2;
  }
  g_mod_dir = argv[1];
  g_work = argv[2];
  if (write_params() != 0) return 1;
  for (int threads = 1; threads <= 2; threads++) {
    test_deadlines(threads);
    test_interrupt(threads);
    test_reuse(threads, false);
    test_reuse(threads, true);
    test_no_run(threads);
    test_race(threads);
  }
  test_unchecked();
  test_budget();
  test_old_abi();
  return check_report("interrupt_api");
}
