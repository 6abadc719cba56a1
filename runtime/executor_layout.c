/*
 * executor_layout.c — where everything lives in an executor's linear memory.
 *
 *   [0, stack_top)            instance 0's shadow stack (wasm-ld --stack-first)
 *   [stack_top, heap_base)    the module's static data
 *   metadata                  one 64-byte-aligned wasm32 DLTensor + int64 shape per
 *                             graph entry; per node the TVMValue args, type
 *                             codes and return slots; one penv per thread
 *   storage                   one 64-byte-aligned buffer per storage id
 *   worker stacks             a shadow stack for each extra thread's instance
 *   workspaces                one TVMBackendAllocWorkspace arena per thread
 *
 * Everything is computed in 64-bit arithmetic and checked against wasm32's
 * 4 GiB before any memory is allocated. The metadata region is also kept as
 * a host-side image so that a run after a failure can restore it: the host
 * never trusts descriptors a kernel could have overwritten.
 */
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "executor_internal.h"

#define KTVM_DLTENSOR_HANDLE 7
#define KTVM_NULLPTR 4

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_i32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static double mib(uint64_t bytes) { return (double)bytes / (1024.0 * 1024.0); }

/* The model does not fit in the budget: say what it needs, part by part.
 * `fixed_end`: where the workspaces start. */
static wasmgraph_status budget_error(struct wasmgraph_executor *ex, const wg_layout *L,
                                     uint64_t fixed_end, uint64_t budget, char *err,
                                     size_t err_size) {
  const wasmgraph_module_desc *d = ex->model->desc;
  uint64_t stacks = (uint64_t)d->stack_top + (uint64_t)(ex->num_threads - 1) * WG_WORKER_STACK;
  uint64_t ws = L->workspace_bytes_per_thread;
  wg_format(err, err_size,
            "model '%s' does not fit in the memory budget of %.1f MiB (max_memory_bytes %llu): "
            "it needs %.1f MiB of tensors and static data and %.1f MiB of stacks for %d "
            "thread%s, plus %s%.1f MiB of workspace per thread; raise the budget%s",
            d->name, mib(budget), (unsigned long long)budget, mib(fixed_end - stacks), mib(stacks),
            ex->num_threads, ex->num_threads == 1 ? "" : "s",
            ws >= WG_MIN_BUDGET_WORKSPACE ? "" : "at least ",
            mib(ws >= WG_MIN_BUDGET_WORKSPACE ? ws : WG_MIN_BUDGET_WORKSPACE),
            ex->num_threads > 1 ? " or use fewer threads" : "");
  return WASMGRAPH_ERR_NO_MEMORY;
}

