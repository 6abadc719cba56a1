/*
 * tile_vectorize.c — packs the register tiles of TVM's scalar conv kernels
 * into <4 x float> / <8 x float> constrained-FP operations.
 *
 * Why: TVM's scalar conv schedules keep a tile of accumulators in registers,
 *   acc_k = fadd(fmul(s, load(base + zext(X) + C0 + 4k)), acc_k),  k = 0..3 or 0..7
 * (one input value s times contiguous weights), or, for depthwise kernels,
 *   acc_k = fadd(fmul(load(in + 4k), load(w + 4k)), acc_k).
 * -frounding-math (required for wasm semantics) turns every f32 operation
 * into a constrained intrinsic, and clang 14's SLP vectorizer never packs
 * those; with 16 xmm registers most of a ~100-accumulator tile spills on
 * every iteration. This pass packs each group of lanes into one vector
 * multiply and one vector add, turns the accumulators' phi web into vector
 * phis, loads the contiguous operands with one vector load, splats a shared
 * operand, and extracts lanes only where a value leaves the web
 * (1 thread, CPU time: squeezenet1_1 135 -> 52 ms, mobilenet_v2 144 -> 65 ms,
 * resnet18 692 -> 174 ms; outputs bit-identical).
 *
 * Invariants (each checked where it is enforced: below, or for the web
 * machinery in acc_web.c, shared with v128_pair.c):
 *  - FP: lane k computes exactly the original fmul then fadd, same operand
 *    order, same rounding/exception metadata; vector constrained intrinsics
 *    only (no FMA, no reassociation). IEEE vector ops are lane-wise, so every
 *    lane's bits equal the scalar result.
 *  - All or nothing per web: groups connected through accumulators (steps,
 *    phis, their incoming values) are packed together or not at all, and a
 *    lane's scalar value stays available (extractelement) to every user
 *    outside the web.
 *  - Memory: a group's block holds no stores, no calls other than
 *    constrained FP and wasm2c's load barriers (empty inline asm), no fences
 *    or atomics: no observable effect happens between the original lanes'
 *    loads, so one vector load may replace them. In guard-page mode an
 *    out-of-bounds load traps by itself; the vector load reads exactly the
 *    bytes the lanes read, except in the wrap case below.
 *  - Address folding: a lane's offset zext(X + K) (i32 add, 0 <= K < 64 KiB)
 *    is treated as zext(X) + K so lanes line up. These differ only when
 *    X + K wraps, i.e. X >= 2^32 - K > 2^32 - 64 KiB. With linear memory
 *    capped at 65535 pages its size is <= 2^32 - 64 KiB, so then X is past
 *    the end, and any load at zext(X) + C (C >= 0, 64-bit add, no wrap)
 *    traps. We require such an "anchor" load in the same block (same memory
 *    base, same X): it either stays (its value is still used) or is a lane
 *    of a packed group whose vector load covers its address. Either way the
 *    block traps before any observable effect, as the original does, and the
 *    folded vector load (at most 4 GiB + 64 KiB + 32 bytes, inside the guard
 *    region) traps too. Hence: guard pages only, max pages <= 65535.
 */
#include "tile_vectorize.h"

#include <stdlib.h>
#include <string.h>

#include "acc_web.h"
#include "pass_util.h"

enum { ROLE_SPLAT, ROLE_VEC };

/* A float load's address: base + zext(root) + off (root an i32), or
 * base + root + off (root an i64). `folded`: K was moved out of the zext. */
typedef struct tv_addr {
  LLVMValueRef base, root;
  int64_t off;
  bool folded;
} tv_addr;

/* A step (acc_cand; pos: vectors go before the last lane) and its operands. */
typedef struct tv_cand {
  acc_cand base;
  LLVMValueRef op[2]; /* the multiply's operands, in order */
  tv_addr addr[2];
  bool is_load[2];
} tv_cand;

/* Groups are acc_groups; tag[j] is the role of multiply operand j. */
_Static_assert(WGC_TILE_MAX_LANES <= ACC_MAX_LANES, "groups too narrow");

typedef struct tv_entry {
  uintptr_t key[5];
  int64_t off[2];
  uint32_t pos, ci;
} tv_entry;

