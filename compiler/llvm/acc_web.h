/*
 * acc_web.h — the accumulator-web machinery shared by tile_vectorize.c and
 * v128_pair.c: multiply-accumulate candidates, groups of lanes (steps or
 * phis), the value -> (group, lane) map, the all-or-nothing validation
 * fixpoint and the skeleton of the rewrite. Each pass keeps its own pattern
 * matching (which steps form a group), its pass-specific validation, how a
 * group's vector is built, and its statistics. Internal to the compiler.
 */
#ifndef WASMGRAPH_ACC_WEB_H
#define WASMGRAPH_ACC_WEB_H

#include <llvm-c/Core.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler_internal.h"
#include "pass_util.h" /* wgc_callee_name, used with the helpers below */

enum { ACC_STEP, ACC_PHI }; /* acc_group.kind */
enum { ACC_MAX_LANES = 8 }; /* lanes per group */
enum { ACC_NOT_LANE = -1 }; /* wgc_acc_web_lookup: v is in no group */

/* One multiply-accumulate step: step = fadd(mul, acc) or fadd(acc, mul).
 * A pass may extend it: a struct whose first member is an acc_cand, its
 * size given to wgc_acc_web_init (candidates are stored with that stride). */
typedef struct acc_cand {
  LLVMValueRef step, mul, acc;
  uint32_t pos; /* index in the block */
} acc_cand;

typedef struct acc_group {
  unsigned char kind, n;
  unsigned char tag[2]; /* pass-specific, per multiply operand */
  bool bad, ready;
  LLVMBasicBlockRef bb;
  LLVMValueRef vec;                  /* built value (transform phase) */
  LLVMValueRef lanes[ACC_MAX_LANES]; /* steps or phis, lane order */
  uint32_t cand[ACC_MAX_LANES];      /* steps: candidate indices */
} acc_group;

/* value -> (group, lane); open addressing, grown at half load. */
typedef struct acc_slot {
  LLVMValueRef key;
  int32_t group;
  int32_t lane;
} acc_slot;

/* Per-module state; arrays are reused from function to function. */
typedef struct acc_web {
  LLVMContextRef lc;
  LLVMModuleRef m;
  unsigned id_fmul, id_fadd;
  LLVMAttributeRef strictfp;
  bool oom;
  unsigned char *c; /* candidates, cand_size bytes each */
  size_t cand_size, nc, cc;
  acc_group *g;
  size_t ng, cg;
  acc_slot *map;
  size_t map_cap, map_count;
} acc_web;

/* Grows *p (elements of `elem` bytes) to at least `need`; false on overflow
 * or allocation failure (*p is then unchanged). */
bool wgc_acc_grow(void **p, size_t *cap, size_t need, size_t elem);

static inline acc_cand *wgc_acc_web_cand(const acc_web *w, size_t i) {
  return (acc_cand *)(void *)(w->c + i * w->cand_size);
}

/* Group of v (>= 0), ACC_NOT_LANE, or a negative mark the pass stored;
 * *lane gets the lane. */
int32_t wgc_acc_web_lookup(const acc_web *w, LLVMValueRef v, int32_t *lane);
/* Maps v to (group, lane); false if out of memory. */
bool wgc_acc_web_put(acc_web *w, LLVMValueRef v, int32_t group, int32_t lane);
/* Index of a new zeroed group, or -1 (w->oom set). */
int wgc_acc_web_new_group(acc_web *w, unsigned kind, unsigned n, LLVMBasicBlockRef bb);

/* Appends block b's steps fadd(mul, acc) / fadd(acc, mul): calls named
 * fadd_name / fmul_name of type `type` with 4 arguments, the product in b
 * with no other use. With both names NULL, integer steps instead: `add` and
 * `mul` instructions of type `type`. A new candidate's pass-specific fields
 * are zero. */
void wgc_acc_web_collect_steps(acc_web *w, LLVMBasicBlockRef b, const char *fadd_name,
                               const char *fmul_name, LLVMTypeRef type);

