/*
 * run_profile.c — prints what wasmgraph_executor_node_profile() measured
 * (run_profile.h). Shares are of the sum over nodes, which leaves out only
 * the executor's own loop; the table ends with that sum and the runs'
 * median so the difference shows.
 */
#include "run_profile.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
  wasmgraph_node_profile p;
  double ms; /* per run */
} row;

static int by_time(const void *a, const void *b) {
  double x = ((const row *)a)->ms, y = ((const row *)b)->ms;
  return x < y ? 1 : x > y ? -1 : ((const row *)a)->p.node - ((const row *)b)->p.node;
}

/* The profile per run, in run order; *n rows, *sum ms. NULL on failure. */
static row *collect(const wasmgraph_executor *ex, int *n, double *sum) {
  int runs = wasmgraph_executor_profile_runs(ex);
  *n = wasmgraph_executor_num_profiled_nodes(ex);
  *sum = 0;
  if (runs <= 0 || *n < 0) return NULL;
  row *r = calloc((size_t)(*n ? *n : 1), sizeof *r);
  for (int i = 0; r && i < *n; i++) {
    wasmgraph_executor_node_profile(ex, i, &r[i].p);
    r[i].ms = r[i].p.total_ms / runs;
    *sum += r[i].ms;
  }
  return r;
}

int wasmgraph_cli_print_profile(FILE *out, const wasmgraph_executor *ex, double median_ms) {
  int n;
  double sum;
  row *r = collect(ex, &n, &sum);
  if (!r) {
    fprintf(stderr, "wasmgraph: no profile (out of memory or no run)\n");
    return 1;
  }
  qsort(r, (size_t)n, sizeof *r, by_time);
  int threads = wasmgraph_executor_num_threads(ex);
  fprintf(out, "profile: %d run%s, %d thread%s, per run:\n", wasmgraph_executor_profile_runs(ex),
          wasmgraph_executor_profile_runs(ex) == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
  fprintf(out, "%4s  %5s  %10s  %6s  %6s  %s\n", "rank", "node", "ms", "share", "cumul", "kernel");
  double cumul = 0;
  for (int i = 0; i < n; i++) {
    double share = sum > 0 ? 100.0 * r[i].ms / sum : 0;
    cumul += share;
    fprintf(out, "%4d  %5d  %10.3f  %5.1f%%  %5.1f%%  %s\n", i + 1, r[i].p.node, r[i].ms, share,
            cumul, r[i].p.kernel[0] ? r[i].p.kernel : r[i].p.name);
  }
  fprintf(out, "sum of nodes %.3f ms; run median %.3f ms\n", sum, median_ms);
  free(r);
  return 0;
}

json_object *wasmgraph_cli_profile_json(const wasmgraph_executor *ex) {
  int n;
  double sum;
  row *r = collect(ex, &n, &sum);
  if (!r) return NULL;
  json_object *a = json_object_new_array();
  for (int i = 0; a && i < n; i++) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "node", json_object_new_int(r[i].p.node));
    json_object_object_add(o, "name", json_object_new_string(r[i].p.name));
    json_object_object_add(o, "kernel", json_object_new_string(r[i].p.kernel));
    json_object_object_add(o, "ms_per_run", json_object_new_double(r[i].ms));
    json_object_object_add(o, "share", json_object_new_double(sum > 0 ? r[i].ms / sum : 0));
    json_object_array_add(a, o);
  }
  free(r);
  return a;
}
