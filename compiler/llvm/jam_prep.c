/*
 * jam_prep.c — three reshapings of code the channel jam would otherwise
 * refuse, applied to an item loop the jam is about to read (one whose inner
 * blocks multiply <4 x float>). Each gives the same program: the first two
 * keep every instruction's effect and order; the third relies on the
 * runtime's workspace arena, as its section says.
 *
 * Header exits. TVM unrolls some loops by two over an odd count, and LLVM
 * by two again, which leaves a loop that leaves from the middle: a header H
 * that ends in `br exit?, X, L` and a latch L that always goes back to H. H
 * then runs T + 1 times and L T times. The jam reads only loops that leave
 * from their latch and whose blocks all run the same count (its proofs
 * enumerate iterations), so such a loop is rewritten as the loop H; L run T
 * times, leaving from L by a counted test on the header's induction, then
 * a copy of H for its last run, which goes on to X. T is found by
 * evaluating H's exit test for n = 0, 1, ... on the induction's values
 * start + n step (any integer arithmetic of that one phi and constants);
 * nothing else may feed the test, so every run takes the same path.
 *
 * Cleared scratch buffers. A memset the guest makes (wasm-rt.h's WG_MEMSET,
 * which LLVM sees as llvm.memset after its range check) in an item loop's
 * header clears a buffer every item then writes and reads back. The jam
 * gives each item a private copy of such a buffer when every access is a
 * 16-byte chunk; here the memset becomes 16-byte zero stores covering the
 * same bytes, in a block of their own after the header, whose other
 * instructions are integer arithmetic that neither reads memory nor traps.
 * The range check before the memset already proved every byte in memory,
 * so no store can trap and their order among themselves is invisible.
 *
 * Workspace blocks. Some kernels (resnet18's stem) take their scratch
 * buffer from the host per item: p = TVMBackendAllocWorkspace(...) at the
 * top of the item, TVMBackendFreeWorkspace(..., p) at its end, the kernel
 * returning -1 when either fails. The host calls keep the jam out. Here
 * the allocation moves before the loop and the free after it: A B_0 F A
 * B_1 F ... A B_n-1 F becomes A B_0 ... B_n-1 F. That is the same because
 * of what runtime/workspace.c guarantees (and says it guarantees for this
 * reason): the arena is a stack in host memory, Free(p) of the block just
 * allocated restores exactly the state before its Alloc, and Alloc's result
 * depends only on that state and the size. So with the same arguments
 * every run (checked: defined outside the loop) every Alloc after the
 * first returns the first one's p and every Free succeeds; the runs B_i
 * call nothing that reaches the host (checked: only intrinsics and inline
 * asm) and guest memory holds none of the arena's state, so they see the
 * same memory either way. A first Alloc that fails leaves the loop before
 * any run in both forms, with the same value; a trap in run i leaves one
 * block allocated in both. Neither call reads or moves guest memory, so
 * memory_rewrite.c puts no refresh of the memory struct and
 * interrupt_rewrite.c no interrupt check after them (both are constant
 * time), which is what leaves them adjacent to the loop's edges here.
 */
#include "jam_prep.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pass_util.h"

enum { MAX_TRIPS = 4096, MAX_EVAL_DEPTH = 24, MAX_MEMSET_BYTES = 4096 };

static LLVMValueRef terminator(LLVMBasicBlockRef b) { return LLVMGetBasicBlockTerminator(b); }

/* Predecessors of b in fn: how many, and one that is not `not_this`. */
static unsigned preds(LLVMValueRef fn, LLVMBasicBlockRef b, LLVMBasicBlockRef not_this,
                      LLVMBasicBlockRef *other) {
  unsigned k = 0;
  for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(fn); p; p = LLVMGetNextBasicBlock(p)) {
    LLVMValueRef t = terminator(p);
    for (unsigned s = 0, ns = t ? LLVMGetNumSuccessors(t) : 0; s < ns; s++)
      if (LLVMGetSuccessor(t, s) == b) {
        k++;
        if (p != not_this && other) *other = p;
      }
  }
  return k;
}

