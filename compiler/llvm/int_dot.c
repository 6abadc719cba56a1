/*
 * int_dot.c — TVM's integer convolution reductions as dot products.
 *
 * The shape. For a wasm target TVM computes int8 convolutions (relay.quantize:
 * int8 x int8; QNN, legalized to int16 x int16) in NCHWc blocks of 4 input
 * channels. The innermost loop runs over the channels k of one block, a
 * single basic block with a constant trip count T (4, sometimes 3), and
 * after -O2 reads
 *   w    = sext(4 x E at Q + k*4|E|)                  weights of 4 output channels
 *   x_p  = sext(splat(E at P_p + k*|E|))              one input per output position
 *   acc_p = acc_p + x_p * w       for every position p (11 to 28 of them)
 * with E = i8 or i16, every value a <4 x i32>. That is one 32-bit multiply
 * and add per 4 multiply-adds (`vpmulld` is two uops on x86): about 2
 * multiply-adds per cycle, where the CPU's dot-product instructions do 16 or
 * more.
 *
 * What this pass does. It replaces such a loop by straight-line code that
 * regroups the reduction: for int8, 4 consecutive k per instruction
 * (`vpdpbusd`), for int16, 2 (`vpdpwssd`, or `pmaddwd` + add without VNNI;
 * plain IR elsewhere). Each position's 4 (or 2) inputs are 4 contiguous bytes
 * and are read with one 32-bit load; a group's weights are 16 contiguous
 * bytes, read with one 128-bit load and transposed (int8: lane o = w[k..k+3][o])
 * or interleaved (int16: lane o = w[k][o], w[k+1][o]) once for all positions.
 *
 * Why the values are exact. Wasm adds in wrapping i32; integers mod 2^32 form
 * a ring, so acc + x0*w0 + x1*w1 + ... may be summed in any grouping. Every
 * product of two sign-extended i8 or i16 values fits in i32 exactly.
 *  - int16 pairs: vpdpwssd/pmaddwd return the pair sum mod 2^32 (the one
 *    overflow, (-32768)^2 + (-32768)^2 = 2^31, wraps to 0x80000000, as i32.add
 *    does); never the saturating vpdpwssds.
 *  - int8 quads: vpdpbusd multiplies unsigned by signed bytes and sums the
 *    four products into i32 without saturation. With x' = x XOR 0x80 = x + 128
 *    read as unsigned, dpbusd(acc, x', w) = acc + sum x*w + 128*sum w, so the
 *    pass subtracts corr = dpbusd(0, 0x80..., w), which depends only on the
 *    weights and is shared by all positions. Never the saturating vpdpbusds
 *    or vpmaddubsw.
 * The unit test (tests/compiler/int_dot) runs both forms against the loop on
 * random data and on the extremes of i8/i16 and of the accumulators.
 *
 * Why the traps are exact. The loop has no instruction with an observable
 * effect (wgc_has_effect) and reads nothing but the pattern's loads; each
 * original load reads exactly the bytes attributed to it. The new loads read
 * exactly the union of those bytes, so with guard pages one of them faults
 * iff one of the originals does, and nothing observable happens in between
 * either way. Addresses: an original load in iteration j is at
 * base + zext(i32(a + j*s)) + c (a wrapping i32 sum, then a 64-bit memarg
 * offset c); a group's load is at base + zext(i32(a + g*s)) + c and covers
 * the group's later iterations at + 1..15 in 64 bits. The two differ only
 * when a + g*s + d wraps for some d < 16, that is when a + g*s >= 2^32 - 16;
 * with a memory of at most 65535 pages that address is past the end, so the
 * original load of iteration g traps as the new load does. Hence the same
 * preconditions as address_fold.c: guard pages, memory maximum <= 65535
 * pages (wgc_trap_proof_unmet). The new loads keep load barriers, as the
 * loads they replace did.
 *
 * What it checks (each a reason to leave the loop alone): a single-block
 * loop with one preheader, a constant trip count from an induction variable
 * compared for equality; every phi either an accumulator (incoming from the
 * loop: acc + x*w with the multiply in the loop) or an affine induction
 * (i += constant); every load a pattern load, non-volatile, of exactly the
 * bytes used; inputs advancing by one element and weights by one row per
 * iteration; one weight row shared by every position; nothing computed in
 * the loop used after it except the accumulators' last values.
 */
#include "int_dot.h"

#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

enum {
  MAX_POSITIONS = 64, /* accumulators per loop */
  MAX_TRIP = 64,      /* iterations of a loop the pass replaces */
  MAX_DEPTH = 8,      /* recursion in the value matchers */
  LANES = 4           /* i32 lanes of an accumulator: 4 output channels */
};

/* An i32/i64 value in iteration j of the loop: base + off + step * j, base
 * defined outside the loop (or NULL: a constant). */
typedef struct aff {
  LLVMValueRef base;
  int64_t off, step;
} aff;

/* Where the bytes of a value come from: load + byte offset, or none. */
typedef struct src_byte {
  LLVMValueRef load;
  int off;
} src_byte;

/* A sign-extended element: `bytes` bytes at byte `off` of `load`. */
typedef struct elem {
  LLVMValueRef load;
  int off, bytes;
} elem;

/* A linear-memory address in iteration j (pass_util.h wgc_address):
 * mem + zext(i32(x)) + c, x affine. */
typedef struct mem_addr {
  LLVMValueRef mem;
  aff x;
  uint64_t c;
} mem_addr;

typedef struct position {
  LLVMValueRef phi, next; /* the accumulator phi and acc + x*w */
  LLVMValueRef init;      /* its value on entry */
  mem_addr x;             /* x_p in iteration j: x.x.off + j * |E| */
  LLVMValueRef result;    /* the new value after the loop */
} position;

