/*
 * v128_pair.c — pairs the <4 x float> accumulators of TVM's SIMD conv
 * kernels into <8 x float> constrained-FP operations (AVX).
 *
 * Why: with -mattr=+simd128, TVM's conv schedules keep 14-28 f32x4
 * accumulators per loop, each updated as
 *   acc_i = fadd(fmul(x_i, w), acc_i)      (w: one weight vector per iteration)
 * -frounding-math turns these into constrained intrinsics, which LLVM never
 * widens; 28 xmm accumulators do not fit in 16 registers, spill on every
 * iteration, and the loop runs at 128-bit multiply/add throughput. Two steps
 * sharing w become one 256-bit multiply and add on concat(x_i, x_j) and
 * concat(w, w), with a <8 x float> accumulator phi web; halves are extracted
 * only where a value leaves the web. resnet18 (wasm32-simd, 1 thread) spent
 * 90% of 175 ms in ~12 such kernels; a typical one (28 accumulators) goes
 * from spilling every iteration to 14 vmulps + 14 vaddps ymm, 28
 * vbroadcastss, 14 vinsertf128, one vbroadcastf128 and no spill. Median of 20
 * runs, before -> after: resnet18 170-180 -> 132-140 ms, mobilenet_v2
 * 31-34 -> 25-27 ms, squeezenet1_1 36 -> 30-35 ms; outputs bit-identical.
 *
 * Exactness: lane k of half h computes exactly step h's fmul then fadd, with
 * the same operands in the same order and the same rounding/exception
 * metadata; IEEE vector operations are lane-wise, so every bit is the same.
 * No FMA, no reassociation. Memory is never touched: no load or store is
 * added, removed, moved or merged (the x_i and w computations stay as they
 * are and are only concatenated), so no trap or sandbox reasoning applies.
 *
 * Conditions (checked below; the web fixpoint is acc_web.c's, shared with
 * tile_vectorize.c): the two steps are in one block, their
 * products have no other use, share w (same SSA value, same operand
 * position), keep the same fadd operand order and metadata; pairs are
 * neighbours in program order among steps with that key. All or nothing per
 * web: a pair stays only if its accumulators are a pair of phis (in one
 * block) or of steps, lane for lane, through every loop level, and every
 * phi pair's incoming values are again such a pair or values outside every
 * web (then concatenated at the end of the incoming block); badness spreads
 * along every accumulator edge. No lane may feed a multiply operand of a
 * pair, and a use of the first lane of a step pair in its block must come
 * after the second lane (where the vector exists).
 */
#include "v128_pair.h"

#include <stdlib.h>
#include <string.h>

#include "acc_web.h"
#include "pass_util.h" /* wgc_splat_load, wgc_address_parse: lane order */

/* Map marks besides ACC_NOT_LANE: a step left alone. Groups are acc_groups
 * of n = 2 lanes of <4 x float>; tag[0] is the multiply operand both steps
 * share. Candidates are plain acc_cands. */
enum { UNPAIRED = -2 };

/* concat(w, w), built once per (w, block). */
typedef struct vp_wide {
  LLVMValueRef w, w8;
  LLVMBasicBlockRef bb;
} vp_wide;

typedef struct vp_state {
  acc_web w; /* candidates, pairs, map */
  vp_wide *wide;
  size_t nw, cw;
  LLVMValueRef (*ext)[2]; /* per group: cached half extracts for non-phi users */
  size_t cext;
  LLVMTypeRef v4, v8;
  wgc_v128_pair_stats *st;
} vp_state;

/* ---- small helpers ------------------------------------------------------ */

static acc_cand *cand(const vp_state *s, size_t i) { return wgc_acc_web_cand(&s->w, i); }

/* Group of v (>= 0), ACC_NOT_LANE or UNPAIRED; *lane gets the lane. */
static int32_t lookup(const vp_state *s, LLVMValueRef v, int32_t *lane) {
  return wgc_acc_web_lookup(&s->w, v, lane);
}

static bool mul_first(const acc_cand *c) { return LLVMGetOperand(c->step, 0) == c->mul; }

/* Steps a and b can share one vector multiply and add with operand `k` of
 * the multiply in common: same value there, same operand order in the add,
 * same rounding/exception metadata in both operations. */
