/*
 * test_round_lanes.c — unit cases for compiler/llvm/round_lanes.c.
 *
 * Each case is a kernel `void @k(i8* %in, i8* %out)` in LLVM IR that loads
 * one float (or double) vector at %in, rounds it lane by lane exactly as
 * inline_round.c's code looks after -O2 (wasm2c's constrained operations),
 * joins the lanes with insertelement and stores the vector at %out. The pass
 * runs on one copy; both copies are compiled with MCJIT for this CPU and
 * run on the same inputs: every float class (zeros, halves, odd and even
 * .5 values, the largest non-integers, integers beyond 2^23, infinities,
 * quiet and signalling NaNs with payloads, subnormals) and random bit
 * patterns. The outputs must be the same bits. Positive cases must be
 * replaced (the stats, and no scalar round is left in the IR); negative
 * cases must be left exactly as they were.
 *
 * The lane conversions (x86 only): lanes of one <4 x float> converted one
 * by one with cvttss2si (the operand V itself for lane 0, a shuffle, or an
 * insert of an extract), each result stored; two or more lanes of one
 * vector must become one cvttps2dq, a single lane must stay as it is, and
 * the results must be the same on every float class.
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <math.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/round_lanes.h"

typedef void (*kernel_fn)(uint8_t *in, uint8_t *out);

static char host_attrs[4096];

typedef struct rcase {
  const char *name;
  bool f64;
  unsigned n;             /* lanes */
  unsigned order[8];      /* insertion order of the lanes */
  unsigned src[8];        /* lane i rounds lane src[i] of the input */
  const char *pred;       /* the comparison: "oge" in TVM's code */
  bool overwritten_first; /* lane order[0] is inserted twice: first a plain value */
  bool used_elsewhere;    /* lane 1's round is also stored on its own */
  unsigned lanes_set;     /* lanes the chain sets (< n: the rest undef) */
  bool want;              /* expected to be replaced */
  /* after the first insert, a shufflevector copies lane order[0] to lane
   * n-1 as well (the rest undef), as instcombine left mobilenet_v2_qnn's
   * input quantize: lane n-1 then rounds lane src[order[0]] */
  bool shuffle_after_first;
  bool other_source; /* lane 1 rounds a lane of another vector */
  bool defined_base; /* the chain starts from the input vector, not undef */
} rcase;

