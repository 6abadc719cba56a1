/*
 * stream_widen.h — loops that stream 128-bit vectors through memory
 * (load, compute, store per iteration: TVM's requantize, pad/cast and float
 * bias/activation kernels) run K iterations at a time at K times the width, behind a
 * run-time check that every access is in bounds and no store overlaps
 * another access (stream_widen.c explains the shape and the proof).
 */
#ifndef WASMGRAPH_STREAM_WIDEN_H_
#define WASMGRAPH_STREAM_WIDEN_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

typedef struct wgc_stream_stats {
  unsigned loops;     /* loops given a widened copy */
  unsigned by4, by2;  /* of those, 4 iterations at a time (AVX-512) or 2 (AVX2) */
  unsigned streams;   /* memory streams (loads and stores) their checks cover */
  unsigned groups;    /* of those, interleaved groups accessed as one stream (unrolled loops) */
  unsigned functions; /* functions with at least one widened loop */
  unsigned rejected;  /* loops of the shape left alone (first_reject says why) */
  const char *first_reject;
} wgc_stream_stats;

/* Transforms m in place. OK, NO_MEMORY, or UNSUPPORTED if the verifier
 * rejects the result or a matched loop's copy cannot be built (a bug here;
 * the module must not be used). The verifier runs when `verify`, and always
 * in builds without NDEBUG. stats may be NULL. */
wasmgraph_status wgc_stream_widen(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                  wgc_stream_stats *stats);

#endif
