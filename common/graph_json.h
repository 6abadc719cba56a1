/*
 * graph_json.h — graph.json (TVM graph executor JSON) parsed into a plain C
 * plan. json-c does the parsing; this layer checks every type, range and
 * cross-reference so that the executor can trust the plan completely.
 */
#ifndef WASMGRAPH_GRAPH_JSON_H_
#define WASMGRAPH_GRAPH_JSON_H_

#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

typedef enum { GRAPH_OP_NULL, GRAPH_OP_TVM, GRAPH_OP_NOP, GRAPH_OP_COPY } graph_op_kind;

typedef struct graph_entry { /* one data entry (node output), by entry id */
  int node;                  /* node that produces it */
  int storage_id;            /* index into graph_plan.storage */
  wasmgraph_dtype dtype;
  char *dtype_name; /* owned */
  int ndim;
  int64_t *shape; /* owned, ndim dims (NULL when ndim == 0) */
  size_t nbytes;  /* elem_bytes * prod(shape) */
} graph_entry;

typedef struct graph_node {
  graph_op_kind kind;
  char *name;      /* owned */
  char *func_name; /* owned; NULL for "null" nodes */
  int num_inputs;
  int *inputs; /* owned; entry ids, resolved via node_row_ptr */
  int num_outputs;
  int first_entry; /* node_row_ptr[nid] */
  int flatten_data;
} graph_node;

typedef struct graph_plan {
  int num_nodes;
  graph_node *nodes;
  int num_entries;
  graph_entry *entries;
  int num_storage;
  size_t *storage_bytes; /* max nbytes over entries sharing the sid */
  int num_arg_nodes;
  int *arg_nodes; /* node ids of all "null" nodes */
  int num_heads;
  int *heads; /* entry ids of the outputs */
} graph_plan;

/* Parses `size` bytes (not necessarily NUL-terminated). On failure returns
 * WASMGRAPH_ERR_FORMAT (or NO_MEMORY), leaves *out zeroed and writes a message
 * such as "graph.json: nodes[3].inputs[1]: node id 9 out of range" to err.
 * Accepts what TVM v0.8..v0.14 write (see docs/file-formats.md). */
wasmgraph_status wg_graph_parse(const char *json, size_t size, graph_plan *out, char *err,
                                size_t err_size);
void wg_graph_plan_free(graph_plan *plan); /* frees members; plan itself is caller's */

#endif
