/*
 * compiler_internal.h — the stages of `wasmgraph compile` and the small
 * utilities they share. One section per source file, in pipeline order.
 * Every stage takes the context, returns a wasmgraph_status and on failure
 * leaves a one-line message (starting with the file it is about) in
 * ctx->err. Internal names carry the prefix wgc_ (the runtime's are wg_;
 * the CLI links both into one executable).
 */
#ifndef WASMGRAPH_COMPILER_INTERNAL_H_
#define WASMGRAPH_COMPILER_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm/wasm_reader.h"
#include "wasmgraph.h"
#include "wasmgraph_compiler.h"

#define WG_DEFAULT_STACK_SIZE (8u << 20)
#define WG_WASM2C_VERSION "1.0.39"

/* ---- context (context.c) ------------------------------------------------ */

/* wasm2c is not a PATH tool: node runs the pinned script (translate.c). */
typedef enum { WG_TOOL_WASM_LD, WG_TOOL_NODE, WG_TOOL_CLANG, WG_TOOL_AR, WG_TOOL_COUNT } wgc_tool;

typedef struct wgc_ctx {
  const wasmgraph_compile_options *opts;
  char *err;
  size_t err_size;
  char *tmpdir;                   /* owned; created on demand by wgc_tmpdir() */
  char *tool_path[WG_TOOL_COUNT]; /* owned; resolved by wgc_tool_require() */
  char *wasm2c_script;            /* owned; resolved by wgc_wasm2c_require() */
  bool keep_tmpdir;               /* a stage wrote files for the user there (IR dumps) */
} wgc_ctx;