static uint64_t mask(unsigned w) { return w >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1; }

static int64_t sext(uint64_t v, unsigned w) {
  return w >= 64 ? (int64_t)v : (int64_t)(v << (64 - w)) >> (64 - w);
}

/* The value of integer v when phi iv holds ivv: v is iv, a constant, or
 * integer arithmetic of block h over those; false for anything else. */
static bool eval_at(LLVMValueRef v, LLVMValueRef iv, uint64_t ivv, LLVMBasicBlockRef h,
                    unsigned depth, uint64_t *out) {
  LLVMTypeRef t = LLVMTypeOf(v);
  if (LLVMGetTypeKind(t) != LLVMIntegerTypeKind || LLVMGetIntTypeWidth(t) > 64) return false;
  unsigned w = LLVMGetIntTypeWidth(t);
  if (v == iv) return *out = ivv & mask(w), true;
  int64_t c;
  if (wgc_const_int(v, &c)) return *out = (uint64_t)c & mask(w), true;
  if (depth > MAX_EVAL_DEPTH || !LLVMIsAInstruction(v) || LLVMIsAPHINode(v) ||
      LLVMGetInstructionParent(v) != h)
    return false;
  LLVMOpcode op = LLVMGetInstructionOpcode(v);
  uint64_t a = 0, b = 0;
  LLVMValueRef o0 = LLVMGetOperand(v, 0);
  unsigned w0 = LLVMGetTypeKind(LLVMTypeOf(o0)) == LLVMIntegerTypeKind
                    ? LLVMGetIntTypeWidth(LLVMTypeOf(o0))
                    : 0;
  if (!eval_at(o0, iv, ivv, h, depth + 1, &a)) return false;
  bool binary = op != LLVMZExt && op != LLVMSExt && op != LLVMTrunc;
  if (binary && !eval_at(LLVMGetOperand(v, 1), iv, ivv, h, depth + 1, &b)) return false;
  uint64_t r;
  switch (op) {
    case LLVMAdd:
      r = a + b;
      break;
    case LLVMSub:
      r = a - b;
      break;
    case LLVMMul:
      r = a * b;
      break;
    case LLVMAnd:
      r = a & b;
      break;
    case LLVMOr:
      r = a | b;
      break;
    case LLVMXor:
      r = a ^ b;
      break;
    case LLVMShl:
      if (b >= w) return false;
      r = a << b;
      break;
    case LLVMLShr:
      if (b >= w) return false;
      r = a >> b;
      break;
    case LLVMZExt:
      r = a;
      break;
    case LLVMSExt:
      r = (uint64_t)sext(a, w0);
      break;
    case LLVMTrunc:
      r = a;
      break;
    case LLVMICmp: {
      int64_t sa = sext(a, w0), sb = sext(b, w0);
      switch (LLVMGetICmpPredicate(v)) {
        case LLVMIntEQ:
          r = a == b;
          break;
        case LLVMIntNE:
          r = a != b;
          break;
        case LLVMIntUGT:
          r = a > b;
          break;
        case LLVMIntUGE:
          r = a >= b;
          break;
        case LLVMIntULT:
          r = a < b;
          break;
        case LLVMIntULE:
          r = a <= b;
          break;
        case LLVMIntSGT:
          r = sa > sb;
          break;
        case LLVMIntSGE:
          r = sa >= sb;
          break;
        case LLVMIntSLT:
          r = sa < sb;
          break;
        case LLVMIntSLE:
          r = sa <= sb;
          break;
        default:
          return false;
      }
      break;
    }
    default:
      return false;
  }
  *out = r & mask(w);
  return true;
}

/* One loop that leaves from header h, as the file comment says: its parts. */
typedef struct hexit {
  LLVMBasicBlockRef h, l, x;
  LLVMValueRef iv, next; /* the induction and its value from l (iv + step) */
  int64_t start, step, trips;
} hexit;

