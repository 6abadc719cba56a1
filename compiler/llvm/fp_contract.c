/*
 * fp_contract.c — the opt-in contraction of `wasmgraph compile
 * --fp-contract=fast` (pipeline.c runs it only then): a constrained fmul
 * whose only use is a constrained fadd becomes one constrained fma.
 *
 * Why: wasm rounds a multiply and an add separately, so an exact build
 * issues two vector operations where native code issues one FMA, and the
 * conv loops are bound by those operations (notes/cpu-profile-intel.md:
 * 1.24x at 256 bits, 1.6x at 512 bits on the hot loop shapes). Users who
 * accept results that differ from wasm's in the last bits can trade
 * exactness for that.
 *
 * What changes: a fused multiply-add rounds once, so a result can differ
 * from wasm's in its last bits (and a product that would overflow or
 * underflow on its own may not). NaN and infinity cases follow IEEE fma.
 * Nothing else changes: no load, store or call is added, removed or moved,
 * so memory safety and trapping (docs/security.md) are untouched. The
 * operations stay constrained intrinsics with the add's rounding and
 * exception metadata, so no later pass folds or reorders them either.
 *
 * Where: after the kernel-shape passes, so their vector steps (tile
 * vectorizer groups, v128 pairs and quads) are fused too, and at every
 * type (float, double and their vectors). Only in functions whose target
 * has the instruction (+fma or +avx512f on x86, every AArch64 CPU): there
 * LLVM would otherwise call fmaf() per lane. The decision comes from the
 * functions' target-features, never from the machine running the compiler.
 */
#include "fp_contract.h"

#include <string.h>

#include "pass_util.h"

#define FADD "llvm.experimental.constrained.fadd."
#define FMUL "llvm.experimental.constrained.fmul."

/* FMA instructions exist for f's target: AArch64 always, x86 with +fma or
 * AVX-512. */
static bool target_has_fma(bool aarch64, LLVMValueRef f) {
  return aarch64 || wgc_fn_has_feature(f, "+fma", false) ||
         wgc_fn_has_feature(f, "+avx512f", false);
}

/* A call of a constrained intrinsic whose name starts with `prefix`, with
 * its 4 arguments (a, b, rounding, exception behaviour). */
static bool is_constrained(LLVMValueRef v, const char *prefix, size_t len) {
  if (!LLVMIsACallInst(v) || LLVMGetNumArgOperands(v) != 4) return false;
  const char *n = wgc_callee_name(v);
  return n && strncmp(n, prefix, len) == 0;
}

static bool has_one_use(LLVMValueRef v) {
  LLVMUseRef u = LLVMGetFirstUse(v);
  return u && !LLVMGetNextUse(u);
}

/* The product `add` may absorb: operand 0 or 1, a constrained fmul of the
 * same type used only here, with the add's rounding and exception
 * metadata. *mo gets its operand index. */
static LLVMValueRef fusable_mul(LLVMValueRef add, unsigned *mo) {
  for (unsigned o = 0; o < 2; o++) {
    LLVMValueRef mul = LLVMGetOperand(add, o);
    if (!is_constrained(mul, FMUL, sizeof FMUL - 1) || LLVMTypeOf(mul) != LLVMTypeOf(add) ||
        !has_one_use(mul) || LLVMGetOperand(mul, 2) != LLVMGetOperand(add, 2) ||
        LLVMGetOperand(mul, 3) != LLVMGetOperand(add, 3))
      continue;
    *mo = o;
    return mul;
  }
  return NULL;
}

typedef struct fc_state {
  LLVMModuleRef m;
  LLVMContextRef lc;
  LLVMBuilderRef b;
  unsigned id_fma;
  LLVMAttributeRef strictfp;
  wgc_fp_contract_stats *st;
} fc_state;

/* add = fadd(mul, c) or fadd(c, mul) → fma(a, b, c), in place of add. */
static void fuse(fc_state *s, LLVMValueRef add, LLVMValueRef mul, unsigned mo) {
  LLVMTypeRef t = LLVMTypeOf(add);
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(s->m, s->id_fma, &t, 1);
  LLVMTypeRef ft = LLVMIntrinsicGetType(s->lc, s->id_fma, &t, 1);
  LLVMValueRef args[5] = {LLVMGetOperand(mul, 0), LLVMGetOperand(mul, 1),
                          LLVMGetOperand(add, 1 - mo), LLVMGetOperand(add, 2),
                          LLVMGetOperand(add, 3)};
  LLVMPositionBuilderBefore(s->b, add);
  LLVMValueRef fma = LLVMBuildCall2(s->b, ft, fn, args, 5, "fc.fma");
  LLVMAddCallSiteAttribute(fma, LLVMAttributeFunctionIndex, s->strictfp);
  LLVMReplaceAllUsesWith(add, fma);
  LLVMInstructionEraseFromParent(add);
  LLVMInstructionEraseFromParent(mul);
  s->st->fused++;
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) s->st->vector++;
}

/* Fuses every candidate of bb; returns how many. */
static unsigned fuse_block(fc_state *s, LLVMBasicBlockRef bb) {
  unsigned done = 0;
  for (LLVMValueRef i = LLVMGetFirstInstruction(bb), next; i; i = next) {
    next = LLVMGetNextInstruction(i); /* i goes; its product precedes it */
    unsigned mo;
    LLVMValueRef mul = is_constrained(i, FADD, sizeof FADD - 1) ? fusable_mul(i, &mo) : NULL;
    if (!mul) continue;
    fuse(s, i, mul, mo);
    done++;
  }
  return done;
}

wasmgraph_status wgc_fp_contract(wgc_ctx *ctx, LLVMModuleRef m, bool verify,
                                 wgc_fp_contract_stats *stats) {
  wgc_fp_contract_stats local;
  wgc_fp_contract_stats *st = stats ? stats : &local;
  memset(st, 0, sizeof *st);
  if (!m) return wgc_fail(ctx, WASMGRAPH_ERR_INVALID_ARGUMENT, "fp contraction: no module");
  fc_state s = {.m = m, .lc = LLVMGetModuleContext(m), .st = st};
  s.id_fma = LLVMLookupIntrinsicID(WGC_LIT("llvm.experimental.constrained.fma"));
  if (!s.id_fma)
    return wgc_fail(ctx, WASMGRAPH_ERR_UNSUPPORTED,
                    "fp contraction: LLVM lacks llvm.experimental.constrained.fma");
  s.strictfp =
      LLVMCreateEnumAttribute(s.lc, LLVMGetEnumAttributeKindForName(WGC_LIT("strictfp")), 0);
  s.b = LLVMCreateBuilderInContext(s.lc);
  bool aarch64 = wgc_has_prefix(LLVMGetTarget(m), "aarch64");
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    if (LLVMIsDeclaration(f)) continue;
    if (!target_has_fma(aarch64, f)) {
      st->skipped_functions++;
      continue;
    }
    unsigned done = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      done += fuse_block(&s, bb);
    if (done) st->functions++;
  }
  LLVMDisposeBuilder(s.b);
  return wgc_verify_after(ctx, m, verify, "fp contraction");
}
