/*
 * stream_widen_loop.h — what stream_widen.c's analysis (stream_widen_match.c)
 * finds in a loop, and the few helpers both halves read it with. Private to
 * the pass; the design and the proof are at the top of stream_widen.c.
 */
#ifndef WASMGRAPH_STREAM_WIDEN_LOOP_H_
#define WASMGRAPH_STREAM_WIDEN_LOOP_H_

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stdint.h>

enum {
  MAX_INSTS = 512,      /* instructions of a loop body */
  MAX_PHIS = 16,        /* induction variables */
  MAX_STREAMS = 16,     /* loads and stores */
  MAX_K = 4,            /* iterations per wide trip */
  MAX_WIDE_BITS = 1024, /* the widest vector built (the backend splits it) */
  MAX_GROUP_BITS = 2048 /* the widest access of an interleaved group */
};

/* How W computes a body instruction. */
enum { SW_SCALAR, SW_WIDE, SW_DROP };

typedef struct sw_stream {
  LLVMValueRef inst;
  LLVMValueRef x;    /* the i32 under zext */
  uint64_t c;        /* memarg offset */
  LLVMValueRef root; /* x without its constant k */
  uint64_t off;      /* k + c: the offset from zext(root) */
  int64_t s;         /* x_{j+1} - x_j */
  unsigned bytes;    /* accessed per iteration */
  bool store, contiguous;
  int grp;    /* the interleaved group it belongs to, or -1 */
  unsigned q; /* its place in that group, by offset */
} sw_stream;

/* Streams that LLVM's unrolling split: u vector streams of one kind (loads
 * or stores) and type at root + off, off + b, ..., off + (u-1) b with
 * stride u*b, which together cover every byte of their range. W accesses
 * them as one stream, K*u*b bytes per trip, and (de)interleaves the
 * members' wide values with one shuffle. */
typedef struct sw_group {
  unsigned u;
  unsigned member[4]; /* stream indices, by offset */
  unsigned last;      /* body index of the last member access */
} sw_group;

typedef struct sw_loop {
  LLVMValueRef fn;
  LLVMBasicBlockRef b, ph;
  unsigned k, trip;
  LLVMValueRef inst[MAX_INSTS];
  unsigned char how[MAX_INSTS];
  unsigned n;
  LLVMValueRef phi[MAX_PHIS], start[MAX_PHIS], next[MAX_PHIS];
  int64_t step[MAX_PHIS];
  /* known: step found; checked: an induction only if the preheader's check
   * shows next - start == step at iteration 0 (see resolve_phis, stream_widen_match.c) */
  bool known[MAX_PHIS], checked[MAX_PHIS];
  unsigned nphi;
  sw_stream st[MAX_STREAMS];
  unsigned nst;
  sw_group grp[MAX_STREAMS / 2];
  unsigned ngrp;
  LLVMValueRef data, mem; /* the data pointer and where it was loaded from */
  LLVMTypeRef mem_type;   /* struct.wasm_rt_memory_t */
  LLVMValueRef mem_slot;  /* or NULL: where the preheader reloads the struct pointer */
  LLVMModuleRef m;
  bool split_ph; /* the preheader branches elsewhere too: split its edge */
  /* invariant vectors repeated K times, built once in the preheader */
  LLVMValueRef rep_src[32], rep_val[32];
  unsigned nrep;
  /* W's values: wide[i] or part[i][k] per body instruction; phi parts */
  LLVMValueRef wide[MAX_INSTS], part[MAX_INSTS][MAX_K], phipart[MAX_PHIS][MAX_K];
  const char *why;
} sw_loop;

static inline int index_of(const sw_loop *L, LLVMValueRef v) {
  if (!v || !LLVMIsAInstruction(v) || LLVMGetInstructionParent(v) != L->b) return -1;
  for (unsigned i = 0; i < L->n; i++)
    if (L->inst[i] == v) return (int)i;
  return -1;
}

static inline int phi_of(const sw_loop *L, LLVMValueRef v) {
  for (unsigned i = 0; i < L->nphi; i++)
    if (L->phi[i] == v) return (int)i;
  return -1;
}

/* The bits of a lane of vector type t: integer, float or double lanes;
 * 0 for any other type. */
static inline unsigned lane_bits(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind) return 0;
  LLVMTypeRef e = LLVMGetElementType(t);
  switch (LLVMGetTypeKind(e)) {
    case LLVMIntegerTypeKind:
      return LLVMGetIntTypeWidth(e);
    case LLVMFloatTypeKind:
      return 32;
    case LLVMDoubleTypeKind:
      return 64;
    default:
      return 0;
  }
}

/* A vector the pass widens: of integers (i1 included), floats or doubles. */
static inline bool is_vec(LLVMTypeRef t) { return lane_bits(t) != 0; }

static inline LLVMTypeRef widen(LLVMTypeRef t, unsigned k) {
  return LLVMVectorType(LLVMGetElementType(t), LLVMGetVectorSize(t) * k);
}

/* Whether L (its fn, b, k, m set, the rest zeroed) is a loop of the shape
 * the pass widens; fills in its inductions, trip count, streams, groups and
 * how W computes each instruction. False with L->why set (or NULL: not a
 * loop of the shape at all) otherwise. */
bool wgc_sw_match(sw_loop *L);

/* Whether store stream a and stream b may be left out of each other's
 * overlap check (stream_widen_match.c says when). */
bool wgc_sw_exempt(const sw_stream *a, const sw_stream *b);

#endif
