/*
 * test_sort.c — TVM's sort path end to end: kernels that fetch
 * tvm.contrib.sort.argsort and .topk through TVMBackendGetFuncFromEnv and call
 * them with TVMFuncCall (sort.wat). Checks the host's stable sort results,
 * including ties, against hand-computed answers.
 *
 * usage: test_sort MODEL.so GRAPH.json PARAMS
 */
#include <stdio.h>
#include <string.h>

#include "wasmgraph.h"

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  char err[512];
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  if (wasmgraph_model_load_library(argv[1], argv[2], argv[3], &model, err, sizeof err) ||
      wasmgraph_executor_create(model, NULL, &ex, err, sizeof err)) {
    fprintf(stderr, "FAIL: %s\n", err);
    return 1;
  }
  /* ties at 3.0 (indices 1 and 4) keep their order: the sort is stable */
  const float x[6] = {0.5f, 3.0f, -1.0f, 2.0f, 3.0f, 0.0f};
  const int32_t want_argsort[6] = {1, 4, 3, 0, 5, 2}; /* descending */
  const float want_values[3] = {-1.0f, 0.0f, 0.5f};   /* ascending top 3 */
  const int32_t want_indices[3] = {2, 5, 0};
  int32_t got_argsort[6], got_indices[3];
  float got_values[3];
  int failed = 0;
  if (wasmgraph_executor_set_input(ex, 0, x, sizeof x) || wasmgraph_executor_run(ex) ||
      wasmgraph_executor_get_output(ex, 0, got_argsort, sizeof got_argsort) ||
      wasmgraph_executor_get_output(ex, 1, got_values, sizeof got_values) ||
      wasmgraph_executor_get_output(ex, 2, got_indices, sizeof got_indices)) {
    fprintf(stderr, "FAIL: %s\n", wasmgraph_executor_last_error(ex));
    failed = 1;
  } else {
    if (memcmp(got_argsort, want_argsort, sizeof want_argsort)) {
      fprintf(stderr, "FAIL: argsort gave %d %d %d %d %d %d\n", got_argsort[0], got_argsort[1],
              got_argsort[2], got_argsort[3], got_argsort[4], got_argsort[5]);
      failed = 1;
    }
    if (memcmp(got_values, want_values, sizeof want_values) ||
        memcmp(got_indices, want_indices, sizeof want_indices)) {
      fprintf(stderr, "FAIL: topk gave %g %g %g / %d %d %d\n", (double)got_values[0],
              (double)got_values[1], (double)got_values[2], got_indices[0], got_indices[1],
              got_indices[2]);
      failed = 1;
    }
  }
  printf("%d passed, %d failed\n", failed ? 0 : 3, failed ? 1 : 0);
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
  return failed;
}
