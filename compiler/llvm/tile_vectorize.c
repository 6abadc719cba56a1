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
 *
 * Integer mode (wgc_tile_options.ints, the `int-tile` pass, which runs
 * before int_dot.c). TVM's scalar int8 convs keep the same kind of tile,
 *   acc[p][o] = add(mul(sext(load iE x_p), sext(load iE w_o)), acc[p][o])
 * in wrapping i32 (E = i8, or i16 for QNN). Each position's 4 output
 * channels become one <4 x i32> mul and add of sext(<4 x iE> row load) and
 * sext(splat(load x_p)): the shape int_dot.c turns into dot products.
 * Differences from the float mode, each exact:
 *  - integer lanes wrap as the scalar operations do; no metadata to match;
 *  - a multiply's operands may be swapped (TVM writes x*w in some lanes and
 *    w*x in others; integer multiplication commutes exactly);
 *  - a row is loaded once per block for all positions (int_dot.c wants one
 *    shared row), at the first point where its address exists: nothing in
 *    the block has an effect, so no trap moves past one;
 *  - the lanes' loads still carry barriers (their values only feed the
 *    accumulators, so pruning kept them): the row load, which reads exactly
 *    their bytes, gets a barrier, and the lanes' loads go with theirs.
 * LLVM's SLP vectorizer would split these tiles into partial vectors first,
 * so pipeline.c holds it back in modules without wasm SIMD.
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
  /* Integer tiles: the load under op[j] = sext(load iE), and E's size in
   * bytes (1 or 2); 0 when op[j] is no such value. */
  LLVMValueRef int_load[2];
  unsigned char eb[2];
} tv_cand;

/* Groups are acc_groups; tag[j] is the role of multiply operand j. */
_Static_assert(WGC_TILE_MAX_LANES <= ACC_MAX_LANES, "groups too narrow");

typedef struct tv_entry {
  uintptr_t key[5];
  int64_t off[2];
  int64_t stride[2]; /* bytes between lanes of contiguous operand off[i] */
  uint32_t pos, ci;
} tv_entry;

/* An integer tile's weight row, loaded once per block for all the groups
 * (positions) that multiply by it: int_dot.c wants the row shared. */
typedef struct tv_row {
  LLVMBasicBlockRef bb;
  LLVMValueRef base, root;
  int64_t off;
  LLVMTypeRef et;
  LLVMValueRef sext; /* sext(<n x et> load) */
} tv_row;

/* Per-module state; arrays are reused from function to function. */
typedef struct tv_state {
  acc_web w; /* candidates (tv_cand), groups, map */
  unsigned max_lanes;
  bool ints;       /* integer tiles (wgc_tile_options.ints) */
  LLVMTypeRef acc; /* an accumulator's type: float, or i32 */
  tv_entry *e;
  size_t ce;
  LLVMValueRef *loads; /* transform phase: lane loads to erase, sized beforehand */
  size_t cl;
  LLVMValueRef *ids; /* group_variant: values numbered by first use (sort keys) */
  size_t nids, cids;
  tv_row *rows; /* transform phase, integer tiles: the rows loaded so far */
  size_t nrows, crows;
  wgc_tile_stats *st;
} tv_state;

/* ---- small helpers ------------------------------------------------------ */

static tv_cand *cand(const tv_state *s, size_t i) { return (tv_cand *)wgc_acc_web_cand(&s->w, i); }

/* Group of v, or -1; *lane gets the lane. */
static int32_t lookup(const tv_state *s, LLVMValueRef v, int32_t *lane) {
  return wgc_acc_web_lookup(&s->w, v, lane);
}

static bool is_float(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMFloatTypeKind; }

/* v = sext(load iE) to i32 with the load in b and E = i8 or i16: E's size
 * in bytes (*load gets the load), else 0. */
static unsigned sext_load_bytes(LLVMBasicBlockRef b, LLVMValueRef v, LLVMValueRef *load) {
  *load = NULL;
  if (!LLVMIsAInstruction(v) || LLVMGetInstructionOpcode(v) != LLVMSExt) return 0;
  LLVMValueRef ld = LLVMGetOperand(v, 0);
  if (!LLVMIsALoadInst(ld) || LLVMGetInstructionParent(ld) != b) return 0;
  LLVMTypeRef t = LLVMTypeOf(ld);
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind) return 0;
  unsigned bits = LLVMGetIntTypeWidth(t);
  if (bits != 8 && bits != 16) return 0;
  *load = ld;
  return bits / 8;
}

