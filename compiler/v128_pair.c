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
 * Conditions (checked below): the two steps are in one block, their
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

#include <llvm-c/Analysis.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_STEP, KIND_PHI };
enum { NOT_LANE = -1, UNPAIRED = -2 };

/* One multiply-accumulate step: step = fadd(mul, acc) or fadd(acc, mul). */
typedef struct vp_cand {
  LLVMValueRef step, mul, acc;
  uint32_t pos;    /* index in the block */
  bool paired;
} vp_cand;

typedef struct vp_group {
  unsigned char kind, shared; /* shared: the multiply operand both steps use */
  bool bad, ready;
  LLVMBasicBlockRef bb;
  LLVMValueRef vec;      /* built <8 x float> (transform phase) */
  LLVMValueRef ext[2];   /* cached half extracts for non-phi users */
  LLVMValueRef lanes[2]; /* steps or phis, lane order (= program order for steps) */
  uint32_t cand[2];      /* steps: index into vp_state.c */
} vp_group;

/* value -> (group, lane), or UNPAIRED for a step left alone. */
typedef struct vp_slot {
  LLVMValueRef key;
  int32_t group;
  int32_t lane;
} vp_slot;

/* concat(w, w), built once per (w, block). */
typedef struct vp_wide {
  LLVMValueRef w, w8;
  LLVMBasicBlockRef bb;
} vp_wide;

typedef struct vp_state {
  wgc_ctx *ctx;
  LLVMContextRef lc;
  LLVMModuleRef m;
  bool oom;
  vp_cand *c;
  size_t nc, cc;
  vp_group *g;
  size_t ng, cg;
  vp_slot *map;
  size_t map_cap, map_count;
  vp_wide *wide;
  size_t nw, cw;
  unsigned id_fmul, id_fadd;
  LLVMAttributeRef strictfp;
  LLVMTypeRef v4, v8;
} vp_state;

/* ---- small helpers ------------------------------------------------------ */

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t n = *cap ? *cap : 64;
  while (n < need) {
    if (n > SIZE_MAX / 2 / elem) return false;
    n *= 2;
  }
  void *q = realloc(*p, n * elem);
  if (!q) return false;
  *p = q;
  *cap = n;
  return true;
}

static size_t hash_ptr(LLVMValueRef v, size_t cap) {
  uint64_t x = (uint64_t)(uintptr_t)v;
  x ^= x >> 17;
  x *= 0x9E3779B97F4A7C15ull;
  return (size_t)(x >> 20) & (cap - 1);
}

/* Group of v (>= 0), NOT_LANE or UNPAIRED; *lane gets the lane. */
static int32_t lookup(const vp_state *s, LLVMValueRef v, int32_t *lane) {
  if (!s->map_cap || !v) return NOT_LANE;
  for (size_t i = hash_ptr(v, s->map_cap);; i = (i + 1) & (s->map_cap - 1)) {
    if (s->map[i].key == v) {
      if (lane) *lane = s->map[i].lane;
      return s->map[i].group;
    }
    if (!s->map[i].key) return NOT_LANE;
  }
}

static bool map_put(vp_state *s, LLVMValueRef v, int32_t group, int32_t lane) {
  if ((s->map_count + 1) * 2 > s->map_cap) {
    size_t ncap = s->map_cap ? s->map_cap * 2 : 1024;
    if (ncap > SIZE_MAX / sizeof(vp_slot)) return false;
    vp_slot *n = calloc(ncap, sizeof *n);
    if (!n) return false;
    for (size_t i = 0; i < s->map_cap; i++) {
      if (!s->map[i].key) continue;
      size_t j = hash_ptr(s->map[i].key, ncap);
      while (n[j].key) j = (j + 1) & (ncap - 1);
      n[j] = s->map[i];
    }
    free(s->map);
    s->map = n;
    s->map_cap = ncap;
  }
  size_t i = hash_ptr(v, s->map_cap);
  while (s->map[i].key && s->map[i].key != v) i = (i + 1) & (s->map_cap - 1);
  if (!s->map[i].key) s->map_count++;
  s->map[i].key = v;
  s->map[i].group = group;
  s->map[i].lane = lane;
  return true;
}

