/*
 * test_tile_vectorize.c — unit test of compiler/llvm/tile_vectorize.c on small
 * hand-written LLVM modules shaped like wasm2c + clang -frounding-math
 * output after -O2: a loop whose block keeps a tile of accumulators
 *   acc_k = constrained.fadd(constrained.fmul(s, w_k), acc_k)
 * with s loaded from linear memory and w_k at consecutive addresses.
 *
 * Positive cases assert that the vector constrained operations appear (with
 * the original metadata and operand order), that no scalar product of the
 * tile is left, that the accumulators leave the loop through extractelement
 * and that the module verifies. Negative cases assert that the module is
 * left exactly as it was (printed IR identical): a store in the block,
 * non-consecutive weights, a product with two uses, memory that may reach
 * 65536 pages, bounds-check mode, folded offsets without an anchor load.
 * Prints one line per case and "N passed, M failed"; exit 1 on failure.
 */
#include "llvm/tile_vectorize.h"
#include "ir_test_util.h"

/* Variations of the generated kernel. */
typedef struct kspec {
  unsigned lanes;     /* accumulators */
  bool store_in_loop; /* a store in the tile's block */
  bool gap;           /* last weight 4 bytes further than consecutive */
  bool mul_two_uses;  /* lane 1's product also feeds another phi */
  bool acc_first;     /* fadd(acc, mul) instead of fadd(mul, acc) */
  bool mul_w_first;   /* fmul(w, s) instead of fmul(s, w) */
  int fold;           /* 0: w + 4k in i64; 1: zext(w + 4 + 4k) (i32 adds) with
                         a load at zext(w) as anchor; 2: the same without it */
  bool depthwise;     /* fmul(in_k, w_k), both contiguous */
} kspec;

#define MD "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\""

/* A float load at mem + off (an i64 value); defines %<name>. */
static void load_at(sbuf *b, const char *name, const char *off) {
  put(b, "  %%%s.p = getelementptr inbounds i8, i8* %%mem, i64 %s\n", name, off);
  put(b, "  %%%s.c = bitcast i8* %%%s.p to float*\n", name, name);
  put(b, "  %%%s = load float, float* %%%s.c, align 1\n", name, name);
}