static char *kernel_ir(const rcase *c) {
  const char *T = c->f64 ? "double" : "float", *s = c->f64 ? "f64" : "f32";
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\n");
  put(&b, "  %%pi = bitcast i8* %%in to <%u x %s>*\n", c->n, T);
  put(&b, "  %%v = load <%u x %s>, <%u x %s>* %%pi, align 1\n", c->n, T, c->n, T);
  put(&b, "  %%pj = getelementptr i8, i8* %%in, i64 %u\n", c->n * (c->f64 ? 8 : 4));
  put(&b, "  %%pk = bitcast i8* %%pj to <%u x %s>*\n", c->n, T);
  put(&b, "  %%v2 = load <%u x %s>, <%u x %s>* %%pk, align 1\n", c->n, T, c->n, T);
  for (unsigned i = 0; i < c->n; i++) {
    bool inserted = false; /* a lane the chain leaves undef gets no round */
    for (unsigned k = 0; k < c->lanes_set; k++) inserted |= c->order[k] == i;
    if (!inserted) continue;
    put(&b, "  %%e%u = extractelement <%u x %s> %s, i64 %u\n", i, c->n, T,
        c->other_source && i == 1 ? "%v2" : "%v", c->src[i]);
    put(&b,
        "  %%t%u = call %s @llvm.experimental.constrained.trunc.%s(%s %%e%u, metadata "
        "!\"fpexcept.ignore\") #1\n",
        i, T, s, T, i);
    put(&b,
        "  %%d%u = call %s @llvm.experimental.constrained.fsub.%s(%s %%e%u, %s %%t%u, metadata "
        "!\"round.dynamic\", metadata !\"fpexcept.ignore\") #1\n",
        i, T, s, T, i, T, i);
    put(&b, "  %%a%u = call %s @llvm.fabs.%s(%s %%d%u)\n", i, T, s, T, i);
    put(&b,
        "  %%c%u = call i1 @llvm.experimental.constrained.fcmp.%s(%s %%a%u, %s 5.000000e-01, "
        "metadata !\"%s\", metadata !\"fpexcept.ignore\") #1\n",
        i, s, T, i, T, c->pred);
    put(&b, "  %%o%u = call %s @llvm.copysign.%s(%s 1.000000e+00, %s %%e%u)\n", i, T, s, T, T, i);
    put(&b,
        "  %%u%u = call %s @llvm.experimental.constrained.fadd.%s(%s %%t%u, %s %%o%u, metadata "
        "!\"round.dynamic\", metadata !\"fpexcept.ignore\") #1\n",
        i, T, s, T, i, T, i);
    put(&b, "  %%r%u = select i1 %%c%u, %s %%u%u, %s %%t%u\n", i, i, T, i, T, i);
  }
  const char *prev = c->defined_base ? "%v" : "undef";
  char name[16];
  if (c->overwritten_first) {
    put(&b, "  %%w_first = insertelement <%u x %s> undef, %s %%e%u, i64 %u\n", c->n, T, T,
        c->order[0], c->order[0]);
    prev = "%w_first";
  }
  for (unsigned k = 0; k < c->lanes_set; k++) {
    unsigned i = c->order[k];
    put(&b, "  %%w%u = insertelement <%u x %s> %s, %s %%r%u, i64 %u\n", k, c->n, T, prev, T, i, i);
    snprintf(name, sizeof name, "%%w%u", k);
    prev = name;
    if (k == 0 && c->shuffle_after_first) {
      put(&b, "  %%ws = shufflevector <%u x %s> %%w0, <%u x %s> undef, <%u x i32> <", c->n, T, c->n,
          T, c->n);
      for (unsigned j = 0; j < c->n; j++)
        put(&b, "%si32 %s", j ? ", " : "",
            j == i || j == c->n - 1 ? (i ? "1" : "0") : "undef"); /* order[0] is 0 or 1 */
      put(&b, ">\n");
      prev = "%ws";
    }
  }
  put(&b, "  %%po = bitcast i8* %%out to <%u x %s>*\n", c->n, T);
  put(&b, "  store <%u x %s> %s, <%u x %s>* %%po, align 1\n", c->n, T, prev, c->n, T);
  if (c->used_elsewhere) {
    put(&b, "  %%pe = getelementptr i8, i8* %%out, i64 64\n");
    put(&b, "  %%pes = bitcast i8* %%pe to %s*\n", T);
    put(&b, "  store %s %%r1, %s* %%pes, align 1\n", T, T);
  }
  put(&b, "  ret void\n}\n");
  put(&b, "declare %s @llvm.experimental.constrained.trunc.%s(%s, metadata)\n", T, s, T);
  put(&b, "declare %s @llvm.experimental.constrained.fsub.%s(%s, %s, metadata, metadata)\n", T, s,
      T, T);
  put(&b, "declare %s @llvm.experimental.constrained.fadd.%s(%s, %s, metadata, metadata)\n", T, s,
      T, T);
  put(&b, "declare i1 @llvm.experimental.constrained.fcmp.%s(%s, %s, metadata, metadata)\n", s, T,
      T);
  put(&b, "declare %s @llvm.fabs.%s(%s)\n", T, s, T);
  put(&b, "declare %s @llvm.copysign.%s(%s, %s)\n", T, s, T, T);
  put(&b, "attributes #0 = { strictfp %s }\nattributes #1 = { strictfp }\n", host_attrs);
  return b.p;
}

