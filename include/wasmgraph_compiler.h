/*
 * wasmgraph_compiler.h — the translator as a library: TVM wasm32 graph
 * libraries in, native code that exposes one wasmgraph_module_desc out.
 * `wasmgraph compile` and `wasmgraph inspect` are thin front ends to it.
 *
 * Pipeline (compiler/compile.c): load the input (object, archive, linked
 * module or model folder) → check each object → link with wasm-ld → check
 * the linked module against the runtime's import list → translate with
 * wasm2c → rewrite the translation's memory accesses (compiler/translate/
 * memory_rewrite.c) → emit the descriptor glue → compile with clang: at -O2
 * and above clang's front end only, then the LLVM pass pipeline of
 * compiler/llvm/pipeline.c (wasmgraph_compile_pass lists it) → place OUTPUT.
 *
 * Conventions are those of wasmgraph.h: calls return a wasmgraph_status and
 * write a one-line message into a caller-sized `err` buffer; the library
 * never prints. Messages start with the file they are about, e.g.
 * "graph.o: wasm64 module is not supported", so a front end can print
 * "wasmgraph: <err>". Progress and the commands it runs go to the
 * optional log callback (one line per call, no trailing newline).
 *
 * External tools are looked up on PATH when needed: wasm-ld (Debian lld),
 * node (Debian nodejs), clang (Debian clang) and llvm-ar (Debian llvm, for .a
 * outputs; binutils' ar is accepted too). wasm2c is wabt 1.0.39's npm build,
 * a script run with node: $WASMGRAPH_WASM2C if set, else the copy installed
 * next to the executable (<bindir>/../libexec/wasmgraph/wasm2c.js), else the
 * source tree's tools/wasm2c-npm copy this library was built with. Modules
 * that use SIMD (simd128) compile against SIMDe (Debian libsimde-dev).
 *
 * Example:
 *
 *     wasmgraph_compile_options o;
 *     char err[512];
 *     wasmgraph_compile_options_init(&o);
 *     o.input = "mlp/";            // folder: graph.o + graph.json + graph.params
 *     o.output = "mlp.so";
 *     if (wasmgraph_compile(&o, err, sizeof err) != WASMGRAPH_OK)
 *       fprintf(stderr, "wasmgraph: %s\n", err);
 */
#ifndef WASMGRAPH_COMPILER_H_
#define WASMGRAPH_COMPILER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgraph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What OUTPUT becomes; chosen by its extension. */
typedef enum wasmgraph_output_kind {
  WASMGRAPH_OUTPUT_UNKNOWN = 0,
  WASMGRAPH_OUTPUT_SHARED,  /* .so: dlopen-able, exports wasmgraph_module_entry too */
  WASMGRAPH_OUTPUT_OBJECT,  /* .o: one relocatable object */
  WASMGRAPH_OUTPUT_ARCHIVE, /* .a: static library */
  WASMGRAPH_OUTPUT_C,       /* .c: glue C next to <NAME>_w2c.c/.h and <NAME>.h */
  WASMGRAPH_OUTPUT_WASM     /* .wasm: the linked, checked module only */
} wasmgraph_output_kind;

/* The kind for a path's extension (".so", ".o", ".a", ".c", ".wasm"). */
WASMGRAPH_API wasmgraph_output_kind wasmgraph_output_kind_from_path(const char *path);

/* One line of progress or a command line (for -v). */
typedef void (*wasmgraph_log_fn)(void *user, const char *line);

/* Whether a floating-point multiply and the add using it may be fused
 * (wasmgraph_compile_options.fp_contract). */
typedef enum wasmgraph_fp_contract {
  WASMGRAPH_FP_CONTRACT_OFF = 0, /* exact wasm semantics: every multiply and add rounds on
                                    its own; outputs bit-identical to the wasm (default) */
  WASMGRAPH_FP_CONTRACT_FAST = 1 /* a multiply whose only use is an add becomes one fused
                                    multiply-add (one rounding) where the target CPU has FMA:
                                    faster, and results differ from wasm's in the last bits.
                                    Memory safety is unchanged. Needs -O2 or above */
} wasmgraph_fp_contract;

/* Options for wasmgraph_compile. Initialise with wasmgraph_compile_options_init,
 * then set what you need. Strings are borrowed for the duration of the call. */
typedef struct wasmgraph_compile_options {
  uint32_t struct_size;     /* sizeof(wasmgraph_compile_options) */
  const char *input;        /* file or folder; the kind is detected by content */
  const char *output;       /* extension picks wasmgraph_output_kind */
  const char *name;         /* C identifier prefixing every generated symbol;
                               NULL: derived from OUTPUT (see wasmgraph_default_name) */
  int opt_level;            /* clang -O0..-O3; default 2 */
  const char *target;       /* clang/LLVM triple; NULL: the host's */
  const char *cpu;          /* -march (x86) / -mcpu (others); NULL: "native" for the
                               host triple, the target's generic CPU otherwise */
  const char *embed_graph;  /* graph.json to embed (with embed_params), or NULL */
  const char *embed_params; /* graph.params to embed, or NULL */
  uint32_t stack_size;      /* wasm shadow stack in bytes; 0: 8 MiB */
  bool save_temps;          /* keep the temp dir and log its path */
  int verbose;              /* >0: log each command before running it */
  wasmgraph_log_fn log;     /* may be NULL */
  void *log_user;
  bool no_tile_vectorize;     /* skip the kernel-shape passes (tile vectorizer, v128
                                 pairing, splat windows, address fold, int dot) and
                                 the conversion rewrite; for A/B checks, the output
                                 is bit-identical either way */
  const char *disable_passes; /* comma-separated LLVM pipeline passes to skip (see
                                 wasmgraph_compile_pass); outputs stay bit-identical.
                                 Unknown names are INVALID_ARGUMENT. NULL: none */
  const char *dump_ir_after;  /* comma-separated passes (or "all"): the module's IR after
                                 each is written to the temp dir, which is then kept
                                 (the log names every file). NULL: none */
  /* WASMGRAPH_FP_CONTRACT_OFF (the default) or _FAST; other values are INVALID_ARGUMENT */
  wasmgraph_fp_contract fp_contract;
} wasmgraph_compile_options;

