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
 * Invariants (each checked below, where it is enforced):
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

#include <llvm-c/Analysis.h>
#include <stdlib.h>
#include <string.h>

enum { ROLE_SPLAT, ROLE_VEC };
enum { KIND_STEP, KIND_PHI };
enum { FOLD_LIMIT = 65536 }; /* K must be below 64 KiB (see the proof above) */

/* A float load's address: base + zext(root) + off (root an i32), or
 * base + root + off (root an i64). `folded`: K was moved out of the zext. */
typedef struct tv_addr {
  LLVMValueRef base, root;
  int64_t off;
  bool folded;
} tv_addr;

/* One multiply-accumulate step: step = fadd(mul, acc) or fadd(acc, mul). */
typedef struct tv_cand {
  LLVMValueRef step, mul, acc;
  LLVMValueRef op[2]; /* the multiply's operands, in order */
  tv_addr addr[2];
  bool is_load[2];
  uint32_t pos;       /* index in the block: vectors go before the last lane */
} tv_cand;

typedef struct tv_group {
  unsigned char kind, n, role[2];
  bool bad, ready;
  LLVMBasicBlockRef bb;
  LLVMValueRef vec;                      /* built value (transform phase) */
  LLVMValueRef lanes[WGC_TILE_MAX_LANES]; /* steps or phis, lane order */
  uint32_t cand[WGC_TILE_MAX_LANES];      /* steps: index into tv_fn.c */
} tv_group;

/* value -> (group, lane); open addressing, grown at half load. */
typedef struct tv_slot {
  LLVMValueRef key;
  int32_t group;
  int32_t lane;
} tv_slot;

typedef struct tv_entry {
  uintptr_t key[5];
  int64_t off[2];
  uint32_t pos, ci;
} tv_entry;

/* Per-module state; arrays are reused from function to function. */
typedef struct tv_state {
  wgc_ctx *ctx;
  LLVMContextRef lc;
  LLVMModuleRef m;
  unsigned max_lanes;
  bool oom;
  tv_cand *c;
  size_t nc, cc;
  tv_group *g;
  size_t ng, cg;
  tv_slot *map;
  size_t map_cap, map_count;
  tv_entry *e;
  size_t ce;
  LLVMValueRef *loads; /* transform phase: lane loads to erase, sized beforehand */
  size_t cl;
  unsigned id_fmul, id_fadd;
  LLVMAttributeRef strictfp;
  wgc_tile_stats *st;
} tv_state;

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

static tv_slot *map_find(tv_state *s, LLVMValueRef v) {
  if (!s->map_cap) return NULL;
  for (size_t i = hash_ptr(v, s->map_cap);; i = (i + 1) & (s->map_cap - 1)) {
    if (s->map[i].key == v) return &s->map[i];
    if (!s->map[i].key) return NULL;
  }
}

/* Group of v, or -1; *lane gets the lane. */
static int32_t lookup(tv_state *s, LLVMValueRef v, int32_t *lane) {
  tv_slot *e = map_find(s, v);
  if (!e) return -1;
  if (lane) *lane = e->lane;
  return e->group;
}

