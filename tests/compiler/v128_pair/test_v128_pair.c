/*
 * test_v128_pair.c — unit test of compiler/llvm/v128_pair.c on small hand-written
 * LLVM modules shaped like wasm2c (SIMD) + clang -frounding-math output
 * after -O2: a loop keeping n <4 x float> accumulators
 *   acc_k = constrained.fadd(constrained.fmul(splat(x[i*n+k]), w[i]), acc_k)
 * (optionally inside an outer loop that carries them too), in a function
 * whose "target-features" are those of an AVX2 or an AVX-512 CPU.
 *
 * Positive cases, for pairs (<8 x float>) and quads (<16 x float>), assert
 * the group/phi-group counts, that the wide constrained operations replaced
 * the <4 x float> ones (same metadata, strictfp, operand order), that no
 * load was added or removed, that quads set "min-legal-vector-width"="512"
 * (and pairs do not), that the module verifies, and run the kernel (MCJIT,
 * which compiles each function for its target-features) before and after
 * on the same inputs: the outputs must be bit-identical. The inputs hold
 * NaNs with payloads (quiet and signalling), signed zeros and denormals.
 * A case whose CPU features the host lacks (AVX, AVX-512F) checks the IR
 * and prints SKIP for the run. Negative cases assert that the module is
 * left exactly as it was (printed IR identical): no shared operand, a
 * product with two uses, different metadata, crossed accumulator webs, a
 * lane used before its partner exists, accumulators that are not phis,
 * and functions whose target lacks the vector width. Prints one line per
 * case and "N passed, M failed (K runs skipped)".
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>

#include "llvm/v128_pair.h"
#include "ir_test_util.h"

typedef struct kspec {
  unsigned n;        /* accumulators */
  unsigned group;    /* f32x4 per group asked of the pass: 2 (default) or 4 */
  bool then_pairs;   /* after the quads, run the pass again for pairs */
  const char *cpu;   /* the function's target-features: NULL = those of the group */
  unsigned stride;   /* > 0: x addressed as wasm2c does, base + zext(root + k), the
                        positions `stride` bytes apart (else a float GEP) */
  bool interleave;   /* program order visits positions 0, n/2, 1, n/2 + 1, ... */
  bool nested;       /* an outer loop carries the accumulators too */
  bool acc_first;    /* fadd(acc, mul) */
  bool w_first;      /* fmul(w, x) */
  bool shared_x;     /* one x for all steps, a different w per step */
  bool w_desc;       /* with shared_x: w addressed as wasm2c does, step j's 16 bytes
                        at 16 * (n - 1 - j) (a dense layer's rows, last row first) */
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

/* target-features as clang writes them for -march=haswell and for an
 * AVX-512 CPU (abridged; the pass looks for +avx and +avx512f). */
#define AVX2_FEATURES "+avx,+avx2,+fma,+sse4.2,+popcnt"
#define AVX512_FEATURES "+avx,+avx2,+avx512bw,+avx512dq,+avx512f,+avx512vl,+fma,+sse4.2"

static unsigned group_of(const kspec *k) { return k->group ? k->group : 2; }

