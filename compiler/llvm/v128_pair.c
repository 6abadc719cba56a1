/*
 * v128_pair.c — groups the <4 x float> accumulators of TVM's SIMD conv
 * kernels into wider constrained-FP operations: pairs as <8 x float> (AVX),
 * quads as <16 x float> (AVX-512).
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
 * Where the code's target has AVX-512 (a function's target-features name
 * +avx512f), four such steps become one 512-bit multiply and add the same
 * way (pipeline.c runs quads first and pairs on what is left, e.g. 7
 * accumulators: one quad, one pair, one alone); splat_window.c then reads
 * the four inputs of a quad through one 64-byte load and one shuffle. The
 * quads' functions get "min-legal-vector-width"="512": without it the
 * backend splits every 512-bit operation into two 256-bit ones (LLVM 14
 * follows the prefer-256-bit tuning of Intel's server cores). Measured on
 * an Intel AVX-512 CPU (docs/benchmarks.md), CPU time per run: resnet18
 * 8% faster than with pairs only, squeezenet1_1 6%, mobilenet_v2 4%.
 *
 * Exactness: lane k of part h computes exactly step h's fmul then fadd, with
 * the same operands in the same order and the same rounding/exception
 * metadata; IEEE vector operations are lane-wise, so every bit is the same.
 * No FMA, no reassociation. Memory is never touched: no load or store is
 * added, removed, moved or merged (the x_i and w computations stay as they
 * are and are only concatenated), so no trap or sandbox reasoning applies.
 *
 * Conditions (checked below; the web fixpoint is acc_web.c's, shared with
 * tile_vectorize.c): the steps of a group are in one block, their
 * products have no other use, share w (same SSA value, same operand
 * position), keep the same fadd operand order and metadata; a pair is a
 * step and the next step with that key in program order, a quad four
 * splatted inputs from one 64-byte stretch of memory (group_list()). All
 * or nothing
 * per web: a group stays only if its accumulators are a group of phis (in
 * one block) or of steps, lane for lane, through every loop level, and
 * every phi group's incoming values are again such a group or values
 * outside every web (then concatenated at the end of the incoming block);
 * badness spreads along every accumulator edge. No lane may feed a
 * multiply operand of a group, and a use of a lane of a step group in its
 * block must come after the group's last lane (where the vector exists).
 */
#include "v128_pair.h"

#include <stdlib.h>
#include <string.h>

#include "acc_web.h"
#include "pass_util.h" /* wgc_splat_load, wgc_address_parse: lane order; wgc_first_non_phi */

/* Map marks besides ACC_NOT_LANE: a step left alone. Groups are acc_groups
 * of n = 2 or 4 lanes of <4 x float>; tag[0] is the multiply operand the
 * steps share. Candidates are plain acc_cands. */
enum { UNGROUPED = -2, MAX_GROUP = 4 };
/* The widest byte span of a quad's four splatted inputs: one 64-byte window. */
enum { QUAD_SPAN = 64 };

/* concat(w, w[, w, w]), built once per (w, block). */
typedef struct vp_wide {
  LLVMValueRef w, ww;
  LLVMBasicBlockRef bb;
} vp_wide;

typedef struct vp_state {
  acc_web w;           /* candidates, groups, map */
  unsigned n;          /* f32x4 per group: 2 or 4 */
  const char *feature; /* what a function's target-features must name */
  vp_wide *wide;
  size_t nw, cw;
  LLVMValueRef (*ext)[MAX_GROUP]; /* per group: cached part extracts for non-phi users */
  size_t cext;
  LLVMTypeRef v4, vw; /* <4 x float>, <4n x float> */
  LLVMValueRef fn;    /* the function being analysed, and whether it may group */
  bool fn_ok;
  uint32_t *list, *offs; /* one key's steps of a block, their input offsets */
  bool *seen;            /* steps already in a key's list */
  size_t clist, coffs, cseen;
  wgc_v128_pair_stats *st;
} vp_state;

/* ---- small helpers ------------------------------------------------------ */

static acc_cand *cand(const vp_state *s, size_t i) { return wgc_acc_web_cand(&s->w, i); }

/* Group of v (>= 0), ACC_NOT_LANE or UNGROUPED; *lane gets the lane. */
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

