/*
 * half_pair.c — two isomorphic 128-bit integer computations that one
 * shuffle joins, computed as one 256-bit computation.
 *
 * The shape. Wasm SIMD has no 64-bit multiply of 32-bit lanes as a whole
 * vector, so TVM's requantize (fixed_point_multiply) works on an i32x4 in
 * two halves: each half's two lanes are sign-extended to i64x2, multiplied,
 * rounded and shifted, and one shuffle takes the low dwords of both halves
 * back into an i32x4:
 *   lo = ashr(add(mul(sext(x[0,1]), M), R), S)         <2 x i64>
 *   hi = ashr(add(mul(sext(x[2,3]), M), R), S)         <2 x i64>
 *   y  = shufflevector(lo, hi, <dwords 0, 2, 4, 6>)    <4 x i32>
 * LLVM never widens vector code, so each half stays a 128-bit chain and the
 * two meet in a vinserti128. In mobilenet_v2_qnn these epilogues run after
 * every convolution, a quarter of the model's time.
 *
 * What this pass does. For a shufflevector whose two operands are (up to
 * bitcasts) such a pair of trees, it builds the tree once on operands twice
 * as wide, where lane i of the low half is lane i of the first tree and
 * lane i of the high half lane i of the second, and makes the shuffle read
 * the wide result: vpmovsxdq/vpmuldq/vpaddq/vpsraq on one ymm instead of
 * two xmm chains and an insert (8 instructions instead of 13 per i32x4 of
 * requantize on an AVX-512 CPU).
 *
 * Why it is exact. Every paired instruction is lane-wise (integer
 * arithmetic, shifts, compares, selects, min/max and saturating adds), so
 * each lane of the wide instruction computes what that lane of its half
 * computed, from the same operand values. Shuffles get the masks of both
 * halves rebased onto the wide operands. A bitcast of two concatenated
 * vectors is the two bitcasts concatenated (little-endian lanes, as on every
 * target with +avx2). The poison-generating flags (nsw, nuw, exact) are
 * dropped, which only removes poison. Nothing reads or writes memory: the
 * pass pairs only instructions without memory access or side effect, in the
 * shuffle's block and before it, and builds the wide tree right before the
 * shuffle, where every leaf value is already defined; loads, calls and phis
 * are leaves that stay where they are. Division and remainder are never
 * paired (their traps).
 *
 * Where. Functions whose target-features name +avx2 (256-bit integer
 * vectors; elsewhere the backend would split the wide tree back). A pair
 * is formed when at least MIN_PAIRED instruction pairs become one and at
 * most MAX_CONCATS operands need a shuffle of their own, and each paired
 * instruction has its half as its only user (else both would stay alive).
 */
#include "half_pair.h"

#include <string.h>

#include "pass_util.h"

enum {
  MAX_NODES = 64,      /* instruction pairs per tree */
  MAX_DEPTH = 24,      /* recursion of the matcher */
  MAX_WIDE_BITS = 256, /* the widest type built */
  MIN_PAIRED = 3,      /* fewer paired instructions do not pay for a concat */
  MAX_CONCATS = 2,     /* operands that differ between the halves */
  MAX_MASK = 64        /* shuffle mask elements handled */
};

typedef struct hp_state {
  LLVMModuleRef m;
  LLVMContextRef lc;
  LLVMBuilderRef bd;
  LLVMValueRef fn; /* the function of the current block, and whether it has +avx2 */
  bool avx2;
  LLVMBasicBlockRef bb; /* the block of the joining shuffle */
  /* the instruction pairs of the current tree and their wide value */
  LLVMValueRef pa[MAX_NODES], pb[MAX_NODES], pw[MAX_NODES];
  unsigned n;
  /* the leaf pairs joined by a shuffle, each built (and counted) once */
  LLVMValueRef la[MAX_CONCATS + 1], lb[MAX_CONCATS + 1], lw[MAX_CONCATS + 1];
  unsigned concats;
  bool overflow;
  wgc_half_pair_stats *st;
} hp_state;

/* <2n x E> for <n x E>, or NULL past MAX_WIDE_BITS. */
static LLVMTypeRef wide_type(LLVMTypeRef t) {
  LLVMTypeRef e = LLVMGetElementType(t);
  unsigned n = LLVMGetVectorSize(t);
  if ((unsigned long)n * 2 * LLVMGetIntTypeWidth(e) > MAX_WIDE_BITS) return NULL;
  return LLVMVectorType(e, 2 * n);
}

static bool pairable_opcode(LLVMValueRef v) {
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  if (op == LLVMCall) return wgc_lanewise_int_intrinsic(v) != NULL;
  return op == LLVMShuffleVector || wgc_is_lanewise_int_op(op);
}

