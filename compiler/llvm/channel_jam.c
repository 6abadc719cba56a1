/*
 * channel_jam.c — four output-channel blocks of a conv item loop in one
 * body, so that a 512-bit register holds 16 channels of one position and
 * the input value is a broadcast, as in native TVM's NCHW16c kernels.
 *
 * What it is for. TVM's wasm conv kernels loop over items, item
 * i = q * D + r for output-channel block q (4 channels) and output row r,
 * and for each item run a reduction nest whose step is, per position p of
 * the row tile, acc_p += splat(x_p) * w (w the block's 4 weights of one
 * input channel, <4 x float>). The v128 passes put 2 or 4 positions in a
 * ymm or zmm, which needs a shuffle per register to spread each position's
 * x over its 4 lanes. Items i, i + D, i + 2D, i + 3D share the row r and so
 * the x values; running them together gives, per position, one 16-lane
 * multiply of a broadcast x by the 4 blocks' weights (4 loads, assembled
 * once per step for all positions) and one add: no shuffle per position.
 * benchmarks/kernel_shapes/conv_ocjam.c measured 0.62-0.74x the time of the
 * pair form on resnet18's 3x3 layers (Zen 4), bit-identical.
 *
 * Exactness. Lane 4k + j of every 16-lane operation is item k's lane j of
 * the original operation, in the original order; nothing is reassociated.
 *
 * The shape (all checked; anything else is left alone): the item loop of
 * item_jam's prototype (notes/item-jam-prototype.patch): pre -> H0 (integer
 * inductions i = phi [S, pre], [i + step, E], the counter's step 1, then
 * integer arithmetic) -> inner blocks (counted loops only; plain loads and
 * stores, pure calls) -> E (the epilogue: loads, stores, pure calls; the
 * latch `br (icmp eq/ne (i + 1), END)`). D is the constant divisor of the
 * counter's sdiv/srem (1 when there is none). An inner loop counts to a
 * constant, or is a 2-trip loop on an i1 phi (as LLVM leaves TVM's loops
 * over two half rows). Every integer value gets two
 * exact deltas: its change from item i to i + D (dS) and to i + 1 within a
 * row (dC), through add, sub, mul and shl by constants and sdiv/srem of the
 * counter by D; values with dS = 0 are shared by the four items (the input
 * addresses), the others are per item (weights, outputs). Per-item
 * <4 x float> loads, phis and constrained fadd/fsub/fmul become one 16-lane
 * operation (every fmul must have one shared operand); other per-item
 * values are computed per item, from item k's 4 lanes of a 16-lane operand.
 *
 * What it builds. A header B before H0 holds the item phis. For a block of
 * 4D items starting at b it checks: b >= 0, b % D == 0 (so sdiv and srem
 * are exactly q + k and r over the block), b + 4D <= END, every load and
 * store of the block's 4D items (nest and epilogue) inside memory, and the
 * stores apart from all loads. Then J runs the block: for r in 0..D-1 a copy
 * of the nest for items b + r + kD (k = 0..3), 16-lane where the nest is
 * per item, followed by E's code for each k in turn; then B goes on at
 * b + 4D. Otherwise the original nest runs item b alone and returns to B.
 *
 * Why the check suffices. J changes the order of the block's items. That
 * is invisible unless an access traps (then the memory left behind would
 * differ), a load reads bytes a store of the block writes, or two items
 * write the same byte. Each access address is zext(X) + c64, X an i32
 * decomposed as sum(coef * t) + c + inner inductions (each t a value of H0
 * or from outside, inner loop l contributing n_l * s_l, n_l in [0, T_l)).
 * Over the block X = X(b) + k dS + r dC exactly (mod 2^32); B computes the
 * range of X(b) + [min, max] in 64 bits and checks that it, before and
 * after the memarg offsets, lies in [0, size), so no X wraps and no access
 * traps. Stores are apart from loads, and groups of stores (accesses with
 * the same terms) from each other, by the same ranges; within a group of
 * stores the items are apart statically: an item's stores span L bytes,
 * and |dC| >= L, |dS| >= (D - 1)|dC| + L. Each item's own accesses keep
 * their order. A group of stores with dS = dC = 0 (a scratch buffer every
 * item writes and reads back) instead goes to private copies in J; the
 * section "scratch buffers" says when and why that is exact.
 *
 * Before reading an item loop whose inner blocks multiply <4 x float>, the
 * pass reshapes three things it could not read, in that loop only
 * (jam_prep.c: the same program): a workspace block allocated and freed by
 * the host per item becomes one block for the loop; a memset of a buffer
 * at a fixed address in the item header becomes 16-byte zero stores (a
 * cleared scratch buffer); an inner loop that leaves from its header
 * becomes one that leaves from its latch followed by a copy of the header.
 */
#include "channel_jam.h"

#include <llvm-c/Target.h>
#include <stdlib.h>
#include <string.h>

#include "jam_prep.h"
#include "pass_util.h"

enum {
  K = WGC_CHANNEL_JAM_ITEMS,
  MAX_BLOCKS = 256,
  MAX_LOOPS = 16,
  MAX_IND = 8,
  MAX_TERMS = 8,
  MAX_GROUPS = 64,
  MAX_NEST_INSTS = 8000,
  MAX_DEPTH = 48,
  MAX_SCRATCH = 512,        /* accesses at item-invariant addresses */
  MAX_SCRATCH_BYTES = 8192, /* a scratch buffer's bytes (each item's copy) */
  MAX_COVER_STEPS = 1 << 20,
};

/* ---- what the pass knows of each value and block ------------------------- */

typedef enum { D_NONE, D_BUSY, D_KNOWN, D_UNKNOWN } dstate;

typedef struct slot {
  const void *key;
  LLVMValueRef c[K];    /* in J: per-item copies (c[0] alone when shared) */
  LLVMValueRef w;       /* in J: the 16-lane value */
  LLVMValueRef x[K];    /* in J's epilogue: item k's 4 lanes of w */
  LLVMValueRef ev;      /* in B: evaluated for item b */
  LLVMBasicBlockRef jb; /* for a block of the nest: its copy in J */
  int64_t ds, dc;       /* deltas (integers, when dst == D_KNOWN) */
  int loop;             /* for a block: the inner loop it heads, or -1 */
  dstate dst;
  int blk;   /* for a block: its index in nest.blk */
  int group; /* for a load or store: its group */
  bool in_nest, dep, dep0, per_item, wide, scratch;
} slot;

typedef struct vmap {
  slot *s;
  size_t cap;
} vmap;

/* The slot of key, created when `make` (NULL when absent, or full). */
static slot *at(vmap *m, const void *key, bool make) {
  for (size_t i = wgc_hash_ptr(key) & (m->cap - 1), n = 0; n < m->cap;
       i = (i + 1) & (m->cap - 1), n++) {
    if (m->s[i].key == key) return &m->s[i];
    if (!m->s[i].key) {
      if (!make) return NULL;
      memset(&m->s[i], 0, sizeof m->s[i]);
      m->s[i].key = key;
      m->s[i].loop = -1;
      return &m->s[i];
    }
  }
  return NULL;
}

typedef struct term {
  LLVMValueRef v;
  int64_t coef;
} term;

/* An access address X = sum of terms + c + (inner inductions in [lo, hi]);
 * exactly, X = terms + c + sum over inner loops l of m[l] * n_l (n_l the
 * iteration of l), when the access lies in every loop with m[l] != 0. */
typedef struct lin {
  term t[MAX_TERMS];
  unsigned nt;
  int64_t c, lo, hi;
  int64_t m[MAX_LOOPS];
} lin;

/* Accesses whose X share the terms: per item, the i32 offsets run from lo
 * and the bytes end below (terms) + end; X itself stays at or above
 * (terms) + xlo; ds, dc are the terms' deltas. A scratch group is one all
 * items access at the same addresses (ds = dc = 0) whose stores J sends to
 * a private copy per item (scratch_of: the group of those stores). */
typedef struct group {
  term t[MAX_TERMS];
  unsigned nt;
  int64_t lo, end, xlo, ds, dc;
  bool store;
  int scratch_of;
  LLVMValueRef sum;  /* in B: the terms' sum */
  LLVMValueRef priv; /* a scratch store group's private copies */
} group;

/* An access at an item-invariant address: its exact offset from its
 * group's terms, c + sum of m[l] * n_l. */
typedef struct saccess {
  LLVMValueRef inst;
  int64_t c, m[MAX_LOOPS];
  unsigned g;
} saccess;

typedef struct nest {
  LLVMContextRef c;
  LLVMModuleRef m;
  LLVMTargetDataRef td;
  LLVMValueRef fn;
  LLVMBasicBlockRef h0, e, pre, exit;
  LLVMBasicBlockRef blk[MAX_BLOCKS];
  unsigned nblk;
  LLVMValueRef ind[MAX_IND], ind_next[MAX_IND];
  int64_t ind_step[MAX_IND];
  unsigned nind, ctr;
  int64_t d; /* items per channel block */
  LLVMValueRef end;
  struct {
    LLVMBasicBlockRef head, latch;
    int64_t trips;
  } lp[MAX_LOOPS];
  unsigned nlp;
  LLVMValueRef membase;
  group g[MAX_GROUPS];
  unsigned ng;
  saccess sa[MAX_SCRATCH];
  unsigned nsa;
  bool sa_full;
  uint8_t inl[MAX_LOOPS][MAX_BLOCKS]; /* block b lies in inner loop l */
  unsigned wide_fmuls, wide_loads;
  vmap map;
} nest;

static bool in_nest_block(nest *n, LLVMBasicBlockRef bb) {
  slot *s = at(&n->map, bb, false);
  return s && s->in_nest;
}

/* An instruction of the nest (false for constants, arguments, outside). */
static bool in_nest(nest *n, LLVMValueRef v) {
  return v && LLVMIsAInstruction(v) && in_nest_block(n, LLVMGetInstructionParent(v));
}

static slot *slot_of(nest *n, LLVMValueRef v) {
  return in_nest(n, v) ? at(&n->map, v, false) : NULL;
}

static bool is_dep(nest *n, LLVMValueRef v) {
  slot *s = slot_of(n, v);
  return s && s->dep;
}

static bool is_per_item(nest *n, LLVMValueRef v) {
  slot *s = slot_of(n, v);
  return s && s->per_item;
}

static bool is_wide(nest *n, LLVMValueRef v) {
  slot *s = slot_of(n, v);
  return s && s->wide;
}

static bool is_ind(nest *n, LLVMValueRef v, unsigned *k) {
  for (unsigned q = 0; q < n->nind; q++)
    if (n->ind[q] == v) return *k = q, true;
  return false;
}

/* ---- the region and its control ------------------------------------------ */

static bool has_successor(LLVMBasicBlockRef p, LLVMBasicBlockRef b) {
  LLVMValueRef t = LLVMGetBasicBlockTerminator(p);
  if (!t) return false;
  for (unsigned k = 0, ns = LLVMGetNumSuccessors(t); k < ns; k++)
    if (LLVMGetSuccessor(t, k) == b) return true;
  return false;
}

