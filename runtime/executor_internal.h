/*
 * executor_internal.h — the linear-memory layout of an executor
 * (executor_layout.c), used by executor.c.
 */
#ifndef WASMGRAPH_EXECUTOR_INTERNAL_H_
#define WASMGRAPH_EXECUTOR_INTERNAL_H_

#include "runtime_internal.h"

typedef struct wg_layout {
  uint64_t meta_base, meta_size;
  uint64_t *entry_tensor; /* per entry: DLTensor address */
  uint64_t *node_args;    /* per node: start of its argument block */
  uint64_t penv;          /* num_threads consecutive 8-byte slots */
  uint64_t *storage;      /* per storage id */
  uint64_t worker_stacks; /* (num_threads - 1) stacks of WG_WORKER_STACK */
  uint64_t workspace;     /* num_threads arenas */
  uint64_t workspace_bytes_per_thread;
  uint64_t total;
  uint32_t pages;
} wg_layout;

/* L->workspace_bytes_per_thread must be set before planning. */
wasmgraph_status wg_layout_plan(struct wasmgraph_executor *ex, wg_layout *L, char *err,
                                size_t err_size);
void wg_layout_assign_calls(struct wasmgraph_executor *ex, const wg_layout *L);
void wg_layout_write_metadata(struct wasmgraph_executor *ex, const wg_layout *L);
void wg_layout_free(wg_layout *L);

#endif