/* ---- finding groups ----------------------------------------------------- */

/* The address of the load that `v` splats, as base + zext(root + k). */
static bool splat_address(LLVMValueRef v, wgc_address *a) {
  LLVMValueRef l = wgc_splat_load(v);
  return l && wgc_address_parse(LLVMGetOperand(l, 0), a) && a->x && !a->c;
}

/* The address of v if it is a plain (non-volatile, non-atomic) load. */
static bool load_address(LLVMValueRef v, wgc_address *a) {
  return wgc_is_plain_load(v) && wgc_address_parse(LLVMGetOperand(v, 0), a);
}

/* Lane order of a group whose multiply operand `o` differs per step: when
 * every step splats a load from one base and root, by address (lower
 * address in the lower lanes, as splat_window.c's in-lane shuffles need);
 * likewise when every step's operand is a vector load from one base and
 * root (a dense layer's weight rows, 16 bytes apart: in address order the
 * pair's operand is one 32-byte load, not two halves swapped); otherwise
 * program order. A stable sort: equal addresses keep their order. */
static void order_lanes(const vp_state *s, uint32_t *idx, unsigned n, unsigned o) {
  wgc_address a[MAX_GROUP];
  bool ok = true;
  for (int kind = 0; kind < 2; kind++) { /* splats, then plain loads */
    ok = true;
    for (unsigned t = 0; t < n && ok; t++) {
      LLVMValueRef v = LLVMGetOperand(cand(s, idx[t])->mul, o);
      ok = (kind ? load_address(v, &a[t]) : splat_address(v, &a[t])) && a[t].base == a[0].base &&
           a[t].root == a[0].root;
    }
    if (ok) break;
  }
  if (!ok) return;
  for (unsigned t = 0; t < n; t++) a[t].c += a[t].k; /* the whole offset */
  for (unsigned t = 1; t < n; t++)
    for (unsigned u = t; u > 0 && a[u].c < a[u - 1].c; u--) {
      wgc_address ta = a[u];
      a[u] = a[u - 1];
      a[u - 1] = ta;
      uint32_t ti = idx[u];
      idx[u] = idx[u - 1];
      idx[u - 1] = ti;
    }
}

/* The lane of a step group that comes last in the block: the vector
 * operations go there, where every step's operands exist. */
static unsigned later_lane(const vp_state *s, const acc_group *g) {
  unsigned late = 0;
  for (unsigned t = 1; t < g->n; t++)
    if (cand(s, g->cand[t])->pos > cand(s, g->cand[late])->pos) late = t;
  return late;
}

/* Step i of this block is already in a group (only groups are in the map yet). */
static bool grouped(const vp_state *s, size_t i) { return lookup(s, cand(s, i)->step, NULL) >= 0; }

/* Makes steps idx[0..n) (in lane order) a group sharing multiply operand k.
 * False if out of memory. */
static bool make_group(vp_state *s, LLVMBasicBlockRef b, const uint32_t *idx, unsigned k) {
  int gi = wgc_acc_web_new_group(&s->w, ACC_STEP, s->n, b);
  if (gi < 0) return false;
  acc_group *g = &s->w.g[gi];
  g->tag[0] = (unsigned char)k;
  for (unsigned t = 0; t < s->n; t++) {
    g->cand[t] = idx[t];
    g->lanes[t] = cand(s, idx[t])->step;
    if (!wgc_acc_web_put(&s->w, g->lanes[t], gi, (int32_t)t)) {
      s->w.oom = true;
      return false;
    }
  }
  return true;
}

/* If operand o of every step in list[0..n) splats a load from one base and
 * root, sorts the list by the loads' offsets (stably) and returns true. */
static bool sort_by_address(const vp_state *s, uint32_t *list, size_t n, unsigned o) {
  wgc_address a0, a;
  for (size_t t = 0; t < n; t++) {
    if (!splat_address(LLVMGetOperand(cand(s, list[t])->mul, o), t ? &a : &a0)) return false;
    if (t && (a.base != a0.base || a.root != a0.root)) return false;
    s->offs[t] = t ? a.k : a0.k;
  }
  for (size_t t = 1; t < n; t++)
    for (size_t u = t; u > 0 && s->offs[u] < s->offs[u - 1]; u--) {
      uint32_t to = s->offs[u], ti = list[u];
      s->offs[u] = s->offs[u - 1];
      list[u] = list[u - 1];
      s->offs[u - 1] = to;
      list[u - 1] = ti;
    }
  return true;
}

