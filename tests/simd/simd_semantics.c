/*
 * simd_semantics.c — runs the cases of simd_cases.c on the translated
 * modules/simd_sem.wat through the public C API and compares every output
 * lane with the value the wasm spec requires.
 *
 * usage: simd_semantics MODULE.so WORK_DIR [GROUP]
 *        simd_semantics --list-json        (the cases, for v8_reference.mjs)
 *   MODULE.so is `wasmgraph compile simd_sem.wasm` output; WORK_DIR gets one
 *   graph.json per kernel (x: uint32[16] -> kernel -> y: uint32[16]) and an
 *   empty params file. GROUP (float, convert, lanes, memory) picks a subset.
 *
 * Each case gets its own model and executor (1 thread, a small workspace);
 * its runs go through that one executor in order. A run passes when the
 * status is OK and every word matches (simd_word_ok), or, for a trap case,
 * when the status is WASMGRAPH_ERR_TRAP with the trap kind out-of-bounds
 * and a message naming the kernel. A crash kills the process, so ctest
 * reports it as a failure. Nothing here depends on guard pages: the same
 * program checks a bounds-check build. Prints one line per run and
 * "N passed, M failed"; exit status 0 only if all passed.
 */
#include "../test_write_file.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd_cases.h"
#include "wasmgraph.h"

static int g_passed, g_failed;

static void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* empty TVM param list: kTVMNDArrayListMagic, reserved, 0 names, 0 tensors */
static int write_params(const char *dir) {
  char path[1024];
  uint8_t params[32];
  put_u64(params, 0xF7E58D4F05049CB7ull);
  put_u64(params + 8, 0);
  put_u64(params + 16, 0);
  put_u64(params + 24, 0);
  snprintf(path, sizeof path, "%s/empty.params", dir);
  return test_write_file("simd_semantics", path, params, sizeof params);
}

static int write_graph(const char *path, const char *kernel) {
  char json[1024];
  int n = snprintf(json, sizeof json,
                   "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},\n"
                   " {\"op\": \"tvm_op\", \"name\": \"op\", \"attrs\": {\"num_inputs\": \"1\",\n"
                   "  \"num_outputs\": \"1\", \"flatten_data\": \"0\", \"func_name\": \"%s\"},\n"
                   "  \"inputs\": [[0, 0, 0]]}],\n"
                   " \"arg_nodes\": [0], \"heads\": [[1, 0, 0]], \"node_row_ptr\": [0, 1, 2],\n"
                   " \"attrs\": {\"dltype\": [\"list_str\", [\"uint32\", \"uint32\"]],\n"
                   "  \"shape\": [\"list_shape\", [[16], [16]]],\n"
                   "  \"storage_id\": [\"list_int\", [0, 1]]}}\n",
                   kernel);
  if (n < 0 || (size_t)n >= sizeof json) return -1;
  return test_write_file("simd_semantics", path, json, (size_t)n);
}

static void format_want(uint64_t w, char *buf, size_t size) {
  if (w == SIMD_WANT_CNAN) snprintf(buf, size, "canonical NaN");
  else if (w == SIMD_WANT_ANAN) snprintf(buf, size, "arithmetic NaN");
  else if (w == SIMD_WANT_ANY) snprintf(buf, size, "anything");
  else snprintf(buf, size, "0x%08" PRIx32, (uint32_t)w);
}

/* One run on the case's executor; prints PASS/FAIL with the details. */
static void check_run(wasmgraph_executor *ex, const simd_case *c, size_t r) {
  const simd_run *run = &c->runs[r];
  char why[4096] = "";
  size_t len = 0;
  uint32_t out[16];
  wasmgraph_status st = wasmgraph_executor_set_input(ex, 0, run->in, sizeof run->in);
  if (st == WASMGRAPH_OK) st = wasmgraph_executor_run(ex);
  const char *msg = wasmgraph_executor_last_error(ex);
  if (run->trap) {
    if (st != WASMGRAPH_ERR_TRAP)
      snprintf(why, sizeof why, "expected an out-of-bounds trap, got %s (%s)",
               wasmgraph_status_string(st), msg);
    else if (wasmgraph_executor_last_trap(ex) != WASMGRAPH_TRAP_OUT_OF_BOUNDS)
      snprintf(why, sizeof why, "trap kind is '%s', expected '%s'",
               wasmgraph_trap_string(wasmgraph_executor_last_trap(ex)),
               wasmgraph_trap_string(WASMGRAPH_TRAP_OUT_OF_BOUNDS));
    else if (!strstr(msg, c->kernel))
      snprintf(why, sizeof why, "message '%s' does not name the kernel", msg);
  } else if (st != WASMGRAPH_OK) {
    snprintf(why, sizeof why, "run failed: %s (%s)", wasmgraph_status_string(st), msg);
  } else if ((st = wasmgraph_executor_get_output(ex, 0, out, sizeof out)) != WASMGRAPH_OK) {
    snprintf(why, sizeof why, "get_output: %s", wasmgraph_status_string(st));
  } else {
    for (int i = 0; i < 16; i++) {
      if (simd_word_ok(out[i], run->want[i])) continue;
      char want[32];
      format_want(run->want[i], want, sizeof want);
      if (len < sizeof why)
        len +=
            (size_t)snprintf(why + len, sizeof why - len,
                             "\n      y[%2d] = 0x%08" PRIx32 ", want %s (x[%d] = 0x%08" PRIx32 ")",
                             i, out[i], want, i, run->in[i]);
    }
  }
  if (why[0]) {
    g_failed++;
    printf("FAIL %-30s run %zu: %s\n", c->kernel, r + 1, why);
  } else {
    g_passed++;
    printf("PASS %-30s run %zu%s\n", c->kernel, r + 1, run->trap ? " (trap)" : "");
  }
  fflush(stdout);
}

