/*
 * int_dot_match.c — recognises the integer reduction loops that int_dot.c
 * replaces (the shape and every condition are described there): affine
 * addresses of an induction, the bytes each vector lane holds, the
 * sign-extended splat and weight row of each step, the trip count, and the
 * census of everything else in the loop.
 */
#include <stdlib.h>
#include <string.h>

#include "int_dot_internal.h"
#include "pass_util.h"

/* ---- small helpers ------------------------------------------------------ */

bool wgc_dot_in_loop(const dot_loop *L, LLVMValueRef v) {
  return LLVMIsAInstruction(v) && LLVMGetInstructionParent(v) == L->b;
}

static bool is_op(LLVMValueRef v, LLVMOpcode op) {
  return v && LLVMIsAInstruction(v) && LLVMGetInstructionOpcode(v) == op;
}

static bool is_v4i32(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind && LLVMGetVectorSize(t) == LANES &&
         LLVMGetTypeKind(LLVMGetElementType(t)) == LLVMIntegerTypeKind &&
         LLVMGetIntTypeWidth(LLVMGetElementType(t)) == 32;
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
  if (wgc_const_int(v, &c)) {
    *out = (aff){NULL, c, 0};
    return true;
  }
  if (!wgc_dot_in_loop(L, v)) {
    *out = (aff){v, 0, 0};
    return true;
  }
  LLVMValueRef a, b;
  aff x, y;
  switch (LLVMGetInstructionOpcode(v)) {
    case LLVMPHI: {
      /* an induction: v = phi [a, preheader], [v + s, loop] */
      if (!phi_edges(L, v, &a, &b) || !is_op(b, LLVMAdd) || wgc_dot_in_loop(L, a)) return false;
      LLVMValueRef o0 = LLVMGetOperand(b, 0), o1 = LLVMGetOperand(b, 1);
      int64_t s;
      if (!((o0 == v && wgc_const_int(o1, &s)) || (o1 == v && wgc_const_int(o0, &s)))) return false;
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
  if (!wgc_address_parse(LLVMGetOperand(load, 0), &a) || !a.x || wgc_dot_in_loop(L, a.base))
    return false;
  out->mem = a.base;
  out->c = a.c;
  return aff_eval(L, a.x, 0, &out->x);
}

/* ---- which bytes a value holds ------------------------------------------ */

/* Fills out[0..n) (n = the value's size in bytes, at most 16) with the
 * source of each byte; load.load == NULL for an unknown or undefined byte. */
static bool bytes_of(const dot_loop *L, LLVMValueRef v, int depth, src_byte *out, unsigned *n) {
  if (depth > MAX_DEPTH) return false;
  unsigned size = wgc_int_bytes(LLVMTypeOf(v));
  if (!size || size > 16) return false;
  *n = size;
  if (LLVMIsUndef(v) || LLVMIsPoison(v)) {
    memset(out, 0, size * sizeof *out);
    return true;
  }
  if (!wgc_dot_in_loop(L, v)) return false;
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
      if (!wgc_const_int(LLVMGetOperand(v, 2), &idx)) return false;
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
  if (!wgc_dot_in_loop(L, v) || !is_v4i32(LLVMTypeOf(v))) return false;
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
    if (!is_op(v, LLVMAShr) || !is_op(shl, LLVMShl) || !wgc_dot_in_loop(L, shl)) return false;
    LLVMValueRef ca = LLVMGetOperand(v, 1), cl = LLVMGetOperand(shl, 1);
    if (!LLVMIsAConstant(ca) || !LLVMIsAConstant(cl) || ca != cl) return false;
    /* a splat constant shift: every lane the same */
    if (!LLVMIsAConstantDataVector(ca) && !LLVMIsAConstantVector(ca)) return false;
    LLVMValueRef e0 = LLVMGetElementAsConstant(ca, 0);
    if (!wgc_const_int(e0, &sh)) return false;
    for (unsigned t = 1; t < LANES; t++)
      if (!wgc_const_int(LLVMGetElementAsConstant(ca, t), &sl) || sl != sh) return false;
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
  if (!is_op(cmp, LLVMICmp) || !wgc_dot_in_loop(L, cmp)) return false;
  LLVMIntPredicate p = LLVMGetICmpPredicate(cmp);
  bool exit_on_true = LLVMGetSuccessor(br, 0) == L->exit;
  if (!((p == LLVMIntEQ && exit_on_true) || (p == LLVMIntNE && !exit_on_true))) return false;
  LLVMValueRef next = LLVMGetOperand(cmp, 0);
  int64_t bound;
  if (!wgc_const_int(LLVMGetOperand(cmp, 1), &bound)) return false;
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
    if (!wgc_dot_in_loop(L, LLVMGetUser(u))) return false;
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

/* The multiply of the step that updates accumulator phi `acc`, or NULL. */
static LLVMValueRef step_mul(const dot_loop *L, LLVMValueRef acc) {
  LLVMValueRef pre, n;
  if (!phi_edges(L, acc, &pre, &n) || !is_op(n, LLVMAdd)) return NULL;
  LLVMValueRef m = LLVMGetOperand(n, 0) == acc   ? LLVMGetOperand(n, 1)
                   : LLVMGetOperand(n, 1) == acc ? LLVMGetOperand(n, 0)
                                                 : NULL;
  return is_op(m, LLVMMul) ? m : NULL;
}

/* The multiply operand that every accumulator's step shares (the weight
 * row of a depthwise loop, where both operands are rows), or NULL when
 * there is not exactly one or fewer than two accumulators. */
static LLVMValueRef shared_operand(const dot_loop *L, LLVMBasicBlockRef b) {
  LLVMValueRef first = NULL, cand[2] = {NULL, NULL};
  unsigned n = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i)) {
    if (!is_v4i32(LLVMTypeOf(i))) continue;
    LLVMValueRef m = step_mul(L, i);
    if (!m) return NULL;
    if (!first) {
      first = m;
      cand[0] = LLVMGetOperand(m, 0);
      cand[1] = LLVMGetOperand(m, 1);
    } else {
      for (unsigned c = 0; c < 2; c++)
        if (cand[c] && LLVMGetOperand(m, 0) != cand[c] && LLVMGetOperand(m, 1) != cand[c])
          cand[c] = NULL;
    }
    n++;
  }
  if (n < 2 || (cand[0] && cand[1])) return NULL;
  return cand[0] ? cand[0] : cand[1];
}

/* acc + x*w with the multiply in the loop: fills the position (x only). */
/* Four lanes holding one row: consecutive elements of one load. */
static bool is_row(const elem *e) {
  for (unsigned t = 0; t < LANES; t++)
    if (e[t].load != e[0].load || e[t].bytes != e[0].bytes ||
        e[t].off != e[0].off + (int)t * e[0].bytes)
      return false;
  return true;
}

static bool is_splat(const elem *e) {
  for (unsigned t = 1; t < LANES; t++)
    if (e[t].load != e[0].load || e[t].off != e[0].off || e[t].bytes != e[0].bytes) return false;
  return true;
}

/* acc + x*w with the multiply in the loop: fills the position (x only).
 * Either x is a splat and w a row (a conv over input channels), or both
 * are rows (a depthwise conv over taps: lane c times lane c). */
static bool match_step(dot_loop *L, position *p) {
  LLVMValueRef n = p->next, mul = NULL;
  if (!is_op(n, LLVMAdd) || !wgc_dot_in_loop(L, n)) return false;
  if (LLVMGetOperand(n, 0) == p->phi) mul = LLVMGetOperand(n, 1);
  else if (LLVMGetOperand(n, 1) == p->phi) mul = LLVMGetOperand(n, 0);
  if (!is_op(mul, LLVMMul) || !wgc_dot_in_loop(L, mul)) return false;
  elem e[2][LANES];
  LLVMValueRef op[2] = {LLVMGetOperand(mul, 0), LLVMGetOperand(mul, 1)};
  if (!sext_lanes(L, op[0], e[0]) || !sext_lanes(L, op[1], e[1])) return false;
  int xi = -1; /* which operand is x */
  bool rows = false;
  for (int o = 0; o < 2 && xi < 0; o++)
    if (is_splat(e[o]) && is_row(e[1 - o])) xi = o;
  if (xi < 0 && is_row(e[0]) && is_row(e[1])) {
    rows = true;
    /* w is the operand shared by every position, or, for the first, the
     * one whose rows are contiguous from one iteration to the next */
    LLVMValueRef shared = L->w ? L->w : L->w_hint;
    if (shared) xi = op[0] == shared ? 1 : op[1] == shared ? 0 : -1;
    for (int o = 1; o >= 0 && xi < 0; o--) {
      mem_addr a;
      if (elem_address(L, &e[o][0], &a) && a.x.step == LANES * e[o][0].bytes) xi = 1 - o;
    }
  }
  if (xi < 0) return false;
  const elem *xe = e[xi], *we = e[1 - xi];
  LLVMValueRef w = op[1 - xi];
  int eb = xe[0].bytes;
  if (we[0].bytes != eb) return false;
  /* each load reads exactly the bytes used */
  unsigned xbytes = rows ? LANES * (unsigned)eb : (unsigned)eb;
  if (wgc_int_bytes(LLVMTypeOf(xe[0].load)) != xbytes || xe[0].off != 0) return false;
  if (wgc_int_bytes(LLVMTypeOf(we[0].load)) != (unsigned)(LANES * eb) || we[0].off != 0)
    return false;
  if (L->ebytes && (L->ebytes != eb || L->rows != rows)) return false;
  if (L->w && L->w != w) return false; /* one weight row for every position */
  L->ebytes = eb;
  L->rows = rows;
  if (!L->w) {
    L->w = w;
    if (!elem_address(L, &we[0], &L->wa)) return false;
  }
  return elem_address(L, &xe[0], &p->x);
}

/* ---- several products per iteration -------------------------------------- */

/* Collects the multiplies of the add tree that computes `v` from `acc`:
 * acc + m0 + m1 + ... in any association, every add in the loop and used
 * only within the tree, acc once. */
static bool add_tree(const dot_loop *L, LLVMValueRef v, LLVMValueRef acc, bool root,
                     LLVMValueRef *muls, unsigned *k, unsigned *accs, int depth) {
  if (depth > 2 * MAX_TERMS) return false;
  if (v == acc) return ++*accs == 1;
  if (!wgc_dot_in_loop(L, v)) return false;
  if (is_op(v, LLVMMul)) {
    if (*k == MAX_TERMS) return false;
    muls[(*k)++] = v;
    return true;
  }
  if (!is_op(v, LLVMAdd)) return false;
  if (!root) {
    LLVMUseRef u = LLVMGetFirstUse(v);
    if (!u || LLVMGetNextUse(u)) return false;
  }
  return add_tree(L, LLVMGetOperand(v, 0), acc, false, muls, k, accs, depth + 1) &&
         add_tree(L, LLVMGetOperand(v, 1), acc, false, muls, k, accs, depth + 1);
}

/* The term multiplies of position p, or 0. */
static unsigned terms_of(const dot_loop *L, const position *p, LLVMValueRef *muls) {
  unsigned k = 0, accs = 0;
  if (!add_tree(L, p->next, p->phi, true, muls, &k, &accs, 0) || accs != 1) return 0;
  return k;
}

/* True if v is an operand of one of the n multiplies. */
static bool in_terms(LLVMValueRef v, LLVMValueRef *muls, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    if (LLVMGetOperand(muls[i], 0) == v || LLVMGetOperand(muls[i], 1) == v) return true;
  return false;
}

/* An int16 row operand: its load's address, the load exactly 8 bytes. */
static bool row_address(dot_loop *L, LLVMValueRef v, mem_addr *a) {
  elem e[LANES];
  if (!sext_lanes(L, v, e) || !is_row(e) || e[0].bytes != 2 || e[0].off != 0 ||
      wgc_int_bytes(LLVMTypeOf(e[0].load)) != LANES * 2)
    return false;
  return elem_address(L, &e[0], a);
}

/* The first position fixes the terms: each multiply's weight row is the
 * operand every other position shares (with one position, the second
 * operand), ordered by its address. */
static bool first_terms(dot_loop *L, LLVMBasicBlockRef b, LLVMValueRef *muls, unsigned k) {
  LLVMValueRef other[MAX_TERMS];
  unsigned npos = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i))
    npos += is_v4i32(LLVMTypeOf(i));
  for (unsigned t = 0; t < k; t++) {
    LLVMValueRef w = LLVMGetOperand(muls[t], 1);
    if (npos > 1) {
      /* shared by every accumulator's terms */
      int found = -1;
      for (unsigned o = 0; o < 2; o++) {
        LLVMValueRef c = LLVMGetOperand(muls[t], o);
        bool all = true;
        for (LLVMValueRef i = LLVMGetFirstInstruction(b); i && LLVMIsAPHINode(i) && all;
             i = LLVMGetNextInstruction(i)) {
          if (!is_v4i32(LLVMTypeOf(i))) continue;
          position q = {.phi = i};
          LLVMValueRef pre;
          if (!phi_edges(L, i, &pre, &q.next)) return false;
          LLVMValueRef qm[MAX_TERMS];
          unsigned qk = terms_of(L, &q, qm);
          all = qk == k && in_terms(c, qm, qk);
        }
        if (all) found = found < 0 ? (int)o : 2;
      }
      if (found < 0 || found > 1) return false;
      w = LLVMGetOperand(muls[t], (unsigned)found);
    }
    L->tw[t] = w;
    other[t] = NULL;
    if (!row_address(L, w, &L->twa[t])) return false;
  }
  (void)other;
  /* by address (insertion sort: at most MAX_TERMS) */
  for (unsigned i = 1; i < k; i++)
    for (unsigned j = i; j > 0; j--) {
      const mem_addr *a = &L->twa[j - 1], *c = &L->twa[j];
      if (a->x.base != c->x.base || a->mem != c->mem) return false;
      if ((int64_t)a->c + a->x.off <= (int64_t)c->c + c->x.off) break;
      LLVMValueRef tv = L->tw[j];
      mem_addr ta = L->twa[j];
      L->tw[j] = L->tw[j - 1], L->twa[j] = L->twa[j - 1];
      L->tw[j - 1] = tv, L->twa[j - 1] = ta;
    }
  L->nterms = k;
  return true;
}

