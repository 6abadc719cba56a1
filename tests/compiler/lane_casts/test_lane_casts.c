/*
 * test_lane_casts.c — unit cases for compiler/llvm/lane_casts.c.
 *
 * Each case is a kernel `void @k(i8* %in, i8* %out)` in LLVM IR that builds
 * a vector lane by lane from casts of other vectors' lanes, in the forms
 * TVM's wasm reaches after -O2:
 *   - int8 to float (dequantize): lane i = sitofp(sext(byte b + i of V)),
 *     wasm2c's constrained sitofp, with lane 0 written as an extract or, as
 *     instcombine writes it when V came from a scalar load, the low byte of
 *     that scalar (ashr(shl(x, 24), 24), or and(x, 255) for unsigned);
 *   - i32 to float with rounding (lanes in reverse order);
 *   - float to int8 (requantize): 16 bytes, each the trunc of a lane of one
 *     of four <4 x i32> vectors, gathered by insert chains and shuffles.
 * The pass runs on one copy; both copies are compiled with MCJIT for this CPU
 * and run on the same inputs (every byte value in every lane, extreme i32
 * values, random bits). The outputs must be the same bits. Positive cases
 * must be replaced (the stats, and no scalar cast left in the IR); negative
 * cases (lanes with different casts, a lane that is not a cast, five source
 * vectors) must be left exactly as they were.
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/lane_casts.h"

typedef void (*kernel_fn)(uint8_t *in, uint8_t *out);

static char host_attrs[4096];

/* How lane 0 of an int8-to-float case reads its byte. */
typedef enum {
  L0_EXTRACT,    /* extractelement of the loaded <16 x i8> */
  L0_LOW_OF_I64, /* V = bitcast(insertelement <2 x i64> _, x, 0): ashr(shl(trunc x, 24), 24) */
  L0_LOW_OF_I32, /* V = bitcast(insertelement <4 x i32> _, x, 0): ashr(shl(x, 24), 24) */
} lane0_form;

typedef struct conv_case {
  const char *name;
  lane0_form lane0;
  unsigned base;    /* lane i converts byte base + i */
  bool zext;        /* unsigned bytes: zext (and(x, 255) for a low-bits lane 0) */
  bool plain;       /* sitofp/uitofp instructions instead of constrained calls */
  bool mixed;       /* lane 2 converts as unsigned, the others as signed */
  bool lane3_plain; /* lane 3 is a plain float, not a conversion */
  unsigned vectors; /* expected vectors replaced (0: left alone) */
} conv_case;

static const char *k_decls =
    "declare float @llvm.experimental.constrained.sitofp.f32.i32(i32, metadata, metadata)\n"
    "declare float @llvm.experimental.constrained.uitofp.f32.i32(i32, metadata, metadata)\n";

static void put_convert(sbuf *b, const char *dst, const char *src, bool zext, bool plain) {
  if (plain) put(b, "  %s = %s i32 %s to float\n", dst, zext ? "uitofp" : "sitofp", src);
  else
    put(b,
        "  %s = call float @llvm.experimental.constrained.%s.f32.i32(i32 %s, metadata "
        "!\"round.dynamic\", metadata !\"fpexcept.ignore\") #1\n",
        dst, zext ? "uitofp" : "sitofp", src);
}

/* %f0..%f3 inserted into lanes 0..3 of a <4 x float>, stored at %out; the
 * function's end, the declarations and the attributes. */
static char *finish_f32x4(sbuf *b) {
  put(b, "  %%w0 = insertelement <4 x float> undef, float %%f0, i64 0\n");
  for (unsigned i = 1; i < 4; i++)
    put(b, "  %%w%u = insertelement <4 x float> %%w%u, float %%f%u, i64 %u\n", i, i - 1, i, i);
  put(b, "  %%po = bitcast i8* %%out to <4 x float>*\n");
  put(b, "  store <4 x float> %%w3, <4 x float>* %%po, align 1\n");
  put(b, "  ret void\n}\n%s", k_decls);
  put(b, "attributes #0 = { strictfp %s }\nattributes #1 = { strictfp }\n", host_attrs);
  return b->p;
}