typedef struct dot_loop {
  LLVMBasicBlockRef b, ph, exit;
  unsigned trip;
  int ebytes; /* 1 (int8) or 2 (int16) */
  LLVMValueRef w;
  mem_addr wa; /* row j of w: wa.x.off + j * 4|E| */
  position pos[MAX_POSITIONS];
  unsigned npos;
  const char *why; /* set when the loop is rejected */
} dot_loop;

typedef struct dot_state {
  LLVMContextRef lc;
  LLVMModuleRef m;
  LLVMBuilderRef bd;
  LLVMTypeRef i8, i16, i32, i64, v16i8, v8i16, v4i32;
  wgc_dot_isa isa; /* of the current function */
  wgc_dot_stats *st;
  bool changed_fn;
  bool oom;
} dot_state;

/* ---- small helpers ------------------------------------------------------ */

static bool in_loop(const dot_loop *L, LLVMValueRef v) {
  return LLVMIsAInstruction(v) && LLVMGetInstructionParent(v) == L->b;
}

static bool const_int(LLVMValueRef v, int64_t *c) {
  if (!v || !LLVMIsAConstantInt(v)) return false;
  *c = LLVMConstIntGetSExtValue(v);
  return true;
}

static bool is_op(LLVMValueRef v, LLVMOpcode op) {
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == op;
}

static bool is_v4i32(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind && LLVMGetVectorSize(t) == LANES &&
         LLVMGetTypeKind(LLVMGetElementType(t)) == LLVMIntegerTypeKind &&
         LLVMGetIntTypeWidth(LLVMGetElementType(t)) == 32;
}

/* Bytes of a type, for integer scalars and vectors of integers; 0 else. */
static unsigned int_bytes(LLVMTypeRef t) {
  unsigned n = 1;
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
    n = LLVMGetVectorSize(t);
    t = LLVMGetElementType(t);
  }
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind || LLVMGetIntTypeWidth(t) % 8) return 0;
  return n * LLVMGetIntTypeWidth(t) / 8;
}

/* The incoming value of a two-way phi of the loop from the preheader (pre)
 * and from the loop (next). */
static bool phi_edges(const dot_loop *L, LLVMValueRef phi, LLVMValueRef *pre, LLVMValueRef *next) {
  if (LLVMCountIncoming(phi) != 2) return false;
  *pre = *next = NULL;
  for (unsigned q = 0; q < 2; q++) {
    LLVMBasicBlockRef ib = LLVMGetIncomingBlock(phi, q);
    if (ib == L->ph) *pre = LLVMGetIncomingValue(phi, q);
    else if (ib == L->b) *next = LLVMGetIncomingValue(phi, q);
  }
  return *pre && *next;
}

/* ---- affine values ------------------------------------------------------ */

static bool aff_eval(const dot_loop *L, LLVMValueRef v, int depth, aff *out) {
  int64_t c;
  if (depth > MAX_DEPTH) return false;
  if (const_int(v, &c)) {
    *out = (aff){NULL, c, 0};
    return true;
  }
  if (!in_loop(L, v)) {
    *out = (aff){v, 0, 0};
    return true;
  }
  LLVMValueRef a, b;
  aff x, y;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMPHI: {
      /* an induction: v = phi [a, preheader], [v + s, loop] */
      if (!phi_edges(L, v, &a, &b) || !is_op(b, LLVMAdd) || in_loop(L, a)) return false;
      LLVMValueRef o0 = LLVMGetOperand(b, 0), o1 = LLVMGetOperand(b, 1);
      int64_t s;
      if (!((o0 == v && const_int(o1, &s)) || (o1 == v && const_int(o0, &s)))) return false;
      if (!aff_eval(L, a, depth + 1, &x)) return false;
      *out = (aff){x.base, x.off, s};
      return true;
    }
    case LLVMAdd:
      if (!aff_eval(L, LLVMGetOperand(v, 0), depth + 1, &x) ||
          !aff_eval(L, LLVMGetOperand(v, 1), depth + 1, &y) || (x.base && y.base))
        return false;
      *out = (aff){x.base ? x.base : y.base, x.off + y.off, x.step + y.step};
      return true;
    case LLVMTrunc:
      /* of a constant-based induction (trunc i64 %iv to i32) */
      if (!aff_eval(L, LLVMGetOperand(v, 0), depth + 1, &x) || x.base) return false;
      *out = x;
      return true;
    default:
      return false;
  }
}

/* The address of `load` as mem + zext(i32 x) + c with x affine in the loop. */
static bool load_address(const dot_loop *L, LLVMValueRef load, mem_addr *out) {
  wgc_address a;
  if (!wgc_address_parse(LLVMGetOperand(load, 0), &a) || !a.x || in_loop(L, a.base)) return false;
  out->mem = a.base;
  out->c = a.c;
  return aff_eval(L, a.x, 0, &out->x);
}

/* ---- which bytes a value holds ------------------------------------------ */

/* Fills out[0..n) (n = the value's size in bytes, at most 16) with the
 * source of each byte; load.load == NULL for an unknown or undefined byte. */