/* Groups list[0..n), the ungrouped steps of one key in program order.
 * Pairs: consecutive steps in program order (lanes by address). Quads only
 * of splatted inputs from one row of memory: runs of four consecutive
 * addresses spanning at most 64 bytes, so that splat_window.c reads each
 * through one 64-byte window and one in-lane shuffle. Other quads measured
 * slower than the pairs they replace on this project's Intel AVX-512 CPU
 * (notes/cpu-profile-intel.md, docs/benchmarks.md): a stride-2 conv's
 * (two windows and a two-source shuffle per quad; resnet18's kernel got
 * 25% slower) and a depthwise conv's (four 16-byte loads joined by three
 * inserts; up to 25% slower), so their steps are left for the pairs. */
static bool group_list(vp_state *s, LLVMBasicBlockRef b, uint32_t *list, size_t n, unsigned k) {
  if (s->n == WGC_V128_QUAD) {
    if (!sort_by_address(s, list, n, 1 - k)) return true;
    for (size_t t = 0; t + s->n <= n;) {
      if (s->offs[t + s->n - 1] + 4 - s->offs[t] > QUAD_SPAN) {
        t++;
        continue;
      }
      if (!make_group(s, b, list + t, k)) return false;
      t += s->n;
    }
    return true;
  }
  for (size_t t = 0; t + s->n <= n; t += s->n) {
    uint32_t idx[MAX_GROUP];
    memcpy(idx, list + t, s->n * sizeof *idx);
    order_lanes(s, idx, s->n, 1 - k);
    if (!make_group(s, b, idx, k)) return false;
  }
  return true;
}

static void find_steps(void *pass, LLVMBasicBlockRef b) {
  vp_state *s = pass;
  LLVMValueRef f = LLVMGetBasicBlockParent(b);
  if (f != s->fn) {
    s->fn = f;
    s->fn_ok = wgc_fn_has_feature(f, s->feature, strcmp(s->feature, "+avx") == 0);
    if (!s->fn_ok) s->st->skipped_functions++;
  }
  if (!s->fn_ok) return;
  size_t first = s->w.nc;
  /* A product used elsewhere too must stay a <4 x float> (no step then). */
  wgc_acc_web_collect_steps(&s->w, b, "llvm.experimental.constrained.fadd.v4f32",
                            "llvm.experimental.constrained.fmul.v4f32", s->v4);
  if (s->w.oom) return;
  size_t nb = s->w.nc - first;
  if (nb == 0) return; /* nothing to group (and no buffers to clear) */
  if (!wgc_acc_grow((void **)&s->list, &s->clist, nb, sizeof *s->list) ||
      !wgc_acc_grow((void **)&s->offs, &s->coffs, nb, sizeof *s->offs) ||
      !wgc_acc_grow((void **)&s->seen, &s->cseen, nb, sizeof *s->seen)) {
    s->w.oom = true;
    return;
  }
  /* Weights are usually the multiply's second operand (fmul(splat(x), w));
   * then the first. The steps of one key are grouped together. */
  static const unsigned shared_ops[2] = {1, 0};
  for (unsigned v = 0; v < 2; v++) {
    unsigned k = shared_ops[v];
    memset(s->seen, 0, nb * sizeof *s->seen);
    for (size_t i = first; i < s->w.nc; i++) {
      if (grouped(s, i) || s->seen[i - first]) continue;
      size_t n = 0;
      for (size_t j = i; j < s->w.nc; j++)
        if (!grouped(s, j) && same_key(cand(s, i), cand(s, j), k)) {
          s->list[n++] = (uint32_t)j;
          s->seen[j - first] = true;
        }
      if (!group_list(s, b, s->list, n, k)) return;
    }
  }
  for (size_t i = first; i < s->w.nc; i++)
    if (!grouped(s, i) && !wgc_acc_web_put(&s->w, cand(s, i)->step, UNGROUPED, 0)) {
      s->w.oom = true;
      return;
    }
}