/* Whether phi of h is iv = phi [start, pre], [iv + step, l], constants. */
static bool induction(LLVMValueRef phi, LLVMBasicBlockRef l, hexit *e) {
  if (LLVMCountIncoming(phi) != 2 || LLVMGetTypeKind(LLVMTypeOf(phi)) != LLVMIntegerTypeKind)
    return false;
  unsigned w = LLVMGetIntTypeWidth(LLVMTypeOf(phi));
  if (w != 32 && w != 64) return false;
  unsigned from_l = LLVMGetIncomingBlock(phi, 0) == l ? 0 : 1;
  if (LLVMGetIncomingBlock(phi, from_l) != l) return false;
  LLVMValueRef next = LLVMGetIncomingValue(phi, from_l);
  if (!wgc_const_int(LLVMGetIncomingValue(phi, 1 - from_l), &e->start)) return false;
  if (!LLVMIsAInstruction(next) || LLVMGetInstructionOpcode(next) != LLVMAdd) return false;
  if (!(LLVMGetOperand(next, 0) == phi && wgc_const_int(LLVMGetOperand(next, 1), &e->step)) &&
      !(LLVMGetOperand(next, 1) == phi && wgc_const_int(LLVMGetOperand(next, 0), &e->step)))
    return false;
  const int64_t big = INT64_C(1) << 40, far = INT64_C(1) << 20;
  if (e->step == 0 || e->step < -far || e->step > far || e->start < -big || e->start > big)
    return false;
  e->iv = phi, e->next = next;
  return true;
}

/* Whether h heads a loop that leaves from h, and after how many runs of
 * its latch (e->trips >= 1). */
static bool find_hexit(LLVMValueRef fn, LLVMBasicBlockRef h, hexit *e) {
  LLVMValueRef br = terminator(h);
  if (!br || !LLVMIsABranchInst(br) || !LLVMIsConditional(br)) return false;
  e->h = h, e->l = NULL;
  for (unsigned s = 0; s < 2; s++) {
    LLVMBasicBlockRef l = LLVMGetSuccessor(br, s);
    LLVMValueRef lt = terminator(l);
    if (l != h && lt && LLVMIsABranchInst(lt) && !LLVMIsConditional(lt) &&
        LLVMGetSuccessor(lt, 0) == h)
      e->l = l, e->x = LLVMGetSuccessor(br, 1 - s);
  }
  LLVMBasicBlockRef pre = NULL;
  if (!e->l || e->x == h || e->x == e->l || preds(fn, e->l, NULL, NULL) != 1 ||
      preds(fn, h, e->l, &pre) != 2 || !pre || pre == h)
    return false;
  bool exit_on_true = LLVMGetSuccessor(br, 0) == e->x;
  LLVMValueRef cond = LLVMGetCondition(br);
  for (LLVMValueRef p = LLVMGetFirstInstruction(h); p && LLVMIsAPHINode(p);
       p = LLVMGetNextInstruction(p)) {
    if (!induction(p, e->l, e)) continue;
    for (int64_t n = 0; n <= MAX_TRIPS; n++) {
      uint64_t c;
      if (!eval_at(cond, p, (uint64_t)(e->start + n * e->step), h, 0, &c)) break;
      if ((c != 0) == exit_on_true) {
        if (n == 0) return false;
        return e->trips = n, true;
      }
    }
  }
  return false;
}

typedef struct vpair {
  LLVMValueRef from, to;
} vpair;

static LLVMValueRef mapped(const vpair *m, unsigned nm, LLVMValueRef v) {
  for (unsigned k = 0; k < nm; k++)
    if (m[k].from == v) return m[k].to;
  return v;
}