static bool add_block(nest *n, LLVMBasicBlockRef bb) {
  if (n->nblk == MAX_BLOCKS) return false;
  slot *s = at(&n->map, bb, true);
  if (!s) return false;
  s->in_nest = true;
  n->blk[n->nblk++] = bb;
  return true;
}

/* The natural loop of back edge e -> h0: h0 and every block that reaches e
 * without passing h0. False when it is not one or too large. Blocks end up
 * in function order. */
static bool find_region(nest *n) {
  if (!add_block(n, n->h0)) return false;
  LLVMBasicBlockRef work[MAX_BLOCKS];
  unsigned nw = 0;
  if (n->e != n->h0) {
    if (!add_block(n, n->e)) return false;
    work[nw++] = n->e;
  }
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(n->fn);
  while (nw) {
    LLVMBasicBlockRef b = work[--nw];
    if (b == entry) return false;
    for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(n->fn); p; p = LLVMGetNextBasicBlock(p)) {
      if (in_nest_block(n, p) || !has_successor(p, b)) continue;
      if (!add_block(n, p) || nw == MAX_BLOCKS) return false;
      work[nw++] = p;
    }
  }
  unsigned k = 0;
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(n->fn); b; b = LLVMGetNextBasicBlock(b))
    if (in_nest_block(n, b)) at(&n->map, b, false)->blk = (int)k, n->blk[k++] = b;
  return k == n->nblk;
}

/* The region again, after jam_prep.c changed its blocks. */
static bool refind_region(nest *n) {
  memset(n->map.s, 0, n->map.cap * sizeof *n->map.s);
  n->nblk = 0;
  return find_region(n);
}

/* Whether a block of the region other than H0 and E multiplies <4 x float>
 * (the reduction the jam widens): the reshaping of jam_prep.c is for such
 * loops only, so that it leaves other kernels' code (integer ones) as it was. */
static bool has_inner_fmul(nest *n) {
  for (unsigned k = 0; k < n->nblk; k++) {
    if (n->blk[k] == n->h0 || n->blk[k] == n->e) continue;
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i)) {
      const char *name = LLVMIsACallInst(i) ? wgc_callee_name(i) : NULL;
      if (name && strcmp(name, "llvm.experimental.constrained.fmul.v4f32") == 0) return true;
    }
  }
  return false;
}

static unsigned count_preds(nest *n, LLVMBasicBlockRef b, LLVMBasicBlockRef *other,
                            LLVMBasicBlockRef not_this) {
  unsigned k = 0;
  for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(n->fn); p; p = LLVMGetNextBasicBlock(p))
    if (has_successor(p, b)) {
      k++;
      if (p != not_this && other) *other = p;
    }
  return k;
}

/* H0's phis: integer inductions i = phi [S, pre], [i + C, E], C constant;
 * the counter (the one E's exit test reads) is an i32 stepping by 1. */
static bool item_inductions(nest *n) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(n->h0); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i)) {
    if (n->nind == MAX_IND || LLVMCountIncoming(i) != 2 ||
        LLVMGetTypeKind(LLVMTypeOf(i)) != LLVMIntegerTypeKind)
      return false;
    unsigned from_e = LLVMGetIncomingBlock(i, 0) == n->e ? 0 : 1;
    if (LLVMGetIncomingBlock(i, from_e) != n->e || LLVMGetIncomingBlock(i, 1 - from_e) != n->pre)
      return false;
    LLVMValueRef next = LLVMGetIncomingValue(i, from_e);
    int64_t step;
    if (!LLVMIsAInstruction(next) || LLVMGetInstructionOpcode(next) != LLVMAdd) return false;
    if (LLVMGetOperand(next, 0) == i && wgc_const_int(LLVMGetOperand(next, 1), &step)) {
    } else if (LLVMGetOperand(next, 1) == i && wgc_const_int(LLVMGetOperand(next, 0), &step)) {
    } else return false;
    if (step < -(INT64_C(1) << 20) || step > (INT64_C(1) << 20)) return false;
    n->ind[n->nind] = i, n->ind_next[n->nind] = next, n->ind_step[n->nind++] = step;
  }
  if (!n->nind) return false;
  LLVMValueRef br = LLVMGetBasicBlockTerminator(n->e);
  LLVMValueRef cmp = LLVMGetCondition(br);
  if (!LLVMIsAICmpInst(cmp)) return false;
  LLVMIntPredicate pr = LLVMGetICmpPredicate(cmp);
  bool back_on_true = LLVMGetSuccessor(br, 0) == n->h0;
  if (!((pr == LLVMIntNE && back_on_true) || (pr == LLVMIntEQ && !back_on_true))) return false;
  n->end = LLVMGetOperand(cmp, 1);
  if (in_nest(n, n->end)) return false;
  LLVMTypeRef i32 = LLVMInt32TypeInContext(n->c);
  for (unsigned k = 0; k < n->nind; k++)
    if (n->ind_next[k] == LLVMGetOperand(cmp, 0)) {
      n->ctr = k;
      return n->ind_step[k] == 1 && LLVMTypeOf(n->ind[k]) == i32;
    }
  return false;
}

/* A division whose divisor is a constant it cannot trap on. */
static bool safe_division(LLVMValueRef i) {
  int64_t d;
  if (!wgc_const_int(LLVMGetOperand(i, 1), &d) || d == 0) return false;
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  return d != -1 || op == LLVMUDiv || op == LLVMURem;
}

/* A call that reads and writes no memory the program sees. */
static bool pure_call(LLVMValueRef i) {
  if (wgc_is_load_barrier(i)) return true;
  const char *name = wgc_callee_name(i);
  if (wgc_has_prefix(name, "llvm.experimental.constrained.")) return true;
  LLVMValueRef callee = LLVMGetCalledValue(i);
  if (!callee || !LLVMIsAFunction(callee) || !LLVMGetIntrinsicID(callee)) return false;
  unsigned readnone = LLVMGetEnumAttributeKindForName("readnone", 8);
  return LLVMGetEnumAttributeAtIndex(callee, LLVMAttributeFunctionIndex, readnone) != NULL;
}

typedef enum { IN_H0, IN_INNER, IN_E } where;

static bool allowed(LLVMValueRef i, where w) {
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  if (op == LLVMBitCast) return w != IN_H0;
  if (wgc_is_lanewise_int_op(op)) return true; /* integer arithmetic, casts, compares */
  switch (op) {
    case LLVMLoad:
    case LLVMStore:
      return w != IN_H0 && wgc_is_plain_access(i);
    case LLVMCall:
      return w != IN_H0 && pure_call(i);
    case LLVMSDiv:
    case LLVMUDiv:
    case LLVMSRem:
    case LLVMURem:
      return safe_division(i);
    case LLVMPHI:
    case LLVMBr:
      return true;
    case LLVMFreeze:
    case LLVMFAdd:
    case LLVMFSub:
    case LLVMFMul:
    case LLVMFDiv:
    case LLVMFNeg:
    case LLVMFCmp:
    case LLVMGetElementPtr:
    case LLVMExtractElement:
    case LLVMInsertElement:
    case LLVMShuffleVector:
    case LLVMSIToFP:
    case LLVMUIToFP:
    case LLVMFPToSI:
    case LLVMFPToUI:
    case LLVMFPExt:
    case LLVMFPTrunc:
      return w != IN_H0;
    default:
      return false;
  }
}

/* A loop that runs twice, as LLVM leaves TVM's 2-trip loops: the latch
 * branches on an i1 phi of the header, a constant from the entry that goes
 * back and a constant from the latch that leaves. */
static bool two_trip_flag(LLVMBasicBlockRef header, LLVMBasicBlockRef latch, LLVMValueRef br) {
  LLVMValueRef flag = LLVMGetCondition(br);
  if (!LLVMIsAPHINode(flag) || LLVMGetInstructionParent(flag) != header ||
      LLVMCountIncoming(flag) != 2 ||
      LLVMTypeOf(flag) != LLVMInt1TypeInContext(LLVMGetTypeContext(LLVMTypeOf(flag))))
    return false;
  bool back_on_true = LLVMGetSuccessor(br, 0) == header;
  if (!back_on_true && LLVMGetSuccessor(br, 1) != header) return false;
  bool first_back = false, second_out = false;
  for (unsigned k = 0; k < 2; k++) {
    int64_t v;
    if (!wgc_const_int(LLVMGetIncomingValue(flag, k), &v)) return false;
    if (LLVMGetIncomingBlock(flag, k) == latch) second_out = (v != 0) != back_on_true;
    else first_back = (v != 0) == back_on_true;
  }
  return first_back && second_out;
}

/* The inner loops: every conditional branch of an inner block is the back
 * edge of a counted loop. */
static bool inner_loops(nest *n) {
  for (unsigned k = 0; k < n->nblk; k++) {
    LLVMBasicBlockRef b = n->blk[k];
    LLVMValueRef t = LLVMGetBasicBlockTerminator(b);
    if (!t || !LLVMIsABranchInst(t)) return false;
    for (unsigned s = 0, ns = LLVMGetNumSuccessors(t); s < ns; s++) {
      LLVMBasicBlockRef to = LLVMGetSuccessor(t, s);
      if (b == n->e) continue; /* checked by item_inductions */
      if (!in_nest_block(n, to) || to == n->h0) return false;
    }
    if (b == n->e || b == n->h0) {
      if (b == n->h0 && LLVMIsConditional(t)) return false;
      continue;
    }
    if (!LLVMIsConditional(t)) continue;
    int found = -1;
    for (unsigned s = 0; s < 2 && found < 0; s++) {
      LLVMBasicBlockRef v = LLVMGetSuccessor(t, s);
      int64_t trips = wgc_loop_trip_count_at(v, b, t, NULL);
      if (trips <= 0 && two_trip_flag(v, b, t)) trips = 2;
      if (trips <= 0) continue;
      found = (int)s;
      if (n->nlp == MAX_LOOPS) return false;
      LLVMBasicBlockRef entry = NULL;
      if (count_preds(n, v, &entry, b) != 2 || !entry || entry == b) return false;
      slot *hs = at(&n->map, v, false);
      if (hs->loop >= 0) return false;
      hs->loop = (int)n->nlp;
      n->lp[n->nlp].head = v, n->lp[n->nlp].latch = b, n->lp[n->nlp++].trips = trips;
    }
    if (found < 0) return false;
  }
  return n->nlp > 0;
}

/* Every instruction allowed where it is; phis only as inductions (H0),
 * with two incomings in an inner loop's header, or with one elsewhere (E:
 * none, so that E's copies can read their operands directly). */