LLVMValueRef wgc_acc_incoming_from(LLVMValueRef phi, LLVMBasicBlockRef bb);
bool wgc_acc_comes_after(LLVMValueRef first, LLVMValueRef later);

/* If vals[0..n) are distinct phis of type `type`, in no group, all in one
 * block, makes them a phi group (returns true). */
bool wgc_acc_web_try_phi_group(acc_web *w, LLVMValueRef *vals, unsigned n, LLVMTypeRef type);
/* vals[t] is in group g0 at lane t for every t, and g0 is packable. */
bool wgc_acc_web_lanes_match(const acc_web *w, LLVMValueRef *vals, unsigned n);

/* Pass-specific check of group gi (not bad): returns true if it changed
 * anything (marked a group bad or added a phi group). */
typedef bool (*acc_validate_fn)(void *pass, size_t gi);

/* How a pass builds its vectors (transform phase). */
typedef struct acc_rewrite_ops {
  unsigned lane_floats; /* elements per lane: a group's vector is <n * lane_floats x E> */
  const char *phi_name;
  /* builds g->vec; the accumulators' vector exists */
  void (*build_step)(void *pass, LLVMBuilderRef bd, acc_group *g);
  /* the vector of phi group g's entry values from block ib (v0: lane 0's);
   * the builder is before ib's terminator */
  LLVMValueRef (*gather)(void *pass, LLVMBuilderRef bd, acc_group *g, LLVMBasicBlockRef ib,
                         LLVMValueRef v0);
  /* lane t of g->vec for `user`; the builder is before the user, or before
   * the end of the incoming block if the user is a phi */
  LLVMValueRef (*extract)(void *pass, LLVMBuilderRef bd, acc_group *g, unsigned t,
                          LLVMValueRef user);
} acc_rewrite_ops;

/* Replaces every group that is not bad: vector phis, steps, phi incomings,
 * extracts for users outside the web, then erases the lanes and their
 * products. Allocates nothing. */
void wgc_acc_web_rewrite(acc_web *w, LLVMBuilderRef bd, const acc_rewrite_ops *ops, void *pass);

/* A call of constrained intrinsic `id` on vector type vt with orig's
 * rounding and exception metadata, strictfp. */
LLVMValueRef wgc_acc_web_build_constrained(acc_web *w, LLVMBuilderRef bd, unsigned id,
                                           LLVMTypeRef vt, LLVMValueRef a, LLVMValueRef b,
                                           LLVMValueRef orig, const char *name);

/* What the analysis found in one function. */
typedef struct acc_counts {
  unsigned good;     /* step groups to pack */
  unsigned rejected; /* step groups left alone */
  unsigned phis;     /* phi groups to pack */
} acc_counts;

/* A pass over a module, driven by wgc_acc_web_run. */
typedef struct acc_pass {
  const char *name; /* starts the error messages, e.g. "tile vectorizer" */
  size_t cand_size; /* sizeof the pass's candidate (an acc_cand first) */
  /* adds block b's candidates and step groups */
  void (*find)(void *pass, LLVMBasicBlockRef b);
  acc_validate_fn validate_step, validate_phi;
  /* after the analysis of a function (nothing changed yet): records
   * statistics and, if n->good, allocates all the rewrite needs; false if
   * out of memory */
  bool (*prepare)(void *pass, const acc_counts *n);
  /* rewrites the function: wgc_acc_web_rewrite and what the pass adds */
  void (*transform)(void *pass, LLVMBuilderRef bd);
} acc_pass;

/* Runs `ops` over every function of m with w (embedded in the pass state
 * `pass`, which frees its own arrays afterwards), then verifies m if
 * `verify` (always in debug builds). Frees w's arrays. */
wasmgraph_status wgc_acc_web_run(acc_web *w, wgc_ctx *ctx, LLVMModuleRef m, const acc_pass *ops,
                                 void *pass, bool verify);

#endif