static char *conv_ir(const conv_case *c) {
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\n");
  switch (c->lane0) {
    case L0_EXTRACT:
      put(&b, "  %%pi = bitcast i8* %%in to <16 x i8>*\n");
      put(&b, "  %%v = load <16 x i8>, <16 x i8>* %%pi, align 1\n");
      break;
    case L0_LOW_OF_I64:
      put(&b, "  %%pi = bitcast i8* %%in to i64*\n");
      put(&b, "  %%x = load i64, i64* %%pi, align 1\n");
      put(&b, "  %%iv = insertelement <2 x i64> <i64 poison, i64 0>, i64 %%x, i64 0\n");
      put(&b, "  %%v = bitcast <2 x i64> %%iv to <16 x i8>\n");
      put(&b, "  %%xt = trunc i64 %%x to i32\n");
      break;
    case L0_LOW_OF_I32:
      put(&b, "  %%pi = bitcast i8* %%in to i32*\n");
      put(&b, "  %%xt = load i32, i32* %%pi, align 1\n");
      put(&b, "  %%iv = insertelement <4 x i32> undef, i32 %%xt, i64 0\n");
      put(&b, "  %%v = bitcast <4 x i32> %%iv to <16 x i8>\n");
      break;
  }
  char s[16], f[16];
  for (unsigned i = 0; i < 4; i++) {
    bool z = c->zext != (c->mixed && i == 2);
    snprintf(s, sizeof s, "%%s%u", i);
    snprintf(f, sizeof f, "%%f%u", i);
    if (i == 0 && c->lane0 != L0_EXTRACT) {
      if (z) {
        put(&b, "  %%s0 = and i32 %%xt, 255\n");
      } else {
        put(&b, "  %%sh = shl i32 %%xt, 24\n");
        put(&b, "  %%s0 = ashr exact i32 %%sh, 24\n");
      }
    } else {
      put(&b, "  %%e%u = extractelement <16 x i8> %%v, i64 %u\n", i, c->base + i);
      put(&b, "  %s = %s i8 %%e%u to i32\n", s, z ? "zext" : "sext", i);
    }
    if (i == 3 && c->lane3_plain) put(&b, "  %%f3 = fadd float 1.0, 2.0\n");
    else put_convert(&b, f, s, z, c->plain);
  }
  return finish_f32x4(&b);
}

/* i32 lanes 3, 2, 1, 0 of the input converted with rounding (round to
 * nearest: values beyond 2^24 are rounded). */
static char *i32_ir(void) {
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\n");
  put(&b, "  %%pi = bitcast i8* %%in to <4 x i32>*\n");
  put(&b, "  %%v = load <4 x i32>, <4 x i32>* %%pi, align 1\n");
  char f[16], e[16];
  for (unsigned i = 0; i < 4; i++) {
    snprintf(e, sizeof e, "%%e%u", i);
    snprintf(f, sizeof f, "%%f%u", i);
    put(&b, "  %s = extractelement <4 x i32> %%v, i64 %u\n", e, 3 - i);
    put_convert(&b, f, e, false, false);
  }
  return finish_f32x4(&b);
}

/* 16 bytes: byte 4q + i is the trunc of lane i of source order[q] (sources
 * are the input's <4 x i32> vectors 0..nsrc-1; with five sources, byte 15
 * comes from vector 4). Each quarter is an insert chain; shuffles join them
 * as round_lanes.c's output after -O2 does. `plain_byte`: byte 5 is a
 * constant instead. */
static char *narrow_ir(const unsigned *order, bool five, bool plain_byte) {
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\n");
  for (unsigned j = 0; j < 5; j++) {
    put(&b, "  %%p%u = getelementptr i8, i8* %%in, i64 %u\n", j, 16 * j);
    put(&b, "  %%q%u = bitcast i8* %%p%u to <4 x i32>*\n", j, j);
    put(&b, "  %%v%u = load <4 x i32>, <4 x i32>* %%q%u, align 1\n", j, j);
  }
  for (unsigned q = 0; q < 4; q++) {
    const char *prev = "undef";
    char w[24];
    for (unsigned i = 0; i < 4; i++) {
      unsigned src = five && q == 3 && i == 3 ? 4 : order[q];
      if (plain_byte && q == 1 && i == 1) {
        put(&b, "  %%t%u_%u = add i8 7, 0\n", q, i);
      } else {
        put(&b, "  %%e%u_%u = extractelement <4 x i32> %%v%u, i64 %u\n", q, i, src, i);
        put(&b, "  %%t%u_%u = trunc i32 %%e%u_%u to i8\n", q, i, q, i);
      }
      put(&b, "  %%c%u_%u = insertelement <16 x i8> %s, i8 %%t%u_%u, i64 %u\n", q, i, prev, q, i,
          i);
      snprintf(w, sizeof w, "%%c%u_%u", q, i);
      prev = w;
    }
  }
  put(&b,
      "  %%s01 = shufflevector <16 x i8> %%c0_3, <16 x i8> %%c1_3, <16 x i32> <i32 0, i32 1, "
      "i32 2, i32 3, i32 16, i32 17, i32 18, i32 19, i32 undef, i32 undef, i32 undef, i32 undef, "
      "i32 undef, i32 undef, i32 undef, i32 undef>\n");
  put(&b,
      "  %%s23 = shufflevector <16 x i8> %%c2_3, <16 x i8> %%c3_3, <16 x i32> <i32 undef, i32 "
      "undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 0, i32 1, "
      "i32 2, i32 3, i32 16, i32 17, i32 18, i32 19>\n");
  put(&b,
      "  %%r = shufflevector <16 x i8> %%s01, <16 x i8> %%s23, <16 x i32> <i32 0, i32 1, i32 2, "
      "i32 3, i32 4, i32 5, i32 6, i32 7, i32 24, i32 25, i32 26, i32 27, i32 28, i32 29, i32 30, "
      "i32 31>\n");
  put(&b, "  %%po = bitcast i8* %%out to <16 x i8>*\n");
  put(&b, "  store <16 x i8> %%r, <16 x i8>* %%po, align 1\n");
  put(&b, "  ret void\n}\nattributes #0 = { %s }\n", host_attrs);
  return b.p;
}