/* Per-module state; arrays are reused from function to function. */
typedef struct tv_state {
  acc_web w; /* candidates (tv_cand), groups, map */
  unsigned max_lanes;
  tv_entry *e;
  size_t ce;
  LLVMValueRef *loads; /* transform phase: lane loads to erase, sized beforehand */
  size_t cl;
  LLVMValueRef *ids; /* group_variant: values numbered by first use (sort keys) */
  size_t nids, cids;
  wgc_tile_stats *st;
} tv_state;

/* ---- small helpers ------------------------------------------------------ */

static tv_cand *cand(const tv_state *s, size_t i) { return (tv_cand *)wgc_acc_web_cand(&s->w, i); }

/* Group of v, or -1; *lane gets the lane. */
static int32_t lookup(const tv_state *s, LLVMValueRef v, int32_t *lane) {
  return wgc_acc_web_lookup(&s->w, v, lane);
}

static bool is_float(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMFloatTypeKind; }

/* Decomposes a (non-volatile, non-atomic) load's address (pass_util.h):
 * base + zext(root) + off with off = c + k, `folded` when k was moved out
 * of the zext (the case the proof above covers), or base + root + c for an
 * i64 index without a zext. Any loaded type (anchors may be i32 loads);
 * callers check the type. */
static bool decompose(LLVMValueRef ld, tv_addr *a) {
  if (!LLVMIsALoadInst(ld) || LLVMGetVolatile(ld) ||
      LLVMGetOrdering(ld) != LLVMAtomicOrderingNotAtomic)
    return false;
  wgc_address w;
  if (!wgc_address_parse(LLVMGetOperand(ld, 0), &w)) return false;
  a->base = w.base;
  a->root = w.root;
  a->off = (int64_t)(w.c + w.k);
  a->folded = w.k != 0;
  return true;
}

/* No observable effect between the loads of the block (see the invariants). */
static bool block_ok(LLVMBasicBlockRef b) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
    if (wgc_has_effect(i)) return false;
  return true;
}

/* A load in `b` at base + zext(X) + C with no i32 add folded (see the proof). */
static bool has_anchor(LLVMBasicBlockRef b, LLVMValueRef base, LLVMValueRef x) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
    tv_addr a;
    if (LLVMIsALoadInst(i) && decompose(i, &a) && !a.folded && a.base == base && a.root == x)
      return true;
  }
  return false;
}

/* ---- finding groups ----------------------------------------------------- */
static LLVMValueRef lane_mul_md(const tv_cand *c, unsigned k) {
  return LLVMGetOperand(c->base.mul, k);
}
static LLVMValueRef lane_add_md(const tv_cand *c, unsigned k) {
  return LLVMGetOperand(c->base.step, k);
}

/* Same operand order in the add and same rounding/exception metadata. */
static bool same_shape(const tv_cand *a, const tv_cand *b) {
  return (LLVMGetOperand(a->base.step, 0) == a->base.mul) ==
             (LLVMGetOperand(b->base.step, 0) == b->base.mul) &&
         lane_mul_md(a, 2) == lane_mul_md(b, 2) && lane_mul_md(a, 3) == lane_mul_md(b, 3) &&
         lane_add_md(a, 2) == lane_add_md(b, 2) && lane_add_md(a, 3) == lane_add_md(b, 3);
}

/* A sort key for value v: its number in order of first use among this
 * block's candidates. Keys only group equal values and order the groups;
 * using the values' heap addresses instead made the order groups are formed
 * in, and so the generated code, change from one compile to the next. */
static uintptr_t value_id(tv_state *s, LLVMValueRef v) {
  for (size_t i = 0; i < s->nids; i++)
    if (s->ids[i] == v) return i + 1;
  if (!wgc_acc_grow((void **)&s->ids, &s->cids, s->nids + 1, sizeof *s->ids)) {
    s->w.oom = true;
    return 0;
  }
  s->ids[s->nids++] = v;
  return s->nids;
}

