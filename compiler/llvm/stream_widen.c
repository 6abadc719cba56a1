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
 * byte (exempt()); other streams that interleave with a store are refused:
 * their ranges overlap, so the check below could never pass.
 * The preheader chooses W when, at run time:
 *   - every byte any iteration accesses is inside the memory's current size
 *     (so nothing in W can trap, and no i32 address wraps),
 *   - the byte range of every store stream overlaps no other stream's range
 *     (so no iteration reads or overwrites bytes another iteration wrote),
 *     except for exempt pairs, whose addresses must be exactly as far apart
 *     as the IR's offsets say (as must an interleaved group's members),
 *   - and every induction the loop carries in another form than
 *     `phi + constant` (one iteration late, or recomputed from the counter:
 *     resolve_phis) does advance by its stride from its start.
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

enum {
  MAX_INSTS = 512,      /* instructions of a loop body */
  MAX_PHIS = 16,        /* induction variables */
  MAX_STREAMS = 16,     /* loads and stores */
  MAX_K = 4,            /* iterations per wide trip */
  MAX_WIDE_BITS = 1024, /* the widest vector built (the backend splits it) */
  MAX_GROUP_BITS = 2048 /* the widest access of an interleaved group */
};

/* How W computes a body instruction. */
enum { SW_SCALAR, SW_WIDE, SW_DROP };

typedef struct sw_stream {
  LLVMValueRef inst;
  LLVMValueRef x;    /* the i32 under zext */
  uint64_t c;        /* memarg offset */
  LLVMValueRef root; /* x without its constant k */
  uint64_t off;      /* k + c: the offset from zext(root) */
  int64_t s;         /* x_{j+1} - x_j */
  unsigned bytes;    /* accessed per iteration */
  bool store, contiguous;
  int grp;    /* the interleaved group it belongs to, or -1 */
  unsigned q; /* its place in that group, by offset */
} sw_stream;

/* Streams that LLVM's unrolling split: u vector streams of one kind (loads
 * or stores) and type at root + off, off + b, ..., off + (u-1) b with
 * stride u*b, which together cover every byte of their range. W accesses
 * them as one stream, K*u*b bytes per trip, and (de)interleaves the
 * members' wide values with one shuffle. */
typedef struct sw_group {
  unsigned u;
  unsigned member[4]; /* stream indices, by offset */
  unsigned last;      /* body index of the last member access */
} sw_group;

typedef struct sw_loop {
  LLVMValueRef fn;
  LLVMBasicBlockRef b, ph;
  unsigned k, trip;
  LLVMValueRef inst[MAX_INSTS];
  unsigned char how[MAX_INSTS];
  unsigned n;
  LLVMValueRef phi[MAX_PHIS], start[MAX_PHIS], next[MAX_PHIS];
  int64_t step[MAX_PHIS];
  /* known: step found; checked: an induction only if the preheader's check
   * shows next - start == step at iteration 0 (see resolve_phis) */
  bool known[MAX_PHIS], checked[MAX_PHIS];
  unsigned nphi;
  sw_stream st[MAX_STREAMS];
  unsigned nst;
  sw_group grp[MAX_STREAMS / 2];
  unsigned ngrp;
  LLVMValueRef data, mem; /* the data pointer and where it was loaded from */
  LLVMTypeRef mem_type;   /* struct.wasm_rt_memory_t */
  LLVMValueRef mem_slot;  /* or NULL: where the preheader reloads the struct pointer */
  LLVMModuleRef m;
  bool split_ph; /* the preheader branches elsewhere too: split its edge */
  /* invariant vectors repeated K times, built once in the preheader */
  LLVMValueRef rep_src[32], rep_val[32];
  unsigned nrep;
  /* W's values: wide[i] or part[i][k] per body instruction; phi parts */
  LLVMValueRef wide[MAX_INSTS], part[MAX_INSTS][MAX_K], phipart[MAX_PHIS][MAX_K];
  const char *why;
} sw_loop;

