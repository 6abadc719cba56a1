/*
 * test_trunc_guards.c — unit cases for compiler/llvm/trunc_guards.c.
 *
 * Each case is a kernel `void @k(i8* %in, i8* %out)` in LLVM IR: lane L of
 * the <4 x float> at %in, converted the way LLVM's wasm backend guards a
 * C cast around wasm2c's trapping conversion (convert_rewrite.c's x86 fast
 * form, after -O2), the i32 result stored at %out. The slow path's traps
 * store a sentinel at %out + 4 instead (the test's stand-in for
 * wasm_rt_trap). The pass runs on one copy; both are compiled with MCJIT
 * and run on every float class and random bits: same results, and the
 * original never reaches a trap (which is what makes dropping the slow
 * path exact). Positive cases must be rewritten (stats, and the guard's
 * branch gone); negative cases must be left exactly as they were.
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/trunc_guards.h"

typedef void (*kernel_fn)(uint8_t *in, uint8_t *out);

static char host_attrs[4096];

typedef struct tcase {
  const char *name;
  bool is_unsigned;
  unsigned lane;
  bool fabs_form;      /* |x| as llvm.fabs (else TVM's and-mask) */
  bool insert_form;    /* the conversion's operand built by insertelement (else a shuffle) */
  const char *bound;   /* the guard's bound (2^31 or 2^32 as LLVM prints them) */
  const char *konst;   /* the guard's constant */
  bool effect_in_fast; /* a store on the fast path (negative) */
  bool phi_differs;    /* another phi of the join differs between the paths (negative) */
  bool want;
} tcase;

#define B31 "0x41E0000000000000"
#define B32 "0x41F0000000000000"
#define B30 "0x41D0000000000000"