/* acc + sum_k x_k * w_k (k > 1): fills p->tx from the terms fixed by the
 * first position. */
static bool match_terms(dot_loop *L, position *p) {
  LLVMValueRef muls[MAX_TERMS];
  unsigned k = terms_of(L, p, muls);
  if (k < 2 || (L->nterms && L->nterms != k)) return false;
  if (!L->nterms && !first_terms(L, LLVMGetInstructionParent(p->phi), muls, k)) return false;
  for (unsigned t = 0; t < k; t++) {
    LLVMValueRef x = NULL;
    for (unsigned i = 0; i < k && !x; i++) {
      if (LLVMGetOperand(muls[i], 0) == L->tw[t]) x = LLVMGetOperand(muls[i], 1);
      else if (LLVMGetOperand(muls[i], 1) == L->tw[t]) x = LLVMGetOperand(muls[i], 0);
    }
    if (!x || !row_address(L, x, &p->tx[t])) return false;
  }
  L->ebytes = 2;
  L->rows = true;
  return true;
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

/* The rest of the loop: no effect, no load but xs[], nothing used after it
 * but the accumulators' last values. */
static bool census(dot_loop *L, LLVMBasicBlockRef b, LLVMValueRef br, LLVMValueRef *xs,
                   unsigned nx) {
  /* the rest of the loop: no effect, no other load, nothing used after it */
  for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
    if (i == br) continue;
    if (wgc_has_effect(i)) return reject(L, "an instruction with an effect in the loop");
    if (LLVMIsALoadInst(i) && !pattern_load(L, i, xs, nx))
      return reject(L, "a load that is not part of the dot product");
    if (LLVMIsALoadInst(i) && !wgc_is_plain_load(i)) return reject(L, "a volatile or atomic load");
    if (LLVMIsACallInst(i) && !wgc_is_load_barrier(i)) return reject(L, "a call in the loop");
    bool is_next = false;
    for (unsigned k = 0; k < L->npos; k++) is_next |= L->pos[k].next == i;
    if (!is_next && !stays_in_loop(L, i)) return reject(L, "a value used after the loop");
  }
  /* the accumulators' last values may leave; nothing else computed here */
  for (unsigned k = 0; k < L->npos; k++)
    for (LLVMUseRef u = LLVMGetFirstUse(L->pos[k].next); u; u = LLVMGetNextUse(u)) {
      LLVMValueRef user = LLVMGetUser(u);
      if (wgc_dot_in_loop(L, user) && user != L->pos[k].phi)
        return reject(L, "an accumulator's new value read in the loop");
    }
  return true;
}

