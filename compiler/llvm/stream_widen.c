/*
 * stream_widen.c — loops that stream 128-bit vectors through memory
 * run K iterations at a time at K times the width, behind a run-time check.
 *
 * The shape. After each convolution TVM's QNN kernels requantize the
 * accumulators in a loop of their own, one position (an i32x4) per
 * iteration: load 16 bytes, add the bias, fixed_point_multiply, clip,
 * narrow, store 4 or 16 bytes. The pad/cast kernels copy and widen the same
 * way, and the float kernels of relay.quantize models (dequantize, bias,
 * relu, requantize) and of fp32 models (bias, relu6) do the same on f32x4. Each iteration is a
 * short chain of 128-bit operations between a load and a store, so these loops run at 128 bits
 * however wide the CPU is: in mobilenet_v2_qnn a fifth of the model's time.
 *
 * Why not simply unroll and widen. Iteration j+1's load would then come
 * before iteration j's store. If that load traps (past the end of memory),
 * the wasm would have done the store first; if the store writes the bytes
 * that load reads, the load would read the old bytes. Either changes what
 * the program does, and no load may move before an effect
 * (docs/security.md).
 *
 * What this pass does. For a single-block loop with a constant trip count T
 * whose every memory access is a load or store at
 *   data + zext(x_j) + c,  x_j = x_0 + j*s (i32, s a constant >= 0)
 * (one stream per access, one memory), and whose other instructions are
 * lane-wise vector operations (integer ones, float arithmetic, and the
 * lane-wise calls of lanewise_call.c: wasm2c's constrained float operations
 * and comparisons, SSE min/max, pternlog), shuffles, inserts and extracts of
 * constant lanes, and scalar integer/address arithmetic, it adds a copy W of
 * the loop that runs K iterations per trip: each vector value of W holds the
 * K iterations' values side by side (lanes of iteration k at k*n..k*n+n-1),
 * each scalar value is kept as K copies, and a load or store whose stream
 * is contiguous (s equals its width) becomes one access K times as wide.
 * LLVM unrolls some of these loops by 2 or 4 before this pass: then each
 * position is a stream of its own with a stride of 2 or 4 vectors, and the
 * streams of one kind interleave. Where u such streams sit at offsets
 * off, off + b, .., off + (u-1) b of one address (b bytes each, stride u*b),
 * they cover their range together, and W accesses them as one: one load (or
 * store) of K*u vectors per trip, and a shuffle that takes the members apart
 * (or puts them back together). A store stream and another stream of the
 * same address and stride are left out of each other's overlap check where
 * they touch the same bytes in each iteration (in place) or never the same
 * byte (wgc_sw_exempt(), stream_widen_match.c); other streams that interleave
 * with a store are refused: their ranges overlap, so the check below could
 * never pass.
 * The preheader chooses W when, at run time:
 *   - every byte any iteration accesses is inside the memory's current size
 *     (so nothing in W can trap, and no i32 address wraps),
 *   - the byte range of every store stream overlaps no other stream's range
 *     (so no iteration reads or overwrites bytes another iteration wrote),
 *     except for exempt pairs, whose addresses must be exactly as far apart
 *     as the IR's offsets say (as must an interleaved group's members),
 *   - and every induction the loop carries in another form than
 *     `phi + constant` (one iteration late, or recomputed from the counter:
 *     resolve_phis, stream_widen_match.c) does advance by its stride from
 *     its start.
 * W runs floor((T-1)/K) trips, then the original loop runs the last 1..K
 * iterations from where W stopped (it computes every value used after the
 * loop, as before); when the check fails the original loop runs alone.
 *
 * Why it is exact. Under the check no access of W traps, so their order can
 * only matter through memory contents; stores touch bytes no other access
 * touches, so every load reads what it read in the original order and memory
 * ends the same. Every lane of a wide operation computes what the
 * iteration's narrow operation computed (lane-wise operations, a float one
 * with the narrow one's rounding and exception arguments; shuffles and lane
 * indices rebased to the iteration's part). W keeps no
 * load barriers: every load of W is proven in bounds, so a load the
 * optimizer might drop could not have trapped. The memory's size only grows
 * and its data never moves with guard pages (bounds-check builds never have
 * such single-block loops: each access has its own branch), so a check
 * against the size read before the loop stays true during it.
 *
 * K is 4 where the function's target-features name +avx512f and
 * +avx512bw (the function then gets "min-legal-vector-width"="512"), 2 with
 * +avx2, and the pass leaves other functions alone.
 */
