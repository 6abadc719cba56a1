/*
 * splat_window.h — builds the operand of a paired multiply (v128_pair.c),
 * `[splat(load a) | splat(load b)]`, from one 32-byte load and one in-register
 * shuffle instead of two broadcast loads and an insert (a quad's 16-lane
 * operand from one or two 64-byte loads and one shuffle), where that provably
 * keeps wasm's trapping behaviour (splat_window.c has the proof). Runs on the
 * optimized module after v128 pairing and before the address fold.
 */
#ifndef WASMGRAPH_SPLAT_WINDOW_H_
#define WASMGRAPH_SPLAT_WINDOW_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

typedef struct wgc_window_options {
  /* Out-of-bounds accesses fault in guard pages behind linear memory. In
   * bounds-check mode pass false: nothing changes. */
  bool guard_pages;
  /* The module's declared memory maximum in pages; the pass needs <= 65535
   * (WGC_MAX_MEMORY_PAGES), otherwise nothing changes. */
  uint32_t memory_max_pages;
} wgc_window_options;

typedef struct wgc_window_stats {
  unsigned windows;        /* paired splat operands now read through one window */
  unsigned split;          /* of those, read through two 16-byte windows (no
                              32-byte window holds both inputs inside the loads
                              around them, e.g. inputs 32 bytes apart) */
  unsigned in_lane;        /* of all, both halves from the same lane of each
                              128-bit half (one vpermilps) */
  unsigned no_window;      /* pairs of splat loads left alone: no 32-byte window
                              inside the loads that run with them */
  unsigned quads;          /* 16-lane quad operands (v128_pair.c's AVX-512
                              groups) now read through 64-byte windows */
  unsigned quad_two;       /* of those, through two windows and a two-source
                              shuffle (no one window holds all four inputs) */
  unsigned quad_in_lane;   /* of all quads, input i in 128-bit chunk i at one
                              lane (one vpermilps) */
  unsigned quad_no_window; /* quads left to be windowed as two pairs */
  unsigned functions;      /* functions with at least one window */
  const char *disabled;    /* why nothing was attempted, or NULL */
} wgc_window_stats;

/* Transforms `m` in place. Returns WASMGRAPH_OK (also when the options rule
 * the pass out: stats->disabled says why), WASMGRAPH_ERR_NO_MEMORY, or
 * WASMGRAPH_ERR_UNSUPPORTED if the verifier rejects the result (run when
 * `verify`, and always in builds without NDEBUG; a bug here). `stats` may be
 * NULL. */
wasmgraph_status wgc_splat_window(wgc_ctx *ctx, LLVMModuleRef m, const wgc_window_options *opt,
                                  bool verify, wgc_window_stats *stats);

#endif