static void run_case(const char *so, const char *work, const simd_case *c) {
  char graph[1024], params[1024], err[1024 + 32] = ""; /* room for a message naming graph */
  snprintf(graph, sizeof graph, "%s/%s.json", work, c->kernel);
  snprintf(params, sizeof params, "%s/empty.params", work);
  printf("---- %s: %s\n", c->kernel, c->what);
  /* on stderr as well, so that a crash names its case */
  fprintf(stderr, "running %s\n", c->kernel);
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  wasmgraph_options opt;
  memset(&opt, 0, sizeof opt);
  opt.struct_size = sizeof opt;
  opt.num_threads = 1;
  opt.workspace_bytes = 65536;
  if (write_graph(graph, c->kernel) != 0) {
    snprintf(err, sizeof err, "cannot write %s", graph);
  } else if (wasmgraph_model_load_library(so, graph, params, &model, err, sizeof err) ==
                 WASMGRAPH_OK &&
             wasmgraph_executor_create(model, &opt, &ex, err, sizeof err) == WASMGRAPH_OK) {
    for (size_t r = 0; r < c->num_runs; r++) check_run(ex, c, r);
  }
  if (!ex) {
    g_failed += (int)c->num_runs;
    printf("FAIL %-30s (all %zu runs): %s\n", c->kernel, c->num_runs, err);
  }
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
}

/* The cases as JSON, so that another engine can check the expectations. */
static void list_json(void) {
  printf("[");
  for (size_t i = 0; i < simd_num_cases; i++) {
    const simd_case *c = &simd_cases[i];
    printf("%s\n {\"group\": \"%s\", \"kernel\": \"%s\", \"runs\": [", i ? "," : "", c->group,
           c->kernel);
    for (size_t r = 0; r < c->num_runs; r++) {
      const simd_run *run = &c->runs[r];
      printf("%s\n  {\"trap\": %s, \"in\": [", r ? "," : "", run->trap ? "true" : "false");
      for (int k = 0; k < 16; k++) printf("%s%" PRIu32, k ? ", " : "", run->in[k]);
      printf("], \"want\": [");
      for (int k = 0; k < 16; k++) {
        uint64_t w = run->want[k];
        const char *sep = k ? ", " : "";
        if (w == SIMD_WANT_CNAN) printf("%s\"cnan\"", sep);
        else if (w == SIMD_WANT_ANAN) printf("%s\"anan\"", sep);
        else if (w == SIMD_WANT_ANY) printf("%s\"any\"", sep);
        else printf("%s%" PRIu32, sep, (uint32_t)w);
      }
      printf("]}");
    }
    printf("]}");
  }
  printf("\n]\n");
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--list-json") == 0) {
    list_json();
    return 0;
  }
  if (argc < 3 || argc > 4) {
    fprintf(stderr,
            "usage: simd_semantics MODULE.so WORK_DIR [GROUP]\n"
            "       simd_semantics --list-json\n");
    return 2;
  }
  const char *so = argv[1], *work = argv[2], *group = argc == 4 ? argv[3] : NULL;
  if (write_params(work) != 0) return 1;
  printf("memory mode: %s\n", wasmgraph_memory_mode());
  size_t selected = 0;
  for (size_t i = 0; i < simd_num_cases; i++) {
    if (group && strcmp(group, simd_cases[i].group) != 0) continue;
    selected++;
    run_case(so, work, &simd_cases[i]);
  }
  if (selected == 0) {
    fprintf(stderr, "simd_semantics: no case in group '%s'\n", group ? group : "");
    return 2;
  }
  printf("%d passed, %d failed\n", g_passed, g_failed);
  if (g_passed + g_failed == 0) printf("FAIL: no check ran\n");
  return g_failed != 0 || g_passed + g_failed == 0;
}