/* Writes the message (printf-style) into ctx->err and returns `status`. */
wasmgraph_status wgc_fail(wgc_ctx *ctx, wasmgraph_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends one line to the log callback, if any. */
void wgc_log(wgc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fsutil.c: files and the temp dir ----------------------------------- */

typedef struct wgc_buf {
  uint8_t *data;
  size_t size;
} wgc_buf;

/* Reads a whole regular file. Message: "<path>: <strerror>". */
wasmgraph_status wgc_read_file(wgc_ctx *ctx, const char *path, wgc_buf *out);
void wgc_buf_free(wgc_buf *b);
/* Writes `size` bytes to a new file (mode 0644). */
wasmgraph_status wgc_write_file(wgc_ctx *ctx, const char *path, const void *data, size_t size);
bool wgc_is_dir(const char *path);
bool wgc_is_file(const char *path);
/* malloc'd "a/b"; NULL on OOM. */
char *wgc_path_join(const char *a, const char *b);
/* malloc'd printf; NULL on OOM. */
char *wgc_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The temp dir ($TMPDIR or /tmp)/wasmgraph-XXXXXX, created on first use. */
wasmgraph_status wgc_tmpdir(wgc_ctx *ctx, const char **out);
/* Removes the temp dir and everything in it (unless save_temps). */
void wgc_tmpdir_cleanup(wgc_ctx *ctx);
/* Copies a file (used when OUTPUT lives on another file system). */
wasmgraph_status wgc_copy_file(wgc_ctx *ctx, const char *from, const char *to);

/* ---- subprocess.c: running tools ---------------------------------------- */

/* Resolves the tool on PATH (once). Message when missing:
 * "cannot run 'node': not found on PATH (install Debian package nodejs)". */
wasmgraph_status wgc_tool_require(wgc_ctx *ctx, wgc_tool tool, const char **path_out);
const char *wgc_tool_display_name(wgc_tool tool);
/* The first executable `name` on PATH (malloc'd), or NULL. */
char *wgc_find_on_path(const char *name);
/* Runs argv (argv[0] a full path, NULL-terminated) without a shell, stdout
 * and stderr going to files (NULL: a file in the temp dir). Logs the
 * command when verbose. `*exit_code` is the exit status, or 128+signal. */
wasmgraph_status wgc_run(wgc_ctx *ctx, char *const argv[], const char *stdout_path,
                         const char *stderr_path, int *exit_code);
/* Runs a tool and fails with "<subject>: <tool> failed (exit N): <first
 * diagnostic line>" when it does not exit 0. `subject` names the file. */
wasmgraph_status wgc_run_checked(wgc_ctx *ctx, const char *subject, char *const argv[]);
/* The same, naming the tool `tool` in the message instead of argv[0]'s base
 * name (wasm2c runs as `node wasm2c.js`). */
wasmgraph_status wgc_run_checked_as(wgc_ctx *ctx, const char *subject, const char *tool,
                                    char *const argv[]);

/* ---- input.c: what INPUT is --------------------------------------------- */

typedef enum { WG_INPUT_OBJECT, WG_INPUT_ARCHIVE, WG_INPUT_MODULE } wgc_input_kind;

typedef struct wgc_object {
  char *display;       /* "graph.o" or "libgraph.a(graph.o)" */
  const uint8_t *data; /* into wgc_input.file */
  size_t size;
} wgc_object;

typedef struct wgc_input {
  bool is_folder;
  wgc_input_kind kind;   /* of wasm_path's content */
  char *path;            /* INPUT as given */
  char *wasm_path;       /* the object/archive/module file */
  char *graph_json_path; /* folder inputs */
  char *params_path;
  wgc_buf file; /* contents of wasm_path */
  int num_objects;
  wgc_object *objects; /* the relocatable objects (archive members), or the module */
} wgc_input;

/* Detects the kind by content; for a folder finds graph.o or lib/graph.o,
 * graph.json and graph.params. */
wasmgraph_status wgc_input_load(wgc_ctx *ctx, const char *path, wgc_input *out);
void wgc_input_free(wgc_input *in);

/* ---- wasm_check.c: what the runtime can serve --------------------------- */

typedef struct wgc_layout {
  uint32_t stack_top; /* initial __stack_pointer */
  uint32_t data_end;
  uint32_t heap_base;
  uint32_t memory_min_pages;
  uint32_t memory_max_pages; /* 65536 when the module sets no maximum */
  uint32_t table_size;
  uint32_t features; /* WASMGRAPH_FEATURE_* */
} wgc_layout;

/* True for an object of TVM 0.21+ (tvm-ffi ABI: a TVMFFI* import or a
 * __tvm_ffi_* symbol); writes what was found into marker, e.g. "it imports
 * TVMFFIFunctionCall". */
bool wgc_is_tvm_ffi(const wgc_wasm_module *m, char *marker, size_t size);
/* The refusal: "<display>: built by TVM 0.21 or later (...)". */
wasmgraph_status wgc_refuse_tvm_ffi(wgc_ctx *ctx, const char *display, const char *marker);
/* Checks one input module before linking (relocatable object or linked
 * module): TVM generation, wasm64, target features, non-system-lib markers. */
wasmgraph_status wgc_check_object(wgc_ctx *ctx, const char *display, const wgc_wasm_module *m);
/* Checks the linked module and reads its layout: memory imported as
 * env.memory, every function import in common/host_import_list.h with the
 * same type, TVMBackendRegisterSystemLibSymbol imported, the table, __heap_base,
 * __data_end and __wasm_call_ctors exported, __stack_pointer found. */
wasmgraph_status wgc_check_linked(wgc_ctx *ctx, const char *display, const wgc_wasm_module *m,
                                  wgc_layout *out);
/* Fails when the module declares a memory maximum (below 65536 pages) that
 * cannot hold the graph's params and activations above the heap base
 * (memory_fit.c). */
wasmgraph_status wgc_check_memory_fits(wgc_ctx *ctx, const char *display, const wgc_layout *l,
                                       const wgc_buf *graph_json);
/* True if the runtime serves env.<name> with exactly type `t`; if it serves
 * the name with another type, writes that type into other (else ""). */
bool wgc_import_served(const char *module, const char *name, const wgc_wasm_functype *t,
                       char *other, size_t other_size);
/* Defined non-local functions with the PackedFunc type (i32 x6)->i32: from
 * the linking symbol table of an object, or the name section of a module.
 * Returns a malloc'd array of borrowed names (free the array only). */
const char **wgc_list_kernels(const wgc_wasm_module *m, int *count);

/* ---- link.c: wasm-ld ---------------------------------------------------- */

/* Links the input into <tmpdir>/<base>.wasm with a wasm-ld that reads its
 * objects (or writes a linked module there, adapted by wasm/wasm_adapt.c)
 * and returns the path in *linked_path (owned by the caller). */
wasmgraph_status wgc_link(wgc_ctx *ctx, const wgc_input *in, const char *base, char **linked_path);

/* ---- translate.c: wasm2c ------------------------------------------------ */

/* Finds node (PATH) and the wasm2c script: $WASMGRAPH_WASM2C if set, else the
 * installed <exe dir>/<bin-to-libexec>/wasmgraph/wasm2c.js if it exists, else
 * the build's default (the source tree's tools/wasm2c-npm copy). Cached. */
wasmgraph_status wgc_wasm2c_require(wgc_ctx *ctx, const char **node, const char **script);
/* Checks `node wasm2c --version` is WG_WASM2C_VERSION. */
wasmgraph_status wgc_wasm2c_check_version(wgc_ctx *ctx);

/* What the translation produced, as the later stages need it. */
typedef struct wgc_w2c_info {
  char mangled[200]; /* the module name as wasm2c spells it in C (w2c_<mangled>) */
  bool uses_simd;    /* the C includes SIMDe (the module uses v128) */
} wgc_w2c_info;

/* wasm2c -n <name> linked.wasm -o <tmpdir>/<name>_w2c.c, then reads the
 * mangled name back from the generated header and checks that it declares
 * what the glue uses. */
wasmgraph_status wgc_translate(wgc_ctx *ctx, const char *linked_path, const char *name,
                               wgc_w2c_info *info);
/* wasm2c 1.0.39's mangling of a module name (NAME is a C identifier): '_'
 * becomes "__", or "0x5F" at either end or right after an emitted '_'; an
 * 'A'-'F' right after "0x" becomes "0x41".."0x46". malloc'd. translate.c
 * uses the name read from the header; this is the cross-check. */
char *wgc_w2c_mangle(const char *name);

/* ---- memory_rewrite.c: text rewrites of wasm2c's output ---------------- */

typedef struct wgc_rewrite_stats {
  unsigned functions;     /* functions using a local copy of the memory struct */
  unsigned skipped;       /* functions left as they were (unexpected shape) */
  unsigned refreshes;     /* copy refreshes after calls and memory.grow */
  unsigned memsets;       /* memset imports inlined (WG_MEMSET) */
  unsigned simd_accesses; /* SIMD accesses moved to the _default32 helpers */
  bool applied;           /* false: the file was left unchanged (see log) */
  const char *first_skip; /* why the first skipped function was skipped */
  const char *no_splat;   /* why splat did not run, or NULL */
} wgc_rewrite_stats;

/* Rewrites <c_path> in place (see memory_rewrite.c). Fail-safe: an
 * unexpected shape leaves the file (or the function) unchanged and is logged
 * and counted; only I/O and OOM are errors. */
wasmgraph_status wgc_memory_rewrite(wgc_ctx *ctx, const char *c_path, const char *mangled,
                                    wgc_rewrite_stats *stats);
/* The same on text in memory: returns the rewritten text (malloc'd) or NULL
 * when nothing may change (*why says why; stats->applied false). NULL with
 * *why == NULL means out of memory. */
char *wgc_memory_rewrite_text(const char *text, size_t len, const char *mangled,
                              wgc_rewrite_stats *stats, const char **why);

/* ---- convert_rewrite.c: cheaper exact float conversions ----------------- */

typedef struct wgc_convert_stats {
  bool trunc;         /* I32_TRUNC_S_F32/I32_TRUNC_U_F32 got their fast path */
  bool fabs;          /* wasm_fabsf/wasm_fabs clear the sign bit unconditionally */
  unsigned constants; /* f32 constants converted at translation time */
} wgc_convert_stats;

/* Rewrites <c_path> in place (see convert_rewrite.c). Fail-safe: a piece
 * whose wasm2c text is not found stays as it was (logged); only I/O and OOM
 * are errors. */
wasmgraph_status wgc_convert_rewrite(wgc_ctx *ctx, const char *c_path, wgc_convert_stats *st);
/* The same on text in memory: the rewritten text (malloc'd), NULL when out
 * of memory. */
char *wgc_convert_rewrite_text(const char *text, size_t len, wgc_convert_stats *st);

/* ---- glue_emit.c: the descriptor ---------------------------------------- */

typedef struct wgc_embed_info {
  bool present;
  uint64_t graph_json_size;
  uint64_t params_size;
} wgc_embed_info;

/* The glue C file (<name>_glue.c content) and the public header (<name>.h);
 * glue_file is the glue's file name as the user will see it. */
char *wgc_glue_source(const char *name, const char *mangled, const wgc_layout *layout,
                      const wgc_embed_info *embed);
char *wgc_glue_header(const char *name, const char *glue_file);

/* ---- target.c: LLVM target machine -------------------------------------- */

typedef struct wgc_target {
  char *triple;      /* for clang: as the user spelled it (Debian's clang finds
                        cross headers by the spelling, e.g. aarch64-linux-gnu) */
  char *llvm_triple; /* normalized, for the LLVM C API */
  char *cpu;         /* what goes to -march/-mcpu; NULL: none */
  bool cpu_is_march; /* x86: -march=, others: -mcpu= */
  bool is_host;
} wgc_target;

/* Initialises LLVM's targets once (thread-safe). */
void wgc_llvm_init(void);
/* Resolves --target/--cpu against LLVM. Message: "unknown target 'foo': ...". */
wasmgraph_status wgc_target_resolve(wgc_ctx *ctx, const char *triple, const char *cpu,
                                    wgc_target *out);
void wgc_target_free(wgc_target *t);
/* Emits an object defining <name>_wasmgraph_graph_json and
 * <name>_wasmgraph_params (const byte arrays) with LLVM. */
wasmgraph_status wgc_emit_data_object(wgc_ctx *ctx, const wgc_target *t, const char *name,
                                      const wgc_buf *graph_json, const wgc_buf *params,
                                      const char *path);
/* The same data as a C source (for .c outputs): string-literal arrays. */
wasmgraph_status wgc_emit_data_c(wgc_ctx *ctx, const char *name, const wgc_buf *graph_json,
                                 const wgc_buf *params, const char *path);

/* ---- cc.c: clang -------------------------------------------------------- */

/* Writes wasm-rt.h, wg_simd_fixups.h and wasmgraph_module.h (embedded at
 * build time) into the temp dir so the generated C compiles without a source
 * tree. */
wasmgraph_status wgc_write_headers(wgc_ctx *ctx);
/* Compiles wasm2c's output: clang -c at -O0/-O1; at -O2+ clang's front end
 * to bitcode, then the LLVM pass pipeline (llvm/pipeline.c).
 * simd: force-include wg_simd_fixups.h (the module uses SIMDe).
 * memory_max_pages: the module's declared memory maximum (65536 if none);
 * the tile vectorizer only runs below 65536. */
wasmgraph_status wgc_cc_compile_translated(wgc_ctx *ctx, const wgc_target *t, const char *src,
                                           const char *obj, bool simd, uint32_t memory_max_pages);
wasmgraph_status wgc_cc_compile(wgc_ctx *ctx, const wgc_target *t, const char *src, const char *obj,
                                bool shared_entry);
/* Quick probe that clang accepts the target and CPU. */
wasmgraph_status wgc_cc_probe(wgc_ctx *ctx, const wgc_target *t);
/* clang -shared / clang -r / llvm-ar rcs into `out`. */
wasmgraph_status wgc_cc_link_shared(wgc_ctx *ctx, const wgc_target *t, char *const objs[], int n,
                                    const char *out);
wasmgraph_status wgc_cc_link_relocatable(wgc_ctx *ctx, const wgc_target *t, char *const objs[],
                                         int n, const char *out);
wasmgraph_status wgc_ar_create(wgc_ctx *ctx, char *const objs[], int n, const char *out);

/* ---- output.c: placing OUTPUT atomically -------------------------------- */

typedef struct wgc_output_file {
  char *final_path; /* where it ends up */
  char *temp_path;  /* a unique name in the same directory */
} wgc_output_file;

typedef struct wgc_outputs {
  int count;
  wgc_output_file files[8];
} wgc_outputs;

/* Moves `src` (a finished file in the temp dir) to a unique temp name next
 * to `final_path` (rename, or copy across file systems) and records it. */
wasmgraph_status wgc_output_add(wgc_ctx *ctx, wgc_outputs *o, const char *src,
                                const char *final_path);
/* Renames every temp file to its final name. */
wasmgraph_status wgc_output_commit(wgc_ctx *ctx, wgc_outputs *o);
/* Removes whatever temp files remain and frees the list. */
void wgc_output_abort(wgc_outputs *o);

/* ---- embedded_*.c (generated by CMake) ----------------------------------- */

extern const char wgc_embedded_wasm_rt_h[];
extern const size_t wgc_embedded_wasm_rt_h_size;
extern const char wgc_embedded_wasmgraph_module_h[];
extern const size_t wgc_embedded_wasmgraph_module_h_size;
extern const char wgc_embedded_wg_simd_fixups_h[];
extern const size_t wgc_embedded_wg_simd_fixups_h_size;

/* ---- build_config.c (generated by CMake) -------------------------------- */

/* "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1", ..., NULL: the WASM_RT_* choices of
 * this build (WASMGRAPH_WASM_RT_DEFINES), passed to every clang -c. */
extern const char *const wgc_wasm_rt_defines[];
/* The wasm2c script found at build time (WASMGRAPH_WASM2C_SCRIPT). */
extern const char wgc_wasm2c_default[];
/* From the installed wasmgraph's bindir to the installed script, e.g.
 * "../libexec/wasmgraph/wasm2c.js" (absolute if LIBEXECDIR is). */
extern const char wgc_wasm2c_installed[];

#endif