static int cmp_entry(const void *pa, const void *pb) {
  const tv_entry *a = pa, *b = pb;
  for (int i = 0; i < 5; i++)
    if (a->key[i] != b->key[i]) return a->key[i] < b->key[i] ? -1 : 1;
  for (int i = 0; i < 2; i++)
    if (a->off[i] != b->off[i]) return a->off[i] < b->off[i] ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Collects the block's steps [first, nc) and forms groups under one role
 * assignment (role[j]: operand j of the multiply is shared or contiguous). */
static void group_variant(tv_state *s, LLVMBasicBlockRef b, size_t first, const unsigned role[2]) {
  size_t ne = 0;
  if (!wgc_acc_grow((void **)&s->e, &s->ce, s->w.nc - first, sizeof *s->e)) {
    s->w.oom = true;
    return;
  }
  s->nids = 0;
  for (size_t i = first; i < s->w.nc; i++) {
    const tv_cand *c = cand(s, i);
    tv_entry *e = &s->e[ne];
    memset(e, 0, sizeof *e);
    e->key[0] = LLVMGetOperand(c->base.step, 0) == c->base.mul;
    bool ok = true;
    int nv = 0;
    for (int j = 0; j < 2; j++) {
      if (role[j] == ROLE_SPLAT) {
        e->key[1 + 2 * j] = value_id(s, c->op[j]);
      } else {
        if (!c->is_load[j]) ok = false;
        e->key[1 + 2 * j] = value_id(s, c->addr[j].base);
        e->key[2 + 2 * j] = value_id(s, c->addr[j].root);
        e->off[nv++] = c->addr[j].off;
      }
    }
    if (!ok) continue;
    e->pos = c->base.pos;
    e->ci = (uint32_t)i;
    ne++;
  }
  qsort(s->e, ne, sizeof *s->e, cmp_entry);
  size_t i = 0;
  while (i < ne) {
    /* a run: same key, offsets +4 per lane in every contiguous operand */
    size_t r = i + 1;
    while (r < ne && memcmp(s->e[r].key, s->e[i].key, sizeof s->e[i].key) == 0 &&
           s->e[r].off[0] == s->e[r - 1].off[0] + 4 &&
           (role[0] == ROLE_SPLAT || role[1] == ROLE_SPLAT ||
            s->e[r].off[1] == s->e[r - 1].off[1] + 4) &&
           same_shape(cand(s, s->e[r].ci), cand(s, s->e[i].ci)))
      r++;
    size_t at = i, len = r - i;
    while (len >= 4) {
      unsigned w = len >= 8 && s->max_lanes >= 8 ? 8 : 4;
      bool taken = false;
      for (unsigned t = 0; t < w; t++)
        if (lookup(s, cand(s, s->e[at + t].ci)->base.step, NULL) >= 0) taken = true;
      if (!taken) {
        int gi = wgc_acc_web_new_group(&s->w, ACC_STEP, w, b);
        if (gi < 0) return;
        acc_group *g = &s->w.g[gi];
        g->tag[0] = (unsigned char)role[0];
        g->tag[1] = (unsigned char)role[1];
        for (unsigned t = 0; t < w; t++) {
          g->cand[t] = s->e[at + t].ci;
          g->lanes[t] = cand(s, g->cand[t])->base.step;
          if (!wgc_acc_web_put(&s->w, g->lanes[t], gi, (int32_t)t)) {
            s->w.oom = true;
            return;
          }
        }
        /* Folded addresses need an anchor load (see the proof at the top). */
        for (int j = 0; j < 2; j++) {
          if (role[j] != ROLE_VEC) continue;
          const tv_addr *a0 = &cand(s, g->cand[0])->addr[j];
          bool folded = false;
          for (unsigned t = 0; t < w; t++) folded |= cand(s, g->cand[t])->addr[j].folded;
          if (folded && !has_anchor(b, a0->base, a0->root)) g->bad = true;
        }
      }
      at += w;
      len -= w;
    }
    i = r;
  }
}

static void find_steps(void *pass, LLVMBasicBlockRef b) {
  tv_state *s = pass;
  if (!block_ok(b)) return;
  size_t first = s->w.nc;
  /* Steps whose product has no other use: one used elsewhere too must stay scalar. */
  wgc_acc_web_collect_steps(&s->w, b, "llvm.experimental.constrained.fadd.f32",
                            "llvm.experimental.constrained.fmul.f32",
                            LLVMFloatTypeInContext(s->w.lc));
  if (s->w.oom) return;
  for (size_t i = first; i < s->w.nc; i++) {
    tv_cand *c = cand(s, i);
    for (unsigned j = 0; j < 2; j++) {
      c->op[j] = LLVMGetOperand(c->base.mul, j);
      /* contiguous operands: float loads in this block */
      c->is_load[j] = LLVMIsALoadInst(c->op[j]) && LLVMGetInstructionParent(c->op[j]) == b &&
                      is_float(c->op[j]) && decompose(c->op[j], &c->addr[j]);
    }
  }
  if (s->w.nc - first < 4) return;
  /* Shared operand first (pointwise/regular conv), then both contiguous
   * (depthwise): a step joins at most one group. */
  static const unsigned variants[3][2] = {
      {ROLE_SPLAT, ROLE_VEC}, {ROLE_VEC, ROLE_SPLAT}, {ROLE_VEC, ROLE_VEC}};
  for (int v = 0; v < 3 && !s->w.oom; v++) group_variant(s, b, first, variants[v]);
}

/* ---- validating the webs (pass-specific part; the rest is acc_web.c) ---- */

static uint32_t last_lane(const tv_state *s, const acc_group *g) {
  uint32_t last = 0;
  for (unsigned t = 1; t < g->n; t++)
    if (cand(s, g->cand[t])->base.pos > cand(s, g->cand[last])->base.pos) last = t;
  return last;
}

/* One step group. Returns true if it changed anything. */
static bool validate_step(void *pass, size_t gi) {
  tv_state *s = pass;
  acc_group *g = &s->w.g[gi];
  unsigned n = g->n;
  LLVMValueRef acc[WGC_TILE_MAX_LANES];
  for (unsigned t = 0; t < n; t++) acc[t] = cand(s, g->cand[t])->base.acc;
  /* A shared operand that is itself a lane would be replaced under us. */
  for (unsigned j = 0; j < 2; j++)
    if (g->tag[j] == ROLE_SPLAT && lookup(s, cand(s, g->cand[0])->op[j], NULL) >= 0) goto bad;
  if (lookup(s, acc[0], NULL) >= 0) {
    if (!wgc_acc_web_lanes_match(&s->w, acc, n)) goto bad;
  } else {
    /* Accumulators must be phis (the loop-carried tile); make them a group. */
    if (!wgc_acc_web_try_phi_group(&s->w, acc, n, LLVMFloatTypeInContext(s->w.lc))) goto bad;
    return true;
  }
  /* A user outside the web gets an extractelement of the vector, which only
   * exists after the group's last lane: same-block users must come later. */
  g = &s->w.g[gi];
  LLVMValueRef last = g->lanes[last_lane(s, g)];
  for (unsigned t = 0; t < n; t++)
    for (LLVMUseRef u = LLVMGetFirstUse(g->lanes[t]); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      /* (a phi's extract goes to the end of its incoming block: always late enough) */
      if (lookup(s, user, NULL) >= 0 || LLVMGetInstructionParent(user) != g->bb ||
          LLVMIsAPHINode(user))
        continue;
      if (!wgc_acc_comes_after(last, user)) goto bad;
    }
  return false;
bad:
  s->w.g[gi].bad = true;
  return true;
}

static bool validate_phi(void *pass, size_t gi) {
  tv_state *s = pass;
  unsigned n = s->w.g[gi].n;
  LLVMValueRef p0 = s->w.g[gi].lanes[0];
  unsigned ni = LLVMCountIncoming(p0);
  bool changed = false;
  for (unsigned k = 0; k < ni; k++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
    LLVMValueRef v[WGC_TILE_MAX_LANES];
    for (unsigned t = 0; t < n; t++) {
      v[t] = wgc_acc_incoming_from(s->w.g[gi].lanes[t], ib);
      if (!v[t]) goto bad;
    }
    if (lookup(s, v[0], NULL) >= 0) {
      if (!wgc_acc_web_lanes_match(&s->w, v, n)) goto bad;
    } else if (LLVMIsAPHINode(v[0]) &&
               wgc_acc_web_try_phi_group(&s->w, v, n, LLVMFloatTypeInContext(s->w.lc))) {
      changed = true; /* an outer loop level of the same web */
    } else {
      /* Entry values (e.g. zero): gathered, so none may be a lane. */
      for (unsigned t = 0; t < n; t++)
        if (lookup(s, v[t], NULL) >= 0) goto bad;
    }
  }
  return changed;
bad:
  s->w.g[gi].bad = true;
  return true;
}

/* ---- rewriting ---------------------------------------------------------- */

static LLVMValueRef i32c(tv_state *s, unsigned v) {
  return LLVMConstInt(LLVMInt32TypeInContext(s->w.lc), v, 0);
}

static LLVMValueRef build_splat(tv_state *s, LLVMBuilderRef bd, LLVMValueRef x, unsigned n) {
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(x), n);
  LLVMValueRef v = LLVMBuildInsertElement(bd, LLVMGetPoison(vt), x, i32c(s, 0), "tv.ins");
  LLVMValueRef mask = LLVMConstNull(LLVMVectorType(LLVMInt32TypeInContext(s->w.lc), n));
  return LLVMBuildShuffleVector(bd, v, LLVMGetPoison(vt), mask, "tv.splat");
}