#include "stream_widen.h"

#include <stdlib.h>
#include <string.h>

#include "lanewise_call.h"
#include "pass_util.h"
#include "stream_widen_loop.h"

typedef struct sw_state {
  LLVMContextRef lc;
  LLVMModuleRef m;
  LLVMBuilderRef bd;
  LLVMBuilderRef pre; /* at the end of the preheader (before its branch) */
  wgc_stream_stats *st;
  bool oom;
  bool broken; /* a matched loop's copy could not be built: a bug, the module is unusable */
} sw_state;

/* ---- the wide copy ------------------------------------------------------ */

static LLVMValueRef c32(sw_state *s, int64_t v) {
  return LLVMConstInt(LLVMInt32TypeInContext(s->lc), (uint64_t)v, 1);
}

static LLVMValueRef mask(sw_state *s, const int *m, unsigned n) {
  LLVMValueRef *e = malloc(n * sizeof *e);
  if (!e) {
    s->oom = true;
    return NULL;
  }
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
  for (unsigned i = 0; i < n; i++) e[i] = m[i] < 0 ? LLVMGetUndef(i32) : c32(s, m[i]);
  LLVMValueRef c = LLVMConstVector(e, n);
  free(e);
  return c;
}

/* K copies of v side by side (v from outside the loop: built once, in the
 * preheader). */
static LLVMValueRef repeat(sw_state *s, sw_loop *L, LLVMValueRef v) {
  for (unsigned i = 0; i < L->nrep; i++)
    if (L->rep_src[i] == v) return L->rep_val[i];
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
  int m[MAX_WIDE_BITS];
  for (unsigned i = 0; i < n * L->k; i++) m[i] = (int)(i % n);
  LLVMValueRef mk = mask(s, m, n * L->k);
  if (!mk) return NULL;
  if (LLVMIsConstant(v)) return LLVMConstShuffleVector(v, v, mk);
  LLVMValueRef r = LLVMBuildShuffleVector(s->pre, v, LLVMGetUndef(LLVMTypeOf(v)), mk, "sw.rep");
  if (L->nrep < sizeof L->rep_src / sizeof *L->rep_src)
    L->rep_src[L->nrep] = v, L->rep_val[L->nrep++] = r;
  return r;
}

static LLVMValueRef get_wide(sw_state *s, sw_loop *L, LLVMValueRef v);

/* Iteration k's value of v. */
static LLVMValueRef get_part(sw_state *s, sw_loop *L, LLVMValueRef v, unsigned k) {
  int p = phi_of(L, v);
  if (p >= 0) return L->phipart[p][k];
  int i = index_of(L, v);
  if (i < 0) return v;
  if (L->part[i][k]) return L->part[i][k];
  /* a wide value's part k: lanes k*n .. k*n + n - 1 */
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
  int m[MAX_WIDE_BITS];
  for (unsigned e = 0; e < n; e++) m[e] = (int)(k * n + e);
  LLVMValueRef mk = mask(s, m, n);
  if (!mk || !L->wide[i]) return NULL;
  return L->part[i][k] = LLVMBuildShuffleVector(
             s->bd, L->wide[i], LLVMGetUndef(LLVMTypeOf(L->wide[i])), mk, "sw.part");
}

/* The K iterations' values of vector v side by side. */
static LLVMValueRef get_wide(sw_state *s, sw_loop *L, LLVMValueRef v) {
  int i = index_of(L, v);
  if (i < 0) return repeat(s, L, v);
  if (L->wide[i]) return L->wide[i];
  /* vector parts (loads of a stream that is not contiguous): concatenated */
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
  LLVMValueRef cur[MAX_K];
  for (unsigned k = 0; k < L->k; k++)
    if (!(cur[k] = L->part[i][k])) return NULL;
  for (unsigned w = L->k; w > 1; w /= 2, n *= 2) {
    int m[MAX_WIDE_BITS];
    for (unsigned e = 0; e < 2 * n; e++) m[e] = (int)e;
    LLVMValueRef mk = mask(s, m, 2 * n);
    if (!mk) return NULL;
    for (unsigned h = 0; h < w / 2; h++)
      cur[h] = LLVMBuildShuffleVector(s->bd, cur[2 * h], cur[2 * h + 1], mk, "sw.cat");
  }
  return L->wide[i] = cur[0];
}

