/*
 * test_half_pair.c — unit cases for compiler/llvm/half_pair.c.
 *
 * Each case is a kernel `void @k(i8* %in, i8* %out)` in LLVM IR: it reads
 * 32 bytes at %in and writes up to 32 at %out. The pass runs on one copy;
 * both copies are compiled with MCJIT for this CPU and run on the same
 * inputs (random, and the extremes of every lane width): the outputs must
 * be byte for byte the same. Positive cases must be joined (the pass's
 * stats, and the printed IR has a 256-bit operation where it had none);
 * negative cases must be left exactly as they were.
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/half_pair.h"

typedef void (*kernel_fn)(uint8_t *in, uint8_t *out);

static char host_attrs[4096];

#define M16(...) "<16 x i32> <" __VA_ARGS__ ">"
#define LO_SEXT_MASK                                                                             \
  M16("i32 0, i32 1, i32 2, i32 3, i32 0, i32 0, i32 0, i32 0, i32 4, i32 5, i32 6, i32 7, i32 " \
      "0, "                                                                                      \
      "i32 0, i32 0, i32 0")
#define HI_SEXT_MASK                                                                               \
  M16("i32 8, i32 9, i32 10, i32 11, i32 0, i32 0, i32 0, i32 0, i32 12, i32 13, i32 14, i32 15, " \
      "i32 0, i32 0, i32 0, i32 0")
#define LOW_DWORDS                                                                                 \
  M16("i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11, i32 16, i32 17, i32 18, i32 19, " \
      "i32 24, i32 25, i32 26, i32 27")

static const char k_head[] =
    "declare <4 x i32> @llvm.smin.v4i32(<4 x i32>, <4 x i32>)\n"
    "declare <4 x i32> @llvm.smax.v4i32(<4 x i32>, <4 x i32>)\n"
    "declare <8 x i16> @llvm.usub.sat.v8i16(<8 x i16>, <8 x i16>)\n"
    "define void @k(i8* %in, i8* %out) #0 {\n"
    "  %pi = bitcast i8* %in to <4 x i32>*\n"
    "  %x = load <4 x i32>, <4 x i32>* %pi, align 1\n"
    "  %pb = getelementptr i8, i8* %in, i64 16\n"
    "  %pbv = bitcast i8* %pb to <4 x i32>*\n"
    "  %y = load <4 x i32>, <4 x i32>* %pbv, align 1\n"
    "  %po = bitcast i8* %out to <4 x i32>*\n"
    "  %po8 = bitcast i8* %out to <8 x i32>*\n";

/* TVM's requantize (fixed_point_multiply) of x + y as wasm2c and -O2 leave
 * it: each half's lanes sign-extended to i64 by a byte shuffle and shl/ashr
 * 32, multiplied, rounded, shifted, and the low dwords joined. MLO/MHI are
 * the multipliers of the two halves; EXTRA a use of the low half's result
 * elsewhere (a negative case) or nothing. */