static void peel(LLVMValueRef fn, LLVMBuilderRef bd, const hexit *e, vpair *m, unsigned cap) {
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(e->iv));
  LLVMBasicBlockRef last = LLVMAppendBasicBlockInContext(ctx, fn, "");
  LLVMMoveBasicBlockAfter(last, e->l);
  LLVMValueRef hbr = terminator(e->h), lbr = terminator(e->l);
  unsigned nm = 0;
  /* the last run of h: its phis take the values l sends back, the
   * induction's and all h computes from it alone are constants */
  uint64_t final = (uint64_t)(e->start + e->trips * e->step), cv;
  LLVMPositionBuilderAtEnd(bd, last);
  for (LLVMValueRef i = LLVMGetFirstInstruction(e->h); i && i != hbr && nm < cap;
       i = LLVMGetNextInstruction(i)) {
    LLVMValueRef to;
    if ((i == e->iv || !LLVMIsAPHINode(i)) && eval_at(i, e->iv, final, e->h, 0, &cv)) {
      to = LLVMConstInt(LLVMTypeOf(i), cv, 0);
    } else if (LLVMIsAPHINode(i)) {
      unsigned from_l = LLVMGetIncomingBlock(i, 0) == e->l ? 0 : 1;
      to = LLVMGetIncomingValue(i, from_l);
    } else {
      to = LLVMInstructionClone(i);
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(to); o < no; o++)
        LLVMSetOperand(to, o, mapped(m, nm, LLVMGetOperand(to, o)));
      LLVMInsertIntoBuilder(bd, to);
    }
    m[nm++] = (vpair){i, to};
  }
  LLVMBuildBr(bd, e->x);
  /* uses after the loop now see the last run's values */
  for (unsigned k = 0; k < nm; k++) {
    LLVMValueRef v = m[k].from;
    for (LLVMUseRef u = LLVMGetFirstUse(v), nu; u; u = nu) {
      nu = LLVMGetNextUse(u);
      LLVMValueRef user = LLVMGetUser(u);
      LLVMBasicBlockRef ub = LLVMGetInstructionParent(user);
      if (ub == e->h || ub == e->l || ub == last) continue;
      for (unsigned o = 0, no = (unsigned)LLVMGetNumOperands(user); o < no; o++)
        if (LLVMGetOperand(user, o) == v) LLVMSetOperand(user, o, m[k].to);
    }
  }
  wgc_retarget_phis(bd, e->x, e->h, last);
  /* h always goes on to l; l leaves after its trips-th run */
  LLVMValueRef cond = LLVMGetCondition(hbr);
  LLVMPositionBuilderBefore(bd, hbr);
  LLVMBuildBr(bd, e->l);
  LLVMInstructionEraseFromParent(hbr);
  if (LLVMIsAInstruction(cond) && !LLVMGetFirstUse(cond)) LLVMInstructionEraseFromParent(cond);
  LLVMPositionBuilderBefore(bd, lbr);
  LLVMValueRef end = LLVMConstInt(LLVMTypeOf(e->iv), (uint64_t)(e->start + e->trips * e->step), 1);
  LLVMValueRef done = LLVMBuildICmp(bd, LLVMIntEQ, e->next, end, "");
  LLVMValueRef nbr = LLVMBuildCondBr(bd, done, last, e->h);
  unsigned kind = LLVMGetMDKindIDInContext(ctx, "llvm.loop", 9);
  LLVMValueRef md = LLVMGetMetadata(lbr, kind);
  if (md) LLVMSetMetadata(nbr, kind, md);
  LLVMInstructionEraseFromParent(lbr);
}

static bool among(LLVMBasicBlockRef b, LLVMBasicBlockRef const *in, unsigned nin) {
  for (unsigned k = 0; k < nin; k++)
    if (in[k] == b) return true;
  return false;
}

