/*
 * test_fp_contract.c — unit test of compiler/llvm/fp_contract.c (the pass
 * behind `wasmgraph compile --fp-contract=fast`) on small hand-written LLVM
 * modules shaped like clang -frounding-math output: constrained fmul and
 * fadd calls with wasm2c's metadata, in a function whose "target-features"
 * are those of an x86 CPU with FMA (or AVX-512), or in an AArch64 module.
 *
 * Positive cases (float, double, <4/8/16 x float>, <2 x double>, either
 * operand order of the add, a loop-carried accumulator) assert the fused
 * count, that a constrained fma with the add's metadata replaced the pair,
 * that no memory access changed, that the module verifies, and run it
 * (MCJIT) on inputs chosen so that one rounding and two roundings differ
 * (c = -(a*b) rounded, signed zeros, denormals, infinities, NaNs): every
 * lane must equal C's fmaf/fma bit for bit (NaN: any NaN), and some lanes
 * must differ from the unfused result, or the test would not show that the
 * rounding changed. A case whose CPU features the host lacks (FMA,
 * AVX-512F) checks the IR and prints SKIP for the run. Negative cases
 * assert that the module is left exactly as it was: a product with another
 * use, different exception metadata, a subtraction, a function without
 * FMA. Prints one line per case and "N passed, M failed (K runs skipped)".
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <math.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/fp_contract.h"

#define MD "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\""
#define MDS "metadata !\"round.dynamic\", metadata !\"fpexcept.strict\""
#define FMA_FEATURES "+avx,+avx2,+fma,+sse4.2"
#define AVX512_FEATURES "+avx,+avx2,+avx512f,+avx512vl,+fma"

typedef struct fspec {
  unsigned lanes;       /* 1: scalar */
  bool dbl;             /* double lanes */
  bool acc_first;       /* fadd(c, mul) */
  bool loop;            /* acc = fadd(fmul(a[i], b[i]), acc), 16 steps, from c */
  bool two_uses;        /* the product is stored too */
  bool strict_add;      /* the add has fpexcept.strict */
  bool fsub;            /* fsub(mul, c): not fused */
  const char *features; /* NULL: FMA_FEATURES (AVX512_FEATURES for 16 lanes) */
  bool aarch64;         /* an AArch64 module (features ignored; not run) */
} fspec;

static const char *features_of(const fspec *f) {
  return f->features ? f->features : f->lanes == 16 ? AVX512_FEATURES : FMA_FEATURES;
}

/* "<4 x float>" or "double"; the intrinsic suffix "v4f32" or "f64". */
static void type_names(const fspec *f, char *t, size_t tn, char *sfx, size_t sn) {
  const char *e = f->dbl ? "double" : "float";
  if (f->lanes == 1) {
    snprintf(t, tn, "%s", e);
    snprintf(sfx, sn, "%s", f->dbl ? "f64" : "f32");
  } else {
    snprintf(t, tn, "<%u x %s>", f->lanes, e);
    snprintf(sfx, sn, "v%u%s", f->lanes, f->dbl ? "f64" : "f32");
  }
}

enum { STEPS = 16 }; /* loop cases */

/* void @k(T* a, T* b, T* c, T* out): out = a*b + c (one T), or for a loop
 * case acc = c; acc = a[i]*b[i] + acc for i < STEPS; out = acc. */