static bool instructions_ok(nest *n) {
  unsigned count = 0;
  for (unsigned k = 0; k < n->nblk; k++) {
    LLVMBasicBlockRef b = n->blk[k];
    where w = b == n->h0 ? IN_H0 : b == n->e ? IN_E : IN_INNER;
    slot *bs = at(&n->map, b, false);
    for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
      if (++count > MAX_NEST_INSTS) return false;
      if (!allowed(i, w)) return false;
      if (LLVMIsAPHINode(i) && b != n->h0) {
        unsigned ni = LLVMCountIncoming(i);
        if (b == n->e || (bs->loop >= 0 ? ni != 2 : ni != 1)) return false;
      }
      for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u))
        if (!in_nest(n, LLVMGetUser(u))) return false;
      if (!at(&n->map, i, true)) return false;
      at(&n->map, i, false)->in_nest = true;
    }
  }
  return true;
}

/* Which values depend on the item: H0's phis, and all that uses one. */
static void dependence(nest *n) {
  for (unsigned k = 0; k < n->nind; k++) at(&n->map, n->ind[k], false)->dep = true;
  for (bool more = true; more;) {
    more = false;
    for (unsigned k = 0; k < n->nblk; k++)
      for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i)) {
        slot *s = at(&n->map, i, false);
        if (s->dep) continue;
        for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++)
          if (is_dep(n, LLVMGetOperand(i, o))) {
            s->dep = more = true;
            break;
          }
      }
  }
}

/* ---- deltas ------------------------------------------------------------------ */

static const int64_t k_big = INT64_C(1) << 40;

static bool in_range(int64_t v) { return v > -k_big && v < k_big; }

/* The counter's divisor: the constant of every sdiv/srem of the counter in
 * the nest (1 when there is none; false when they disagree or the counter
 * is divided otherwise). */
static bool find_divisor(nest *n) {
  n->d = 1;
  LLVMValueRef ctr = n->ind[n->ctr];
  for (LLVMUseRef u = LLVMGetFirstUse(ctr); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef i = LLVMGetUser(u);
    LLVMOpcode op = LLVMGetInstructionOpcode(i);
    if (op != LLVMSDiv && op != LLVMSRem && op != LLVMUDiv && op != LLVMURem) continue;
    int64_t d;
    if (op == LLVMUDiv || op == LLVMURem || LLVMGetOperand(i, 0) != ctr ||
        !wgc_const_int(LLVMGetOperand(i, 1), &d) || d < 2 || d > 4096)
      return false;
    if (n->d != 1 && n->d != d) return false;
    n->d = d;
  }
  return true;
}

/* The step of inner induction phi (in the header of loop l): its value
 * from the latch is phi + step. */
static bool phi_step(nest *n, LLVMValueRef phi, unsigned l, LLVMValueRef *start, int64_t *step) {
  unsigned from_latch = LLVMGetIncomingBlock(phi, 0) == n->lp[l].latch ? 0 : 1;
  if (LLVMGetIncomingBlock(phi, from_latch) != n->lp[l].latch) return false;
  LLVMValueRef next = LLVMGetIncomingValue(phi, from_latch);
  *start = LLVMGetIncomingValue(phi, 1 - from_latch);
  int64_t s0, s1;
  if (n->lp[l].trips == 2 && wgc_const_int(*start, &s0) && wgc_const_int(next, &s1))
    return *step = s1 - s0, true; /* a 2-trip loop's phi [s0], [s1] is s0 + (s1 - s0) n */
  if (!LLVMIsAInstruction(next) || LLVMGetInstructionOpcode(next) != LLVMAdd) return false;
  if (LLVMGetOperand(next, 0) == phi && wgc_const_int(LLVMGetOperand(next, 1), step)) return true;
  return LLVMGetOperand(next, 1) == phi && wgc_const_int(LLVMGetOperand(next, 0), step);
}

/* v's change from item i to item i + D (*ds) and to item i + 1 in the same
 * row (*dc), exact modulo 2^width; false when v is not linear in them. */
static bool delta(nest *n, LLVMValueRef v, int64_t *ds, int64_t *dc, unsigned depth) {
  *ds = *dc = 0;
  if (!is_dep(n, v)) return true;
  if (LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMIntegerTypeKind || depth > MAX_DEPTH) return false;
  slot *s = at(&n->map, v, false);
  if (s->dst == D_KNOWN) return *ds = s->ds, *dc = s->dc, true;
  if (s->dst != D_NONE) return false;
  s->dst = D_BUSY;
  bool ok = false;
  int64_t a = 0, b = 0, x = 0, y = 0, k;
  unsigned q;
  LLVMValueRef o0 = LLVMGetNumOperands(v) > 0 ? LLVMGetOperand(v, 0) : NULL;
  LLVMValueRef o1 = LLVMGetNumOperands(v) > 1 ? LLVMGetOperand(v, 1) : NULL;
  if (is_ind(n, v, &q)) {
    a = n->ind_step[q] * n->d, b = n->ind_step[q], ok = true;
  } else {
    switch (LLVMGetInstructionOpcode(v)) {
      case LLVMAdd:
        ok = delta(n, o0, &a, &b, depth + 1) && delta(n, o1, &x, &y, depth + 1);
        a += x, b += y;
        break;
      case LLVMSub:
        ok = delta(n, o0, &a, &b, depth + 1) && delta(n, o1, &x, &y, depth + 1);
        a -= x, b -= y;
        break;
      case LLVMMul:
        if (wgc_const_int(o1, &k) && in_range(k)) ok = delta(n, o0, &a, &b, depth + 1);
        else if (wgc_const_int(o0, &k) && in_range(k)) ok = delta(n, o1, &a, &b, depth + 1);
        a *= k, b *= k;
        break;
      case LLVMShl:
        if (wgc_const_int(o1, &k) && k >= 0 && k < 31) ok = delta(n, o0, &a, &b, depth + 1);
        a *= INT64_C(1) << k, b *= INT64_C(1) << k;
        break;
      case LLVMSDiv: /* of the counter by D (find_divisor) */
        ok = o0 == n->ind[n->ctr], a = 1, b = 0;
        break;
      case LLVMSRem:
        ok = o0 == n->ind[n->ctr], a = 0, b = 1;
        break;
      case LLVMZExt:
      case LLVMSExt:
      case LLVMTrunc:
        /* exact only when nothing changes */
        ok = delta(n, o0, &a, &b, depth + 1) && a == 0 && b == 0;
        break;
      case LLVMPHI: {
        slot *hs = at(&n->map, LLVMGetInstructionParent(v), false);
        LLVMValueRef start;
        int64_t step;
        if (LLVMCountIncoming(v) == 1) ok = delta(n, LLVMGetIncomingValue(v, 0), &a, &b, depth + 1);
        else if (hs->loop >= 0 && phi_step(n, v, (unsigned)hs->loop, &start, &step))
          ok = delta(n, start, &a, &b, depth + 1);
        break;
      }
      default:
        break;
    }
  }
  ok = ok && in_range(a) && in_range(b);
  s->dst = ok ? D_KNOWN : D_UNKNOWN;
  s->ds = a, s->dc = b;
  *ds = a, *dc = b;
  return ok;
}

/* ---- which values are per item, and which become 16 lanes --------------------- */

static bool is_v4f32(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind && LLVMGetVectorSize(t) == 4 &&
         LLVMGetTypeKind(LLVMGetElementType(t)) == LLVMFloatTypeKind;
}

/* A constrained fadd/fsub/fmul of <4 x float>: 0, or the opcode. */
static LLVMOpcode constrained_op(LLVMValueRef i) {
  if (!LLVMIsACallInst(i) || !is_v4f32(LLVMTypeOf(i))) return 0;
  const char *name = wgc_callee_name(i);
  if (wgc_has_prefix(name, "llvm.experimental.constrained.fadd.")) return LLVMFAdd;
  if (wgc_has_prefix(name, "llvm.experimental.constrained.fsub.")) return LLVMFSub;
  if (wgc_has_prefix(name, "llvm.experimental.constrained.fmul.")) return LLVMFMul;
  return 0;
}

/* Classifies H0's and the inner blocks' values (E is copied per item):
 * wide (a <4 x float> load, phi or constrained fadd/fsub/fmul reading a
 * per-item or wide value: one 16-lane value in J), shared (integers whose
 * dS is 0, and all that reads no per-item or wide value: one copy) or per
 * item (the rest that does: a copy per item, reading item k's lanes of a
 * wide operand). False when J could not be built this way (a phi or a
 * branch that would depend on the item, a 16-lane multiply of two per-item
 * values: the jam would not pay) or would hold too many accumulators. */
static bool classify(nest *n) {
  for (unsigned k = 0; k < n->nind; k++) at(&n->map, n->ind[k], false)->per_item = true;
  for (bool more = true; more;) {
    more = false;
    for (unsigned k = 0; k < n->nblk; k++) {
      if (n->blk[k] == n->e) continue;
      for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i)) {
        slot *s = at(&n->map, i, false);
        if (s->per_item || s->wide || !s->dep) continue;
        bool from_item = false;
        for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++) {
          LLVMValueRef v = LLVMGetOperand(i, o);
          from_item = from_item || is_per_item(n, v) || is_wide(n, v);
        }
        if (!from_item) continue;
        LLVMTypeRef t = LLVMTypeOf(i);
        int64_t ds, dc;
        if (is_v4f32(t) && (LLVMIsAPHINode(i) || LLVMIsALoadInst(i) || constrained_op(i)))
          s->wide = true;
        else if (LLVMGetTypeKind(t) == LLVMIntegerTypeKind && delta(n, i, &ds, &dc, 0) && ds == 0)
          continue; /* shared by the four items */
        else s->per_item = true;
        more = true;
      }
    }
  }
  for (unsigned k = 0; k < n->nblk; k++) {
    LLVMBasicBlockRef b = n->blk[k];
    if (b == n->e) continue;
    for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
      slot *s = at(&n->map, i, false);
      if (LLVMIsAPHINode(i)) {
        for (unsigned p = 0, np = LLVMCountIncoming(i); p < np; p++) {
          LLVMValueRef v = LLVMGetIncomingValue(i, p);
          if (s->wide ? !is_wide(n, v) && !(LLVMIsAConstant(v) && LLVMIsNull(v)) : is_wide(n, v))
            return false;
        }
        continue;
      }
      if (LLVMIsABranchInst(i) && LLVMIsConditional(i) && is_per_item(n, LLVMGetCondition(i)))
        return false;
      if (s->wide && LLVMIsALoadInst(i) && !s->scratch) n->wide_loads++;
      if (!s->wide || LLVMIsALoadInst(i)) continue;
      bool f0 = is_wide(n, LLVMGetOperand(i, 0)) || is_per_item(n, LLVMGetOperand(i, 0));
      bool f1 = is_wide(n, LLVMGetOperand(i, 1)) || is_per_item(n, LLVMGetOperand(i, 1));
      if (constrained_op(i) == LLVMFMul) {
        if (f0 == f1) return false; /* one per-item operand, one shared x */
        n->wide_fmuls++;
      }
    }
  }
  /* The jam replaces a shuffle per position by 4 loads joined per step: it
   * pays from 2 positions a weight row on (a dense layer has 1: slower). */
  if (!n->wide_fmuls || n->wide_fmuls < 2 * n->wide_loads) return false;
  /* the accumulators a loop carries */
  for (unsigned l = 0; l < n->nlp; l++) {
    unsigned acc = 0;
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->lp[l].head); i && LLVMIsAPHINode(i);
         i = LLVMGetNextInstruction(i))
      acc += is_wide(n, i);
    if (acc > WGC_CHANNEL_JAM_MAX_ACCUMULATORS) return false;
  }
  return true;
}