static bool map_put(tv_state *s, LLVMValueRef v, int32_t group, int32_t lane) {
  if ((s->map_count + 1) * 2 > s->map_cap) {
    size_t ncap = s->map_cap ? s->map_cap * 2 : 1024;
    if (ncap > SIZE_MAX / sizeof(tv_slot)) return false;
    tv_slot *n = calloc(ncap, sizeof *n);
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

static bool is_float(LLVMValueRef v) {
  return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMFloatTypeKind;
}

/* A scalar f32 constrained fmul/fadd: 4 arguments (a, b, rounding, except). */
static bool is_constrained(LLVMValueRef v, const char *name) {
  const char *n = callee_name(v);
  return n && strcmp(n, name) == 0 && LLVMGetNumArgOperands(v) == 4 && is_float(v);
}
static bool is_cfmul(LLVMValueRef v) {
  return is_constrained(v, "llvm.experimental.constrained.fmul.f32");
}
static bool is_cfadd(LLVMValueRef v) {
  return is_constrained(v, "llvm.experimental.constrained.fadd.f32");
}

static bool has_one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

static bool const_int(LLVMValueRef v, int64_t *c) {
  if (!LLVMIsAConstantInt(v)) return false;
  *c = LLVMConstIntGetSExtValue(v);
  return true;
}

static bool is_add_const(LLVMValueRef v, LLVMValueRef *x, int64_t *k) {
  return v && LLVMIsABinaryOperator(v) && LLVMGetInstructionOpcode(v) == LLVMAdd &&
         const_int(LLVMGetOperand(v, 1), k) && (*x = LLVMGetOperand(v, 0));
}

/* wasm2c's load barrier, as load_barriers.c recognises it. */
static bool is_barrier(LLVMValueRef inst) {
  if (!LLVMIsACallInst(inst)) return false;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  return callee && LLVMGetValueKind(callee) == LLVMInlineAsmValueKind &&
         LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMVoidTypeKind && LLVMGetNumArgOperands(inst) == 1;
}

/* Decomposes a (non-volatile, non-atomic) load's address:
 *   [bitcast] (gep i8, base, off),  off = [add] ([zext] ([add i32] X, K)), C
 * Any loaded type (anchors may be i32 loads); callers check the type. */
static bool decompose(LLVMValueRef ld, tv_addr *a) {
  if (!LLVMIsALoadInst(ld) || LLVMGetVolatile(ld) || LLVMGetOrdering(ld) != LLVMAtomicOrderingNotAtomic)
    return false;
  LLVMValueRef p = LLVMGetOperand(ld, 0);
  if (LLVMIsABitCastInst(p)) p = LLVMGetOperand(p, 0);
  if (!LLVMIsAGetElementPtrInst(p) || LLVMGetNumOperands(p) != 2) return false;
  LLVMTypeRef pt = LLVMTypeOf(LLVMGetOperand(p, 0));
  if (LLVMGetTypeKind(pt) != LLVMPointerTypeKind) return false;
  LLVMTypeRef et = LLVMGetElementType(pt);
  if (LLVMGetTypeKind(et) != LLVMIntegerTypeKind || LLVMGetIntTypeWidth(et) != 8) return false;
  LLVMValueRef o = LLVMGetOperand(p, 1), x;
  if (LLVMGetTypeKind(LLVMTypeOf(o)) != LLVMIntegerTypeKind || LLVMGetIntTypeWidth(LLVMTypeOf(o)) != 64)
    return false;
  int64_t c = 0, k;
  /* C: a 64-bit add (wasm2c's `(u64)addr + offset`); no wrap to reason about. */
  if (is_add_const(o, &x, &k) && k >= 0 && k < (INT64_C(1) << 33)) {
    c = k;
    o = x;
  }
  a->base = LLVMGetOperand(p, 0);
  a->folded = false;
  if (LLVMIsAZExtInst(o) && LLVMGetIntTypeWidth(LLVMTypeOf(LLVMGetOperand(o, 0))) == 32) {
    x = LLVMGetOperand(o, 0);
    LLVMValueRef y;
    /* K: an i32 add, which wraps; folding it is the case the proof covers. */
    if (is_add_const(x, &y, &k) && k > 0 && k < FOLD_LIMIT) {
      c += k;
      x = y;
      a->folded = true;
    }
    a->root = x;
  } else {
    a->root = o; /* an i64 offset: base + root + C exactly as computed */
  }
  a->off = c;
  return true;
}

/* No observable effect between the loads of the block (see the invariants). */
static bool block_ok(LLVMBasicBlockRef b) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
    switch (LLVMGetInstructionOpcode(i)) {
      case LLVMStore:
      case LLVMFence:
      case LLVMAtomicRMW:
      case LLVMAtomicCmpXchg:
      case LLVMInvoke:
      case LLVMCallBr:
        return false;
      case LLVMLoad:
        if (LLVMGetVolatile(i) || LLVMGetOrdering(i) != LLVMAtomicOrderingNotAtomic) return false;
        break;
      case LLVMCall: {
        if (is_barrier(i)) break;
        const char *n = callee_name(i);
        if (!n || strncmp(n, "llvm.experimental.constrained.", 30) != 0) return false;
        break;
      }
      default:
        break;
    }
  }
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

static LLVMValueRef lane_mul_md(const tv_cand *c, unsigned k) { return LLVMGetOperand(c->mul, k); }
static LLVMValueRef lane_add_md(const tv_cand *c, unsigned k) { return LLVMGetOperand(c->step, k); }

/* Same operand order in the add and same rounding/exception metadata. */
static bool same_shape(const tv_cand *a, const tv_cand *b) {
  return (LLVMGetOperand(a->step, 0) == a->mul) == (LLVMGetOperand(b->step, 0) == b->mul) &&
         lane_mul_md(a, 2) == lane_mul_md(b, 2) && lane_mul_md(a, 3) == lane_mul_md(b, 3) &&
         lane_add_md(a, 2) == lane_add_md(b, 2) && lane_add_md(a, 3) == lane_add_md(b, 3);
}

static int cmp_entry(const void *pa, const void *pb) {
  const tv_entry *a = pa, *b = pb;
  for (int i = 0; i < 5; i++)
    if (a->key[i] != b->key[i]) return a->key[i] < b->key[i] ? -1 : 1;
  for (int i = 0; i < 2; i++)
    if (a->off[i] != b->off[i]) return a->off[i] < b->off[i] ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int new_group(tv_state *s, unsigned kind, unsigned n, LLVMBasicBlockRef bb) {
  if (s->ng >= INT32_MAX || !grow((void **)&s->g, &s->cg, s->ng + 1, sizeof *s->g)) {
    s->oom = true;
    return -1;
  }
  tv_group *g = &s->g[s->ng];
  memset(g, 0, sizeof *g);
  g->kind = (unsigned char)kind;
  g->n = (unsigned char)n;
  g->bb = bb;
  return (int)s->ng++;
}

/* Collects the block's steps [first, nc) and forms groups under one role
 * assignment (role[j]: operand j of the multiply is shared or contiguous). */
static void group_variant(tv_state *s, LLVMBasicBlockRef b, size_t first, const unsigned role[2]) {
  size_t ne = 0;
  if (!grow((void **)&s->e, &s->ce, s->nc - first, sizeof *s->e)) {
    s->oom = true;
    return;
  }
  for (size_t i = first; i < s->nc; i++) {
    const tv_cand *c = &s->c[i];
    tv_entry *e = &s->e[ne];
    memset(e, 0, sizeof *e);
    e->key[0] = LLVMGetOperand(c->step, 0) == c->mul;
    bool ok = true;
    int nv = 0;
    for (int j = 0; j < 2; j++) {
      if (role[j] == ROLE_SPLAT) {
        e->key[1 + 2 * j] = (uintptr_t)c->op[j];
      } else {
        if (!c->is_load[j]) ok = false;
        e->key[1 + 2 * j] = (uintptr_t)c->addr[j].base;
        e->key[2 + 2 * j] = (uintptr_t)c->addr[j].root;
        e->off[nv++] = c->addr[j].off;
      }
    }
    if (!ok) continue;
    e->pos = c->pos;
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
           (role[0] == ROLE_SPLAT || role[1] == ROLE_SPLAT || s->e[r].off[1] == s->e[r - 1].off[1] + 4) &&
           same_shape(&s->c[s->e[r].ci], &s->c[s->e[i].ci]))
      r++;
    size_t at = i, len = r - i;
    while (len >= 4) {
      unsigned w = len >= 8 && s->max_lanes >= 8 ? 8 : 4;
      bool taken = false;
      for (unsigned t = 0; t < w; t++)
        if (lookup(s, s->c[s->e[at + t].ci].step, NULL) >= 0) taken = true;
      if (!taken) {
        int gi = new_group(s, KIND_STEP, w, b);
        if (gi < 0) return;
        tv_group *g = &s->g[gi];
        g->role[0] = (unsigned char)role[0];
        g->role[1] = (unsigned char)role[1];
        for (unsigned t = 0; t < w; t++) {
          g->cand[t] = s->e[at + t].ci;
          g->lanes[t] = s->c[g->cand[t]].step;
          if (!map_put(s, g->lanes[t], gi, (int32_t)t)) {
            s->oom = true;
            return;
          }
        }
        /* Folded addresses need an anchor load (see the proof at the top). */
        for (int j = 0; j < 2; j++) {
          if (role[j] != ROLE_VEC) continue;
          const tv_addr *a0 = &s->c[g->cand[0]].addr[j];
          bool folded = false;
          for (unsigned t = 0; t < w; t++) folded |= s->c[g->cand[t]].addr[j].folded;
          if (folded && !has_anchor(b, a0->base, a0->root)) g->bad = true;
        }
      }
      at += w;
      len -= w;
    }
    i = r;
  }
}

static void find_steps(tv_state *s, LLVMBasicBlockRef b) {
  if (!block_ok(b)) return;
  size_t first = s->nc;
  uint32_t pos = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i), pos++) {
    if (!is_cfadd(i)) continue;
    for (unsigned mo = 0; mo < 2; mo++) {
      LLVMValueRef mul = LLVMGetOperand(i, mo);
      /* A product used elsewhere too must stay scalar. */
      if (!is_cfmul(mul) || LLVMGetInstructionParent(mul) != b || !has_one_use(mul)) continue;
      if (!grow((void **)&s->c, &s->cc, s->nc + 1, sizeof *s->c) || s->nc >= UINT32_MAX) {
        s->oom = true;
        return;
      }
      tv_cand *c = &s->c[s->nc];
      memset(c, 0, sizeof *c);
      c->step = i;
      c->mul = mul;
      c->acc = LLVMGetOperand(i, 1 - mo);
      c->pos = pos;
      for (unsigned j = 0; j < 2; j++) {
        c->op[j] = LLVMGetOperand(mul, j);
        /* contiguous operands: float loads in this block */
        c->is_load[j] = LLVMIsALoadInst(c->op[j]) && LLVMGetInstructionParent(c->op[j]) == b &&
                        is_float(c->op[j]) && decompose(c->op[j], &c->addr[j]);
      }
      s->nc++;
      break;
    }
  }
  if (s->nc - first < 4) return;
  /* Shared operand first (pointwise/regular conv), then both contiguous
   * (depthwise): a step joins at most one group. */
  static const unsigned variants[3][2] = {
      {ROLE_SPLAT, ROLE_VEC}, {ROLE_VEC, ROLE_SPLAT}, {ROLE_VEC, ROLE_VEC}};
  for (int v = 0; v < 3 && !s->oom; v++) group_variant(s, b, first, variants[v]);
}