wasmgraph_status wg_layout_plan(struct wasmgraph_executor *ex, wg_layout *L, char *err,
                                size_t err_size) {
  const wasmgraph_model *m = ex->model;
  const graph_plan *g = &m->plan;
  const wasmgraph_module_desc *d = m->desc;
  uint64_t ws_bytes = L->workspace_bytes_per_thread, budget = L->budget_bytes;
  memset(L, 0, sizeof *L);
  L->workspace_bytes_per_thread = ws_bytes;
  L->budget_bytes = budget;

  uint64_t at = align_up(d->heap_base, 64);
  L->meta_base = at;
  L->entry_tensor = calloc((size_t)(g->num_entries ? g->num_entries : 1), sizeof(uint64_t));
  L->node_args = calloc((size_t)(g->num_nodes ? g->num_nodes : 1), sizeof(uint64_t));
  L->storage = calloc((size_t)(g->num_storage ? g->num_storage : 1), sizeof(uint64_t));
  if (!L->entry_tensor || !L->node_args || !L->storage) {
    wg_format(err, err_size, "out of memory planning the executor");
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  for (int e = 0; e < g->num_entries; e++) {
    at = align_up(at, 64); /* one cache line per descriptor, as TVM allocates */
    L->entry_tensor[e] = at;
    at += 40 + 8u * (uint64_t)g->entries[e].ndim;
  }
  for (int n = 0; n < g->num_nodes; n++) {
    const graph_node *node = &g->nodes[n];
    if (node->kind != GRAPH_OP_TVM) continue;
    uint64_t nargs = (uint64_t)node->num_inputs + (uint64_t)node->num_outputs;
    at = align_up(at, 8);
    L->node_args[n] = at;
    /* args (8 each), type codes (4 each), ret value (8), ret tcode (4) */
    at += 8 * nargs + align_up(4 * nargs, 8) + 8 + 8;
  }
  at = align_up(at, 8);
  L->penv = at;
  at += 8u * (uint64_t)ex->num_threads;
  L->meta_size = at - L->meta_base;

  for (int s = 0; s < g->num_storage; s++) {
    at = align_up(at, 64);
    L->storage[s] = at;
    at += g->storage_bytes[s] ? g->storage_bytes[s] : 1;
  }
  at = align_up(at, 16);
  L->worker_stacks = at;
  at += (uint64_t)(ex->num_threads - 1) * WG_WORKER_STACK;
  at = align_up(at, 64);
  L->workspace = at;
  uint64_t budget_end = budget / 65536u * 65536u; /* whole pages */
  if (budget && L->workspace_bytes_per_thread == 0) {
    uint64_t left = budget_end > at ? (budget_end - at) / (uint64_t)ex->num_threads : 0;
    left &= ~(uint64_t)4095;
    L->workspace_bytes_per_thread = left < WG_DEFAULT_WORKSPACE ? left : WG_DEFAULT_WORKSPACE;
    if (L->workspace_bytes_per_thread < WG_MIN_BUDGET_WORKSPACE)
      return budget_error(ex, L, at, budget, err, err_size);
  }
  at += (uint64_t)ex->num_threads * L->workspace_bytes_per_thread;
  L->total = align_up(at, 65536);
  if (budget && (L->total > budget_end || (uint64_t)d->memory_min_pages * 65536u > budget_end))
    return budget_error(ex, L, L->workspace, budget, err, err_size);

  uint64_t limit = (uint64_t)(d->memory_max_pages ? d->memory_max_pages : 65536) * 65536u;
  if (L->total > limit || L->total > ((uint64_t)1 << 32)) {
    wg_format(err, err_size,
              "the model needs %llu bytes of linear memory (tensors %llu, workspace %llu), "
              "more than the module's limit of %llu; lower the thread count or "
              "workspace_bytes",
              (unsigned long long)L->total, (unsigned long long)(L->worker_stacks - L->meta_base),
              (unsigned long long)(L->total - L->workspace), (unsigned long long)limit);
    return WASMGRAPH_ERR_NO_MEMORY;
  }
  L->pages = (uint32_t)(L->total / 65536);
  if (L->pages < d->memory_min_pages) L->pages = d->memory_min_pages;
  L->max_pages = d->memory_max_pages ? d->memory_max_pages : 65536;
  if (budget && budget_end / 65536u < L->max_pages) L->max_pages = (uint32_t)(budget_end / 65536u);
  return WASMGRAPH_OK;
}

void wg_layout_free(wg_layout *L) {
  free(L->entry_tensor);
  free(L->node_args);
  free(L->storage);
  memset(L, 0, sizeof *L);
}

/* Writes every DLTensor and node argument array into guest memory. */
void wg_layout_write_metadata(struct wasmgraph_executor *ex, const wg_layout *L) {
  const graph_plan *g = &ex->model->plan;
  uint8_t *mem = ex->memory.data;
  for (int e = 0; e < g->num_entries; e++) {
    const graph_entry *en = &g->entries[e];
    uint8_t *t = mem + L->entry_tensor[e];
    uint32_t shape_addr = (uint32_t)L->entry_tensor[e] + 40;
    memset(t, 0, 40);
    put_u32(t + 0, (uint32_t)L->storage[en->storage_id]); /* data */
    put_i32(t + 4, 1);                                    /* device_type kDLCPU */
    put_i32(t + 8, 0);                                    /* device_id */
    put_i32(t + 12, en->ndim);
    t[16] = en->dtype.code;
    t[17] = en->dtype.bits;
    memcpy(t + 18, &en->dtype.lanes, 2);
    put_u32(t + 20, en->ndim ? shape_addr : 0); /* shape */
    put_u32(t + 24, 0);                         /* strides: compact */
    put_u64(t + 32, 0);                         /* byte_offset */
    for (int k = 0; k < en->ndim; k++) put_u64(t + 40 + 8 * k, (uint64_t)en->shape[k]);
  }
  for (int c = 0; c < ex->num_calls; c++) {
    const wg_call *call = &ex->calls[c];
    if (call->kind != GRAPH_OP_TVM) continue;
    const graph_node *node = &g->nodes[call->node];
    for (int i = 0; i < call->num_args; i++) {
      int entry =
          i < node->num_inputs ? node->inputs[i] : node->first_entry + (i - node->num_inputs);
      put_u64(mem + call->args + 8u * i, L->entry_tensor[entry]);
      put_i32(mem + call->tcodes + 4u * i, KTVM_DLTENSOR_HANDLE);
    }
    put_u64(mem + call->ret_value, 0);
    put_i32(mem + call->ret_tcode, KTVM_NULLPTR);
  }
  for (int w = 0; w < ex->num_threads; w++) memset(mem + L->penv + 8u * w, 0, 8);
}

/* Fills the wg_call array's guest addresses from the layout. */
void wg_layout_assign_calls(struct wasmgraph_executor *ex, const wg_layout *L) {
  const graph_plan *g = &ex->model->plan;
  for (int c = 0; c < ex->num_calls; c++) {
    wg_call *call = &ex->calls[c];
    const graph_node *node = &g->nodes[call->node];
    if (call->kind == GRAPH_OP_COPY) {
      const graph_entry *src = &g->entries[node->inputs[0]];
      const graph_entry *dst = &g->entries[node->first_entry];
      call->copy_src = (uint32_t)L->storage[src->storage_id];
      call->copy_dst = (uint32_t)L->storage[dst->storage_id];
      call->copy_bytes = (uint32_t)(src->nbytes < dst->nbytes ? src->nbytes : dst->nbytes);
      continue;
    }
    uint32_t n = (uint32_t)(node->num_inputs + node->num_outputs);
    call->num_args = (int32_t)n;
    call->args = (uint32_t)L->node_args[call->node];
    call->tcodes = call->args + 8 * n;
    call->ret_value = call->tcodes + (uint32_t)align_up(4ull * n, 8);
    call->ret_tcode = call->ret_value + 8;
  }
}
