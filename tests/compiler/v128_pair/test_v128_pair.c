/*
 * test_v128_pair.c — unit test of compiler/llvm/v128_pair.c on small hand-written
 * LLVM modules shaped like wasm2c (SIMD) + clang -frounding-math output
 * after -O2: a loop keeping n <4 x float> accumulators
 *   acc_k = constrained.fadd(constrained.fmul(splat(x[i*n+k]), w[i]), acc_k)
 * (optionally inside an outer loop that carries them too).
 *
 * Positive cases assert the pair/phi-pair counts, that <8 x float>
 * constrained operations replaced the <4 x float> ones (same metadata,
 * strictfp, operand order), that no load was added or removed, that the
 * module verifies, and run the kernel (MCJIT) before and after on the same
 * inputs: the outputs must be bit-identical. Negative cases assert that the
 * module is left exactly as it was (printed IR identical): no shared
 * operand, a product with two uses, different metadata, crossed
 * accumulator webs, a lane used before its partner exists, accumulators
 * that are not phis. Prints one line per case and "N passed, M failed".
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>

#include "llvm/v128_pair.h"
#include "ir_test_util.h"

typedef struct kspec {
  unsigned n;        /* accumulators */
  bool nested;       /* an outer loop carries the accumulators too */
  bool acc_first;    /* fadd(acc, mul) */
  bool w_first;      /* fmul(w, x) */
  bool shared_x;     /* one x for all steps, a different w per step */
  bool no_shared;    /* a different x and w per step */
  bool mul_two_uses; /* product 1 also stored */
  bool strict_md;    /* step 1's add uses fpexcept.strict */
  bool crossed;      /* accumulators 0 and 1 swap on the back edge */
  bool early_use;    /* acc 0's new value stored before step 1 */
  bool arg_acc;      /* the steps accumulate into function arguments */
} kspec;

#define V4 "<4 x float>"
#define MD "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\""
#define MDS "metadata !\"round.dynamic\", metadata !\"fpexcept.strict\""

/* kernel(x, w, n_iter, out, a0): out[k] = the k-th accumulator. x holds
 * n_iter * n floats, w n_iter * n vectors (only w[i] or w[i*n+k] are read). */
