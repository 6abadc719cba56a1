/*
 * v128_pair.h — groups the <4 x float> accumulators of TVM's SIMD (v128)
 * conv kernels into wider constrained-FP operations: pairs as <8 x float>
 * (AVX) and quads as <16 x float> (AVX-512). v128_pair.c explains why and
 * when this is exact. Runs on the optimized module after the tile
 * vectorizer, right before code generation; pipeline.c runs quads first,
 * then pairs on the accumulators left over.
 */
#ifndef WASMGRAPH_V128_PAIR_H_
#define WASMGRAPH_V128_PAIR_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

/* How many f32x4 accumulators one group joins, and what a function's
 * "target-features" must name for it: the decision follows the code's
 * target, never the machine running the compiler. */
typedef enum wgc_v128_group {
  WGC_V128_PAIR = 2, /* <8 x float>, functions with +avx (or any +avx*) */
  WGC_V128_QUAD = 4  /* <16 x float>, functions with +avx512f; the pass sets
                        "min-legal-vector-width"="512" on each function it
                        widens, or the backend would split every operation
                        into two 256-bit ones */
} wgc_v128_group;

typedef struct wgc_v128_pair_stats {
  unsigned functions;         /* functions with at least one group */
  unsigned groups;            /* grouped multiply-add steps (one wide mul+add each) */
  unsigned phi_groups;        /* wide phis formed for the accumulator webs */
  unsigned rejected;          /* candidate groups dropped (their web did not group up) */
  unsigned skipped_functions; /* functions whose target-features lack the
                                 vector width (nothing looked at there) */
} wgc_v128_pair_stats;

/* Transforms `m` in place, forming groups of `group` accumulators. Memory
 * accesses are never touched. Returns WASMGRAPH_OK,
 * WASMGRAPH_ERR_INVALID_ARGUMENT (no module, or `group` is not 2 or 4),
 * WASMGRAPH_ERR_NO_MEMORY (functions done before stay grouped: the module is
 * valid and exact either way), or WASMGRAPH_ERR_UNSUPPORTED if the verifier
 * rejects the result (a bug here; the module must not be used). The
 * verifier runs when `verify`, and always in builds without NDEBUG. `stats`
 * may be NULL. */
wasmgraph_status wgc_v128_pair(wgc_ctx *ctx, LLVMModuleRef m, wgc_v128_group group, bool verify,
                               wgc_v128_pair_stats *stats);

#endif