static const char *callee_name(LLVMValueRef call) {
  if (!LLVMIsACallInst(call)) return NULL;
  LLVMValueRef f = LLVMGetCalledValue(call);
  if (!f || !LLVMIsAFunction(f)) return NULL;
  size_t n;
  return LLVMGetValueName2(f, &n);
}

/* A <4 x float> constrained fmul/fadd: 4 arguments (a, b, rounding, except). */
static bool is_constrained(const vp_state *s, LLVMValueRef v, const char *name) {
  const char *n = callee_name(v);
  return n && strcmp(n, name) == 0 && LLVMGetNumArgOperands(v) == 4 && LLVMTypeOf(v) == s->v4;
}
static bool is_cfmul(const vp_state *s, LLVMValueRef v) {
  return is_constrained(s, v, "llvm.experimental.constrained.fmul.v4f32");
}
static bool is_cfadd(const vp_state *s, LLVMValueRef v) {
  return is_constrained(s, v, "llvm.experimental.constrained.fadd.v4f32");
}

static bool has_one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

static bool mul_first(const vp_cand *c) { return LLVMGetOperand(c->step, 0) == c->mul; }

/* Steps a and b can share one vector multiply and add with operand `k` of
 * the multiply in common: same value there, same operand order in the add,
 * same rounding/exception metadata in both operations. */
static bool same_key(const vp_cand *a, const vp_cand *b, unsigned k) {
  return LLVMGetOperand(a->mul, k) == LLVMGetOperand(b->mul, k) && mul_first(a) == mul_first(b) &&
         LLVMGetOperand(a->mul, 2) == LLVMGetOperand(b->mul, 2) &&
         LLVMGetOperand(a->mul, 3) == LLVMGetOperand(b->mul, 3) &&
         LLVMGetOperand(a->step, 2) == LLVMGetOperand(b->step, 2) &&
         LLVMGetOperand(a->step, 3) == LLVMGetOperand(b->step, 3);
}

static int new_group(vp_state *s, unsigned kind, LLVMBasicBlockRef bb) {
  if (s->ng >= INT32_MAX || !grow((void **)&s->g, &s->cg, s->ng + 1, sizeof *s->g)) {
    s->oom = true;
    return -1;
  }
  vp_group *g = &s->g[s->ng];
  memset(g, 0, sizeof *g);
  g->kind = (unsigned char)kind;
  g->bb = bb;
  return (int)s->ng++;
}

/* ---- finding pairs ------------------------------------------------------ */

static void find_steps(vp_state *s, LLVMBasicBlockRef b) {
  size_t first = s->nc;
  uint32_t pos = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i), pos++) {
    if (!is_cfadd(s, i)) continue;
    for (unsigned mo = 0; mo < 2; mo++) {
      LLVMValueRef mul = LLVMGetOperand(i, mo);
      /* A product used elsewhere too must stay a <4 x float>. */
      if (!is_cfmul(s, mul) || LLVMGetInstructionParent(mul) != b || !has_one_use(mul)) continue;
      if (!grow((void **)&s->c, &s->cc, s->nc + 1, sizeof *s->c) || s->nc >= UINT32_MAX) {
        s->oom = true;
        return;
      }
      vp_cand *c = &s->c[s->nc++];
      c->step = i;
      c->mul = mul;
      c->acc = LLVMGetOperand(i, 1 - mo);
      c->pos = pos;
      c->paired = false;
      break;
    }
  }
  /* Weights are usually the multiply's second operand (fmul(splat(x), w));
   * then the first. Each step pairs with its next unpaired neighbour of the
   * same key in program order. */
  static const unsigned shared_ops[2] = {1, 0};
  for (unsigned v = 0; v < 2; v++) {
    unsigned k = shared_ops[v];
    for (size_t i = first; i < s->nc; i++) {
      if (s->c[i].paired) continue;
      for (size_t j = i + 1; j < s->nc; j++) {
        if (s->c[j].paired || !same_key(&s->c[i], &s->c[j], k)) continue;
        int gi = new_group(s, KIND_STEP, b);
        if (gi < 0) return;
        vp_group *g = &s->g[gi];
        g->shared = (unsigned char)k;
        g->cand[0] = (uint32_t)i;
        g->cand[1] = (uint32_t)j;
        for (unsigned t = 0; t < 2; t++) {
          vp_cand *c = &s->c[g->cand[t]];
          c->paired = true;
          g->lanes[t] = c->step;
          if (!map_put(s, c->step, gi, (int32_t)t)) {
            s->oom = true;
            return;
          }
        }
        break;
      }
    }
  }
  for (size_t i = first; i < s->nc; i++)
    if (!s->c[i].paired && !map_put(s, s->c[i].step, UNPAIRED, 0)) {
      s->oom = true;
      return;
    }
}