static char *kernel_ir(const fspec *f) {
  char t[32], sfx[16];
  type_names(f, t, sizeof t, sfx, sizeof sfx);
  sbuf b = {malloc(4096), 0, 4096};
  if (!b.p) abort();
  const char *op = f->fsub ? "fsub" : "fadd";
  put(&b, "target triple = \"%s\"\n",
      f->aarch64 ? "aarch64-unknown-linux-gnu" : "x86_64-unknown-linux-gnu");
  put(&b,
      "declare %s @llvm.experimental.constrained.fmul.%s(%s, %s, metadata, metadata)\n"
      "declare %s @llvm.experimental.constrained.%s.%s(%s, %s, metadata, metadata)\n"
      "define void @k(%s* %%a, %s* %%b, %s* %%c, %s* %%out) #0 {\nentry:\n"
      "  %%z = load %s, %s* %%c, align 1\n",
      t, sfx, t, t, t, op, sfx, t, t, t, t, t, t, t, t);
  const char *acc = "z";
  if (f->loop) {
    put(&b,
        "  br label %%loop\nloop:\n"
        "  %%i = phi i32 [ 0, %%entry ], [ %%i.next, %%loop ]\n"
        "  %%acc = phi %s [ %%z, %%entry ], [ %%s, %%loop ]\n"
        "  %%ap = getelementptr %s, %s* %%a, i32 %%i\n"
        "  %%bp = getelementptr %s, %s* %%b, i32 %%i\n",
        t, t, t, t, t);
    acc = "acc";
  } else {
    put(&b, "  %%ap = bitcast %s* %%a to %s*\n  %%bp = bitcast %s* %%b to %s*\n", t, t, t, t);
  }
  put(&b,
      "  %%x = load %s, %s* %%ap, align 1\n  %%y = load %s, %s* %%bp, align 1\n"
      "  %%m = call %s @llvm.experimental.constrained.fmul.%s(%s %%x, %s %%y, " MD ") #1\n",
      t, t, t, t, t, sfx, t, t);
  char mul[8] = "%m", other[16];
  snprintf(other, sizeof other, "%%%s", acc);
  put(&b, "  %%s = call %s @llvm.experimental.constrained.%s.%s(%s %s, %s %s, %s) #1\n", t, op, sfx,
      t, f->acc_first ? other : mul, t, f->acc_first ? mul : other, f->strict_add ? MDS : MD);
  if (f->two_uses) put(&b, "  store %s %%m, %s* %%a, align 1\n", t, t);
  if (f->loop)
    put(&b,
        "  %%i.next = add i32 %%i, 1\n  %%more = icmp slt i32 %%i.next, %d\n"
        "  br i1 %%more, label %%loop, label %%exit\nexit:\n",
        STEPS);
  put(&b,
      "  store %s %%s, %s* %%out, align 1\n  ret void\n}\n"
      "attributes #0 = { strictfp \"min-legal-vector-width\"=\"512\" "
      "\"target-features\"=\"%s\" }\nattributes #1 = { strictfp }\n",
      t, t, f->aarch64 ? "+neon" : features_of(f));
  return b.p;
}

/* ---- running it ---------------------------------------------------------- */

enum { CALLS = 64, MAXL = 16 }; /* per case: 64 calls of up to 16 lanes */
typedef void (*kernel_fn)(void *, void *, void *, void *);

static uint32_t seed = 2024;
static uint32_t rnd(void) { return seed = seed * 1664525u + 1013904223u; }

/* Input element j of call i: mostly random, with c = -(a*b) rounded on
 * every 3rd lane (there fma returns the product's rounding error, the
 * unfused pair 0), and the special values. */
static double special(unsigned j, bool dbl) {
  static const double s[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e-40, -3e-39, 1.0};
  double v = s[j % (sizeof s / sizeof *s)];
  return dbl && fabs(v) < 1e-30 && v != 0 ? v * 1e-270 : v;
}

/* 28 significant bits, times 1 + up to 32 more: a float product rounds, and
 * so does a double one. */
static double random_value(void) {
  double v = ((int32_t)rnd() >> 4) * 0x1p-20 * (rnd() % 2 ? 3 : 1);
  return v * (1.0 + rnd() * 0x1p-33);
}

typedef struct data {
  double a[STEPS][CALLS * MAXL], b[STEPS][CALLS * MAXL], c[CALLS * MAXL];
} data;

static void fill(data *d, const fspec *f) {
  for (unsigned i = 0; i < CALLS * MAXL; i++) {
    for (unsigned s = 0; s < STEPS; s++) {
      d->a[s][i] = random_value();
      d->b[s][i] = random_value();
    }
    double p = f->dbl ? d->a[0][i] * d->b[0][i] : (double)((float)d->a[0][i] * (float)d->b[0][i]);
    d->c[i] = i % 3 == 0 ? -p : random_value();
    if (i % 29 == 7) d->a[0][i] = special(i / 29, f->dbl);
    if (i % 31 == 11) d->c[i] = special(i / 31 + 3, f->dbl);
  }
}