/* <n x float> at lane 0's (folded) address; align 1 like wasm2c's loads. */
static LLVMValueRef build_vload(tv_state *s, LLVMBuilderRef bd, const tv_addr *a, unsigned n) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(s->w.lc);
  LLVMValueRef off = a->root;
  if (LLVMGetIntTypeWidth(LLVMTypeOf(off)) == 32) off = LLVMBuildZExt(bd, off, i64, "tv.zext");
  if (a->off)
    off = LLVMBuildNUWAdd(bd, off, LLVMConstInt(i64, (unsigned long long)a->off, 0), "tv.off");
  /* Not inbounds: in the wrap case the address lies past the original
   * accesses (it traps; see the proof). */
  LLVMValueRef gep = LLVMBuildGEP2(bd, LLVMInt8TypeInContext(s->w.lc), a->base, &off, 1, "tv.gep");
  LLVMTypeRef vt = LLVMVectorType(LLVMFloatTypeInContext(s->w.lc), n);
  unsigned as = LLVMGetPointerAddressSpace(LLVMTypeOf(a->base));
  LLVMValueRef p = LLVMBuildBitCast(bd, gep, LLVMPointerType(vt, as), "tv.ptr");
  LLVMValueRef ld = LLVMBuildLoad2(bd, vt, p, "tv.ld");
  LLVMSetAlignment(ld, 1);
  return ld;
}