static LLVMValueRef emit_shuffle(sw_state *s, sw_loop *L, LLVMValueRef i) {
  LLVMValueRef a = get_wide(s, L, LLVMGetOperand(i, 0)), b = get_wide(s, L, LLVMGetOperand(i, 1));
  if (!a || !b) return NULL;
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(LLVMGetOperand(i, 0))), r = LLVMGetNumMaskElements(i);
  int m[MAX_WIDE_BITS];
  for (unsigned k = 0; k < L->k; k++)
    for (unsigned e = 0; e < r; e++) {
      int idx = LLVMGetMaskValue(i, e);
      m[k * r + e] = idx < 0 || idx == LLVMGetUndefMaskElem()
                         ? -1
                         : (int)((unsigned)idx / n * L->k * n + k * n + (unsigned)idx % n);
    }
  LLVMValueRef mk = mask(s, m, r * L->k);
  return mk ? LLVMBuildShuffleVector(s->bd, a, b, mk, "sw.shuf") : NULL;
}

/* A pointer to the wide type at iteration 0's address of access `inst`. */
static LLVMValueRef wide_ptr(sw_state *s, sw_loop *L, LLVMValueRef ptr, LLVMTypeRef wt) {
  LLVMValueRef p0 = get_part(s, L, ptr, 0);
  return p0 ? LLVMBuildBitCast(s->bd, p0, LLVMPointerType(wt, 0), "sw.ptr") : NULL;
}

/* The stream of load or store `inst`, or NULL (an access that is no
 * stream: W repeats it per iteration). */
static const sw_stream *stream_of(const sw_loop *L, LLVMValueRef inst) {
  for (unsigned q = 0; q < L->nst; q++)
    if (L->st[q].inst == inst) return &L->st[q];
  return NULL;
}

/* A pointer of type pt* to iteration 0's address of access pointer `ptr`,
 * `back` bytes lower: where the group's first member starts. */
static LLVMValueRef group_ptr(sw_state *s, sw_loop *L, LLVMValueRef ptr, uint64_t back,
                              LLVMTypeRef pt) {
  LLVMValueRef p0 = get_part(s, L, ptr, 0);
  if (!p0) return NULL;
  LLVMTypeRef i8 = LLVMInt8TypeInContext(s->lc);
  LLVMValueRef b = LLVMBuildBitCast(s->bd, p0, LLVMPointerType(i8, 0), "");
  LLVMValueRef idx = LLVMConstInt(LLVMInt64TypeInContext(s->lc), (uint64_t) - (int64_t)back, 1);
  if (back) b = LLVMBuildGEP2(s->bd, i8, b, &idx, 1, "sw.gptr");
  return LLVMBuildBitCast(s->bd, b, LLVMPointerType(pt, 0), "sw.ptr");
}

/* A group's loads, at its first member load (load `at`, member q): one load
 * of the K trips' u*K vectors, and each member's wide value (iterations
 * 0..K-1 side by side) taken out of it by a shuffle. */
static bool emit_group_load(sw_state *s, sw_loop *L, const sw_group *G, unsigned q, unsigned at) {
  LLVMValueRef i = L->inst[at];
  LLVMTypeRef t = LLVMTypeOf(i);
  unsigned n = LLVMGetVectorSize(t), u = G->u, K = L->k;
  LLVMTypeRef bt = LLVMVectorType(LLVMGetElementType(t), n * u * K);
  LLVMValueRef p =
      group_ptr(s, L, LLVMGetOperand(i, 0), (uint64_t)q * L->st[G->member[0]].bytes, bt);
  if (!p) return false;
  LLVMValueRef big = LLVMBuildLoad2(s->bd, bt, p, "sw.gload");
  LLVMSetAlignment(big, 1);
  for (unsigned r = 0; r < u; r++) {
    int m[MAX_WIDE_BITS];
    for (unsigned k = 0; k < K; k++)
      for (unsigned e = 0; e < n; e++) m[k * n + e] = (int)((k * u + r) * n + e);
    LLVMValueRef mk = mask(s, m, n * K);
    int ix = index_of(L, L->st[G->member[r]].inst);
    if (!mk || ix < 0) return false;
    L->wide[ix] = LLVMBuildShuffleVector(s->bd, big, LLVMGetUndef(bt), mk, "sw.gpart");
  }
  return true;
}

/* A group's stores, at its last member store (store `at`, stream `last`):
 * the members' wide values interleaved back into memory order, one store.
 * Every value stored is defined by then (each before its own store). */