static const char k_requant_fmt[] =
    "  %%s = add <4 x i32> %%x, %%y\n"
    "  %%sb = bitcast <4 x i32> %%s to <16 x i8>\n"
    "  %%l0 = shufflevector <16 x i8> %%sb, <16 x i8> poison, " LO_SEXT_MASK
    "\n"
    "  %%l1 = bitcast <16 x i8> %%l0 to <2 x i64>\n"
    "  %%l2 = shl <2 x i64> %%l1, <i64 32, i64 32>\n"
    "  %%l3 = ashr exact <2 x i64> %%l2, <i64 32, i64 32>\n"
    "  %%l4 = mul nsw <2 x i64> %%l3, <i64 %s, i64 %s>\n"
    "  %%l5 = add <2 x i64> %%l4, <i64 68719476736, i64 68719476736>\n"
    "  %%l6 = ashr <2 x i64> %%l5, <i64 37, i64 37>\n"
    "  %%h0 = shufflevector <16 x i8> %%sb, <16 x i8> poison, " HI_SEXT_MASK
    "\n"
    "  %%h1 = bitcast <16 x i8> %%h0 to <2 x i64>\n"
    "  %%h2 = shl <2 x i64> %%h1, <i64 32, i64 32>\n"
    "  %%h3 = ashr exact <2 x i64> %%h2, <i64 32, i64 32>\n"
    "  %%h4 = mul nsw <2 x i64> %%h3, <i64 %s, i64 %s>\n"
    "  %%h5 = add <2 x i64> %%h4, <i64 68719476736, i64 68719476736>\n"
    "  %%h6 = ashr <2 x i64> %%h5, <i64 37, i64 37>\n"
    "%s"
    "  %%lo = bitcast <2 x i64> %%l6 to <16 x i8>\n"
    "  %%hi = bitcast <2 x i64> %%h6 to <16 x i8>\n"
    "  %%j = shufflevector <16 x i8> %%lo, <16 x i8> %%hi, " LOW_DWORDS
    "\n"
    "  %%jv = bitcast <16 x i8> %%j to <4 x i32>\n"
    "  %%mn = call <4 x i32> @llvm.smin.v4i32(<4 x i32> %%jv, <4 x i32> <i32 255, i32 255, i32 "
    "255, i32 255>)\n"
    "  %%mx = call <4 x i32> @llvm.smax.v4i32(<4 x i32> %%mn, <4 x i32> zeroinitializer)\n"
    "  store <4 x i32> %%mx, <4 x i32>* %%po, align 1\n"
    "  ret void\n}\n";

/* Two positions' epilogues (x and y), joined into one <8 x i32> store:
 * the inputs differ (one concat), the constants and the last shuffle's
 * masks differ per half. */
static const char k_two_positions[] =
    "  %a1 = add <4 x i32> %x, <i32 1, i32 -2, i32 3, i32 2147483647>\n"
    "  %a2 = mul <4 x i32> %a1, <i32 3, i32 3, i32 -7, i32 65537>\n"
    "  %a3 = call <4 x i32> @llvm.smin.v4i32(<4 x i32> %a2, <4 x i32> <i32 100000, i32 "
    "100000, i32 100000, i32 100000>)\n"
    "  %a4 = xor <4 x i32> %a3, <i32 -1, i32 0, i32 255, i32 -2147483648>\n"
    "  %b1 = add <4 x i32> %y, <i32 5, i32 6, i32 -7, i32 -2147483648>\n"
    "  %b2 = mul <4 x i32> %b1, <i32 3, i32 3, i32 11, i32 -65537>\n"
    "  %b3 = call <4 x i32> @llvm.smin.v4i32(<4 x i32> %b2, <4 x i32> <i32 -5, i32 7, i32 "
    "100000, i32 0>)\n"
    "  %b4 = xor <4 x i32> %b3, <i32 1, i32 2, i32 3, i32 4>\n"
    /* lanes of both operands of each half's shuffle (one paired, one an input) */
    "  %a5 = shufflevector <4 x i32> %a4, <4 x i32> %x, <4 x i32> <i32 3, i32 4, i32 1, i32 6>\n"
    "  %b5 = shufflevector <4 x i32> %b4, <4 x i32> %y, <4 x i32> <i32 7, i32 0, i32 5, i32 2>\n"
    "  %j = shufflevector <4 x i32> %a5, <4 x i32> %b5, <8 x i32> <i32 0, i32 1, i32 2, i32 3, "
    "i32 4, i32 5, i32 6, i32 7>\n"
    "  store <8 x i32> %j, <8 x i32>* %po8, align 1\n"
    "  ret void\n}\n";

/* i16 lanes: compares, selects, a logical shift and a saturating
 * subtract, both halves from one input through different byte shuffles,
 * joined by an interleaving shuffle (lanes of both halves mixed). */