static void build_step(void *pass, LLVMBuilderRef bd, acc_group *g) {
  tv_state *s = pass;
  const tv_cand *c0 = cand(s, g->cand[0]);
  LLVMPositionBuilderBefore(bd, g->lanes[last_lane(s, g)]);
  LLVMTypeRef vt = LLVMVectorType(LLVMFloatTypeInContext(s->w.lc), g->n);
  LLVMValueRef ops[2];
  for (int j = 0; j < 2; j++)
    ops[j] = g->tag[j] == ROLE_SPLAT ? build_splat(s, bd, c0->op[j], g->n)
                                     : build_vload(s, bd, &c0->addr[j], g->n);
  LLVMValueRef vm = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fmul, vt, ops[0], ops[1],
                                                  c0->base.mul, "tv.mul");
  LLVMValueRef acc = s->w.g[lookup(s, c0->base.acc, NULL)].vec;
  bool mul_first = LLVMGetOperand(c0->base.step, 0) == c0->base.mul;
  g->vec = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fadd, vt, mul_first ? vm : acc,
                                         mul_first ? acc : vm, c0->base.step, "tv.add");
}

/* A phi group's entry values from block ib, gathered. */
static LLVMValueRef gather(void *pass, LLVMBuilderRef bd, acc_group *g, LLVMBasicBlockRef ib,
                           LLVMValueRef v0) {
  (void)v0;
  LLVMValueRef iv = LLVMGetPoison(LLVMTypeOf(g->vec));
  for (unsigned t = 0; t < g->n; t++)
    iv = LLVMBuildInsertElement(bd, iv, wgc_acc_incoming_from(g->lanes[t], ib), i32c(pass, t),
                                "tv.in");
  return iv;
}

/* A user outside the web reads an extractelement instead of the lane. */
static LLVMValueRef extract(void *pass, LLVMBuilderRef bd, acc_group *g, unsigned t,
                            LLVMValueRef user) {
  (void)user;
  return LLVMBuildExtractElement(bd, g->vec, i32c(pass, t), "tv.ext");
}