static bool emit_group_store(sw_state *s, sw_loop *L, const sw_group *G, const sw_stream *last,
                             unsigned at) {
  unsigned u = G->u, K = L->k;
  LLVMValueRef cur[4];
  for (unsigned r = 0; r < u; r++)
    if (!(cur[r] = get_wide(s, L, LLVMGetOperand(L->st[G->member[r]].inst, 0)))) return false;
  unsigned len = LLVMGetVectorSize(LLVMTypeOf(cur[0])), n = len / K; /* len = K * n */
  int m[MAX_WIDE_BITS];
  for (unsigned w = u; w > 1; w /= 2, len *= 2) { /* concatenated: member r at r*K*n */
    for (unsigned e = 0; e < 2 * len; e++) m[e] = (int)e;
    LLVMValueRef mk = mask(s, m, 2 * len);
    if (!mk) return false;
    for (unsigned h = 0; h < w / 2; h++)
      cur[h] = LLVMBuildShuffleVector(s->bd, cur[2 * h], cur[2 * h + 1], mk, "sw.gcat");
  }
  for (unsigned k = 0; k < K; k++)
    for (unsigned r = 0; r < u; r++)
      for (unsigned e = 0; e < n; e++) m[(k * u + r) * n + e] = (int)(r * K * n + k * n + e);
  LLVMValueRef mk = mask(s, m, len);
  if (!mk) return false;
  LLVMValueRef big =
      LLVMBuildShuffleVector(s->bd, cur[0], LLVMGetUndef(LLVMTypeOf(cur[0])), mk, "sw.gmix");
  LLVMValueRef p = group_ptr(s, L, LLVMGetOperand(L->inst[at], 1), (uint64_t)last->q * last->bytes,
                             LLVMTypeOf(big));
  if (!p) return false;
  LLVMSetAlignment(LLVMBuildStore(s->bd, big, p), 1);
  return true;
}

