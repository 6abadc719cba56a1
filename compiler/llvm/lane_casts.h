/*
 * lane_casts.h — a vector built lane by lane from casts of other vectors'
 * lanes (TVM's int8 <-> float casts on wasm SIMD: extract, convert, insert,
 * per lane) as the same casts on whole vectors (lane_casts.c explains the
 * shapes and why they are exact).
 */
#ifndef WASMGRAPH_LANE_CASTS_H_
#define WASMGRAPH_LANE_CASTS_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_lane_casts_stats {
  unsigned vectors;     /* vectors built lane by lane, now vector casts */
  unsigned lanes;       /* the scalar lanes they replaced */
  unsigned conversions; /* of those vectors: int-to-float conversions (sitofp, uitofp) */
  unsigned functions;   /* functions with at least one */
} wgc_lane_casts_stats;

/* Transforms m in place. No memory access is touched. OK, NO_MEMORY, or
 * UNSUPPORTED if the verifier rejects the result (a bug here; the module
 * must not be used). The verifier runs when `verify`, and always in builds
 * without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_lane_casts(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                wgc_lane_casts_stats *stats);

#endif