/* ---- validating the webs ------------------------------------------------ */

static LLVMValueRef incoming_from(LLVMValueRef phi, LLVMBasicBlockRef bb) {
  unsigned n = LLVMCountIncoming(phi);
  for (unsigned q = 0; q < n; q++)
    if (LLVMGetIncomingBlock(phi, q) == bb) return LLVMGetIncomingValue(phi, q);
  return NULL;
}

/* If vals[0..n) are distinct phis, in no group, all in one block, makes them
 * a phi group (returns true). */
static bool try_phi_group(tv_state *s, LLVMValueRef *vals, unsigned n) {
  LLVMBasicBlockRef bb = LLVMGetInstructionParent(vals[0]);
  for (unsigned t = 0; t < n; t++) {
    if (!LLVMIsAPHINode(vals[t]) || !is_float(vals[t]) || lookup(s, vals[t], NULL) >= 0 ||
        LLVMGetInstructionParent(vals[t]) != bb)
      return false;
    for (unsigned u = 0; u < t; u++)
      if (vals[u] == vals[t]) return false;
  }
  int gi = new_group(s, KIND_PHI, n, bb);
  if (gi < 0) return false;
  for (unsigned t = 0; t < n; t++) {
    s->g[gi].lanes[t] = vals[t];
    if (!map_put(s, vals[t], gi, (int32_t)t)) {
      s->oom = true;
      return false;
    }
  }
  return true;
}