unsigned wgc_jam_peel_header_exits(LLVMValueRef fn, LLVMBasicBlockRef const *in, unsigned nin,
                                   bool *oom) {
  unsigned nb = LLVMCountBasicBlocks(fn), done = 0;
  LLVMBasicBlockRef *blocks = malloc((nb ? nb : 1) * sizeof *blocks);
  if (!blocks) return *oom = true, 0;
  LLVMGetBasicBlocks(fn, blocks);
  LLVMBuilderRef bd = NULL;
  for (unsigned k = 0; k < nb; k++) {
    hexit e;
    if (!among(blocks[k], in, nin) || !find_hexit(fn, blocks[k], &e) || !among(e.l, in, nin) ||
        !among(e.x, in, nin))
      continue;
    unsigned cap = 0;
    for (LLVMValueRef i = LLVMGetFirstInstruction(e.h); i; i = LLVMGetNextInstruction(i)) cap++;
    vpair *m = malloc(cap * sizeof *m);
    if (!bd) bd = LLVMCreateBuilderInContext(LLVMGetTypeContext(LLVMTypeOf(e.iv)));
    if (!m || !bd) {
      free(m);
      *oom = true;
      break;
    }
    peel(fn, bd, &e, m, cap);
    free(m);
    done++;
  }
  if (bd) LLVMDisposeBuilder(bd);
  free(blocks);
  return done;
}

/* ---- cleared scratch buffers ----------------------------------------------- */

static bool is_memset(LLVMValueRef i, int64_t *len) {
  const char *name = LLVMIsACallInst(i) ? wgc_callee_name(i) : NULL;
  int64_t v, vol;
  return name && wgc_has_prefix(name, "llvm.memset.p0i8.i64") &&
         wgc_const_int(LLVMGetOperand(i, 1), &v) && v == 0 &&
         wgc_const_int(LLVMGetOperand(i, 2), len) && *len >= 16 && *len <= MAX_MEMSET_BYTES &&
         *len % 16 == 0 && wgc_const_int(LLVMGetOperand(i, 3), &vol) && vol == 0;
}

bool wgc_jam_split_memset(LLVMValueRef fn, LLVMBasicBlockRef h, LLVMBasicBlockRef const *in,
                          unsigned nin) {
  LLVMValueRef br = terminator(h), call = NULL;
  if (!br || !LLVMIsABranchInst(br) || LLVMIsConditional(br)) return false;
  int64_t len = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(h); i && !call; i = LLVMGetNextInstruction(i))
    if (is_memset(i, &len)) call = i;
  wgc_address a;
  if (!call || !wgc_address_parse(LLVMGetOperand(call, 0), &a) || !a.x) return false;
  /* a buffer every run clears: its address from before the loop */
  if (LLVMIsAInstruction(a.x) && among(LLVMGetInstructionParent(a.x), in, nin)) return false;
  LLVMValueRef gep = wgc_strip_bitcasts(LLVMGetOperand(call, 0));
  LLVMValueRef idx = LLVMGetOperand(gep, 1);
  LLVMValueRef z = a.c ? LLVMGetOperand(idx, 0) : idx; /* zext(x) */
  LLVMBasicBlockRef to = LLVMGetSuccessor(br, 0);
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(call));
  LLVMBuilderRef bd = LLVMCreateBuilderInContext(ctx);
  if (!bd) return false;
  LLVMBasicBlockRef clear = LLVMAppendBasicBlockInContext(ctx, fn, "");
  LLVMMoveBasicBlockAfter(clear, h);
  LLVMPositionBuilderAtEnd(bd, clear);
  LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx), i64 = LLVMInt64TypeInContext(ctx);
  LLVMTypeRef v4 = LLVMVectorType(LLVMInt32TypeInContext(ctx), 4);
  for (int64_t off = 0; off < len; off += 16) {
    uint64_t c = a.c + (uint64_t)off;
    LLVMValueRef ix = c ? LLVMBuildAdd(bd, z, LLVMConstInt(i64, c, 0), "") : z;
    LLVMValueRef p = LLVMBuildInBoundsGEP2(bd, i8, a.base, &ix, 1, "");
    p = LLVMBuildBitCast(bd, p, LLVMPointerType(v4, 0), "");
    LLVMSetAlignment(LLVMBuildStore(bd, LLVMConstNull(v4), p), 1);
  }
  LLVMBuildBr(bd, to);
  LLVMPositionBuilderBefore(bd, br);
  LLVMBuildBr(bd, clear);
  LLVMInstructionEraseFromParent(br);
  wgc_retarget_phis(bd, to, h, clear);
  LLVMValueRef ptr = LLVMGetOperand(call, 0);
  LLVMInstructionEraseFromParent(call);
  /* the pointer's casts and GEP, now dead: the jam allows no GEP in h */
  while (LLVMIsAInstruction(ptr) && !LLVMGetFirstUse(ptr) &&
         (LLVMIsABitCastInst(ptr) || LLVMIsAGetElementPtrInst(ptr))) {
    LLVMValueRef up = LLVMGetOperand(ptr, 0);
    LLVMInstructionEraseFromParent(ptr);
    ptr = up;
  }
  LLVMDisposeBuilder(bd);
  return true;
}

