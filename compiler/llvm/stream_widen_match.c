/*
 * stream_widen_match.c — the analysis half of stream_widen.c: whether a
 * single-block loop has the shape that pass widens (its inductions, trip
 * count, memory streams, interleaved groups, and how the wide copy computes
 * each instruction). The shape, and why widening it is exact, are described
 * at the top of stream_widen.c.
 */
#include <stdlib.h>
#include <string.h>

#include "lanewise_call.h"
#include "pass_util.h"
#include "stream_widen_loop.h"

static bool reject(sw_loop *L, const char *why) {
  L->why = why;
  return false;
}

static bool is_int_scalar(LLVMTypeRef t) { return LLVMGetTypeKind(t) == LLVMIntegerTypeKind; }

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
      if (wgc_const_int(LLVMGetOperand(v, 1), &c) &&
          stride_u(L, LLVMGetOperand(v, 0), &a, depth + 1))
        return *s = a * (uint64_t)c, true;
      if (wgc_const_int(LLVMGetOperand(v, 0), &c) &&
          stride_u(L, LLVMGetOperand(v, 1), &a, depth + 1))
        return *s = a * (uint64_t)c, true;
      return false;
    case LLVMShl:
      if (!wgc_const_int(LLVMGetOperand(v, 1), &c) || c < 0 || c > 31) return false;
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
bool wgc_sw_exempt(const sw_stream *a, const sw_stream *b) {
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
      if (d < (uint64_t)A->s && !wgc_sw_exempt(A, B))
        return reject(L, "interleaved streams that overlap");
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
    if (!wgc_const_int(LLVMGetOperand(i, op == LLVMInsertElement ? 2 : 1), &lane))
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

bool wgc_sw_match(sw_loop *L) {
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
      plain = (o0 == i && wgc_const_int(o1, &step)) || (o1 == i && wgc_const_int(o0, &step));
    }
    L->phi[L->nphi] = i, L->start[L->nphi] = LLVMGetIncomingValue(i, 1 - from_b);
    L->next[L->nphi] = next, L->known[L->nphi] = plain;
    L->step[L->nphi++] = step;
  }
  /* the trip count: one of those inductions, a constant start and bound */
  int64_t trips = wgc_loop_trip_count(L->b, br, NULL);
  if (trips < 1 || trips > (1 << 24)) return reject(L, "no constant trip count");
  L->trip = (unsigned)trips;
  if (L->trip < L->k + 1) return reject(L, "too few iterations");
  for (; i && i != br; i = LLVMGetNextInstruction(i))
    if (!classify(L, i)) return false;
  if (!resolve_phis(L) || !streams_ok(L)) return false;
  bool stores = false, wide = false;
  for (unsigned q = 0; q < L->nst; q++) stores |= L->st[q].store;
  for (unsigned q = 0; q < L->n; q++) wide |= L->how[q] == SW_WIDE;
  if (!stores || !wide) return reject(L, "no vector stream");
  if (!(L->mem = wgc_memory_of(L->m, L->data, &L->mem_type, &L->mem_slot)))
    return reject(L, "memory of another shape");
  return true;
}
