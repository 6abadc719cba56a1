/*
 * test_inline_round.c — compiler/llvm/inline_round.c: the inline roundf and
 * round must equal the host's C library (what runtime/host_libc.c serves the
 * imports with) bit for bit. A module calls the imports in a loop over an
 * array, as wasm2c's output does; the pass runs, then the -O2 pipeline
 * (which inlines the replacement), and MCJIT runs it with the host's CPU
 * features: on all 2^32 float bit patterns for roundf (or every N-th run of
 * 2^20 of them, argv[1]), and for round on the
 * double edge cases (signed zeros, halves, the last values with a fraction,
 * infinities, NaNs with payloads) plus 4 million pseudo-random patterns.
 * The module before the pass (calling the host functions themselves) must
 * agree too, and after the pass no call of an import may remain.
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <math.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/inline_round.h"

static const char k_ir_fmt[] =
    "declare float @w2c_env_roundf(i8*, float)\n"
    "declare double @w2c_env_round(i8*, double)\n"
    "define void @rf(float* %%in, float* %%out, i64 %%n) #0 {\n"
    "entry:\n  br label %%loop\n"
    "loop:\n"
    "  %%i = phi i64 [ 0, %%entry ], [ %%i.n, %%loop ]\n"
    "  %%pi = getelementptr float, float* %%in, i64 %%i\n"
    "  %%x = load float, float* %%pi\n"
    "  %%r = call float @w2c_env_roundf(i8* null, float %%x) #1\n"
    "  %%po = getelementptr float, float* %%out, i64 %%i\n"
    "  store float %%r, float* %%po\n"
    "  %%i.n = add i64 %%i, 1\n"
    "  %%c = icmp eq i64 %%i.n, %%n\n"
    "  br i1 %%c, label %%exit, label %%loop\n"
    "exit:\n  ret void\n}\n"
    "define void @rd(double* %%in, double* %%out, i64 %%n) #0 {\n"
    "entry:\n  br label %%loop\n"
    "loop:\n"
    "  %%i = phi i64 [ 0, %%entry ], [ %%i.n, %%loop ]\n"
    "  %%pi = getelementptr double, double* %%in, i64 %%i\n"
    "  %%x = load double, double* %%pi\n"
    "  %%r = call double @w2c_env_round(i8* null, double %%x) #1\n"
    "  %%po = getelementptr double, double* %%out, i64 %%i\n"
    "  store double %%r, double* %%po\n"
    "  %%i.n = add i64 %%i, 1\n"
    "  %%c = icmp eq i64 %%i.n, %%n\n"
    "  br i1 %%c, label %%exit, label %%loop\n"
    "exit:\n  ret void\n}\n"
    "attributes #0 = { strictfp \"target-cpu\"=\"%s\" \"target-features\"=\"%s\" }\n"
    "attributes #1 = { strictfp }\n";

/* The host functions the import calls resolve to before the pass. */
float w2c_env_roundf(void *env, float x);
double w2c_env_round(void *env, double x);
float w2c_env_roundf(void *env, float x) { return roundf(x); }
double w2c_env_round(void *env, double x) { return round(x); }

typedef void (*rf_fn)(const float *, float *, int64_t);
typedef void (*rd_fn)(const double *, double *, int64_t);

enum { CHUNK = 1 << 20 };

static LLVMModuleRef build(LLVMContextRef c, bool pass, unsigned *calls) {
  char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  size_t need = sizeof k_ir_fmt + strlen(cpu) + strlen(feat);
  char *ir = malloc(need);
  if (!ir) abort();
  snprintf(ir, need, k_ir_fmt, cpu, feat);
  LLVMModuleRef m = parse(c, ir);
  free(ir);
  if (m && pass) {
    char err[256] = "";
    wgc_ctx ctx = test_ctx(err, sizeof err);
    check(wgc_inline_round(&ctx, m, true, calls) == WASMGRAPH_OK, "pass", err);
    LLVMTargetRef t;
    char *msg = NULL;
    char *triple = LLVMGetDefaultTargetTriple();
    if (LLVMGetTargetFromTriple(triple, &t, &msg) == 0) {
      LLVMTargetMachineRef tm = LLVMCreateTargetMachine(
          t, triple, cpu, feat, LLVMCodeGenLevelDefault, LLVMRelocPIC, LLVMCodeModelDefault);
      LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
      LLVMErrorRef e = LLVMRunPasses(m, "default<O2>", tm, po);
      check(e == NULL, "pass", "the -O2 pipeline failed");
      if (e) LLVMConsumeError(e);
      LLVMDisposePassBuilderOptions(po);
      LLVMDisposeTargetMachine(tm);
    }
    LLVMDisposeMessage(msg);
    LLVMDisposeMessage(triple);
    char *after = LLVMPrintModuleToString(m);
    check(count(after, "call float @w2c_env_roundf") == 0 &&
              count(after, "call double @w2c_env_round") == 0,
          "pass", "a call of an import is left after inlining");
    LLVMDisposeMessage(after);
  }
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(feat);
  return m;
}

/* argv[1]: test every N-th chunk of 2^20 floats (default 1: all 2^32; the
 * sanitizer build samples, as instrumented loops are slower). */