/* ---- a workspace block per item --------------------------------------------- */

static bool calls(LLVMValueRef i, const char *name) {
  const char *n = LLVMIsACallInst(i) ? wgc_callee_name(i) : NULL;
  return n && strcmp(n, name) == 0;
}

/* Defined outside the loop (not an instruction of a block in `in`). */
static bool outside(LLVMValueRef v, LLVMBasicBlockRef *in, unsigned nin) {
  if (!LLVMIsAInstruction(v)) return true;
  LLVMBasicBlockRef b = LLVMGetInstructionParent(v);
  for (unsigned k = 0; k < nin; k++)
    if (in[k] == b) return false;
  return true;
}

/* `load env; r = call NAME(env, ...); z = icmp eq r, 0; br z, ...` from
 * instruction i on: the call, or NULL. */
static LLVMValueRef host_call_tail(LLVMValueRef i, const char *name) {
  LLVMValueRef call = i ? LLVMGetNextInstruction(i) : NULL;
  LLVMValueRef cmp = call ? LLVMGetNextInstruction(call) : NULL;
  LLVMValueRef br = cmp ? LLVMGetNextInstruction(cmp) : NULL;
  int64_t zero;
  if (!br || !LLVMIsALoadInst(i) || !calls(call, name) || LLVMGetOperand(call, 0) != i ||
      !LLVMIsAICmpInst(cmp) || LLVMGetICmpPredicate(cmp) != LLVMIntEQ ||
      LLVMGetOperand(cmp, 0) != call || !wgc_const_int(LLVMGetOperand(cmp, 1), &zero) || zero ||
      !LLVMIsABranchInst(br) || !LLVMIsConditional(br) || LLVMGetCondition(br) != cmp)
    return NULL;
  return call;
}

enum { MAX_LOOP_BLOCKS = 512 };

/* The natural loop of back edge e -> h: h and the blocks that reach e
 * without passing h. 0 when it has more than `cap` blocks. */
static unsigned loop_of(LLVMValueRef fn, LLVMBasicBlockRef h, LLVMBasicBlockRef e,
                        LLVMBasicBlockRef *in, unsigned cap) {
  unsigned n = 0, done = 0;
  in[n++] = h;
  if (e != h) in[n++] = e;
  for (done = 1; done < n; done++) {
    LLVMBasicBlockRef b = in[done];
    for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(fn); p; p = LLVMGetNextBasicBlock(p)) {
      LLVMValueRef t = terminator(p);
      bool pred = false, seen = false;
      for (unsigned s = 0, ns = t ? LLVMGetNumSuccessors(t) : 0; s < ns; s++)
        pred |= LLVMGetSuccessor(t, s) == b;
      for (unsigned k = 0; k < n && pred; k++) seen |= in[k] == p;
      if (!pred || seen) continue;
      if (n == cap) return 0;
      in[n++] = p;
    }
  }
  return n;
}

/* Whether every call of the loop but `a` and `f` is an intrinsic or inline
 * asm (the load barriers): nothing else that could reach the host. */