static bool emit_inst(sw_state *s, sw_loop *L, unsigned at) {
  LLVMValueRef i = L->inst[at];
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  LLVMTypeRef t = LLVMTypeOf(i);
  const sw_stream *st = op == LLVMStore || op == LLVMLoad ? stream_of(L, i) : NULL;
  const sw_stream *g = st && st->grp >= 0 ? st : NULL;
  bool contiguous = st && st->contiguous;
  if (g && op == LLVMStore)
    return at == L->grp[g->grp].last ? emit_group_store(s, L, &L->grp[g->grp], g, at) : true;
  if (g) return L->wide[at] ? true : emit_group_load(s, L, &L->grp[g->grp], g->q, at);
  if (op == LLVMStore) {
    LLVMValueRef v = LLVMGetOperand(i, 0), ptr = LLVMGetOperand(i, 1);
    if (contiguous && is_vec(LLVMTypeOf(v))) {
      LLVMValueRef w = get_wide(s, L, v), p = w ? wide_ptr(s, L, ptr, LLVMTypeOf(w)) : NULL;
      if (!p) return false;
      LLVMSetAlignment(LLVMBuildStore(s->bd, w, p), 1);
      return true;
    }
    if (contiguous) { /* scalars side by side: one vector store */
      LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(v), L->k);
      LLVMValueRef w = LLVMGetUndef(vt), p = wide_ptr(s, L, ptr, vt);
      for (unsigned k = 0; p && w && k < L->k; k++) {
        LLVMValueRef vk = get_part(s, L, v, k);
        w = vk ? LLVMBuildInsertElement(s->bd, w, vk, c32(s, k), "sw.st") : NULL;
      }
      if (!p || !w) return false;
      LLVMSetAlignment(LLVMBuildStore(s->bd, w, p), 1);
      return true;
    }
    for (unsigned k = 0; k < L->k; k++) {
      LLVMValueRef vk = get_part(s, L, v, k), pk = get_part(s, L, ptr, k);
      if (!vk || !pk) return false;
      LLVMSetAlignment(LLVMBuildStore(s->bd, vk, pk), 1);
    }
    return true;
  }
  if (L->how[at] == SW_DROP) return true;
  if (op == LLVMLoad) {
    LLVMValueRef ptr = LLVMGetOperand(i, 0);
    if (contiguous && !is_vec(t)) { /* scalars side by side: one vector load */
      LLVMTypeRef vt = LLVMVectorType(t, L->k);
      LLVMValueRef p = wide_ptr(s, L, ptr, vt);
      if (!p) return false;
      LLVMValueRef w = LLVMBuildLoad2(s->bd, vt, p, "sw.load");
      LLVMSetAlignment(w, 1);
      for (unsigned k = 0; k < L->k; k++)
        L->part[at][k] = LLVMBuildExtractElement(s->bd, w, c32(s, k), "sw.ld");
      return true;
    }
    if (contiguous) {
      LLVMTypeRef wt = widen(t, L->k);
      LLVMValueRef p = wide_ptr(s, L, ptr, wt);
      if (!p) return false;
      L->wide[at] = LLVMBuildLoad2(s->bd, wt, p, "sw.load");
      LLVMSetAlignment(L->wide[at], 1);
      return true;
    }
    for (unsigned k = 0; k < L->k; k++) {
      LLVMValueRef pk = get_part(s, L, ptr, k);
      if (!pk) return false;
      L->part[at][k] = LLVMBuildLoad2(s->bd, t, pk, "sw.load");
      LLVMSetAlignment(L->part[at][k], 1);
    }
    return true;
  }
  if (op == LLVMExtractElement) {
    LLVMValueRef w = get_wide(s, L, LLVMGetOperand(i, 0));
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(LLVMGetOperand(i, 0)));
    uint64_t lane = LLVMConstIntGetZExtValue(LLVMGetOperand(i, 1));
    for (unsigned k = 0; w && k < L->k; k++)
      L->part[at][k] = LLVMBuildExtractElement(s->bd, w, c32(s, (int64_t)(k * n + lane)), "sw.ext");
    return w != NULL;
  }
  if (L->how[at] == SW_SCALAR) {
    for (unsigned k = 0; k < L->k; k++) {
      LLVMValueRef c = LLVMInstructionClone(i);
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++) {
        LLVMValueRef v = get_part(s, L, LLVMGetOperand(i, o), k);
        if (!v) return false;
        LLVMSetOperand(c, o, v);
      }
      LLVMInsertIntoBuilderWithName(s->bd, c, "sw.s");
      L->part[at][k] = c;
    }
    return true;
  }
  /* a vector the loop computes: one wide instruction */
  LLVMTypeRef wt = widen(t, L->k);
  LLVMValueRef w = NULL;
  if (op == LLVMShuffleVector) {
    w = emit_shuffle(s, L, i);
  } else if (op == LLVMInsertElement) {
    unsigned n = LLVMGetVectorSize(t);
    uint64_t lane = LLVMConstIntGetZExtValue(LLVMGetOperand(i, 2));
    w = get_wide(s, L, LLVMGetOperand(i, 0));
    for (unsigned k = 0; w && k < L->k; k++) {
      LLVMValueRef e = get_part(s, L, LLVMGetOperand(i, 1), k);
      w = e ? LLVMBuildInsertElement(s->bd, w, e, c32(s, (int64_t)(k * n + lane)), "sw.ins") : NULL;
    }
  } else {
    LLVMValueRef o[8] = {NULL};
    unsigned no =
        op == LLVMCall ? (unsigned)LLVMGetNumArgOperands(i) : (unsigned)LLVMGetNumOperands(i);
    if (no > sizeof o / sizeof *o) return false;
    for (unsigned q = 0; q < no; q++) {
      LLVMValueRef v = LLVMGetOperand(i, q);
      bool vec = LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind;
      o[q] = vec ? get_wide(s, L, v) : v; /* a scalar: a select's condition from outside */
      if (!o[q]) return false;
    }
    switch (op) {
      case LLVMICmp:
        w = LLVMBuildICmp(s->bd, LLVMGetICmpPredicate(i), o[0], o[1], "sw.cmp");
        break;
      case LLVMSelect:
        w = LLVMBuildSelect(s->bd, o[0], o[1], o[2], "sw.sel");
        break;
      case LLVMSExt:
      case LLVMZExt:
      case LLVMTrunc:
      case LLVMBitCast:
        w = LLVMBuildCast(s->bd, op, o[0], wt, "sw.cast");
        break;
      case LLVMCall:
        w = wgc_build_wide_call(s->m, s->bd, i, o, no, L->k);
        break;
      default: /* binary: nsw/nuw/exact dropped, which only removes poison */
        w = LLVMBuildBinOp(s->bd, op, o[0], o[1], "sw.op");
        break;
    }
  }
  L->wide[at] = w;
  return w != NULL;
}

/* v in iteration 0, built at the builder (the preheader): an address
 * expression stride_of accepted, with the phis at their starts. */
