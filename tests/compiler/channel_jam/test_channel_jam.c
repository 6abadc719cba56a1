/*
 * test_channel_jam.c — compiler/llvm/channel_jam.c on a small conv-shaped
 * kernel, written as the wasm2c output the pass meets: an item loop over
 * i = 3 q + r (channel block q, row r), around a counted loop of 4 input
 * blocks around a counted loop of 4 input lanes; per lane, P positions each
 * add splat(x) * w into a <4 x float> accumulator (constrained fmul/fadd),
 * x an i32 load from row r (shared by the items of a row), w a <4 x float>
 * load from block q (per item). The epilogue adds block q's bias and stores
 * the positions at xout + 48 i. One case also stores, in the latch of the
 * input-block loop, position 0's running sum at xout + 3000 + 64 i + 16 c
 * (a store in an inner block, and a second group of stores). The scratch
 * cases store the P accumulators into a buffer at xout2 that every item
 * shares (as TVM's kernels store a row tile), then an epilogue loop reads
 * them back, adds the bias and stores the outputs: J must give each item a
 * private copy and leave the buffer as the last item leaves it.
 *
 * The pass runs on one copy; the first block of its jammed copy counts its
 * entries (D = 3 per block of 4D items) in @cj_count. Both copies run under
 * MCJIT on 64 KiB of memory followed by a PROT_NONE page (guard pages).
 * Every run must leave the same memory and fault the same way as the
 * original, and the jammed copy must run exactly for the blocks the check
 * lets through: aligned blocks that fit before the loop's end, with every
 * load and store inside the memory's `size`, and no store meeting a load.
 * Cases of other shapes must be left alone (IR unchanged).
 */
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/channel_jam.h"

enum {
  MEM = 65536,
  D = 3,          /* rows: items per channel block */
  IN_ROW = 64,    /* bytes between the input rows */
  IN_BLOCK = 192, /* between input channel blocks (D rows) */
  W_BLOCK = 256,  /* between the channel blocks' weights */
  OUT_ROW = 48,   /* between items' outputs: P positions x 16 bytes */
};

static char host_attrs[4096];

/* wasm-rt.h's wasm_rt_memory_t, as clang lays it out */
typedef struct memory {
  uint8_t *data;
  uint64_t pages, max_pages, size;
  bool is64;
  const uint32_t *interrupt;
} memory;

typedef int32_t (*kernel_fn)(memory **, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                             int32_t);

/* What a case changes in the kernel. */
typedef struct kcase {
  const char *name;
  bool jammed;             /* expected */
  const char *features;    /* the function's, NULL: the host's */
  unsigned positions;      /* accumulators (P); 0: 3 */
  int out_row;             /* bytes between items' outputs; 0: OUT_ROW */
  bool no_rows;            /* D = 1: no sdiv, every item reads the same input */
  bool rem_as_sub;         /* r = i - 3q instead of srem */
  bool x_per_item;         /* the input also depends on q */
  bool inner_store;        /* a store inside the inner loop */
  bool item_branch;        /* the inner loop's bound depends on the item */
  bool used_after;         /* a value of the loop is used after it */
  bool second_out;         /* also store position 0's running sum per input block */
  bool scratch;            /* the tile goes through a shared buffer at xout2 */
  bool scratch_flag;       /* ... read back by a 2-trip loop on an i1 phi */
  bool scratch_gap;        /* ... whose last chunk no item writes (it reads it) */
  bool scratch_read_first; /* ... which an item reads before it writes it */
  bool scratch_holes;      /* ... written and read every other chunk */
  bool scratch_zero;       /* ... with one more chunk cleared as <2 x i64>, read back too */
  bool scratch_in_e;       /* ... read back in E itself (no loop) */
  bool scratch_memset;     /* ... cleared by an llvm.memset in H0 first */
  bool scratch_hexit;      /* ... read back by a loop that leaves from its header */
  bool workspace;          /* ... a workspace block each item allocates and frees */
  bool workspace_per_item; /* ... of a size that depends on the item */
  bool out_induction;      /* positions 1.. stored through a running output pointer */
} kcase;

#define FMUL "call <4 x float> @llvm.experimental.constrained.fmul.v4f32"
#define FADD "call <4 x float> @llvm.experimental.constrained.fadd.v4f32"
#define STRICT "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\") #1"

/* Block q's bias (%bias) and item i's output address (%oa). */
static void put_bias_and_out(sbuf *b, int out_row) {
  put(b,
      "  %%bq = shl i32 %%q, 4\n"
      "  %%ba = add i32 %%bq, %%xb\n"
      "  %%bz = zext i32 %%ba to i64\n"
      "  %%bp = getelementptr inbounds i8, i8* %%data, i64 %%bz\n"
      "  %%bpv = bitcast i8* %%bp to <4 x float>*\n"
      "  %%bias = load <4 x float>, <4 x float>* %%bpv, align 1\n"
      "  %%o = mul i32 %%i, %d\n"
      "  %%oa = add i32 %%o, %%xout\n",
      out_row);
}