/* True if inst is in the root's block. Paired instructions have one use
 * each, on a path of single uses up to the root, and are not phis, so in
 * the root's block they are before it. */
static bool in_root_block(const hp_state *s, LLVMValueRef inst) {
  return LLVMGetInstructionParent(inst) == s->bb;
}

static bool one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

/* The operands a paired instruction pairs (a call's callee is not one). */
static unsigned value_operands(LLVMValueRef v) {
  unsigned n = (unsigned)LLVMGetNumOperands(v);
  return LLVMGetInstructionOpcode(v) == LLVMCall ? n - 1 : n;
}

/* Whether a and b can become one wide instruction (their operands aside). */
static bool pairable(const hp_state *s, LLVMValueRef a, LLVMValueRef b) {
  if (a == b || !LLVMIsAInstruction(a) || !LLVMIsAInstruction(b)) return false;
  if (LLVMGetInstructionOpcode(a) != LLVMGetInstructionOpcode(b) || !pairable_opcode(a))
    return false;
  LLVMTypeRef t = LLVMTypeOf(a);
  if (t != LLVMTypeOf(b) || !wgc_is_int_vector(t) || !wide_type(t)) return false;
  if (!one_use(a) || !one_use(b) || !in_root_block(s, a) || !in_root_block(s, b)) return false;
  unsigned n = value_operands(a);
  if (n != value_operands(b)) return false;
  for (unsigned i = 0; i < n; i++) {
    LLVMTypeRef ta = LLVMTypeOf(LLVMGetOperand(a, i));
    if (ta != LLVMTypeOf(LLVMGetOperand(b, i))) return false;
    if (wgc_is_int_vector(ta)) {
      if (!wide_type(ta)) return false;
      continue;
    }
    /* only a select's condition may be a scalar (i1), and then shared */
    bool cond = LLVMGetInstructionOpcode(a) == LLVMSelect && i == 0;
    if (!cond || LLVMGetOperand(a, i) != LLVMGetOperand(b, i)) return false;
  }
  switch (LLVMGetInstructionOpcode(a)) {
    case LLVMICmp:
      return LLVMGetICmpPredicate(a) == LLVMGetICmpPredicate(b);
    case LLVMCall:
      return LLVMGetCalledValue(a) == LLVMGetCalledValue(b);
    case LLVMShuffleVector:
      return LLVMGetNumMaskElements(a) <= MAX_MASK;
    default:
      return true;
  }
}

/* Records the pairs of the tree under (a, b); false when it grows past
 * MAX_NODES. A pair that is not pairable is a leaf: shared, two constants,
 * or two values joined by a shuffle (a concat). */
static void match(hp_state *s, LLVMValueRef a, LLVMValueRef b, unsigned depth) {
  if (s->overflow) return;
  if (depth > MAX_DEPTH || !pairable(s, a, b)) {
    if (a == b || (LLVMIsConstant(a) && LLVMIsConstant(b))) return;
    for (unsigned i = 0; i < s->concats; i++)
      if (s->la[i] == a && s->lb[i] == b) return;
    if (s->concats == MAX_CONCATS + 1) return; /* too many already: rejected */
    s->la[s->concats] = a, s->lb[s->concats] = b, s->lw[s->concats] = NULL;
    s->concats++;
    return;
  }
  for (unsigned i = 0; i < s->n; i++) {
    if (s->pa[i] == a && s->pb[i] == b) return;
    if (s->pa[i] == b || s->pb[i] == a) s->overflow = true; /* one value in both halves */
  }
  if (s->overflow || s->n == MAX_NODES) {
    s->overflow = true;
    return;
  }
  s->pa[s->n] = a, s->pb[s->n] = b, s->pw[s->n] = NULL;
  s->n++;
  for (unsigned i = 0, n = value_operands(a); i < n; i++)
    match(s, LLVMGetOperand(a, i), LLVMGetOperand(b, i), depth + 1);
}

static LLVMValueRef mask_const(hp_state *s, const int *m, unsigned n) {
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
  LLVMValueRef e[2 * MAX_MASK];
  for (unsigned i = 0; i < n; i++)
    e[i] = m[i] < 0 ? LLVMGetUndef(i32) : LLVMConstInt(i32, (unsigned)m[i], 0);
  return LLVMConstVector(e, n);
}

/* concat(a, b): lanes of a, then lanes of b. */
static LLVMValueRef concat(hp_state *s, LLVMValueRef a, LLVMValueRef b) {
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(a));
  int m[2 * MAX_MASK];
  for (unsigned i = 0; i < 2 * n; i++) m[i] = (int)i;
  LLVMValueRef mk = mask_const(s, m, 2 * n);
  if (LLVMIsConstant(a) && LLVMIsConstant(b)) return LLVMConstShuffleVector(a, b, mk);
  return LLVMBuildShuffleVector(s->bd, a, b, mk, "hp.cat");
}