static LLVMValueRef eval0(sw_state *s, sw_loop *L, LLVMValueRef v, unsigned depth) {
  int p = phi_of(L, v);
  if (p >= 0) return L->start[p];
  if (index_of(L, v) < 0) return v;
  if (depth > 16) return NULL;
  LLVMValueRef c = LLVMInstructionClone(v);
  for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(v); o < no; o++) {
    LLVMValueRef x = eval0(s, L, LLVMGetOperand(v, o), depth + 1);
    if (!x) return NULL; /* not reached: stride_of walked the same tree */
    LLVMSetOperand(c, o, x);
  }
  LLVMInsertIntoBuilderWithName(s->bd, c, "sw.x0");
  return c;
}

/* Appends to the preheader the run-time check, and returns its i1. */
static LLVMValueRef emit_check(sw_state *s, sw_loop *L) {
  LLVMTypeRef i64 = LLVMInt64TypeInContext(s->lc);
  LLVMTypeRef mp = LLVMPointerType(L->mem_type, 0);
  LLVMValueRef sp =
      L->mem_slot ? LLVMBuildLoad2(s->bd, mp,
                                   LLVMBuildBitCast(s->bd, L->mem_slot, LLVMPointerType(mp, 0), ""),
                                   "sw.mem")
                  : LLVMBuildBitCast(s->bd, L->mem, mp, "sw.mem");
  LLVMValueRef size_ptr = LLVMBuildStructGEP2(s->bd, L->mem_type, sp, 3, "sw.sizep");
  LLVMValueRef size = LLVMBuildLoad2(s->bd, i64, size_ptr, "sw.size");
  LLVMSetOrdering(size, LLVMAtomicOrderingMonotonic); /* another thread may grow it */
  LLVMSetAlignment(size, 8);
  LLVMValueRef lo[MAX_STREAMS], hi[MAX_STREAMS],
      ok = LLVMConstInt(LLVMInt1TypeInContext(s->lc), 1, 0);
  for (unsigned q = 0; q < L->nst; q++) {
    const sw_stream *st = &L->st[q];
    LLVMValueRef x0 = eval0(s, L, st->x, 0);
    if (!x0) return NULL;
    lo[q] = LLVMBuildAdd(s->bd, LLVMBuildZExt(s->bd, x0, i64, ""), LLVMConstInt(i64, st->c, 0),
                         "sw.lo");
    uint64_t span = (uint64_t)st->s * (L->trip - 1) + st->bytes;
    hi[q] = LLVMBuildAdd(s->bd, lo[q], LLVMConstInt(i64, span, 0), "sw.hi");
    ok = LLVMBuildAnd(s->bd, ok, LLVMBuildICmp(s->bd, LLVMIntULE, hi[q], size, ""), "sw.ok");
  }
  for (unsigned p = 0; p < L->nphi; p++) {
    if (!L->checked[p]) continue;
    LLVMValueRef n0 = eval0(s, L, L->next[p], 0);
    if (!n0) return NULL;
    LLVMTypeRef t = LLVMTypeOf(L->phi[p]);
    LLVMValueRef d = LLVMBuildSub(s->bd, n0, L->start[p], "");
    ok = LLVMBuildAnd(
        s->bd, ok, LLVMBuildICmp(s->bd, LLVMIntEQ, d, LLVMConstInt(t, (uint64_t)L->step[p], 1), ""),
        "sw.ok");
  }
  /* a group's members are one stream only where each is the previous one
   * plus its width (no i32 address wrapped in between) */
  for (unsigned g = 0; g < L->ngrp; g++)
    for (unsigned q = 1; q < L->grp[g].u; q++) {
      unsigned a = L->grp[g].member[0], b = L->grp[g].member[q];
      LLVMValueRef want =
          LLVMBuildAdd(s->bd, lo[a], LLVMConstInt(i64, (uint64_t)q * L->st[a].bytes, 0), "");
      ok = LLVMBuildAnd(s->bd, ok, LLVMBuildICmp(s->bd, LLVMIntEQ, lo[b], want, ""), "sw.ok");
    }
  for (unsigned a = 0; a < L->nst; a++)
    for (unsigned b = 0; b < L->nst; b++) {
      if (a == b || !L->st[a].store || (L->st[b].store && b < a)) continue;
      /* in place, or disjoint bytes (a group's members): their addresses
       * must only be as far apart as the IR says */
      if (wgc_sw_exempt(&L->st[a], &L->st[b])) {
        int64_t d = (int64_t)(L->st[b].off - L->st[a].off);
        LLVMValueRef want = LLVMBuildAdd(s->bd, lo[a], LLVMConstInt(i64, (uint64_t)d, 1), "");
        ok = LLVMBuildAnd(s->bd, ok, LLVMBuildICmp(s->bd, LLVMIntEQ, lo[b], want, ""), "sw.ok");
        continue;
      }
      LLVMValueRef apart = LLVMBuildOr(s->bd, LLVMBuildICmp(s->bd, LLVMIntULE, hi[a], lo[b], ""),
                                       LLVMBuildICmp(s->bd, LLVMIntULE, hi[b], lo[a], ""), "");
      ok = LLVMBuildAnd(s->bd, ok, apart, "sw.ok");
    }
  return ok;
}

