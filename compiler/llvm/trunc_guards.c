/*
 * trunc_guards.c — float-to-int conversions that LLVM's wasm backend guarded
 * around wasm2c's trapping conversion, as branch-free code.
 *
 * The shape. Without the non-trapping conversions, LLVM's wasm backend
 * (which compiled TVM's kernels) lowers C's float-to-int casts as
 *   signed:   |x| < 2^31 ? i32.trunc_f32_s(x) : INT_MIN
 *   unsigned: x < 2^32 && x >= 0 ? i32.trunc_f32_u(x) : 0
 * and wasm2c's trapping truncation (convert_rewrite.c's fast x86 form) is
 *   r = cvttss2si(x); r != INT_MIN ? r : <checks that trap, or (s32)x>
 *   r = cvttss2si64(x); r <= 0xffffffff ? (u32)r : <checks that trap, or (u32)x>
 * After -O2 each conversion is four blocks and three branches, per lane of
 * every requantize (relay.quantize's cast to int8: 140 of them in
 * squeezenet1_1_int8's kernels, each run per element).
 *
 * What this pass does. For a phi that joins the guard's constant (INT_MIN
 * or 0) with the fast path's value, it computes the fast value in the
 * guard's block, takes the select (unsigned) or the value itself (signed),
 * and branches straight to the join. The slow blocks become unreachable and
 * the next -O2 run deletes them.
 *
 * Why it is exact. Signed: under the guard, |x| < 2^31, so x is no NaN and
 * trunc(x) lies in (-2^31, 2^31): cvttss2si returns it, never INT_MIN, and
 * the fast path always reaches the join with cvttss2si(x). Outside the
 * guard (NaN, or |x| >= 2^31) cvttss2si returns INT_MIN, the guard's
 * constant. So the join's value is cvttss2si(x) for every x. Unsigned:
 * under the guard 0 <= x < 2^32, cvttss2si64 returns trunc(x) in [0, 2^32),
 * the fast path is always taken, and the join's value is select(guard,
 * (u32)cvttss2si64(x), 0). The slow path, the only one with traps, is
 * never entered in the original either. The fast path holds nothing but
 * the conversion, its compare and a branch (checked), and every other phi
 * of the join takes the same value from the guard's block and the fast
 * path (checked), so nothing else changes. tests/compiler/trunc_guards runs
 * both forms on every float class.
 */
#include "trunc_guards.h"

#include <string.h>

#include "pass_util.h"

typedef struct tg_state {
  LLVMModuleRef m;
  LLVMContextRef c;
  LLVMBuilderRef bd;
  wgc_trunc_guards_stats *st;
} tg_state;

static bool const_int(LLVMValueRef v, unsigned long long want) {
  return v && LLVMIsAConstantInt(v) && LLVMConstIntGetZExtValue(v) == want;
}

/* c is `a PRED k` for a float constant k: a plain fcmp, or wasm2c's
 * constrained fcmp/fcmps. *a is set. */
static bool fcmp_const(LLVMValueRef c, LLVMRealPredicate pred, const char *md, double k,
                       LLVMValueRef *a) {
  if (LLVMIsAFCmpInst(c)) {
    *a = LLVMGetOperand(c, 0);
    return LLVMGetFCmpPredicate(c) == pred && wgc_is_fp_const(LLVMGetOperand(c, 1), k);
  }
  const char *name = wgc_callee_name(c);
  if (!wgc_has_prefix(name, "llvm.experimental.constrained.fcmp")) return false;
  *a = LLVMGetOperand(c, 0);
  return wgc_is_fp_const(LLVMGetOperand(c, 1), k) && wgc_md_arg_is(c, 2, md);
}

/* The x of |x|: llvm.fabs(x), or bitcast(and(bitcast x to i32, 0x7fffffff)). */
static LLVMValueRef abs_arg(LLVMValueRef v) {
  if (wgc_has_prefix(wgc_callee_name(v), "llvm.fabs.f32")) return LLVMGetOperand(v, 0);
  if (!LLVMIsABitCastInst(v)) return NULL;
  LLVMValueRef a = LLVMGetOperand(v, 0);
  if (!LLVMIsABinaryOperator(a) || LLVMGetInstructionOpcode(a) != LLVMAnd ||
      !const_int(LLVMGetOperand(a, 1), 0x7fffffffu))
    return NULL;
  LLVMValueRef b = LLVMGetOperand(a, 0);
  if (!LLVMIsABitCastInst(b)) return NULL;
  LLVMValueRef x = LLVMGetOperand(b, 0);
  return LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMFloatTypeKind ? x : NULL;
}

/* The signed guard |x| < 2^31: x, or NULL. */
static LLVMValueRef signed_guard(LLVMValueRef c) {
  LLVMValueRef a;
  if (!fcmp_const(c, LLVMRealOLT, "olt", 2147483648.0, &a)) return NULL;
  return abs_arg(a);
}