WASMGRAPH_API void wasmgraph_compile_options_init(wasmgraph_compile_options *opts);

/* The LLVM pass pipeline that runs at -O2 and above, in order: the name of
 * pass i (as disable_passes and dump_ir_after take it) and, if `what` is
 * not NULL, one line saying what it does. NULL past the last pass. */
WASMGRAPH_API const char *wasmgraph_compile_pass(size_t i, const char **what);

/* Runs the whole pipeline. On failure OUTPUT is left untouched (outputs are
 * written under temporary names next to it and renamed at the end) and every
 * temporary file is removed unless save_temps is set.
 * Status: INVALID_ARGUMENT (options), IO (files, tools missing or failing),
 * FORMAT (not wasm, truncated, malformed), UNSUPPORTED (relaxed SIMD or another
 * wasm feature the runtime cannot serve, wasm64, an import the runtime cannot
 * serve, a non-system-lib object, a wasm2c version other than 1.0.39),
 * NO_MEMORY. */
WASMGRAPH_API wasmgraph_status wasmgraph_compile(const wasmgraph_compile_options *opts, char *err,
                                                 size_t err_size);

/* True if `name` is a C identifier wasmgraph accepts as NAME (ASCII letters,
 * digits and '_', not starting with a digit, at most 64 characters). */
WASMGRAPH_API bool wasmgraph_name_is_valid(const char *name);

/* NAME used when none is given: the OUTPUT file name without directory and
 * extension (and without a "lib" prefix for .a/.so), with every character that
 * is not a letter, digit or '_' replaced by '_' and a leading digit prefixed by
 * '_'; "model" if nothing is left. Writes into buf (always terminated). */
WASMGRAPH_API void wasmgraph_default_name(const char *output, char *buf, size_t size);

/* ---- inspect ---------------------------------------------------------- */

typedef struct wasmgraph_inspect_import {
  char *module; /* "env" */
  char *name;
  char *kind;  /* "func", "table", "memory", "global", "tag" */
  char *type;  /* "(i32,i32)->i32" for functions, "" otherwise */
  bool served; /* the runtime serves it (host_import_list.h) */
} wasmgraph_inspect_import;

typedef struct wasmgraph_inspect_report {
  char *input_path;      /* INPUT as given */
  char *input_kind;      /* "object", "archive", "module" (linked .wasm), "folder" */
  char *wasm_path;       /* the object/archive/module that was read */
  char *graph_json_path; /* folder inputs; NULL otherwise */
  char *params_path;     /* folder inputs; NULL otherwise */
  int num_objects;       /* 1, or the archive's member count */

  int num_kernels; /* defined, non-local functions with the PackedFunc
                      signature (i32 x6)->i32, sorted by name */
  char **kernels;
  int num_imports; /* function imports of the linked module (or of the
                      object when it could not be linked) */
  wasmgraph_inspect_import *imports;
  int num_features; /* target_features in use, e.g. "simd128" */
  char **features;

  bool linked;               /* layout fields below come from a linked module */
  uint32_t memory_min_pages; /* 64 KiB pages */
  uint32_t memory_max_pages; /* 65536 when unbounded */
  uint32_t table_size;       /* funcref table elements */
  uint32_t stack_top;        /* __stack_pointer's initial value (linked only) */
  uint32_t data_end;
  uint32_t heap_base;

  /* Would `wasmgraph compile` accept it? WASMGRAPH_OK, or the status and
   * message the compile checks give. */
  wasmgraph_status check_status;
  char *check_message; /* "" when OK */
} wasmgraph_inspect_report;

/* Reads and checks INPUT the way wasmgraph_compile does, linking it in a temp
 * dir when it is relocatable (wasm-ld on PATH), but translates nothing. Only
 * `log`, `log_user`, `verbose` and `stack_size` of opts are used (opts may be
 * NULL). A check failure is not an error of this call: it is recorded in the
 * report. Errors are unreadable input (IO, FORMAT) and NO_MEMORY. */
WASMGRAPH_API wasmgraph_status wasmgraph_inspect(const char *input,
                                                 const wasmgraph_compile_options *opts,
                                                 wasmgraph_inspect_report **out, char *err,
                                                 size_t err_size);
WASMGRAPH_API void wasmgraph_inspect_report_free(wasmgraph_inspect_report *report);

#ifdef __cplusplus
}
#endif

#endif /* WASMGRAPH_COMPILER_H_ */