/* ---- validating the webs ------------------------------------------------ */

static LLVMValueRef incoming_from(LLVMValueRef phi, LLVMBasicBlockRef bb) {
  unsigned n = LLVMCountIncoming(phi);
  for (unsigned q = 0; q < n; q++)
    if (LLVMGetIncomingBlock(phi, q) == bb) return LLVMGetIncomingValue(phi, q);
  return NULL;
}

/* If v[0], v[1] are distinct <4 x float> phis of one block, in no group,
 * makes them a phi pair (returns true). */
static bool try_phi_group(vp_state *s, LLVMValueRef *v) {
  if (v[0] == v[1]) return false;
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(v[0]);
  for (unsigned t = 0; t < 2; t++)
    if (!LLVMIsAPHINode(v[t]) || LLVMTypeOf(v[t]) != s->v4 || lookup(s, v[t], NULL) != NOT_LANE ||
        LLVMGetInstructionParent(v[t]) != bb)
      return false;
  int gi = new_group(s, KIND_PHI, bb);
  if (gi < 0) return false;
  for (unsigned t = 0; t < 2; t++) {
    s->g[gi].lanes[t] = v[t];
    if (!map_put(s, v[t], gi, (int32_t)t)) {
      s->oom = true;
      return false;
    }
  }
  return true;
}

/* v[t] is lane t of one group, which is not (yet) bad. */
static bool lanes_match(const vp_state *s, LLVMValueRef *v) {
  int32_t l0, l1, g0 = lookup(s, v[0], &l0);
  return g0 >= 0 && !s->g[g0].bad && l0 == 0 && lookup(s, v[1], &l1) == g0 && l1 == 1;
}

static bool comes_after(LLVMValueRef first, LLVMValueRef later) {
  for (LLVMValueRef i = LLVMGetNextInstruction(first); i; i = LLVMGetNextInstruction(i))
    if (i == later) return true;
  return false;
}

/* One step pair. Returns true if it changed anything. */
static bool validate_step(vp_state *s, size_t gi) {
  vp_group *g = &s->g[gi];
  const vp_cand *c[2] = {&s->c[g->cand[0]], &s->c[g->cand[1]]};
  /* The multiply operands are read as they are: none may be a lane. */
  for (unsigned t = 0; t < 2; t++)
    for (unsigned k = 0; k < 2; k++)
      if (lookup(s, LLVMGetOperand(c[t]->mul, k), NULL) >= 0) goto bad;
  LLVMValueRef acc[2] = {c[0]->acc, c[1]->acc};
  if (lookup(s, acc[0], NULL) != NOT_LANE || lookup(s, acc[1], NULL) != NOT_LANE) {
    if (!lanes_match(s, acc)) goto bad;
  } else {
    /* Accumulators must be phis (the loop-carried tile); make them a pair. */
    if (!try_phi_group(s, acc)) goto bad;
    return true;
  }
  /* Users outside the web read a half extracted after the vector add, which
   * sits at the second lane: the first lane's users in this block must come
   * later (a phi's extract goes to the end of its incoming block). */
  g = &s->g[gi];
  for (LLVMUseRef u = LLVMGetFirstUse(g->lanes[0]); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (lookup(s, user, NULL) >= 0 || LLVMIsAPHINode(user) ||
        LLVMGetInstructionParent(user) != g->bb)
      continue;
    if (!comes_after(g->lanes[1], user)) goto bad;
  }
  return false;
bad:
  s->g[gi].bad = true;
  return true;
}