static char *kernel_ir(const kcase *k) {
  unsigned P = k->positions ? k->positions : 3;
  const char *buf = k->workspace ? "%wsb" : "%xout2"; /* the shared buffer */
  int out_row = k->out_row ? k->out_row : OUT_ROW;
  sbuf b = {0};
  put(&b,
      "%%struct.wasm_rt_memory_t = type { i8*, i64, i64, i64, i8, i32* }\n"
      "@cj_count = global i32 0\n"
      "declare <4 x float> @llvm.experimental.constrained.fmul.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x float> @llvm.experimental.constrained.fadd.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x float> @llvm.fabs.v4f32(<4 x float>)\n"
      "declare void @llvm.memset.p0i8.i64(i8*, i8, i64, i1)\n"
      /* runtime/workspace.c's arena in miniature: a stack of block starts,
       * blocks on 64-byte boundaries up to @ws_end; a free of anything but
       * the last block fails */
      "@envslot = global i8* null\n"
      "@ws_top = global i32 0\n"
      "@ws_end = global i32 0\n"
      "@ws_depth = global i32 0\n"
      "@ws_stack = global [8 x i32] zeroinitializer\n"
      "define i32 @w2c_env_TVMBackendAllocWorkspace(i8* %%env, i32 %%t, i32 %%id, i64 %%n, "
      "i32 %%c, i32 %%bits) noinline {\n"
      "  %%top = load i32, i32* @ws_top\n"
      "  %%t63 = add i32 %%top, 63\n"
      "  %%st = and i32 %%t63, -64\n"
      "  %%n32 = trunc i64 %%n to i32\n"
      "  %%nt = add i32 %%st, %%n32\n"
      "  %%end = load i32, i32* @ws_end\n"
      "  %%d = load i32, i32* @ws_depth\n"
      "  %%full = icmp uge i32 %%d, 8\n"
      "  %%over = icmp ugt i32 %%nt, %%end\n"
      "  %%bad = or i1 %%full, %%over\n"
      "  br i1 %%bad, label %%no, label %%yes\n"
      "no:\n  ret i32 0\n"
      "yes:\n"
      "  %%slot = getelementptr [8 x i32], [8 x i32]* @ws_stack, i32 0, i32 %%d\n"
      "  store i32 %%top, i32* %%slot\n"
      "  %%d1 = add i32 %%d, 1\n"
      "  store i32 %%d1, i32* @ws_depth\n"
      "  store i32 %%nt, i32* @ws_top\n"
      "  ret i32 %%st\n"
      "}\n"
      "define i32 @w2c_env_TVMBackendFreeWorkspace(i8* %%env, i32 %%t, i32 %%id, i32 %%p) "
      "noinline {\n"
      "  %%d = load i32, i32* @ws_depth\n"
      "  %%none = icmp eq i32 %%d, 0\n"
      "  br i1 %%none, label %%no, label %%some\n"
      "no:\n  ret i32 -1\n"
      "some:\n"
      "  %%d1 = sub i32 %%d, 1\n"
      "  %%slot = getelementptr [8 x i32], [8 x i32]* @ws_stack, i32 0, i32 %%d1\n"
      "  %%top = load i32, i32* %%slot\n"
      "  %%t63 = add i32 %%top, 63\n"
      "  %%st = and i32 %%t63, -64\n"
      "  %%last = icmp eq i32 %%st, %%p\n"
      "  br i1 %%last, label %%pop, label %%no\n"
      "pop:\n"
      "  store i32 %%d1, i32* @ws_depth\n"
      "  store i32 %%top, i32* @ws_top\n"
      "  ret i32 0\n"
      "}\n"
      "define i32 @k(%%struct.wasm_rt_memory_t** %%ms, i32 %%start, i32 %%end, i32 %%xin, "
      "i32 %%xw, i32 %%xb, i32 %%xout, i32 %%xout2) #0 {\n"
      "entry:\n"
      "  %%mem = load %%struct.wasm_rt_memory_t*, %%struct.wasm_rt_memory_t** %%ms\n"
      "  %%dp = getelementptr %%struct.wasm_rt_memory_t, %%struct.wasm_rt_memory_t* %%mem, "
      "i32 0, i32 0\n"
      "  %%data = load i8*, i8** %%dp\n"
      "  %%any = icmp slt i32 %%start, %%end\n");
  if (k->workspace) /* the arena starts at xout2 and ends at the memory's size */
    put(&b,
        "  store i32 %%xout2, i32* @ws_top\n"
        "  %%wszp = getelementptr %%struct.wasm_rt_memory_t, %%struct.wasm_rt_memory_t* %%mem, "
        "i32 0, i32 3\n"
        "  %%wsz = load i64, i64* %%wszp\n"
        "  %%wend = trunc i64 %%wsz to i32\n"
        "  store i32 %%wend, i32* @ws_end\n"
        "  store i32 0, i32* @ws_depth\n");
  if (k->scratch_memset && !k->workspace)
    /* as WG_MEMSET leaves it once LLVM has moved its range check out of the
     * loop: a buffer past `size` returns before the loop (a workspace block
     * is inside memory, or its allocation fails) */
    put(&b,
        "  %%msz = zext i32 %%xout2 to i64\n"
        "  %%mp = getelementptr inbounds i8, i8* %%data, i64 %%msz\n"
        "  %%mend = add i64 %%msz, %u\n"
        "  %%szp = getelementptr %%struct.wasm_rt_memory_t, %%struct.wasm_rt_memory_t* %%mem, "
        "i32 0, i32 3\n"
        "  %%size = load i64, i64* %%szp\n"
        "  %%fits = icmp ule i64 %%mend, %%size\n"
        "  %%go = and i1 %%any, %%fits\n"
        "  br i1 %%go, label %%%s, label %%exit\n",
        16 * P, k->workspace ? "wpre" : "item");
  else {
    if (k->out_induction)
      put(&b, "  %%orun.s = mul i32 %%start, %d\n  %%orun0 = add i32 %%orun.s, %%xout\n", out_row);
    put(&b, "  br i1 %%any, label %%%s, label %%exit\n", k->workspace ? "wpre" : "item");
  }
  /* a preheader, as LLVM's loop passes leave one */
  if (k->workspace) put(&b, "wpre:\n  br label %%item\n");
  /* H0: the item's channel block q and row r */
  put(&b,
      "item:\n"
      "  %%i = phi i32 [ %%start, %%%s ], [ %%i.next, %%%s ]\n",
      k->workspace ? "wpre" : "entry", k->workspace ? "latch" : "epi");
  if (k->out_induction) /* as TVM keeps it: xout + start * out_row, then + out_row per item */
    put(&b, "  %%orun = phi i32 [ %%orun0, %%entry ], [ %%orun.next, %%epi ]\n");
  if (k->workspace)
    put(&b,
        "  %%wenv = load i8*, i8** @envslot\n"
        "  %%wsb = call i32 @w2c_env_TVMBackendAllocWorkspace(i8* %%wenv, i32 1, i32 %s, i64 %u, "
        "i32 2, i32 32)\n"
        "  %%wz = icmp eq i32 %%wsb, 0\n"
        "  br i1 %%wz, label %%after, label %%item.b\n"
        "item.b:\n",
        k->workspace_per_item ? "%i" : "0", 16 * P);
  if (k->scratch_memset && k->workspace)
    put(&b,
        "  %%msz = zext i32 %%wsb to i64\n"
        "  %%mp = getelementptr inbounds i8, i8* %%data, i64 %%msz\n");
  if (k->scratch_memset)
    put(&b, "  call void @llvm.memset.p0i8.i64(i8* %%mp, i8 0, i64 %u, i1 false)\n", 16 * P);
  if (k->no_rows) put(&b, "  %%q = add i32 %%i, 0\n  %%r = add i32 0, 0\n");
  else if (k->rem_as_sub)
    put(&b, "  %%q = sdiv i32 %%i, %d\n  %%q3 = mul nsw i32 %%q, -%d\n  %%r = add i32 %%q3, %%i\n",
        D, D);
  else put(&b, "  %%q = sdiv i32 %%i, %d\n  %%r = srem i32 %%i, %d\n", D, D);
  put(&b,
      "  %%rin = mul i32 %%r, %d\n"
      "  %%in0a = add i32 %%rin, %%xin\n"
      "  %%qin = shl i32 %%q, 3\n"
      "  %%in0 = add i32 %%in0a, %s\n"
      "  %%wq = mul i32 %%q, %d\n"
      "  %%w0 = add i32 %%wq, %%xw\n"
      "  %%qb = add i32 %%q, 2\n"
      "  br label %%outer\n",
      IN_ROW, k->x_per_item ? "%qin" : "0", W_BLOCK);
  /* 4 input blocks */
  const char *h0 = k->workspace ? "%item.b" : "%item"; /* where the item's values come from */
  put(&b, "outer:\n");
  for (unsigned p = 0; p < P; p++)
    put(&b, "  %%acc%u = phi <4 x float> [ zeroinitializer, %s ], [ %%acc%u.in, %%olatch ]\n", p,
        h0, p);
  put(&b,
      "  %%c1 = phi i32 [ 0, %s ], [ %%c1.next, %%olatch ]\n"
      "  %%pin = phi i32 [ %%in0, %s ], [ %%pin.next, %%olatch ]\n"
      "  %%pw = phi i32 [ %%w0, %s ], [ %%pw.next, %%olatch ]\n"
      "  br label %%inner\n"
      /* 4 input lanes */
      "inner:\n",
      h0, h0, h0);
  for (unsigned p = 0; p < P; p++)
    put(&b, "  %%a%u = phi <4 x float> [ %%acc%u, %%outer ], [ %%a%u.next, %%inner ]\n", p, p, p);
  put(&b,
      "  %%c2 = phi i32 [ 0, %%outer ], [ %%c2.next, %%inner ]\n"
      "  %%xi = phi i32 [ %%pin, %%outer ], [ %%xi.next, %%inner ]\n"
      "  %%xv = phi i32 [ %%pw, %%outer ], [ %%xv.next, %%inner ]\n"
      "  %%wa = zext i32 %%xv to i64\n"
      "  %%wp = getelementptr inbounds i8, i8* %%data, i64 %%wa\n"
      "  %%wpv = bitcast i8* %%wp to <4 x float>*\n"
      "  %%w = load <4 x float>, <4 x float>* %%wpv, align 1\n");
  for (unsigned p = 0; p < P; p++)
    put(&b,
        "  %%xo%u = add i32 %%xi, %u\n"
        "  %%xa%u = zext i32 %%xo%u to i64\n"
        "  %%xp%u = getelementptr inbounds i8, i8* %%data, i64 %%xa%u\n"
        "  %%xq%u = bitcast i8* %%xp%u to i32*\n"
        "  %%x%u = load i32, i32* %%xq%u, align 1\n"
        "  %%xe%u = insertelement <4 x i32> undef, i32 %%x%u, i64 0\n"
        "  %%xf%u = bitcast <4 x i32> %%xe%u to <4 x float>\n"
        "  %%xs%u = shufflevector <4 x float> %%xf%u, <4 x float> poison, <4 x i32> "
        "zeroinitializer\n"
        "  %%m%u = " FMUL "(<4 x float> %%xs%u, <4 x float> %%w, " STRICT
        "\n"
        "  %%a%u.next = " FADD "(<4 x float> %%m%u, <4 x float> %%a%u, " STRICT "\n",
        p, 16 * p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
  if (k->inner_store) put(&b, "  store <4 x float> %%m0, <4 x float>* %%wpv, align 1\n");
  put(&b,
      "  %%c2.next = add i32 %%c2, 1\n"
      "  %%xi.next = add i32 %%xi, 4\n"
      "  %%xv.next = add i32 %%xv, 16\n"
      "  %%done2 = icmp eq i32 %%c2.next, %s\n"
      "  br i1 %%done2, label %%olatch, label %%inner\n"
      "olatch:\n",
      k->item_branch ? "%qb" : "4");
  for (unsigned p = 0; p < P; p++)
    put(&b, "  %%acc%u.in = phi <4 x float> [ %%a%u.next, %%inner ]\n", p, p);
  if (k->second_out)
    put(&b,
        "  %%so = mul i32 %%i, 64\n"
        "  %%sc = shl i32 %%c1, 4\n"
        "  %%sa = add i32 %%so, %%sc\n"
        "  %%sb = add i32 %%sa, %%xout2\n"
        "  %%sz = zext i32 %%sb to i64\n"
        "  %%sp = getelementptr inbounds i8, i8* %%data, i64 %%sz\n"
        "  %%spv = bitcast i8* %%sp to <4 x float>*\n"
        "  store <4 x float> %%acc0.in, <4 x float>* %%spv, align 1\n");
  put(&b,
      "  %%c1.next = add i32 %%c1, 1\n"
      "  %%pin.next = add i32 %%pin, %d\n"
      "  %%pw.next = add i32 %%pw, 64\n"
      "  %%done1 = icmp eq i32 %%c1.next, 4\n"
      "  br i1 %%done1, label %%%s, label %%outer\n",
      IN_BLOCK, k->scratch ? "stile" : "epi");
  if (k->scratch) {
    /* the tile into the buffer, then a loop of T trips reads back U chunks
     * per trip, adds the bias and stores the outputs */
    unsigned U = k->scratch_in_e ? P : k->scratch_flag ? P / 2 : 1;
    unsigned T = (P + (k->scratch_zero ? 1u : 0u)) / U;
    put(&b, "stile:\n  %%sz = zext i32 %s to i64\n", buf);
    put_bias_and_out(&b, out_row);
    if (k->scratch_read_first)
      put(&b,
          "  %%pp = getelementptr inbounds i8, i8* %%data, i64 %%sz\n"
          "  %%ppv = bitcast i8* %%pp to <4 x float>*\n"
          "  %%pre = load <4 x float>, <4 x float>* %%ppv, align 1\n");
    for (unsigned p = 0; p < P - (k->scratch_gap ? 1u : 0u); p++)
      put(&b,
          "  %%ts%u = add i64 %%sz, %u\n"
          "  %%tp%u = getelementptr inbounds i8, i8* %%data, i64 %%ts%u\n"
          "  %%tq%u = bitcast i8* %%tp%u to <4 x float>*\n"
          "  store <4 x float> %%acc%u.in, <4 x float>* %%tq%u, align 1\n",
          p, (k->scratch_holes ? 32 : 16) * p, p, p, p, p, p, p);
    if (k->scratch_zero)
      put(&b,
          "  %%zs = add i64 %%sz, %u\n"
          "  %%zp = getelementptr inbounds i8, i8* %%data, i64 %%zs\n"
          "  %%zq = bitcast i8* %%zp to <2 x i64>*\n"
          "  store <2 x i64> zeroinitializer, <2 x i64>* %%zq, align 1\n",
          16 * P);
    if (k->scratch_in_e) {
      put(&b, "  br label %%epi\nepi:\n  %%e16 = add i32 0, 0\n  %%o16 = add i32 0, 0\n");
    } else if (k->scratch_hexit) {
      /* chunk c3 in the header, which leaves when c3 | 1 is P (P odd), and
       * chunk c3 | 1 in the latch: the header runs once more than the latch */
      put(&b,
          "  br label %%eloop\n"
          "eloop:\n"
          "  %%c3 = phi i32 [ 0, %%stile ], [ %%c3.next, %%elatch ]\n"
          "  %%e16 = mul i32 %%c3, 16\n"
          "  %%o16 = mul i32 %%c3, 16\n");
    } else {
      put(&b, "  br label %%eloop\neloop:\n");
      if (k->scratch_flag)
        put(&b,
            "  %%ef = phi i1 [ false, %%stile ], [ true, %%eloop ]\n"
            "  %%c3 = phi i32 [ 0, %%stile ], [ 1, %%eloop ]\n");
      else put(&b, "  %%c3 = phi i32 [ 0, %%stile ], [ %%c3.next, %%eloop ]\n");
      put(&b, "  %%e16 = mul i32 %%c3, %u\n  %%o16 = mul i32 %%c3, %u\n",
          (k->scratch_holes ? 32 : 16) * U, 16 * U);
    }
    for (unsigned u = 0; u < U; u++)
      put(&b,
          "  %%ls%u = add i32 %%e16, %s\n"
          "  %%lz%u = zext i32 %%ls%u to i64\n"
          "  %%lo%u = add i64 %%lz%u, %u\n"
          "  %%lp%u = getelementptr inbounds i8, i8* %%data, i64 %%lo%u\n"
          "  %%lq%u = bitcast i8* %%lp%u to <4 x float>*\n"
          "  %%sv%u = load <4 x float>, <4 x float>* %%lq%u, align 1\n"
          "  %%g%u = " FADD "(<4 x float> %%sv%u, <4 x float> %%bias, " STRICT
          "\n"
          "  %%os%u = add i32 %%o16, %%oa\n"
          "  %%oz%u = zext i32 %%os%u to i64\n"
          "  %%oo%u = add i64 %%oz%u, %u\n"
          "  %%op%u = getelementptr inbounds i8, i8* %%data, i64 %%oo%u\n"
          "  %%oq%u = bitcast i8* %%op%u to <4 x float>*\n"
          "  store <4 x float> %%g%u, <4 x float>* %%oq%u, align 1\n",
          u, buf, u, u, u, u, 16 * u, u, u, u, u, u, u, u, u, u, u, u, u, u, 16 * u, u, u, u, u, u,
          u);
    if (k->scratch_in_e) {
    } else if (k->scratch_hexit) {
      put(&b,
          "  %%c3.1 = or i32 %%c3, 1\n"
          "  %%last = icmp eq i32 %%c3.1, %u\n"
          "  br i1 %%last, label %%epi, label %%elatch\n"
          "elatch:\n"
          "  %%f16 = shl i32 %%c3.1, 4\n"
          "  %%fs = add i32 %%f16, %s\n"
          "  %%fz = zext i32 %%fs to i64\n"
          "  %%fp = getelementptr inbounds i8, i8* %%data, i64 %%fz\n"
          "  %%fq = bitcast i8* %%fp to <4 x float>*\n"
          "  %%fv = load <4 x float>, <4 x float>* %%fq, align 1\n"
          "  %%fg = " FADD "(<4 x float> %%fv, <4 x float> %%bias, " STRICT
          "\n"
          "  %%ft = add i32 %%f16, %%oa\n"
          "  %%fo = zext i32 %%ft to i64\n"
          "  %%fop = getelementptr inbounds i8, i8* %%data, i64 %%fo\n"
          "  %%foq = bitcast i8* %%fop to <4 x float>*\n"
          "  store <4 x float> %%fg, <4 x float>* %%foq, align 1\n"
          "  %%c3.next = add i32 %%c3, 2\n"
          "  br label %%eloop\n"
          "epi:\n",
          P, buf);
    } else if (k->scratch_flag) {
      put(&b, "  br i1 %%ef, label %%epi, label %%eloop\nepi:\n");
    } else {
      put(&b,
          "  %%c3.next = add i32 %%c3, 1\n"
          "  %%done3 = icmp eq i32 %%c3.next, %u\n"
          "  br i1 %%done3, label %%epi, label %%eloop\n"
          "epi:\n",
          T);
    }
  } else {
    /* E: bias, the tile out, then the next item */
    put(&b, "epi:\n");
    put_bias_and_out(&b, out_row);
    put(&b, "  %%oz = zext i32 %%oa to i64\n");
    if (k->out_induction)
      put(&b,
          "  %%oiz = zext i32 %%orun to i64\n"
          "  %%orun.next = add i32 %%orun, %d\n",
          out_row);
    for (unsigned p = 0; p < P; p++)
      put(&b,
          "  %%g%u = " FADD "(<4 x float> %%acc%u.in, <4 x float> %%bias, " STRICT
          "\n"
          "  %%h%u = call <4 x float> @llvm.fabs.v4f32(<4 x float> %%g%u)\n"
          "  %%os%u = add i64 %s, %u\n"
          "  %%op%u = getelementptr inbounds i8, i8* %%data, i64 %%os%u\n"
          "  %%oq%u = bitcast i8* %%op%u to <4 x float>*\n"
          "  store <4 x float> %s%u, <4 x float>* %%oq%u, align 1\n",
          p, p, p, p, p, k->out_induction && p ? "%oiz" : "%oz", 16 * p, p, p, p, p,
          p & 1 ? "%h" : "%g", p, p);
  }
  if (k->workspace)
    put(&b,
        "  br label %%wfree\n"
        "wfree:\n"
        "  %%wfenv = load i8*, i8** @envslot\n"
        "  %%wfr = call i32 @w2c_env_TVMBackendFreeWorkspace(i8* %%wfenv, i32 1, i32 0, i32 "
        "%%wsb)\n"
        "  %%wfz = icmp eq i32 %%wfr, 0\n"
        "  br i1 %%wfz, label %%latch, label %%after\n"
        "latch:\n");
  put(&b,
      "  %%i.next = add i32 %%i, 1\n"
      "  %%done = icmp eq i32 %%i.next, %%end\n"
      "  br i1 %%done, label %%after, label %%item\n"
      "after:\n"
      "%s"
      "  %%u = add i32 %s, %s\n"
      "  br label %%exit\n"
      "exit:\n"
      "  %%res = phi i32 [ 0, %%entry ], [ %%u, %%after ]\n"
      "  ret i32 %%res\n"
      "}\n",
      /* how the loop ended: a failed allocation, a failed free, or done */
      k->workspace ? "  %wres = phi i32 [ -100, %item ], [ -200, %wfree ], [ 1, %latch ]\n" : "",
      k->used_after ? "%o" : "%end", k->workspace ? "%wres" : "1");
  if (k->features)
    put(&b, "attributes #0 = { strictfp \"target-features\"=\"%s\" }\n", k->features);
  else put(&b, "attributes #0 = { strictfp %s }\n", host_attrs);
  put(&b, "attributes #1 = { strictfp }\n");
  return b.p;
}

/* ---- memory -------------------------------------------------------------- */

static uint8_t *g_mem; /* MEM bytes, then a PROT_NONE page */
static uint8_t g_init[MEM], g_after0[MEM];

typedef struct kcall {
  kernel_fn f;
  memory *slot;
  int32_t start, end, xin, xw, xb, xout, xout2, ret;
} kcall;
static void kthunk(void *arg) {
  kcall *c = arg;
  c->ret = c->f(&c->slot, c->start, c->end, c->xin, c->xw, c->xb, c->xout, c->xout2);
}

/* Runs c from g_init with the memory's size field `size`; false if it
 * faulted. *ret: what the kernel returned. */
static bool run(kcall c, uint64_t size, int32_t *ret) {
  static const uint32_t no_interrupt = 0;
  memory mem = {
      .data = g_mem, .pages = 1, .max_pages = 1, .size = size, .interrupt = &no_interrupt};
  memcpy(g_mem, g_init, MEM);
  c.slot = &mem;
  c.ret = -7;
  bool ok = ir_call_guarded(kthunk, &c);
  *ret = c.ret;
  return ok;
}

/* The workspace arena's depth and top after a run (0, 0 without one). */
static void arena(LLVMExecutionEngineRef ee, uint32_t out[2]) {
  uint32_t *d = (uint32_t *)(uintptr_t)LLVMGetGlobalValueAddress(ee, "ws_depth");
  uint32_t *t = (uint32_t *)(uintptr_t)LLVMGetGlobalValueAddress(ee, "ws_top");
  out[0] = d ? *d : 0, out[1] = t ? *t : 0;
}

/* After the pass: count the entries of the jammed copy in @cj_count. */
static bool instrument(LLVMModuleRef m) {
  LLVMValueRef fn = LLVMGetNamedFunction(m, "k"), g = LLVMGetNamedGlobal(m, "cj_count");
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn); b; b = LLVMGetNextBasicBlock(b)) {
    const char *name = LLVMGetBasicBlockName(b);
    if (!name || strcmp(name, "cj.jam") != 0) continue;
    LLVMBuilderRef bd = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
    LLVMValueRef at = LLVMGetFirstInstruction(b);
    while (at && LLVMIsAPHINode(at)) at = LLVMGetNextInstruction(at);
    LLVMPositionBuilderBefore(bd, at);
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
    LLVMValueRef v = LLVMBuildLoad2(bd, i32, g, "");
    LLVMBuildStore(bd, LLVMBuildAdd(bd, v, LLVMConstInt(i32, 1, 0), ""), g);
    LLVMDisposeBuilder(bd);
    return true; /* the first: the copy of the item header */
  }
  return false;
}

