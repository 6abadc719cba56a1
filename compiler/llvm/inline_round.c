/*
 * inline_round.c — the `roundf` and `round` imports as inline code.
 *
 * Why: wasm has no round-half-away-from-zero instruction, so TVM lowers
 * `round` (every requantize of an int8 model) to a call of the C library's
 * roundf, which a wasm module imports. wasmgraph's runtime serves the import
 * with the host's roundf (runtime/host_libc.c): one call through the PLT per
 * element, about 14% of squeezenet1_1_int8 once its convolutions are dot
 * products.
 *
 * What: calls of the imports `w2c_env_roundf` / `w2c_env_round` (wasm2c's
 * names; the environment argument is unused) are redirected to an internal
 * always-inline function that the -O2 pipeline then inlines:
 *   t = trunc(x); if |x - t| >= 0.5 then t + copysign(1, x) else t
 * with wasm2c's strict-FP operations (constrained intrinsics, dynamic
 * rounding, exceptions ignored), as -frounding-math compiles C.
 *
 * Why it is exact: trunc is exact; x - t is exact (both have the same sign
 * and exponent range, the difference is x's fraction bits); |x - t| >= 0.5
 * is exactly "the fraction rounds away"; t +- 1 is exact where it is taken
 * (|t| < 2^23 for f32, 2^52 for f64: larger values have no fraction).
 * Signed zeros: trunc keeps the sign, and -0.4 gives -0.0 as roundf does.
 * NaN: trunc quiets a signalling NaN and keeps its payload, the comparison
 * is false, and the result is that NaN, as glibc's roundf returns x + x.
 * Infinities: x - t is NaN, the comparison false, the result x.
 * tests/compiler/inline_round compares it with the host's roundf on all
 * 2^32 floats and with round on the f64 edge cases, bit for bit.
 */
#include "inline_round.h"

#include <string.h>

#include "pass_util.h"

/* The import and the internal function that replaces it. */
static const struct {
  const char *import, *inline_name;
  bool f64;
} k_round[] = {{"w2c_env_roundf", "wgc.roundf", false}, {"w2c_env_round", "wgc.round", true}};

static void add_fn_attr(LLVMContextRef c, LLVMValueRef fn, const char *name) {
  LLVMAddAttributeAtIndex(
      fn, LLVMAttributeFunctionIndex,
      LLVMCreateEnumAttribute(c, LLVMGetEnumAttributeKindForName(name, strlen(name)), 0));
}

/* Defines `name` with the import's type: round-half-away of parameter 1. */
static LLVMValueRef define_round(LLVMModuleRef m, LLVMTypeRef fty, const char *name, bool f64) {
  LLVMContextRef c = LLVMGetModuleContext(m);
  LLVMTypeRef t = f64 ? LLVMDoubleTypeInContext(c) : LLVMFloatTypeInContext(c);
  LLVMValueRef fn = LLVMAddFunction(m, name, fty);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  add_fn_attr(c, fn, "alwaysinline");
  add_fn_attr(c, fn, "strictfp");
  add_fn_attr(c, fn, "nounwind");
  LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, fn, "entry"));
  LLVMValueRef x = LLVMGetParam(fn, 1);
  LLVMValueRef ign = wgc_md_string(c, "fpexcept.ignore"), dyn = wgc_md_string(c, "round.dynamic");
  LLVMValueRef a_trunc[2] = {x, ign};
  LLVMValueRef tr =
      wgc_build_intrinsic(m, b, "llvm.experimental.constrained.trunc", t, a_trunc, 2, true);
  LLVMValueRef a_sub[4] = {x, tr, dyn, ign};
  LLVMValueRef d =
      wgc_build_intrinsic(m, b, "llvm.experimental.constrained.fsub", t, a_sub, 4, true);
  LLVMValueRef ad = wgc_build_intrinsic(m, b, "llvm.fabs", t, &d, 1, false);
  LLVMValueRef a_cmp[4] = {ad, LLVMConstReal(t, 0.5), wgc_md_string(c, "oge"), ign};
  LLVMValueRef away =
      wgc_build_intrinsic(m, b, "llvm.experimental.constrained.fcmp", t, a_cmp, 4, true);
  LLVMValueRef a_sign[2] = {LLVMConstReal(t, 1.0), x};
  LLVMValueRef one = wgc_build_intrinsic(m, b, "llvm.copysign", t, a_sign, 2, false);
  LLVMValueRef a_add[4] = {tr, one, dyn, ign};
  LLVMValueRef up =
      wgc_build_intrinsic(m, b, "llvm.experimental.constrained.fadd", t, a_add, 4, true);
  LLVMBuildRet(b, LLVMBuildSelect(b, away, up, tr, ""));
  LLVMDisposeBuilder(b);
  return fn;
}

/* True if fty is (pointer, T) -> T with T float (or double). */
static bool import_shape(LLVMTypeRef fty, bool f64) {
  if (LLVMCountParamTypes(fty) != 2) return false;
  LLVMTypeRef p[2];
  LLVMGetParamTypes(fty, p);
  LLVMTypeKind k = f64 ? LLVMDoubleTypeKind : LLVMFloatTypeKind;
  return LLVMGetTypeKind(p[0]) == LLVMPointerTypeKind && LLVMGetTypeKind(p[1]) == k &&
         LLVMGetTypeKind(LLVMGetReturnType(fty)) == k;
}

wasmgraph_status wgc_inline_round(wgc_ctx *ctx, LLVMModuleRef m, bool verify, unsigned *calls) {
  *calls = 0;
  for (size_t i = 0; i < sizeof k_round / sizeof k_round[0]; i++) {
    LLVMValueRef imp = LLVMGetNamedFunction(m, k_round[i].import);
    if (!imp || !LLVMIsDeclaration(imp)) continue;
    LLVMTypeRef fty = LLVMGlobalGetValueType(imp);
    if (!import_shape(fty, k_round[i].f64) || !LLVMGetFirstUse(imp)) continue;
    LLVMValueRef fn = define_round(m, fty, k_round[i].inline_name, k_round[i].f64);
    /* every direct call; any other use (an address taken) keeps the import */
    for (LLVMUseRef u = LLVMGetFirstUse(imp); u;) {
      LLVMUseRef next = LLVMGetNextUse(u);
      LLVMValueRef call = LLVMGetUser(u);
      if (LLVMIsACallInst(call) && LLVMGetCalledValue(call) == imp) {
        LLVMSetOperand(call, LLVMGetNumOperands(call) - 1, fn);
        (*calls)++;
      }
      u = next;
    }
  }
  return wgc_verify_after(ctx, m, verify, "inline round");
}
