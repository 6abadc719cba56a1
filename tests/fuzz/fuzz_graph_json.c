/*
 * fuzz_graph_json.c — libFuzzer target for wg_graph_parse.
 *
 * Any input: no crash, no leak, no UB. Failure: the plan is zeroed and a
 * "graph.json: " message is set. Success: re-checks, independently of the
 * parser, every invariant graph_json.h promises the executor (consistent
 * node_row_ptr, inputs from earlier nodes, ids in range, storage sizes).
 */
#include <string.h>

#include "dtype.h"
#include "fuzz_target.h"
#include "graph_json.h"

static void check_plan(const graph_plan *g) {
  int entries = 0;
  FUZZ_REQUIRE(g->num_nodes >= 1 && g->num_heads >= 1);
  FUZZ_REQUIRE(g->num_storage >= 1 && g->num_storage <= g->num_entries);
  for (int i = 0; i < g->num_nodes; i++) {
    const graph_node *n = &g->nodes[i];
    FUZZ_REQUIRE(n->name != NULL && n->first_entry == entries && n->num_outputs >= 1);
    FUZZ_REQUIRE((n->kind == GRAPH_OP_NULL) == (n->func_name == NULL));
    if (n->kind == GRAPH_OP_NULL) FUZZ_REQUIRE(n->num_inputs == 0 && n->num_outputs == 1);
    for (int j = 0; j < n->num_inputs; j++)
      FUZZ_REQUIRE(n->inputs[j] >= 0 && n->inputs[j] < n->first_entry);
    entries += n->num_outputs;
  }
  FUZZ_REQUIRE(entries == g->num_entries);
  for (int e = 0; e < g->num_entries; e++) {
    const graph_entry *en = &g->entries[e];
    uint64_t numel;
    FUZZ_REQUIRE(en->node >= 0 && en->node < g->num_nodes);
    FUZZ_REQUIRE(e >= g->nodes[en->node].first_entry &&
                 e < g->nodes[en->node].first_entry + g->nodes[en->node].num_outputs);
    FUZZ_REQUIRE(en->storage_id >= 0 && en->storage_id < g->num_storage);
    FUZZ_REQUIRE(en->ndim >= 0 && en->ndim <= WASMGRAPH_MAX_NDIM);
    FUZZ_REQUIRE(wg_shape_numel(en->shape, en->ndim, &numel));
    FUZZ_REQUIRE(en->nbytes == numel * wg_dtype_elem_bytes(en->dtype));
    FUZZ_REQUIRE(en->nbytes <= ((size_t)4 << 30));
    FUZZ_REQUIRE(g->storage_bytes[en->storage_id] >= en->nbytes);
    FUZZ_REQUIRE(en->dtype_name && wg_dtype_parse(en->dtype_name, NULL));
  }
  for (int i = 0; i < g->num_arg_nodes; i++)
    FUZZ_REQUIRE(g->arg_nodes[i] >= 0 && g->arg_nodes[i] < g->num_nodes &&
                 g->nodes[g->arg_nodes[i]].kind == GRAPH_OP_NULL);
  for (int i = 0; i < g->num_heads; i++)
    FUZZ_REQUIRE(g->heads[i] >= 0 && g->heads[i] < g->num_entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  graph_plan g;
  char err[256];
  if (wg_graph_parse((const char *)data, size, &g, err, sizeof err) == WASMGRAPH_OK) {
    check_plan(&g);
  } else {
    FUZZ_REQUIRE(g.nodes == NULL && g.entries == NULL && g.num_nodes == 0);
    FUZZ_REQUIRE(strncmp(err, "graph.json: ", 12) == 0);
  }
  wg_graph_plan_free(&g);
  return 0;
}