typedef struct sw_state {
  LLVMContextRef lc;
  LLVMModuleRef m;
  LLVMBuilderRef bd;
  LLVMBuilderRef pre; /* at the end of the preheader (before its branch) */
  wgc_stream_stats *st;
  bool oom;
  bool broken; /* a matched loop's copy could not be built: a bug, the module is unusable */
} sw_state;

/* ---- analysis ----------------------------------------------------------- */

static bool reject(sw_loop *L, const char *why) {
  L->why = why;
  return false;
}

static int index_of(const sw_loop *L, LLVMValueRef v) {
  if (!v || !LLVMIsAInstruction(v) || LLVMGetInstructionParent(v) != L->b) return -1;
  for (unsigned i = 0; i < L->n; i++)
    if (L->inst[i] == v) return (int)i;
  return -1;
}

static int phi_of(const sw_loop *L, LLVMValueRef v) {
  for (unsigned i = 0; i < L->nphi; i++)
    if (L->phi[i] == v) return (int)i;
  return -1;
}

static bool const_int(LLVMValueRef v, int64_t *out) {
  if (!v || !LLVMIsAConstantInt(v)) return false;
  *out = LLVMConstIntGetSExtValue(v);
  return true;
}

static bool is_int_scalar(LLVMTypeRef t) { return LLVMGetTypeKind(t) == LLVMIntegerTypeKind; }

/* The bits of a lane of vector type t: integer, float or double lanes;
 * 0 for any other type. */
static unsigned lane_bits(LLVMTypeRef t) {
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind) return 0;
  LLVMTypeRef e = LLVMGetElementType(t);
  switch (LLVMGetTypeKind(e)) {
    case LLVMIntegerTypeKind:
      return LLVMGetIntTypeWidth(e);
    case LLVMFloatTypeKind:
      return 32;
    case LLVMDoubleTypeKind:
      return 64;
    default:
      return 0;
  }
}

/* A vector the pass widens: of integers (i1 included), floats or doubles. */
static bool is_vec(LLVMTypeRef t) { return lane_bits(t) != 0; }

static LLVMTypeRef widen(LLVMTypeRef t, unsigned k) {
  return LLVMVectorType(LLVMGetElementType(t), LLVMGetVectorSize(t) * k);
}

static bool wide_ok(LLVMTypeRef t, unsigned k) {
  return is_vec(t) && (unsigned long)LLVMGetVectorSize(t) * k * lane_bits(t) <= MAX_WIDE_BITS;
}

/* x_{j+1} - x_j of an i32 expression of the loop, or false if it is not
 * affine in the iteration. Computed in wrapping 64-bit arithmetic, which
 * agrees with the i32 program mod 2^32; a result the callers take must be
 * a small non-negative number, so a wrapped one is only ever refused. */
static bool stride_u(const sw_loop *L, LLVMValueRef v, uint64_t *s, unsigned depth) {
  if (depth > 16) return false;
  if (index_of(L, v) < 0) {
    int p = phi_of(L, v);
    *s = p >= 0 ? (uint64_t)L->step[p] : 0;
    if (p >= 0) return L->known[p];
    return !LLVMIsAInstruction(v) || LLVMGetInstructionParent(v) != L->b;
  }
  uint64_t a, b;
  int64_t c;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMAdd:
    case LLVMSub:
      if (!stride_u(L, LLVMGetOperand(v, 0), &a, depth + 1) ||
          !stride_u(L, LLVMGetOperand(v, 1), &b, depth + 1))
        return false;
      *s = LLVMGetInstructionOpcode(v) == LLVMAdd ? a + b : a - b;
      return true;
    case LLVMMul:
      if (const_int(LLVMGetOperand(v, 1), &c) && stride_u(L, LLVMGetOperand(v, 0), &a, depth + 1))
        return *s = a * (uint64_t)c, true;
      if (const_int(LLVMGetOperand(v, 0), &c) && stride_u(L, LLVMGetOperand(v, 1), &a, depth + 1))
        return *s = a * (uint64_t)c, true;
      return false;
    case LLVMShl:
      if (!const_int(LLVMGetOperand(v, 1), &c) || c < 0 || c > 31) return false;
      if (!stride_u(L, LLVMGetOperand(v, 0), &a, depth + 1)) return false;
      return *s = a << c, true;
    case LLVMTrunc: /* i64 -> i32: the same stride mod 2^32 */
      return stride_u(L, LLVMGetOperand(v, 0), s, depth + 1);
    default:
      return false;
  }
}