/* Each phi's parts in W: iteration k of a trip is W's phi + k * step. */
static void set_phi_parts(sw_state *s, sw_loop *L, const LLVMValueRef *base) {
  for (unsigned p = 0; p < L->nphi; p++)
    for (unsigned k = 0; k < L->k; k++) {
      LLVMTypeRef t = LLVMTypeOf(L->phi[p]);
      L->phipart[p][k] =
          k ? LLVMBuildAdd(s->bd, base[p], LLVMConstInt(t, (uint64_t)(L->step[p] * k), 1), "sw.iv")
            : base[p];
    }
}

/* Gives the edge ph -> b a block of its own (ph also branches elsewhere);
 * b's phis are rebuilt to name it (the C API cannot rename an incoming
 * block). Every phi of b is one of L's inductions (wgc_sw_match). */
static void split_preheader(sw_state *s, sw_loop *L) {
  LLVMBasicBlockRef nb = LLVMInsertBasicBlockInContext(s->lc, L->b, "sw.pre");
  LLVMValueRef t = LLVMGetBasicBlockTerminator(L->ph);
  for (unsigned i = 0, n = LLVMGetNumSuccessors(t); i < n; i++)
    if (LLVMGetSuccessor(t, i) == L->b) LLVMSetSuccessor(t, i, nb);
  LLVMPositionBuilderAtEnd(s->bd, nb);
  LLVMBuildBr(s->bd, L->b);
  for (unsigned p = 0; p < L->nphi; p++) {
    LLVMValueRef old = L->phi[p];
    /* before the first instruction, re-read each time: it may be `old` */
    LLVMPositionBuilderBefore(s->bd, LLVMGetFirstInstruction(L->b));
    LLVMValueRef next = LLVMGetIncomingValue(old, LLVMGetIncomingBlock(old, 0) == L->b ? 0 : 1);
    LLVMValueRef np = LLVMBuildPhi(s->bd, LLVMTypeOf(old), "sw.iv");
    LLVMAddIncoming(np, &L->start[p], &nb, 1);
    LLVMAddIncoming(np, &next, &L->b, 1);
    LLVMReplaceAllUsesWith(old, np);
    for (unsigned q = 0; q < L->nst; q++)
      if (L->st[q].x == old) L->st[q].x = np;
    LLVMInstructionEraseFromParent(old);
    L->phi[p] = np;
  }
  L->ph = nb;
}