static char *kernel_ir(const kspec *k) {
  sbuf b = {malloc(4096), 0, 4096};
  if (!b.p) abort();
  put(&b,
      "declare " V4 " @llvm.experimental.constrained.fmul.v4f32(" V4 ", " V4
      ", metadata, metadata)\n"
      "declare " V4 " @llvm.experimental.constrained.fadd.v4f32(" V4 ", " V4
      ", metadata, metadata)\n"
      "define void @kernel(float* %%x, " V4 "* %%w, i32 %%iters, " V4
      "* %%out%s) #0 {\n"
      "entry:\n  br label %%%s\n",
      k->arg_acc ? ", " V4 " %arg" : "", k->nested ? "outer" : "loop");
  const char *pre = "entry";
  if (k->nested) {
    put(&b, "outer:\n  %%o = phi i32 [ 0, %%entry ], [ %%o.next, %%latch ]\n");
    for (unsigned j = 0; j < k->n; j++)
      put(&b, "  %%oa%u = phi " V4 " [ zeroinitializer, %%entry ], [ %%s%u, %%latch ]\n", j, j);
    put(&b, "  br label %%loop\n");
    pre = "outer";
  }
  put(&b, "loop:\n  %%i = phi i32 [ 0, %%%s ], [ %%i.next, %%loop ]\n", pre);
  for (unsigned j = 0; j < k->n && !k->arg_acc; j++) {
    unsigned back = k->crossed && j < 2 ? 1 - j : j;
    if (k->nested)
      put(&b, "  %%a%u = phi " V4 " [ %%oa%u, %%outer ], [ %%s%u, %%loop ]\n", j, j, back);
    else
      put(&b,
          "  %%a%u = phi " V4
          " [ <float 1.0, float -0.0, float 0x3810000000000000, float 3.0>, "
          "%%entry ], [ %%s%u, %%loop ]\n",
          j, back);
  }
  put(&b,
      "  %%wp = getelementptr " V4 ", " V4
      "* %%w, i32 %%i\n"
      "  %%wv = load " V4 ", " V4
      "* %%wp, align 1\n"
      "  %%base = mul i32 %%i, %u\n",
      k->n);
  for (unsigned j = 0; j < k->n; j++) {
    put(&b,
        "  %%xo%u = add i32 %%base, %u\n"
        "  %%xp%u = getelementptr float, float* %%x, i32 %%xo%u\n"
        "  %%xs%u = load float, float* %%xp%u, align 1\n"
        "  %%xi%u = insertelement " V4
        " undef, float %%xs%u, i64 0\n"
        "  %%xv%u = shufflevector " V4 " %%xi%u, " V4 " poison, <4 x i32> zeroinitializer\n",
        j, j, j, j, j, j, j, j, j, j);
    const char *wv = "wv";
    char wname[32];
    if (k->shared_x || k->no_shared) {
      put(&b,
          "  %%wp%u = getelementptr " V4 ", " V4
          "* %%w, i32 %%xo%u\n"
          "  %%wv%u = load " V4 ", " V4 "* %%wp%u, align 1\n",
          j, j, j, j);
      snprintf(wname, sizeof wname, "wv%u", j);
      wv = wname;
    }
    char xname[32];
    snprintf(xname, sizeof xname, "xv%u", k->shared_x ? 0u : j);
    put(&b,
        "  %%m%u = call " V4 " @llvm.experimental.constrained.fmul.v4f32(" V4 " %%%s, " V4
        " %%%s, " MD ") #1\n",
        j, k->w_first ? wv : xname, k->w_first ? xname : wv);
    char acc[32], mul[32];
    if (k->arg_acc) snprintf(acc, sizeof acc, "arg");
    else snprintf(acc, sizeof acc, "a%u", j);
    snprintf(mul, sizeof mul, "m%u", j);
    put(&b,
        "  %%s%u = call " V4 " @llvm.experimental.constrained.fadd.v4f32(" V4 " %%%s, " V4
        " %%%s, %s) #1\n",
        j, k->acc_first ? acc : mul, k->acc_first ? mul : acc, k->strict_md && j == 1 ? MDS : MD);
    if (k->mul_two_uses && j == 1) put(&b, "  store " V4 " %%m1, " V4 "* %%out, align 1\n");
    if (k->early_use && j == 0) put(&b, "  store " V4 " %%s0, " V4 "* %%out, align 1\n");
  }
  put(&b,
      "  %%i.next = add i32 %%i, 1\n  %%c = icmp slt i32 %%i.next, %%iters\n"
      "  br i1 %%c, label %%loop, label %%%s\n",
      k->nested ? "latch" : "exit");
  if (k->nested)
    put(&b,
        "latch:\n  %%o.next = add i32 %%o, 1\n  %%oc = icmp slt i32 %%o.next, 3\n"
        "  br i1 %%oc, label %%outer, label %%exit\n");
  put(&b, "exit:\n");
  for (unsigned j = 0; j < k->n; j++)
    put(&b,
        "  %%op%u = getelementptr " V4 ", " V4
        "* %%out, i32 %u\n"
        "  store " V4 " %%s%u, " V4 "* %%op%u, align 1\n",
        j, j, j, j);
  put(&b, "  ret void\n}\nattributes #0 = { strictfp }\nattributes #1 = { strictfp }\n");
  return b.p;
}

enum { ITERS = 7, MAXN = 8 };
typedef void (*kernel_fn)(float *, float *, int32_t, float *);

/* Runs @kernel of m (consumed) on fixed pseudo-random inputs; out gets
 * MAXN * 4 floats. Returns false if the JIT failed. */
static bool run(LLVMModuleRef m, const kspec *k, float *out) {
  LLVMExecutionEngineRef ee = jit(m);
  if (!ee) return false;
  kernel_fn f = (kernel_fn)(uintptr_t)LLVMGetFunctionAddress(ee, "kernel");
  static float x[ITERS * MAXN], w[ITERS * MAXN * 4] __attribute__((aligned(16)));
  uint32_t seed = 12345;
  for (size_t i = 0; i < sizeof x / sizeof *x; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (float)((int32_t)seed >> 8) * 1e-3f;
  }
  for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
    seed = seed * 1664525u + 1013904223u;
    w[i] = (float)((int32_t)seed >> 8) * 3.7e-7f;
  }
  memset(out, 0, MAXN * 4 * sizeof *out);
  (void)k; /* (arg_acc kernels, with a fifth parameter, are never run) */
  if (f) f(x, w, ITERS, out);
  LLVMDisposeExecutionEngine(ee);
  return f != NULL;
}

typedef struct expect {
  unsigned pairs, phi_pairs; /* 0 pairs: the module must be unchanged */
} expect;