static bool stride_of(const sw_loop *L, LLVMValueRef v, int64_t *s, unsigned depth) {
  uint64_t u;
  if (!stride_u(L, v, &u, depth)) return false;
  *s = (int64_t)u;
  return true;
}

/* A load's or store's stream, or false. */
static bool add_stream(sw_loop *L, LLVMValueRef inst, bool store) {
  if (!wgc_is_plain_access(inst)) return reject(L, "a volatile or atomic access");
  LLVMTypeRef t = LLVMTypeOf(store ? LLVMGetOperand(inst, 0) : inst);
  if (!is_int_scalar(t) && !wide_ok(t, L->k)) return reject(L, "an access of another type");
  wgc_address a;
  if (!wgc_address_parse(LLVMGetOperand(inst, store ? 1 : 0), &a) || !a.x)
    return reject(L, "an address of another shape");
  if (index_of(L, a.base) >= 0) return reject(L, "a memory base computed in the loop");
  if (L->data && L->data != a.base) return reject(L, "two memories");
  L->data = a.base;
  if (L->nst == MAX_STREAMS) return reject(L, "too many accesses");
  sw_stream *s = &L->st[L->nst++];
  s->inst = inst, s->x = a.x, s->c = a.c, s->store = store;
  s->root = a.root, s->off = (uint64_t)a.k + a.c, s->grp = -1;
  s->bytes = is_vec(t) ? LLVMGetVectorSize(t) * lane_bits(t) / 8 : wgc_int_bytes(t);
  if (!s->bytes) return reject(L, "an access of another type");
  return true; /* its stride once the phis are resolved (streams_ok) */
}

static LLVMTypeRef access_type(LLVMValueRef inst) {
  return LLVMIsAStoreInst(inst) ? LLVMTypeOf(LLVMGetOperand(inst, 0)) : LLVMTypeOf(inst);
}

/* The interleaved groups among the streams that are not contiguous (see
 * sw_group). */
static void form_groups(sw_loop *L) {
  for (unsigned a = 0; a < L->nst && L->ngrp < sizeof L->grp / sizeof *L->grp; a++) {
    const sw_stream *A = &L->st[a];
    LLVMTypeRef t = access_type(A->inst);
    if (A->contiguous || A->grp >= 0 || !is_vec(t) || A->s <= 0 || A->s % A->bytes) continue;
    uint64_t u = (uint64_t)A->s / A->bytes;
    if ((u != 2 && u != 4) ||
        (uint64_t)LLVMGetVectorSize(t) * L->k * u * lane_bits(t) > MAX_GROUP_BITS)
      continue;
    sw_group g = {(unsigned)u, {a}, 0};
    unsigned found = 1;
    for (unsigned q = 1; q < u; q++)
      for (unsigned b = 0; b < L->nst; b++) {
        const sw_stream *B = &L->st[b];
        if (b != a && B->grp < 0 && B->store == A->store && B->s == A->s && B->root == A->root &&
            access_type(B->inst) == t && B->off == A->off + (uint64_t)q * A->bytes) {
          g.member[found++] = b;
          break;
        }
      }
    if (found != u) continue;
    for (unsigned q = 0; q < u; q++) {
      sw_stream *M = &L->st[g.member[q]];
      M->grp = (int)L->ngrp, M->q = q;
      int at = index_of(L, M->inst);
      if (at > (int)g.last) g.last = (unsigned)at;
    }
    L->grp[L->ngrp++] = g;
  }
}