/* ---- access addresses ---------------------------------------------------------- */

static bool add_term(lin *x, LLVMValueRef v, int64_t coef) {
  for (unsigned k = 0; k < x->nt; k++)
    if (x->t[k].v == v) {
      x->t[k].coef += coef;
      return true;
    }
  if (x->nt == MAX_TERMS) return false;
  x->t[x->nt].v = v, x->t[x->nt++].coef = coef;
  return true;
}

/* How many low bits of v are known zero: an inner induction with a constant
 * start and step (LLVM turns its + k into | k when k fits below them),
 * through truncation and shifts left. */
static unsigned low_zero_bits(nest *n, LLVMValueRef v, unsigned depth) {
  int64_t k;
  if (wgc_const_int(v, &k)) return k ? (unsigned)__builtin_ctzll((unsigned long long)k) : 32;
  if (!in_nest(n, v) || depth > 4) return 0;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMTrunc:
      return low_zero_bits(n, LLVMGetOperand(v, 0), depth + 1);
    case LLVMShl:
      if (!wgc_const_int(LLVMGetOperand(v, 1), &k) || k < 0 || k > 31) return 0;
      return low_zero_bits(n, LLVMGetOperand(v, 0), depth + 1) + (unsigned)k;
    case LLVMMul: { /* by a constant: its zero low bits add */
      unsigned a = low_zero_bits(n, LLVMGetOperand(v, 0), depth + 1);
      unsigned b = low_zero_bits(n, LLVMGetOperand(v, 1), depth + 1);
      return a + b > 32 ? 32 : a + b;
    }
    case LLVMAdd: {
      unsigned a = low_zero_bits(n, LLVMGetOperand(v, 0), depth + 1);
      unsigned b = low_zero_bits(n, LLVMGetOperand(v, 1), depth + 1);
      return a < b ? a : b;
    }
    case LLVMPHI: {
      slot *hs = at(&n->map, LLVMGetInstructionParent(v), false);
      LLVMValueRef start;
      int64_t step, s0;
      if (hs->loop < 0 || !phi_step(n, v, (unsigned)hs->loop, &start, &step) ||
          !wgc_const_int(start, &s0))
        return 0;
      uint64_t bits = (uint64_t)s0 | (uint64_t)step;
      return bits ? (unsigned)__builtin_ctzll(bits) : 32;
    }
    default:
      return 0;
  }
}

/* X (i32) as terms + c + inner inductions, each term scaled by coef. An
 * item induction other than the counter is written through the counter:
 * both step once per item from the preheader, so ind = S + step (ctr - S_ctr)
 * exactly modulo 2^32 (S, S_ctr their values from the preheader, split
 * `outside`: sums, differences and constant multiples of values from before
 * the loop, the rest terms). Then the same address reached through an
 * induction (TVM's running output pointer) and through the counter
 * (i * stride) has the same terms: one group, not two the check would find
 * overlapping. */
static bool linear(nest *n, LLVMValueRef v, int64_t coef, lin *x, unsigned depth, bool outside) {
  if (depth > MAX_DEPTH || !in_range(coef)) return false;
  int64_t k;
  if (wgc_const_int(v, &k)) {
    x->c += coef * (int64_t)(int32_t)k;
    return in_range(x->c);
  }
  unsigned q;
  LLVMTypeRef i32 = LLVMInt32TypeInContext(n->c);
  if (outside) {
    if (in_nest(n, v)) return false;
    if (!LLVMIsAInstruction(v) || LLVMTypeOf(v) != i32) return add_term(x, v, coef);
  } else if (in_nest(n, v) && is_ind(n, v, &q) && q != n->ctr && LLVMTypeOf(v) == i32 && n->pre) {
    LLVMValueRef ctr = n->ind[n->ctr];
    int64_t step = coef * n->ind_step[q];
    for (unsigned p = 0; p < 2; p++)
      for (unsigned r = 0; r < 2; r++)
        if (LLVMGetIncomingBlock(v, p) == n->pre && LLVMGetIncomingBlock(ctr, r) == n->pre)
          return in_range(step) && add_term(x, ctr, step) &&
                 linear(n, LLVMGetIncomingValue(v, p), coef, x, depth + 1, true) &&
                 linear(n, LLVMGetIncomingValue(ctr, r), -step, x, depth + 1, true);
    return false;
  } else if (!in_nest(n, v) || LLVMGetInstructionParent(v) == n->h0) {
    return add_term(x, v, coef);
  }
  /* what is no sum or constant multiple: a term before the loop, else refused */
  LLVMValueRef o0 = LLVMGetNumOperands(v) > 0 ? LLVMGetOperand(v, 0) : NULL;
  LLVMValueRef o1 = LLVMGetNumOperands(v) > 1 ? LLVMGetOperand(v, 1) : NULL;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMAdd:
      return linear(n, o0, coef, x, depth + 1, outside) &&
             linear(n, o1, coef, x, depth + 1, outside);
    case LLVMSub:
      return linear(n, o0, coef, x, depth + 1, outside) &&
             linear(n, o1, -coef, x, depth + 1, outside);
    case LLVMMul:
      if (wgc_const_int(o1, &k) && in_range(k))
        return linear(n, o0, coef * (int64_t)(int32_t)k, x, depth + 1, outside);
      if (wgc_const_int(o0, &k) && in_range(k))
        return linear(n, o1, coef * (int64_t)(int32_t)k, x, depth + 1, outside);
      return outside && add_term(x, v, coef);
    case LLVMShl:
      if (wgc_const_int(o1, &k) && k >= 0 && k < 31)
        return linear(n, o0, coef * (INT64_C(1) << k), x, depth + 1, outside);
      return outside && add_term(x, v, coef);
    default:
      if (outside) return outside && add_term(x, v, coef);
      break;
  }
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMOr: /* x | k that is x + k: k below x's known zero low bits */
      if (wgc_const_int(o1, &k) && k >= 0 && k < (INT64_C(1) << low_zero_bits(n, o0, 0)))
        return linear(n, o0, coef, x, depth + 1, false) && linear(n, o1, coef, x, depth + 1, false);
      return false;
    case LLVMTrunc: /* an inner i64 induction's low half (it stays below 2^40), or of
                     * the induction plus (or |) a small constant */
      if (!LLVMIsAPHINode(o0) && LLVMIsAInstruction(o0) &&
          (LLVMGetInstructionOpcode(o0) == LLVMAdd || LLVMGetInstructionOpcode(o0) == LLVMOr) &&
          LLVMIsAPHINode(LLVMGetOperand(o0, 0)) && wgc_const_int(LLVMGetOperand(o0, 1), &k) &&
          k >= 0 && k < (INT64_C(1) << 20))
        return linear(n, o0, coef, x, depth + 1, false);
      return LLVMIsAPHINode(o0) && linear(n, o0, coef, x, depth + 1, false);
    case LLVMPHI: {
      if (LLVMCountIncoming(v) == 1)
        return linear(n, LLVMGetIncomingValue(v, 0), coef, x, depth + 1, false);
      slot *hs = at(&n->map, LLVMGetInstructionParent(v), false);
      LLVMValueRef start;
      int64_t step;
      if (hs->loop < 0 || !phi_step(n, v, (unsigned)hs->loop, &start, &step) || !in_range(step))
        return false;
      int64_t span = coef * step * (n->lp[hs->loop].trips - 1);
      if (!in_range(span)) return false;
      x->m[hs->loop] += coef * step;
      if (!in_range(x->m[hs->loop])) return false;
      if (span < 0) x->lo += span;
      else x->hi += span;
      return in_range(x->lo) && in_range(x->hi) && linear(n, start, coef, x, depth + 1, false);
    }
    default:
      return false;
  }
}

static bool decompose(nest *n, LLVMValueRef v, int64_t coef, lin *x, unsigned depth) {
  return linear(n, v, coef, x, depth, false);
}

/* Whether two term lists hold the same terms (each value once per list,
 * add_term merges). Lists keep the order decompose met their terms in, not
 * an order of addresses, so that the emitted code is the same every run. */
static bool same_terms(const term *a, unsigned na, const term *b, unsigned nb) {
  if (na != nb) return false;
  for (unsigned i = 0; i < na; i++) {
    bool found = false;
    for (unsigned k = 0; k < nb && !found; k++) found = a[i].v == b[k].v && a[i].coef == b[k].coef;
    if (!found) return false;
  }
  return true;
}

/* Whether v can be computed in B for one item: pure arithmetic over H0 and
 * values from outside. */
static bool evaluable(nest *n, LLVMValueRef v, unsigned depth) {
  if (!in_nest(n, v)) return true;
  if (depth > MAX_DEPTH || LLVMGetInstructionParent(v) != n->h0) return false;
  if (LLVMIsAPHINode(v)) return true;
  for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(v); o < no; o++)
    if (!evaluable(n, LLVMGetOperand(v, o), depth + 1)) return false;
  return true;
}

/* Adds the access's byte range to the group of its terms (loads and stores
 * in separate groups). */
