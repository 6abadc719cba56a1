/*
 * executor_internal.h — the linear-memory layout of an executor
 * (executor_layout.c), used by executor.c.
 */
#ifndef WASMGRAPH_EXECUTOR_INTERNAL_H_
#define WASMGRAPH_EXECUTOR_INTERNAL_H_

#include "runtime_internal.h"

/* With a memory budget and no explicit workspace size, each thread's arena
 * gets what the budget leaves, and at least this much or creation fails. */
#define WG_MIN_BUDGET_WORKSPACE (64u << 10)

typedef struct wg_layout {
  uint64_t meta_base, meta_size;
  uint64_t *entry_tensor; /* per entry: DLTensor address */
  uint64_t *node_args;    /* per node: start of its argument block */
  uint64_t penv;          /* num_threads consecutive 8-byte slots */
  uint64_t *storage;      /* per storage id */
  uint64_t worker_stacks; /* (num_threads - 1) stacks of WG_WORKER_STACK */
  uint64_t workspace;     /* num_threads arenas */
  uint64_t workspace_bytes_per_thread;
  uint64_t budget_bytes; /* wasmgraph_options.max_memory_bytes, 0 = none */
  uint64_t total;
  uint32_t pages;
  uint32_t max_pages; /* what memory.grow may reach: the module's maximum or the budget */
} wg_layout;

/* L->workspace_bytes_per_thread and L->budget_bytes must be set before
 * planning; a workspace size of 0 (with a budget) means "what the budget
 * leaves, up to WG_DEFAULT_WORKSPACE per thread". */
wasmgraph_status wg_layout_plan(struct wasmgraph_executor *ex, wg_layout *L, char *err,
                                size_t err_size);
void wg_layout_assign_calls(struct wasmgraph_executor *ex, const wg_layout *L);
void wg_layout_write_metadata(struct wasmgraph_executor *ex, const wg_layout *L);
void wg_layout_free(wg_layout *L);

#endif