static bool validate_phi(vp_state *s, size_t gi) {
  LLVMValueRef p0 = s->g[gi].lanes[0];
  unsigned ni = LLVMCountIncoming(p0);
  bool changed = false;
  for (unsigned k = 0; k < ni; k++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
    LLVMValueRef v[2];
    for (unsigned t = 0; t < 2; t++)
      if (!(v[t] = incoming_from(s->g[gi].lanes[t], ib))) goto bad;
    int32_t o0 = lookup(s, v[0], NULL), o1 = lookup(s, v[1], NULL);
    if (o0 != NOT_LANE || o1 != NOT_LANE) {
      if (!lanes_match(s, v)) goto bad;
    } else if (LLVMIsAPHINode(v[0]) && try_phi_group(s, v)) {
      changed = true; /* an outer loop level of the same web */
    } else if (LLVMIsAPHINode(v[0]) || LLVMIsAPHINode(v[1])) {
      goto bad; /* a phi that did not pair: part of a web we do not take */
    }
    /* else: entry values (e.g. zero), concatenated where they come from */
  }
  return changed;
bad:
  s->g[gi].bad = true;
  return true;
}

/* Badness spreads along every accumulator edge, both ways. */
static bool propagate(vp_state *s, size_t gi) {
  vp_group *g = &s->g[gi];
  for (unsigned t = 0; t < 2; t++) {
    LLVMValueRef v = g->lanes[t];
    int32_t o;
    if (g->kind == KIND_STEP) {
      o = lookup(s, s->c[g->cand[t]].acc, NULL);
      if (o >= 0 && s->g[o].bad) goto bad;
    } else {
      unsigned ni = LLVMCountIncoming(v);
      for (unsigned q = 0; q < ni; q++) {
        o = lookup(s, LLVMGetIncomingValue(v, q), NULL);
        if (o >= 0 && s->g[o].bad) goto bad;
      }
    }
    for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
      o = lookup(s, LLVMGetUser(u), NULL);
      if (o >= 0 && s->g[o].bad) goto bad;
    }
  }
  return false;
bad:
  g->bad = true;
  return true;
}

/* Step pairs are built once their accumulator vector exists; the chain from
 * a phi pair is acyclic in SSA, so every good pair gets ready. One that
 * does not is dropped rather than trusted. */
static bool check_ready(vp_state *s) {
  for (size_t i = 0; i < s->ng; i++) s->g[i].ready = !s->g[i].bad && s->g[i].kind == KIND_PHI;
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < s->ng; i++) {
      vp_group *g = &s->g[i];
      if (g->bad || g->ready) continue;
      int32_t a = lookup(s, s->c[g->cand[0]].acc, NULL);
      if (a >= 0 && s->g[a].ready) g->ready = progress = true;
    }
  }
  bool changed = false;
  for (size_t i = 0; i < s->ng; i++)
    if (!s->g[i].bad && !s->g[i].ready) s->g[i].bad = changed = true;
  return changed;
}

/* Fixpoint: every change marks a group bad or adds a phi pair (each phi at
 * most once), so it terminates. */
static void validate_all(vp_state *s) {
  bool changed = true;
  while (changed && !s->oom) {
    changed = false;
    for (size_t i = 0; i < s->ng && !s->oom; i++) {
      if (s->g[i].bad) continue;
      changed |= s->g[i].kind == KIND_STEP ? validate_step(s, i) : validate_phi(s, i);
    }
    for (size_t i = 0; i < s->ng; i++)
      if (!s->g[i].bad) changed |= propagate(s, i);
    if (!changed) changed = check_ready(s);
  }
}

/* ---- rewriting ---------------------------------------------------------- */

static LLVMValueRef mask(vp_state *s, const unsigned *idx, unsigned n) {
  LLVMValueRef e[8];
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
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
  else
    LLVMPositionBuilderBefore(bd, first_non_phi(bb));
  LLVMValueRef w8 = LLVMBuildShuffleVector(bd, w, LLVMGetPoison(s->v4), mask(s, k_dup, 8), "vp.w");
  s->wide[s->nw].w = w;
  s->wide[s->nw].bb = bb;
  s->wide[s->nw++].w8 = w8;
  return w8;
}