static bool same_key(const acc_cand *a, const acc_cand *b, unsigned k) {
  return LLVMGetOperand(a->mul, k) == LLVMGetOperand(b->mul, k) && mul_first(a) == mul_first(b) &&
         LLVMGetOperand(a->mul, 2) == LLVMGetOperand(b->mul, 2) &&
         LLVMGetOperand(a->mul, 3) == LLVMGetOperand(b->mul, 3) &&
         LLVMGetOperand(a->step, 2) == LLVMGetOperand(b->step, 2) &&
         LLVMGetOperand(a->step, 3) == LLVMGetOperand(b->step, 3);
}

/* ---- finding pairs ------------------------------------------------------ */

/* The address of the load that `v` splats, as base + zext(root + k). */
static bool splat_address(LLVMValueRef v, wgc_address *a) {
  LLVMValueRef l = wgc_splat_load(v);
  return l && wgc_address_parse(LLVMGetOperand(l, 0), a) && a->x && !a->c;
}

/* True if multiply operand `o` of a and of b are splats of loads from one
 * base and root with a's at the lower offset: splat_window.c then finds
 * the lower input in the low half, as one in-lane shuffle needs. */
static bool lower_address_first(const acc_cand *a, const acc_cand *b, unsigned o) {
  wgc_address x, y;
  return splat_address(LLVMGetOperand(a->mul, o), &x) &&
         splat_address(LLVMGetOperand(b->mul, o), &y) && x.base == y.base && x.root == y.root &&
         x.k < y.k;
}

/* The lane of a step pair that comes later in the block: the vector
 * operations go there, where both steps' operands exist. */
static unsigned later_lane(const vp_state *s, const acc_group *g) {
  return cand(s, g->cand[1])->pos > cand(s, g->cand[0])->pos ? 1 : 0;
}

/* Step i of this block is already in a pair (only pairs are in the map yet). */
static bool paired(const vp_state *s, size_t i) { return lookup(s, cand(s, i)->step, NULL) >= 0; }

static void find_steps(void *pass, LLVMBasicBlockRef b) {
  vp_state *s = pass;
  size_t first = s->w.nc;
  /* A product used elsewhere too must stay a <4 x float> (no step then). */
  wgc_acc_web_collect_steps(&s->w, b, "llvm.experimental.constrained.fadd.v4f32",
                            "llvm.experimental.constrained.fmul.v4f32", s->v4);
  if (s->w.oom) return;
  /* Weights are usually the multiply's second operand (fmul(splat(x), w));
   * then the first. Each step pairs with its next unpaired neighbour of the
   * same key in program order. */
  static const unsigned shared_ops[2] = {1, 0};
  for (unsigned v = 0; v < 2; v++) {
    unsigned k = shared_ops[v];
    for (size_t i = first; i < s->w.nc; i++) {
      if (paired(s, i)) continue;
      for (size_t j = i + 1; j < s->w.nc; j++) {
        if (paired(s, j) || !same_key(cand(s, i), cand(s, j), k)) continue;
        int gi = wgc_acc_web_new_group(&s->w, ACC_STEP, 2, b);
        if (gi < 0) return;
        acc_group *g = &s->w.g[gi];
        g->tag[0] = (unsigned char)k;
        /* Lane order: the input from the lower address goes low, so that
         * splat_window.c can read both from one window with one in-lane
         * shuffle; otherwise program order. */
        bool swap = lower_address_first(cand(s, j), cand(s, i), 1 - k);
        g->cand[0] = (uint32_t)(swap ? j : i);
        g->cand[1] = (uint32_t)(swap ? i : j);
        for (unsigned t = 0; t < 2; t++) {
          g->lanes[t] = cand(s, g->cand[t])->step;
          if (!wgc_acc_web_put(&s->w, g->lanes[t], gi, (int32_t)t)) {
            s->w.oom = true;
            return;
          }
        }
        break;
      }
    }
  }
  for (size_t i = first; i < s->w.nc; i++)
    if (!paired(s, i) && !wgc_acc_web_put(&s->w, cand(s, i)->step, UNPAIRED, 0)) {
      s->w.oom = true;
      return;
    }
}

/* ---- validating the webs (pass-specific part; the rest is acc_web.c) ---- */

