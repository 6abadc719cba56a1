/*
 * v128_pair.h — pairs the <4 x float> accumulators of TVM's SIMD (v128) conv
 * kernels into <8 x float> constrained-FP operations (v128_pair.c explains
 * why and when this is exact). Runs on the optimized module after the tile
 * vectorizer, right before code generation, and only where 256-bit vectors
 * are native (x86 with AVX).
 */
#ifndef WASMGRAPH_V128_PAIR_H_
#define WASMGRAPH_V128_PAIR_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_v128_pair_stats {
  unsigned functions; /* functions with at least one pair */
  unsigned pairs;     /* paired multiply-add steps (one <8 x float> mul+add each) */
  unsigned phi_pairs; /* <8 x float> phis formed for the accumulator webs */
  unsigned rejected;  /* candidate pairs dropped (their web did not pair up) */
} wgc_v128_pair_stats;

/* Transforms `m` in place. Memory accesses are never touched. Returns
 * WASMGRAPH_OK, WASMGRAPH_ERR_INVALID_ARGUMENT (no module),
 * WASMGRAPH_ERR_NO_MEMORY (functions done before stay paired: the module is
 * valid and exact either way), or
 * WASMGRAPH_ERR_UNSUPPORTED if the verifier rejects the result (a bug here;
 * the module must not be used). The verifier runs when `verify`, and always
 * in builds without NDEBUG. `stats` may be NULL. */
wasmgraph_status wgc_v128_pair(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                               wgc_v128_pair_stats *stats);

#endif
