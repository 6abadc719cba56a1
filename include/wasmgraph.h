/*
 * wasmgraph.h — run TVM models that `wasmgraph compile` translated to native
 * code, with the wasm sandbox kept.
 *
 * Conventions
 * - Every public name starts with `wasmgraph_` (macros: `WASMGRAPH_`).
 * - Handles are opaque. `*_create` gives the caller ownership; `*_destroy`
 *   releases it and accepts NULL.
 * - Every call that can fail returns a wasmgraph_status (0 = OK). An executor
 *   keeps the text of its last error (wasmgraph_executor_last_error). Calls
 *   that create a handle take an optional caller-sized `err` buffer instead.
 *   The library never prints, never aborts and keeps no global error state.
 * - Indices are `int`, byte sizes are `size_t`, shapes are `int64_t`.
 * - A model is immutable and may be shared by any number of threads. An
 *   executor is used by one thread at a time; create one per thread.
 *
 * Example (the complete program is docs/examples/classify.c):
 *
 *     wasmgraph_model *model = NULL;
 *     wasmgraph_executor *ex = NULL;
 *     char err[256];
 *     if (wasmgraph_model_load_library("model.so", NULL, NULL, &model, err,
 *                                      sizeof err) != WASMGRAPH_OK ||
 *         wasmgraph_executor_create(model, NULL, &ex, err, sizeof err) !=
 *             WASMGRAPH_OK) {
 *       fprintf(stderr, "%s\n", err);
 *       return 1;
 *     }
 *     wasmgraph_executor_set_input_by_name(ex, "data", pixels, sizeof pixels);
 *     if (wasmgraph_executor_run(ex) != WASMGRAPH_OK)
 *       fprintf(stderr, "%s\n", wasmgraph_executor_last_error(ex));
 *     wasmgraph_executor_get_output(ex, 0, scores, sizeof scores);
 *     wasmgraph_executor_destroy(ex);
 *     wasmgraph_model_destroy(model);
 */
#ifndef WASMGRAPH_H_
#define WASMGRAPH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph_module.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WASMGRAPH_VERSION "0.1.0"

/* Marks the functions that make up the library's ABI. The library is built
 * with -fvisibility=hidden, so a function without this mark stays internal
 * (tests/abi checks the exported list against the lists kept there). */
#if defined(__GNUC__) || defined(__clang__)
#define WASMGRAPH_API __attribute__((visibility("default")))
#else
#define WASMGRAPH_API
#endif

typedef enum wasmgraph_status {
  WASMGRAPH_OK = 0,
  WASMGRAPH_ERR_INVALID_ARGUMENT = 1, /* NULL handle, index out of range, ... */
  WASMGRAPH_ERR_NO_MEMORY = 2,        /* host allocation or linear memory */
  WASMGRAPH_ERR_FORMAT = 3,           /* malformed graph.json, params, .npy */
  WASMGRAPH_ERR_NOT_FOUND = 4,        /* unknown input, kernel or param name */
  WASMGRAPH_ERR_SHAPE_MISMATCH = 5,
  WASMGRAPH_ERR_DTYPE_MISMATCH = 6,
  WASMGRAPH_ERR_TRAP = 7,        /* the guest trapped; see last_trap */
  WASMGRAPH_ERR_KERNEL = 8,      /* a kernel returned nonzero */
  WASMGRAPH_ERR_IO = 9,          /* a file could not be read */
  WASMGRAPH_ERR_ABI = 10,        /* module descriptor version/config mismatch */
  WASMGRAPH_ERR_UNSUPPORTED = 11 /* a valid input this build cannot serve */
} wasmgraph_status;

/* Why guest code stopped. Mirrors the WebAssembly trap reasons. */
typedef enum wasmgraph_trap_kind {
  WASMGRAPH_TRAP_NONE = 0,
  WASMGRAPH_TRAP_OUT_OF_BOUNDS = 1,    /* memory or table access, incl. a bad
                                          pointer handed to a host import */
  WASMGRAPH_TRAP_INTEGER_OVERFLOW = 2, /* INT_MIN / -1, float-to-int overflow */
  WASMGRAPH_TRAP_DIVIDE_BY_ZERO = 3,
  WASMGRAPH_TRAP_INVALID_CONVERSION = 4, /* NaN to integer */
  WASMGRAPH_TRAP_UNREACHABLE = 5,
  WASMGRAPH_TRAP_INDIRECT_CALL = 6,   /* null entry or signature mismatch */
  WASMGRAPH_TRAP_STACK_EXHAUSTED = 7, /* native recursion limit */
  WASMGRAPH_TRAP_OTHER = 8,
  /* Not wasm traps: the host stopped the run (docs/security.md#deadlines). */
  WASMGRAPH_TRAP_INTERRUPTED = 9, /* wasmgraph_executor_interrupt */
  WASMGRAPH_TRAP_DEADLINE = 10    /* the run's deadline passed */
} wasmgraph_trap_kind;