static char *kernel_ir(const tcase *c) {
  sbuf b = {0};
  put(&b, "define void @k(i8* %%in, i8* %%out) #0 {\nentry:\n");
  put(&b, "  %%pv = bitcast i8* %%in to <4 x float>*\n");
  put(&b, "  %%v = load <4 x float>, <4 x float>* %%pv, align 1\n");
  put(&b, "  %%x = extractelement <4 x float> %%v, i64 %u\n", c->lane);
  put(&b, "  %%po = bitcast i8* %%out to i32*\n");
  put(&b, "  %%pt = getelementptr i8, i8* %%out, i64 4\n  %%ptr = bitcast i8* %%pt to i32*\n");
  if (!c->is_unsigned) {
    if (c->fabs_form) put(&b, "  %%f = call float @llvm.fabs.f32(float %%x)\n");
    else
      put(&b,
          "  %%bx = bitcast float %%x to i32\n  %%ax = and i32 %%bx, 2147483647\n"
          "  %%f = bitcast i32 %%ax to float\n");
    put(&b,
        "  %%c = call i1 @llvm.experimental.constrained.fcmps.f32(float %%f, float %s, metadata "
        "!\"olt\", metadata !\"fpexcept.ignore\") #1\n",
        c->bound);
  } else {
    put(&b,
        "  %%lt = call i1 @llvm.experimental.constrained.fcmps.f32(float %%x, float %s, metadata "
        "!\"olt\", metadata !\"fpexcept.ignore\") #1\n"
        "  %%ge = call i1 @llvm.experimental.constrained.fcmps.f32(float %%x, float 0.0, metadata "
        "!\"oge\", metadata !\"fpexcept.ignore\") #1\n"
        "  %%c = and i1 %%lt, %%ge\n",
        c->bound);
  }
  put(&b, "  br i1 %%c, label %%fast, label %%join\nfast:\n");
  if (c->insert_form) put(&b, "  %%s = insertelement <4 x float> undef, float %%x, i64 0\n");
  else
    put(&b,
        "  %%s = shufflevector <4 x float> %%v, <4 x float> undef, <4 x i32> <i32 %u, i32 "
        "undef, i32 undef, i32 undef>\n",
        c->lane);
  if (c->effect_in_fast) put(&b, "  store i32 7, i32* %%ptr, align 1\n");
  if (!c->is_unsigned) {
    put(&b,
        "  %%r = call i32 @llvm.x86.sse.cvttss2si(<4 x float> %%s)\n"
        "  %%e = icmp eq i32 %%r, -2147483648\n  br i1 %%e, label %%slow, label %%join\n");
  } else {
    put(&b,
        "  %%r = call i64 @llvm.x86.sse.cvttss2si64(<4 x float> %%s)\n"
        "  %%ok = icmp ult i64 %%r, 4294967296\n  br i1 %%ok, label %%fast2, label %%slow\n"
        "fast2:\n  %%t = trunc i64 %%r to i32\n  br label %%join\n");
  }
  /* wasm2c's slow path: NaN traps (4), out of range traps (2), else the cast */
  put(&b,
      "slow:\n"
      "  %%n = call i1 @llvm.experimental.constrained.fcmp.f32(float %%x, float %%x, metadata "
      "!\"une\", metadata !\"fpexcept.ignore\") #1\n"
      "  br i1 %%n, label %%t4, label %%s2\n"
      "t4:\n  store i32 4, i32* %%ptr, align 1\n  ret void\n"
      "s2:\n"
      "  %%lo = call i1 @llvm.experimental.constrained.fcmps.f32(float %%x, float %s, metadata "
      "!\"%s\", metadata !\"fpexcept.ignore\") #1\n"
      "  br i1 %%lo, label %%s3, label %%t2\n"
      "s3:\n"
      "  %%hi = call i1 @llvm.experimental.constrained.fcmps.f32(float %%x, float %s, metadata "
      "!\"olt\", metadata !\"fpexcept.ignore\") #1\n"
      "  br i1 %%hi, label %%s4, label %%t2\n"
      "t2:\n  store i32 2, i32* %%ptr, align 1\n  ret void\n"
      "s4:\n"
      "  %%g = call i32 @llvm.experimental.constrained.%s.i32.f32(float %%x, metadata "
      "!\"fpexcept.ignore\") #1\n"
      "  br label %%join\n",
      c->is_unsigned ? "-1.0" : "0xC1E0000000000000", c->is_unsigned ? "ogt" : "oge",
      c->is_unsigned ? B32 : B31, c->is_unsigned ? "fptoui" : "fptosi");
  put(&b, "join:\n  %%p = phi i32 [ %s, %%entry ], [ %%%s, %%%s ], [ %%g, %%s4 ]\n", c->konst,
      c->is_unsigned ? "t" : "r", c->is_unsigned ? "fast2" : "fast");
  if (c->phi_differs)
    put(&b,
        "  %%q = phi i32 [ 1, %%entry ], [ 2, %%%s ], [ 3, %%s4 ]\n"
        "  store i32 %%q, i32* %%ptr, align 1\n",
        c->is_unsigned ? "fast2" : "fast");
  put(&b, "  store i32 %%p, i32* %%po, align 1\n  ret void\n}\n");
  put(&b,
      "declare float @llvm.fabs.f32(float)\n"
      "declare i1 @llvm.experimental.constrained.fcmps.f32(float, float, metadata, metadata)\n"
      "declare i1 @llvm.experimental.constrained.fcmp.f32(float, float, metadata, metadata)\n"
      "declare i32 @llvm.experimental.constrained.fptosi.i32.f32(float, metadata)\n"
      "declare i32 @llvm.experimental.constrained.fptoui.i32.f32(float, metadata)\n"
      "declare i32 @llvm.x86.sse.cvttss2si(<4 x float>)\n"
      "declare i64 @llvm.x86.sse.cvttss2si64(<4 x float>)\n");
  put(&b, "attributes #0 = { strictfp %s }\nattributes #1 = { strictfp }\n", host_attrs);
  return b.p;
}

/* The bounds of both conversions and every float class, as bits. */
static const uint32_t k_specials[] = {
    0x00000000u, 0x80000000u, 0x3f000000u,
    0xbf000000u, 0x3f800000u, 0xbf800000u, /* 0, .5, 1 */
    0xbf7fffffu, 0xbf800001u, 0x4effffffu,
    0x4f000000u, 0x4f000001u, 0xceffffffu, /* -1, 2^31 */
    0xcf000000u, 0xcf000001u, 0x4f7fffffu,
    0x4f800000u, 0x4f800001u, 0x5f000000u, /* 2^32, 2^63 */
    0x7f7fffffu, 0xff7fffffu, 0x7f800000u,
    0xff800000u, 0x7fc00000u, 0xffc00000u, /* max, inf, NaN */
    0x7fa00001u, 0xff812345u, 0x00000001u,
    0x807fffffu, 0x42fe0000u, 0xc2fe0000u, /* sNaN, sub, 127 */
};