/* vals[t] is in group g0 at lane t for every t, and g0 is packable. */
static bool lanes_match(tv_state *s, LLVMValueRef *vals, unsigned n) {
  int32_t l, g0 = lookup(s, vals[0], NULL);
  if (g0 < 0 || s->g[g0].bad || s->g[g0].n != n) return false;
  for (unsigned t = 0; t < n; t++)
    if (!vals[t] || lookup(s, vals[t], &l) != g0 || l != (int32_t)t) return false;
  return true;
}

static uint32_t last_lane(const tv_state *s, const tv_group *g) {
  uint32_t last = 0;
  for (unsigned t = 1; t < g->n; t++)
    if (s->c[g->cand[t]].pos > s->c[g->cand[last]].pos) last = t;
  return last;
}

static bool comes_after(LLVMValueRef first, LLVMValueRef later) {
  for (LLVMValueRef i = LLVMGetNextInstruction(first); i; i = LLVMGetNextInstruction(i))
    if (i == later) return true;
  return false;
}

/* One step group. Returns true if it changed anything. */
static bool validate_step(tv_state *s, size_t gi) {
  tv_group *g = &s->g[gi];
  unsigned n = g->n;
  LLVMValueRef acc[WGC_TILE_MAX_LANES];
  for (unsigned t = 0; t < n; t++) acc[t] = s->c[g->cand[t]].acc;
  /* A shared operand that is itself a lane would be replaced under us. */
  for (unsigned j = 0; j < 2; j++)
    if (g->role[j] == ROLE_SPLAT && lookup(s, s->c[g->cand[0]].op[j], NULL) >= 0) goto bad;
  if (lookup(s, acc[0], NULL) >= 0) {
    if (!lanes_match(s, acc, n)) goto bad;
  } else {
    /* Accumulators must be phis (the loop-carried tile); make them a group. */
    if (!try_phi_group(s, acc, n)) goto bad;
    return true;
  }
  /* A user outside the web gets an extractelement of the vector, which only
   * exists after the group's last lane: same-block users must come later. */
  g = &s->g[gi];
  LLVMValueRef last = g->lanes[last_lane(s, g)];
  for (unsigned t = 0; t < n; t++)
    for (LLVMUseRef u = LLVMGetFirstUse(g->lanes[t]); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      /* (a phi's extract goes to the end of its incoming block: always late enough) */
      if (lookup(s, user, NULL) >= 0 || LLVMGetInstructionParent(user) != g->bb ||
          LLVMIsAPHINode(user))
        continue;
      if (!comes_after(last, user)) goto bad;
    }
  return false;
bad:
  s->g[gi].bad = true;
  return true;
}

