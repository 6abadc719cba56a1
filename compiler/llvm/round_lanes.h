/*
 * round_lanes.h — a float vector rounded lane by lane (TVM's `round` on
 * wasm SIMD: extract, roundf, insert, four times) as one vector round
 * (round_lanes.c explains the shape and why it is exact).
 */
#ifndef WASMGRAPH_ROUND_LANES_H_
#define WASMGRAPH_ROUND_LANES_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_round_lanes_stats {
  unsigned vectors;   /* lane-by-lane rounds replaced by one vector round */
  unsigned lanes;     /* scalar rounds they replaced */
  unsigned functions; /* functions with at least one */
} wgc_round_lanes_stats;

/* Transforms m in place. No memory access is touched. OK, NO_MEMORY, or
 * UNSUPPORTED if the verifier rejects the result (a bug here; the module
 * must not be used). The verifier runs when `verify`, and always in builds
 * without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_round_lanes(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_round_lanes_stats *stats);

#endif