/* DLPack type codes, as TVM writes them. */
enum {
  WASMGRAPH_DTYPE_INT = 0,
  WASMGRAPH_DTYPE_UINT = 1,
  WASMGRAPH_DTYPE_FLOAT = 2,
  WASMGRAPH_DTYPE_BFLOAT = 4
};

typedef struct wasmgraph_dtype {
  uint8_t code;   /* WASMGRAPH_DTYPE_* */
  uint8_t bits;   /* 1 for bool ("uint1"), 8, 16, 32, 64 */
  uint16_t lanes; /* 1 */
} wasmgraph_dtype;

#define WASMGRAPH_MAX_NDIM 16

/* Description of a graph input or output. Pointers are owned by the model
 * and live as long as it does. */
typedef struct wasmgraph_tensor_info {
  const char *name; /* input name; for outputs "output_<i>" */
  wasmgraph_dtype dtype;
  const char *dtype_name; /* as in graph.json, e.g. "float32" */
  int ndim;
  const int64_t *shape;
  size_t nbytes; /* ceil(bits*lanes/8) * prod(shape) */
} wasmgraph_tensor_info;

typedef struct wasmgraph_model wasmgraph_model;
typedef struct wasmgraph_executor wasmgraph_executor;

/* Options for wasmgraph_executor_create. Zero-initialise, set struct_size to
 * sizeof(wasmgraph_options), then set what you need; 0 means "default". */
typedef struct wasmgraph_options {
  uint32_t struct_size;
  int num_threads;        /* parallel-launch workers incl. the caller; 0 = cores */
  size_t workspace_bytes; /* per-thread TVMBackendAllocWorkspace arena; 0 = 256 MiB */
  /* Cap on the executor's linear memory: params, activations, stacks and
   * workspaces, and what memory.grow may add; 0 = the module's maximum. With
   * a cap and workspace_bytes 0, the arenas share what the rest leaves (up to
   * 256 MiB each). Creation fails if the model does not fit. */
  size_t max_memory_bytes;
  /* Every run stops with WASMGRAPH_TRAP_DEADLINE once it has taken this long
   * (see wasmgraph_executor_set_deadline); 0 = no deadline. */
  uint32_t deadline_ms;
} wasmgraph_options;

/* ---- library ---------------------------------------------------------- */

/* "0.1.0". Static string. */
WASMGRAPH_API const char *wasmgraph_version(void);
/* "guard-pages" or "bounds-check": how this build catches out-of-bounds
 * accesses (chosen at build time with WASMGRAPH_MEMORY_MODE). */
WASMGRAPH_API const char *wasmgraph_memory_mode(void);
/* Short English text for a status. Static string; never NULL. */
WASMGRAPH_API const char *wasmgraph_status_string(wasmgraph_status status);
/* Short English text for a trap kind. Static string; never NULL. */
WASMGRAPH_API const char *wasmgraph_trap_string(wasmgraph_trap_kind kind);

/* ---- model ------------------------------------------------------------ */

/* Builds a model from a translated module and graph.json + params bytes.
 * `graph_json`/`params` may be NULL to use the copies embedded in the module
 * (`wasmgraph compile --embed`); it is an error if neither exists.
 * The bytes are parsed and copied: the caller may free them on return.
 * `module` must outlive the model (it is static data of generated code).
 * On failure *out is NULL and `err` (if not NULL) holds a message. */
WASMGRAPH_API wasmgraph_status wasmgraph_model_create(const wasmgraph_module_desc *module,
                                                      const void *graph_json,
                                                      size_t graph_json_size, const void *params,
                                                      size_t params_size, wasmgraph_model **out,
                                                      char *err, size_t err_size);

/* Same, reading graph.json and params from files (either path may be NULL to
 * use the embedded copy). Messages name the file. */
WASMGRAPH_API wasmgraph_status wasmgraph_model_create_from_files(
    const wasmgraph_module_desc *module, const char *graph_path, const char *params_path,
    wasmgraph_model **out, char *err, size_t err_size);