static LLVMValueRef build_constrained(vp_state *s, LLVMBuilderRef bd, unsigned id, LLVMValueRef a,
                                      LLVMValueRef b, LLVMValueRef orig, const char *name) {
  LLVMTypeRef vt = s->v8;
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, id, &vt, 1);
  LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, id, &vt, 1);
  /* the original's rounding and exception-behaviour metadata */
  LLVMValueRef args[4] = {a, b, LLVMGetOperand(orig, 2), LLVMGetOperand(orig, 3)};
  LLVMValueRef call = LLVMBuildCall2(bd, ft, fn, args, 4, name);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, s->strictfp);
  return call;
}

static void build_step(vp_state *s, LLVMBuilderRef bd, vp_group *g) {
  const vp_cand *c0 = &s->c[g->cand[0]], *c1 = &s->c[g->cand[1]];
  unsigned k = g->shared, o = 1 - k;
  LLVMValueRef w8 = wide_w(s, bd, LLVMGetOperand(c0->mul, k), g->bb);
  /* everything at the second lane, where all operands exist */
  LLVMPositionBuilderBefore(bd, g->lanes[1]);
  LLVMValueRef x8 = concat(s, bd, LLVMGetOperand(c0->mul, o), LLVMGetOperand(c1->mul, o));
  LLVMValueRef vm = build_constrained(s, bd, s->id_fmul, k ? x8 : w8, k ? w8 : x8, c0->mul, "vp.mul");
  LLVMValueRef acc = s->g[lookup(s, c0->acc, NULL)].vec;
  bool mf = mul_first(c0);
  g->vec = build_constrained(s, bd, s->id_fadd, mf ? vm : acc, mf ? acc : vm, c0->step, "vp.add");
}

/* Every use of a lane outside the web reads the matching half instead. */
static void extract_external(vp_state *s, LLVMBuilderRef bd, vp_group *g) {
  for (unsigned t = 0; t < 2; t++) {
    LLVMValueRef v = g->lanes[t];
    for (;;) {
      LLVMValueRef user = NULL;
      for (LLVMUseRef u = LLVMGetFirstUse(v); u && !user; u = LLVMGetNextUse(u)) {
        int32_t o = lookup(s, LLVMGetUser(u), NULL);
        if (o < 0 || s->g[o].bad) user = LLVMGetUser(u);
      }
      if (!user) break;
      int nop = LLVMGetNumOperands(user);
      for (int o = 0; o < nop; o++) {
        if (LLVMGetOperand(user, (unsigned)o) != v) continue;
        LLVMValueRef e;
        if (LLVMIsAPHINode(user)) {
          LLVMPositionBuilderBefore(
              bd, LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(user, (unsigned)o)));
          e = half(s, bd, g->vec, t);
        } else {
          if (!g->ext[t]) {
            /* right after the vector: before the second lane (still there),
             * or after the phis */
            LLVMPositionBuilderBefore(bd, g->kind == KIND_STEP ? g->lanes[1] : first_non_phi(g->bb));
            g->ext[t] = half(s, bd, g->vec, t);
          }
          e = g->ext[t];
        }
        LLVMSetOperand(user, (unsigned)o, e);
      }
    }
  }
}

