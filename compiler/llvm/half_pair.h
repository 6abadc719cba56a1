/*
 * half_pair.h — two isomorphic 128-bit integer computations that one
 * shuffle joins, computed as one 256-bit computation (half_pair.c explains
 * the shape, why it pays and why it is exact).
 */
#ifndef WASMGRAPH_HALF_PAIR_H_
#define WASMGRAPH_HALF_PAIR_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_half_pair_stats {
  unsigned pairs;             /* joined pairs of computations */
  unsigned paired_insts;      /* instruction pairs that became one wide instruction */
  unsigned concats;           /* operands joined by a shuffle (different values in each half) */
  unsigned functions;         /* functions with at least one pair */
  unsigned skipped_functions; /* functions whose target-features lack +avx2 */
} wgc_half_pair_stats;

/* Transforms m in place. Memory accesses are never touched. OK, NO_MEMORY,
 * or UNSUPPORTED if the verifier rejects the result (a bug here; the module
 * must not be used). The verifier runs when `verify`, and always in builds
 * without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_half_pair(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                               wgc_half_pair_stats *stats);

#endif