static bool bytes_of(const dot_loop *L, LLVMValueRef v, int depth, src_byte *out, unsigned *n) {
  if (depth > MAX_DEPTH) return false;
  unsigned size = int_bytes(LLVMTypeOf(v));
  if (!size || size > 16) return false;
  *n = size;
  if (LLVMIsUndef(v) || LLVMIsPoison(v)) {
    memset(out, 0, size * sizeof *out);
    return true;
  }
  if (!in_loop(L, v)) return false;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMLoad:
      for (unsigned i = 0; i < size; i++) out[i] = (src_byte){v, (int)i};
      return true;
    case LLVMBitCast: {
      unsigned m;
      return bytes_of(L, LLVMGetOperand(v, 0), depth + 1, out, &m) && m == size;
    }
    case LLVMInsertElement: {
      int64_t idx;
      src_byte s[16];
      unsigned m;
      LLVMValueRef vec = LLVMGetOperand(v, 0), el = LLVMGetOperand(v, 1);
      if (!const_int(LLVMGetOperand(v, 2), &idx)) return false;
      if (!bytes_of(L, vec, depth + 1, out, &m) || !bytes_of(L, el, depth + 1, s, &m)) return false;
      unsigned eb = m;
      if (idx < 0 || (uint64_t)(idx + 1) * eb > size) return false;
      memcpy(out + idx * eb, s, eb * sizeof *s);
      return true;
    }
    case LLVMShuffleVector: {
      LLVMValueRef a = LLVMGetOperand(v, 0), b = LLVMGetOperand(v, 1);
      unsigned in_n = LLVMGetVectorSize(LLVMTypeOf(a)), out_n = LLVMGetNumMaskElements(v);
      unsigned eb = size / out_n, ma, mb;
      src_byte sa[16], sb[16];
      if (!bytes_of(L, a, depth + 1, sa, &ma) || !bytes_of(L, b, depth + 1, sb, &mb) ||
          ma != in_n * eb || mb != ma)
        return false;
      for (unsigned i = 0; i < out_n; i++) {
        int e = LLVMGetMaskValue(v, i);
        for (unsigned k = 0; k < eb; k++)
          out[i * eb + k] = e < 0                ? (src_byte){NULL, 0}
                            : (unsigned)e < in_n ? sa[(unsigned)e * eb + k]
                                                 : sb[((unsigned)e - in_n) * eb + k];
      }
      return true;
    }
    default:
      return false;
  }
}

/* Lane t of `v` (a <4 x i32>) as a sign-extended element: v = ashr(shl(X,
 * s), s) with s = 24 or 16, whose lane t keeps the low 4 - s/8 bytes of X's
 * lane t, or v = sext <4 x iE> Y. The bytes of an element must be
 * consecutive bytes of one load. */
static bool sext_lanes(const dot_loop *L, LLVMValueRef v, elem out[LANES]) {
  if (!in_loop(L, v) || !is_v4i32(LLVMTypeOf(v))) return false;
  src_byte s[16];
  unsigned n, eb;
  if (is_op(v, LLVMSExt)) {
    LLVMValueRef y = LLVMGetOperand(v, 0);
    if (!bytes_of(L, y, 0, s, &n) || n % LANES) return false;
    eb = n / LANES;
    for (unsigned t = 0; t < LANES; t++) {
      for (unsigned k = 0; k < eb; k++)
        if (!s[t * eb + k].load || s[t * eb + k].load != s[t * eb].load ||
            s[t * eb + k].off != s[t * eb].off + (int)k)
          return false;
      out[t] = (elem){s[t * eb].load, s[t * eb].off, (int)eb};
    }
  } else {
    int64_t sh, sl;
    LLVMValueRef shl = LLVMGetOperand(v, 0);
    if (!is_op(v, LLVMAShr) || !is_op(shl, LLVMShl) || !in_loop(L, shl)) return false;
    LLVMValueRef ca = LLVMGetOperand(v, 1), cl = LLVMGetOperand(shl, 1);
    if (!LLVMIsAConstant(ca) || !LLVMIsAConstant(cl) || ca != cl) return false;
    /* a splat constant shift: every lane the same */
    if (!LLVMIsAConstantDataVector(ca) && !LLVMIsAConstantVector(ca)) return false;
    LLVMValueRef e0 = LLVMGetElementAsConstant(ca, 0);
    if (!const_int(e0, &sh)) return false;
    for (unsigned t = 1; t < LANES; t++)
      if (!const_int(LLVMGetElementAsConstant(ca, t), &sl) || sl != sh) return false;
    if (sh != 24 && sh != 16) return false;
    eb = (unsigned)(32 - sh) / 8;
    if (!bytes_of(L, LLVMGetOperand(shl, 0), 0, s, &n) || n != 16) return false;
    /* little endian: the low bytes of lane t are bytes 4t .. 4t + eb - 1 */
    for (unsigned t = 0; t < LANES; t++) {
      const src_byte *b = &s[4 * t];
      for (unsigned k = 0; k < eb; k++)
        if (!b[k].load || b[k].load != b[0].load || b[k].off != b[0].off + (int)k) return false;
      out[t] = (elem){b[0].load, b[0].off, (int)eb};
    }
  }
  return true;
}

/* ---- recognising a loop ------------------------------------------------- */

static LLVMBasicBlockRef other_successor(LLVMValueRef br, LLVMBasicBlockRef b) {
  LLVMBasicBlockRef s0 = LLVMGetSuccessor(br, 0), s1 = LLVMGetSuccessor(br, 1);
  if (s0 == b && s1 != b) return s1;
  if (s1 == b && s0 != b) return s0;
  return NULL;
}

/* The loop's single preheader (every predecessor except b itself). */
static LLVMBasicBlockRef preheader(LLVMValueRef fn, LLVMBasicBlockRef b) {
  LLVMBasicBlockRef ph = NULL;
  for (LLVMBasicBlockRef x = LLVMGetFirstBasicBlock(fn); x; x = LLVMGetNextBasicBlock(x)) {
    if (x == b) continue;
    LLVMValueRef term = LLVMGetBasicBlockTerminator(x);
    if (!term) return NULL;
    for (unsigned i = 0, n = LLVMGetNumSuccessors(term); i < n; i++) {
      if (LLVMGetSuccessor(term, i) != b) continue;
      if (ph && ph != x) return NULL;
      ph = x;
    }
  }
  return ph;
}

/* Constant trip count: the branch tests iv + s against a constant for
 * (in)equality, iv = phi [c0, preheader], [iv + s, loop]. */
