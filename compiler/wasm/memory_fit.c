/*
 * memory_fit.c — a module's declared memory maximum against its graph.
 *
 * A module linked by the user may declare a maximum (wasm-ld --max-memory)
 * that cannot hold the model. With graph.json at hand (a folder, a package,
 * --embed) that is found at compile time, with the size to relink with,
 * instead of when the runtime plans the executor's memory. The bound is a
 * lower one of runtime/executor_layout.c's plan for one thread (one
 * DLTensor per graph entry and every storage buffer, params and activations,
 * 64-byte aligned above the heap base; no workspace, no worker stacks), so a
 * module this refuses could never run.
 *
 * Kept apart from wasm_check.c so that the wasm reader and checks stay free
 * of the graph parser (tests/fuzz compiles them alone).
 */
#include "compiler_internal.h"
#include "graph_json.h"

static uint64_t align64(uint64_t v) { return (v + 63) & ~(uint64_t)63; }

wasmgraph_status wgc_check_memory_fits(wgc_ctx *ctx, const char *display, const wgc_layout *l,
                                       const wgc_buf *graph_json) {
  if (l->memory_max_pages >= 65536 || !graph_json || !graph_json->data) return WASMGRAPH_OK;
  graph_plan g;
  char msg[256];
  if (wg_graph_parse((const char *)graph_json->data, graph_json->size, &g, msg, sizeof msg))
    return WASMGRAPH_OK; /* the runtime reports a bad graph.json; this is only a size check */
  uint64_t need = align64(l->heap_base);
  for (int e = 0; e < g.num_entries; e++) need += align64(40 + 8 * (uint64_t)g.entries[e].ndim);
  for (int s = 0; s < g.num_storage; s++)
    need += align64(g.storage_bytes[s] ? g.storage_bytes[s] : 1);
  wg_graph_plan_free(&g);
  uint64_t limit = (uint64_t)l->memory_max_pages * 65536u;
  if (need <= limit) return WASMGRAPH_OK;
  return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                  "%s: the module's declared maximum memory (%u pages, %llu bytes) is too small "
                  "for this model: its params and activations alone need %llu bytes above the "
                  "heap base at %u; relink with a larger --max-memory (at least %llu, in whole "
                  "64 KiB pages), or without one",
                  display, l->memory_max_pages, (unsigned long long)limit,
                  (unsigned long long)(need - align64(l->heap_base)), l->heap_base,
                  (unsigned long long)((need + 65535) / 65536 * 65536));
}