static bool add_access(nest *n, LLVMValueRef inst) {
  bool store = LLVMIsAStoreInst(inst);
  wgc_address a;
  if (!wgc_address_parse(LLVMGetOperand(inst, store ? 1 : 0), &a) || !a.x) return false;
  if (in_nest(n, a.base)) return false;
  if (!n->membase) n->membase = a.base;
  if (a.base != n->membase) return false;
  lin x = {.nt = 0};
  if (!decompose(n, a.x, 1, &x, 0)) return false;
  unsigned nt = 0;
  int64_t ds = 0, dc = 0;
  for (unsigned k = 0; k < x.nt; k++) {
    if (!x.t[k].coef) continue;
    int64_t a_s, a_c;
    LLVMTypeRef t = LLVMTypeOf(x.t[k].v);
    if (t != LLVMInt32TypeInContext(n->c) || !evaluable(n, x.t[k].v, 0) ||
        !delta(n, x.t[k].v, &a_s, &a_c, 0))
      return false;
    ds += x.t[k].coef * a_s, dc += x.t[k].coef * a_c;
    if (!in_range(ds) || !in_range(dc)) return false;
    x.t[nt++] = x.t[k];
  }
  x.nt = nt;
  LLVMTypeRef vt = LLVMTypeOf(store ? LLVMGetOperand(inst, 0) : inst);
  int64_t bytes = (int64_t)LLVMStoreSizeOfType(n->td, vt);
  int64_t lo = x.c + x.lo + (int64_t)a.c, end = x.c + x.hi + (int64_t)a.c + bytes;
  int64_t xlo = x.c + x.lo;
  if (!in_range(lo) || !in_range(end)) return false;
  unsigned g = 0;
  for (; g < n->ng; g++) {
    group *G = &n->g[g];
    if (G->store != store || !same_terms(G->t, G->nt, x.t, x.nt)) continue;
    if (lo < G->lo) G->lo = lo;
    if (end > G->end) G->end = end;
    if (xlo < G->xlo) G->xlo = xlo;
    break;
  }
  if (g == n->ng) {
    if (n->ng == MAX_GROUPS) return false;
    group *G = &n->g[n->ng++];
    memcpy(G->t, x.t, x.nt * sizeof x.t[0]);
    G->nt = x.nt, G->lo = lo, G->end = end, G->xlo = xlo, G->ds = ds, G->dc = dc;
    G->store = store, G->scratch_of = -1;
  }
  at(&n->map, inst, false)->group = (int)g;
  if (ds == 0 && dc == 0) { /* a scratch candidate: its exact offsets */
    if (n->nsa == MAX_SCRATCH) return n->sa_full = true, true;
    saccess *sa = &n->sa[n->nsa++];
    sa->inst = inst, sa->c = x.c + (int64_t)a.c, sa->g = g;
    memcpy(sa->m, x.m, sizeof sa->m);
  }
  return true;
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* ---- scratch buffers ------------------------------------------------------------ *
 * Many kernels store an item's row tile into a buffer at an address every
 * item shares (ds = dc = 0) and read it back later in the item. J gives
 * each of its four items a private copy, 16-byte chunk c of item k at
 * 64 c + 16 k (so a 16-lane value is one chunk of all four), and after the
 * block copies the last item's copy back. That is exact when each item
 * reads only bytes it wrote itself before (then no item sees another's
 * data, in either order) and every item writes the whole buffer (then the
 * buffer ends as the last item leaves it, in either order). Both are
 * proven here: every access is a whole <4 x float> chunk (or a store of
 * 16 zero bytes of any type) at an exact offset c + sum m_l n_l, the
 * stores' offsets cover the buffer, the loads' lie among them, and every
 * store comes before every load in the item (inner loops run all their
 * iterations, so order along the nest is order in time). In E, which J
 * runs once per item, an access takes item k's 16 bytes of its chunk. */

/* Which nest blocks each inner loop holds: its head and the blocks that
 * reach its latch without passing the head. */
static void loop_blocks(nest *n) {
  for (unsigned l = 0; l < n->nlp; l++) {
    LLVMBasicBlockRef work[MAX_BLOCKS];
    unsigned nw = 0;
    n->inl[l][at(&n->map, n->lp[l].head, false)->blk] = 1;
    int li = at(&n->map, n->lp[l].latch, false)->blk;
    if (!n->inl[l][li]) n->inl[l][li] = 1, work[nw++] = n->lp[l].latch;
    while (nw) {
      LLVMBasicBlockRef b = work[--nw];
      for (unsigned k = 0; k < n->nblk; k++)
        if (!n->inl[l][k] && has_successor(n->blk[k], b)) n->inl[l][k] = 1, work[nw++] = n->blk[k];
    }
  }
}

/* pos[b]: the place of block b's top-level unit (a block, or an inner loop
 * with all it holds) on the item's path from H0 to E. False when the nest
 * is not such a path. */
static bool unit_positions(nest *n, int *pos) {
  unsigned size[MAX_LOOPS] = {0};
  for (unsigned l = 0; l < n->nlp; l++)
    for (unsigned k = 0; k < n->nblk; k++) size[l] += n->inl[l][k];
  for (unsigned k = 0; k < n->nblk; k++) pos[k] = -1;
  LLVMBasicBlockRef b = n->h0;
  for (int p = 0; p <= (int)n->nblk; p++) {
    if (!in_nest_block(n, b)) return false;
    int bi = at(&n->map, b, false)->blk, top = -1;
    for (unsigned l = 0; l < n->nlp; l++)
      if (n->inl[l][bi] && (top < 0 || size[l] > size[top])) top = (int)l;
    if (top >= 0) {
      if (n->lp[top].head != b) return false;
      for (unsigned k = 0; k < n->nblk; k++)
        if (n->inl[top][k]) {
          if (pos[k] >= 0) return false;
          pos[k] = p;
        }
      LLVMValueRef t = LLVMGetBasicBlockTerminator(n->lp[top].latch);
      b = LLVMGetSuccessor(t, LLVMGetSuccessor(t, 0) == b ? 1 : 0);
      continue;
    }
    if (pos[bi] >= 0) return false;
    pos[bi] = p;
    if (b == n->e) return true;
    LLVMValueRef t = LLVMGetBasicBlockTerminator(b);
    if (LLVMIsConditional(t)) return false;
    b = LLVMGetSuccessor(t, 0);
  }
  return false;
}

/* Marks (set) or checks (!set) the 16-byte chunks access a touches over
 * all its iterations, offsets from lo; false when one falls outside or,
 * checking, was not marked. */
static bool chunks(nest *n, const saccess *a, int64_t lo, uint8_t *bits, int64_t nch, bool set,
                   int64_t *budget) {
  unsigned ls[MAX_LOOPS], nl = 0;
  int64_t it[MAX_LOOPS] = {0};
  for (unsigned l = 0; l < n->nlp; l++)
    if (a->m[l]) ls[nl++] = l;
  for (;;) {
    if (--*budget < 0) return false;
    int64_t off = a->c - lo;
    for (unsigned q = 0; q < nl; q++) off += a->m[ls[q]] * it[q];
    if (off < 0 || off % 16 || off / 16 >= nch) return false;
    if (set) bits[off / 16] = 1;
    else if (!bits[off / 16]) return false;
    unsigned q = 0;
    for (; q < nl; q++) {
      if (++it[q] < n->lp[ls[q]].trips) break;
      it[q] = 0;
    }
    if (q == nl) return true;
  }
}

/* A constant zero of 16 bytes (a cleared chunk, whatever its lane type). */
static bool zero_chunk(nest *n, LLVMValueRef v) {
  return LLVMIsAConstant(v) && LLVMIsNull(v) && LLVMStoreSizeOfType(n->td, LLVMTypeOf(v)) == 16;
}

/* The scratch store groups (ds = dc = 0) and the load groups on them, with
 * the proof of the comment above; false when one cannot be privatised. */
static bool scratch_ok(nest *n) {
  int pos[MAX_BLOCKS];
  bool have_pos = false;
  int64_t budget = MAX_COVER_STEPS;
  for (unsigned gs = 0; gs < n->ng; gs++) {
    group *G = &n->g[gs];
    if (G->scratch_of != (int)gs) continue;
    if (n->sa_full) return false;
    if (!have_pos) {
      loop_blocks(n);
      if (!unit_positions(n, pos)) return false;
      have_pos = true;
    }
    int64_t len = G->end - G->lo, nch = len / 16;
    if (len <= 0 || len % 16 || len > MAX_SCRATCH_BYTES) return false;
    for (unsigned g = 0; g < n->ng; g++) {
      group *L = &n->g[g];
      if (L->store || !same_terms(L->t, L->nt, G->t, G->nt)) continue;
      if (L->lo < G->lo || L->end > G->end) return false;
      L->scratch_of = (int)gs;
    }
    int last_store = -1, first_load = (int)n->nblk + 1;
    for (unsigned q = 0; q < n->nsa; q++) {
      const saccess *a = &n->sa[q];
      if (n->g[a->g].scratch_of != (int)gs) continue;
      bool store = LLVMIsAStoreInst(a->inst);
      if (!is_v4f32(LLVMTypeOf(store ? LLVMGetOperand(a->inst, 0) : a->inst)) &&
          !(store && zero_chunk(n, LLVMGetOperand(a->inst, 0))))
        return false;
      int bi = at(&n->map, LLVMGetInstructionParent(a->inst), false)->blk;
      for (unsigned l = 0; l < n->nlp; l++)
        if (a->m[l] && (!n->inl[l][bi] || a->m[l] % 16)) return false;
      if (store && pos[bi] > last_store) last_store = pos[bi];
      if (!store && pos[bi] < first_load) first_load = pos[bi];
      at(&n->map, a->inst, false)->scratch = true;
    }
    if (last_store >= first_load) return false;
    uint8_t bits[MAX_SCRATCH_BYTES / 16] = {0};
    for (unsigned pass = 0; pass < 2; pass++)
      for (unsigned q = 0; q < n->nsa; q++) {
        const saccess *a = &n->sa[q];
        bool store = LLVMIsAStoreInst(a->inst);
        if (n->g[a->g].scratch_of == (int)gs && store == (pass == 0) &&
            !chunks(n, a, G->lo, bits, nch, store, &budget))
          return false;
      }
    for (int64_t c = 0; c < nch; c++)
      if (!bits[c]) return false; /* every item writes the whole buffer */
  }
  return true;
}

/* Scratch loads give each item its own value: they and all that uses them
 * depend on the item (wide in the nest). False when that reaches a value
 * the pass needs shared or linear (an integer, a pointer, a branch). */
static bool scratch_dependence(nest *n) {
  bool any = false;
  for (unsigned k = 0; k < n->nblk; k++)
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i)) {
      slot *s = at(&n->map, i, false);
      s->dep0 = s->dep;
      if (s->scratch && LLVMIsALoadInst(i)) {
        s->dep = any = true;
        s->wide = n->blk[k] != n->e; /* J copies E per item */
      }
    }
  if (!any) return true;
  dependence(n);
  for (unsigned k = 0; k < n->nblk; k++)
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i)) {
      slot *s = at(&n->map, i, false);
      LLVMTypeKind tk = LLVMGetTypeKind(LLVMTypeOf(i));
      if (s->dep && !s->dep0 && !(s->scratch && LLVMIsALoadInst(i)) &&
          (tk == LLVMIntegerTypeKind || tk == LLVMPointerTypeKind || LLVMIsATerminatorInst(i)))
        return false;
    }
  return true;
}

/* Every access of the nest and E in a group; each group of stores one
 * whose items write apart (the file comment's condition; groups apart from
 * each other are checked at run time). */
static bool accesses(nest *n) {
  for (unsigned k = 0; k < n->nblk; k++)
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->blk[k]); i; i = LLVMGetNextInstruction(i))
      if ((LLVMIsALoadInst(i) || LLVMIsAStoreInst(i)) && !add_access(n, i)) return false;
  unsigned stores = 0;
  for (unsigned g = 0; g < n->ng; g++) {
    const group *st = &n->g[g];
    if (!st->store) continue;
    stores++;
    if (st->ds == 0 && st->dc == 0) {
      n->g[g].scratch_of = (int)g; /* the same bytes for every item: private copies */
      continue;
    }
    int64_t len = st->end - st->lo;
    if (n->d > 1 && abs64(st->dc) < len) return false;
    if (abs64(st->ds) < (n->d - 1) * abs64(st->dc) + len) return false;
  }
  return stores > 0 && n->membase && scratch_ok(n);
}