static const char k_select_i16[] =
    "  %xw = bitcast <4 x i32> %x to <8 x i16>\n"
    "  %yw = bitcast <4 x i32> %y to <8 x i16>\n"
    "  %a0 = sub <8 x i16> %xw, <i16 3, i16 3, i16 3, i16 3, i16 -3, i16 -3, i16 -3, i16 -3>\n"
    "  %ac = icmp sgt <8 x i16> %a0, <i16 5, i16 5, i16 5, i16 5, i16 -9, i16 -9, i16 -9, i16 "
    "-9>\n"
    "  %an = sub <8 x i16> zeroinitializer, %a0\n"
    "  %a1 = select <8 x i1> %ac, <8 x i16> %a0, <8 x i16> %an\n"
    "  %a2 = lshr <8 x i16> %a1, <i16 1, i16 1, i16 1, i16 1, i16 2, i16 2, i16 2, i16 2>\n"
    "  %a3 = call <8 x i16> @llvm.usub.sat.v8i16(<8 x i16> %a2, <8 x i16> <i16 100, i16 100, "
    "i16 100, i16 100, i16 100, i16 100, i16 100, i16 100>)\n"
    "  %b0 = sub <8 x i16> %yw, <i16 3, i16 3, i16 3, i16 3, i16 -3, i16 -3, i16 -3, i16 -3>\n"
    "  %bc = icmp sgt <8 x i16> %b0, <i16 5, i16 5, i16 5, i16 5, i16 -9, i16 -9, i16 -9, i16 "
    "-9>\n"
    "  %bn = sub <8 x i16> zeroinitializer, %b0\n"
    "  %b1 = select <8 x i1> %bc, <8 x i16> %b0, <8 x i16> %bn\n"
    "  %b2 = lshr <8 x i16> %b1, <i16 1, i16 1, i16 1, i16 1, i16 2, i16 2, i16 2, i16 2>\n"
    "  %b3 = call <8 x i16> @llvm.usub.sat.v8i16(<8 x i16> %b2, <8 x i16> <i16 7, i16 7, "
    "i16 7, i16 7, i16 7, i16 7, i16 7, i16 7>)\n"
    "  %j = shufflevector <8 x i16> %a3, <8 x i16> %b3, <16 x i32> <i32 0, i32 8, i32 1, i32 9, "
    "i32 2, i32 10, i32 3, i32 11, i32 4, i32 12, i32 5, i32 13, i32 6, i32 14, i32 7, i32 15>\n"
    "  %jv = bitcast <16 x i16> %j to <8 x i32>\n"
    "  store <8 x i32> %jv, <8 x i32>* %po8, align 1\n"
    "  ret void\n}\n";

/* Negative: float halves (the pass pairs integers only). */
static const char k_float[] =
    "  %xf = bitcast <4 x i32> %x to <4 x float>\n"
    "  %yf = bitcast <4 x i32> %y to <4 x float>\n"
    "  %a1 = fadd <4 x float> %xf, <float 1.0, float 1.0, float 1.0, float 1.0>\n"
    "  %a2 = fmul <4 x float> %a1, %a1\n"
    "  %a3 = fsub <4 x float> %a2, %xf\n"
    "  %b1 = fadd <4 x float> %yf, <float 1.0, float 1.0, float 1.0, float 1.0>\n"
    "  %b2 = fmul <4 x float> %b1, %b1\n"
    "  %b3 = fsub <4 x float> %b2, %yf\n"
    "  %j = shufflevector <4 x float> %a3, <4 x float> %b3, <8 x i32> <i32 0, i32 1, i32 2, "
    "i32 3, i32 4, i32 5, i32 6, i32 7>\n"
    "  %jv = bitcast <8 x float> %j to <8 x i32>\n"
    "  store <8 x i32> %jv, <8 x i32>* %po8, align 1\n"
    "  ret void\n}\n";

/* Negative: one instruction per half only (nothing pays for the concat). */
static const char k_too_small[] =
    "  %a1 = add <4 x i32> %x, <i32 1, i32 2, i32 3, i32 4>\n"
    "  %b1 = add <4 x i32> %y, <i32 1, i32 2, i32 3, i32 4>\n"
    "  %j = shufflevector <4 x i32> %a1, <4 x i32> %b1, <8 x i32> <i32 0, i32 1, i32 2, i32 3, "
    "i32 4, i32 5, i32 6, i32 7>\n"
    "  store <8 x i32> %j, <8 x i32>* %po8, align 1\n"
    "  ret void\n}\n";

typedef struct hcase {
  const char *name;
  char *body;        /* after k_head; owned */
  const char *attrs; /* NULL: the host's */
  bool joined;       /* expected to be joined (on a host with AVX2) */
  unsigned concats;  /* expected concats when joined */
} hcase;