static bool validate_phi(tv_state *s, size_t gi) {
  unsigned n = s->g[gi].n;
  LLVMValueRef p0 = s->g[gi].lanes[0];
  unsigned ni = LLVMCountIncoming(p0);
  bool changed = false;
  for (unsigned k = 0; k < ni; k++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(p0, k);
    LLVMValueRef v[WGC_TILE_MAX_LANES];
    for (unsigned t = 0; t < n; t++) {
      v[t] = incoming_from(s->g[gi].lanes[t], ib);
      if (!v[t]) goto bad;
    }
    if (lookup(s, v[0], NULL) >= 0) {
      if (!lanes_match(s, v, n)) goto bad;
    } else if (LLVMIsAPHINode(v[0]) && try_phi_group(s, v, n)) {
      changed = true; /* an outer loop level of the same web */
    } else {
      /* Entry values (e.g. zero): gathered, so none may be a lane. */
      for (unsigned t = 0; t < n; t++)
        if (lookup(s, v[t], NULL) >= 0) goto bad;
    }
  }
  return changed;
bad:
  s->g[gi].bad = true;
  return true;
}

/* Badness spreads along every accumulator edge, both ways. */
static bool propagate(tv_state *s, size_t gi) {
  tv_group *g = &s->g[gi];
  for (unsigned t = 0; t < g->n; t++) {
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

/* Step groups are built once their accumulator vector exists; the chain
 * from a phi group is acyclic in SSA, so every good group gets ready. A
 * group that does not is dropped rather than trusted. */
static bool check_ready(tv_state *s) {
  for (size_t i = 0; i < s->ng; i++) s->g[i].ready = !s->g[i].bad && s->g[i].kind == KIND_PHI;
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < s->ng; i++) {
      tv_group *g = &s->g[i];
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

/* Fixpoint: every change marks a group bad or adds a phi group (each phi at
 * most once), so it terminates. */
static void validate_all(tv_state *s) {
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

static LLVMValueRef i32c(tv_state *s, unsigned v) {
  return LLVMConstInt(LLVMInt32TypeInContext(s->lc), v, 0);
}

static LLVMValueRef build_splat(tv_state *s, LLVMBuilderRef bd, LLVMValueRef x, unsigned n) {
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(x), n);
  LLVMValueRef v = LLVMBuildInsertElement(bd, LLVMGetPoison(vt), x, i32c(s, 0), "tv.ins");
  LLVMValueRef mask = LLVMConstNull(LLVMVectorType(LLVMInt32TypeInContext(s->lc), n));
  return LLVMBuildShuffleVector(bd, v, LLVMGetPoison(vt), mask, "tv.splat");
}

/* <n x float> at lane 0's (folded) address; align 1 like wasm2c's loads. */
static LLVMValueRef build_vload(tv_state *s, LLVMBuilderRef bd, const tv_addr *a, unsigned n) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(s->lc);
  LLVMValueRef off = a->root;
  if (LLVMGetIntTypeWidth(LLVMTypeOf(off)) == 32) off = LLVMBuildZExt(bd, off, i64, "tv.zext");
  if (a->off) off = LLVMBuildNUWAdd(bd, off, LLVMConstInt(i64, (unsigned long long)a->off, 0), "tv.off");
  /* Not inbounds: in the wrap case the address lies past the original
   * accesses (it traps; see the proof). */
  LLVMValueRef gep = LLVMBuildGEP2(bd, LLVMInt8TypeInContext(s->lc), a->base, &off, 1, "tv.gep");
  LLVMTypeRef vt = LLVMVectorType(LLVMFloatTypeInContext(s->lc), n);
  unsigned as = LLVMGetPointerAddressSpace(LLVMTypeOf(a->base));
  LLVMValueRef p = LLVMBuildBitCast(bd, gep, LLVMPointerType(vt, as), "tv.ptr");
  LLVMValueRef ld = LLVMBuildLoad2(bd, vt, p, "tv.ld");
  LLVMSetAlignment(ld, 1);
  return ld;
}

static LLVMValueRef build_constrained(tv_state *s, LLVMBuilderRef bd, unsigned id, LLVMTypeRef vt,
                                      LLVMValueRef a, LLVMValueRef b, LLVMValueRef orig,
                                      const char *name) {
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, id, &vt, 1);
  LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, id, &vt, 1);
  /* the original's rounding and exception-behaviour metadata */
  LLVMValueRef args[4] = {a, b, LLVMGetOperand(orig, 2), LLVMGetOperand(orig, 3)};
  LLVMValueRef call = LLVMBuildCall2(bd, ft, fn, args, 4, name);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, s->strictfp);
  return call;
}