/* Decomposes a (non-volatile, non-atomic) load's address (pass_util.h):
 * base + zext(root) + off with off = c + k, `folded` when k was moved out
 * of the zext (the case the proof above covers), or base + root + c for an
 * i64 index without a zext. Any loaded type (anchors may be i32 loads);
 * callers check the type. */
static bool decompose(LLVMValueRef ld, tv_addr *a) {
  if (!wgc_is_plain_load(ld)) return false;
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

/* Same operand order in the add and same rounding/exception metadata
 * (integer steps have none: wrapping arithmetic rounds nothing). */
static bool same_shape(const tv_state *s, const tv_cand *a, const tv_cand *b) {
  if ((LLVMGetOperand(a->base.step, 0) == a->base.mul) !=
      (LLVMGetOperand(b->base.step, 0) == b->base.mul))
    return false;
  return s->ints ||
         (lane_mul_md(a, 2) == lane_mul_md(b, 2) && lane_mul_md(a, 3) == lane_mul_md(b, 3) &&
          lane_add_md(a, 2) == lane_add_md(b, 2) && lane_add_md(a, 3) == lane_add_md(b, 3));
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
        e->stride[nv] = s->ints ? c->eb[j] : 4;
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
    /* a run: same key, offsets + one element per lane in every contiguous
     * operand (4 bytes; an integer tile's 1 or 2) */
    size_t r = i + 1;
    while (r < ne && memcmp(s->e[r].key, s->e[i].key, sizeof s->e[i].key) == 0 &&
           s->e[r].stride[0] == s->e[i].stride[0] &&
           s->e[r].off[0] == s->e[r - 1].off[0] + s->e[i].stride[0] &&
           (role[0] == ROLE_SPLAT || role[1] == ROLE_SPLAT ||
            (s->e[r].stride[1] == s->e[i].stride[1] &&
             s->e[r].off[1] == s->e[r - 1].off[1] + s->e[i].stride[1])) &&
           same_shape(s, cand(s, s->e[r].ci), cand(s, s->e[i].ci)))
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

/* An integer multiply is commutative and exact, and TVM's scalar tiles
 * write it either way round (x * w in one lane, w * x in the next), so
 * candidates [first, nc) get one order: the operand whose address root (or
 * value) was seen first in the block goes first. Lanes of one group then
 * agree on which operand is shared. */
static void order_int_operands(tv_state *s, size_t first) {
  s->nids = 0;
  for (size_t i = first; i < s->w.nc && !s->w.oom; i++) {
    tv_cand *c = cand(s, i);
    uintptr_t id[2];
    for (unsigned j = 0; j < 2; j++)
      id[j] = value_id(s, c->is_load[j] ? c->addr[j].root : c->op[j]);
    if (id[1] >= id[0]) continue;
    tv_cand t = *c;
    for (unsigned j = 0; j < 2; j++) {
      c->op[j] = t.op[1 - j];
      c->addr[j] = t.addr[1 - j];
      c->is_load[j] = t.is_load[1 - j];
      c->int_load[j] = t.int_load[1 - j];
      c->eb[j] = t.eb[1 - j];
    }
  }
}

static void find_steps(void *pass, LLVMBasicBlockRef b) {
  tv_state *s = pass;
  if (!block_ok(b)) return;
  size_t first = s->w.nc;
  /* Steps whose product has no other use: one used elsewhere too must stay scalar. */
  if (s->ints) wgc_acc_web_collect_steps(&s->w, b, NULL, NULL, s->acc);
  else
    wgc_acc_web_collect_steps(&s->w, b, "llvm.experimental.constrained.fadd.f32",
                              "llvm.experimental.constrained.fmul.f32", s->acc);
  if (s->w.oom) return;
  for (size_t i = first; i < s->w.nc; i++) {
    tv_cand *c = cand(s, i);
    for (unsigned j = 0; j < 2; j++) {
      c->op[j] = LLVMGetOperand(c->base.mul, j);
      if (s->ints) {
        /* contiguous operands: sext(load i8/i16) in this block */
        c->eb[j] = sext_load_bytes(b, c->op[j], &c->int_load[j]);
        c->is_load[j] = c->eb[j] && decompose(c->int_load[j], &c->addr[j]);
      } else {
        /* contiguous operands: float loads in this block */
        c->is_load[j] = LLVMIsALoadInst(c->op[j]) && LLVMGetInstructionParent(c->op[j]) == b &&
                        is_float(c->op[j]) && decompose(c->op[j], &c->addr[j]);
      }
    }
  }
  if (s->ints) order_int_operands(s, first);
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
    if (!wgc_acc_web_try_phi_group(&s->w, acc, n, s->acc)) goto bad;
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
    } else if (LLVMIsAPHINode(v[0]) && wgc_acc_web_try_phi_group(&s->w, v, n, s->acc)) {
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

/* <n x et> at lane 0's (folded) address; align 1 like wasm2c's loads. */
static LLVMValueRef build_vload(tv_state *s, LLVMBuilderRef bd, const tv_addr *a, LLVMTypeRef et,
                                unsigned n) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(s->w.lc);
  LLVMValueRef off = a->root;
  if (LLVMGetIntTypeWidth(LLVMTypeOf(off)) == 32) off = LLVMBuildZExt(bd, off, i64, "tv.zext");
  if (a->off)
    off = LLVMBuildNUWAdd(bd, off, LLVMConstInt(i64, (unsigned long long)a->off, 0), "tv.off");
  /* Not inbounds: in the wrap case the address lies past the original
   * accesses (it traps; see the proof). */
  LLVMValueRef gep = LLVMBuildGEP2(bd, LLVMInt8TypeInContext(s->w.lc), a->base, &off, 1, "tv.gep");
  LLVMTypeRef vt = LLVMVectorType(et, n);
  unsigned as = LLVMGetPointerAddressSpace(LLVMTypeOf(a->base));
  LLVMValueRef p = LLVMBuildBitCast(bd, gep, LLVMPointerType(vt, as), "tv.ptr");
  LLVMValueRef ld = LLVMBuildLoad2(bd, vt, p, "tv.ld");
  LLVMSetAlignment(ld, 1);
  return ld;
}

/* The first point of block bb where both v[0] and v[1] (an address's
 * memory base and root) are available: after the later of them if either is
 * defined in bb, else after bb's phis. */
static LLVMValueRef first_use_point(LLVMBasicBlockRef bb, const LLVMValueRef v[2]) {
  LLVMValueRef last = NULL;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
    if (i == v[0] || i == v[1]) last = i;
  LLVMValueRef at = last ? LLVMGetNextInstruction(last) : LLVMGetFirstInstruction(bb);
  while (at && LLVMIsAPHINode(at)) at = LLVMGetNextInstruction(at);
  return at;
}

/* An integer tile's row operand: sext(<n x iE> load) of the lanes' bytes,
 * built once per block (the first point where its address exists: the
 * block has no effect to move it across, see block_ok). The lanes' loads
 * kept their barriers (their values only feed the accumulators); the vector
 * load, which reads exactly their bytes, takes the barrier over, so the
 * lanes' loads can go (transform_function). prepare() sized the rows. */
static LLVMValueRef int_row(tv_state *s, LLVMBuilderRef bd, const tv_addr *a, LLVMTypeRef et,
                            LLVMBasicBlockRef bb, unsigned n, LLVMValueRef resume) {
  for (size_t i = 0; i < s->nrows; i++) {
    const tv_row *r = &s->rows[i];
    if (r->bb == bb && r->base == a->base && r->root == a->root && r->off == a->off && r->et == et)
      return r->sext;
  }
  const LLVMValueRef defs[2] = {a->base, a->root};
  LLVMPositionBuilderBefore(bd, first_use_point(bb, defs));
  LLVMValueRef v = build_vload(s, bd, a, et, n);
  wgc_build_load_barrier(bd, v);
  LLVMValueRef x =
      LLVMBuildSExt(bd, v, LLVMVectorType(LLVMInt32TypeInContext(s->w.lc), n), "tv.row");
  LLVMPositionBuilderBefore(bd, resume);
  if (s->nrows < s->crows) s->rows[s->nrows++] = (tv_row){bb, a->base, a->root, a->off, et, x};
  return x;
}

/* An integer operand as sext(<n x iE>): the lanes' loads as one vector
 * load, or a splat of the shared load (the shape int_dot.c reads: its
 * elements' bytes are visible through the sext). */
static LLVMValueRef build_int_operand(tv_state *s, LLVMBuilderRef bd, const acc_group *g, int j,
                                      LLVMValueRef resume) {
  const tv_cand *c0 = cand(s, g->cand[0]);
  unsigned n = g->n;
  if (!c0->eb[j]) return build_splat(s, bd, c0->op[j], n); /* not a sext of a load */
  LLVMTypeRef et = LLVMTypeOf(c0->int_load[j]);
  if (g->tag[j] == ROLE_VEC) return int_row(s, bd, &c0->addr[j], et, g->bb, n, resume);
  LLVMValueRef v = build_splat(s, bd, c0->int_load[j], n);
  return LLVMBuildSExt(bd, v, LLVMVectorType(LLVMInt32TypeInContext(s->w.lc), n), "tv.sext");
}

static void build_step(void *pass, LLVMBuilderRef bd, acc_group *g) {
  tv_state *s = pass;
  const tv_cand *c0 = cand(s, g->cand[0]);
  LLVMValueRef at = g->lanes[last_lane(s, g)];
  LLVMPositionBuilderBefore(bd, at);
  LLVMValueRef ops[2];
  LLVMValueRef acc = s->w.g[lookup(s, c0->base.acc, NULL)].vec;
  bool mul_first = LLVMGetOperand(c0->base.step, 0) == c0->base.mul;
  if (s->ints) {
    /* wrapping i32 lanes: each lane's multiply and add as before */
    for (int j = 0; j < 2; j++) ops[j] = build_int_operand(s, bd, g, j, at);
    LLVMValueRef vm = LLVMBuildMul(bd, ops[0], ops[1], "tv.mul");
    g->vec = LLVMBuildAdd(bd, mul_first ? vm : acc, mul_first ? acc : vm, "tv.add");
    return;
  }
  LLVMTypeRef vt = LLVMVectorType(s->acc, g->n);
  for (int j = 0; j < 2; j++)
    ops[j] = g->tag[j] == ROLE_SPLAT ? build_splat(s, bd, c0->op[j], g->n)
                                     : build_vload(s, bd, &c0->addr[j], s->acc, g->n);
  LLVMValueRef vm = wgc_acc_web_build_constrained(&s->w, bd, s->w.id_fmul, vt, ops[0], ops[1],
                                                  c0->base.mul, "tv.mul");
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

/* Erases the load barriers on v. */
static void drop_barriers(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  while (u) {
    LLVMValueRef user = LLVMGetUser(u);
    u = LLVMGetNextUse(u);
    if (wgc_is_load_barrier(user)) LLVMInstructionEraseFromParent(user);
  }
}

/* Erases v (a lane load or, in an integer tile, the sext of one and the
 * load under it with its barriers, if `load`) and the address arithmetic
 * only it used. */
static void erase_dead(LLVMValueRef v, bool load) {
  if (!v || !LLVMIsAInstruction(v)) return;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  /* an integer lane's load: the vector load carries its barrier now */
  if (load && op == LLVMLoad && LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind)
    drop_barriers(v);
  if (LLVMGetFirstUse(v)) return;
  bool lane_sext = op == LLVMSExt && load;
  if (!(op == LLVMLoad && load) && !lane_sext && op != LLVMBitCast && op != LLVMGetElementPtr &&
      op != LLVMAdd && op != LLVMZExt)
    return;
  LLVMValueRef ops[2] = {NULL, NULL};
  int nop = LLVMGetNumOperands(v);
  for (int i = 0; i < nop && i < 2; i++) ops[i] = LLVMGetOperand(v, (unsigned)i);
  LLVMInstructionEraseFromParent(v);
  for (int i = 0; i < 2; i++) erase_dead(ops[i], lane_sext);
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
  if (s->ints && !wgc_acc_grow((void **)&s->rows, &s->crows, (size_t)n->good * 2, sizeof *s->rows))
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
  s->nrows = 0;
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
  s.ints = opt->ints;
  s.acc = opt->ints ? LLVMInt32TypeInContext(LLVMGetModuleContext(m))
                    : LLVMFloatTypeInContext(LLVMGetModuleContext(m));
  s.st = stats;
  static const acc_pass ops = {"tile vectorizer", sizeof(tv_cand), find_steps,        validate_step,
                               validate_phi,      prepare,         transform_function};
  static const acc_pass int_ops = {"integer tile packer", sizeof(tv_cand), find_steps,
                                   validate_step,         validate_phi,    prepare,
                                   transform_function};
  wasmgraph_status st = wgc_acc_web_run(&s.w, ctx, m, opt->ints ? &int_ops : &ops, &s, opt->verify);
  free(s.e);
  free(s.loads);
  free(s.ids);
  free(s.rows);
  return st;
}