static bool trip_count(dot_loop *L, LLVMValueRef br) {
  LLVMValueRef cmp = LLVMGetCondition(br);
  if (!is_op(cmp, LLVMICmp) || !in_loop(L, cmp)) return false;
  LLVMIntPredicate p = LLVMGetICmpPredicate(cmp);
  bool exit_on_true = LLVMGetSuccessor(br, 0) == L->exit;
  if (!((p == LLVMIntEQ && exit_on_true) || (p == LLVMIntNE && !exit_on_true))) return false;
  LLVMValueRef next = LLVMGetOperand(cmp, 0);
  int64_t bound;
  if (!const_int(LLVMGetOperand(cmp, 1), &bound)) return false;
  aff a;
  /* next = iv + s: one iteration ahead of iv */
  if (!is_op(next, LLVMAdd) || !aff_eval(L, next, 0, &a) || a.base || a.step == 0) return false;
  int64_t start = a.off; /* next(j) = start + step * j, start = iv0 + s */
  if ((bound - start) % a.step) return false;
  int64_t last = (bound - start) / a.step; /* the iteration that exits */
  if (last < 0 || last + 1 > MAX_TRIP) return false;
  L->trip = (unsigned)(last + 1);
  return true;
}

/* Every use of `v` is in the loop (or is the loop phi's own incoming). */
static bool stays_in_loop(const dot_loop *L, LLVMValueRef v) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u))
    if (!in_loop(L, LLVMGetUser(u))) return false;
  return true;
}

static bool reject(dot_loop *L, const char *why) {
  L->why = why;
  return false;
}

/* The element address of e in iteration j, as mem_addr. */
static bool elem_address(const dot_loop *L, const elem *e, mem_addr *a) {
  if (!load_address(L, e->load, a)) return false;
  a->c += (uint64_t)e->off;
  return true;
}

/* acc + x*w with the multiply in the loop: fills the position (x only). */
static bool match_step(dot_loop *L, position *p) {
  LLVMValueRef n = p->next, mul = NULL;
  if (!is_op(n, LLVMAdd) || !in_loop(L, n)) return false;
  if (LLVMGetOperand(n, 0) == p->phi) mul = LLVMGetOperand(n, 1);
  else if (LLVMGetOperand(n, 1) == p->phi) mul = LLVMGetOperand(n, 0);
  if (!is_op(mul, LLVMMul) || !in_loop(L, mul)) return false;
  elem a[LANES], b[LANES];
  LLVMValueRef x = NULL, w = NULL;
  const elem *xe = NULL, *we = NULL;
  for (unsigned o = 0; o < 2 && !x; o++) {
    LLVMValueRef s = LLVMGetOperand(mul, o), t = LLVMGetOperand(mul, 1 - o);
    if (!sext_lanes(L, s, a) || !sext_lanes(L, t, b)) continue;
    bool splat = true;
    for (unsigned k = 1; k < LANES; k++)
      splat &= a[k].load == a[0].load && a[k].off == a[0].off && a[k].bytes == a[0].bytes;
    if (!splat) continue;
    x = s;
    w = t;
    xe = a;
    we = b;
  }
  if (!x) return false;
  int eb = xe[0].bytes;
  /* the weights: one row of 4 elements of the same width, one load */
  for (unsigned t = 0; t < LANES; t++)
    if (we[t].load != we[0].load || we[t].bytes != eb || we[t].off != we[0].off + (int)t * eb)
      return false;
  /* each load reads exactly the bytes used */
  if (int_bytes(LLVMTypeOf(xe[0].load)) != (unsigned)eb || xe[0].off != 0) return false;
  if (int_bytes(LLVMTypeOf(we[0].load)) != (unsigned)(LANES * eb) || we[0].off != 0) return false;
  if (L->ebytes && L->ebytes != eb) return false;
  if (L->w && L->w != w) return false; /* one weight row for every position */
  L->ebytes = eb;
  if (!L->w) {
    L->w = w;
    if (!elem_address(L, &we[0], &L->wa)) return false;
  }
  return elem_address(L, &xe[0], &p->x);
}

/* Is `load` one of the pattern's loads? */
static bool pattern_load(const dot_loop *L, LLVMValueRef load, const LLVMValueRef *xs, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    if (xs[i] == load) return true;
  return false;
}

/* The load of the element splatted in position p (found again for the
 * load census). */
static LLVMValueRef x_load(const dot_loop *L, const position *p) {
  LLVMValueRef mul = LLVMGetOperand(p->next, LLVMGetOperand(p->next, 0) == p->phi ? 1 : 0);
  elem e[LANES];
  for (unsigned o = 0; o < 2; o++) {
    LLVMValueRef s = LLVMGetOperand(mul, o);
    if (s != L->w && sext_lanes(L, s, e)) return e[0].load;
  }
  return NULL;
}