/* Whether store stream a and stream b (one root and stride, offsets d
 * apart) can be left out of each other's overlap check: either they access
 * the same bytes in every iteration (d = 0, one width: an in-place update,
 * as TVM's elementwise kernels do), which only that iteration touches
 * (stride >= width); or no byte of a is ever a byte of b (a's bytes at
 * j*s + [0, wa), b's at d + j*s + [0, wb): d mod s in [wa, s - wb]), as
 * for the members of an interleaved group. Either way W's order of the K
 * iterations' accesses changes nothing. The run-time check still requires
 * their addresses to be d apart (emit_check): no i32 address wrapped
 * between them. */
static bool exempt(const sw_stream *a, const sw_stream *b) {
  if (a->root != b->root || a->s != b->s || a->s <= 0) return false;
  int64_t d = (int64_t)(b->off - a->off), s = a->s;
  if (d == 0) return a->bytes == b->bytes && (uint64_t)s >= a->bytes;
  int64_t r = (d % s + s) % s;
  return r >= (int64_t)a->bytes && r <= s - (int64_t)b->bytes;
}

/* Each stream's stride, now that every phi has one. */
static bool streams_ok(sw_loop *L) {
  for (unsigned q = 0; q < L->nst; q++) {
    sw_stream *s = &L->st[q];
    if (!stride_of(L, s->x, &s->s, 0) || s->s < 0 || s->s >= (INT64_C(1) << 24))
      return reject(L, "an address that is not a non-negative stride of the iteration");
    s->contiguous = (uint64_t)s->s == s->bytes;
  }
  form_groups(L);
  /* a store and another stream of one root and stride, less than a stride
   * apart, that are not exempt (in place or disjoint): their ranges always
   * overlap, so the run-time check could never pass */
  for (unsigned a = 0; a < L->nst; a++)
    for (unsigned b = 0; b < L->nst; b++) {
      const sw_stream *A = &L->st[a], *B = &L->st[b];
      if (a == b || !A->store || A->root != B->root || A->s != B->s || A->s <= 0) continue;
      uint64_t d = A->off > B->off ? A->off - B->off : B->off - A->off;
      if (d < (uint64_t)A->s && !exempt(A, B)) return reject(L, "interleaved streams that overlap");
      /* in place with a group: W loads a group at its first member and
       * stores it at its last, which keeps each iteration's order on these
       * bytes only if the load came first */
      if (d == 0 && (A->grp >= 0 || B->grp >= 0) &&
          (B->store || index_of(L, B->inst) > index_of(L, A->inst)))
        return reject(L, "a grouped access after the store of its bytes");
    }
  return true;
}

/* Phis whose next value is not `phi + constant` but some other affine
 * expression of the iteration: LLVM's rotated and unrolled loops carry an
 * address one iteration late (p' = q, another induction) or recompute it
 * from the counter (p' = base + trunc(iv')). Such a phi advances by the
 * expression's stride s every iteration after the first, so it is an
 * induction of step s iff next - start == s at iteration 0, which the
 * preheader checks with the rest (emit_check). */
static bool resolve_phis(sw_loop *L) {
  for (bool progress = true; progress;) {
    progress = false;
    for (unsigned p = 0; p < L->nphi; p++) {
      int64_t st;
      if (L->known[p] || !stride_of(L, L->next[p], &st, 0)) continue;
      L->step[p] = st, L->known[p] = L->checked[p] = true;
      progress = true;
    }
  }
  for (unsigned p = 0; p < L->nphi; p++)
    if (!L->known[p]) return reject(L, "a phi that is not an induction");
  return true;
}

/* The slot a wasm_rt_memory_t pointer was loaded from, for a data pointer
 * loaded through it (`load i8*, P` with P that struct pointer, a GEP to
 * its field 0 or a bitcast of it), or NULL. */
