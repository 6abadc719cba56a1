/*
 * short_loops.h — marks for full unrolling the short single-block loops
 * that carry the kernel-shape passes' 256- and 512-bit operations
 * (short_loops.c says why and when). pipeline.c then runs LLVM's full
 * unroller, which honours the mark.
 */
#ifndef WASMGRAPH_SHORT_LOOPS_H_
#define WASMGRAPH_SHORT_LOOPS_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

/* The longest loop marked, in iterations. */
enum { WGC_SHORT_LOOP_MAX_TRIPS = 4 };

typedef struct wgc_short_loop_stats {
  unsigned marked;    /* loops marked for full unrolling */
  unsigned functions; /* functions with at least one */
} wgc_short_loop_stats;

/* Marks, in place, every single-block loop of `m` that runs a constant 2 to
 * WGC_SHORT_LOOP_MAX_TRIPS times and holds a vector operation of 256 bits
 * or more, in a function whose target features include +avx512f: its back
 * edge gets loop metadata `llvm.loop.unroll.full`. Loops that already have
 * loop metadata are left alone. Returns WASMGRAPH_OK or
 * WASMGRAPH_ERR_UNSUPPORTED if the verifier rejects the result (run when
 * `verify`; a bug here). `stats` may be NULL. */
wasmgraph_status wgc_short_loops_mark(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                      wgc_short_loop_stats *stats);

#endif