static bool analyze(dot_loop *L, LLVMValueRef fn, LLVMBasicBlockRef b) {
  memset(L, 0, sizeof *L);
  L->b = b;
  LLVMValueRef br = LLVMGetBasicBlockTerminator(b);
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return false;
  if (!(L->exit = other_successor(br, b))) return false;
  if (!(L->ph = preheader(fn, b))) return false;
  /* accumulators first: loops without any are not ours (no reason given) */
  bool any = false;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i))
    any |= is_v4i32(LLVMTypeOf(i));
  if (!any) return false;
  if (!trip_count(L, br)) return reject(L, "no constant trip count");
  if (L->trip > MAX_TRIP) return reject(L, "too many iterations");
  LLVMValueRef wload = NULL;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i)) {
    LLVMValueRef pre, next;
    if (!phi_edges(L, i, &pre, &next)) return reject(L, "a phi with other incomings");
    if (is_v4i32(LLVMTypeOf(i))) {
      if (L->npos == MAX_POSITIONS) return reject(L, "too many accumulators");
      position *p = &L->pos[L->npos++];
      p->phi = i;
      p->next = next;
      p->init = pre;
      if (!match_step(L, p)) return reject(L, "an accumulator that is not acc + sext(x) * sext(w)");
      /* the accumulator is read only by its step */
      LLVMUseRef u = LLVMGetFirstUse(i);
      if (!u || LLVMGetNextUse(u) || LLVMGetUser(u) != next)
        return reject(L, "an accumulator read elsewhere in the loop");
    } else {
      aff a;
      if (!aff_eval(L, i, 0, &a))
        return reject(L, "a phi that is neither an accumulator nor an induction");
    }
  }
  if (L->ebytes != 1 && L->ebytes != 2) return reject(L, "elements other than i8 or i16");
  /* steps: inputs one element further, weights one row further per iteration */
  if (L->wa.x.step != LANES * L->ebytes) return reject(L, "weights not one row per iteration");
  LLVMValueRef xs[MAX_POSITIONS + 1];
  unsigned nx = 0;
  for (unsigned k = 0; k < L->npos; k++) {
    if (L->pos[k].x.x.step != L->ebytes) return reject(L, "inputs not one element per iteration");
    LLVMValueRef xl = x_load(L, &L->pos[k]);
    if (!xl) return reject(L, "input load not found");
    xs[nx++] = xl;
  }
  {
    elem we[LANES];
    if (!sext_lanes(L, L->w, we)) return reject(L, "weight load not found");
    wload = we[0].load;
    xs[nx++] = wload;
  }
  /* the rest of the loop: no effect, no other load, nothing used after it */
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
    if (i == br) continue;
    if (wgc_has_effect(i)) return reject(L, "an instruction with an effect in the loop");
    if (LLVMIsALoadInst(i) && !pattern_load(L, i, xs, nx))
      return reject(L, "a load that is not part of the dot product");
    if (LLVMIsALoadInst(i) &&
        (LLVMGetVolatile(i) || LLVMGetOrdering(i) != LLVMAtomicOrderingNotAtomic))
      return reject(L, "a volatile or atomic load");
    if (LLVMIsACallInst(i) && !wgc_is_load_barrier(i)) return reject(L, "a call in the loop");
    bool is_next = false;
    for (unsigned k = 0; k < L->npos; k++) is_next |= L->pos[k].next == i;
    if (!is_next && !stays_in_loop(L, i)) return reject(L, "a value used after the loop");
  }
  /* the accumulators' last values may leave; nothing else computed here */
  for (unsigned k = 0; k < L->npos; k++)
    for (LLVMUseRef u = LLVMGetFirstUse(L->pos[k].next); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (in_loop(L, user) && user != L->pos[k].phi)
        return reject(L, "an accumulator's new value read in the loop");
    }
  /* the span of every group load stays below the fold limit */
  uint64_t span = (uint64_t)L->trip * LANES * (uint64_t)L->ebytes;
  if (span >= WGC_FOLD_LIMIT) return reject(L, "reads too far");
  return true;
}

/* ---- emitting ----------------------------------------------------------- */

static LLVMValueRef c32(dot_state *s, int64_t v) { return LLVMConstInt(s->i32, (uint64_t)v, 0); }

static LLVMValueRef splat32(dot_state *s, uint32_t v) {
  LLVMValueRef e[LANES];
  for (unsigned t = 0; t < LANES; t++) e[t] = c32(s, v);
  return LLVMConstVector(e, LANES);
}

static LLVMValueRef mask(dot_state *s, const int *m, unsigned n) {
  LLVMValueRef e[16];
  for (unsigned i = 0; i < n; i++) e[i] = c32(s, m[i]);
  return LLVMConstVector(e, n);
}

/* wasm2c's keep-alive barrier on a loaded value (pass_util.h's pattern): a
 * general register for up to 64 bits, an xmm register (as <2 x i64>, like
 * wasm2c's SIMD_FORCE_READ) for 128. */
static void barrier(dot_state *s, LLVMValueRef v) {
  unsigned bits = int_bytes(LLVMTypeOf(v)) * 8;
  bool vec = bits == 128;
  LLVMTypeRef t = vec ? LLVMVectorType(s->i64, 2) : LLVMIntTypeInContext(s->lc, bits);
  if (LLVMTypeOf(v) != t) v = LLVMBuildBitCast(s->bd, v, t, "");
  char cons[] = "r,~{dirflag},~{fpsr},~{flags}";
  if (vec) cons[0] = 'x';
  LLVMTypeRef ft = LLVMFunctionType(LLVMVoidTypeInContext(s->lc), &t, 1, 0);
  LLVMValueRef as =
      LLVMGetInlineAsm(ft, (char *)"", 0, cons, strlen(cons), 1, 0, LLVMInlineAsmDialectATT, 0);
  LLVMBuildCall2(s->bd, ft, as, &v, 1, "");
}

/* A load of type t of iteration j's bytes: at mem + zext(i32(a.base +
 * a.off)) + a.c + j * a.step, the iteration-0 address with the step added
 * in 64 bits (where the loop added it in i32 first: see the top of the
 * file). Without a barrier: the caller puts one on the loaded value or on
 * the vector it splats it into. */
static LLVMValueRef load_raw(dot_state *s, const mem_addr *a, int64_t j, LLVMTypeRef t,
                             const char *name) {
  LLVMValueRef x = a->x.base ? a->x.base : c32(s, 0);
  if (a->x.off) x = LLVMBuildAdd(s->bd, x, c32(s, a->x.off), "");
  LLVMValueRef idx = LLVMBuildZExt(s->bd, x, s->i64, "");
  uint64_t c = a->c + (uint64_t)(j * a->x.step);
  if (c) idx = LLVMBuildNUWAdd(s->bd, idx, LLVMConstInt(s->i64, c, 0), "");
  LLVMValueRef gep = LLVMBuildInBoundsGEP2(s->bd, s->i8, a->mem, &idx, 1, "");
  LLVMValueRef p = LLVMBuildBitCast(s->bd, gep, LLVMPointerType(t, 0), "");
  LLVMValueRef l = LLVMBuildLoad2(s->bd, t, p, name);
  LLVMSetAlignment(l, 1);
  return l;
}