/* The loads of a multi-term loop: every term's input and weight rows. */
static bool census_terms(dot_loop *L, LLVMBasicBlockRef b, LLVMValueRef br) {
  LLVMValueRef xs[(MAX_POSITIONS + 1) * MAX_TERMS];
  unsigned nx = 0;
  elem e[LANES];
  for (unsigned t = 0; t < L->nterms; t++) {
    if (!sext_lanes(L, L->tw[t], e)) return reject(L, "weight load not found");
    xs[nx++] = e[0].load;
  }
  for (unsigned k = 0; k < L->npos; k++) {
    LLVMValueRef muls[MAX_TERMS];
    unsigned n = terms_of(L, &L->pos[k], muls);
    for (unsigned i = 0; i < n; i++)
      for (unsigned o = 0; o < 2; o++)
        if (sext_lanes(L, LLVMGetOperand(muls[i], o), e)) xs[nx++] = e[0].load;
  }
  uint64_t span = 0;
  for (unsigned t = 0; t < L->nterms; t++) {
    uint64_t s =
        (uint64_t)L->trip * (uint64_t)(L->twa[t].x.step < 0 ? -L->twa[t].x.step : L->twa[t].x.step);
    if (s > span) span = s;
  }
  for (unsigned k = 0; k < L->npos; k++)
    for (unsigned t = 0; t < L->nterms; t++) {
      int64_t st = L->pos[k].tx[t].x.step;
      uint64_t s = (uint64_t)L->trip * (uint64_t)(st < 0 ? -st : st);
      if (s > span) span = s;
    }
  if (span >= WGC_FOLD_LIMIT) return reject(L, "reads too far");
  return census(L, b, br, xs, nx);
}