/* The unsigned guard x < 2^32 && x >= 0 (either order): x, or NULL. */
static LLVMValueRef unsigned_guard(LLVMValueRef c) {
  if (!LLVMIsABinaryOperator(c) || LLVMGetInstructionOpcode(c) != LLVMAnd) return NULL;
  LLVMValueRef p = LLVMGetOperand(c, 0), q = LLVMGetOperand(c, 1), a = NULL, b = NULL;
  for (int swap = 0; swap < 2; swap++) {
    LLVMValueRef lt = swap ? q : p, ge = swap ? p : q;
    if (fcmp_const(lt, LLVMRealOLT, "olt", 4294967296.0, &a) &&
        fcmp_const(ge, LLVMRealOGE, "oge", 0.0, &b) && a == b &&
        LLVMGetTypeKind(LLVMTypeOf(a)) == LLVMFloatTypeKind)
      return a;
  }
  return NULL;
}

/* Whether lane 0 of the <4 x float> s is x: x inserted at 0, or x lane k
 * of a vector whose lane k is s's lane 0. */
static bool lane0_is(LLVMValueRef s, LLVMValueRef x) {
  if (LLVMIsAInsertElementInst(s) && LLVMGetOperand(s, 1) == x)
    return const_int(LLVMGetOperand(s, 2), 0);
  if (!LLVMIsAExtractElementInst(x) || !LLVMIsAConstantInt(LLVMGetOperand(x, 1))) return false;
  unsigned k;
  LLVMValueRef v = wgc_lane0_source(s, &k);
  return v && v == LLVMGetOperand(x, 0) && k == LLVMConstIntGetZExtValue(LLVMGetOperand(x, 1));
}

/* A call of the conversion intrinsic `name` on a vector whose lane 0 is x. */
static bool cvt_of(LLVMValueRef r, const char *name, LLVMValueRef x) {
  const char *got = wgc_callee_name(r);
  return got && strcmp(got, name) == 0 && LLVMGetNumArgOperands(r) == 1 &&
         lane0_is(LLVMGetOperand(r, 0), x);
}

/* Whether every instruction of bb is one of `ok` (n of them) or its
 * terminator, or a pure value computation (no effect, no load, no call):
 * the guard's fast path must do nothing but convert. */
static bool only(LLVMBasicBlockRef bb, const LLVMValueRef *ok, unsigned n) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
    if (i == LLVMGetBasicBlockTerminator(bb)) continue;
    bool listed = false;
    for (unsigned k = 0; k < n; k++) listed |= i == ok[k];
    if (listed) continue;
    if (wgc_has_effect(i) || LLVMIsALoadInst(i) || LLVMIsACallInst(i)) return false;
  }
  return true;
}

static LLVMBasicBlockRef single_pred(LLVMValueRef fn, LLVMBasicBlockRef bb) {
  LLVMBasicBlockRef found = NULL;
  for (LLVMBasicBlockRef p = LLVMGetFirstBasicBlock(fn); p; p = LLVMGetNextBasicBlock(p)) {
    LLVMValueRef t = LLVMGetBasicBlockTerminator(p);
    for (unsigned i = 0, n = t ? LLVMGetNumSuccessors(t) : 0; i < n; i++)
      if (LLVMGetSuccessor(t, i) == bb) {
        if (found && found != p) return NULL;
        found = p;
      }
  }
  return found;
}

/* The incoming value of phi from block b, or NULL. */
static LLVMValueRef incoming(LLVMValueRef phi, LLVMBasicBlockRef b) {
  for (unsigned i = 0, n = LLVMCountIncoming(phi); i < n; i++)
    if (LLVMGetIncomingBlock(phi, i) == b) return LLVMGetIncomingValue(phi, i);
  return NULL;
}

/* Every phi of x but `skip` takes the same value from a and from f. */
static bool other_phis_agree(LLVMBasicBlockRef x, LLVMValueRef skip, LLVMBasicBlockRef a,
                             LLVMBasicBlockRef f) {
  for (LLVMValueRef i = LLVMGetFirstInstruction(x); i && LLVMIsAPHINode(i);
       i = LLVMGetNextInstruction(i))
    if (i != skip && incoming(i, a) != incoming(i, f)) return false;
  return true;
}

/* Phi p of block x, incoming k from block a: rewrites the guard if it is
 * one; true if it did. */