/* The same load with its barrier. */
static LLVMValueRef load_at(dot_state *s, const mem_addr *a, int64_t j, LLVMTypeRef t,
                            const char *name) {
  LLVMValueRef l = load_raw(s, a, j, t, name);
  barrier(s, l);
  return l;
}

static LLVMValueRef intrinsic(dot_state *s, const char *name, LLVMValueRef *args, unsigned n,
                              const char *vname) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, id, NULL, 0);
  LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, id, NULL, 0);
  return LLVMBuildCall2(s->bd, ft, fn, args, n, vname);
}

/* <4 x i32> with every lane = the 32-bit value v. */
static LLVMValueRef splat_vec(dot_state *s, LLVMValueRef v) {
  LLVMValueRef ins = LLVMBuildInsertElement(s->bd, LLVMGetUndef(s->v4i32), v, c32(s, 0), "");
  static const int zero[LANES] = {0, 0, 0, 0};
  return LLVMBuildShuffleVector(s->bd, ins, LLVMGetUndef(s->v4i32), mask(s, zero, LANES), "");
}

/* sum over k of lanes (o*4 + k) of a <16 x i32>: <4 x i32> lane o */
static LLVMValueRef sum_quads(dot_state *s, LLVMValueRef p16) {
  LLVMValueRef sum = NULL;
  for (int k = 0; k < 4; k++) {
    int m[LANES] = {k, 4 + k, 8 + k, 12 + k};
    LLVMValueRef part =
        LLVMBuildShuffleVector(s->bd, p16, LLVMGetUndef(LLVMTypeOf(p16)), mask(s, m, LANES), "");
    sum = sum ? LLVMBuildAdd(s->bd, sum, part, "") : part;
  }
  return sum;
}

/* The int8 weights of group g (4 rows), transposed: byte o*4 + k = w[k][o]. */
static LLVMValueRef i8_weights(dot_state *s, const dot_loop *L, unsigned j) {
  LLVMValueRef w = load_at(s, &L->wa, j, s->v16i8, "dot.w");
  int m[16];
  for (int o = 0; o < 4; o++)
    for (int k = 0; k < 4; k++) m[o * 4 + k] = k * 4 + o;
  return LLVMBuildShuffleVector(s->bd, w, LLVMGetUndef(s->v16i8), mask(s, m, 16), "dot.wt");
}

/* The 4 bytes of position p's group j in every lane, with the barrier on
 * the vector: a broadcast load straight into a vector register, as wasm2c
 * does for v128.load32_splat. */
static LLVMValueRef x_splat(dot_state *s, const position *p, unsigned j) {
  LLVMValueRef xv = splat_vec(s, load_raw(s, &p->x, j, s->i32, "dot.x"));
  barrier(s, xv);
  return xv;
}

/* int8: acc + sum_{k<4} x[k] * wt[k][o], xv the 4 bytes of x in every lane. */
static LLVMValueRef i8_quad(dot_state *s, LLVMValueRef acc, LLVMValueRef xv, LLVMValueRef wt,
                            LLVMValueRef corr) {
  if (s->isa == WGC_DOT_VNNI) {
    LLVMValueRef xb = LLVMBuildXor(s->bd, xv, splat32(s, 0x80808080u), "dot.xb");
    LLVMValueRef args[3] = {acc, xb, LLVMBuildBitCast(s->bd, wt, s->v4i32, "")};
    LLVMValueRef d = intrinsic(s, "llvm.x86.avx512.vpdpbusd.128", args, 3, "dot");
    return LLVMBuildSub(s->bd, d, corr, "dot.acc");
  }
  LLVMTypeRef v16i32 = LLVMVectorType(s->i32, 16);
  LLVMValueRef xb = LLVMBuildBitCast(s->bd, xv, s->v16i8, "");
  /* byte o*4 + k of xb is x[k]: matches wt's layout */
  LLVMValueRef prod = LLVMBuildMul(s->bd, LLVMBuildSExt(s->bd, xb, v16i32, ""),
                                   LLVMBuildSExt(s->bd, wt, v16i32, ""), "");
  return LLVMBuildAdd(s->bd, acc, sum_quads(s, prod), "dot.acc");
}

/* The int16 weights of group g (2 rows), interleaved: i16 2o + k = w[k][o]. */
static LLVMValueRef i16_weights(dot_state *s, const dot_loop *L, unsigned j) {
  LLVMValueRef w = load_at(s, &L->wa, j, s->v8i16, "dot.w");
  static const int m[8] = {0, 4, 1, 5, 2, 6, 3, 7};
  return LLVMBuildShuffleVector(s->bd, w, LLVMGetUndef(s->v8i16), mask(s, m, 8), "dot.wi");
}

/* int16: acc + x[0] * wi[0][o] + x[1] * wi[1][o], xv the 2 elements of x in
 * every lane. */