/* One run of a case: the items, where the buffers are, the memory's size,
 * and what must happen. */
typedef struct placement {
  const char *what;
  int32_t start, end, xin, xw, xb, xout;
  uint64_t size;
  bool fault;
  unsigned rows;   /* entries of the jammed copy: D per block */
  unsigned blocks; /* the same with D = 1 (blocks of 4 items, any start) */
  int32_t out2;    /* the second output at xout + out2 (0: 3000; only with second_out) */
  bool scratch;    /* only for the scratch cases (out2: where the buffer lies) */
} placement;

static void run_case(const kcase *k) {
  ir_pair P;
  if (!open_pair(k->name, kernel_ir(k), &P)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_channel_jam_stats st;
  memset(&st, 0xa5, sizeof st); /* the pass must reset every field */
  check(wgc_channel_jam(&ctx, P.m[1], true, &st) == WASMGRAPH_OK, k->name, err);
  check_verifies(P.m[1], k->name);
  check(st.jammed == (k->jammed ? 1u : 0u) && st.functions == st.jammed, k->name,
        "stats (jammed / functions)");
  check(st.peeled == (k->scratch_hexit ? 1u : 0u), k->name, "stats (loops peeled)");
  check(st.hoisted == (k->workspace && k->jammed ? 1u : 0u), k->name, "stats (workspaces hoisted)");
  check(st.cleared == (k->scratch_memset ? 1u : 0u), k->name, "stats (memsets cleared)");
  if (!k->jammed) {
    char *after = LLVMPrintModuleToString(P.m[1]);
    check(strcmp(after, P.orig) == 0, k->name, "the IR changed");
    LLVMDisposeMessage(after);
    close_pair(&P);
    finish_case(P.before_failed, "%s (left alone)", k->name);
    return;
  }
  check(instrument(P.m[1]), k->name, "no cj.jam block");
  uintptr_t fa[2];
  bool run_here = __builtin_cpu_supports("avx512f");
  bool jitted = run_here && jit_pair(&P, "k", fa);
  kernel_fn f0 = jitted ? (kernel_fn)fa[0] : NULL, f1 = jitted ? (kernel_fn)fa[1] : NULL;
  uint32_t *count =
      jitted ? (uint32_t *)(uintptr_t)LLVMGetGlobalValueAddress(P.ee[1], "cj_count") : NULL;
  check(!jitted || count, k->name, "no cj_count in the JIT-compiled copy");
  const unsigned d = k->no_rows ? 1 : D;
  const int32_t w8 = 8 * W_BLOCK; /* the weights of channel blocks 0..7 */
  placement pl[] = {
      {"two blocks", 0, 24, 1024, 8192, 4096, 20000, MEM, false, 6, 6, 0, false},
      {"unaligned start and a tail", 1, 25, 1024, 8192, 4096, 20000, MEM, false, 3, 6, 0, false},
      {"one block and one item", 0, 13, 1024, 8192, 4096, 20000, MEM, false, 3, 3, 0, false},
      {"fewer items than a block", 0, 11, 1024, 8192, 4096, 20000, MEM, false, 0, 2, 0, false},
      /* block 7's weights end 8 bytes past the memory: the second block runs
       * item by item, and item 21 faults after item 20's stores (D = 1: items
       * 4-6 alone, item 7 faults) */
      {"weights past the end", 0, 24, 1024, MEM - w8 + 8, 4096, 20000, MEM, true, 3, 1, 0, false},
      /* the same against a `size` below the mapping: no fault, no jam there */
      {"size below the mapping", 0, 24, 1024, 30000 - w8 + 8, 4096, 20000, 30000, false, 3, 1, 0,
       false},
      /* the first block's outputs land on the second block's weights, and so
       * do the second's (D = 1: the blocks starting at items 1-5 meet their
       * weights; 0, 6, 10, 14, 18 do not) */
      {"stores meet a later block's weights", 0, 24, 1024, 8192, 4096, 8192 + 4 * W_BLOCK + 32, MEM,
       false, 3, 5, 0, false},
      /* the outputs run from below the inputs into them (D = 1: the blocks at
       * items 0 and 4 end below them) */
      {"stores over the inputs", 0, 24, 1024, 8192, 4096, 624, MEM, false, 0, 2, 0, false},
      /* with second_out: the second output overlaps the first */
      {"the two outputs overlap", 0, 24, 1024, 8192, 4096, 20000, MEM, false, 0, 0, 24, false},
      /* the buffer on the inputs: never jammed (and every item reads what
       * the previous one left there) */
      {"scratch over the inputs", 0, 24, 1024, 8192, 4096, 20000, MEM, false, 0, 0,
       1024 + 16 - 20000, true},
      /* the buffer on the outputs of items 20-23 */
      {"scratch over later outputs", 0, 24, 1024, 8192, 4096, 20000, MEM, false, 3, 3, 20 * 64 + 8,
       true},
      /* the buffer's last chunk 4 bytes past the memory: item 0 faults */
      {"scratch past the end", 0, 24, 1024, 8192, 4096, 20000, MEM, true, 0, 0, MEM - 60 - 20000,
       true},
  };
  for (unsigned p = 0; f0 && f1 && count && p < sizeof pl / sizeof *pl; p++) {
    if (pl[p].scratch ? !k->scratch : pl[p].out2 && !k->second_out) continue;
    for (unsigned i = 0; i < MEM; i++) g_init[i] = (uint8_t)(ir_rnd() >> 7);
    /* finite floats: exponent bits cleared in every 4th byte */
    for (unsigned i = 3; i < MEM; i += 4) g_init[i] &= 0x3f;
    unsigned want = d == 1 ? pl[p].blocks : pl[p].rows;
    kcall c = {.start = pl[p].start,
               .end = pl[p].end,
               .xin = pl[p].xin,
               .xw = pl[p].xw,
               .xb = pl[p].xb,
               .xout = pl[p].xout,
               .xout2 = pl[p].xout + (pl[p].out2 ? pl[p].out2 : 3000)};
    /* a cleared buffer past the end: the range check returns first */
    bool fault = pl[p].fault && !((k->scratch_memset || k->workspace) && pl[p].scratch);
    c.f = f0;
    int32_t ret0, ret1;
    uint32_t ws0[2], ws1[2];
    bool ok0 = run(c, pl[p].size, &ret0);
    memcpy(g_after0, g_mem, MEM);
    arena(P.ee[0], ws0);
    *count = 0;
    c.f = f1;
    bool ok1 = run(c, pl[p].size, &ret1);
    arena(P.ee[1], ws1);
    char what[200];
    snprintf(what, sizeof what, "%s: loop %s, pass %s, want %s", pl[p].what,
             ok0 ? "ran" : "faulted", ok1 ? "ran" : "faulted", fault ? "a fault" : "no fault");
    check(ok0 == ok1 && ok0 == !fault, k->name, what);
    snprintf(what, sizeof what, "%s: returned %d, the loop %d", pl[p].what, ret1, ret0);
    check(!ok0 || ret0 == ret1, k->name, what);
    snprintf(what, sizeof what, "%s: arena depth %u top %u, the loop's %u %u", pl[p].what, ws1[0],
             ws1[1], ws0[0], ws0[1]);
    check(ws0[0] == ws1[0] && ws0[1] == ws1[1], k->name, what);
    snprintf(what, sizeof what, "%s: memory differs from the loop's", pl[p].what);
    check(memcmp(g_after0, g_mem, MEM) == 0, k->name, what);
    snprintf(what, sizeof what, "%s: the jammed copy ran %u times, want %u", pl[p].what, *count,
             want);
    check(*count == want, k->name, what);
  }
  close_pair(&P);
  finish_case(P.before_failed, "%s%s", k->name,
              jitted ? "" : " (not run: this host lacks AVX-512)");
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  char *feat = jit_init_host(host_attrs, sizeof host_attrs);
  __builtin_cpu_init();
  if (!(g_mem = guarded_memory(MEM))) {
    printf("FAIL: cannot map guarded memory\n");
    return 1;
  }
  static const kcase cases[] = {
      {.name = "conv-shaped item loop, 3 positions", .jammed = true},
      {.name = "2 positions", .jammed = true, .positions = 2},
      {.name = "row as i - 3q", .jammed = true, .rem_as_sub = true},
      {.name = "no rows: 4 consecutive items", .jammed = true, .no_rows = true},
      {.name = "a second output stored in an inner block", .jammed = true, .second_out = true},
      {.name = "a row tile through a shared buffer",
       .jammed = true,
       .positions = 4,
       .out_row = 64,
       .scratch = true},
      {.name = "a shared buffer read back by a 2-trip flag loop",
       .jammed = true,
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_flag = true},
      {.name = "a shared buffer read back in the epilogue block",
       .jammed = true,
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_in_e = true},
      {.name = "a shared buffer with a chunk cleared as <2 x i64>",
       .jammed = true,
       .positions = 4,
       .out_row = 80,
       .scratch = true,
       .scratch_zero = true},
      /* the same tensor through the counter and through an induction: one
       * group of stores (else the check finds the two overlapping) */
      {.name = "outputs through a running pointer and through i * stride",
       .jammed = true,
       .out_induction = true},
      {.name = "a shared buffer cleared by a memset",
       .jammed = true,
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_memset = true},
      {.name = "a shared buffer read back by a loop leaving from its header",
       .jammed = true,
       .positions = 5,
       .out_row = 80,
       .scratch = true,
       .scratch_hexit = true},
      {.name = "both: cleared, then read back by such a loop",
       .jammed = true,
       .positions = 5,
       .out_row = 80,
       .scratch = true,
       .scratch_memset = true,
       .scratch_hexit = true},
      {.name = "a workspace block per item as the shared buffer",
       .jammed = true,
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .workspace = true},
      {.name = "all three: a workspace block, cleared, read back by a header-exit loop",
       .jammed = true,
       .positions = 5,
       .out_row = 80,
       .scratch = true,
       .scratch_memset = true,
       .scratch_hexit = true,
       .workspace = true},
      /* left alone */
      {.name = "AVX2 only", .features = "+avx,+avx2"},
      {.name = "the input depends on the channel block", .x_per_item = true},
      {.name = "items' outputs overlap", .out_row = 32},
      /* it writes the weights: the items' stores meet (dC = 0) */
      {.name = "a store over the weights in the inner loop", .inner_store = true},
      {.name = "inner bound depends on the item", .item_branch = true},
      {.name = "a value used after the loop", .used_after = true},
      {.name = "29 accumulators", .positions = 29, .out_row = 29 * 16},
      /* a dense layer's shape: 4 loads joined per multiply would not pay */
      {.name = "1 position", .positions = 1},
      {.name = "a shared buffer with a chunk no item writes",
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_gap = true},
      {.name = "a shared buffer read before it is written",
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_read_first = true},
      /* what the items never write would come back from the private copies */
      {.name = "a workspace block allocated with the item as device id",
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .workspace = true,
       .workspace_per_item = true},
      {.name = "a shared buffer with holes",
       .positions = 4,
       .out_row = 64,
       .scratch = true,
       .scratch_holes = true},
  };
  bool avx512 = __builtin_cpu_supports("avx512f");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    kcase k = cases[i];
    /* on a host without AVX-512 the pass still runs (it reads attributes) */
    if (!k.features && !avx512) k.features = "+avx,+avx2,+avx512f";
    run_case(&k);
  }
  LLVMDisposeMessage(feat);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