/* The fused (fma) and unfused (two roundings) reference of element i. */
static double reference(const data *d, const fspec *f, unsigned i, bool fused) {
  unsigned steps = f->loop ? STEPS : 1;
  if (f->dbl) {
    double acc = d->c[i];
    for (unsigned s = 0; s < steps; s++) {
      if (fused) acc = fma(d->a[s][i], d->b[s][i], acc);
      else {
        volatile double p = d->a[s][i] * d->b[s][i];
        acc = p + acc;
      }
    }
    return acc;
  }
  float acc = (float)d->c[i];
  for (unsigned s = 0; s < steps; s++) {
    float x = (float)d->a[s][i], y = (float)d->b[s][i];
    if (fused) acc = fmaf(x, y, acc);
    else {
      volatile float p = x * y;
      acc = p + acc;
    }
  }
  return acc;
}

static bool same_bits(double got, double want, bool dbl) {
  if (got != got || want != want) return got != got && want != want; /* any NaN */
  if (dbl) return memcmp(&got, &want, sizeof got) == 0;
  float g = (float)got, w = (float)want;
  return memcmp(&g, &w, sizeof g) == 0;
}

/* Runs @k (m consumed) over CALLS calls; checks every lane against the
 * fused reference and counts lanes that differ from the unfused one. */
static bool run_and_check(const char *name, LLVMModuleRef m, const fspec *f) {
  LLVMExecutionEngineRef ee = jit(m);
  if (!ee) return false;
  kernel_fn k = (kernel_fn)(uintptr_t)LLVMGetFunctionAddress(ee, "k");
  static data d;
  fill(&d, f);
  unsigned lanes = f->lanes, esz = f->dbl ? 8 : 4, steps = f->loop ? STEPS : 1;
  unsigned bad = 0, differs = 0;
  for (unsigned call = 0; k && call < CALLS; call++) {
    /* the kernel's arrays: a[step][lane], b[step][lane], c[lane], out[lane] */
    uint8_t a[STEPS * MAXL * 8], b[STEPS * MAXL * 8], c[MAXL * 8], out[MAXL * 8];
    for (unsigned l = 0; l < lanes; l++) {
      unsigned i = call * lanes + l;
      for (unsigned s = 0; s < steps; s++) {
        double va = d.a[s][i], vb = d.b[s][i];
        float fa = (float)va, fb = (float)vb;
        memcpy(a + (s * lanes + l) * esz, f->dbl ? (void *)&va : (void *)&fa, esz);
        memcpy(b + (s * lanes + l) * esz, f->dbl ? (void *)&vb : (void *)&fb, esz);
      }
      double vc = d.c[i];
      float fc = (float)vc;
      memcpy(c + l * esz, f->dbl ? (void *)&vc : (void *)&fc, esz);
    }
    k(a, b, c, out);
    for (unsigned l = 0; l < lanes; l++) {
      unsigned i = call * lanes + l;
      double got;
      if (f->dbl) memcpy(&got, out + l * 8, 8);
      else {
        float g;
        memcpy(&g, out + l * 4, 4);
        got = g;
      }
      if (!same_bits(got, reference(&d, f, i, true), f->dbl)) bad++;
      if (!same_bits(got, reference(&d, f, i, false), f->dbl)) differs++;
    }
  }
  LLVMDisposeExecutionEngine(ee);
  if (!k) return false;
  char what[128];
  snprintf(what, sizeof what, "%u of %u lanes differ from fma()", bad, CALLS * lanes);
  check(bad == 0, name, what);
  check(differs > 0, name, "no lane differs from the unfused result: the data shows nothing");
  return true;
}

static bool host_runs(const fspec *f) {
  __builtin_cpu_init();
  if (strstr(features_of(f), "+avx512f") && !__builtin_cpu_supports("avx512f")) return false;
  return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx");
}

static int skipped;

