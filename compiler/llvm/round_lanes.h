/*
 * round_lanes.h — a float vector rounded lane by lane (TVM's `round` on
 * wasm SIMD: extract, roundf, insert, four times) as one vector round, and
 * its lanes converted one by one (x86 cvttss2si) as one vector conversion
 * (round_lanes.c explains the shapes and why they are exact).
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
  unsigned
      cvt_vectors; /* vectors whose lanes x86's cvttss2si converted one by one, now one cvttps2dq */
  unsigned cvt_lanes;     /* the lane conversions they replaced */
  unsigned cvt_functions; /* functions with at least one */
} wgc_round_lanes_stats;

/* Transforms m in place. No memory access is touched. OK, NO_MEMORY, or
 * UNSUPPORTED if the verifier rejects the result (a bug here; the module
 * must not be used). The verifier runs when `verify`, and always in builds
 * without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_round_lanes(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_round_lanes_stats *stats);

#endif