/* ---- validating the webs (pass-specific part; the rest is acc_web.c) ---- */

/* One step group. Returns true if it changed anything. */
static bool validate_step(void *pass, size_t gi) {
  vp_state *s = pass;
  acc_group *g = &s->w.g[gi];
  unsigned n = g->n;
  LLVMValueRef acc[MAX_GROUP];
  bool any_lane = false;
  for (unsigned t = 0; t < n; t++) {
    const acc_cand *c = cand(s, g->cand[t]);
    /* The multiply operands are read as they are: none may be a lane. */
    for (unsigned k = 0; k < 2; k++)
      if (lookup(s, LLVMGetOperand(c->mul, k), NULL) >= 0) goto bad;
    acc[t] = c->acc;
    any_lane |= lookup(s, acc[t], NULL) != ACC_NOT_LANE;
  }
  if (any_lane) {
    if (!wgc_acc_web_lanes_match(&s->w, acc, n)) goto bad;
  } else {
    /* Accumulators must be phis (the loop-carried tile); make them a group. */
    if (!wgc_acc_web_try_phi_group(&s->w, acc, n, s->v4)) goto bad;
    return true;
  }
  /* Users outside the web read a part extracted after the vector add, which
   * sits at the last lane: the other lanes' users in this block must come
   * later (a phi's extract goes to the end of its incoming block). */
  g = &s->w.g[gi];
  unsigned late = later_lane(s, g);
  for (unsigned t = 0; t < n; t++) {
    if (t == late) continue;
    for (LLVMUseRef u = LLVMGetFirstUse(g->lanes[t]); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (lookup(s, user, NULL) >= 0 || LLVMIsAPHINode(user) ||
          LLVMGetInstructionParent(user) != g->bb)
        continue;
      if (!wgc_acc_comes_after(g->lanes[late], user)) goto bad;
    }
  }
  return false;
bad:
  s->w.g[gi].bad = true;
  return true;
}

static bool validate_phi(void *pass, size_t gi) {
  vp_state *s = pass;
  unsigned n = s->w.g[gi].n;
  LLVMValueRef p0 = s->w.g[gi].lanes[0];
  unsigned ni = LLVMCountIncoming(p0);
  bool changed = false;
  for (unsigned k = 0; k < ni; k++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
    LLVMValueRef v[MAX_GROUP];
    bool any_lane = false, any_phi = false;
    for (unsigned t = 0; t < n; t++) {
      if (!(v[t] = wgc_acc_incoming_from(s->w.g[gi].lanes[t], ib))) goto bad;
      any_lane |= lookup(s, v[t], NULL) != ACC_NOT_LANE;
      any_phi |= LLVMIsAPHINode(v[t]) != NULL;
    }
    if (any_lane) {
      if (!wgc_acc_web_lanes_match(&s->w, v, n)) goto bad;
    } else if (LLVMIsAPHINode(v[0]) && wgc_acc_web_try_phi_group(&s->w, v, n, s->v4)) {
      changed = true; /* an outer loop level of the same web */
    } else if (any_phi) {
      goto bad; /* a phi that did not group: part of a web we do not take */
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
  LLVMValueRef e[16];
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->w.lc);
  for (unsigned i = 0; i < n; i++) e[i] = LLVMConstInt(i32, idx[i], 0);
  return LLVMConstVector(e, n);
}

static const unsigned k_iota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const unsigned k_dup[16] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};

/* concat(v[0], ..., v[n-1]) of <4 x float> values, as a tree of
 * two-operand concats: [v0 v1] for a pair, [[v0 v1] [v2 v3]] for a quad
 * (the shape splat_window.c looks for). */
static LLVMValueRef concat(vp_state *s, LLVMBuilderRef bd, LLVMValueRef *v, unsigned n) {
  LLVMValueRef lo = n == 2 ? v[0] : concat(s, bd, v, n / 2);
  LLVMValueRef hi = n == 2 ? v[1] : concat(s, bd, v + n / 2, n / 2);
  return LLVMBuildShuffleVector(bd, lo, hi, mask(s, k_iota, 4 * n), "vp.cat");
}