/* Loads a shared object made by `wasmgraph compile -o model.so` (dlopen) and
 * builds a model from it; graph/params paths as above. The model keeps the
 * library loaded until wasmgraph_model_destroy. A library recompiled to the
 * same path is loaded anew, even while models of the old file are alive. */
WASMGRAPH_API wasmgraph_status wasmgraph_model_load_library(const char *so_path,
                                                            const char *graph_path,
                                                            const char *params_path,
                                                            wasmgraph_model **out, char *err,
                                                            size_t err_size);

/* Releases the model. Every executor made from it must be destroyed first.
 * NULL is accepted. */
WASMGRAPH_API void wasmgraph_model_destroy(wasmgraph_model *model);

WASMGRAPH_API int wasmgraph_model_num_inputs(const wasmgraph_model *model);  /* -1 if NULL */
WASMGRAPH_API int wasmgraph_model_num_outputs(const wasmgraph_model *model); /* -1 if NULL */
/* Graph inputs are the "null" nodes that are not params, in graph order. */
WASMGRAPH_API wasmgraph_status wasmgraph_model_input_info(const wasmgraph_model *model, int index,
                                                          wasmgraph_tensor_info *out);
WASMGRAPH_API wasmgraph_status wasmgraph_model_output_info(const wasmgraph_model *model, int index,
                                                           wasmgraph_tensor_info *out);
/* WASMGRAPH_ERR_NOT_FOUND if no input has that name. */
WASMGRAPH_API wasmgraph_status wasmgraph_model_input_index(const wasmgraph_model *model,
                                                           const char *name, int *index);
/* Name given at compile time (--name). */
WASMGRAPH_API const char *wasmgraph_model_name(const wasmgraph_model *model);
/* The graph.json the model was built from (the caller's bytes, the file's,
 * or the module's embedded copy), as the model parsed it: not
 * NUL-terminated, *size bytes (size may be NULL). Borrowed: valid until
 * wasmgraph_model_destroy. NULL (*size 0) for a NULL model. TVM-style
 * wrappers read it to number inputs as TVM's graph executor does. */
WASMGRAPH_API const char *wasmgraph_model_graph_json(const wasmgraph_model *model, size_t *size);

/* ---- executor --------------------------------------------------------- */

/* Creates an executor: one sandbox instance (plus one per extra worker
 * thread) over one linear memory, with the params loaded and all tensors
 * planned. `options` may be NULL. On failure *out is NULL and `err` holds a
 * message. The model must outlive the executor. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_create(const wasmgraph_model *model,
                                                         const wasmgraph_options *options,
                                                         wasmgraph_executor **out, char *err,
                                                         size_t err_size);
WASMGRAPH_API void wasmgraph_executor_destroy(wasmgraph_executor *ex); /* NULL is accepted */

/* Text of the last failed call on this executor, "" if none. Owned by the
 * executor; valid until the next call on it. */
WASMGRAPH_API const char *wasmgraph_executor_last_error(const wasmgraph_executor *ex);
/* The trap kind of the last failed run, WASMGRAPH_TRAP_NONE if it did not trap. */
WASMGRAPH_API wasmgraph_trap_kind wasmgraph_executor_last_trap(const wasmgraph_executor *ex);
WASMGRAPH_API const wasmgraph_model *wasmgraph_executor_model(const wasmgraph_executor *ex);
/* Number of threads this executor runs parallel lambdas on. */
WASMGRAPH_API int wasmgraph_executor_num_threads(const wasmgraph_executor *ex);

/* ---- profiling ------------------------------------------------------------
 * Per-node wall time of runs, as TVM's debug executor reports it (`wasmgraph
 * run --profile`). Off by default (a run then pays one branch per node).
 * Turning it on, or on again, starts from zero; only runs that succeed are
 * counted. A node's time includes the parallel tasks it launches. */
typedef struct wasmgraph_node_profile {
  int node;           /* index of the node in graph.json's "nodes" */
  const char *name;   /* its name (owned by the model) */
  const char *kernel; /* its func_name: the fused kernel, or "__copy" (owned by the model) */
  double total_ms;    /* wall time summed over the profiled runs */
} wasmgraph_node_profile;

/* Turns profiling on (allocating one counter per executed node; NO_MEMORY
 * if that fails) or off (freeing them). */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_set_profiling(wasmgraph_executor *ex,
                                                                bool enable);
