/*
 * pipeline.h — the LLVM pass pipeline of `wasmgraph compile` (pipeline.c
 * lists it in order).
 */
#ifndef WASMGRAPH_PIPELINE_H_
#define WASMGRAPH_PIPELINE_H_

#include <stddef.h>

#include "compiler_internal.h"

/* One pass of the pipeline, as the options and --list-passes name it. */
typedef struct wgc_llvm_pass_info {
  const char *name;  /* e.g. "tile-vectorize" */
  const char *what;  /* one line: what it does (and its source file) */
  bool kernel_shape; /* also turned off by wasmgraph_compile_options.no_tile_vectorize */
} wgc_llvm_pass_info;

/* Pass i in pipeline order, or NULL past the end. */
const wgc_llvm_pass_info *wgc_llvm_pass(size_t i);

/* OK if every name in the comma-separated `list` (NULL: none) is a pass or
 * "all"; else INVALID_ARGUMENT "<option>: unknown pass 'x' (the passes
 * are: ...)". */
wasmgraph_status wgc_llvm_check_pass_list(wgc_ctx *ctx, const char *option, const char *list);

/* False if pass `name` is switched off by the options (or unknown). */
bool wgc_llvm_pass_enabled(const wgc_ctx *ctx, const char *name);

/* Bitcode of the wasm2c output → object: every pass of the pipeline in
 * order, except those the options switch off, then code generation for t.
 * memory_max_pages: the module's declared memory maximum (65536 if none);
 * wasm_simd: the wasm uses SIMD128 (scalar modules are optimized without
 * LLVM's vectorizers, which would split their integer tiles). */
wasmgraph_status wgc_llvm_codegen(wgc_ctx *ctx, const wgc_target *t, const char *bitcode,
                                  const char *obj, int opt_level, uint32_t memory_max_pages,
                                  bool wasm_simd);

#endif