/* want_fused 0: the module must be unchanged. */
static void run_case(const char *name, const fspec *f, unsigned want_fused) {
  int before_failed = failed;
  char *ir = kernel_ir(f), *orig;
  LLVMContextRef c;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  if (!m) {
    free(ir);
    return;
  }
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_fp_contract_stats st;
  memset(&st, 0xa5, sizeof st); /* the pass must reset every field */
  check(wgc_fp_contract(&ctx, m, true, &st) == WASMGRAPH_OK, name, err);
  check_verifies(m, name);
  char *out = LLVMPrintModuleToString(m);
  bool ran = false;
  if (want_fused == 0) {
    check(strcmp(orig, out) == 0, name, "module changed although nothing may be fused");
    check(st.fused == 0 && st.functions == 0, name, "fusions reported");
  } else {
    char t[32], sfx[16], call[96];
    type_names(f, t, sizeof t, sfx, sizeof sfx);
    check(st.fused == want_fused && st.functions == 1 && st.skipped_functions == 0 &&
              st.vector == (f->lanes > 1 ? want_fused : 0),
          name, "fused / vector / function counts");
    snprintf(call, sizeof call, "call %s @llvm.experimental.constrained.fma.%s(", t, sfx);
    check(count(out, call) == want_fused, name, "constrained fma call missing");
    check(count(out, "constrained.fmul") == 1 && count(out, "constrained.fadd") == 1, name,
          "the fmul/fadd calls are still there (only their declarations may stay)");
    check(count(out, "fpexcept.ignore\") #") == want_fused, name, "the fma's metadata/attributes");
    check(count(out, " = load ") == count(orig, " = load ") &&
              count(out, "store ") == count(orig, "store "),
          name, "a memory access was added or removed");
    if (f->aarch64) {
      /* the IR is what matters here: this test runs x86 code only */
    } else if (!host_runs(f)) {
      printf("SKIP %s: run (this CPU lacks FMA or AVX-512F)\n", name);
      skipped++;
    } else {
      ran = run_and_check(name, m, f);
      check(ran, name, "JIT");
      m = NULL; /* owned by the engine now */
    }
  }
  if (failed == before_failed) {
    printf("ok   %s (%u fused%s)\n", name, st.fused,
           ran          ? "; every lane equals fma()"
           : f->aarch64 ? "; IR only"
                        : "");
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
  fspec f;

  f = (fspec){.lanes = 1};
  run_case("float: fadd(mul, c)", &f, 1);
  f = (fspec){.lanes = 1, .dbl = true, .acc_first = true};
  run_case("double: fadd(c, mul)", &f, 1);
  f = (fspec){.lanes = 4};
  run_case("<4 x float>", &f, 1);
  f = (fspec){.lanes = 8, .acc_first = true};
  run_case("<8 x float>, fadd(c, mul)", &f, 1);
  f = (fspec){.lanes = 16};
  run_case("<16 x float> (AVX-512)", &f, 1);
  f = (fspec){.lanes = 2, .dbl = true};
  run_case("<2 x double>", &f, 1);
  f = (fspec){.lanes = 8, .loop = true};
  run_case("<8 x float> accumulator loop", &f, 1);
  f = (fspec){.lanes = 4, .features = "+avx,+avx2,+avx512f,-fma"};
  run_case("+avx512f implies FMA", &f, 1);
  f = (fspec){.lanes = 4, .aarch64 = true};
  run_case("AArch64 module", &f, 1);

  f = (fspec){.lanes = 4, .two_uses = true};
  run_case("product with another use", &f, 0);
  f = (fspec){.lanes = 4, .strict_add = true};
  run_case("different exception metadata", &f, 0);
  f = (fspec){.lanes = 4, .fsub = true};
  run_case("fsub is not fused", &f, 0);
  f = (fspec){.lanes = 8, .features = "+avx,+avx2,+sse4.2"};
  run_case("function without FMA", &f, 0);
  f = (fspec){.lanes = 1, .features = "+avx,+avx2,-fma"};
  run_case("-fma", &f, 0);

  printf("%d passed, %d failed (%d runs skipped)\n", passed, failed, skipped);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
