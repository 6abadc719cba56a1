/*
 * test_select_minmax.c — compiler/llvm/select_minmax.c on each form of
 * `x CMP y ? x : y` it rewrites (vpternlogd 0xCA of a sign-extended
 * constrained compare, quiet or signaling, < or >, either operand order;
 * relu's `and` of the mask with x) and on forms it must leave alone (<=,
 * another ternary-logic function, a third operand, exceptions not ignored).
 * The rewritten kernels run under MCJIT against the originals on every pair
 * of NaNs (quiet, signaling, with payloads, negative), infinities, signed
 * zeros, denormals, FLT_MAX, equal values and random floats; the output bits
 * must match exactly. Without AVX-512VL on the host the kernels are checked
 * but not run, and the case says so.
 */
#include <float.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/select_minmax.h"

static char host_attrs[4096];

typedef struct mcase {
  const char *name;
  const char *body;  /* computes %r (<4 x i32>) from %a, %b, %c (<4 x float>) */
  unsigned max, min; /* expected rewrites */
} mcase;

#define CMP(kind, pred, x, y)                                                         \
  "  %m = call <4 x i1> @llvm.experimental.constrained." kind ".v4f32(<4 x float> " x \
  ", <4 x float> " y ", metadata !\"" pred                                            \
  "\", metadata !\"fpexcept.ignore\")\n"                                              \
  "  %s = sext <4 x i1> %m to <4 x i32>\n"
#define BITS                                      \
  "  %ai = bitcast <4 x float> %a to <4 x i32>\n" \
  "  %bi = bitcast <4 x float> %b to <4 x i32>\n" \
  "  %ci = bitcast <4 x float> %c to <4 x i32>\n"
#define TERN(x, y, imm)                                                              \
  "  %r = call <4 x i32> @llvm.x86.avx512.pternlog.d.128(<4 x i32> %s, <4 x i32> " x \
  ", <4 x i32> " y ", i32 " imm ")\n"

static const mcase cases[] = {
    {"(b < a) ? a : b: max", CMP("fcmps", "olt", "%b", "%a") BITS TERN("%ai", "%bi", "202"), 1, 0},
    {"(a > b) ? a : b, quiet compare: max",
     CMP("fcmp", "ogt", "%a", "%b") BITS TERN("%ai", "%bi", "202"), 1, 0},
    {"(a < b) ? a : b: min", CMP("fcmps", "olt", "%a", "%b") BITS TERN("%ai", "%bi", "202"), 0, 1},
    {"(b > a) ? a : b: min", CMP("fcmps", "ogt", "%b", "%a") BITS TERN("%ai", "%bi", "202"), 0, 1},
    {"relu: (0 < a) ? a : 0",
     CMP("fcmps", "olt", "zeroinitializer", "%a") BITS TERN("%ai", "zeroinitializer", "202"), 1, 0},
    {"relu without AVX-512: mask & a",
     CMP("fcmps", "olt", "zeroinitializer", "%a") "  %s2 = bitcast <4 x i32> %s to <2 x i64>\n"
                                                  "  %a2 = bitcast <4 x float> %a to <2 x i64>\n"
                                                  "  %r2 = and <2 x i64> %a2, %s2\n"
                                                  "  %r = bitcast <2 x i64> %r2 to <4 x i32>\n",
     1, 0},
    {"(a < 0) ? a : 0 without AVX-512: min",
     CMP("fcmps", "olt", "%a", "zeroinitializer") "  %ai = bitcast <4 x float> %a to <4 x i32>\n"
                                                  "  %r = and <4 x i32> %s, %ai\n",
     0, 1},
    /* left alone */
    {"(b <= a) ? a : b: not max for -0/+0",
     CMP("fcmps", "ole", "%b", "%a") BITS TERN("%ai", "%bi", "202"), 0, 0},
    {"another ternary function (0xE2)",
     CMP("fcmps", "olt", "%b", "%a") BITS TERN("%ai", "%bi", "226"), 0, 0},
    {"a third operand: (b < a) ? a : c",
     CMP("fcmps", "olt", "%b", "%a") BITS TERN("%ai", "%ci", "202"), 0, 0},
    {"exceptions not ignored",
     "  %m = call <4 x i1> @llvm.experimental.constrained.fcmps.v4f32(<4 x float> %b, <4 x float> "
     "%a, "
     "metadata !\"olt\", metadata !\"fpexcept.strict\")\n"
     "  %s = sext <4 x i1> %m to <4 x i32>\n" BITS TERN("%ai", "%bi", "202"),
     0, 0},
};