static bool only_these_calls(LLVMBasicBlockRef *in, unsigned nin, LLVMValueRef a, LLVMValueRef f) {
  for (unsigned k = 0; k < nin; k++)
    for (LLVMValueRef i = LLVMGetFirstInstruction(in[k]); i; i = LLVMGetNextInstruction(i)) {
      if (i == a || i == f) continue;
      if (LLVMIsAInvokeInst(i) || LLVMIsACallBrInst(i)) return false;
      if (!LLVMIsACallInst(i)) continue;
      LLVMValueRef callee = LLVMGetCalledValue(i);
      if (!(callee && LLVMIsAInlineAsm(callee)) &&
          !(callee && LLVMIsAFunction(callee) && LLVMGetIntrinsicID(callee)))
        return false;
    }
  return true;
}

static LLVMValueRef incoming_from(LLVMValueRef phi, LLVMBasicBlockRef b) {
  for (unsigned k = 0, n = LLVMCountIncoming(phi); k < n; k++)
    if (LLVMGetIncomingBlock(phi, k) == b) return LLVMGetIncomingValue(phi, k);
  return NULL;
}

static bool one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

static void move_before(LLVMBuilderRef bd, LLVMValueRef i, LLVMValueRef where) {
  LLVMInstructionRemoveFromParent(i);
  LLVMPositionBuilderBefore(bd, where);
  LLVMInsertIntoBuilder(bd, i);
}