static void run_case(const char *name, const kspec *k, expect want) {
  int before_failed = failed;
  char *ir = kernel_ir(k), *orig;
  LLVMContextRef c;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  if (!m) {
    free(ir);
    return;
  }
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_v128_pair_stats st;
  wasmgraph_status s = wgc_v128_pair(&ctx, m, true, &st);
  check(s == WASMGRAPH_OK, name, err);
  check_verifies(m, name);
  char *out = LLVMPrintModuleToString(m);
  if (want.pairs == 0) {
    check(strcmp(orig, out) == 0, name, "module changed although nothing may be paired");
    check(st.pairs == 0 && st.functions == 0, name, "pairs reported");
  } else {
    check(st.pairs == want.pairs && st.phi_pairs == want.phi_pairs && st.functions == 1, name,
          "pair / phi pair / function count");
    check(count(out, "@llvm.experimental.constrained.fmul.v8f32(") == want.pairs + 1, name,
          "<8 x float> fmul missing"); /* + declaration */
    check(count(out, "@llvm.experimental.constrained.fadd.v8f32(") == want.pairs + 1, name,
          "<8 x float> fadd missing");
    unsigned left = k->n - 2 * want.pairs;
    check(count(out, "call <4 x float> @llvm.experimental.constrained.fmul.v4f32") == left &&
              count(out, "call <4 x float> @llvm.experimental.constrained.fadd.v4f32") == left,
          name, "unpaired <4 x float> operations");
    check(count(out, MD ") #") == 2 * k->n - 2 * want.pairs, name,
          "metadata / attributes of the calls");
    check(count(out, " = load ") == count(orig, " = load ") &&
              count(out, "store ") == count(orig, "store "),
          name, "a memory access was added or removed");
    check(count(out, "phi <8 x float>") == want.phi_pairs &&
              count(out, "phi <4 x float>") == count(orig, "phi <4 x float>") - 2 * want.phi_pairs,
          name, "vector phis");
    /* each paired exit value leaves through one half extract */
    check(count(out, "vp.lo") >= want.pairs && count(out, "vp.hi") >= want.pairs, name,
          "half extracts at the exits");
    char order[160];
    snprintf(order, sizeof order, "fadd.v8f32(<8 x float> %%vp.%s", k->acc_first ? "phi" : "mul");
    check(strstr(out, order) != NULL, name, "fadd operand order");
    snprintf(order, sizeof order, "fmul.v8f32(<8 x float> %%vp.%s",
             k->w_first != k->shared_x ? "w" : "cat");
    check(strstr(out, order) != NULL, name, "fmul operand order");
    check(count(out, "fma") == 0, name, "an FMA appeared");
    /* bit-identical results: run the original and the paired kernel */
    float a[MAXN * 4], bres[MAXN * 4];
    LLVMContextRef c2 = LLVMContextCreate();
    LLVMModuleRef m2 = parse(c2, ir);
    bool ran = m2 && run(m2, k, a) && run(m, k, bres);
    m = NULL; /* owned by the engine now */
    check(ran, name, "JIT");
    if (ran) {
      check(memcmp(a, bres, k->n * 4 * sizeof(float)) == 0, name, "results differ");
      bool nonzero = false;
      for (unsigned i = 0; i < k->n * 4; i++) nonzero |= a[i] != 0.0f;
      check(nonzero, name, "kernel computed nothing");
    }
    LLVMContextDispose(c2);
  }
  if (failed == before_failed) {
    printf("ok   %s (%u pairs, %u phi pairs, %u rejected)\n", name, st.pairs, st.phi_pairs,
           st.rejected);
    passed++;
  } else {
    printf("---- IR after:\n%s\n", out);
  }
  free(ir);
  LLVMDisposeMessage(orig);
  LLVMDisposeMessage(out);
  if (m) LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

int main(void) {
  LLVMLinkInMCJIT();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  const expect none = {0, 0};
  kspec k;

  k = (kspec){.n = 4};
  run_case("4 accumulators", &k, (expect){2, 2});
  k = (kspec){.n = 5};
  run_case("5 accumulators (one left alone)", &k, (expect){2, 2});
  k = (kspec){.n = 8, .nested = true};
  run_case("nested loops", &k, (expect){4, 8});
  k = (kspec){.n = 4, .acc_first = true};
  run_case("fadd(acc, mul)", &k, (expect){2, 2});
  k = (kspec){.n = 4, .w_first = true};
  run_case("fmul(w, x)", &k, (expect){2, 2});
  k = (kspec){.n = 4, .shared_x = true};
  run_case("shared x, different w", &k, (expect){2, 2});

  k = (kspec){.n = 2, .no_shared = true};
  run_case("no shared operand", &k, none);
  k = (kspec){.n = 2, .mul_two_uses = true};
  run_case("product with two uses", &k, none);
  k = (kspec){.n = 2, .strict_md = true};
  run_case("different metadata", &k, none);
  k = (kspec){.n = 2, .crossed = true};
  run_case("crossed accumulator webs", &k, none);
  k = (kspec){.n = 2, .nested = true, .crossed = true};
  run_case("crossed webs, nested", &k, none);
  k = (kspec){.n = 2, .early_use = true};
  run_case("lane used before its partner", &k, none);
  k = (kspec){.n = 2, .arg_acc = true};
  run_case("accumulators not phis", &k, none);

  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