static char *kernel_ir(const mcase *c) {
  sbuf b = {0};
  put(&b,
      "target triple = \"x86_64-pc-linux-gnu\"\n"
      "declare <4 x i1> @llvm.experimental.constrained.fcmps.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x i1> @llvm.experimental.constrained.fcmp.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x i32> @llvm.x86.avx512.pternlog.d.128(<4 x i32>, <4 x i32>, <4 x i32>, i32)\n"
      "define void @k(<4 x float>* %%pa, <4 x float>* %%pb, <4 x float>* %%pc, <4 x i32>* %%out) "
      "#0 {\n"
      "entry:\n"
      "  %%a = load <4 x float>, <4 x float>* %%pa, align 1\n"
      "  %%b = load <4 x float>, <4 x float>* %%pb, align 1\n"
      "  %%c = load <4 x float>, <4 x float>* %%pc, align 1\n");
  put(&b, "%s", c->body);
  put(&b,
      "  store <4 x i32> %%r, <4 x i32>* %%out, align 1\n"
      "  ret void\n}\n"
      "attributes #0 = { %s }\n",
      host_attrs);
  return b.p;
}

typedef void (*kernel_fn)(const float *, const float *, const float *, uint32_t *);

static float from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* The values every pair of which runs through both kernels. */
static unsigned special_values(float *v) {
  static const uint32_t bits[] = {
      0x7fc00000u,                           /* quiet NaN */
      0xffc00001u,                           /* negative quiet NaN with a payload */
      0x7f800001u,                           /* signaling NaN */
      0x7f800000u, 0xff800000u,              /* +inf, -inf */
      0x00000000u, 0x80000000u,              /* +0, -0 */
      0x00000001u, 0x80000001u, 0x007fffffu, /* denormals */
      0x7f7fffffu, 0xff7fffffu,              /* +-FLT_MAX */
      0x3f800000u, 0xbf800000u, 0x40c00000u, /* 1, -1, 6 */
  };
  unsigned n = 0;
  for (unsigned i = 0; i < sizeof bits / sizeof *bits; i++) v[n++] = from_bits(bits[i]);
  for (unsigned i = 0; i < 17; i++) v[n++] = from_bits(ir_rnd());
  return n;
}

static void run_case(const mcase *c, bool run_here) {
  ir_pair P;
  if (!open_pair(c->name, kernel_ir(c), &P)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_select_minmax_stats st;
  memset(&st, 0xa5, sizeof st); /* the pass must reset every field */
  check(wgc_select_minmax(&ctx, P.m[1], true, &st) == WASMGRAPH_OK, c->name, err);
  check_verifies(P.m[1], c->name);
  check(st.max == c->max && st.min == c->min && st.functions == (c->max + c->min ? 1u : 0u),
        c->name, "stats (max / min / functions)");
  char *after = LLVMPrintModuleToString(P.m[1]);
  if (c->max + c->min) {
    check(count(after, c->max ? "call <4 x float> @llvm.x86.sse.max.ps("
                              : "call <4 x float> @llvm.x86.sse.min.ps(") == 1,
          c->name, "no SSE max/min call");
  } else {
    check(strcmp(after, P.orig) == 0, c->name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  uintptr_t f[2];
  unsigned runs = 0;
  if (run_here && jit_pair(&P, "k", f)) {
    float v[64];
    unsigned n = special_values(v);
    for (unsigned i = 0; i < n; i++)
      for (unsigned j = 0; j < n; j += 4) {
        float a[4], b[4], cc[4];
        for (unsigned l = 0; l < 4; l++) a[l] = v[i], b[l] = v[(j + l) % n], cc[l] = v[(i + l) % n];
        uint32_t out[2][4];
        for (int k = 0; k < 2; k++) ((kernel_fn)f[k])(a, b, cc, out[k]);
        runs++;
        if (memcmp(out[0], out[1], sizeof out[0]) != 0) {
          char what[160];
          uint32_t ab, bb;
          memcpy(&ab, &a[0], sizeof ab), memcpy(&bb, &b[0], sizeof bb);
          snprintf(what, sizeof what, "a = %08x, b lane 0 = %08x: %08x after, %08x before", ab, bb,
                   out[1][0], out[0][0]);
          check(false, c->name, what);
          i = n;
          break;
        }
      }
  }
  close_pair(&P);
  finish_case(P.before_failed, "%s (%u max, %u min%s)", c->name, st.max, st.min,
              run_here ? "" : "; not run: this host lacks AVX-512VL");
  if (run_here) check(runs > 0, c->name, "no input ran");
}

int main(void) {
  char *feat = jit_init_host(host_attrs, sizeof host_attrs);
  __builtin_cpu_init();
  bool run_here = __builtin_cpu_supports("avx512vl");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i], run_here);
  LLVMDisposeMessage(feat);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