/* Part h (4 floats) of a group's vector. */
static LLVMValueRef part(vp_state *s, LLVMBuilderRef bd, LLVMValueRef v, unsigned h) {
  static const char *const names[2][MAX_GROUP] = {{"vp.lo", "vp.hi"},
                                                  {"vp.q0", "vp.q1", "vp.q2", "vp.q3"}};
  return LLVMBuildShuffleVector(bd, v, LLVMGetPoison(s->vw), mask(s, k_iota + 4 * h, 4),
                                names[s->n == MAX_GROUP][h]);
}

/* The quads' w repeated 4 times in block bb (v128-quad ran before the
 * pairs), or NULL. */
static LLVMValueRef quad_w(LLVMValueRef w, LLVMBasicBlockRef bb) {
  for (LLVMUseRef u = LLVMGetFirstUse(w); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef q = LLVMGetUser(u);
    if (!LLVMIsAShuffleVectorInst(q) || LLVMGetInstructionParent(q) != bb ||
        LLVMGetOperand(q, 0) != w || LLVMGetNumMaskElements(q) != 16)
      continue;
    bool dup = true;
    for (unsigned i = 0; i < 16 && dup; i++) dup = LLVMGetMaskValue(q, i) == (int)k_dup[i];
    if (dup) return q;
  }
  return NULL;
}

/* w repeated n times for the multiplies of block bb: right after w if w is
 * computed in bb, else at the top of bb. A pair takes the lower half of a
 * quad's w where one exists: a subregister, where a new concat(w, w) would
 * cost a shuffle (a vinserti128 per iteration in the 7x7 conv loops, which
 * mix a quad, a pair and a single accumulator). The table was sized
 * beforehand. */
static LLVMValueRef wide_w(vp_state *s, LLVMBuilderRef bd, LLVMValueRef w, LLVMBasicBlockRef bb) {
  for (size_t i = 0; i < s->nw; i++)
    if (s->wide[i].w == w && s->wide[i].bb == bb) return s->wide[i].ww;
  LLVMValueRef q = s->n == WGC_V128_PAIR ? quad_w(w, bb) : NULL, ww;
  if (q) {
    LLVMPositionBuilderBefore(bd, LLVMGetNextInstruction(q));
    ww = LLVMBuildShuffleVector(bd, q, LLVMGetPoison(LLVMTypeOf(q)), mask(s, k_iota, 8), "vp.w");
  } else {
    if (LLVMIsAInstruction(w) && !LLVMIsAPHINode(w) && LLVMGetInstructionParent(w) == bb)
      LLVMPositionBuilderBefore(bd, LLVMGetNextInstruction(w));
    else LLVMPositionBuilderBefore(bd, wgc_first_non_phi(bb));
    ww = LLVMBuildShuffleVector(bd, w, LLVMGetPoison(s->v4), mask(s, k_dup, 4 * s->n), "vp.w");
  }
  s->wide[s->nw].w = w;
  s->wide[s->nw].bb = bb;
  s->wide[s->nw++].ww = ww;
  return ww;
}

static void build_step(void *pass, LLVMBuilderRef bd, acc_group *g) {
  vp_state *s = pass;
  const acc_cand *c0 = cand(s, g->cand[0]);
  unsigned k = g->tag[0], o = 1 - k;
  LLVMValueRef ww = wide_w(s, bd, LLVMGetOperand(c0->mul, k), g->bb);
  /* everything at the last lane, where all operands exist */
  LLVMPositionBuilderBefore(bd, g->lanes[later_lane(s, g)]);
  LLVMValueRef xs[MAX_GROUP];
  for (unsigned t = 0; t < g->n; t++) xs[t] = LLVMGetOperand(cand(s, g->cand[t])->mul, o);
  LLVMValueRef xw = concat(s, bd, xs, g->n);
  LLVMValueRef vm = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fmul, s->vw, k ? xw : ww,
                                                  k ? ww : xw, c0->mul, "vp.mul");
  LLVMValueRef acc = s->w.g[lookup(s, c0->acc, NULL)].vec;
  bool mf = mul_first(c0);
  g->vec = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fadd, s->vw, mf ? vm : acc,
                                         mf ? acc : vm, c0->step, "vp.add");
}

