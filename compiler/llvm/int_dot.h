/*
 * int_dot.h — TVM's integer convolution reductions as dot products
 * (int_dot.c explains the shape, the regrouping and why it is exact).
 */
#ifndef WASMGRAPH_INT_DOT_H_
#define WASMGRAPH_INT_DOT_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler_internal.h"

/* How a regrouped step is computed. */
typedef enum wgc_dot_isa {
  WGC_DOT_GENERIC, /* plain IR: widened multiplies and adds (any target) */
  WGC_DOT_X86,     /* x86 without VNNI: pmaddwd for i16 pairs and sign-extended i8 pairs */
  WGC_DOT_VNNI,    /* x86 with AVX512-VNNI + AVX512VL or AVX-VNNI: vpdpbusd, vpdpwssd */
  WGC_DOT_VNNI512  /* the same, and accumulators of 4 positions in one 512-bit register across
                      the loop around (AVX512-VNNI + AVX512F + AVX512VL) */
} wgc_dot_isa;

/* Below this many accumulator registers per loop, a chain of dot steps is
 * latency-bound (int_dot_emit.c). */
enum { WGC_DOT_SPLIT_BELOW = 7 };

typedef struct wgc_dot_options {
  /* Out-of-bounds accesses fault in guard pages behind linear memory; in
   * bounds-check mode pass false: nothing changes. */
  bool guard_pages;
  /* The module's declared memory maximum in pages; the pass needs at most
   * WGC_MAX_MEMORY_PAGES (pass_util.h), otherwise nothing changes. */
  uint32_t memory_max_pages;
  /* -1: pick from each function's target-features; else force this ISA
   * (tests; WGC_DOT_X86 and WGC_DOT_VNNI only make sense on x86). */
  int isa;
  /* Chains of two or more dot steps into one accumulator (VNNI forms):
   * -1 (default): start them at zero and add the accumulator last where the
   * loop has fewer than WGC_DOT_SPLIT_BELOW accumulators; 0: never; 1: always
   * (tests). Exact either way (int_dot_emit.c). */
  int split_chains;
  /* 512-bit int16 groups of two positions whose 16 input bytes (trip 4:
   * two pairs each) are one broadcast window, no shuffle per step (true by
   * default; false: groups of four positions, a vpermd per pair). */
  bool pair_windows;
  bool verify; /* LLVMVerifyModule afterwards (always without NDEBUG) */
} wgc_dot_options;

typedef struct wgc_dot_stats {
  unsigned loops;          /* reduction loops replaced by straight-line dot products */
  unsigned loops_i8;       /* of those, int8 x int8 (groups of 4 steps) */
  unsigned loops_i16;      /* of those, int16 x int16 (groups of 2 steps) */
  unsigned positions;      /* accumulators computed (one per output position) */
  unsigned groups;         /* regrouped dot steps (each 4 or 2 of the original steps) */
  unsigned single_steps;   /* remainder steps kept one by one */
  unsigned rejected;       /* multiply-accumulate loops left as they were */
  unsigned functions;      /* functions with at least one replaced loop */
  unsigned vnni;           /* replaced loops that use VNNI instructions */
  unsigned wide_groups;    /* groups of 4 positions (or 2, pair windows) in 512-bit registers */
  unsigned pair_windows;   /* of those, groups of 2 positions read through one 16-byte broadcast */
  unsigned wide_positions; /* positions whose result comes from such a group */
  unsigned
      overlap_groups;    /* of the groups, last ones that repeat 1-3 positions of the one before */
  unsigned split_chains; /* accumulator chains started at zero (split_chains above) */
  unsigned deferred_corrections; /* int8 loops whose corrections wait for the loop around's end */
  unsigned ymm_pairs;   /* int8, AVX2 without VNNI: pairs of positions in one 256-bit register */
  const char *disabled; /* why nothing was attempted, or NULL */
  const char *first_reject; /* why the first rejected loop was left alone */
} wgc_dot_stats;

void wgc_dot_options_init(wgc_dot_options *opt);

/* Transforms m in place. OK (also when disabled: stats->disabled says why),
 * NO_MEMORY, or UNSUPPORTED if the verifier rejects the result (a bug; the
 * module must not be used). stats may be NULL. */
wasmgraph_status wgc_int_dot(wgc_ctx *ctx, LLVMModuleRef m, const wgc_dot_options *opt,
                             wgc_dot_stats *stats);

#endif