/* ---- the transformation -------------------------------------------------------- */

typedef struct jam {
  nest *n;
  LLVMBuilderRef bd;
  LLVMTypeRef v16, i32, i64;
  LLVMValueRef bphi[MAX_IND];    /* B's item phis */
  LLVMValueRef jphi[MAX_IND];    /* J's item phis (item b + r of the block) */
  LLVMValueRef item[MAX_IND][K]; /* in J: the inductions of item k */
  LLVMAttributeRef strictfp;
} jam;

/* v computed in B for item b. */
static LLVMValueRef eval(jam *j, LLVMValueRef v) {
  nest *n = j->n;
  if (!in_nest(n, v)) return v;
  slot *s = at(&n->map, v, false);
  if (s->ev) return s->ev;
  unsigned q;
  if (is_ind(n, v, &q)) return s->ev = j->bphi[q];
  LLVMValueRef c = LLVMInstructionClone(v);
  for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(v); o < no; o++)
    LLVMSetOperand(c, o, eval(j, LLVMGetOperand(v, o)));
  LLVMInsertIntoBuilderWithName(j->bd, c, "cj.x");
  return s->ev = c;
}

static LLVMValueRef c64(jam *j, int64_t v) { return LLVMConstInt(j->i64, (uint64_t)v, 1); }

/* The block check at the end of B (the file comment's list). */
static LLVMValueRef emit_check(jam *j) {
  nest *n = j->n;
  LLVMBuilderRef bd = j->bd;
  LLVMValueRef b = j->bphi[n->ctr];
  LLVMValueRef b64 = LLVMBuildSExt(bd, b, j->i64, "cj.b");
  LLVMValueRef end64 = LLVMBuildSExt(bd, n->end, j->i64, "cj.end");
  LLVMValueRef ok =
      LLVMBuildICmp(bd, LLVMIntSLE, LLVMBuildAdd(bd, b64, c64(j, K * n->d), ""), end64, "cj.fits");
  if (n->d > 1) {
    ok = LLVMBuildAnd(bd, ok, LLVMBuildICmp(bd, LLVMIntSGE, b, LLVMConstInt(j->i32, 0, 0), ""),
                      "cj.ok");
    LLVMValueRef rem = LLVMBuildSRem(bd, b, LLVMConstInt(j->i32, (uint64_t)n->d, 0), "cj.r");
    ok = LLVMBuildAnd(bd, ok, LLVMBuildICmp(bd, LLVMIntEQ, rem, LLVMConstInt(j->i32, 0, 0), ""),
                      "cj.ok");
  }
  LLVMTypeRef mt, mp;
  LLVMValueRef slot_p = NULL, mem = wgc_memory_of(n->m, n->membase, &mt, &slot_p);
  if (!mem) return NULL;
  mp = LLVMPointerType(mt, 0);
  LLVMValueRef sp =
      slot_p ? LLVMBuildLoad2(bd, mp, LLVMBuildBitCast(bd, slot_p, LLVMPointerType(mp, 0), ""),
                              "cj.mem")
             : LLVMBuildBitCast(bd, mem, mp, "cj.mem");
  LLVMValueRef size = LLVMBuildLoad2(bd, j->i64, LLVMBuildStructGEP2(bd, mt, sp, 3, ""), "cj.size");
  LLVMSetOrdering(size, LLVMAtomicOrderingMonotonic); /* another thread may grow it */
  LLVMSetAlignment(size, 8);
  LLVMValueRef lo[MAX_GROUPS], hi[MAX_GROUPS];
  for (unsigned g = 0; g < n->ng; g++) {
    const group *G = &n->g[g];
    LLVMValueRef sum = LLVMConstInt(j->i32, 0, 0);
    for (unsigned t = 0; t < G->nt; t++)
      sum = LLVMBuildAdd(
          bd, sum,
          LLVMBuildMul(bd, eval(j, G->t[t].v), LLVMConstInt(j->i32, (uint64_t)G->t[t].coef, 1), ""),
          "");
    /* over the block: + k dS + r dC, k < 4, r < D */
    int64_t ks = (K - 1) * G->ds, rc = (n->d - 1) * G->dc;
    int64_t min = (ks < 0 ? ks : 0) + (rc < 0 ? rc : 0),
            max = (ks > 0 ? ks : 0) + (rc > 0 ? rc : 0);
    n->g[g].sum = sum;
    LLVMValueRef base = LLVMBuildZExt(bd, sum, j->i64, "cj.base");
    lo[g] = LLVMBuildAdd(bd, base, c64(j, G->lo + min), "cj.lo");
    hi[g] = LLVMBuildAdd(bd, base, c64(j, G->end + max), "cj.hi");
    /* X itself (before a memarg offset) must not go below 0 and wrap */
    LLVMValueRef xlo = LLVMBuildAdd(bd, base, c64(j, G->xlo + min), ""); /* xlo <= lo: c >= 0 */
    ok = LLVMBuildAnd(bd, ok, LLVMBuildICmp(bd, LLVMIntSGE, xlo, c64(j, 0), ""), "cj.ok");
    ok = LLVMBuildAnd(bd, ok, LLVMBuildICmp(bd, LLVMIntULE, hi[g], size, ""), "cj.ok");
  }
  for (unsigned s = 0; s < n->ng; s++) {
    if (!n->g[s].store) continue;
    for (unsigned g = 0; g < n->ng; g++) {
      if (g == s || (n->g[g].store && g < s)) continue; /* each pair once */
      if (n->g[g].scratch_of == (int)s) continue;       /* J reads its copies */
      LLVMValueRef apart = LLVMBuildOr(bd, LLVMBuildICmp(bd, LLVMIntULE, hi[s], lo[g], ""),
                                       LLVMBuildICmp(bd, LLVMIntULE, hi[g], lo[s], ""), "");
      ok = LLVMBuildAnd(bd, ok, apart, "cj.ok");
    }
  }
  return ok;
}

/* Item k's 4 lanes of 16-lane value w, at the builder's position. */
static LLVMValueRef lanes_of(jam *j, LLVMValueRef w, unsigned k) {
  LLVMValueRef m[4];
  for (unsigned l = 0; l < 4; l++) m[l] = LLVMConstInt(j->i32, 4 * k + l, 0);
  return LLVMBuildShuffleVector(j->bd, w, LLVMGetUndef(j->v16), LLVMConstVector(m, 4), "cj.lanes");
}

static LLVMValueRef item_value(jam *j, LLVMValueRef v, unsigned k);

/* Where scratch access `inst` goes in the private copies, as a pointer to
 * vt built at the builder's place: chunk (X - terms + c - lo) / 16 of the
 * buffer, all four items' 16 bytes (k < 0, in the nest) or item k's (in
 * E, which J runs once per item). */
static LLVMValueRef scratch_ptr(jam *j, LLVMValueRef inst, int k, LLVMTypeRef vt) {
  nest *n = j->n;
  LLVMBuilderRef bd = j->bd;
  wgc_address a;
  wgc_address_parse(LLVMGetOperand(inst, LLVMIsAStoreInst(inst) ? 1 : 0), &a); /* as add_access */
  const group *G = &n->g[n->g[at(&n->map, inst, false)->group].scratch_of];
  LLVMValueRef x = item_value(j, a.x, k < 0 ? 0 : (unsigned)k); /* the same for all k */
  LLVMValueRef off = LLVMBuildSExt(bd, LLVMBuildSub(bd, x, G->sum, ""), j->i64, "");
  off = LLVMBuildAdd(bd, off, c64(j, (int64_t)a.c - G->lo), "");
  off = LLVMBuildShl(bd, off, c64(j, 2), "");
  if (k > 0) off = LLVMBuildAdd(bd, off, c64(j, 16 * k), "");
  LLVMValueRef p = LLVMBuildGEP2(bd, LLVMInt8TypeInContext(n->c), G->priv, &off, 1, "cj.priv");
  return LLVMBuildBitCast(bd, p, LLVMPointerType(vt, 0), "");
}

/* Item k's version of operand v in J's nest copy (shared values: c[0]). */
static LLVMValueRef item_value(jam *j, LLVMValueRef v, unsigned k) {
  nest *n = j->n;
  if (!in_nest(n, v)) return v;
  unsigned q;
  if (is_ind(n, v, &q)) return j->item[q][k];
  slot *s = at(&n->map, v, false);
  if (s->wide) {
    if (!s->x[k]) s->x[k] = lanes_of(j, s->w, k); /* E reads a wide value: made once */
    return s->x[k];
  }
  return s->per_item || LLVMGetInstructionParent(v) == n->e ? s->c[k] : s->c[0];
}

/* Item k's version of operand v for J's copy `user` in the nest: item_value,
 * but item k's lanes of a wide value are extracted just before the user
 * (the wide value may be defined in a loop the user's block is not). */
static LLVMValueRef item_operand(jam *j, LLVMValueRef v, unsigned k, LLVMValueRef user) {
  slot *s = slot_of(j->n, v);
  if (!s || !s->wide) return item_value(j, v, k);
  LLVMPositionBuilderBefore(j->bd, user);
  return lanes_of(j, s->w, k);
}

/* A shared <4 x float> operand as 16 lanes, before `at`: a splat stays a
 * splat (the backend's broadcast), anything else is repeated. */
static LLVMValueRef widen_shared(jam *j, LLVMValueRef v, LLVMValueRef before) {
  if (LLVMIsAConstant(v) && LLVMIsNull(v)) return LLVMConstNull(j->v16);
  LLVMPositionBuilderBefore(j->bd, before);
  LLVMValueRef src = item_value(j, v, 0), m[16];
  bool splat = LLVMIsAShuffleVectorInst(v) && LLVMGetNumMaskElements(v) == 4;
  for (unsigned l = 0; splat && l < 4; l++) splat = LLVMGetMaskValue(v, l) == 0;
  if (splat) src = item_value(j, LLVMGetOperand(v, 0), 0);
  for (unsigned l = 0; l < 16; l++) m[l] = LLVMConstInt(j->i32, splat ? 0 : l % 4, 0);
  return LLVMBuildShuffleVector(j->bd, src, LLVMGetUndef(LLVMTypeOf(src)), LLVMConstVector(m, 16),
                                "cj.bcast");
}

static LLVMValueRef concat4(jam *j, LLVMValueRef *v);

static LLVMValueRef wide_operand(jam *j, LLVMValueRef v, LLVMValueRef before) {
  slot *s = slot_of(j->n, v);
  if (s && s->wide) return s->w;
  if (s && s->per_item) {
    LLVMPositionBuilderBefore(j->bd, before);
    return concat4(j, s->c);
  }
  return widen_shared(j, v, before);
}