/* A phi group's entry values from block ib, concatenated. */
static LLVMValueRef gather(void *pass, LLVMBuilderRef bd, acc_group *g, LLVMBasicBlockRef ib,
                           LLVMValueRef v0) {
  LLVMValueRef v[MAX_GROUP] = {v0};
  for (unsigned t = 1; t < g->n; t++) v[t] = wgc_acc_incoming_from(g->lanes[t], ib);
  return concat(pass, bd, v, g->n);
}

/* A user outside the web reads the matching part instead of the lane. */
static LLVMValueRef extract(void *pass, LLVMBuilderRef bd, acc_group *g, unsigned t,
                            LLVMValueRef user) {
  vp_state *s = pass;
  if (LLVMIsAPHINode(user)) return part(s, bd, g->vec, t);
  LLVMValueRef *ext = s->ext[g - s->w.g];
  if (!ext[t]) {
    /* right after the vector: before the last lane (still there), or
     * after the phis */
    LLVMPositionBuilderBefore(
        bd, g->kind == ACC_STEP ? g->lanes[later_lane(s, g)] : wgc_first_non_phi(g->bb));
    ext[t] = part(s, bd, g->vec, t);
  }
  return ext[t];
}

/* Statistics; the only allocations of the rewrite (one wide w per group at
 * most; the extract cache), made before anything changes. */
static bool prepare(void *pass, const acc_counts *n) {
  vp_state *s = pass;
  s->st->rejected += n->rejected;
  s->st->phi_groups += n->phis;
  s->nw = 0;
  if (!n->good) return true;
  if (!wgc_acc_grow((void **)&s->wide, &s->cw, n->good, sizeof *s->wide) ||
      !wgc_acc_grow((void **)&s->ext, &s->cext, s->w.ng, sizeof *s->ext))
    return false;
  memset(s->ext, 0, s->w.ng * sizeof *s->ext);
  s->st->functions++;
  s->st->groups += n->good;
  if (s->n == WGC_V128_QUAD) wgc_fn_allow_512(s->fn);
  return true;
}

static void transform_function(void *pass, LLVMBuilderRef bd) {
  vp_state *s = pass;
  /* vector phis, step groups, phi incomings, part extracts for lanes
   * leaving the web; then the <4 x float> lanes and their products go
   * (loads stay untouched) */
  acc_rewrite_ops ops = {4, "vp.phi", build_step, gather, extract};
  wgc_acc_web_rewrite(&s->w, bd, &ops, s);
}

/* ---- entry -------------------------------------------------------------- */

wasmgraph_status wgc_v128_pair(wgc_ctx *ctx, LLVMModuleRef m, wgc_v128_group group, bool verify,
                               wgc_v128_pair_stats *stats) {
  wgc_v128_pair_stats dummy;
  if (!stats) stats = &dummy;
  memset(stats, 0, sizeof *stats);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "v128 pairing: no module");
  if (group != WGC_V128_PAIR && group != WGC_V128_QUAD)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "v128 pairing: groups of %u f32x4 (only 2 or 4)", (unsigned)group);
  vp_state s;
  memset(&s, 0, sizeof s);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(LLVMGetModuleContext(m));
  s.n = (unsigned)group;
  s.feature = group == WGC_V128_QUAD ? "+avx512f" : "+avx";
  s.v4 = LLVMVectorType(f32, 4);
  s.vw = LLVMVectorType(f32, 4 * s.n);
  s.st = stats;
  static const acc_pass pair_ops = {"v128 pairing",    sizeof(acc_cand), find_steps,
                                    validate_step,     validate_phi,     prepare,
                                    transform_function};
  static const acc_pass quad_ops = {"v128 quads",      sizeof(acc_cand), find_steps,
                                    validate_step,     validate_phi,     prepare,
                                    transform_function};
  wasmgraph_status st =
      wgc_acc_web_run(&s.w, ctx, m, s.n == WGC_V128_QUAD ? &quad_ops : &pair_ops, &s, verify);
  free(s.wide);
  free(s.ext);
  free(s.list);
  free(s.offs);
  free(s.seen);
  return st;
}