static LLVMValueRef i16_pair(dot_state *s, LLVMValueRef acc, LLVMValueRef xv, LLVMValueRef wi) {
  if (s->isa == WGC_DOT_VNNI) {
    LLVMValueRef args[3] = {acc, xv, LLVMBuildBitCast(s->bd, wi, s->v4i32, "")};
    return intrinsic(s, "llvm.x86.avx512.vpdpwssd.128", args, 3, "dot.acc");
  }
  LLVMValueRef xh = LLVMBuildBitCast(s->bd, xv, s->v8i16, "");
  if (s->isa == WGC_DOT_X86) {
    LLVMValueRef args[2] = {xh, wi};
    return LLVMBuildAdd(s->bd, acc, intrinsic(s, "llvm.x86.sse2.pmadd.wd", args, 2, ""), "dot.acc");
  }
  LLVMTypeRef v8i32 = LLVMVectorType(s->i32, 8);
  LLVMValueRef prod = LLVMBuildMul(s->bd, LLVMBuildSExt(s->bd, xh, v8i32, ""),
                                   LLVMBuildSExt(s->bd, wi, v8i32, ""), "");
  static const int ev[LANES] = {0, 2, 4, 6}, od[LANES] = {1, 3, 5, 7};
  LLVMValueRef a = LLVMBuildShuffleVector(s->bd, prod, LLVMGetUndef(v8i32), mask(s, ev, LANES), "");
  LLVMValueRef b = LLVMBuildShuffleVector(s->bd, prod, LLVMGetUndef(v8i32), mask(s, od, LANES), "");
  return LLVMBuildAdd(s->bd, acc, LLVMBuildAdd(s->bd, a, b, ""), "dot.acc");
}

/* One original step, iteration j: acc + sext(splat(x)) * sext(w row j). */
static LLVMValueRef single_step(dot_state *s, const dot_loop *L, const position *p,
                                LLVMValueRef acc, unsigned j) {
  LLVMTypeRef et = L->ebytes == 1 ? s->i8 : s->i16;
  LLVMValueRef x = load_at(s, &p->x, j, et, "dot.x1");
  LLVMValueRef xv = splat_vec(s, LLVMBuildSExt(s->bd, x, s->i32, ""));
  LLVMValueRef w = load_at(s, &L->wa, j, LLVMVectorType(et, LANES), "dot.w1");
  LLVMValueRef wv = LLVMBuildSExt(s->bd, w, s->v4i32, "");
  return LLVMBuildAdd(s->bd, acc, LLVMBuildMul(s->bd, xv, wv, ""), "dot.acc");
}

/* Moves each input's constant i32 offset into the 64-bit part of its
 * address (zext(B + off) -> zext(B) + off), as address_fold.c does, when
 * another input of the same loop is read at zext(B) itself: that "anchor"
 * load is emitted in the same block, with no effect in between, and when
 * B + off wraps, B >= 2^32 - 64 KiB is past the end of a memory of at most
 * 65535 pages, so the anchor traps as the original load at B + off would
 * have. The addresses then fold into the loads' addressing modes. */
static void anchor_inputs(dot_loop *L) {
  for (unsigned k = 0; k < L->npos; k++) {
    mem_addr *a = &L->pos[k].x;
    if (!a->x.base || a->x.off <= 0 || a->x.off >= (int64_t)WGC_FOLD_LIMIT) continue;
    bool anchored = false;
    for (unsigned q = 0; q < L->npos && !anchored; q++) {
      const mem_addr *b = &L->pos[q].x;
      anchored = b->mem == a->mem && b->x.base == a->x.base && b->x.off == 0;
    }
    if (!anchored) continue;
    a->c += (uint64_t)a->x.off;
    a->x.off = 0;
  }
}

/* Builds the straight-line replacement in block n: every position's value
 * after the loop, in p->result. */
static void emit(dot_state *s, dot_loop *L) {
  unsigned G = L->ebytes == 1 ? 4 : 2, groups = L->trip / G;
  enum { MAX_GROUPS = MAX_TRIP / 2 };
  LLVMValueRef wv[MAX_GROUPS], corr[MAX_GROUPS] = {0};
  /* the weights of every group first: shared by all positions */
  for (unsigned g = 0; g < groups; g++) {
    if (L->ebytes == 2) {
      wv[g] = i16_weights(s, L, g * G);
      continue;
    }
    wv[g] = i8_weights(s, L, g * G);
    if (s->isa == WGC_DOT_VNNI) {
      LLVMValueRef args[3] = {LLVMConstNull(s->v4i32), splat32(s, 0x80808080u),
                              LLVMBuildBitCast(s->bd, wv[g], s->v4i32, "")};
      corr[g] = intrinsic(s, "llvm.x86.avx512.vpdpbusd.128", args, 3, "dot.corr");
    }
  }
  anchor_inputs(L);
  /* then one position at a time, so its address dies right away */
  for (unsigned k = 0; k < L->npos; k++) {
    position *p = &L->pos[k];
    p->result = p->init;
    for (unsigned g = 0; g < groups; g++)
      p->result = L->ebytes == 1 ? i8_quad(s, p->result, x_splat(s, p, g * G), wv[g], corr[g])
                                 : i16_pair(s, p->result, x_splat(s, p, g * G), wv[g]);
    for (unsigned j = groups * G; j < L->trip; j++) p->result = single_step(s, L, p, p->result, j);
  }
  s->st->groups += groups;
  s->st->single_steps += L->trip - groups * G;
}

/* Phis of the exit block that name the loop as a predecessor get the new
 * block instead; the C API cannot change an incoming block, so such a phi is
 * rebuilt in place with the same incoming values. */
static void retarget_exit_phis(dot_state *s, dot_loop *L, LLVMBasicBlockRef n) {
  LLVMValueRef i = LLVMGetFirstInstruction(L->exit);
  while (i && LLVMIsAPHINode(i)) {
    LLVMValueRef next = LLVMGetNextInstruction(i);
    unsigned nq = LLVMCountIncoming(i);
    bool names_loop = false;
    for (unsigned q = 0; q < nq; q++) names_loop |= LLVMGetIncomingBlock(i, q) == L->b;
    if (names_loop) {
      LLVMPositionBuilderBefore(s->bd, i);
      LLVMValueRef np = LLVMBuildPhi(s->bd, LLVMTypeOf(i), "");
      for (unsigned q = 0; q < nq; q++) {
        LLVMValueRef v = LLVMGetIncomingValue(i, q);
        LLVMBasicBlockRef ib = LLVMGetIncomingBlock(i, q);
        if (ib == L->b) ib = n;
        LLVMAddIncoming(np, &v, &ib, 1);
      }
      size_t len;
      const char *nm = LLVMGetValueName2(i, &len);
      LLVMReplaceAllUsesWith(i, np);
      LLVMSetValueName2(np, nm, len);
      LLVMInstructionEraseFromParent(i);
    }
    i = next;
  }
}