static LLVMValueRef clone_at_end(jam *j, LLVMValueRef i) {
  LLVMValueRef c = LLVMInstructionClone(i);
  LLVMInsertIntoBuilder(j->bd, c);
  return c;
}

/* Four <4 x float> values as one <16 x float>. */
static LLVMValueRef concat4(jam *j, LLVMValueRef *v) {
  LLVMValueRef m8[8], m16[16];
  for (unsigned l = 0; l < 16; l++) m16[l] = LLVMConstInt(j->i32, l, 0);
  for (unsigned l = 0; l < 8; l++) m8[l] = m16[l];
  LLVMValueRef lo = LLVMBuildShuffleVector(j->bd, v[0], v[1], LLVMConstVector(m8, 8), "");
  LLVMValueRef hi = LLVMBuildShuffleVector(j->bd, v[2], v[3], LLVMConstVector(m8, 8), "");
  return LLVMBuildShuffleVector(j->bd, lo, hi, LLVMConstVector(m16, 16), "cj.w");
}

/* Copies H0 and the inner blocks into J, operands unset (phis empty). */
static void build_nest(jam *j, unsigned kind_loop) {
  nest *n = j->n;
  for (unsigned b = 0; b < n->nblk; b++) {
    LLVMBasicBlockRef bb = n->blk[b];
    if (bb == n->e) continue;
    LLVMPositionBuilderAtEnd(j->bd, at(&n->map, bb, false)->jb);
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      unsigned q;
      if (bb == n->h0 && is_ind(n, i, &q)) continue;
      slot *s = at(&n->map, i, false);
      if (LLVMIsAPHINode(i)) {
        if (s->wide) s->w = LLVMBuildPhi(j->bd, j->v16, "cj.acc");
        for (unsigned k = 0; !s->wide && k < (s->per_item ? K : 1u); k++)
          s->c[k] = LLVMBuildPhi(j->bd, LLVMTypeOf(i), "");
      } else if (i == LLVMGetBasicBlockTerminator(bb)) {
        s->c[0] = clone_at_end(j, i);
        LLVMSetMetadata(s->c[0], kind_loop, NULL);
      } else if (s->wide && LLVMIsALoadInst(i) && s->scratch) { /* pointer set by link_nest */
        s->w = LLVMBuildLoad2(j->bd, j->v16, LLVMGetUndef(LLVMPointerType(j->v16, 0)), "cj.scr");
        LLVMSetAlignment(s->w, 64);
      } else if (s->scratch) { /* a store: a place holder until link_nest */
        s->c[0] = clone_at_end(j, i);
      } else if (s->wide && LLVMIsALoadInst(i)) {
        for (unsigned k = 0; k < K; k++) s->c[k] = clone_at_end(j, i);
        s->w = concat4(j, s->c);
      } else if (s->wide) { /* a constrained operation; operands set by link_nest */
        LLVMOpcode op = constrained_op(i);
        const char *name = op == LLVMFAdd   ? "llvm.experimental.constrained.fadd"
                           : op == LLVMFSub ? "llvm.experimental.constrained.fsub"
                                            : "llvm.experimental.constrained.fmul";
        LLVMValueRef args[4] = {LLVMGetUndef(j->v16), LLVMGetUndef(j->v16), LLVMGetOperand(i, 2),
                                LLVMGetOperand(i, 3)};
        s->w = wgc_build_intrinsic(n->m, j->bd, name, j->v16, args, 4, true);
      } else {
        for (unsigned k = 0; k < (s->per_item ? K : 1u); k++) s->c[k] = clone_at_end(j, i);
      }
    }
  }
}

/* Sets the operands of J's nest copies, the phis' incomings and the
 * branches' targets. */
static void link_nest(jam *j) {
  nest *n = j->n;
  for (unsigned b = 0; b < n->nblk; b++) {
    LLVMBasicBlockRef bb = n->blk[b];
    if (bb == n->e) continue;
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
      unsigned q;
      if (bb == n->h0 && is_ind(n, i, &q)) continue;
      slot *s = at(&n->map, i, false);
      if (LLVMIsAPHINode(i)) {
        for (unsigned p = 0, np = LLVMCountIncoming(i); p < np; p++) {
          LLVMValueRef v = LLVMGetIncomingValue(i, p);
          LLVMBasicBlockRef from = at(&n->map, LLVMGetIncomingBlock(i, p), false)->jb;
          if (s->wide) {
            LLVMValueRef w = is_wide(n, v) ? at(&n->map, v, false)->w : LLVMConstNull(j->v16);
            LLVMAddIncoming(s->w, &w, &from, 1);
            continue;
          }
          for (unsigned k = 0; k < (s->per_item ? K : 1u); k++) {
            LLVMValueRef x = item_value(j, v, k);
            LLVMAddIncoming(s->c[k], &x, &from, 1);
          }
        }
      } else if (i == LLVMGetBasicBlockTerminator(bb)) {
        for (unsigned t = 0, ns = LLVMGetNumSuccessors(i); t < ns; t++)
          LLVMSetSuccessor(s->c[0], t, at(&n->map, LLVMGetSuccessor(i, t), false)->jb);
        if (LLVMIsConditional(i)) LLVMSetCondition(s->c[0], item_value(j, LLVMGetCondition(i), 0));
      } else if (s->wide && !LLVMIsALoadInst(i)) {
        for (unsigned o = 0; o < 2; o++)
          LLVMSetOperand(s->w, o, wide_operand(j, LLVMGetOperand(i, o), s->w));
      } else if (s->scratch && LLVMIsALoadInst(i)) {
        LLVMPositionBuilderBefore(j->bd, s->w);
        LLVMSetOperand(s->w, 0, scratch_ptr(j, i, -1, j->v16));
      } else if (s->scratch) { /* the four items' values as one chunk store */
        LLVMValueRef w = wide_operand(j, LLVMGetOperand(i, 0), s->c[0]);
        LLVMPositionBuilderBefore(j->bd, s->c[0]);
        LLVMValueRef st = LLVMBuildStore(j->bd, w, scratch_ptr(j, i, -1, j->v16));
        LLVMSetAlignment(st, 64);
        LLVMInstructionEraseFromParent(s->c[0]);
        s->c[0] = st;
      } else {
        for (unsigned k = 0; k < (s->per_item || s->wide ? K : 1u); k++)
          for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++)
            if (!(LLVMIsACallInst(i) && o == no - 1)) /* the callee stays */
              LLVMSetOperand(s->c[k], o, item_operand(j, LLVMGetOperand(i, o), k, s->c[k]));
      }
    }
  }
}

/* J's copy of E: E's code for item 0, 1, 2, 3 in turn, then the block's
 * item loop (r) and the step to the next block (jx). */
static void build_epilogue(jam *j, LLVMBasicBlockRef b_head, LLVMBasicBlockRef jx) {
  nest *n = j->n;
  LLVMBuilderRef bd = j->bd;
  LLVMBasicBlockRef je = at(&n->map, n->e, false)->jb;
  LLVMPositionBuilderAtEnd(bd, je);
  LLVMValueRef term = LLVMGetBasicBlockTerminator(n->e);
  for (unsigned k = 0; k < K; k++)
    for (LLVMValueRef i = LLVMGetFirstInstruction(n->e); i != term; i = LLVMGetNextInstruction(i)) {
      LLVMValueRef c = LLVMInstructionClone(i);
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++)
        if (!(LLVMIsACallInst(i) && o == no - 1))
          LLVMSetOperand(c, o, item_value(j, LLVMGetOperand(i, o), k));
      if (at(&n->map, i, false)->scratch) { /* item k's 16 bytes of its chunk */
        unsigned po = LLVMIsAStoreInst(i) ? 1 : 0;
        LLVMTypeRef vt = LLVMGetElementType(LLVMTypeOf(LLVMGetOperand(i, po)));
        LLVMSetOperand(c, po, scratch_ptr(j, i, (int)k, vt));
        LLVMSetAlignment(c, 16);
      }
      LLVMInsertIntoBuilder(bd, c);
      at(&n->map, i, false)->c[k] = c;
    }
  LLVMValueRef jnext[MAX_IND];
  for (unsigned q = 0; q < n->nind; q++)
    jnext[q] = LLVMBuildAdd(
        bd, j->jphi[q], LLVMConstInt(LLVMTypeOf(j->jphi[q]), (uint64_t)n->ind_step[q], 1), "cj.i");
  LLVMValueRef row_end =
      LLVMBuildAdd(bd, j->bphi[n->ctr], LLVMConstInt(j->i32, (uint64_t)n->d, 0), "cj.rowend");
  LLVMValueRef more = LLVMBuildICmp(bd, LLVMIntNE, jnext[n->ctr], row_end, "cj.more");
  LLVMBasicBlockRef jh0 = at(&n->map, n->h0, false)->jb;
  LLVMBuildCondBr(bd, more, jh0, jx);
  LLVMBasicBlockRef from_b = b_head;
  for (unsigned q = 0; q < n->nind; q++) {
    LLVMValueRef v[2] = {j->bphi[q], jnext[q]};
    LLVMBasicBlockRef f[2] = {from_b, je};
    LLVMAddIncoming(j->jphi[q], v, f, 2);
  }
}

/* After a block, the last item's copy of scratch group G back into the
 * buffer (so that memory ends as the original order leaves it); returns
 * the block to go on in. */
static LLVMBasicBlockRef copy_back(jam *j, const group *G, LLVMBasicBlockRef from) {
  nest *n = j->n;
  LLVMBuilderRef bd = j->bd;
  LLVMTypeRef v4 = LLVMVectorType(LLVMFloatTypeInContext(n->c), 4),
              i8 = LLVMInt8TypeInContext(n->c);
  LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(n->c, n->fn, "cj.back");
  LLVMBasicBlockRef after = LLVMAppendBasicBlockInContext(n->c, n->fn, "cj.backed");
  LLVMBuildBr(bd, loop);
  LLVMPositionBuilderAtEnd(bd, loop);
  LLVMValueRef c = LLVMBuildPhi(bd, j->i64, "cj.chunk");
  LLVMValueRef src = LLVMBuildAdd(bd, LLVMBuildShl(bd, c, c64(j, 6), ""), c64(j, 16 * (K - 1)), "");
  src =
      LLVMBuildBitCast(bd, LLVMBuildGEP2(bd, i8, G->priv, &src, 1, ""), LLVMPointerType(v4, 0), "");
  LLVMValueRef v = LLVMBuildLoad2(bd, v4, src, "");
  LLVMSetAlignment(v, 16);
  LLVMValueRef dst =
      LLVMBuildAdd(bd, LLVMBuildZExt(bd, G->sum, j->i64, ""),
                   LLVMBuildAdd(bd, LLVMBuildShl(bd, c, c64(j, 4), ""), c64(j, G->lo), ""), "");
  dst = LLVMBuildBitCast(bd, LLVMBuildGEP2(bd, i8, n->membase, &dst, 1, ""), LLVMPointerType(v4, 0),
                         "");
  LLVMSetAlignment(LLVMBuildStore(bd, v, dst), 1);
  LLVMValueRef next = LLVMBuildAdd(bd, c, c64(j, 1), "");
  LLVMValueRef in[2] = {c64(j, 0), next};
  LLVMBasicBlockRef inb[2] = {from, loop};
  LLVMAddIncoming(c, in, inb, 2);
  LLVMBuildCondBr(bd, LLVMBuildICmp(bd, LLVMIntNE, next, c64(j, (G->end - G->lo) / 16), ""), loop,
                  after);
  LLVMPositionBuilderAtEnd(bd, after);
  return after;
}

