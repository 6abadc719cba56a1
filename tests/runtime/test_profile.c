/*
 * test_profile.c — per-node profiling through the C API on the example
 * model: off by default (queries say -1), on counts only whole runs, one
 * entry per executed node in run order with its graph node and kernel, a
 * time for each, a fresh start when turned on again, range and NULL checks,
 * and runs without profiling after it is turned off.
 *
 * usage: test_profile MODEL.so GRAPH.json   (MODEL.so with the graph embedded)
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "wasmgraph.h"

/* The executed nodes of graph.json, in order: every tvm_op but __nop.
 * Fills idx[] with their node indices; returns how many, -1 on error. */
static int executed_nodes(const char *path, int *idx, int cap, json_object **root) {
  *root = json_object_from_file(path);
  json_object *nodes;
  if (!*root || !json_object_object_get_ex(*root, "nodes", &nodes)) return -1;
  int n = 0;
  for (size_t i = 0; i < json_object_array_length(nodes); i++) {
    json_object *node = json_object_array_get_idx(nodes, i), *op, *attrs, *fn;
    if (!json_object_object_get_ex(node, "op", &op) ||
        strcmp(json_object_get_string(op), "tvm_op") != 0)
      continue;
    if (json_object_object_get_ex(node, "attrs", &attrs) &&
        json_object_object_get_ex(attrs, "func_name", &fn) &&
        strcmp(json_object_get_string(fn), "__nop") == 0)
      continue;
    if (n < cap) idx[n] = (int)i;
    n++;
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_profile MODEL.so GRAPH.json\n");
    return 2;
  }
  int idx[256];
  json_object *graph = NULL;
  int want = executed_nodes(argv[2], idx, 256, &graph);
  CHECK(want > 0 && want <= 256);
  char err[512];
  wasmgraph_model *model = NULL;
  wasmgraph_executor *ex = NULL;
  CHECK(wasmgraph_model_load_library(argv[1], NULL, NULL, &model, err, sizeof err) == WASMGRAPH_OK);
  wasmgraph_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = 1;
  CHECK(model && wasmgraph_executor_create(model, &o, &ex, err, sizeof err) == WASMGRAPH_OK);
  if (!ex) goto done;
  float x[64];
  for (int i = 0; i < 64; i++) x[i] = (float)(i % 7) / 7.0f;
  CHECK(wasmgraph_executor_set_input(ex, 0, x, sizeof x) == WASMGRAPH_OK);

  /* off by default */
  wasmgraph_node_profile p;
  CHECK(wasmgraph_executor_profile_runs(ex) == -1);
  CHECK(wasmgraph_executor_num_profiled_nodes(ex) == -1);
  CHECK(wasmgraph_executor_node_profile(ex, 0, &p) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == -1);

  /* on: whole runs, one entry per executed node, in run order */
  CHECK(wasmgraph_executor_set_profiling(ex, true) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == 0);
  CHECK(wasmgraph_executor_num_profiled_nodes(ex) == want);
  for (int r = 0; r < 3; r++) CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == 3);
  double sum = 0;
  json_object *nodes = NULL;
  json_object_object_get_ex(graph, "nodes", &nodes);
  for (int i = 0; i < want; i++) {
    memset(&p, 0xff, sizeof p);
    CHECK(wasmgraph_executor_node_profile(ex, i, &p) == WASMGRAPH_OK);
    CHECK(p.node == idx[i]);
    CHECK(p.total_ms >= 0);
    sum += p.total_ms;
    json_object *node = json_object_array_get_idx(nodes, (size_t)idx[i]), *name, *attrs, *fn;
    CHECK(json_object_object_get_ex(node, "name", &name) && p.name &&
          strcmp(p.name, json_object_get_string(name)) == 0);
    CHECK(json_object_object_get_ex(node, "attrs", &attrs) &&
          json_object_object_get_ex(attrs, "func_name", &fn) && p.kernel &&
          strcmp(p.kernel, json_object_get_string(fn)) == 0);
  }
  CHECK(sum > 0);
  CHECK(wasmgraph_executor_node_profile(ex, want, &p) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_node_profile(ex, -1, &p) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_node_profile(ex, 0, NULL) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_node_profile(NULL, 0, &p) == WASMGRAPH_ERR_INVALID_ARGUMENT);
  CHECK(wasmgraph_executor_set_profiling(NULL, true) == WASMGRAPH_ERR_INVALID_ARGUMENT);

  /* on again: from zero */
  CHECK(wasmgraph_executor_set_profiling(ex, true) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == 0);
  CHECK(wasmgraph_executor_node_profile(ex, 0, &p) == WASMGRAPH_OK && p.total_ms == 0);
  CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == 1);

  /* off: queries say so, runs go on */
  CHECK(wasmgraph_executor_set_profiling(ex, false) == WASMGRAPH_OK);
  CHECK(wasmgraph_executor_profile_runs(ex) == -1);
  CHECK(wasmgraph_executor_run(ex) == WASMGRAPH_OK);
done:
  wasmgraph_executor_destroy(ex);
  wasmgraph_model_destroy(model);
  json_object_put(graph);
  printf("%d checks, %d failed\n", checks, failures);
  return failures || checks == 0 ? 1 : 0;
}