static char *kernel_ir(const kspec *k) {
  sbuf b = {malloc(1024), 0, 1024};
  if (!b.p) abort();
  put(&b,
      "declare float @llvm.experimental.constrained.fmul.f32(float, float, metadata, metadata)\n"
      "declare float @llvm.experimental.constrained.fadd.f32(float, float, metadata, metadata)\n"
      "define void @kernel(i8* %%mem, i32 %%x, i32 %%w, i32 %%n, float* %%out) #0 {\n"
      "entry:\n  br label %%loop\nloop:\n"
      "  %%i = phi i32 [ 0, %%entry ], [ %%i.next, %%loop ]\n");
  for (unsigned t = 0; t < k->lanes; t++)
    put(&b, "  %%a%u = phi float [ 0.0, %%entry ], [ %%s%u, %%loop ]\n", t, t);
  if (k->mul_two_uses) put(&b, "  %%extra = phi float [ 0.0, %%entry ], [ %%e1, %%loop ]\n");
  /* s = mem[x + 4i], weights at w + 16i + 4k (or per the variant) */
  put(&b, "  %%i4 = shl i32 %%i, 2\n  %%xi = add i32 %%x, %%i4\n  %%xz = zext i32 %%xi to i64\n");
  put(&b, "  %%i16 = shl i32 %%i, 5\n  %%wi = add i32 %%w, %%i16\n  %%wz = zext i32 %%wi to i64\n");
  if (!k->depthwise) load_at(&b, "s", "%xz");
  if (k->fold == 1) load_at(&b, "anchor", "%wz");
  for (unsigned t = 0; t < k->lanes; t++) {
    /* folded variants start at w + 4: no lane itself is at zext(w) */
    unsigned off = 4 * t + (k->gap && t == k->lanes - 1 ? 4 : 0) + (k->fold ? 4 : 0);
    char name[16], offv[32];
    if (k->fold && off) {
      put(&b, "  %%wk%u = add i32 %%wi, %u\n  %%wkz%u = zext i32 %%wk%u to i64\n", t, off, t, t);
      snprintf(offv, sizeof offv, "%%wkz%u", t);
    } else if (off) {
      put(&b, "  %%wo%u = add nuw nsw i64 %%wz, %u\n", t, off);
      snprintf(offv, sizeof offv, "%%wo%u", t);
    } else {
      snprintf(offv, sizeof offv, "%%wz");
    }
    snprintf(name, sizeof name, "w%u", t);
    load_at(&b, name, offv);
    const char *s = "%s";
    char in[16];
    if (k->depthwise) {
      put(&b, "  %%io%u = add nuw nsw i64 %%xz, %u\n", t, 4 * t);
      snprintf(offv, sizeof offv, "%%io%u", t);
      snprintf(name, sizeof name, "in%u", t);
      load_at(&b, name, offv);
      snprintf(in, sizeof in, "%%in%u", t);
      s = in;
    }
    if (k->mul_w_first)
      put(&b,
          "  %%m%u = call float @llvm.experimental.constrained.fmul.f32(float %%w%u, float %s, " MD
          ") #1\n",
          t, t, s);
    else
      put(&b,
          "  %%m%u = call float @llvm.experimental.constrained.fmul.f32(float %s, float %%w%u, " MD
          ") #1\n",
          t, s, t);
    if (k->acc_first)
      put(&b,
          "  %%s%u = call float @llvm.experimental.constrained.fadd.f32(float %%a%u, float "
          "%%m%u, " MD ") #1\n",
          t, t, t);
    else
      put(&b,
          "  %%s%u = call float @llvm.experimental.constrained.fadd.f32(float %%m%u, float "
          "%%a%u, " MD ") #1\n",
          t, t, t);
  }
  if (k->mul_two_uses)
    put(&b,
        "  %%e1 = call float @llvm.experimental.constrained.fadd.f32(float %%m1, float %%extra, " MD
        ") #1\n");
  if (k->fold == 1) put(&b, "  %%anchor.keep = fptosi float %%anchor to i32\n");
  if (k->store_in_loop) put(&b, "  store float %%s0, float* %%out, align 4\n");
  put(&b,
      "  %%i.next = add i32 %%i, 1\n  %%c = icmp slt i32 %%i.next, %%n\n"
      "  br i1 %%c, label %%loop, label %%exit\nexit:\n");
  for (unsigned t = 0; t < k->lanes; t++) {
    put(&b, "  %%o%u = getelementptr inbounds float, float* %%out, i64 %u\n", t, t);
    put(&b, "  store float %%s%u, float* %%o%u, align 4\n", t, t);
  }
  put(&b, "  ret void\n}\nattributes #0 = { strictfp }\nattributes #1 = { strictfp }\n");
  return b.p;
}

typedef struct expect {
  unsigned groups;      /* 0: the module must be unchanged */
  unsigned width;       /* lanes per group; 0: kspec.lanes */
  const char *disabled; /* substring of stats.disabled, or NULL */
} expect;