static char *requant(const char *mlo, const char *mhi, const char *extra) {
  sbuf b = {0};
  put(&b, k_requant_fmt, mlo, mlo, mhi, mhi, extra);
  return b.p;
}

static char *text_copy(const char *s) {
  sbuf b = {0};
  put(&b, "%s", s);
  return b.p;
}

/* 32 input bytes: random, or lanes drawn from the extremes of i8/i16/i32. */
static void fill(uint8_t *in, int round) {
  static const uint32_t ext[] = {0,           1,           0xffffffffu, 0x7fffffffu, 0x80000000u,
                                 0x7fff7fffu, 0x80008000u, 0x7f7f7f7fu, 0x80808080u, 0x00ff00ffu};
  for (int i = 0; i < 8; i++) {
    uint32_t v = round % 3 == 0 ? ir_rnd() : ext[ir_rnd() % (sizeof ext / sizeof *ext)];
    if (round % 3 == 2 && ir_rnd() % 2) v = ir_rnd() % 512 - 256;
    memcpy(in + 4 * i, &v, 4);
  }
}

static void run_case(const hcase *c, bool avx2) {
  sbuf ir = {0};
  put(&ir, "%s%s\nattributes #0 = { %s }\n", k_head, c->body, c->attrs ? c->attrs : host_attrs);
  ir_pair p;
  if (!open_pair(c->name, ir.p, &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_half_pair_stats st;
  check(wgc_half_pair(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, c->name, err);
  bool want = c->joined && avx2 && !c->attrs;
  char *after = LLVMPrintModuleToString(p.m[1]);
  if (want) {
    check(st.pairs == 1 && st.functions == 1, c->name, "not joined");
    check(st.concats == c->concats, c->name, "wrong number of concats");
    check(count(after, "hp.") > 0, c->name, "no wide instruction in the IR");
  } else {
    check(st.pairs == 0, c->name, "joined, but should have been left alone");
    check(strcmp(after, p.orig) == 0, c->name, "the IR changed");
  }
  if (c->attrs) check(st.skipped_functions == 1, c->name, "a function without +avx2 was looked at");
  LLVMDisposeMessage(after);
  check_verifies(p.m[1], c->name);

  uintptr_t f[2];
  jit_pair(&p, "k", f);
  kernel_fn f0 = (kernel_fn)f[0], f1 = (kernel_fn)f[1];
  unsigned differ = 0;
  for (int r = 0; f0 && f1 && r < 30000; r++) {
    uint8_t in[32], out0[32] = {0}, out1[32] = {0};
    fill(in, r);
    f0(in, out0);
    f1(in, out1);
    differ += memcmp(out0, out1, sizeof out0) != 0;
  }
  check(differ == 0, c->name, "outputs differ from the unpaired kernel");
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u joins, %u instruction pairs, %u concats)", c->name, st.pairs,
              st.paired_insts, st.concats);
}

int main(void) {
  char *feat = jit_init_host(host_attrs, sizeof host_attrs);
  bool avx2 = strstr(feat, "+avx2") != NULL;
  if (!avx2) printf("SKIP the joins: this CPU has no AVX2; every case must stay as it is\n");
  LLVMDisposeMessage(feat);

  hcase cases[] = {
      {"requant", requant("1575148842", "1575148842", ""), NULL, true, 0},
      {"requant_multipliers_differ", requant("1575148842", "-2031065742", ""), NULL, true, 0},
      {"two_positions", text_copy(k_two_positions), NULL, true, 1},
      {"select_i16_interleaved", text_copy(k_select_i16), NULL, true, 1},
      /* negative */
      {"neg_half_used_twice",
       requant("1575148842", "1575148842",
               "  %pl = bitcast i8* %out to <2 x i64>*\n"
               "  store <2 x i64> %l6, <2 x i64>* %pl, align 1\n"),
       NULL, false, 0},
      {"neg_float", text_copy(k_float), NULL, false, 0},
      {"neg_too_small", text_copy(k_too_small), NULL, false, 0},
      {"neg_no_avx2", requant("1575148842", "1575148842", ""),
       "\"target-cpu\"=\"x86-64\" \"target-features\"=\"+sse2,+sse4.1\"", false, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    run_case(&cases[i], avx2);
    free(cases[i].body);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