static void run_case(const tcase *c) {
  ir_pair p;
  if (!open_pair(c->name, kernel_ir(c), &p)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_trunc_guards_stats st;
  check(wgc_trunc_guards(&ctx, p.m[1], true, &st) == WASMGRAPH_OK, c->name, err);
  char *after = LLVMPrintModuleToString(p.m[1]);
  unsigned got = st.signed_guards + st.unsigned_guards;
  if (c->want) {
    check(got == 1 && (c->is_unsigned ? st.unsigned_guards : st.signed_guards) == 1, c->name,
          "not rewritten");
    check(count(after, "br i1 %c") == 0, c->name, "the guard's branch is still there");
  } else {
    check(got == 0, c->name, "rewritten, but should have been left alone");
    check(strcmp(after, p.orig) == 0, c->name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  check_verifies(p.m[1], c->name);

  uintptr_t f[2];
  jit_pair(&p, "k", f);
  kernel_fn f0 = (kernel_fn)f[0], f1 = (kernel_fn)f[1];
  unsigned differ = 0, trapped = 0, n = sizeof k_specials / sizeof *k_specials;
  for (unsigned r = 0; f0 && f1 && r < 300000; r++) {
    uint32_t in[4], out0[2] = {0x5a5a5a5au, 0}, out1[2] = {0x5a5a5a5au, 0};
    for (unsigned i = 0; i < 4; i++) {
      uint32_t v = r < 4 * n ? k_specials[(r + i) % n] : ir_rnd();
      if (r >= 4 * n && r % 3 == 0) { /* near the bounds */
        static const uint32_t near[] = {0x4f000000u, 0xcf000000u, 0x4f800000u, 0xbf800000u};
        v = near[ir_rnd() % 4] + (ir_rnd() % 5) - 2;
      }
      in[i] = v;
    }
    f0((uint8_t *)in, (uint8_t *)out0);
    f1((uint8_t *)in, (uint8_t *)out1);
    /* out[1]: the negative cases' extra stores, and the traps' sentinels */
    differ += memcmp(out0, out1, sizeof out0) != 0;
    trapped += !c->effect_in_fast && !c->phi_differs && out0[1] != 0;
  }
  check(differ == 0, c->name, "results differ from the guarded kernel");
  check(trapped == 0, c->name, "the original reached its slow path's trap");
  close_pair(&p);
  finish_case(p.before_failed, "%s (%u signed, %u unsigned)", c->name, st.signed_guards,
              st.unsigned_guards);
}

int main(void) {
  char *triple = LLVMGetDefaultTargetTriple();
  bool x86 = strncmp(triple, "x86_64", 6) == 0;
  LLVMDisposeMessage(triple);
  if (!x86) {
    printf("SKIP: the guarded conversions use x86's cvttss2si; this host is not x86-64\n");
    return 77;
  }
  LLVMDisposeMessage(jit_init_host(host_attrs, sizeof host_attrs));
  static const tcase cases[] = {
      {"signed_lane1", false, 1, false, false, B31, "-2147483648", false, false, true},
      {"signed_lane0_fabs_insert", false, 0, true, true, B31, "-2147483648", false, false, true},
      {"unsigned_lane2", true, 2, false, false, B32, "0", false, false, true},
      {"unsigned_lane0_insert", true, 0, false, true, B32, "0", false, false, true},
      /* negative */
      {"neg_signed_bound_2^30", false, 1, false, false, B30, "-2147483648", false, false, false},
      {"neg_signed_constant_0", false, 1, false, false, B31, "0", false, false, false},
      {"neg_unsigned_bound_2^31", true, 1, false, false, B31, "0", false, false, false},
      {"neg_store_on_fast_path", false, 1, false, false, B31, "-2147483648", true, false, false},
      {"neg_other_phi_differs", true, 3, false, false, B32, "0", false, true, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