static void transform_function(vp_state *s, LLVMBuilderRef bd) {
  /* 1. vector phis (incomings later: they may come from step pairs) */
  for (size_t i = 0; i < s->ng; i++) {
    vp_group *g = &s->g[i];
    if (g->bad || g->kind != KIND_PHI) continue;
    LLVMPositionBuilderBefore(bd, LLVMGetFirstInstruction(g->bb));
    g->vec = LLVMBuildPhi(bd, s->v8, "vp.phi");
  }
  /* 2. step pairs, each after the vector of its accumulators */
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < s->ng; i++) {
      vp_group *g = &s->g[i];
      if (g->bad || g->kind != KIND_STEP || g->vec) continue;
      if (!s->g[lookup(s, s->c[g->cand[0]].acc, NULL)].vec) continue;
      build_step(s, bd, g);
      progress = true;
    }
  }
  /* 3. phi incomings: a pair's vector, or the entry values concatenated */
  for (size_t i = 0; i < s->ng; i++) {
    vp_group *g = &s->g[i];
    if (g->bad || g->kind != KIND_PHI) continue;
    LLVMValueRef p0 = g->lanes[0];
    unsigned ni = LLVMCountIncoming(p0);
    for (unsigned k = 0; k < ni; k++) {
      LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
      LLVMValueRef v0 = LLVMGetIncomingValue(p0, k), iv;
      int32_t o = lookup(s, v0, NULL);
      if (o >= 0) {
        iv = s->g[o].vec;
      } else {
        LLVMPositionBuilderBefore(bd, LLVMGetBasicBlockTerminator(ib));
        iv = concat(s, bd, v0, incoming_from(g->lanes[1], ib));
      }
      LLVMAddIncoming(g->vec, &iv, &ib, 1);
    }
  }
  /* 4. lanes leaving the web */
  for (size_t i = 0; i < s->ng; i++)
    if (!s->g[i].bad) extract_external(s, bd, &s->g[i]);
  /* 5. the <4 x float> lanes and their products (loads stay untouched) */
  for (size_t i = 0; i < s->ng; i++) {
    vp_group *g = &s->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < 2; t++) LLVMReplaceAllUsesWith(g->lanes[t], LLVMGetPoison(s->v4));
  }
  for (size_t i = 0; i < s->ng; i++) {
    vp_group *g = &s->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < 2; t++) {
      LLVMInstructionEraseFromParent(g->lanes[t]);
      if (g->kind == KIND_STEP) LLVMInstructionEraseFromParent(s->c[g->cand[t]].mul);
    }
  }
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
  s.ctx = ctx;
  s.m = m;
  s.lc = LLVMGetModuleContext(m);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(s.lc);
  s.v4 = LLVMVectorType(f32, 4);
  s.v8 = LLVMVectorType(f32, 8);
  s.id_fmul = LLVMLookupIntrinsicID("llvm.experimental.constrained.fmul", 34);
  s.id_fadd = LLVMLookupIntrinsicID("llvm.experimental.constrained.fadd", 34);
  s.strictfp = LLVMCreateEnumAttribute(s.lc, LLVMGetEnumAttributeKindForName("strictfp", 8), 0);
  LLVMBuilderRef bd = LLVMCreateBuilderInContext(s.lc);
  if (!bd || !s.id_fmul || !s.id_fadd) {
    LLVMDisposeBuilder(bd);
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "v128 pairing: LLVM lacks constrained intrinsics");
  }
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    s.nc = s.ng = s.map_count = s.nw = 0;
    if (s.map) memset(s.map, 0, s.map_cap * sizeof *s.map);
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b && !s.oom; b = LLVMGetNextBasicBlock(b))
      find_steps(&s, b);
    if (!s.ng || s.oom) continue;
    validate_all(&s);
    if (s.oom) break; /* nothing of this function was changed yet */
    unsigned good = 0;
    for (size_t i = 0; i < s.ng; i++) {
      if (s.g[i].bad) {
        if (s.g[i].kind == KIND_STEP) stats->rejected++;
      } else if (s.g[i].kind == KIND_STEP) {
        good++;
      } else {
        stats->phi_pairs++;
      }
    }
    if (!good) continue;
    /* the only allocation of the rewrite (one concat(w, w) per pair at
     * most), made before anything changes */
    if (!grow((void **)&s.wide, &s.cw, good, sizeof *s.wide)) {
      s.oom = true;
      break;
    }
    stats->functions++;
    stats->pairs += good;
    transform_function(&s, bd);
  }
  LLVMDisposeBuilder(bd);
  free(s.c);
  free(s.g);
  free(s.map);
  free(s.wide);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "v128 pairing: out of memory");
#ifndef NDEBUG
  verify = true;
#endif
  if (verify) {
    char *msg = NULL;
    if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
      wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                                     "v128 pairing produced invalid IR: %.300s", msg ? msg : "");
      LLVMDisposeMessage(msg);
      return st;
    }
    LLVMDisposeMessage(msg);
  }
  return WASMGRAPH_OK;
}