static void build_step(tv_state *s, LLVMBuilderRef bd, tv_group *g) {
  const tv_cand *c0 = &s->c[g->cand[0]];
  LLVMPositionBuilderBefore(bd, g->lanes[last_lane(s, g)]);
  LLVMTypeRef vt = LLVMVectorType(LLVMFloatTypeInContext(s->lc), g->n);
  LLVMValueRef ops[2];
  for (int j = 0; j < 2; j++)
    ops[j] = g->role[j] == ROLE_SPLAT ? build_splat(s, bd, c0->op[j], g->n)
                                      : build_vload(s, bd, &c0->addr[j], g->n);
  LLVMValueRef vm = build_constrained(s, bd, s->id_fmul, vt, ops[0], ops[1], c0->mul, "tv.mul");
  LLVMValueRef acc = s->g[lookup(s, c0->acc, NULL)].vec;
  bool mul_first = LLVMGetOperand(c0->step, 0) == c0->mul;
  g->vec = build_constrained(s, bd, s->id_fadd, vt, mul_first ? vm : acc, mul_first ? acc : vm,
                             c0->step, "tv.add");
}

/* Every use of a lane outside the web reads an extractelement instead. */
static void extract_external(tv_state *s, LLVMBuilderRef bd, tv_group *g) {
  for (unsigned t = 0; t < g->n; t++) {
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
        if (LLVMIsAPHINode(user))
          LLVMPositionBuilderBefore(
              bd, LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(user, (unsigned)o)));
        else
          LLVMPositionBuilderBefore(bd, user);
        LLVMValueRef e = LLVMBuildExtractElement(bd, g->vec, i32c(s, t), "tv.ext");
        LLVMSetOperand(user, (unsigned)o, e);
      }
    }
  }
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

