/*
 * select_minmax.c — `x CMP y ? x : y` on f32x4 as one SSE max or min.
 *
 * The shape. Wasm SIMD has no f32x4 max with C's semantics (its f32x4.max
 * propagates NaN and orders -0 below +0), so TVM's max (max_pool2d, relu's
 * max(x, 0)) reaches the wasm as f32x4.lt or f32x4.gt and a v128.bitselect.
 * wasm2c and SIMDe make that a constrained compare, a sign extension of its
 * mask and, with AVX-512VL, `vpternlogd` with immediate 0xCA (bitwise
 * mask ? b : c); without AVX-512, for relu's y = +0, an `and` of the mask
 * with x. Two dependent operations, 4 cycles of latency on max_pool's chain
 * of 9, where one `maxps` does the same.
 *
 * Why it is exact. x86's MAXPS(a, b) is, per lane, `a > b ? a : b`: when
 * the compare is false, for equal values (+0 and -0 included) or when
 * either is a NaN, it returns its second operand b, bit for bit (a NaN is
 * passed on unchanged, not quieted); MINPS(a, b) is `a < b ? a : b` the same
 * way. So
 *     (y < x) ? x : y  ==  (x > y) ? x : y  ==  MAXPS(x, y)
 *     (x < y) ? x : y  ==  (y > x) ? x : y  ==  MINPS(x, y)
 * for every input, and the select returns the bits of x or y unchanged,
 * as those instructions do. The compare may be quiet or signaling: its only
 * difference is the invalid-operation flag, which wasm2c's constrained
 * operations ignore (fpexcept.ignore, checked). `<=`/`>=` are left alone:
 * they pick x for equal values, where MAXPS picks y (-0 against +0).
 * tests/compiler/select_minmax runs every form on NaNs, infinities, signed
 * zeros, denormals and random values against the original.
 */
#include "select_minmax.h"

#include <string.h>

#include "pass_util.h"

typedef struct sm_state {
  LLVMModuleRef m;
  LLVMBuilderRef bd;
  wgc_select_minmax_stats *st;
} sm_state;

static bool is_f32x4(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMVectorTypeKind && LLVMGetVectorSize(t) == 4 &&
         LLVMGetTypeKind(LLVMGetElementType(t)) == LLVMFloatTypeKind;
}

/* v, a <4 x i1> mask, as the compare behind `sext v to <4 x i32>` (through
 * bitcasts); its operands and whether it is `<` (else `>`). */
static bool mask_compare(LLVMValueRef v, LLVMValueRef *p, LLVMValueRef *q, bool *lt) {
  v = wgc_strip_bitcasts(v);
  if (!v || !LLVMIsASExtInst(v)) return false;
  LLVMValueRef c = LLVMGetOperand(v, 0);
  const char *name = wgc_callee_name(c);
  if (!wgc_has_prefix(name, "llvm.experimental.constrained.fcmp")) return false;
  *p = LLVMGetOperand(c, 0), *q = LLVMGetOperand(c, 1);
  if (!is_f32x4(LLVMTypeOf(*p)) || !wgc_md_arg_is(c, 3, "fpexcept.ignore")) return false;
  if (wgc_md_arg_is(c, 2, "olt")) *lt = true;
  else if (wgc_md_arg_is(c, 2, "ogt")) *lt = false;
  else return false;
  return true;
}

/* Whether bits (an operand of the select) is float vector f's bits: the
 * same value through bitcasts, or both the zero vector. */
static bool same_bits(LLVMValueRef bits, LLVMValueRef f) {
  if (LLVMIsNull(bits) && LLVMIsNull(f)) return true;
  return wgc_strip_bitcasts(bits) == wgc_strip_bitcasts(f);
}

/* r = mask ? xb : yb with mask from `p < q` or `p > q`: the SSE call that
 * computes it, built before r, or NULL. */
static LLVMValueRef rewrite(sm_state *s, LLVMValueRef r, LLVMValueRef mask, LLVMValueRef xb,
                            LLVMValueRef yb) {
  LLVMValueRef p, q;
  bool lt;
  if (!mask_compare(mask, &p, &q, &lt)) return NULL;
  bool max;
  LLVMValueRef x, y;
  if (same_bits(xb, p) && same_bits(yb, q)) x = p, y = q, max = !lt;     /* p<q ? p : q */
  else if (same_bits(xb, q) && same_bits(yb, p)) x = q, y = p, max = lt; /* p<q ? q : p */
  else return NULL;
  LLVMPositionBuilderBefore(s->bd, r);
  LLVMValueRef args[2] = {x, y};
  LLVMValueRef call = wgc_build_intrinsic(
      s->m, s->bd, max ? "llvm.x86.sse.max.ps" : "llvm.x86.sse.min.ps", NULL, args, 2, true);
  if (max) s->st->max++;
  else s->st->min++;
  return LLVMBuildBitCast(s->bd, call, LLVMTypeOf(r), "");
}

static bool visit(void *state, LLVMBasicBlockRef bb, unsigned *done) {
  sm_state *s = state;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;) {
    LLVMValueRef next = LLVMGetNextInstruction(i), with = NULL;
    int64_t imm;
    if (wgc_has_prefix(wgc_callee_name(i), "llvm.x86.avx512.pternlog.d.128") &&
        wgc_const_int(LLVMGetOperand(i, 3), &imm) && imm == 0xCA)
      with = rewrite(s, i, LLVMGetOperand(i, 0), LLVMGetOperand(i, 1), LLVMGetOperand(i, 2));
    else if (LLVMIsABinaryOperator(i) && LLVMGetInstructionOpcode(i) == LLVMAnd &&
             LLVMGetTypeKind(LLVMTypeOf(i)) == LLVMVectorTypeKind) {
      /* mask & x: mask ? x : +0 */
      LLVMValueRef zero = LLVMConstNull(LLVMTypeOf(i));
      for (unsigned k = 0; k < 2 && !with; k++)
        with = rewrite(s, i, LLVMGetOperand(i, k), LLVMGetOperand(i, 1 - k), zero);
    }
    if (with) {
      LLVMReplaceAllUsesWith(i, with);
      LLVMInstructionEraseFromParent(i);
      (*done)++;
    }
    i = next;
  }
  return true;
}

wasmgraph_status wgc_select_minmax(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                   wgc_select_minmax_stats *stats) {
  wgc_select_minmax_stats local;
  wgc_select_minmax_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "select min/max: no module");
  if (!wgc_module_is_x86_64(m)) return WASMGRAPH_OK; /* SSE only */
  sm_state s = {.m = m, .bd = LLVMCreateBuilderInContext(LLVMGetModuleContext(m)), .st = st};
  wgc_for_each_block(m, visit, &s, &st->functions);
  LLVMDisposeBuilder(s.bd);
  return wgc_verify_after(ctx, m, verify, "select min/max");
}