/* Every float class, as bits. */
static const uint32_t k_f32[] = {
    0x00000000u, 0x80000000u, 0x3f000000u, 0xbf000000u, /* +-0, +-0.5 */
    0x3effffffu, 0xbeffffffu, 0x3f000001u, 0xbf000001u, /* just below and above 0.5 */
    0x3fc00000u, 0xbfc00000u, 0x40200000u, 0xc0200000u, /* +-1.5, +-2.5 */
    0x4b000000u, 0x4afffffeu, 0x4affffffu, 0xcaffffffu, /* 2^23, 2^23 - 1, 8388607.5 */
    0x4b800000u, 0x7f7fffffu, 0xff7fffffu, 0x3f800000u, /* 2^24, +-FLT_MAX, 1 */
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, /* +-inf, quiet NaNs */
    0x7fc12345u, 0x7f812345u, 0xff800001u, 0x7fbfffffu, /* payloads, signalling NaNs */
    0x00000001u, 0x807fffffu, 0x00800000u, 0x3eaaaaabu, /* subnormals, FLT_MIN, 1/3 */
};
static const uint64_t k_f64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,
    0x3fdfffffffffffffull, 0x3fe0000000000001ull, 0x3ff8000000000000ull, 0xc004000000000000ull,
    0x4330000000000000ull, 0x432fffffffffffffull, 0xc32fffffffffffffull, 0x4340000000000000ull,
    0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0x7ff8000000012345ull, 0x7ff0000000012345ull, 0xfff0000000000001ull, 0x0000000000000001ull,
    0x800fffffffffffffull, 0x0010000000000000ull, 0x3fd5555555555555ull, 0x3ff0000000000000ull,
};

/* 64 input bytes for round r: the specials in every lane position, then
 * random bits, then random values near multiples of 0.5. */
static void fill(uint8_t *in, bool f64, unsigned r) {
  for (unsigned i = 0; i < (f64 ? 8u : 16u); i++) {
    unsigned k = r * 7 + i;
    if (f64) {
      uint64_t v;
      unsigned ns = sizeof k_f64 / sizeof *k_f64;
      if (r < 3 * ns) v = k_f64[k % ns];
      else if (r % 2) v = (uint64_t)ir_rnd() << 32 | ir_rnd();
      else {
        double d = (double)((int32_t)ir_rnd() % 4096) * 0.5 + ((int32_t)(ir_rnd() % 5) - 2) * 1e-12;
        memcpy(&v, &d, 8);
      }
      memcpy(in + 8 * i, &v, 8);
    } else {
      uint32_t v;
      unsigned ns = sizeof k_f32 / sizeof *k_f32;
      if (r < 3 * ns) v = k_f32[k % ns];
      else if (r % 2) v = ir_rnd();
      else {
        float f = nextafterf((float)((int32_t)ir_rnd() % 65536) * 0.5f,
                             (ir_rnd() % 2) ? INFINITY : -INFINITY);
        memcpy(&v, &f, 4);
      }
      memcpy(in + 4 * i, &v, 4);
    }
  }
}