int main(int argc, char **argv) {
  uint64_t stride = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  if (stride < 1 || stride > 4096) stride = 1;
  LLVMLinkInMCJIT();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  LLVMContextRef c0 = LLVMContextCreate(), c1 = LLVMContextCreate();
  unsigned calls = 0;
  LLVMModuleRef m0 = build(c0, false, NULL), m1 = build(c1, true, &calls);
  check(m0 && m1, "build", "the test IR does not parse");
  check(calls == 2, "pass", "the pass did not redirect both calls");
  LLVMExecutionEngineRef e0 = m0 ? jit(m0) : NULL, e1 = m1 ? jit(m1) : NULL;
  check(e0 && e1, "jit", "MCJIT failed");
  if (e0 && e1) {
    LLVMAddGlobalMapping(e0, LLVMGetNamedFunction(m0, "w2c_env_roundf"),
                         (void *)(uintptr_t)w2c_env_roundf);
    LLVMAddGlobalMapping(e0, LLVMGetNamedFunction(m0, "w2c_env_round"),
                         (void *)(uintptr_t)w2c_env_round);
    rf_fn f0 = (rf_fn)(uintptr_t)LLVMGetFunctionAddress(e0, "rf");
    rf_fn f1 = (rf_fn)(uintptr_t)LLVMGetFunctionAddress(e1, "rf");
    rd_fn d0 = (rd_fn)(uintptr_t)LLVMGetFunctionAddress(e0, "rd");
    rd_fn d1 = (rd_fn)(uintptr_t)LLVMGetFunctionAddress(e1, "rd");
    float *in = malloc(CHUNK * sizeof *in), *o0 = malloc(CHUNK * sizeof *o0),
          *o1 = malloc(CHUNK * sizeof *o1), *ref = malloc(CHUNK * sizeof *ref);
    if (!in || !o0 || !o1 || !ref) abort();
    uint64_t bad0 = 0, bad1 = 0, n = 0, c = 0;
    for (uint64_t base = 0; base < (UINT64_C(1) << 32); base += CHUNK, c++) {
      if (c % stride) continue;
      for (uint32_t i = 0; i < CHUNK; i++) {
        uint32_t bits = (uint32_t)(base + i);
        memcpy(&in[i], &bits, 4);
        ref[i] = roundf(in[i]);
      }
      f1(in, o1, CHUNK);
      /* the module before the pass calls the host itself: a sample suffices */
      if (c % 64 == 0) {
        f0(in, o0, CHUNK);
        if (memcmp(o0, ref, CHUNK * sizeof *o0) != 0) bad0++;
      }
      if (memcmp(o1, ref, CHUNK * sizeof *o1) != 0)
        for (uint32_t i = 0; i < CHUNK; i++)
          if (memcmp(&o1[i], &ref[i], 4) != 0 && bad1++ < 5) {
            uint32_t a, b, x;
            memcpy(&a, &o1[i], 4), memcpy(&b, &ref[i], 4), memcpy(&x, &in[i], 4);
            printf("  roundf(0x%08x): inline 0x%08x, host 0x%08x\n", x, a, b);
          }
      n += CHUNK;
    }
    check(n == (UINT64_C(1) << 32) / stride, "roundf", "not every chunk was tried");
    check(bad0 == 0, "roundf", "the module before the pass differs from the host");
    check(bad1 == 0, "roundf", "the inline roundf differs from the host's");
    printf("%s roundf: %llu floats (%s) bit-identical to the host's\n", bad1 ? "FAIL" : "ok  ",
           (unsigned long long)n, stride == 1 ? "all of them" : "every chunk of 2^20 in a sample");
    free(in), free(o0), free(o1), free(ref);

    enum { ND = 1 << 22 };
    double *din = malloc(ND * sizeof *din), *dout0 = malloc(ND * sizeof *dout0),
           *dout1 = malloc(ND * sizeof *dout1);
    if (!din || !dout0 || !dout1) abort();
    static const uint64_t edges[] = {0,
                                     UINT64_C(0x8000000000000000), /* +-0 */
                                     UINT64_C(0x3fe0000000000000),
                                     UINT64_C(0xbfe0000000000000), /* +-0.5 */
                                     UINT64_C(0x3fdfffffffffffff),
                                     UINT64_C(0x3ff8000000000000), /* 0.49.., 1.5 */
                                     UINT64_C(0x4330000000000000),
                                     UINT64_C(0x432fffffffffffff), /* 2^52, 2^52 - 0.5 */
                                     UINT64_C(0x7ff0000000000000),
                                     UINT64_C(0xfff0000000000000), /* +-inf */
                                     UINT64_C(0x7ff0000000000001),
                                     UINT64_C(0xfff8000000000abc), /* sNaN, -qNaN */
                                     UINT64_C(0x0000000000000001),
                                     UINT64_C(0x8010000000000000)}; /* denormal, -min */
    uint32_t seed = 7;
    for (uint32_t i = 0; i < ND; i++) {
      uint64_t bits;
      if (i < sizeof edges / sizeof edges[0]) {
        bits = edges[i];
      } else {
        seed = seed * 1664525u + 1013904223u;
        uint32_t hi = seed;
        seed = seed * 1664525u + 1013904223u;
        bits = (uint64_t)hi << 32 | seed;
      }
      memcpy(&din[i], &bits, 8);
    }
    d0(din, dout0, ND);
    d1(din, dout1, ND);
    uint64_t dbad = 0;
    for (uint32_t i = 0; i < ND; i++) {
      double r = round(din[i]);
      if (memcmp(&dout0[i], &r, 8) != 0 || memcmp(&dout1[i], &r, 8) != 0) dbad++;
    }
    check(dbad == 0, "round", "the inline round differs from the host's");
    printf("%s round: %d doubles (edge cases and random) bit-identical\n", dbad ? "FAIL" : "ok  ",
           ND);
    free(din), free(dout0), free(dout1);
    if (!failed) passed += 2;
  }
  if (e0) LLVMDisposeExecutionEngine(e0);
  if (e1) LLVMDisposeExecutionEngine(e1);
  LLVMContextDispose(c0);
  LLVMContextDispose(c1);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