bool wgc_dot_match(dot_loop *L, LLVMValueRef fn, LLVMBasicBlockRef b) {
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
  L->w_hint = shared_operand(L, b);
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
      bool one = L->nterms <= 1 && match_step(L, p);
      if (one) L->nterms = 1;
      if (!one && !match_terms(L, p))
        return reject(L, "an accumulator that is not acc + sext(x) * sext(w)");
      /* the accumulator is read only by its step (the first add of it) */
      LLVMUseRef u = LLVMGetFirstUse(i);
      if (!u || LLVMGetNextUse(u) ||
          (L->nterms == 1 ? LLVMGetUser(u) != next : !is_op(LLVMGetUser(u), LLVMAdd)))
        return reject(L, "an accumulator read elsewhere in the loop");
    } else {
      aff a;
      if (!aff_eval(L, i, 0, &a))
        return reject(L, "a phi that is neither an accumulator nor an induction");
    }
  }
  if (L->ebytes != 1 && L->ebytes != 2) return reject(L, "elements other than i8 or i16");
  if (L->rows && L->ebytes != 2) return reject(L, "an int8 depthwise reduction (not regrouped)");
  /* steps: inputs one element further, weights one row further per iteration */
  if (L->nterms == 1 && L->wa.x.step != LANES * L->ebytes)
    return reject(L, "weights not one row per iteration");
  LLVMValueRef xs[(MAX_POSITIONS + 1) * MAX_TERMS];
  unsigned nx = 0;
  if (L->nterms > 1) return census_terms(L, b, br);
  for (unsigned k = 0; k < L->npos; k++) {
    if (!L->rows && L->pos[k].x.x.step != L->ebytes)
      return reject(L, "inputs not one element per iteration");
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
  if (!census(L, b, br, xs, nx)) return false;
  /* the span of every group load stays below the fold limit */
  uint64_t span = (uint64_t)L->trip * LANES * (uint64_t)L->ebytes;
  if (span >= WGC_FOLD_LIMIT) return reject(L, "reads too far");
  return true;
}