static LLVMValueRef struct_slot(LLVMValueRef data) {
  if (!LLVMIsALoadInst(data)) return NULL;
  LLVMValueRef p = wgc_strip_bitcasts(LLVMGetOperand(data, 0));
  if (LLVMIsAGetElementPtrInst(p) && LLVMGetNumOperands(p) == 3) {
    int64_t i0, i1;
    if (!const_int(LLVMGetOperand(p, 1), &i0) || !const_int(LLVMGetOperand(p, 2), &i1) || i0 || i1)
      return NULL;
    p = wgc_strip_bitcasts(LLVMGetOperand(p, 0));
  }
  return LLVMIsALoadInst(p) ? wgc_strip_bitcasts(LLVMGetOperand(p, 0)) : NULL;
}

/* Collects the loads behind a data pointer that phis merge (a function
 * reloads it after a call that may grow memory, and loops carry it); false
 * if anything else is behind it. */
typedef struct data_walk {
  LLVMValueRef loads[8], phis[8];
  unsigned nloads, nphis;
} data_walk;

static bool data_loads(LLVMValueRef v, data_walk *w) {
  if (LLVMIsALoadInst(v)) {
    for (unsigned i = 0; i < w->nloads; i++)
      if (w->loads[i] == v) return true;
    if (w->nloads == 8) return false;
    w->loads[w->nloads++] = v;
    return true;
  }
  if (!LLVMIsAPHINode(v)) return false;
  for (unsigned i = 0; i < w->nphis; i++)
    if (w->phis[i] == v) return true;
  if (w->nphis == 8) return false;
  w->phis[w->nphis++] = v;
  for (unsigned i = 0, k = LLVMCountIncoming(v); i < k; i++)
    if (!data_loads(LLVMGetIncomingValue(v, i), w)) return false;
  return true;
}

/* Where the memory's size is. wasm2c's accessors only ever address linear
 * memory from the `data` field (field 0) of a wasm_rt_memory_t, so when
 * `data` is `load i8*, P`, P points to one (the instance's, or a copy of
 * it: memory_rewrite.c); the size is field 3 of the module's
 * struct.wasm_rt_memory_t (wasm-rt.h), checked here. When phis merge
 * several loads of the data pointer, all through a struct pointer loaded
 * from one slot defined in the entry block (the instance's memory field),
 * the preheader reloads the struct pointer from that slot (*slot). */
static LLVMValueRef memory_of(LLVMModuleRef m, LLVMValueRef data, LLVMTypeRef *st_out,
                              LLVMValueRef *slot) {
  LLVMTypeRef st = LLVMGetTypeByName2(LLVMGetModuleContext(m), "struct.wasm_rt_memory_t");
  if (!st || LLVMCountStructElementTypes(st) < 4) return NULL;
  LLVMTypeRef f0 = LLVMStructGetTypeAtIndex(st, 0), f3 = LLVMStructGetTypeAtIndex(st, 3);
  if (LLVMGetTypeKind(f0) != LLVMPointerTypeKind || !is_int_scalar(f3) ||
      LLVMGetIntTypeWidth(f3) != 64)
    return NULL;
  *st_out = st;
  *slot = NULL;
  if (!data) return NULL;
  if (LLVMIsALoadInst(data)) return LLVMGetOperand(data, 0);
  data_walk w = {.nloads = 0};
  if (!data_loads(data, &w) || !w.nloads) return NULL;
  LLVMValueRef sl = struct_slot(w.loads[0]);
  for (unsigned i = 1; sl && i < w.nloads; i++)
    if (struct_slot(w.loads[i]) != sl) sl = NULL;
  if (!sl) return NULL;
  bool entry = LLVMIsAArgument(sl) || LLVMIsAGlobalValue(sl) ||
               (LLVMIsAInstruction(sl) &&
                LLVMGetInstructionParent(sl) ==
                    LLVMGetEntryBasicBlock(LLVMGetBasicBlockParent(LLVMGetInstructionParent(sl))));
  if (!entry || LLVMGetTypeKind(LLVMTypeOf(sl)) != LLVMPointerTypeKind) return NULL;
  *slot = sl;
  return data;
}

