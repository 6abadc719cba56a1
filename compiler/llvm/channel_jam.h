/*
 * channel_jam.h — runs four output-channel blocks of a conv kernel's item
 * loop in one body, 16 channels of a position per 512-bit register
 * (channel_jam.c says why, which loops, and how the result stays exact).
 */
#ifndef WASMGRAPH_CHANNEL_JAM_H_
#define WASMGRAPH_CHANNEL_JAM_H_

#include <llvm-c/Core.h>
#include <stdbool.h>

#include "compiler_internal.h"

/* The items run together, and the most 16-lane accumulators a loop of the
 * jammed nest may carry (zmm registers: 32, less the weight and a spare). */
enum { WGC_CHANNEL_JAM_ITEMS = 4, WGC_CHANNEL_JAM_MAX_ACCUMULATORS = 28 };

typedef struct wgc_channel_jam_stats {
  unsigned jammed;    /* item loops given a jammed copy */
  unsigned functions; /* functions with at least one */
  unsigned peeled;    /* loops leaving from their header, rewritten (jam_prep.c) */
  unsigned hoisted;   /* item loops' workspace blocks allocated once (jam_prep.c) */
  unsigned cleared;   /* memsets in item loop headers as zero stores (jam_prep.c) */
} wgc_channel_jam_stats;

/* Gives every item loop of `m` of the shape channel_jam.c describes, in a
 * function compiled for AVX-512, a copy that runs items i, i + D, i + 2D
 * and i + 3D together (D the items per output-channel block), taken per
 * block of 4D items only when a run-time check shows the block cannot trap
 * or observe the other order; the original loop runs every other item.
 * Returns WASMGRAPH_OK, WASMGRAPH_ERR_NO_MEMORY, or WASMGRAPH_ERR_UNSUPPORTED
 * if the verifier rejects the result (run when `verify`; a bug here).
 * `stats` may be NULL. */
wasmgraph_status wgc_channel_jam(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_channel_jam_stats *stats);

#endif