/* Erases v (a lane load, if `load`) and the address arithmetic only it used. */
static void erase_dead(LLVMValueRef v, bool load) {
  if (!v || !LLVMIsAInstruction(v) || LLVMGetFirstUse(v)) return;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  if (!(op == LLVMLoad && load) && op != LLVMBitCast && op != LLVMGetElementPtr && op != LLVMAdd &&
      op != LLVMZExt)
    return;
  LLVMValueRef ops[2] = {NULL, NULL};
  int nop = LLVMGetNumOperands(v);
  for (int i = 0; i < nop && i < 2; i++) ops[i] = LLVMGetOperand(v, (unsigned)i);
  LLVMInstructionEraseFromParent(v);
  for (int i = 0; i < 2; i++) erase_dead(ops[i], false);
}

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (const LLVMValueRef *)a, y = (uintptr_t) * (const LLVMValueRef *)b;
  return x < y ? -1 : x > y;
}

/* Statistics; the only allocation of the rewrite, made before anything
 * changes. */
static bool prepare(void *pass, const acc_counts *n) {
  tv_state *s = pass;
  wgc_tile_stats *st = s->st;
  st->rejected += n->rejected;
  st->phi_groups += n->phis;
  if (!n->good) return true;
  for (size_t i = 0; i < s->w.ng; i++)
    if (!s->w.g[i].bad && s->w.g[i].kind == ACC_STEP) st->groups_by_lanes[s->w.g[i].n]++;
  if (!wgc_acc_grow((void **)&s->loads, &s->cl, (size_t)n->good * 2 * WGC_TILE_MAX_LANES,
                    sizeof *s->loads))
    return false;
  st->functions++;
  st->groups += n->good;
  return true;
}

static void transform_function(void *pass, LLVMBuilderRef bd) {
  tv_state *s = pass;
  /* vector phis, steps (vector loads, splats), phi incomings, extracts for
   * lanes leaving the web; then the lanes and their products go */
  static const acc_rewrite_ops ops = {1, "tv.phi", build_step, gather, extract};
  wgc_acc_web_rewrite(&s->w, bd, &ops, s);
  /* A load may be a lane of several groups (shared weights): erase each
   * distinct one once, when nothing uses it any more. */
  size_t nl = 0;
  for (size_t i = 0; i < s->w.ng; i++) {
    acc_group *g = &s->w.g[i];
    if (g->bad || g->kind != ACC_STEP) continue;
    for (unsigned t = 0; t < g->n; t++)
      for (int j = 0; j < 2; j++)
        if (g->tag[j] == ROLE_VEC) s->loads[nl++] = cand(s, g->cand[t])->op[j];
  }
  qsort(s->loads, nl, sizeof *s->loads, cmp_ptr);
  for (size_t i = 0; i < nl; i++)
    if (i == 0 || s->loads[i] != s->loads[i - 1]) erase_dead(s->loads[i], true);
}

/* ---- entry -------------------------------------------------------------- */

void wgc_tile_options_init(wgc_tile_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->guard_pages = false;
  opt->memory_max_pages = 65536u;
  opt->max_lanes = 4;
  opt->verify = false;
}

wasmgraph_status wgc_tile_vectorize(wgc_ctx *ctx, LLVMModuleRef m, const wgc_tile_options *opt,
                                    wgc_tile_stats *stats) {
  wgc_tile_stats dummy;
  if (!stats) stats = &dummy;
  memset(stats, 0, sizeof *stats);
  if (!m || !opt)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "tile vectorizer: no module or options");
  if (opt->max_lanes != 4 && opt->max_lanes != 8)
    return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT,
                    "tile vectorizer: max_lanes must be 4 or 8, not %u", opt->max_lanes);
  /* The two conditions of the address-folding proof. */
  if ((stats->disabled = wgc_trap_proof_unmet(opt->guard_pages, opt->memory_max_pages)) != NULL)
    return WASMGRAPH_OK;
  tv_state s;
  memset(&s, 0, sizeof s);
  s.max_lanes = opt->max_lanes;
  s.st = stats;
  static const acc_pass ops = {"tile vectorizer", sizeof(tv_cand), find_steps,        validate_step,
                               validate_phi,      prepare,         transform_function};
  wasmgraph_status st = wgc_acc_web_run(&s.w, ctx, m, &ops, &s, opt->verify);
  free(s.e);
  free(s.loads);
  free(s.ids);
  return st;
}