static void delete_block(LLVMBasicBlockRef b) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
    LLVMReplaceAllUsesWith(i, LLVMGetPoison(LLVMTypeOf(i)));
  LLVMDeleteBasicBlock(b);
}

/* ---- driver ------------------------------------------------------------- */

/* `feature` ("+avx512vnni") as a whole entry of fn's target-features. */
static bool has_feature(LLVMValueRef fn, const char *feature) {
  LLVMAttributeRef a =
      LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, WGC_LIT("target-features"));
  unsigned len = 0;
  const char *v = a ? LLVMGetStringAttributeValue(a, &len) : NULL;
  size_t fl = strlen(feature);
  for (unsigned i = 0; v && i + fl <= len; i++)
    if ((i == 0 || v[i - 1] == ',') && memcmp(v + i, feature, fl) == 0 &&
        (i + fl == len || v[i + fl] == ','))
      return true;
  return false;
}

static wgc_dot_isa function_isa(const dot_state *s, LLVMValueRef fn, int forced) {
  if (forced >= 0) return (wgc_dot_isa)forced;
  const char *triple = LLVMGetTarget(s->m);
  if (!triple || strncmp(triple, "x86_64", 6) != 0) return WGC_DOT_GENERIC;
  if ((has_feature(fn, "+avx512vnni") && has_feature(fn, "+avx512vl")) ||
      has_feature(fn, "+avxvnni"))
    return WGC_DOT_VNNI;
  return has_feature(fn, "+sse2") ? WGC_DOT_X86 : WGC_DOT_GENERIC;
}

static void run_function(dot_state *s, LLVMValueRef fn, int forced) {
  s->isa = function_isa(s, fn, forced);
  unsigned before = s->st->loops;
  dot_loop *L = malloc(sizeof *L);
  if (!L) {
    s->oom = true;
    return;
  }
  LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn);
  while (b) {
    LLVMBasicBlockRef next = LLVMGetNextBasicBlock(b);
    if (analyze(L, fn, b)) {
      LLVMBasicBlockRef n = LLVMInsertBasicBlockInContext(s->lc, L->exit, "dot");
      LLVMPositionBuilderAtEnd(s->bd, n);
      emit(s, L);
      LLVMBuildBr(s->bd, L->exit);
      LLVMValueRef term = LLVMGetBasicBlockTerminator(L->ph);
      for (unsigned i = 0, ns = LLVMGetNumSuccessors(term); i < ns; i++)
        if (LLVMGetSuccessor(term, i) == L->b) LLVMSetSuccessor(term, i, n);
      /* every use of an accumulator's last value after the loop */
      for (unsigned k = 0; k < L->npos; k++) {
        position *p = &L->pos[k];
        for (LLVMUseRef u = LLVMGetFirstUse(p->next); u;) {
          LLVMUseRef nu = LLVMGetNextUse(u);
          LLVMValueRef user = LLVMGetUser(u);
          if (!in_loop(L, user))
            for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(user); o < no; o++)
              if (LLVMGetOperand(user, o) == p->next) LLVMSetOperand(user, o, p->result);
          u = nu;
        }
      }
      retarget_exit_phis(s, L, n);
      delete_block(L->b);
      s->st->loops++;
      s->st->positions += L->npos;
      if (L->ebytes == 1) s->st->loops_i8++;
      else s->st->loops_i16++;
      if (s->isa == WGC_DOT_VNNI) s->st->vnni++;
    } else if (L->why) {
      s->st->rejected++;
      if (!s->st->first_reject) s->st->first_reject = L->why;
    }
    b = next;
  }
  free(L);
  if (s->st->loops > before) s->st->functions++;
}

void wgc_dot_options_init(wgc_dot_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->memory_max_pages = 65536u;
  opt->isa = -1;
}

wasmgraph_status wgc_int_dot(wgc_ctx *ctx, LLVMModuleRef m, const wgc_dot_options *opt,
                             wgc_dot_stats *stats) {
  wgc_dot_stats local;
  wgc_dot_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m || !opt) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "int dot: no module");
  if ((st->disabled = wgc_trap_proof_unmet(opt->guard_pages, opt->memory_max_pages)) != NULL)
    return WASMGRAPH_OK;
  wgc_barrier_cache_reset(); /* a new module: forget another context's asm */
  dot_state s = {0};
  s.lc = LLVMGetModuleContext(m);
  s.m = m;
  s.st = st;
  s.bd = LLVMCreateBuilderInContext(s.lc);
  s.i8 = LLVMInt8TypeInContext(s.lc);
  s.i16 = LLVMInt16TypeInContext(s.lc);
  s.i32 = LLVMInt32TypeInContext(s.lc);
  s.i64 = LLVMInt64TypeInContext(s.lc);
  s.v16i8 = LLVMVectorType(s.i8, 16);
  s.v8i16 = LLVMVectorType(s.i16, 8);
  s.v4i32 = LLVMVectorType(s.i32, LANES);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f && !s.oom; f = LLVMGetNextFunction(f))
    if (!LLVMIsDeclaration(f)) run_function(&s, f, opt->isa);
  LLVMDisposeBuilder(s.bd);
  if (s.oom) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "int dot: out of memory");
  return wgc_verify_after(ctx, m, opt->verify, "int dot");
}