bool wgc_jam_hoist_workspace(LLVMValueRef fn, LLVMBasicBlockRef e, LLVMBasicBlockRef h) {
  LLVMValueRef ebr = terminator(e);
  if (!ebr || !LLVMIsABranchInst(ebr) || !LLVMIsConditional(ebr) || e == h) return false;
  unsigned back = LLVMGetSuccessor(ebr, 0) == h ? 0 : 1;
  LLVMBasicBlockRef x = LLVMGetSuccessor(ebr, 1 - back), pre = NULL, fb = NULL;
  if (LLVMGetSuccessor(ebr, back) != h || x == h || x == e) return false;
  if (preds(fn, h, e, &pre) != 2 || !pre || pre == e || preds(fn, e, NULL, &fb) != 1 || fb == h)
    return false;
  LLVMValueRef pbr = terminator(pre);
  if (!pbr || !LLVMIsABranchInst(pbr) || LLVMIsConditional(pbr)) return false;
  /* h: phis, then the allocation; fb: the free, then on to e */
  LLVMValueRef env = LLVMGetFirstInstruction(h);
  while (env && LLVMIsAPHINode(env)) env = LLVMGetNextInstruction(env);
  LLVMValueRef alloc = host_call_tail(env, "w2c_env_TVMBackendAllocWorkspace");
  LLVMValueRef fenv = LLVMGetFirstInstruction(fb);
  LLVMValueRef fr = host_call_tail(fenv, "w2c_env_TVMBackendFreeWorkspace");
  if (!alloc || !fr) return false;
  LLVMValueRef hbr = terminator(h), fbr = terminator(fb);
  if (LLVMGetSuccessor(hbr, 0) != x || LLVMGetSuccessor(fbr, 0) != e ||
      LLVMGetSuccessor(fbr, 1) != x || LLVMGetOperand(env, 0) != LLVMGetOperand(fenv, 0) ||
      LLVMGetNumArgOperands(alloc) != 6 || LLVMGetNumArgOperands(fr) != 4 ||
      LLVMGetOperand(fr, 3) != alloc)
    return false;
  LLVMBasicBlockRef in[MAX_LOOP_BLOCKS];
  unsigned nin = loop_of(fn, h, e, in, MAX_LOOP_BLOCKS);
  if (!nin || !outside(LLVMGetOperand(env, 0), in, nin) || !only_these_calls(in, nin, alloc, fr))
    return false;
  for (unsigned k = 1; k < 6; k++)
    if (!outside(LLVMGetOperand(alloc, k), in, nin)) return false;
  for (unsigned k = 1; k < 3; k++)
    if (!outside(LLVMGetOperand(fr, k), in, nin)) return false;
  /* what x receives on a failed allocation or free must not come from the loop */
  for (LLVMValueRef p = LLVMGetFirstInstruction(x); p && LLVMIsAPHINode(p);
       p = LLVMGetNextInstruction(p))
    if (!outside(incoming_from(p, h), in, nin) || !outside(incoming_from(p, fb), in, nin))
      return false;
  /* the free and its test move out of the loop: nothing else may use them */
  LLVMValueRef acmp = LLVMGetNextInstruction(alloc), fcmp = LLVMGetNextInstruction(fr);
  if (!one_use(fenv) || !one_use(fr) || !one_use(fcmp) || !one_use(acmp)) return false;
  LLVMBasicBlockRef body = LLVMGetSuccessor(hbr, 1);
  if (body == h || body == x || body == fb || preds(fn, body, NULL, NULL) != 1) return false;
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(alloc));
  LLVMBuilderRef bd = LLVMCreateBuilderInContext(ctx);
  if (!bd) return false;
  /* the allocation before the loop, which it leaves for x when it fails */
  move_before(bd, env, pbr);
  move_before(bd, alloc, pbr);
  move_before(bd, acmp, pbr);
  LLVMPositionBuilderBefore(bd, pbr);
  LLVMBuildCondBr(bd, acmp, x, h);
  LLVMInstructionEraseFromParent(pbr);
  LLVMInstructionEraseFromParent(hbr);
  /* h runs straight into body (its one predecessor): one block again, so
   * that the item's arithmetic is in the loop's header, where the jam
   * reads it */
  for (LLVMValueRef i = LLVMGetFirstInstruction(body); i && LLVMIsAPHINode(i);
       i = LLVMGetFirstInstruction(body)) {
    LLVMReplaceAllUsesWith(i, LLVMGetIncomingValue(i, 0));
    LLVMInstructionEraseFromParent(i);
  }
  LLVMPositionBuilderAtEnd(bd, h);
  for (LLVMValueRef i = LLVMGetFirstInstruction(body); i; i = LLVMGetFirstInstruction(body)) {
    LLVMInstructionRemoveFromParent(i);
    LLVMInsertIntoBuilder(bd, i);
  }
  LLVMValueRef bt = terminator(h);
  for (unsigned s = 0, ns = LLVMGetNumSuccessors(bt); s < ns; s++)
    wgc_retarget_phis(bd, LLVMGetSuccessor(bt, s), body, h);
  LLVMDeleteBasicBlock(body);
  /* the free after it: fx, and fail for x's other value */
  LLVMBasicBlockRef fx = LLVMAppendBasicBlockInContext(ctx, fn, "");
  LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(ctx, fn, "");
  LLVMMoveBasicBlockAfter(fx, e);
  LLVMMoveBasicBlockAfter(fail, fx);
  LLVMPositionBuilderAtEnd(bd, fail);
  LLVMBuildBr(bd, x);
  LLVMPositionBuilderAtEnd(bd, fx);
  LLVMValueRef fxbr = LLVMBuildCondBr(bd, fcmp, x, fail);
  move_before(bd, fenv, fxbr);
  move_before(bd, fr, fxbr);
  move_before(bd, fcmp, fxbr);
  LLVMPositionBuilderBefore(bd, fbr);
  LLVMBuildBr(bd, e);
  LLVMInstructionEraseFromParent(fbr);
  LLVMSetSuccessor(ebr, 1 - back, fx);
  /* x's phis: what came from h, fb and e now comes from pre, fail and fx */
  wgc_retarget_phis(bd, x, h, pre);
  wgc_retarget_phis(bd, x, fb, fail);
  wgc_retarget_phis(bd, x, e, fx);
  LLVMDisposeBuilder(bd);
  return true;
}