/* Runs counted since profiling was turned on; -1 if it is off. */
WASMGRAPH_API int wasmgraph_executor_profile_runs(const wasmgraph_executor *ex);
/* Executed nodes (every node but inputs, params and no-ops), in run order;
 * -1 if profiling is off. */
WASMGRAPH_API int wasmgraph_executor_num_profiled_nodes(const wasmgraph_executor *ex);
/* Executed node `index` (0 .. num_profiled_nodes - 1). INVALID_ARGUMENT if
 * profiling is off or the index is out of range. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_node_profile(const wasmgraph_executor *ex,
                                                               int index,
                                                               wasmgraph_node_profile *out);

/* Copies `size` bytes into input `index`; `size` must equal the input's nbytes. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_set_input(wasmgraph_executor *ex, int index,
                                                            const void *data, size_t size);
WASMGRAPH_API wasmgraph_status wasmgraph_executor_set_input_by_name(wasmgraph_executor *ex,
                                                                    const char *name,
                                                                    const void *data, size_t size);
/* Checked copy: dtype and shape must match the graph exactly; the error text
 * says what differs. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_set_input_tensor(wasmgraph_executor *ex,
                                                                   int index, wasmgraph_dtype dtype,
                                                                   int ndim, const int64_t *shape,
                                                                   const void *data);

/* Runs every node of the graph. A nonzero kernel return gives
 * WASMGRAPH_ERR_KERNEL, a trap WASMGRAPH_ERR_TRAP; the message names the node,
 * the kernel and the kernel's own error text or the trap kind.
 * After a failed run the executor stays usable: the next run restores the
 * tensor descriptors, the stack and the params before running. Inputs set
 * before the failure must be set again (a trapping kernel may have changed
 * any tensor). */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_run(wasmgraph_executor *ex);

/* Bounds every following run: a run still going `deadline_ms` milliseconds
 * after it started stops at the guest's next interrupt check (function entry,
 * loop back edge, return from a host import) and fails with WASMGRAPH_ERR_TRAP,
 * trap kind WASMGRAPH_TRAP_DEADLINE and a message naming the node, the kernel
 * and the deadline. Parallel workers stop too. The executor stays usable, as
 * after any trap. 0 removes the deadline. WASMGRAPH_ERR_UNSUPPORTED if the
 * module was compiled without interrupt checks. Call it between runs, from the
 * thread that runs. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_set_deadline(wasmgraph_executor *ex,
                                                               uint32_t deadline_ms);

/* Stops the run in progress on `ex`, if any, like a deadline (trap kind
 * WASMGRAPH_TRAP_INTERRUPTED). Safe to call from any thread, including a
 * signal handler (it is one atomic compare-and-swap); `ex` must not be being
 * destroyed. An interrupt that finds no run in progress does nothing: it
 * never stops a later run. A run that finishes before its next check
 * succeeds. WASMGRAPH_OK whether or not a run was in progress;
 * WASMGRAPH_ERR_UNSUPPORTED if the module was compiled without interrupt
 * checks. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_interrupt(wasmgraph_executor *ex);

/* Copies output `index` (graph "heads" order) into `dst`; `size` must equal
 * the output's nbytes. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_get_output(const wasmgraph_executor *ex,
                                                             int index, void *dst, size_t size);

/* Zero-copy access: the address of the input/output tensor inside linear
 * memory. Valid until the executor is destroyed (the memory never moves).
 * Writing an input buffer is the same as set_input; the contents of an output
 * buffer are valid after a successful run until the next run. */
WASMGRAPH_API wasmgraph_status wasmgraph_executor_input_buffer(wasmgraph_executor *ex, int index,
                                                               void **data, size_t *size);
WASMGRAPH_API wasmgraph_status wasmgraph_executor_output_buffer(const wasmgraph_executor *ex,
                                                                int index, const void **data,
                                                                size_t *size);

/* Convenience wrappers over wasmgraph_model_* for the executor's model. */
WASMGRAPH_API int wasmgraph_executor_num_inputs(const wasmgraph_executor *ex);
WASMGRAPH_API int wasmgraph_executor_num_outputs(const wasmgraph_executor *ex);
WASMGRAPH_API wasmgraph_status wasmgraph_executor_input_info(const wasmgraph_executor *ex,
                                                             int index, wasmgraph_tensor_info *out);
WASMGRAPH_API wasmgraph_status wasmgraph_executor_output_info(const wasmgraph_executor *ex,
                                                              int index,
                                                              wasmgraph_tensor_info *out);

#ifdef __cplusplus
}
#endif

#endif /* WASMGRAPH_H_ */
