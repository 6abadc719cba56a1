/*
 * test_short_loops.c — compiler/llvm/short_loops.c on small loops: which
 * single-block loops get the full-unroll mark (2 to 4 iterations of
 * constant count, a 256- or 512-bit vector inside, a function compiled for
 * AVX-512, no loop ID of their own), and that the marked loops, once LLVM's
 * full unroller has run, compute bit for bit what they computed before
 * (MCJIT, both copies; on a host without AVX-512 the AVX-512 cases check
 * the mark only, and say so).
 *
 * The kernel: acc (W floats) += splat((float)i) for i = START, START+STEP,
 * ... until the exit test; lane 0 of acc and the iteration count go out.
 */
#include <llvm-c/Transforms/PassBuilder.h>

#include "ir_test_util.h"
#include "llvm/short_loops.h"

typedef struct tcase {
  const char *name;
  unsigned lanes; /* W: 4 (128-bit), 8 (256) or 16 (512) */
  long start, step;
  const char *end;   /* a constant, or "%n" (the argument, 4 at run time) */
  const char *pred;  /* the exit test's icmp predicate */
  bool back_on_true; /* the back edge is the branch's true successor */
  bool has_id;       /* the back edge already carries a loop ID */
  bool avx2_only;    /* the function is compiled for AVX2, not AVX-512 */
  bool marked;       /* expected */
  unsigned trips;    /* the loop's iterations when run */
  const char *iv;    /* the induction's type: i64 unless given */
} tcase;

/* The host's target features when it has AVX-512 (the kernels then run),
 * or NULL. */
static char *host_feat;
static bool host_avx512;

/* The function's target features: AVX2 only, or AVX-512 (the host's, so
 * that the kernel runs, or a bare "+avx512f" to check the mark alone). */
static const char *features(const tcase *t) {
  if (t->avx2_only) return "+avx,+avx2";
  return host_avx512 ? host_feat : "+avx,+avx2,+avx512f";
}

static bool runs_here(const tcase *t) {
  return t->avx2_only ? __builtin_cpu_supports("avx2") : host_avx512;
}

static char *gen_ir(const tcase *t) {
  sbuf b = {0};
  unsigned w = t->lanes;
  const char *iv = t->iv ? t->iv : "i64";
  put(&b,
      "define void @k(float* %%out, i64* %%count, i64 %%n) #0 {\n"
      "entry:\n  br label %%loop\n"
      "loop:\n"
      "  %%i = phi %s [ %ld, %%entry ], [ %%next, %%loop ]\n"
      "  %%trips = phi i64 [ 0, %%entry ], [ %%trips.next, %%loop ]\n"
      "  %%acc = phi <%u x float> [ zeroinitializer, %%entry ], [ %%acc.next, %%loop ]\n"
      "  %%f = sitofp %s %%i to float\n"
      "  %%v0 = insertelement <%u x float> undef, float %%f, i64 0\n"
      "  %%v = shufflevector <%u x float> %%v0, <%u x float> undef, <%u x i32> zeroinitializer\n"
      "  %%acc.next = fadd <%u x float> %%acc, %%v\n"
      "  %%trips.next = add i64 %%trips, 1\n"
      "  %%next = add %s %%i, %ld\n"
      "  %%c = icmp %s %s %%next, %s\n"
      "  br i1 %%c, label %%%s, label %%%s%s\n"
      "exit:\n"
      "  %%r = extractelement <%u x float> %%acc.next, i64 0\n"
      "  store float %%r, float* %%out\n"
      "  store i64 %%trips.next, i64* %%count\n"
      "  ret void\n}\n",
      iv, t->start, w, iv, w, w, w, w, w, iv, t->step, t->pred, iv, t->end,
      t->back_on_true ? "loop" : "exit", t->back_on_true ? "exit" : "loop",
      t->has_id ? ", !llvm.loop !0" : "", w);
  put(&b, "attributes #0 = { \"target-features\"=\"%s\" }\n", features(t));
  if (t->has_id) put(&b, "!0 = distinct !{!0, !1}\n!1 = !{!\"llvm.loop.unroll.disable\"}\n");
  return b.p;
}

typedef void (*kernel_fn)(float *, int64_t *, int64_t);