static bool classify(sw_loop *L, LLVMValueRef i) {
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  LLVMTypeRef t = LLVMTypeOf(i);
  unsigned at = L->n;
  if (L->n == MAX_INSTS) return reject(L, "too long a body");
  L->inst[L->n++] = i;
  if (wgc_is_load_barrier(i)) return L->how[at] = SW_DROP, true;
  if (op == LLVMLoad) {
    L->how[at] = is_vec(t) ? SW_WIDE : SW_SCALAR;
    return add_stream(L, i, false);
  }
  if (op == LLVMStore) {
    L->how[at] = SW_DROP; /* emitted, but defines nothing */
    return add_stream(L, i, true);
  }
  if (op == LLVMCall) {
    if (!wide_ok(t, L->k) || !wgc_lanewise_call_widens(i, L->k)) return reject(L, "a call");
    /* its vector arguments widen; the others (metadata, immediates) must
     * come from outside the loop */
    for (unsigned o = 0, no = (unsigned)LLVMGetNumArgOperands(i); o < no; o++) {
      LLVMValueRef v = LLVMGetOperand(i, o);
      if (is_vec(LLVMTypeOf(v)) ? !wide_ok(LLVMTypeOf(v), L->k)
                                : index_of(L, v) >= 0 || phi_of(L, v) >= 0)
        return reject(L, "a call on a scalar of the loop");
    }
    return L->how[at] = SW_WIDE, true;
  }
  /* every operand of the body: a vector the loop computes or any value
   * from outside; scalars of the body only feed scalars, inserts and
   * shifts' splats (checked by type below) */
  switch (op) {
    case LLVMGetElementPtr: /* an address: scalar */
      break;
    case LLVMShuffleVector:
    case LLVMInsertElement:
      if (!is_vec(t)) return reject(L, "a vector of another type");
      break;
    case LLVMExtractElement:
      if (!is_int_scalar(t)) return reject(L, "a float lane");
      break;
    case LLVMFAdd: /* lane-wise on float vectors (rounded per lane, as the narrow one) */
    case LLVMFSub:
    case LLVMFMul:
    case LLVMFDiv:
      if (!is_vec(t)) return reject(L, "scalar float arithmetic");
      break;
    default:
      if (!wgc_is_lanewise_int_op(op)) return reject(L, "an instruction the pass does not widen");
  }
  if (op == LLVMInsertElement || op == LLVMExtractElement) {
    int64_t lane;
    if (!const_int(LLVMGetOperand(i, op == LLVMInsertElement ? 2 : 1), &lane))
      return reject(L, "a variable lane");
  }
  if (is_vec(t)) {
    if (!wide_ok(t, L->k)) return reject(L, "too wide a vector");
    /* each vector operand must widen too, a scalar one (a select's
     * condition) must come from outside the loop */
    for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++) {
      LLVMValueRef v = LLVMGetOperand(i, o);
      LLVMTypeRef vt = LLVMTypeOf(v);
      if (op == LLVMInsertElement && o == 1) continue;
      if (op == LLVMInsertElement && o == 2) continue;
      if (is_vec(vt) ? !wide_ok(vt, L->k) : index_of(L, v) >= 0 || phi_of(L, v) >= 0)
        return reject(L, "a vector operation on a scalar of the loop");
    }
    return L->how[at] = SW_WIDE, true;
  }
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) return reject(L, "a vector of another type");
  if (op == LLVMExtractElement) return L->how[at] = SW_SCALAR, true;
  /* scalar arithmetic and addresses: its operands scalars too */
  for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(i); o < no; o++)
    if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(i, o))) == LLVMVectorTypeKind)
      return reject(L, "a scalar computed from a vector");
  return L->how[at] = SW_SCALAR, true;
}

/* The loop's one other predecessor (*split: it branches elsewhere too, so
 * the pass gives the edge a block of its own), or NULL. */