static bool transform(sw_state *s, sw_loop *L) {
  if (L->split_ph) split_preheader(s, L);
  LLVMBasicBlockRef w = LLVMInsertBasicBlockInContext(s->lc, L->b, "sw.body");
  LLVMBasicBlockRef wx = LLVMInsertBasicBlockInContext(s->lc, L->b, "sw.exit");
  /* the check, in the preheader, with the phis at their starts */
  LLVMValueRef old_br = LLVMGetBasicBlockTerminator(L->ph);
  LLVMPositionBuilderBefore(s->bd, old_br);
  LLVMValueRef ok = emit_check(s, L);
  if (!ok) return false;
  LLVMValueRef cbr = LLVMBuildCondBr(s->bd, ok, w, L->b);
  LLVMInstructionEraseFromParent(old_br);
  LLVMPositionBuilderBefore(s->pre, cbr);
  /* W: its phis, its body, its counter */
  LLVMPositionBuilderAtEnd(s->bd, w);
  LLVMValueRef wphi[MAX_PHIS], wnext[MAX_PHIS];
  for (unsigned p = 0; p < L->nphi; p++)
    wphi[p] = LLVMBuildPhi(s->bd, LLVMTypeOf(L->phi[p]), "sw.phi");
  LLVMTypeRef i32 = LLVMInt32TypeInContext(s->lc);
  LLVMValueRef cnt = LLVMBuildPhi(s->bd, i32, "sw.trip");
  set_phi_parts(s, L, wphi);
  for (unsigned at = 0; at < L->n; at++)
    if (!emit_inst(s, L, at) || s->oom) return false;
  for (unsigned p = 0; p < L->nphi; p++)
    wnext[p] = LLVMBuildAdd(s->bd, wphi[p],
                            LLVMConstInt(LLVMTypeOf(L->phi[p]), (uint64_t)(L->step[p] * L->k), 1),
                            "sw.next");
  LLVMValueRef cnext = LLVMBuildAdd(s->bd, cnt, c32(s, 1), "sw.trip.next");
  unsigned wtrips = (L->trip - 1) / L->k;
  LLVMBuildCondBr(s->bd, LLVMBuildICmp(s->bd, LLVMIntEQ, cnext, c32(s, wtrips), ""), wx, w);
  LLVMValueRef zero = c32(s, 0);
  LLVMAddIncoming(cnt, &zero, &L->ph, 1);
  LLVMAddIncoming(cnt, &cnext, &w, 1);
  for (unsigned p = 0; p < L->nphi; p++) {
    LLVMAddIncoming(wphi[p], &L->start[p], &L->ph, 1);
    LLVMAddIncoming(wphi[p], &wnext[p], &w, 1);
    /* the original loop goes on from where W stopped */
    LLVMAddIncoming(L->phi[p], &wnext[p], &wx, 1);
  }
  LLVMPositionBuilderAtEnd(s->bd, wx);
  LLVMBuildBr(s->bd, L->b);
  return true;
}

/* ---- driver ------------------------------------------------------------- */

static unsigned width_for(LLVMValueRef fn) {
  if (wgc_fn_has_feature(fn, "+avx512f", false) && wgc_fn_has_feature(fn, "+avx512bw", false))
    return 4;
  return wgc_fn_has_feature(fn, "+avx2", false) ? 2 : 0;
}

static void run_function(sw_state *s, LLVMValueRef fn) {
  unsigned k = width_for(fn);
  if (!k) return;
  /* the candidates first: the pass adds single-block loops of its own */
  LLVMBasicBlockRef cand[256];
  unsigned nc = 0;
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn); b && nc < 256;
       b = LLVMGetNextBasicBlock(b)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(b);
    for (unsigned i = 0, n = t ? LLVMGetNumSuccessors(t) : 0; i < n; i++)
      if (LLVMGetSuccessor(t, i) == b) {
        cand[nc++] = b;
        break;
      }
  }
  bool any = false;
  sw_loop *L = malloc(sizeof *L);
  if (!L) {
    s->oom = true;
    return;
  }
  for (unsigned c = 0; c < nc && !s->oom; c++) {
    memset(L, 0, sizeof *L);
    L->fn = fn, L->b = cand[c], L->k = k, L->m = s->m;
    if (!wgc_sw_match(L)) {
      if (L->why) {
        s->st->rejected++;
        if (!s->st->first_reject) s->st->first_reject = L->why;
      }
      continue;
    }
    if (!transform(s, L)) {
      /* a failed allocation, or a shape wgc_sw_match() accepted and the copy
       * cannot build (a bug): either way the function is half rewritten */
      if (!s->oom) s->broken = true;
      break;
    }
    any = true;
    s->st->loops++;
    s->st->streams += L->nst;
    s->st->groups += L->ngrp;
    if (k == 4) s->st->by4++;
    else s->st->by2++;
  }
  free(L);
  if (any) {
    s->st->functions++;
    if (k == 4) wgc_fn_allow_512(fn);
  }
}

wasmgraph_status wgc_stream_widen(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                  wgc_stream_stats *stats) {
  wgc_stream_stats local;
  wgc_stream_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "stream widen: no module");
  wgc_barrier_cache_reset();
  sw_state s = {.lc = LLVMGetModuleContext(m), .m = m, .st = st};
  s.bd = LLVMCreateBuilderInContext(s.lc);
  s.pre = LLVMCreateBuilderInContext(s.lc);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom && !s.broken;
       f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f)) run_function(&s, f);
  LLVMDisposeBuilder(s.bd);
  LLVMDisposeBuilder(s.pre);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "stream widen: out of memory");
  if (s.broken)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "stream widen: a matched loop's wide copy could not be built (a bug; "
                    "--disable-pass=stream-widen avoids it)");
  return wgc_verify_after(ctx, m, verify, "stream widen");
}