static void run_case(const rcase *c) {
  ir_pair p;
  if (!open_pair(c->name, kernel_ir(c), &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_round_lanes_stats st;
  check(wgc_round_lanes(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, c->name, err);
  char *after = LLVMPrintModuleToString(p.m[1]);
  if (c->want) {
    check(st.vectors == 1 && st.lanes == c->lanes_set && st.functions == 1, c->name,
          "not replaced");
    check(count(after, c->f64 ? "call double @llvm.experimental.constrained.trunc.f64"
                              : "call float @llvm.experimental.constrained.trunc.f32") == 0,
          c->name, "a scalar round is left");
    check(count(after, "round.lanes") > 0, c->name, "no vector round in the IR");
  } else {
    check(st.vectors == 0, c->name, "replaced, but should have been left alone");
    check(strcmp(after, p.orig) == 0, c->name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  check_verifies(p.m[1], c->name);

  uintptr_t f[2];
  jit_pair(&p, "k", f);
  kernel_fn f0 = (kernel_fn)f[0], f1 = (kernel_fn)f[1];
  unsigned differ = 0, rounds = 200000;
  for (unsigned r = 0; f0 && f1 && r < rounds; r++) {
    uint8_t in[64], out0[128], out1[128];
    memset(out0, 0xa5, sizeof out0);
    memset(out1, 0xa5, sizeof out1);
    fill(in, c->f64, r);
    f0(in, out0);
    f1(in, out1);
    /* the lanes the chain sets (the rest is undef in both) and the extra store */
    size_t eb = c->f64 ? 8 : 4;
    for (unsigned k = 0; k < c->lanes_set; k++) {
      unsigned i = c->order[k];
      differ += memcmp(out0 + eb * i, out1 + eb * i, eb) != 0;
    }
    if (c->shuffle_after_first)
      differ += memcmp(out0 + eb * (c->n - 1), out1 + eb * (c->n - 1), eb) != 0;
    if (c->used_elsewhere) differ += memcmp(out0 + 64, out1 + 64, eb) != 0;
  }
  check(differ == 0, c->name, "outputs differ from the lane-by-lane kernel");
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u vector rounds)", c->name, st.vectors);
}

/* ---- lane conversions ----------------------------------------------------- */

/* Lanes lane[0..n) of the input converted; form 0: V itself for lane 0 and
 * shuffles, 1: inserts of extracts. Result i at out + 4i. */
static char *cvt_ir(const unsigned *lane, unsigned n, int form) {
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\n");
  put(&b, "  %%pi = bitcast i8* %%in to <4 x float>*\n");
  put(&b, "  %%v = load <4 x float>, <4 x float>* %%pi, align 1\n");
  for (unsigned i = 0; i < n; i++) {
    const char *op = "%v";
    char name[32];
    if (form == 1) {
      put(&b, "  %%e%u = extractelement <4 x float> %%v, i64 %u\n", i, lane[i]);
      put(&b, "  %%s%u = insertelement <4 x float> undef, float %%e%u, i64 0\n", i, i);
      snprintf(name, sizeof name, "%%s%u", i);
      op = name;
    } else if (lane[i] != 0) {
      put(&b,
          "  %%s%u = shufflevector <4 x float> %%v, <4 x float> undef, <4 x i32> <i32 %u, i32 "
          "undef, i32 undef, i32 undef>\n",
          i, lane[i]);
      snprintf(name, sizeof name, "%%s%u", i);
      op = name;
    }
    put(&b, "  %%c%u = call i32 @llvm.x86.sse.cvttss2si(<4 x float> %s)\n", i, op);
    put(&b, "  %%p%u = getelementptr i8, i8* %%out, i64 %u\n", i, 4 * i);
    put(&b, "  %%q%u = bitcast i8* %%p%u to i32*\n", i, i);
    put(&b, "  store i32 %%c%u, i32* %%q%u, align 1\n", i, i);
  }
  put(&b, "  ret void\n}\ndeclare i32 @llvm.x86.sse.cvttss2si(<4 x float>)\n");
  put(&b, "attributes #0 = { %s }\n", host_attrs);
  return b.p;
}

static void run_cvt_case(const char *name, const unsigned *lane, unsigned n, int form, bool want) {
  ir_pair p;
  if (!open_pair(name, cvt_ir(lane, n, form), &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_round_lanes_stats st;
  check(wgc_round_lanes(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, name, err);
  char *after = LLVMPrintModuleToString(p.m[1]);
  if (want) {
    check(st.cvt_vectors == 1 && st.cvt_lanes == n, name, "not joined");
    check(count(after, "call i32 @llvm.x86.sse.cvttss2si") == 0 &&
              count(after, "@llvm.x86.sse2.cvttps2dq") > 0,
          name, "a lane conversion is left, or no vector conversion");
  } else {
    check(st.cvt_vectors == 0, name, "joined, but should have been left alone");
    check(strcmp(after, p.orig) == 0, name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  check_verifies(p.m[1], name);
  uintptr_t f[2];
  jit_pair(&p, "k", f);
  kernel_fn f0 = (kernel_fn)f[0], f1 = (kernel_fn)f[1];
  unsigned differ = 0;
  for (unsigned r = 0; f0 && f1 && r < 200000; r++) {
    uint8_t in[64], out0[128] = {0}, out1[128] = {0};
    fill(in, false, r);
    f0(in, out0);
    f1(in, out1);
    differ += memcmp(out0, out1, 4 * n) != 0;
  }
  check(differ == 0, name, "results differ from the lane-by-lane conversions");
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u vector conversions)", name, st.cvt_vectors);
}

int main(void) {
  LLVMDisposeMessage(jit_init_host(host_attrs, sizeof host_attrs));
  static const rcase cases[] = {
      {.name = "f32x4",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .lanes_set = 4,
       .want = true},
      {.name = "f32x4_inserted_out_of_order_and_overwritten",
       .n = 4,
       .order = {3, 1, 0, 2},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .overwritten_first = true,
       .lanes_set = 4,
       .want = true},
      {.name = "f64x2",
       .f64 = true,
       .n = 2,
       .order = {0, 1},
       .src = {0, 1},
       .pred = "oge",
       .lanes_set = 2,
       .want = true},
      /* lane i rounds lane src[i]: a shuffle of the input, then the vector round */
      {.name = "f32x4_lanes_permuted",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 2, 1, 3},
       .pred = "oge",
       .lanes_set = 4,
       .want = true},
      {.name = "f32x4_lanes_repeated",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {3, 3, 0, 0},
       .pred = "oge",
       .lanes_set = 4,
       .want = true},
      {.name = "f32x4_lane_3_undef",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .lanes_set = 3,
       .want = true},
      /* mobilenet_v2_qnn's input quantize: lanes 0..2, lane 3 a shuffled copy of lane 0 */
      {.name = "f32x4_three_lanes_and_a_shuffled_copy",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {2, 0, 1, 3},
       .pred = "oge",
       .lanes_set = 3,
       .want = true,
       .shuffle_after_first = true},
      /* negative (a single lane is as short in scalar code) */
      {.name = "neg_f64x2_one_lane",
       .f64 = true,
       .n = 2,
       .order = {0, 1},
       .src = {1, 0},
       .pred = "oge",
       .lanes_set = 1},
      {.name = "neg_greater_than_half",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "ogt",
       .lanes_set = 4},
      {.name = "neg_round_used_elsewhere",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .used_elsewhere = true,
       .lanes_set = 4},
      {.name = "neg_two_source_vectors",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .lanes_set = 4,
       .other_source = true},
      {.name = "neg_lane_3_from_another_vector",
       .n = 4,
       .order = {0, 1, 2, 3},
       .src = {0, 1, 2, 3},
       .pred = "oge",
       .lanes_set = 3,
       .defined_base = true},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
  char *triple = LLVMGetDefaultTargetTriple();
  bool x86 = strncmp(triple, "x86_64", 6) == 0;
  LLVMDisposeMessage(triple);
  if (x86) {
    static const unsigned all[4] = {0, 1, 2, 3}, two[2] = {3, 1}, one[1] = {2};
    run_cvt_case("cvt_four_lanes_shuffles", all, 4, 0, true);
    run_cvt_case("cvt_two_lanes_inserted_extracts", two, 2, 1, true);
    run_cvt_case("neg_cvt_one_lane", one, 1, 0, false);
  } else {
    printf("SKIP the lane conversions: they are x86's cvttss2si; this host is not x86-64\n");
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
