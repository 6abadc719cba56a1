/*
 * interrupt_checks_pair.c — times two builds of one model in one process,
 * alternating run by run (A, B, B, A, ...), 1 thread, for
 * benchmarks/interrupt_checks.sh. On a machine shared with other work the
 * load changes from second to second; runs that alternate see the same
 * conditions, and the CPU time of the running thread
 * (CLOCK_THREAD_CPUTIME_ID) does not count the time the thread spent
 * descheduled.
 *
 *   interrupt_checks_pair A.so B.so MODEL_DIR RUNS
 *
 * Prints one JSON line: per build the median and 10th percentile of the
 * thread CPU time and of the wall time per run, in ms, and their ratios A/B.
 * Both builds must give byte-identical outputs (checked once), or it fails.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npy.h"
#include "wasmgraph.h"

static double ms(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int set_inputs(wasmgraph_executor *ex, const char *dir) {
  char path[2048], err[512], in_dir[1024];
  snprintf(in_dir, sizeof in_dir, "%s/inputs", dir);
  DIR *d = opendir(in_dir);
  if (!d) return -1;
  int rc = 0;
  for (struct dirent *e; rc == 0 && (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".npy") != 0) continue;
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
    snprintf(path, sizeof path, "%s/%s", in_dir, e->d_name);
    npy_array a;
    int index;
    if (npy_load(path, &a, err, sizeof err) != WASMGRAPH_OK) {
      fprintf(stderr, "%s\n", err);
      rc = -1;
      break;
    }
    if (wasmgraph_model_input_index(wasmgraph_executor_model(ex), name, &index) ||
        wasmgraph_executor_set_input_tensor(ex, index, a.dtype, a.ndim, a.shape, a.data))
      rc = -1;
    npy_free(&a);
  }
  closedir(d);
  return rc;
}

static wasmgraph_executor *open_build(const char *so, const char *dir, wasmgraph_model **m) {
  char graph[1024], params[1024], err[1024];
  snprintf(graph, sizeof graph, "%s/graph.json", dir);
  snprintf(params, sizeof params, "%s/graph.params", dir);
  wasmgraph_executor *ex = NULL;
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = 1;
  if (wasmgraph_model_load_library(so, graph, params, m, err, sizeof err) ||
      wasmgraph_executor_create(*m, &o, &ex, err, sizeof err) || set_inputs(ex, dir)) {
    fprintf(stderr, "%s: %s\n", so, err);
    return NULL;
  }
  return ex;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return v[(int)(p * (n - 1) + 0.5)];
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: interrupt_checks_pair A.so B.so MODEL_DIR RUNS\n");
    return 2;
  }
  int runs = atoi(argv[4]);
  wasmgraph_model *ma = NULL, *mb = NULL;
  wasmgraph_executor *a = open_build(argv[1], argv[3], &ma);
  wasmgraph_executor *b = open_build(argv[2], argv[3], &mb);
  if (!a || !b || runs < 2) return 1;
  /* warm up, and compare the outputs */
  if (wasmgraph_executor_run(a) || wasmgraph_executor_run(b)) {
    fprintf(stderr, "run failed: %s%s\n", wasmgraph_executor_last_error(a),
            wasmgraph_executor_last_error(b));
    return 1;
  }
  for (int i = 0; i < wasmgraph_executor_num_outputs(a); i++) {
    const void *pa, *pb;
    size_t sa, sb;
    wasmgraph_executor_output_buffer(a, i, &pa, &sa);
    wasmgraph_executor_output_buffer(b, i, &pb, &sb);
    if (sa != sb || memcmp(pa, pb, sa) != 0) {
      fprintf(stderr, "output %d differs between the two builds\n", i);
      return 1;
    }
  }
  double *cpu[2], *wall[2];
  for (int k = 0; k < 2; k++) {
    cpu[k] = calloc((size_t)runs, sizeof(double));
    wall[k] = calloc((size_t)runs, sizeof(double));
    if (!cpu[k] || !wall[k]) return 1;
  }
  for (int r = 0; r < runs; r++) {
    for (int j = 0; j < 2; j++) {
      int k = (r & 1) ? 1 - j : j; /* A B, B A, ... */
      wasmgraph_executor *ex = k ? b : a;
      double c0 = ms(CLOCK_THREAD_CPUTIME_ID), w0 = ms(CLOCK_MONOTONIC);
      if (wasmgraph_executor_run(ex)) return 1;
      wall[k][r] = ms(CLOCK_MONOTONIC) - w0;
      cpu[k][r] = ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
  }
  double cm[2], c10[2], wm[2], w10[2];
  for (int k = 0; k < 2; k++) {
    cm[k] = pct(cpu[k], runs, 0.5);
    c10[k] = pct(cpu[k], runs, 0.1);
    wm[k] = pct(wall[k], runs, 0.5);
    w10[k] = pct(wall[k], runs, 0.1);
  }
  printf(
      "{\"runs\": %d, \"cpu_median_ms\": [%.3f, %.3f], \"cpu_p10_ms\": [%.3f, %.3f], "
      "\"wall_median_ms\": [%.3f, %.3f], \"wall_p10_ms\": [%.3f, %.3f], "
      "\"cpu_median_ratio\": %.4f, \"cpu_p10_ratio\": %.4f, \"wall_median_ratio\": %.4f}\n",
      runs, cm[0], cm[1], c10[0], c10[1], wm[0], wm[1], w10[0], w10[1], cm[0] / cm[1],
      c10[0] / c10[1], wm[0] / wm[1]);
  wasmgraph_executor_destroy(a);
  wasmgraph_executor_destroy(b);
  wasmgraph_model_destroy(ma);
  wasmgraph_model_destroy(mb);
  return 0;
}