/* ---- the loop around ---------------------------------------------------- */

/* The predecessors of b other than `not` (at most 2 are returned). */
static unsigned preds(LLVMValueRef fn, LLVMBasicBlockRef b, LLVMBasicBlockRef out[2]) {
  unsigned n = 0;
  for (LLVMBasicBlockRef x = LLVMGetFirstBasicBlock(fn); x; x = LLVMGetNextBasicBlock(x)) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(x);
    for (unsigned i = 0, ns = term ? LLVMGetNumSuccessors(term) : 0; i < ns; i++)
      if (LLVMGetSuccessor(term, i) == b) {
        if (n < 2) out[n] = x;
        n++;
        break;
      }
  }
  return n;
}

/* True if every use of next is the loop phi, the outer phi, or in a block
 * after the outer loop (not its header, the loop or its latch). */
static bool used_after_outer_only(const dot_loop *L, const position *p) {
  for (LLVMUseRef u = LLVMGetFirstUse(p->next); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (user == p->phi || user == p->outer_phi) continue;
    LLVMBasicBlockRef ub = LLVMGetInstructionParent(user);
    if (ub == L->ph || ub == L->b || ub == L->exit) return false;
    if (ub == L->outer_exit && LLVMIsAPHINode(user)) return false;
  }
  return true;
}

