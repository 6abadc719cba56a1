/*
 * runtime_internal.h — the model, executor and host-environment structs
 * shared by the runtime's files. Nothing here is public.
 */
#ifndef WASMGRAPH_RUNTIME_INTERNAL_H_
#define WASMGRAPH_RUNTIME_INTERNAL_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph_json.h"
#include "params.h"
#include "wasm-rt.h"
#include "wasmgraph.h"

/* Marks the host imports (w2c_env_*) that generated code binds to when it is
 * loaded: like the wasm_rt_* functions, they are exported from libwasmgraph.so
 * and from executables linked with ENABLE_EXPORTS, while the rest of the
 * runtime is built with -fvisibility=hidden. */
#define WG_HOST_IMPORT WASM_RT_EXPORT

#define WG_ERROR_SIZE 1024
#define WG_KERNEL_ERROR_SIZE 512
#define WG_WORKSPACE_DEPTH 64 /* nested live workspace blocks per thread */
#define WG_DEFAULT_WORKSPACE (256u << 20)
#define WG_WORKER_STACK (1u << 20) /* shadow stack of each extra worker instance */
#define WG_MAX_THREADS 64

/* ---- model ---------------------------------------------------------------- */

struct wasmgraph_model {
  const wasmgraph_module_desc *desc;
  void *dl_handle;  /* dlopen handle when loaded from a .so */
  char *dl_link;    /* the fresh name it was loaded under (library_name.c), or NULL; owned */
  char *graph_json; /* the graph.json it was built from, graph_json_size bytes; owned */
  size_t graph_json_size;
  graph_plan plan;
  uint8_t *params_blob; /* owned copy; params.items[].data point into it */
  param_list params;
  int *entry_param; /* per entry id: index into params.items or -1 */
  int num_inputs;
  int *input_entry; /* entry id of each graph input */
  wasmgraph_tensor_info *input_info;
  int num_outputs;
  wasmgraph_tensor_info *output_info;
  char **output_names; /* "output_<i>" */
};

/* ---- host environment of one wasm instance ---------------------------------- */

typedef struct wg_executor wg_executor;

/* What the generated code calls `struct w2c_env`: one per instance,
 * passed back to every host import. */
struct w2c_env {
  wasm_rt_memory_t *memory;
  struct wasmgraph_executor *ex;
  void *instance;     /* the wasm2c instance this env belongs to */
  int worker;         /* 0 = the thread that called run */
  uint32_t stack_top; /* initial shadow-stack pointer of this instance */
  uint32_t penv;      /* 8-byte TVMParallelGroupEnv slot in guest memory */
  /* LIFO workspace arena [ws_base, ws_end) in guest memory */
  uint32_t ws_base, ws_end, ws_top;
  uint32_t ws_stack[WG_WORKSPACE_DEPTH];
  int ws_depth;
  char error[WG_KERNEL_ERROR_SIZE]; /* TVMAPISetLastError / host import failures */
};
typedef struct w2c_env wg_env;

/* One executed graph node, fully resolved at create time. */
typedef struct wg_call {
  int node;
  graph_op_kind kind;
  uint32_t table_index;
  uint32_t args, tcodes, ret_value, ret_tcode; /* guest addresses */
  int32_t num_args;
  uint32_t copy_src, copy_dst, copy_bytes; /* GRAPH_OP_COPY */
} wg_call;

typedef struct wg_registry_entry {
  char *name;
  uint32_t table_index;
} wg_registry_entry;

struct wg_pool;

struct wasmgraph_executor {
  const wasmgraph_model *model;
  wasm_rt_memory_t memory;
  int num_threads;
  void **instances; /* num_threads wasm2c instances over `memory` */
  wg_env *envs;     /* num_threads host environments */
  bool *instantiated;
  struct wg_pool *pool; /* worker threads (NULL when num_threads == 1) */

  /* system-lib registry, filled by instance 0's constructor */
  wg_registry_entry *registry;
  int registry_count, registry_cap;
  uint32_t module_ctx_addr;
  bool registering; /* only while constructors run */

  /* layout of linear memory */
  uint32_t *storage_addr; /* per storage id */
  uint32_t *entry_tensor; /* per entry: guest address of its DLTensor */
  uint32_t meta_base, meta_size;
  uint8_t *meta_image; /* host copy of the metadata region */
  uint32_t data_base, data_size;
  uint8_t *data_image; /* host copy of the module's static data after its ctors */
  wg_call *calls;
  int num_calls;

  bool needs_restore; /* a run failed: restore metadata and params */
  int running_node;   /* node index while a kernel runs, for messages */

  /* stopping a run (interrupt.c): the word generated code polls through
   * memory.interrupt, only ever accessed atomically; the epoch of the last
   * run (run thread only); the deadline and its watchdog thread */
  uint32_t stop_word;
  uint32_t run_epoch;
  uint32_t deadline_ms;
  struct wg_watchdog *watchdog;

  char last_error[WG_ERROR_SIZE];
  wasmgraph_trap_kind last_trap;

  /* profiling (profile.c): NULL when off; per entry of `calls` */
  uint64_t *prof_total_ns; /* summed over the runs that succeeded */
  uint64_t *prof_run_ns;   /* the run in progress */
  uint64_t prof_runs;
};

/* ---- helpers shared by the runtime's files ---------------------------------- */

/* snprintf into a caller buffer that may be NULL. */
void wg_format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void wg_vformat(char *buf, size_t size, const char *fmt, va_list ap);
/* Sets the executor's last error; returns status for `return wg_fail(...)`. */
wasmgraph_status wg_fail(struct wasmgraph_executor *ex, wasmgraph_status status, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

/* Host view of guest [addr, addr+len): NULL if out of bounds. */
static inline uint8_t *wg_guest_range(const wasm_rt_memory_t *mem, uint64_t addr, uint64_t len) {
  if (addr > mem->size || len > mem->size - addr) return NULL;
  return mem->data + addr;
}

/* The same, but a bad range is a guest fault: records `what` in the env's
 * error text and traps with WASM_RT_TRAP_OOB. Only for host imports. */
uint8_t *wg_guest_range_or_trap(wg_env *env, uint64_t addr, uint64_t len, const char *what);

/* Copies a NUL-terminated guest string (at most out_size-1 bytes) or traps. */
void wg_guest_string_or_trap(wg_env *env, uint32_t addr, char *out, size_t out_size,
                             const char *what);

/* Workspace arena (workspace.c). */
void wg_workspace_reset(wg_env *env);

/* Per-node timing (profile.c). */
uint64_t wg_now_ns(void);
/* Adds the run that just succeeded to the totals (no-op when off). */
void wg_profile_commit(struct wasmgraph_executor *ex);
void wg_profile_free(struct wasmgraph_executor *ex);

/* The thread pool behind TVMBackendParallelLaunch (parallel.c). */
wasmgraph_status wg_pool_create(struct wasmgraph_executor *ex, char *err, size_t err_size);
void wg_pool_destroy(struct wasmgraph_executor *ex);

/* Packed functions the host serves through TVMBackendGetFuncFromEnv. */
typedef int32_t (*wg_packed_fn)(wg_env *env, uint32_t args, uint32_t tcodes, int32_t n,
                                uint32_t ret, uint32_t ret_tcode);
/* Handle (nonzero) of a host packed function by name, 0 if unknown. */
uint32_t wg_host_func_lookup(const char *name);
wg_packed_fn wg_host_func_get(uint32_t handle);

#endif