/* 80 input bytes for round r: every byte value in every position first,
 * then extreme i32 values, then random bits. */
static void fill(uint8_t *in, unsigned r) {
  static const uint32_t k_i32[] = {0x80000000u, 0x7fffffffu, 0x01000001u, 0xfeffffffu,
                                   0x00ffffffu, 0x01000003u, 0xffffffffu, 0x00000000u};
  for (unsigned i = 0; i < 80; i++) in[i] = (uint8_t)(r * 16 + i * 37);
  if (r >= 256 && r < 264)
    for (unsigned i = 0; i < 20; i++) memcpy(in + 4 * i, &k_i32[(r + i) % 8], 4);
  else if (r >= 264)
    for (unsigned i = 0; i < 20; i++) {
      uint32_t x = ir_rnd();
      memcpy(in + 4 * i, &x, 4);
    }
}

/* Runs one kernel through the pass and compares both forms on `out_bytes`
 * bytes of output; `scalar_left` must not appear in the IR afterwards. */
static void run_kernel(const char *name, char *ir, unsigned want_vectors, unsigned want_lanes,
                       const char *scalar_left, size_t out_bytes) {
  ir_pair p;
  if (!open_pair(name, ir, &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_lane_casts_stats st;
  check(wgc_lane_casts(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, name, err);
  char *after = LLVMPrintModuleToString(p.m[1]);
  if (want_vectors) {
    check(st.vectors == want_vectors && st.lanes == want_lanes && st.functions == 1, name,
          "not replaced as expected");
    check(count(after, scalar_left) == 0, name, "a scalar cast is left");
  } else {
    check(st.vectors == 0, name, "replaced, but should have been left alone");
    check(strcmp(after, p.orig) == 0, name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  check_verifies(p.m[1], name);

  uintptr_t f[2];
  jit_pair(&p, "k", f);
  kernel_fn f0 = (kernel_fn)f[0], f1 = (kernel_fn)f[1];
  unsigned differ = 0;
  for (unsigned r = 0; f0 && f1 && r < 20000; r++) {
    uint8_t in[80], out0[64], out1[64];
    memset(out0, 0xa5, sizeof out0);
    memset(out1, 0xa5, sizeof out1);
    fill(in, r);
    f0(in, out0);
    f1(in, out1);
    differ += memcmp(out0, out1, out_bytes) != 0;
  }
  check(differ == 0, name, "outputs differ from the lane-by-lane kernel");
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u vectors)", name, st.vectors);
}

int main(void) {
  LLVMDisposeMessage(jit_init_host(host_attrs, sizeof host_attrs));
  static const conv_case conv[] = {
      {"i8_to_f32_extracts", L0_EXTRACT, 0, false, false, false, false, 1},
      {"i8_to_f32_bytes_8_to_11", L0_EXTRACT, 8, false, false, false, false, 1},
      {"i8_to_f32_lane0_low_of_i64", L0_LOW_OF_I64, 0, false, false, false, false, 1},
      {"i8_to_f32_lane0_low_of_i32", L0_LOW_OF_I32, 0, false, false, false, false, 1},
      {"u8_to_f32_lane0_and_255", L0_LOW_OF_I32, 0, true, false, false, false, 1},
      {"u8_to_f32_plain_uitofp", L0_EXTRACT, 4, true, true, false, false, 1},
      /* negative */
      {"neg_signed_and_unsigned_lanes", L0_EXTRACT, 0, false, false, true, false, 0},
      {"neg_lane_not_a_conversion", L0_EXTRACT, 0, false, false, false, true, 0},
  };
  for (size_t i = 0; i < sizeof conv / sizeof *conv; i++) {
    const conv_case *c = &conv[i];
    run_kernel(c->name, conv_ir(c), c->vectors, 4,
               c->plain ? (c->zext ? "uitofp i32" : "sitofp i32") : "call float @llvm.exp", 16);
  }
  run_kernel("i32_to_f32_reversed_lanes", i32_ir(), 1, 4, "call float @llvm.exp", 16);
  static const unsigned in_order[4] = {0, 1, 2, 3}, mixed[4] = {3, 2, 1, 0};
  run_kernel("narrow_four_vectors", narrow_ir(in_order, false, false), 1, 16, "trunc i32", 16);
  run_kernel("narrow_four_vectors_reversed", narrow_ir(mixed, false, false), 1, 16, "trunc i32",
             16);
  run_kernel("neg_narrow_five_vectors", narrow_ir(in_order, true, false), 0, 0, "", 16);
  run_kernel("neg_narrow_a_byte_not_a_cast", narrow_ir(in_order, false, true), 0, 0, "", 16);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