/* One step pair. Returns true if it changed anything. */
static bool validate_step(void *pass, size_t gi) {
  vp_state *s = pass;
  acc_group *g = &s->w.g[gi];
  const acc_cand *c[2] = {cand(s, g->cand[0]), cand(s, g->cand[1])};
  /* The multiply operands are read as they are: none may be a lane. */
  for (unsigned t = 0; t < 2; t++)
    for (unsigned k = 0; k < 2; k++)
      if (lookup(s, LLVMGetOperand(c[t]->mul, k), NULL) >= 0) goto bad;
  LLVMValueRef acc[2] = {c[0]->acc, c[1]->acc};
  if (lookup(s, acc[0], NULL) != ACC_NOT_LANE || lookup(s, acc[1], NULL) != ACC_NOT_LANE) {
    if (!wgc_acc_web_lanes_match(&s->w, acc, 2)) goto bad;
  } else {
    /* Accumulators must be phis (the loop-carried tile); make them a pair. */
    if (!wgc_acc_web_try_phi_group(&s->w, acc, 2, s->v4)) goto bad;
    return true;
  }
  /* Users outside the web read a half extracted after the vector add, which
   * sits at the second lane: the first lane's users in this block must come
   * later (a phi's extract goes to the end of its incoming block). */
  g = &s->w.g[gi];
  unsigned late = later_lane(s, g);
  for (LLVMUseRef u = LLVMGetFirstUse(g->lanes[1 - late]); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (lookup(s, user, NULL) >= 0 || LLVMIsAPHINode(user) ||
        LLVMGetInstructionParent(user) != g->bb)
      continue;
    if (!wgc_acc_comes_after(g->lanes[late], user)) goto bad;
  }
  return false;
bad:
  s->w.g[gi].bad = true;
  return true;
}

static bool validate_phi(void *pass, size_t gi) {
  vp_state *s = pass;
  LLVMValueRef p0 = s->w.g[gi].lanes[0];
  unsigned ni = LLVMCountIncoming(p0);
  bool changed = false;
  for (unsigned k = 0; k < ni; k++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
    LLVMValueRef v[2];
    for (unsigned t = 0; t < 2; t++)
      if (!(v[t] = wgc_acc_incoming_from(s->w.g[gi].lanes[t], ib))) goto bad;
    int32_t o0 = lookup(s, v[0], NULL), o1 = lookup(s, v[1], NULL);
    if (o0 != ACC_NOT_LANE || o1 != ACC_NOT_LANE) {
      if (!wgc_acc_web_lanes_match(&s->w, v, 2)) goto bad;
    } else if (LLVMIsAPHINode(v[0]) && wgc_acc_web_try_phi_group(&s->w, v, 2, s->v4)) {
      changed = true; /* an outer loop level of the same web */
    } else if (LLVMIsAPHINode(v[0]) || LLVMIsAPHINode(v[1])) {
      goto bad; /* a phi that did not pair: part of a web we do not take */
    }
    /* else: entry values (e.g. zero), concatenated where they come from */
  }
  return changed;
bad:
  s->w.g[gi].bad = true;
  return true;
}

/* ---- rewriting ---------------------------------------------------------- */

static LLVMValueRef mask(vp_state *s, const unsigned *idx, unsigned n) {
  LLVMValueRef e[8];
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->w.lc);
  for (unsigned i = 0; i < n; i++) e[i] = LLVMConstInt(i32, idx[i], 0);
  return LLVMConstVector(e, n);
}

static const unsigned k_concat[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static const unsigned k_dup[8] = {0, 1, 2, 3, 0, 1, 2, 3};

static LLVMValueRef concat(vp_state *s, LLVMBuilderRef bd, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildShuffleVector(bd, a, b, mask(s, k_concat, 8), "vp.cat");
}

static LLVMValueRef half(vp_state *s, LLVMBuilderRef bd, LLVMValueRef v, unsigned h) {
  return LLVMBuildShuffleVector(bd, v, LLVMGetPoison(s->v8), mask(s, k_concat + 4 * h, 4),
                                h ? "vp.hi" : "vp.lo");
}

static LLVMValueRef first_non_phi(LLVMBasicBlockRef bb) {
  LLVMValueRef i = LLVMGetFirstInstruction(bb);
  while (i && LLVMIsAPHINode(i)) i = LLVMGetNextInstruction(i);
  return i;
}

/* concat(w, w) for the multiplies of block bb: right after w if w is
 * computed in bb, else at the top of bb. The table was sized beforehand. */
static LLVMValueRef wide_w(vp_state *s, LLVMBuilderRef bd, LLVMValueRef w, LLVMBasicBlockRef bb) {
  for (size_t i = 0; i < s->nw; i++)
    if (s->wide[i].w == w && s->wide[i].bb == bb) return s->wide[i].w8;
  if (LLVMIsAInstruction(w) && !LLVMIsAPHINode(w) && LLVMGetInstructionParent(w) == bb)
    LLVMPositionBuilderBefore(bd, LLVMGetNextInstruction(w));
  else LLVMPositionBuilderBefore(bd, first_non_phi(bb));
  LLVMValueRef w8 = LLVMBuildShuffleVector(bd, w, LLVMGetPoison(s->v4), mask(s, k_dup, 8), "vp.w");
  s->wide[s->nw].w = w;
  s->wide[s->nw].bb = bb;
  s->wide[s->nw++].w8 = w8;
  return w8;
}

static void build_step(void *pass, LLVMBuilderRef bd, acc_group *g) {
  vp_state *s = pass;
  const acc_cand *c0 = cand(s, g->cand[0]), *c1 = cand(s, g->cand[1]);
  unsigned k = g->tag[0], o = 1 - k;
  LLVMValueRef w8 = wide_w(s, bd, LLVMGetOperand(c0->mul, k), g->bb);
  /* everything at the later lane, where all operands exist */
  LLVMPositionBuilderBefore(bd, g->lanes[later_lane(s, g)]);
  LLVMValueRef x8 = concat(s, bd, LLVMGetOperand(c0->mul, o), LLVMGetOperand(c1->mul, o));
  LLVMValueRef vm = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fmul, s->v8, k ? x8 : w8,
                                                  k ? w8 : x8, c0->mul, "vp.mul");
  LLVMValueRef acc = s->w.g[lookup(s, c0->acc, NULL)].vec;
  bool mf = mul_first(c0);
  g->vec = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fadd, s->v8, mf ? vm : acc,
                                         mf ? acc : vm, c0->step, "vp.add");
}

