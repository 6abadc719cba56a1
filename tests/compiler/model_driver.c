/*
 * model_driver.c — links against one or more translated models and runs each
 * through the runtime's public API, proving that the output links (no
 * duplicate symbols between models) and works: descriptor fields, model
 * creation from the embedded or given graph/params, an executor, one run on
 * zeroed inputs, and the same outputs on a second run.
 *
 * Build: cc -DMODELS='X(mlp) X(lenet)' model_driver.c <model objects> -lwasmgraph ...
 * Usage: model_driver [GRAPH.json PARAMS | - -]...   one pair per model, "-"
 *        meaning "use the copy embedded in the model".
 * Prints "ok - ..." lines and "N passed, M failed"; exit 1 on any failure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgraph.h"

#ifndef MODELS
#error "define MODELS as X(name) X(name) ..."
#endif

#define X(n) const wasmgraph_module_desc *n##_wasmgraph_module(void);
MODELS
#undef X

static int npass, nfail;

static void check(int ok, const char *model, const char *what, const char *detail) {
  if (ok) {
    npass++;
    printf("ok - %s: %s\n", model, what);
  } else {
    nfail++;
    printf("FAIL - %s: %s%s%s\n", model, what, detail ? ": " : "", detail ? detail : "");
  }
}

static void run_model(const char *expected_name, const wasmgraph_module_desc *d, const char *graph,
                      const char *params) {
  char err[512] = "";
  check(d != NULL && strcmp(d->name, expected_name) == 0, expected_name, "descriptor name", NULL);
  check(d->abi_version == WASMGRAPH_MODULE_ABI_VERSION &&
            d->struct_size == sizeof(wasmgraph_module_desc),
        expected_name, "descriptor ABI version and size", NULL);
  check(d->heap_base >= d->data_end && d->stack_top > 0 && d->instance_size > 0, expected_name,
        "descriptor layout", NULL);
  bool embedded = graph == NULL;
  check(embedded == (d->graph_json != NULL && d->params != NULL), expected_name,
        embedded ? "graph and params embedded" : "nothing embedded", NULL);

  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  wasmgraph_status st =
      wasmgraph_model_create_from_files(d, graph, params, &model, err, sizeof err);
  check(st == WASMGRAPH_OK, expected_name, "model created", err);
  if (st != WASMGRAPH_OK) return;
  wasmgraph_options opt = {.struct_size = sizeof opt, .num_threads = 1};
  st = wasmgraph_executor_create(model, &opt, &ex, err, sizeof err);
  check(st == WASMGRAPH_OK, expected_name, "executor created (instantiate + ctors)", err);
  if (st == WASMGRAPH_OK) {
    for (int i = 0; i < wasmgraph_executor_num_inputs(ex); i++) {
      void *data;
      size_t size;
      if (wasmgraph_executor_input_buffer(ex, i, &data, &size) == WASMGRAPH_OK)
        memset(data, 0, size);
    }
    st = wasmgraph_executor_run(ex);
    check(st == WASMGRAPH_OK, expected_name, "run", wasmgraph_executor_last_error(ex));
    wasmgraph_tensor_info info;
    if (st == WASMGRAPH_OK && wasmgraph_executor_output_info(ex, 0, &info) == WASMGRAPH_OK) {
      void *a = malloc(info.nbytes), *b = malloc(info.nbytes);
      bool same = a && b && wasmgraph_executor_get_output(ex, 0, a, info.nbytes) == WASMGRAPH_OK &&
                  wasmgraph_executor_run(ex) == WASMGRAPH_OK &&
                  wasmgraph_executor_get_output(ex, 0, b, info.nbytes) == WASMGRAPH_OK &&
                  memcmp(a, b, info.nbytes) == 0;
      check(same, expected_name, "second run gives the same output", NULL);
      free(a);
      free(b);
    }
  }
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
}

int main(int argc, char **argv) {
  static const char *const names[] = {
#define X(n) #n,
      MODELS
#undef X
  };
  const wasmgraph_module_desc *descs[] = {
#define X(n) n##_wasmgraph_module(),
      MODELS
#undef X
  };
  int n = (int)(sizeof names / sizeof names[0]);
  if (argc != 1 + 2 * n) {
    fprintf(stderr, "usage: %s [GRAPH.json PARAMS | - -] x %d\n", argv[0], n);
    return 2;
  }
  for (int i = 0; i < n; i++) {
    const char *g = argv[1 + 2 * i], *p = argv[2 + 2 * i];
    run_model(names[i], descs[i], strcmp(g, "-") ? g : NULL, strcmp(p, "-") ? p : NULL);
  }
  printf("%d passed, %d failed\n", npass, nfail);
  if (npass + nfail == 0) printf("FAIL: no check ran\n");
  return nfail != 0 || npass + nfail == 0;
}