static bool try_guard(tg_state *s, LLVMValueRef fn, LLVMValueRef p, LLVMBasicBlockRef x,
                      unsigned k) {
  LLVMBasicBlockRef a = LLVMGetIncomingBlock(p, k);
  LLVMValueRef konst = LLVMGetIncomingValue(p, k);
  LLVMValueRef at = LLVMGetBasicBlockTerminator(a);
  if (!at || !LLVMIsABranchInst(at) || !LLVMIsConditional(at) || LLVMGetSuccessor(at, 1) != x)
    return false;
  LLVMValueRef c = LLVMGetCondition(at);
  LLVMBasicBlockRef b = LLVMGetSuccessor(at, 0);
  if (b == x || single_pred(fn, b) != a) return false;
  LLVMValueRef bt = LLVMGetBasicBlockTerminator(b);
  if (!bt || !LLVMIsABranchInst(bt) || !LLVMIsConditional(bt)) return false;
  LLVMValueRef bc = LLVMGetCondition(bt), x_val, fast, r;
  LLVMBasicBlockRef f; /* the fast path's last block, the join's predecessor */
  bool is_signed;
  if (const_int(konst, 0x80000000u) && (x_val = signed_guard(c)) != NULL) {
    /* r = cvttss2si(x); br (r == INT_MIN), slow, join */
    is_signed = true;
    r = incoming(p, b);
    if (!r || !LLVMIsAICmpInst(bc) || LLVMGetICmpPredicate(bc) != LLVMIntEQ ||
        LLVMGetOperand(bc, 0) != r || !const_int(LLVMGetOperand(bc, 1), 0x80000000u) ||
        LLVMGetSuccessor(bt, 1) != x || !cvt_of(r, "llvm.x86.sse.cvttss2si", x_val))
      return false;
    LLVMValueRef ok[] = {r, bc, LLVMGetOperand(r, 0)};
    if (!only(b, ok, 3)) return false;
    f = b;
    fast = r;
  } else if (const_int(konst, 0) && (x_val = unsigned_guard(c)) != NULL) {
    /* r = cvttss2si64(x); br (r <u 2^32), fast, slow; fast: trunc r; br join */
    is_signed = false;
    f = LLVMGetSuccessor(bt, 0);
    LLVMValueRef ft = LLVMGetBasicBlockTerminator(f);
    fast = incoming(p, f);
    if (f == x || single_pred(fn, f) != b || !ft || !LLVMIsABranchInst(ft) ||
        LLVMIsConditional(ft) || LLVMGetSuccessor(ft, 0) != x || !fast || !LLVMIsATruncInst(fast) ||
        LLVMGetInstructionParent(fast) != f)
      return false;
    r = LLVMGetOperand(fast, 0);
    if (!LLVMIsAICmpInst(bc) || LLVMGetICmpPredicate(bc) != LLVMIntULT ||
        LLVMGetOperand(bc, 0) != r || !const_int(LLVMGetOperand(bc, 1), 4294967296ull) ||
        LLVMGetInstructionParent(r) != b || !cvt_of(r, "llvm.x86.sse.cvttss2si64", x_val))
      return false;
    LLVMValueRef okb[] = {r, bc, LLVMGetOperand(r, 0)}, okf[] = {fast};
    if (!only(b, okb, 3) || !only(f, okf, 1)) return false;
  } else {
    return false;
  }
  if (!other_phis_agree(x, p, a, f)) return false;
  /* the fast value in the guard's block, then straight to the join */
  LLVMPositionBuilderBefore(s->bd, at);
  LLVMTypeRef v4f = LLVMVectorType(LLVMFloatTypeInContext(s->c), 4);
  LLVMValueRef lane = LLVMBuildInsertElement(s->bd, LLVMGetUndef(v4f), x_val,
                                             LLVMConstInt(LLVMInt64TypeInContext(s->c), 0, 0), "");
  LLVMValueRef callee = LLVMGetCalledValue(r);
  LLVMValueRef cvt =
      LLVMBuildCall2(s->bd, LLVMGlobalGetValueType(callee), callee, &lane, 1, "tg.cvt");
  LLVMValueRef v = cvt;
  if (!is_signed)
    v = LLVMBuildSelect(s->bd, c, LLVMBuildTrunc(s->bd, cvt, LLVMTypeOf(p), ""), konst, "tg.u32");
  LLVMSetOperand(p, k, v);
  LLVMInstructionEraseFromParent(at);
  LLVMPositionBuilderAtEnd(s->bd, a);
  LLVMBuildBr(s->bd, x);
  if (is_signed) s->st->signed_guards++;
  else s->st->unsigned_guards++;
  return true;
}

static bool run_block(void *state, LLVMBasicBlockRef x, unsigned *done) {
  tg_state *s = state;
  LLVMValueRef fn = LLVMGetBasicBlockParent(x);
  for (LLVMValueRef p = LLVMGetFirstInstruction(x); p && LLVMIsAPHINode(p);
       p = LLVMGetNextInstruction(p)) {
    if (LLVMTypeOf(p) != LLVMInt32TypeInContext(s->c)) continue;
    for (unsigned k = 0; k < LLVMCountIncoming(p); k++)
      if (LLVMIsAConstantInt(LLVMGetIncomingValue(p, k)) && try_guard(s, fn, p, x, k)) {
        *done = 1;
        break;
      }
  }
  return true;
}

wasmgraph_status wgc_trunc_guards(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                  wgc_trunc_guards_stats *stats) {
  wgc_trunc_guards_stats local;
  wgc_trunc_guards_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "trunc guards: no module");
  tg_state s = {m, LLVMGetModuleContext(m), NULL, st};
  s.bd = LLVMCreateBuilderInContext(s.c);
  if (!s.bd) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "trunc guards: out of memory");
  bool ok = wgc_for_each_block(m, run_block, &s, &st->functions);
  LLVMDisposeBuilder(s.bd);
  if (!ok) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "trunc guards: out of memory");
  return wgc_verify_after(ctx, m, verify, "trunc guards");
}