static void transform_function(tv_state *s, LLVMBuilderRef bd) {
  LLVMTypeRef f32 = LLVMFloatTypeInContext(s->lc);
  /* 1. vector phis (incomings later: they may come from step groups) */
  for (size_t i = 0; i < s->ng; i++) {
    tv_group *g = &s->g[i];
    if (g->bad || g->kind != KIND_PHI) continue;
    LLVMPositionBuilderBefore(bd, LLVMGetFirstInstruction(g->bb));
    g->vec = LLVMBuildPhi(bd, LLVMVectorType(f32, g->n), "tv.phi");
  }
  /* 2. step groups, each after the vector of its accumulators */
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < s->ng; i++) {
      tv_group *g = &s->g[i];
      if (g->bad || g->kind != KIND_STEP || g->vec) continue;
      if (!s->g[lookup(s, s->c[g->cand[0]].acc, NULL)].vec) continue;
      build_step(s, bd, g);
      progress = true;
    }
  }
  /* 3. phi incomings: a group's vector, or the entry values gathered */
  for (size_t i = 0; i < s->ng; i++) {
    tv_group *g = &s->g[i];
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
        iv = LLVMGetPoison(LLVMTypeOf(g->vec));
        for (unsigned t = 0; t < g->n; t++)
          iv = LLVMBuildInsertElement(bd, iv, incoming_from(g->lanes[t], ib), i32c(s, t), "tv.in");
      }
      LLVMAddIncoming(g->vec, &iv, &ib, 1);
    }
  }
  /* 4. lanes leaving the web */
  for (size_t i = 0; i < s->ng; i++)
    if (!s->g[i].bad) extract_external(s, bd, &s->g[i]);
  /* 5. the scalars: lanes, their products, then lane loads left unused */
  for (size_t i = 0; i < s->ng; i++) {
    tv_group *g = &s->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < g->n; t++)
      LLVMReplaceAllUsesWith(g->lanes[t], LLVMGetPoison(LLVMTypeOf(g->lanes[t])));
  }
  for (size_t i = 0; i < s->ng; i++) {
    tv_group *g = &s->g[i];
    if (g->bad) continue;
    for (unsigned t = 0; t < g->n; t++) {
      LLVMInstructionEraseFromParent(g->lanes[t]);
      if (g->kind == KIND_STEP) LLVMInstructionEraseFromParent(s->c[g->cand[t]].mul);
    }
  }
  /* A load may be a lane of several groups (shared weights): erase each
   * distinct one once, when nothing uses it any more. */
  size_t nl = 0;
  for (size_t i = 0; i < s->ng; i++) {
    tv_group *g = &s->g[i];
    if (g->bad || g->kind != KIND_STEP) continue;
    for (unsigned t = 0; t < g->n; t++)
      for (int j = 0; j < 2; j++)
        if (g->role[j] == ROLE_VEC) s->loads[nl++] = s->c[g->cand[t]].op[j];
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

static void state_free(tv_state *s) {
  free(s->c);
  free(s->g);
  free(s->map);
  free(s->e);
  free(s->loads);
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
  if (!opt->guard_pages) {
    stats->disabled = "memory accesses are bounds-checked (not guard-page mode)";
    return WASMGRAPH_OK;
  }
  if (opt->memory_max_pages > WGC_TILE_MAX_MEMORY_PAGES) {
    stats->disabled = "linear memory may grow to 65536 pages (4 GiB)";
    return WASMGRAPH_OK;
  }
  tv_state s;
  memset(&s, 0, sizeof s);
  s.ctx = ctx;
  s.m = m;
  s.lc = LLVMGetModuleContext(m);
  s.max_lanes = opt->max_lanes;
  s.st = stats;
  s.id_fmul = LLVMLookupIntrinsicID("llvm.experimental.constrained.fmul", 34);
  s.id_fadd = LLVMLookupIntrinsicID("llvm.experimental.constrained.fadd", 34);
  s.strictfp = LLVMCreateEnumAttribute(s.lc, LLVMGetEnumAttributeKindForName("strictfp", 8), 0);
  LLVMBuilderRef bd = LLVMCreateBuilderInContext(s.lc);
  if (!bd || !s.id_fmul || !s.id_fadd) {
    LLVMDisposeBuilder(bd);
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED, "tile vectorizer: LLVM lacks constrained intrinsics");
  }
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    s.nc = s.ng = s.map_count = 0;
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
        stats->groups_by_lanes[s.g[i].n]++;
      } else {
        stats->phi_groups++;
      }
    }
    if (!good) continue;
    /* the only allocation of the rewrite, made before anything changes */
    if (!grow((void **)&s.loads, &s.cl, (size_t)good * 2 * WGC_TILE_MAX_LANES, sizeof *s.loads)) {
      s.oom = true;
      break;
    }
    stats->functions++;
    stats->groups += good;
    transform_function(&s, bd);
  }
  LLVMDisposeBuilder(bd);
  state_free(&s);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "tile vectorizer: out of memory");
  bool verify = opt->verify;
#ifndef NDEBUG
  verify = true;
#endif
  if (verify) {
    char *msg = NULL;
    if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
      wasmgraph_status st = wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                                     "tile vectorizer produced invalid IR: %.300s", msg ? msg : "");
      LLVMDisposeMessage(msg);
      return st;
    }
    LLVMDisposeMessage(msg);
  }
  return WASMGRAPH_OK;
}