static void run_case(const tcase *t) {
  ir_pair p;
  if (!open_pair(t->name, gen_ir(t), &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_short_loop_stats st;
  memset(&st, 0xa5, sizeof st); /* the pass must reset every field */
  check(wgc_short_loops_mark(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, t->name, err);
  check_verifies(p.m[1], t->name);
  char *marked = LLVMPrintModuleToString(p.m[1]);
  check(st.marked == (t->marked ? 1u : 0u) && st.functions == st.marked, t->name,
        "stats (marked / functions)");
  if (t->marked) check(count(marked, "llvm.loop.unroll.full") == 1, t->name, "no full-unroll mark");
  else check(strcmp(marked, p.orig) == 0, t->name, "module changed although nothing is marked");
  LLVMDisposeMessage(marked);
  if (t->marked) { /* what pipeline.c runs next */
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(p.m[1], "function(loop(loop-unroll-full))", NULL, po);
    LLVMDisposePassBuilderOptions(po);
    check(!e, t->name, "the full unroller failed");
    if (e) LLVMConsumeError(e);
    char *after = LLVMPrintModuleToString(p.m[1]);
    check(count(after, " phi ") == 0, t->name, "a loop is left after the full unroller");
    LLVMDisposeMessage(after);
  }
  uintptr_t f[2];
  bool run = runs_here(t);
  if (run && jit_pair(&p, "k", f)) {
    float out[2] = {-1, -1};
    int64_t trips[2] = {-1, -1};
    for (int i = 0; i < 2; i++) ((kernel_fn)f[i])(&out[i], &trips[i], 4);
    float want = 0;
    for (unsigned k = 0; k < t->trips; k++) want += (float)(t->start + (long)k * t->step);
    check(memcmp(&out[0], &out[1], sizeof out[0]) == 0 && trips[0] == trips[1], t->name,
          "results differ after unrolling");
    check(trips[1] == (int64_t)t->trips && out[1] == want, t->name, "wrong trip count or sum");
  }
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u marked%s)", t->name, st.marked,
              run ? "" : "; not run: this host lacks the features");
}

static const tcase cases[] = {
    /* marked */
    {"4 trips of 512-bit adds, exit on eq", 16, 0, 16, "64", "eq", false, false, false, true, 4,
     NULL},
    {"2 trips of 256-bit adds, stay on ne", 8, 0, 1, "2", "ne", true, false, false, true, 2, NULL},
    {"3 trips counting down", 8, 12, -4, "0", "eq", false, false, false, true, 3, NULL},
    {"4 trips from a non-zero start", 16, 5, 2, "13", "eq", false, false, false, true, 4, NULL},
    {"4 trips of an i32 induction", 16, 0, 4, "16", "eq", false, false, false, true, 4, "i32"},
    /* left alone */
    {"5 trips: too many", 8, 0, 1, "5", "eq", false, false, false, false, 5, NULL},
    {"1 trip", 8, 0, 1, "1", "eq", false, false, false, false, 1, NULL},
    {"128-bit adds only", 4, 0, 1, "4", "eq", false, false, false, false, 4, NULL},
    {"bound not a constant", 8, 0, 1, "%n", "eq", false, false, false, false, 4, NULL},
    {"exit test not eq or ne", 8, 0, 1, "4", "uge", false, false, false, false, 4, NULL},
    {"leaves on ne (one trip)", 8, 0, 1, "4", "ne", false, false, false, false, 1, NULL},
    {"stays on eq (one trip)", 8, 0, 1, "4", "eq", true, false, false, false, 1, NULL},
    {"loop ID of its own", 8, 0, 1, "4", "eq", false, true, false, false, 4, NULL},
    {"AVX2 only (16 registers)", 8, 0, 1, "4", "eq", false, false, true, false, 4, NULL},
    {"i16 induction", 8, 0, 1, "4", "eq", false, false, false, false, 4, "i16"},
};

int main(void) {
  char attrs[4096];
  host_feat = jit_init_host(attrs, sizeof attrs);
  __builtin_cpu_init();
  host_avx512 = __builtin_cpu_supports("avx512f");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
  /* the step does not meet the bound: never marked (not run: it would not end) */
  tcase never = {"step 3 never meets 10", 8, 0, 3, "10", "eq", false, false, false, false, 0, NULL};
  LLVMContextRef c;
  char *orig, *ir = gen_ir(&never);
  LLVMModuleRef m = open_case(never.name, ir, &c, &orig);
  free(ir);
  if (m) {
    int before = failed;
    char err[256] = "";
    wgc_ctx ctx = test_ctx(err, sizeof err);
    wgc_short_loop_stats st;
    check(wgc_short_loops_mark(&ctx, m, true, &st) == WASMGRAPH_OK && st.marked == 0, never.name,
          "marked");
    LLVMDisposeMessage(orig);
    dispose_case(NULL, m, c);
    finish_case(before, "%s", never.name);
  }
  LLVMDisposeMessage(host_feat);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