/* The private copies of each scratch group, in the function's entry. */
static void scratch_allocas(jam *j) {
  nest *n = j->n;
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(n->c);
  LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(n->fn)));
  LLVMTypeRef i8 = LLVMInt8TypeInContext(n->c);
  for (unsigned g = 0; g < n->ng; g++) {
    group *G = &n->g[g];
    if (G->scratch_of != (int)g) continue;
    LLVMValueRef a =
        LLVMBuildAlloca(eb, LLVMArrayType(i8, (unsigned)(K * (G->end - G->lo))), "cj.copies");
    LLVMSetAlignment(a, 64);
    G->priv = LLVMBuildBitCast(eb, a, LLVMPointerType(i8, 0), "");
  }
  LLVMDisposeBuilder(eb);
}

static bool transform(nest *n, unsigned kind_loop) {
  jam j = {.n = n, .bd = LLVMCreateBuilderInContext(n->c)};
  j.v16 = LLVMVectorType(LLVMFloatTypeInContext(n->c), 16);
  j.i32 = LLVMInt32TypeInContext(n->c);
  j.i64 = LLVMInt64TypeInContext(n->c);
  LLVMBuilderRef bd = j.bd;
  LLVMBasicBlockRef head = LLVMInsertBasicBlockInContext(n->c, n->h0, "cj.head");
  LLVMPositionBuilderAtEnd(bd, head);
  for (unsigned q = 0; q < n->nind; q++)
    j.bphi[q] = LLVMBuildPhi(bd, LLVMTypeOf(n->ind[q]), "cj.b");
  LLVMValueRef ok = emit_check(&j); /* not NULL: try_latch checked wgc_memory_of */
  scratch_allocas(&j);
  for (unsigned b = 0; b < n->nblk; b++)
    at(&n->map, n->blk[b], false)->jb = LLVMAppendBasicBlockInContext(n->c, n->fn, "cj.jam");
  LLVMBasicBlockRef jx = LLVMAppendBasicBlockInContext(n->c, n->fn, "cj.next");
  LLVMBasicBlockRef jh0 = at(&n->map, n->h0, false)->jb;
  LLVMBuildCondBr(bd, ok, jh0, n->h0);
  /* J's item phis and each item's inductions: item k is D * k items on */
  LLVMPositionBuilderAtEnd(bd, jh0);
  for (unsigned q = 0; q < n->nind; q++)
    j.jphi[q] = LLVMBuildPhi(bd, LLVMTypeOf(n->ind[q]), "cj.i");
  for (unsigned q = 0; q < n->nind; q++) {
    j.item[q][0] = j.jphi[q];
    for (unsigned k = 1; k < K; k++)
      j.item[q][k] = LLVMBuildAdd(
          bd, j.jphi[q],
          LLVMConstInt(LLVMTypeOf(n->ind[q]), (uint64_t)(n->ind_step[q] * n->d * (int64_t)k), 1),
          "cj.item");
  }
  build_nest(&j, kind_loop);
  link_nest(&j);
  build_epilogue(&j, head, jx);
  /* the next block, or the loop's end */
  LLVMPositionBuilderAtEnd(bd, jx);
  LLVMBasicBlockRef tail = jx;
  for (unsigned g = 0; g < n->ng; g++)
    if (n->g[g].scratch_of == (int)g) tail = copy_back(&j, &n->g[g], tail);
  LLVMValueRef bnext[MAX_IND];
  for (unsigned q = 0; q < n->nind; q++)
    bnext[q] = LLVMBuildAdd(
        bd, j.bphi[q],
        LLVMConstInt(LLVMTypeOf(n->ind[q]), (uint64_t)(n->ind_step[q] * n->d * K), 1), "cj.b");
  LLVMBuildCondBr(bd, LLVMBuildICmp(bd, LLVMIntEQ, bnext[n->ctr], n->end, "cj.done"), n->exit,
                  head);
  for (unsigned q = 0; q < n->nind; q++) {
    unsigned from_e = LLVMGetIncomingBlock(n->ind[q], 0) == n->e ? 0 : 1;
    LLVMValueRef v[3] = {LLVMGetIncomingValue(n->ind[q], 1 - from_e), n->ind_next[q], bnext[q]};
    LLVMBasicBlockRef from[3] = {n->pre, n->e, tail};
    LLVMAddIncoming(j.bphi[q], v, from, 3);
  }
  LLVMValueRef pt = LLVMGetBasicBlockTerminator(n->pre);
  for (unsigned t = 0, ns = LLVMGetNumSuccessors(pt); t < ns; t++)
    if (LLVMGetSuccessor(pt, t) == n->h0) LLVMSetSuccessor(pt, t, head);
  LLVMValueRef et = LLVMGetBasicBlockTerminator(n->e);
  for (unsigned t = 0, ns = LLVMGetNumSuccessors(et); t < ns; t++)
    if (LLVMGetSuccessor(et, t) == n->h0) LLVMSetSuccessor(et, t, head);
  for (unsigned q = 0; q < n->nind; q++) {
    LLVMReplaceAllUsesWith(n->ind[q], j.bphi[q]);
    LLVMInstructionEraseFromParent(n->ind[q]);
  }
  wgc_fn_allow_512(n->fn);
  LLVMDisposeBuilder(bd);
  return true;
}

/* ---- driver -------------------------------------------------------------------- */

typedef struct cj_state {
  LLVMModuleRef m;
  LLVMContextRef c;
  LLVMTargetDataRef td;
  unsigned kind_loop;
  wgc_channel_jam_stats *st;
  bool oom;
} cj_state;

/* Tries the loop whose latch is e; true when it was jammed. */
static bool try_latch(cj_state *s, LLVMValueRef fn, LLVMBasicBlockRef e) {
  LLVMValueRef br = LLVMGetBasicBlockTerminator(e);
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return false;
  nest *n = calloc(1, sizeof *n);
  if (!n) return s->oom = true, false;
  n->map.cap = 1u << 15;
  n->map.s = calloc(n->map.cap, sizeof *n->map.s);
  bool done = false;
  if (!n->map.s) {
    s->oom = true;
    goto out;
  }
  n->c = s->c, n->m = s->m, n->td = s->td, n->fn = fn, n->e = e;
  /* the successor with phis above e (the exit may have phis too) */
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn); b && b != e && !n->h0;
       b = LLVMGetNextBasicBlock(b))
    if ((b == LLVMGetSuccessor(br, 0) || b == LLVMGetSuccessor(br, 1)) &&
        LLVMIsAPHINode(LLVMGetFirstInstruction(b)))
      n->h0 = b;
  if (!n->h0 || !find_region(n) || !has_inner_fmul(n)) goto out;
  /* reshape what the jam could not read otherwise (jam_prep.c), in this loop
   * only, then find it again */
  if (wgc_jam_hoist_workspace(fn, e, n->h0)) { /* a workspace block per item */
    s->st->hoisted++;
    if (!refind_region(n)) goto out;
  }
  if (wgc_jam_split_memset(fn, n->h0, n->blk, n->nblk)) { /* a cleared scratch buffer */
    s->st->cleared++;
    if (!refind_region(n)) goto out;
  }
  unsigned peeled = wgc_jam_peel_header_exits(fn, n->blk, n->nblk, &s->oom);
  if (s->oom) goto out;
  s->st->peeled += peeled;
  if (peeled && !refind_region(n)) goto out;
  n->exit = LLVMGetSuccessor(br, LLVMGetSuccessor(br, 0) == n->h0 ? 1 : 0);
  if (in_nest_block(n, n->exit) || LLVMIsAPHINode(LLVMGetFirstInstruction(n->exit))) goto out;
  if (count_preds(n, n->h0, &n->pre, n->e) != 2 || !n->pre || in_nest_block(n, n->pre)) goto out;
  if (!item_inductions(n) || !inner_loops(n) || !instructions_ok(n)) goto out;
  dependence(n);
  /* accesses before classify: the scratch loads it finds are per item */
  if (!find_divisor(n) || !accesses(n) || !scratch_dependence(n) || !classify(n)) goto out;
  LLVMTypeRef mt;
  LLVMValueRef slot_p;
  if (!wgc_memory_of(n->m, n->membase, &mt, &slot_p)) goto out;
  done = transform(n, s->kind_loop);
out:
  free(n->map.s);
  free(n);
  return done;
}

static void run_function(cj_state *s, LLVMValueRef fn) {
  if (!wgc_fn_has_feature(fn, "+avx512f", false)) return;
  /* candidates first, then jam: jamming adds blocks, which are not
   * revisited. A candidate latch branches back (in layout order) to a block
   * with phis; a missed candidate only costs speed. */
  enum { MAX_LATCHES = 256 };
  LLVMBasicBlockRef latches[MAX_LATCHES];
  unsigned nl = 0;
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn); b && nl < MAX_LATCHES;
       b = LLVMGetNextBasicBlock(b)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(b);
    if (!t || !LLVMIsABranchInst(t) || !LLVMIsConditional(t)) continue;
    bool back = false;
    for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(fn); p && !back;
         p = LLVMGetNextBasicBlock(p)) {
      if (p == b) break;
      back = (LLVMGetSuccessor(t, 0) == p || LLVMGetSuccessor(t, 1) == p) &&
             LLVMIsAPHINode(LLVMGetFirstInstruction(p));
    }
    if (back) latches[nl++] = b;
  }
  unsigned jammed = 0;
  for (unsigned k = 0; k < nl && !s->oom; k++)
    if (try_latch(s, fn, latches[k])) jammed++;
  s->st->jammed += jammed;
  if (jammed) s->st->functions++;
}

wasmgraph_status wgc_channel_jam(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_channel_jam_stats *stats) {
  wgc_channel_jam_stats local;
  wgc_channel_jam_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "channel jam: no module");
  wgc_barrier_cache_reset();
  cj_state s = {.m = m, .c = LLVMGetModuleContext(m), .td = LLVMGetModuleDataLayout(m), .st = st};
  s.kind_loop = LLVMGetMDKindIDInContext(s.c, "llvm.loop", 9);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom; f = LLVMGetNextFunction(f))
    if (LLVMGetFirstBasicBlock(f)) run_function(&s, f);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "channel jam: out of memory");
  return wgc_verify_after(ctx, m, verify, "channel jam");
}