/* A phi pair's entry values from block ib, concatenated. */
static LLVMValueRef gather(void *pass, LLVMBuilderRef bd, acc_group *g, LLVMBasicBlockRef ib,
                           LLVMValueRef v0) {
  return concat(pass, bd, v0, wgc_acc_incoming_from(g->lanes[1], ib));
}

/* A user outside the web reads the matching half instead of the lane. */
static LLVMValueRef extract(void *pass, LLVMBuilderRef bd, acc_group *g, unsigned t,
                            LLVMValueRef user) {
  vp_state *s = pass;
  if (LLVMIsAPHINode(user)) return half(s, bd, g->vec, t);
  LLVMValueRef *ext = s->ext[g - s->w.g];
  if (!ext[t]) {
    /* right after the vector: before the second lane (still there), or
     * after the phis */
    LLVMPositionBuilderBefore(
        bd, g->kind == ACC_STEP ? g->lanes[later_lane(s, g)] : first_non_phi(g->bb));
    ext[t] = half(s, bd, g->vec, t);
  }
  return ext[t];
}

/* Statistics; the only allocations of the rewrite (one concat(w, w) per
 * pair at most; the extract cache), made before anything changes. */
static bool prepare(void *pass, const acc_counts *n) {
  vp_state *s = pass;
  s->st->rejected += n->rejected;
  s->st->phi_pairs += n->phis;
  s->nw = 0;
  if (!n->good) return true;
  if (!wgc_acc_grow((void **)&s->wide, &s->cw, n->good, sizeof *s->wide) ||
      !wgc_acc_grow((void **)&s->ext, &s->cext, s->w.ng, sizeof *s->ext))
    return false;
  memset(s->ext, 0, s->w.ng * sizeof *s->ext);
  s->st->functions++;
  s->st->pairs += n->good;
  return true;
}

static void transform_function(void *pass, LLVMBuilderRef bd) {
  vp_state *s = pass;
  /* vector phis, step pairs, phi incomings, half extracts for lanes leaving
   * the web; then the <4 x float> lanes and their products go (loads stay
   * untouched) */
  static const acc_rewrite_ops ops = {4, "vp.phi", build_step, gather, extract};
  wgc_acc_web_rewrite(&s->w, bd, &ops, s);
}

/* ---- entry -------------------------------------------------------------- */

wasmgraph_status wgc_v128_pair(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                               wgc_v128_pair_stats *stats) {
  wgc_v128_pair_stats dummy;
  if (!stats) stats = &dummy;
  memset(stats, 0, sizeof *stats);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "v128 pairing: no module");
  vp_state s;
  memset(&s, 0, sizeof s);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(LLVMGetModuleContext(m));
  s.v4 = LLVMVectorType(f32, 4);
  s.v8 = LLVMVectorType(f32, 8);
  s.st = stats;
  static const acc_pass ops = {"v128 pairing", sizeof(acc_cand), find_steps,        validate_step,
                               validate_phi,   prepare,          transform_function};
  wasmgraph_status st = wgc_acc_web_run(&s.w, ctx, m, &ops, &s, verify);
  free(s.wide);
  free(s.ext);
  return st;
}