static LLVMBasicBlockRef preheader(LLVMValueRef fn, LLVMBasicBlockRef b, bool *split) {
  LLVMBasicBlockRef ph = NULL;
  for (LLVMBasicBlockRef x = LLVMGetFirstBasicBlock(fn); x; x = LLVMGetNextBasicBlock(x)) {
    if (x == b) continue;
    LLVMValueRef t = LLVMGetBasicBlockTerminator(x);
    for (unsigned i = 0, n = t ? LLVMGetNumSuccessors(t) : 0; i < n; i++)
      if (LLVMGetSuccessor(t, i) == b) {
        if (ph || !LLVMIsABranchInst(t)) return NULL;
        ph = x;
        *split = n != 1;
      }
  }
  return ph;
}

static bool match(sw_loop *L) {
  LLVMValueRef br = LLVMGetBasicBlockTerminator(L->b);
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return false;
  bool back0 = LLVMGetSuccessor(br, 0) == L->b, back1 = LLVMGetSuccessor(br, 1) == L->b;
  if (back0 == back1) return false;
  if (!(L->ph = preheader(L->fn, L->b, &L->split_ph))) return reject(L, "no preheader");
  /* induction variables: i = phi [start, ph], [i + step, b] */
  LLVMValueRef i = LLVMGetFirstInstruction(L->b);
  for (; i && LLVMIsAPHINode(i); i = LLVMGetNextInstruction(i)) {
    if (LLVMCountIncoming(i) != 2 || L->nphi == MAX_PHIS || !is_int_scalar(LLVMTypeOf(i)))
      return reject(L, "a phi that is not an integer induction");
    unsigned from_b = LLVMGetIncomingBlock(i, 0) == L->b ? 0 : 1;
    LLVMValueRef next = LLVMGetIncomingValue(i, from_b);
    if (LLVMGetIncomingBlock(i, 1 - from_b) != L->ph || LLVMGetIncomingBlock(i, from_b) != L->b)
      return reject(L, "a phi that is not an induction");
    int64_t step = 0;
    bool plain = LLVMIsAInstruction(next) && LLVMGetInstructionOpcode(next) == LLVMAdd;
    if (plain) {
      LLVMValueRef o0 = LLVMGetOperand(next, 0), o1 = LLVMGetOperand(next, 1);
      plain = (o0 == i && const_int(o1, &step)) || (o1 == i && const_int(o0, &step));
    }
    L->phi[L->nphi] = i, L->start[L->nphi] = LLVMGetIncomingValue(i, 1 - from_b);
    L->next[L->nphi] = next, L->known[L->nphi] = plain;
    L->step[L->nphi++] = step;
  }
  /* the trip count: icmp eq/ne (i + step), END with a constant start */
  LLVMValueRef cmp = LLVMGetCondition(br);
  if (!LLVMIsAICmpInst(cmp)) return reject(L, "no constant trip count");
  LLVMIntPredicate pr = LLVMGetICmpPredicate(cmp);
  int64_t end, start = 0;
  LLVMValueRef nx = LLVMGetOperand(cmp, 0);
  int p = -1;
  for (unsigned q = 0; q < L->nphi; q++)
    if (LLVMGetIncomingValue(L->phi[q], LLVMGetIncomingBlock(L->phi[q], 0) == L->b ? 0 : 1) == nx)
      p = (int)q;
  if (p < 0 || !L->known[p] || !const_int(LLVMGetOperand(cmp, 1), &end) ||
      !const_int(L->start[p], &start) ||
      !((pr == LLVMIntEQ && back1) || (pr == LLVMIntNE && back0)))
    return reject(L, "no constant trip count");
  int64_t step = L->step[p], span = end - start;
  if (step == 0 || span % step || span / step < 1 || span / step > (1 << 24))
    return reject(L, "no constant trip count");
  L->trip = (unsigned)(span / step);
  if (L->trip < L->k + 1) return reject(L, "too few iterations");
  for (; i && i != br; i = LLVMGetNextInstruction(i))
    if (!classify(L, i)) return false;
  if (!resolve_phis(L) || !streams_ok(L)) return false;
  bool stores = false, wide = false;
  for (unsigned q = 0; q < L->nst; q++) stores |= L->st[q].store;
  for (unsigned q = 0; q < L->n; q++) wide |= L->how[q] == SW_WIDE;
  if (!stores || !wide) return reject(L, "no vector stream");
  if (!(L->mem = memory_of(L->m, L->data, &L->mem_type, &L->mem_slot)))
    return reject(L, "memory of another shape");
  return true;
}

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