static LLVMValueRef build(hp_state *s, LLVMValueRef a, LLVMValueRef b);

/* A paired shuffle: both halves' masks over the wide operands. Operands
 * that both halves share stay narrow when both are shared. */
static LLVMValueRef build_shuffle(hp_state *s, LLVMValueRef a, LLVMValueRef b) {
  LLVMValueRef a0 = LLVMGetOperand(a, 0), a1 = LLVMGetOperand(a, 1);
  LLVMValueRef b0 = LLVMGetOperand(b, 0), b1 = LLVMGetOperand(b, 1);
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(a0)), r = LLVMGetNumMaskElements(a);
  bool narrow = a0 == b0 && a1 == b1;
  LLVMValueRef w0 = narrow ? a0 : build(s, a0, b0), w1 = narrow ? a1 : build(s, a1, b1);
  if (!w0 || !w1) return NULL;
  int m[2 * MAX_MASK];
  for (unsigned h = 0; h < 2; h++)
    for (unsigned i = 0; i < r; i++) {
      int idx = LLVMGetMaskValue(h ? b : a, i);
      if (idx == LLVMGetUndefMaskElem() || idx < 0) {
        m[h * r + i] = -1;
        continue;
      }
      unsigned j = (unsigned)idx / n, e = (unsigned)idx % n;
      m[h * r + i] = narrow ? idx : (int)(j * 2 * n + h * n + e);
    }
  return LLVMBuildShuffleVector(s->bd, w0, w1, mask_const(s, m, 2 * r), "hp.shuf");
}

static LLVMValueRef build_inst(hp_state *s, LLVMValueRef a, LLVMValueRef b) {
  LLVMOpcode op = LLVMGetInstructionOpcode(a);
  if (op == LLVMShuffleVector) return build_shuffle(s, a, b);
  LLVMValueRef w[3] = {NULL, NULL, NULL};
  unsigned n = value_operands(a);
  for (unsigned i = 0; i < n && i < 3; i++) {
    LLVMValueRef x = LLVMGetOperand(a, i), y = LLVMGetOperand(b, i);
    w[i] = wgc_is_int_vector(LLVMTypeOf(x)) ? build(s, x, y) : x; /* a shared scalar */
    if (!w[i]) return NULL;
  }
  LLVMTypeRef wt = wide_type(LLVMTypeOf(a));
  switch (op) {
    case LLVMICmp:
      return LLVMBuildICmp(s->bd, LLVMGetICmpPredicate(a), w[0], w[1], "hp.cmp");
    case LLVMSelect:
      return LLVMBuildSelect(s->bd, w[0], w[1], w[2], "hp.sel");
    case LLVMSExt:
    case LLVMZExt:
    case LLVMTrunc:
    case LLVMBitCast:
      return LLVMBuildCast(s->bd, op, w[0], wt, "hp.cast");
    case LLVMCall: {
      const char *name = wgc_lanewise_int_intrinsic(a);
      unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
      if (!id) return NULL;
      LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, id, &wt, 1);
      LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, id, &wt, 1);
      return LLVMBuildCall2(s->bd, ft, fn, w, n, "hp.call");
    }
    default: /* a binary operator, its nsw/nuw/exact flags dropped */
      return LLVMBuildBinOp(s->bd, op, w[0], w[1], "hp.op");
  }
}

/* The wide value of the pair (a, b): lanes of a, then lanes of b. */
static LLVMValueRef build(hp_state *s, LLVMValueRef a, LLVMValueRef b) {
  for (unsigned i = 0; i < s->n; i++)
    if (s->pa[i] == a && s->pb[i] == b) {
      if (!s->pw[i]) s->pw[i] = build_inst(s, a, b);
      return s->pw[i];
    }
  for (unsigned i = 0; i < s->concats; i++)
    if (s->la[i] == a && s->lb[i] == b) {
      if (!s->lw[i]) s->lw[i] = concat(s, a, b);
      return s->lw[i];
    }
  return concat(s, a, b); /* shared, or two constants */
}

/* Erases what the old halves leave dead (each had one use). */
static void erase_dead(hp_state *s) {
  for (bool again = true; again;) {
    again = false;
    for (unsigned i = 0; i < s->n; i++)
      for (int h = 0; h < 2; h++) {
        LLVMValueRef *v = h ? &s->pb[i] : &s->pa[i];
        if (*v && !LLVMGetFirstUse(*v)) {
          LLVMInstructionEraseFromParent(*v);
          *v = NULL;
          again = true;
        }
      }
  }
}