void wgc_dot_match_outer(dot_loop *L, LLVMValueRef fn) {
  L->outer_pre = L->outer_exit = NULL;
  for (unsigned k = 0; k < L->npos; k++) L->pos[k].outer_phi = L->pos[k].outer_init = NULL;
  /* preheader -> b unconditionally; exit -> preheader or the way out */
  LLVMValueRef pt = LLVMGetBasicBlockTerminator(L->ph), et = LLVMGetBasicBlockTerminator(L->exit);
  if (!pt || LLVMGetNumSuccessors(pt) != 1 || !et || !LLVMIsABranchInst(et) ||
      !LLVMIsConditional(et))
    return;
  LLVMBasicBlockRef out = LLVMGetSuccessor(et, 0) == L->ph   ? LLVMGetSuccessor(et, 1)
                          : LLVMGetSuccessor(et, 1) == L->ph ? LLVMGetSuccessor(et, 0)
                                                             : NULL;
  if (!out || out == L->ph || out == L->exit || out == L->b) return;
  LLVMBasicBlockRef pp[2], op[2];
  if (preds(fn, L->ph, pp) != 2 || preds(fn, out, op) != 1) return;
  LLVMBasicBlockRef pre = pp[0] == L->exit ? pp[1] : pp[1] == L->exit ? pp[0] : NULL;
  if (!pre || pre == L->b) return;
  L->outer_pre = pre;
  L->outer_exit = out;
  for (unsigned k = 0; k < L->npos; k++) {
    position *p = &L->pos[k];
    LLVMValueRef h = p->init;
    if (!LLVMIsAPHINode(h) || LLVMGetInstructionParent(h) != L->ph || LLVMCountIncoming(h) != 2)
      continue;
    LLVMValueRef from_pre = NULL, from_exit = NULL;
    for (unsigned q = 0; q < 2; q++) {
      if (LLVMGetIncomingBlock(h, q) == pre) from_pre = LLVMGetIncomingValue(h, q);
      if (LLVMGetIncomingBlock(h, q) == L->exit) from_exit = LLVMGetIncomingValue(h, q);
    }
    LLVMUseRef u = LLVMGetFirstUse(h);
    if (!from_pre || from_exit != p->next || !u || LLVMGetNextUse(u) || LLVMGetUser(u) != p->phi)
      continue;
    p->outer_phi = h;
    if (!used_after_outer_only(L, p)) {
      p->outer_phi = NULL;
      continue;
    }
    p->outer_init = from_pre;
  }
}