/* The interleaved group stream of access `inst`, or NULL. */
static const sw_stream *grouped(const sw_loop *L, LLVMValueRef inst) {
  for (unsigned q = 0; q < L->nst; q++)
    if (L->st[q].inst == inst) return L->st[q].grp >= 0 ? &L->st[q] : NULL;
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

/* A group's stores, at its last member store (store `at`): the members'
 * wide values interleaved back into memory order, one store. Every value
 * stored is defined by then (each before its own store). */
static bool emit_group_store(sw_state *s, sw_loop *L, const sw_group *G, unsigned at) {
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
  const sw_stream *last = grouped(L, L->inst[at]);
  LLVMValueRef p = group_ptr(s, L, LLVMGetOperand(L->inst[at], 1), (uint64_t)last->q * last->bytes,
                             LLVMTypeOf(big));
  if (!p) return false;
  LLVMSetAlignment(LLVMBuildStore(s->bd, big, p), 1);
  return true;
}

static bool contiguous(const sw_loop *L, LLVMValueRef inst) {
  for (unsigned q = 0; q < L->nst; q++)
    if (L->st[q].inst == inst) return L->st[q].contiguous;
  return false;
}

static bool emit_inst(sw_state *s, sw_loop *L, unsigned at) {
  LLVMValueRef i = L->inst[at];
  LLVMOpcode op = LLVMGetInstructionOpcode(i);
  LLVMTypeRef t = LLVMTypeOf(i);
  const sw_stream *g = op == LLVMStore || op == LLVMLoad ? grouped(L, i) : NULL;
  if (g && op == LLVMStore)
    return at == L->grp[g->grp].last ? emit_group_store(s, L, &L->grp[g->grp], at) : true;
  if (g) return L->wide[at] ? true : emit_group_load(s, L, &L->grp[g->grp], g->q, at);
  if (op == LLVMStore) {
    LLVMValueRef v = LLVMGetOperand(i, 0), ptr = LLVMGetOperand(i, 1);
    if (contiguous(L, i) && is_vec(LLVMTypeOf(v))) {
      LLVMValueRef w = get_wide(s, L, v), p = w ? wide_ptr(s, L, ptr, LLVMTypeOf(w)) : NULL;
      if (!p) return false;
      LLVMSetAlignment(LLVMBuildStore(s->bd, w, p), 1);
      return true;
    }
    if (contiguous(L, i)) { /* scalars side by side: one vector store */
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
    if (contiguous(L, i) && !is_vec(t)) { /* scalars side by side: one vector load */
      LLVMTypeRef vt = LLVMVectorType(t, L->k);
      LLVMValueRef p = wide_ptr(s, L, ptr, vt);
      if (!p) return false;
      LLVMValueRef w = LLVMBuildLoad2(s->bd, vt, p, "sw.load");
      LLVMSetAlignment(w, 1);
      for (unsigned k = 0; k < L->k; k++)
        L->part[at][k] = LLVMBuildExtractElement(s->bd, w, c32(s, k), "sw.ld");
      return true;
    }
    if (contiguous(L, i)) {
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
      if (exempt(&L->st[a], &L->st[b])) {
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
 * block). Every phi of b is one of L's inductions (match). */
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
    if (!match(L)) {
      if (L->why) {
        s->st->rejected++;
        if (!s->st->first_reject) s->st->first_reject = L->why;
      }
      continue;
    }
    if (!transform(s, L)) {
      /* a failed allocation, or a shape match() accepted and the copy
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