/* Runs the pass on kernel(k) with `opt` and checks the result. */
static void run_case(const char *name, const kspec *k, const wgc_tile_options *opt, expect want) {
  int before_failed = failed;
  char *ir = kernel_ir(k), *orig;
  LLVMContextRef c;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  free(ir);
  if (!m) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_tile_stats st;
  wasmgraph_status s = wgc_tile_vectorize(&ctx, m, opt, &st);
  check(s == WASMGRAPH_OK, name, err);
  check_verifies(m, name);
  char *out = LLVMPrintModuleToString(m);
  char vec[64];
  unsigned w = want.width ? want.width : k->lanes;
  snprintf(vec, sizeof vec, "<%u x float>", w);
  if (want.groups == 0) {
    check(strcmp(orig, out) == 0, name, "module changed although nothing may be packed");
    check(st.groups == 0, name, "groups reported");
    if (want.disabled)
      check(st.disabled && strstr(st.disabled, want.disabled), name, "wrong/no disabled reason");
  } else {
    char fm[96], fa[96];
    snprintf(fm, sizeof fm, "@llvm.experimental.constrained.fmul.v%uf32(", w);
    snprintf(fa, sizeof fa, "@llvm.experimental.constrained.fadd.v%uf32(", w);
    check(st.groups == want.groups && st.groups_by_lanes[w] == want.groups, name, "group count");
    /* one loop block: each group's accumulators are one vector phi */
    check(st.phi_groups == want.groups && st.functions == 1 && !st.disabled, name,
          "phi/function count");
    check(count(out, fm) == want.groups + 1, name, "vector fmul missing"); /* + declaration */
    check(count(out, fa) == want.groups + 1, name, "vector fadd missing");
    check(count(out, "call float @llvm.experimental.constrained.fmul.f32") == 0, name,
          "scalar products left");
    check(count(out, "call float @llvm.experimental.constrained.fadd.f32") == 0, name,
          "scalar accumulations left");
    /* same metadata and strictfp on the new calls */
    check(count(out, "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\") #") ==
              2 * want.groups,
          name, "metadata / attributes of the vector calls");
    check(count(out, "phi ") >= 1 && strstr(out, vec) && count(out, "extractelement") == k->lanes,
          name, "vector phi / extracts at the exits");
    /* operand order: the add keeps (acc, mul) or (mul, acc), the mul (s, w) or (w, s) */
    char order[160];
    snprintf(order, sizeof order, "fadd.v%uf32(<%u x float> %%%s", w, w,
             k->acc_first ? "tv.phi" : "tv.mul");
    check(strstr(out, order) != NULL, name, "fadd operand order");
    if (!k->depthwise) {
      snprintf(order, sizeof order, "fmul.v%uf32(<%u x float> %%%s", w, w,
               k->mul_w_first ? "tv.ld" : "tv.splat");
      check(strstr(out, order) != NULL, name, "fmul operand order");
    }
    check(count(out, "fma") == 0, name, "an FMA appeared");
  }
  if (failed == before_failed) {
    printf("ok   %s (%u groups)\n", name, st.groups);
    passed++;
  } else {
    printf("---- IR after:\n%s\n", out);
  }
  LLVMDisposeMessage(orig);
  LLVMDisposeMessage(out);
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

int main(void) {
  wgc_tile_options on;
  wgc_tile_options_init(&on);
  on.guard_pages = true;
  on.memory_max_pages = 65535;
  on.max_lanes = 8;
  on.verify = true;
  const expect one = {1, 0, NULL}, none = {0, 0, NULL};
  const kspec base4 = {.lanes = 4}, base8 = {.lanes = 8};
  kspec k;

  run_case("tile4", &base4, &on, one);
  run_case("tile8", &base8, &on, one);
  k = base4, k.acc_first = true, k.mul_w_first = true;
  run_case("tile4_operand_orders", &k, &on, one);
  k = base4, k.fold = 1;
  run_case("tile4_folded_with_anchor", &k, &on, one);
  k = base4, k.depthwise = true;
  run_case("depthwise4", &k, &on, one);
  wgc_tile_options four = on;
  four.max_lanes = 4;
  run_case("tile8_as_two_x4", &base8, &four, (expect){2, 4, NULL});

  k = base4, k.store_in_loop = true;
  run_case("neg_store_in_block", &k, &on, none);
  k = base4, k.gap = true;
  run_case("neg_nonconsecutive_weights", &k, &on, none);
  k = base4, k.mul_two_uses = true;
  run_case("neg_product_with_two_uses", &k, &on, none);
  k = base4, k.fold = 2;
  run_case("neg_folded_without_anchor", &k, &on, none);
  wgc_tile_options o = on;
  o.memory_max_pages = 65536;
  run_case("neg_max_pages_65536", &base4, &o, (expect){0, 0, "above 65535 pages"});
  o = on;
  o.guard_pages = false;
  run_case("neg_bounds_check_mode", &base4, &o, (expect){0, 0, "bounds"});

  /* Invalid options are an error, not a silent no-op. */
  o = on;
  o.max_lanes = 16;
  char err[128] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  LLVMContextRef c = LLVMContextCreate();
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("empty", c);
  bool bad_ok = wgc_tile_vectorize(&ctx, m, &o, NULL) == WASMGRAPH_ERR_INVALID_ARGUMENT &&
                strstr(err, "max_lanes") != NULL;
  check(bad_ok, "bad_max_lanes", "max_lanes 16 accepted");
  if (bad_ok) passed++, printf("ok   bad_max_lanes\n");
  LLVMDisposeModule(m);
  LLVMContextDispose(c);

  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