/* The memory slot (position) step j of an iteration reads. */
static unsigned slot_of(const kspec *k, unsigned j) {
  return k->interleave ? (j % 2 ? k->n / 2 + j / 2 : j / 2) : j;
}
static const char *features_of(const kspec *k) {
  return k->cpu ? k->cpu : group_of(k) == 4 ? AVX512_FEATURES : AVX2_FEATURES;
}
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
          " [ <float 1.0, float -0.0, float 0x3800000000000000, float 3.0>, "
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
  if (k->stride)
    put(&b, "  %%x8 = bitcast float* %%x to i8*\n  %%xbase = mul i32 %%i, %u\n", k->n * k->stride);
  for (unsigned j = 0; j < k->n; j++) {
    put(&b, "  %%xo%u = add i32 %%base, %u\n", j, j);
    if (k->stride) {
      unsigned off = k->stride * slot_of(k, j);
      if (off)
        put(&b, "  %%xa%u = add i32 %%xbase, %u\n  %%xz%u = zext i32 %%xa%u to i64\n", j, off, j,
            j);
      else put(&b, "  %%xz%u = zext i32 %%xbase to i64\n", j);
      put(&b,
          "  %%xq%u = getelementptr inbounds i8, i8* %%x8, i64 %%xz%u\n"
          "  %%xp%u = bitcast i8* %%xq%u to float*\n",
          j, j, j, j);
    } else {
      put(&b, "  %%xp%u = getelementptr float, float* %%x, i32 %%xo%u\n", j, j);
    }
    put(&b,
        "  %%xs%u = load float, float* %%xp%u, align 1\n"
        "  %%xi%u = insertelement " V4
        " undef, float %%xs%u, i64 0\n"
        "  %%xv%u = shufflevector " V4 " %%xi%u, " V4 " poison, <4 x i32> zeroinitializer\n",
        j, j, j, j, j, j);
    const char *wv = "wv";
    char wname[32];
    if (k->w_desc) {
      unsigned off = 16 * (k->n - 1 - j);
      if (j == 0)
        put(&b, "  %%w8 = bitcast " V4 "* %%w to i8*\n  %%wbase = mul i32 %%i, %u\n", 16 * k->n);
      if (off) /* as wasm2c: the row at offset 0 is read at the bare address */
        put(&b, "  %%wa%u = add i32 %%wbase, %u\n  %%wz%u = zext i32 %%wa%u to i64\n", j, off, j,
            j);
      else put(&b, "  %%wz%u = zext i32 %%wbase to i64\n", j);
      put(&b,
          "  %%wq%u = getelementptr inbounds i8, i8* %%w8, i64 %%wz%u\n"
          "  %%wp%u = bitcast i8* %%wq%u to " V4
          "*\n"
          "  %%wv%u = load " V4 ", " V4 "* %%wp%u, align 1\n",
          j, j, j, j, j, j);
      snprintf(wname, sizeof wname, "wv%u", j);
      wv = wname;
    } else if (k->shared_x || k->no_shared) {
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
  put(&b,
      "  ret void\n}\nattributes #0 = { strictfp \"min-legal-vector-width\"=\"128\" "
      "\"target-features\"=\"%s\" }\nattributes #1 = { strictfp }\n",
      features_of(k));
  return b.p;
}

enum { ITERS = 7, MAXN = 8, MAX_STRIDE = 32 };
typedef void (*kernel_fn)(float *, float *, int32_t, float *);

static float from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Fixed pseudo-random inputs with the values where a wrong lane or operand
 * order would show: signed zeros, denormals, and in x NaNs with distinct
 * payloads (quiet and signalling). Each accumulator meets at most one NaN
 * (x[i*n + j] only at i == j % ITERS, for j % 3 == 0), so no operation
 * sees two NaNs and the payload that comes out is defined by the inputs. */
static void fill_inputs(float *x, size_t nx, float *w, size_t nw_, unsigned n, unsigned s4) {
  uint32_t seed = 12345;
  for (size_t i = 0; i < nx; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (float)((int32_t)seed >> 8) * 1e-3f;
    /* iteration and position (memory slot) of x[i]; s4: floats per slot */
    size_t it = i / (n * s4), j = i % (n * s4) / s4;
    if (i % s4) continue; /* not read */
    if (i % 7 == 3) x[i] = -0.0f;
    if (i % 11 == 5) x[i] = from_bits((i % 2 ? 0x80000000u : 0u) | (uint32_t)(0x100 + i));
    if (j % 3 == 0 && it == j % ITERS)
      x[i] = from_bits((j % 2 ? 0x7f800000u : 0xffc00000u) | (uint32_t)(0x1111 * (j + 1)));
  }
  for (size_t i = 0; i < nw_; i++) {
    seed = seed * 1664525u + 1013904223u;
    w[i] = (float)((int32_t)seed >> 8) * 3.7e-7f;
    if (i % 9 == 4) w[i] = -0.0f;
    if (i % 13 == 7) w[i] = from_bits(0x00200000u + (uint32_t)i); /* denormal */
  }
}

/* Runs @kernel of m (consumed) on fixed inputs; out gets MAXN * 4 floats.
 * Returns false if the JIT failed. */
static bool run(LLVMModuleRef m, const kspec *k, float *out) {
  LLVMExecutionEngineRef ee = jit(m);
  if (!ee) return false;
  kernel_fn f = (kernel_fn)(uintptr_t)LLVMGetFunctionAddress(ee, "kernel");
  static float x[ITERS * MAXN * MAX_STRIDE / 4], w[ITERS * MAXN * 4] __attribute__((aligned(16)));
  fill_inputs(x, sizeof x / sizeof *x, w, sizeof w / sizeof *w, k->n,
              k->stride ? k->stride / 4 : 1);
  memset(out, 0, MAXN * 4 * sizeof *out);
  /* (arg_acc kernels, with a fifth parameter, are never run) */
  if (f) f(x, w, ITERS, out);
  LLVMDisposeExecutionEngine(ee);
  return f != NULL;
}

/* Whether this machine can run code compiled for the case's features. */
static bool host_runs(const char *features) {
  __builtin_cpu_init();
  if (strstr(features, "+avx512f") && !__builtin_cpu_supports("avx512f")) return false;
  if (strstr(features, "+avx") && !__builtin_cpu_supports("avx")) return false;
  return true;
}

static int skipped;

typedef struct expect {
  unsigned groups, phi_groups; /* 0 groups: the module must be unchanged */
  unsigned pairs_after;        /* then_pairs: pairs the second run forms */
} expect;

/* Runs the pass (and the pair pass after it for then_pairs) on m. */
static void run_pass(const char *name, const kspec *k, LLVMModuleRef m, wgc_v128_pair_stats *st,
                     wgc_v128_pair_stats *st2) {
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wasmgraph_status s = wgc_v128_pair(&ctx, m, (wgc_v128_group)group_of(k), true, st);
  check(s == WASMGRAPH_OK, name, err);
  memset(st2, 0, sizeof *st2);
  if (k->then_pairs) {
    s = wgc_v128_pair(&ctx, m, WGC_V128_PAIR, true, st2);
    check(s == WASMGRAPH_OK, name, err);
  }
}

static void run_case(const char *name, const kspec *k, expect want) {
  int before_failed = failed;
  char *ir = kernel_ir(k), *orig;
  LLVMContextRef c;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  if (!m) {
    free(ir);
    return;
  }
  /* lanes: of the widest groups formed (a quad case may form only pairs) */
  unsigned g = group_of(k), lanes = want.groups ? 4 * g : 8;
  wgc_v128_pair_stats st, st2;
  run_pass(name, k, m, &st, &st2);
  check_verifies(m, name);
  char *out = LLVMPrintModuleToString(m);
  bool ran_jit = false;
  if (want.groups == 0 && want.pairs_after == 0) {
    check(strcmp(orig, out) == 0, name, "module changed although nothing may be grouped");
    check(st.groups == 0 && st.functions == 0, name, "groups reported");
  } else {
    char fmul[96], fadd[96], wide[32];
    snprintf(wide, sizeof wide, "<%u x float>", lanes);
    snprintf(fmul, sizeof fmul, "@llvm.experimental.constrained.fmul.v%uf32(", lanes);
    snprintf(fadd, sizeof fadd, "@llvm.experimental.constrained.fadd.v%uf32(", lanes);
    unsigned widest = want.groups ? want.groups : want.pairs_after;
    check(st.groups == want.groups && st.phi_groups == want.phi_groups &&
              st.functions == (want.groups ? 1u : 0u),
          name, "group / phi group / function count");
    check(st2.groups == want.pairs_after, name, "pairs formed after the quads");
    check(count(out, fmul) == widest + 1, name, "wide fmul missing"); /* + declaration */
    check(count(out, fadd) == widest + 1, name, "wide fadd missing");
    unsigned left = k->n - g * want.groups - 2 * want.pairs_after;
    check(count(out, "call <4 x float> @llvm.experimental.constrained.fmul.v4f32") == left &&
              count(out, "call <4 x float> @llvm.experimental.constrained.fadd.v4f32") == left,
          name, "ungrouped <4 x float> operations");
    check(count(out, MD ") #") == 2 * (left + want.groups + want.pairs_after), name,
          "metadata / attributes of the calls");
    check(count(out, " = load ") == count(orig, " = load ") &&
              count(out, "store ") == count(orig, "store "),
          name, "a memory access was added or removed");
    char phi[48];
    snprintf(phi, sizeof phi, "phi %s", wide);
    check(count(out, phi) == (lanes == 8 ? want.phi_groups + st2.phi_groups : want.phi_groups) &&
              count(out, "phi <4 x float>") ==
                  count(orig, "phi <4 x float>") - g * want.phi_groups - 2 * st2.phi_groups,
          name, "vector phis");
    /* each grouped exit value leaves through one part extract */
    if (lanes == 8)
      check(count(out, "vp.lo") >= widest && count(out, "vp.hi") >= widest, name,
            "half extracts at the exits");
    else
      check(count(out, "vp.q0") >= want.groups && count(out, "vp.q3") >= want.groups, name,
            "quarter extracts at the exits");
    check((count(out, "\"min-legal-vector-width\"=\"512\"") > 0) == (lanes == 16), name,
          "min-legal-vector-width 512 on quads' functions only");
    char order[160];
    snprintf(order, sizeof order, "fadd.v%uf32(%s %%vp.%s", lanes, wide,
             k->acc_first ? "phi" : "mul");
    check(strstr(out, order) != NULL, name, "fadd operand order");
    snprintf(order, sizeof order, "fmul.v%uf32(%s %%vp.%s", lanes, wide,
             k->w_first != k->shared_x ? "w" : "cat");
    check(strstr(out, order) != NULL, name, "fmul operand order");
    check(count(out, "llvm.experimental.constrained.fma") + count(out, "@llvm.fma") == 0, name,
          "an FMA appeared");
    if (k->w_desc && lanes == 8)
      /* each pair's w: the lower address in the low half, one 32-byte read */
      check(strstr(out, "<4 x float> %wv1, <4 x float> %wv0,") &&
                strstr(out, "<4 x float> %wv3, <4 x float> %wv2,"),
            name, "pair operands not in address order");
    if (k->interleave && lanes == 16)
      /* steps 0, 2, 4, 6 read slots 0-3: one quad; 1, 3, 5, 7 slots 4-7 */
      check(strstr(out, "<4 x float> %xv0, <4 x float> %xv2,") &&
                strstr(out, "<4 x float> %xv4, <4 x float> %xv6,") &&
                strstr(out, "<4 x float> %xv1, <4 x float> %xv3,") &&
                strstr(out, "<4 x float> %xv5, <4 x float> %xv7,"),
            name, "quads not formed of consecutive addresses");
    /* bit-identical results: run the original and the grouped kernel */
    if (!host_runs(features_of(k))) {
      printf("SKIP %s: run before/after (this CPU lacks %s)\n", name,
             strstr(features_of(k), "+avx512f") ? "AVX-512F" : "AVX");
      skipped++;
    } else {
      float a[MAXN * 4], bres[MAXN * 4];
      LLVMContextRef c2 = LLVMContextCreate();
      LLVMModuleRef m2 = parse(c2, ir);
      bool ran = m2 && run(m2, k, a) && run(m, k, bres);
      m = NULL; /* owned by the engine now */
      check(ran, name, "JIT");
      if (ran) {
        ran_jit = true;
        check(memcmp(a, bres, k->n * 4 * sizeof(float)) == 0, name, "results differ");
        unsigned nans = 0, nonzero = 0;
        for (unsigned i = 0; i < k->n * 4; i++) {
          nans += a[i] != a[i];
          nonzero += a[i] != 0.0f;
        }
        check(nonzero > 0, name, "kernel computed nothing");
        check(nans > 0, name, "the inputs' NaNs reached no output");
      }
      LLVMContextDispose(c2);
    }
  }
  if (failed == before_failed) {
    printf("ok   %s (%u groups of %u, %u phi groups, %u rejected%s%s)\n", name, st.groups, g,
           st.phi_groups, st.rejected, k->then_pairs ? "; then pairs" : "",
           ran_jit ? "; ran bit-identical" : "");
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
  const expect none = {0, 0, 0};
  kspec k;

  /* pairs (<8 x float>, AVX2 functions) */
  k = (kspec){.n = 4};
  run_case("4 accumulators", &k, (expect){2, 2, 0});
  k = (kspec){.n = 5};
  run_case("5 accumulators (one left alone)", &k, (expect){2, 2, 0});
  k = (kspec){.n = 8, .nested = true};
  run_case("nested loops", &k, (expect){4, 8, 0});
  k = (kspec){.n = 4, .acc_first = true};
  run_case("fadd(acc, mul)", &k, (expect){2, 2, 0});
  k = (kspec){.n = 4, .w_first = true};
  run_case("fmul(w, x)", &k, (expect){2, 2, 0});
  k = (kspec){.n = 4, .shared_x = true};
  run_case("shared x, different w", &k, (expect){2, 2, 0});
  k = (kspec){.n = 4, .shared_x = true, .w_desc = true};
  run_case("shared x, w rows in descending program order: pairs by address", &k, (expect){2, 2, 0});
  k = (kspec){.n = 4, .cpu = AVX512_FEATURES};
  run_case("pairs in an AVX-512 function", &k, (expect){2, 2, 0});

  /* quads (<16 x float>, AVX-512 functions) */
  k = (kspec){.n = 8, .group = 4, .stride = 16};
  run_case("quads: 8 accumulators", &k, (expect){2, 2, 0});
  k = (kspec){.n = 8, .group = 4, .stride = 16, .nested = true};
  run_case("quads: nested loops", &k, (expect){2, 4, 0});
  k = (kspec){.n = 4, .group = 4, .stride = 16, .acc_first = true, .w_first = true};
  run_case("quads: fadd(acc, mul), fmul(w, x)", &k, (expect){1, 1, 0});
  k = (kspec){.n = 6, .group = 4, .stride = 16};
  run_case("quads: 6 accumulators (two left alone)", &k, (expect){1, 1, 0});
  /* wasm2c's addresses: quads of consecutive addresses within 64 bytes */
  k = (kspec){.n = 8, .group = 4, .stride = 16, .interleave = true};
  run_case("quads: interleaved program order, grouped by address", &k, (expect){2, 2, 0});
  k = (kspec){.n = 8, .group = 4, .stride = 24, .then_pairs = true};
  run_case("quads: positions 24 bytes apart (span 76): pairs only", &k, (expect){0, 0, 4});
  k = (kspec){.n = 8, .group = 4, .stride = 32, .then_pairs = true};
  run_case("quads: positions 32 bytes apart (stride 2): pairs only", &k, (expect){0, 0, 4});
  k = (kspec){.n = 4, .stride = 16, .interleave = true};
  run_case("pairs: interleaved program order stays in program order", &k, (expect){2, 2, 0});
  /* the 7x7 layers' shape: one quad, then one pair, one accumulator alone */
  k = (kspec){.n = 7, .group = 4, .stride = 16, .then_pairs = true};
  run_case("quads then pairs: 7 accumulators", &k, (expect){1, 1, 1});

  /* left alone */
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
  k = (kspec){.n = 4, .group = 4, .stride = 16, .crossed = true};
  run_case("quads: crossed accumulator webs", &k, none);
  k = (kspec){.n = 3, .group = 4, .stride = 16};
  run_case("quads: only 3 accumulators", &k, none);
  /* only splats of one row of memory make quads; the rest is left to pairs */
  k = (kspec){.n = 8, .group = 4};
  run_case("quads: inputs not addressed as wasm2c does", &k, none);
  k = (kspec){.n = 4, .group = 4, .stride = 16, .shared_x = true, .then_pairs = true};
  run_case("quads: shared x, different w: pairs only", &k, (expect){0, 0, 2});
  k = (kspec){.n = 4, .cpu = "+sse4.2,+popcnt"};
  run_case("pairs in a function without AVX", &k, none);
  k = (kspec){.n = 8, .group = 4, .stride = 16, .cpu = AVX2_FEATURES};
  run_case("quads in a function without AVX-512", &k, none);
  k = (kspec){.n = 8, .group = 4, .stride = 16, .cpu = "+avx,+avx2,+avx512vl,+avx512fp16,-avx512f"};
  run_case("quads: +avx512vl/+avx512fp16 but -avx512f", &k, none);

  printf("%d passed, %d failed (%d runs skipped)\n", passed, failed, skipped);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
