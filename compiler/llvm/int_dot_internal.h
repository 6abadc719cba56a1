/*
 * int_dot_internal.h — what the three files of the int-dot pass share:
 * int_dot_match.c recognises a reduction loop (dot_loop), int_dot_emit.c
 * writes its replacement, int_dot.c drives both over a module. Internal to
 * the compiler; int_dot.c explains the pass.
 */
#ifndef WASMGRAPH_INT_DOT_INTERNAL_H_
#define WASMGRAPH_INT_DOT_INTERNAL_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

#include "int_dot.h"

enum {
  MAX_POSITIONS = 64, /* accumulators per loop */
  MAX_TRIP = 64,      /* iterations of a loop the pass replaces */
  MAX_DEPTH = 8,      /* recursion in the value matchers */
  MAX_TERMS = 8,      /* products added to one accumulator per iteration */
  LANES = 4           /* i32 lanes of an accumulator: 4 output channels */
};

/* An i32/i64 value in iteration j of the loop: base + off + step * j, base
 * defined outside the loop (or NULL: a constant). */
typedef struct aff {
  LLVMValueRef base;
  int64_t off, step;
} aff;

/* Where the bytes of a value come from: load + byte offset, or none. */
typedef struct src_byte {
  LLVMValueRef load;
  int off;
} src_byte;

/* A sign-extended element: `bytes` bytes at byte `off` of `load`. */
typedef struct elem {
  LLVMValueRef load;
  int off, bytes;
} elem;

/* A linear-memory address in iteration j (pass_util.h wgc_address):
 * mem + zext(i32(x)) + c, x affine. */
typedef struct mem_addr {
  LLVMValueRef mem;
  aff x;
  uint64_t c;
} mem_addr;

typedef struct position {
  LLVMValueRef phi, next; /* the accumulator phi and acc + x*w */
  LLVMValueRef init;      /* its value on entry */
  mem_addr x;             /* x_p in iteration j: x.x.off + j * |E| */
  LLVMValueRef result;    /* the new value after the loop (NULL: in a wide group) */
  /* with several products per iteration (nterms > 1): term k's input */
  mem_addr tx[MAX_TERMS];
  /* the loop around: init as its header phi, and that phi's value from
   * before it (NULL when the accumulator does not circle that loop alone) */
  LLVMValueRef outer_phi, outer_init;
  /* its result comes from a register shared with other positions: a
   * 512-bit group or a 256-bit pair (int_dot_emit.c) */
  bool grouped;
} position;

/* Positions whose accumulators live in one <16 x i32> across the loop
 * around, lane o*4 + t = slot t's output channel o (int_dot_emit.c). Slot t
 * belongs to position pos[t]: four positions, one slot each, or with pair
 * windows (dot_loop.wide_per = 2) two positions, slots 2i and 2i + 1 for
 * position i's two pairs, summed after the loop around. */
typedef struct wide_group {
  unsigned pos[LANES];
  /* slot t's position also belongs to an earlier group, which owns its
   * result: this slot only fills the register (the last group of a loop
   * whose positions are not a multiple of the group size overlaps the one
   * before) */
  bool dup[LANES];
  uint64_t c0, hull; /* their inputs: [c0, c0 + hull) above the common i32 address */
  LLVMValueRef phi, out;
} wide_group;

typedef struct dot_loop {
  LLVMBasicBlockRef b, ph, exit;
  unsigned trip;
  int ebytes; /* 1 (int8) or 2 (int16) */
  bool rows;  /* x is a row of 4 channels too (a depthwise conv over taps), not a splat */
  /* products added to each accumulator per iteration (a depthwise conv with
   * its kernel row unrolled: acc + x0*w0 + x1*w1 + x2*w2); > 1 only for
   * int16 rows, and then term k's weight row and address are tw[k], twa[k],
   * sorted by address */
  unsigned nterms;
  LLVMValueRef tw[MAX_TERMS];
  mem_addr twa[MAX_TERMS];
  LLVMValueRef w;
  LLVMValueRef w_hint; /* the multiply operand every step shares, if one */
  mem_addr wa;         /* row j of w: wa.x.off + j * 4|E| */
  position pos[MAX_POSITIONS];
  unsigned npos;
  const char *why; /* set when the loop is rejected */
  /* the loop around, when it is preheader -> b -> exit -> preheader with
   * one way in (outer_pre) and one way out (outer_exit); else NULL */
  LLVMBasicBlockRef outer_pre, outer_exit;
  wide_group wide[MAX_POSITIONS / 2];
  unsigned nwide;
  unsigned wide_per; /* window dwords (slots) per position in the wide groups: 1 or 2 */
} dot_loop;

/* Fills L from the single-block loop b of fn if it is a reduction the pass
 * replaces; false otherwise (L->why says why, or is NULL for loops that are
 * not integer reductions at all). */
bool wgc_dot_match(dot_loop *L, LLVMValueRef fn, LLVMBasicBlockRef b);

/* Fills L's outer_* fields (int_dot_emit.c's wide groups need them). */
void wgc_dot_match_outer(dot_loop *L, LLVMValueRef fn);

/* True if v is an instruction of the loop's block. */
bool wgc_dot_in_loop(const dot_loop *L, LLVMValueRef v);

typedef struct dot_state {
  LLVMContextRef lc;
  LLVMModuleRef m;
  LLVMBuilderRef bd;
  LLVMTypeRef i8, i16, i32, i64, v16i8, v8i16, v4i32;
  wgc_dot_isa isa; /* of the current function */
  bool avx2;       /* the current function may use 256-bit integer vectors */
  wgc_dot_stats *st;
  bool changed_fn;
  int split_mode;    /* wgc_dot_options.split_chains */
  bool split;        /* the current loop's chains start at 0, the accumulator added last */
  bool pair_windows; /* wgc_dot_options.pair_windows */
  /* int8 with VNNI, the current loop: the sum of the weight-only
   * corrections up to and including this iteration of the loop around,
   * subtracted once after it from the accumulators that circle it
   * (int_dot_emit.c), or NULL */
  LLVMValueRef cnext;
  bool oom;
} dot_state;

/* Writes the loop's replacement at the builder's position (a new block
 * between the preheader and the exit): every position's value after the
 * loop in pos[].result. */
void wgc_dot_emit(dot_state *s, dot_loop *L);

#endif
