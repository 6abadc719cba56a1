/*
 * select_minmax.h — a float compare and a bitwise select of its operands
 * (wasm's f32x4.lt/gt + v128.bitselect, as TVM writes max and relu on wasm
 * SIMD) as one SSE max or min (select_minmax.c says why that is exact).
 */
#ifndef WASMGRAPH_SELECT_MINMAX_H_
#define WASMGRAPH_SELECT_MINMAX_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_select_minmax_stats {
  unsigned max;       /* selects that became maxps */
  unsigned min;       /* selects that became minps */
  unsigned functions; /* functions with at least one */
} wgc_select_minmax_stats;

/* Transforms m in place, if its target is x86-64; no memory access is
 * touched. OK, or UNSUPPORTED if the verifier rejects the result (run when
 * `verify`; a bug here). stats may be NULL. */
wasmgraph_status wgc_select_minmax(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                   wgc_select_minmax_stats *stats);

#endif
