/*
 * classify.c — a complete program using the wasmgraph C API.
 *
 * It loads a model compiled with `wasmgraph compile <folder> -o digits.so`
 * (graph.json and params embedded), describes its inputs and outputs, runs it
 * on an 8x8 drawing of a "3" and prints the most likely class.
 *
 *   cc classify.c -I<prefix>/include -L<prefix>/lib -lwasmgraph -o classify
 *   ./classify digits.so
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasmgraph.h"

/* A hand-drawn 3 on an 8x8 grid, one row a line. */
// clang-format off
static const float k_three[64] = {
    0, 0, 1, 1, 1, 1, 0, 0,
    0, 1, 0, 0, 0, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 1, 0,
    0, 0, 0, 1, 1, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 1, 0,
    0, 1, 0, 0, 0, 0, 1, 0,
    0, 0, 1, 1, 1, 1, 0, 0,
};
// clang-format on

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.so\n", argv[0]);
    return 2;
  }
  char err[512];
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  int rc = 1;

  /* 1. The model: code from the .so, graph and params embedded in it. */
  if (wasmgraph_model_load_library(argv[1], NULL, NULL, &model, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "classify: %s\n", err);
    return 1;
  }
  /* 2. An executor: one sandbox with the params loaded. NULL options = defaults. */
  if (wasmgraph_executor_create(model, NULL, &ex, err, sizeof err) != WASMGRAPH_OK) {
    fprintf(stderr, "classify: %s\n", err);
    goto done;
  }
  for (int i = 0; i < wasmgraph_executor_num_inputs(ex); i++) {
    wasmgraph_tensor_info info;
    wasmgraph_executor_input_info(ex, i, &info);
    printf("input %d: %s %s, %zu bytes\n", i, info.name, info.dtype_name, info.nbytes);
  }

  /* 3. Input by name, copied into the sandbox; the size must match exactly. */
  if (wasmgraph_executor_set_input_by_name(ex, "data", k_three, sizeof k_three) != WASMGRAPH_OK ||
      wasmgraph_executor_run(ex) != WASMGRAPH_OK) {
    fprintf(stderr, "classify: %s\n", wasmgraph_executor_last_error(ex));
    goto done;
  }

  /* 4. Output 0 copied out: ten class probabilities. */
  float probs[10];
  if (wasmgraph_executor_get_output(ex, 0, probs, sizeof probs) != WASMGRAPH_OK) {
    fprintf(stderr, "classify: %s\n", wasmgraph_executor_last_error(ex));
    goto done;
  }
  int best = 0;
  for (int c = 1; c < 10; c++)
    if (probs[c] > probs[best]) best = c;
  printf("class %d (p = %.3f)\n", best, (double)probs[best]);
  rc = 0;
done:
  wasmgraph_executor_destroy(ex); /* NULL is fine */
  wasmgraph_model_destroy(model);
  return rc;
}