/* The two bitcast-free halves of a joining shuffle, or false. */
static bool halves(LLVMValueRef shuf, LLVMValueRef *a, LLVMValueRef *b) {
  LLVMValueRef x = LLVMGetOperand(shuf, 0), y = LLVMGetOperand(shuf, 1);
  if (!LLVMIsAInstruction(x) || !LLVMIsAInstruction(y) || x == y) return false;
  if (LLVMGetNumMaskElements(shuf) > MAX_MASK) return false;
  /* the bitcasts in between must die with the shuffle */
  while (LLVMIsABitCastInst(x) && one_use(x)) x = LLVMGetOperand(x, 0);
  while (LLVMIsABitCastInst(y) && one_use(y)) y = LLVMGetOperand(y, 0);
  *a = x, *b = y;
  return LLVMTypeOf(x) == LLVMTypeOf(y) && wgc_is_int_vector(LLVMTypeOf(x)) && one_use(x) &&
         one_use(y);
}

/* Tries the shuffle `shuf` as a join; true if it was replaced. */
static bool try_join(hp_state *s, LLVMValueRef shuf) {
  LLVMValueRef a, b;
  if (!halves(shuf, &a, &b)) return false;
  s->n = s->concats = 0;
  s->overflow = false;
  match(s, a, b, 0);
  if (s->overflow || s->n < MIN_PAIRED || s->concats > MAX_CONCATS || s->pa[0] != a) return false;
  LLVMPositionBuilderBefore(s->bd, shuf);
  LLVMValueRef w = build(s, a, b);
  if (!w) return false; /* nothing was inserted that the verifier would mind: dead code */
  /* the shuffle's operands are concat(x, y) = bitcast(w): same mask */
  LLVMTypeRef xt = LLVMTypeOf(LLVMGetOperand(shuf, 0));
  LLVMTypeRef wxt = LLVMVectorType(LLVMGetElementType(xt), 2 * LLVMGetVectorSize(xt));
  if (LLVMTypeOf(w) != wxt) w = LLVMBuildBitCast(s->bd, w, wxt, "hp.cast");
  unsigned r = LLVMGetNumMaskElements(shuf);
  int m[MAX_MASK];
  for (unsigned i = 0; i < r; i++) {
    int idx = LLVMGetMaskValue(shuf, i);
    m[i] = idx == LLVMGetUndefMaskElem() ? -1 : idx;
  }
  LLVMValueRef joined =
      LLVMBuildShuffleVector(s->bd, w, LLVMGetPoison(wxt), mask_const(s, m, r), "hp.join");
  LLVMReplaceAllUsesWith(shuf, joined);
  LLVMValueRef x = LLVMGetOperand(shuf, 0), y = LLVMGetOperand(shuf, 1);
  LLVMInstructionEraseFromParent(shuf);
  /* the bitcasts between the shuffle and the halves, then the halves */
  while (x != a && LLVMIsABitCastInst(x) && !LLVMGetFirstUse(x)) {
    LLVMValueRef up = LLVMGetOperand(x, 0);
    LLVMInstructionEraseFromParent(x);
    x = up;
  }
  while (y != b && LLVMIsABitCastInst(y) && !LLVMGetFirstUse(y)) {
    LLVMValueRef up = LLVMGetOperand(y, 0);
    LLVMInstructionEraseFromParent(y);
    y = up;
  }
  s->st->pairs++;
  s->st->paired_insts += s->n;
  s->st->concats += s->concats;
  erase_dead(s);
  return true;
}

static bool run_block(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  hp_state *s = state;
  LLVMValueRef fn = LLVMGetBasicBlockParent(bb);
  if (fn != s->fn) { /* a new function: its features once */
    s->fn = fn;
    s->avx2 = wgc_fn_has_feature(fn, "+avx2", false);
    s->st->skipped_functions += !s->avx2;
  }
  if (!s->avx2) return true;
  s->bb = bb;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;) {
    LLVMValueRef next = LLVMGetNextInstruction(i);
    if (LLVMGetInstructionOpcode(i) == LLVMShuffleVector && try_join(s, i)) {
      *done = 1;
      /* the joined shuffle replaced i at i's place: go on after it */
    }
    i = next;
  }
  return true;
}

wasmgraph_status wgc_half_pair(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                               wgc_half_pair_stats *stats) {
  wgc_half_pair_stats local;
  wgc_half_pair_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "half pair: no module");
  hp_state s = {.m = m, .lc = LLVMGetModuleContext(m), .st = st};
  s.bd = LLVMCreateBuilderInContext(s.lc);
  if (!s.bd) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "half pair: out of memory");
  wgc_for_each_block(m, run_block, &s, &st->functions);
  LLVMDisposeBuilder(s.bd);
  return wgc_verify_after(ctx, m, verify, "half pair");
}
