/*
 * test_stream_widen.c — unit cases for compiler/llvm/stream_widen.c.
 *
 * Each case is a kernel `void @k(%struct.wasm_rt_memory_t* %mem, i32 %xin,
 * i32 %xout, i32 %xb)` in LLVM IR: a loop that streams through linear
 * memory as TVM's requantize, pad/cast and fp32 bias + relu6 kernels do.
 * The pass runs on one copy, which the test then instruments: the first instruction of the wide
 * loop (block sw.body) counts its trips in @sw_count. Both copies are
 * compiled with MCJIT and run on the same memory: 64 KiB readable and
 * writable, then a PROT_NONE page, as with guard pages. After each run the
 * whole memory, and whether the run faulted, must be the same; the counter
 * says whether the wide loop ran, and it must have run exactly when every
 * access is inside the memory's `size` and no store overlaps another
 * access. Placements: the middle of memory, flush against its end, one
 * iteration past it (a fault after some stores, the same stores either
 * way), a `size` below the mapping (no fault, narrow loop), and a store
 * stream overlapping the loads of later iterations (narrow loop, each
 * iteration reading what the previous one wrote).
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ir_test_util.h"
#include "llvm/stream_widen.h"

enum { MEM = 65536 };

static char host_attrs[4096];

/* wasm-rt.h's wasm_rt_memory_t, as clang lays it out */
typedef struct memory {
  uint8_t *data;
  uint64_t pages, max_pages, size;
  bool is64;
  const uint32_t *interrupt;
} memory;

typedef void (*kernel_fn)(memory **, int32_t, int32_t, int32_t);

/* The kernel's entry: the memory's struct pointer is loaded from the slot
 * %ms (as wasm2c's instance field), its data pointer from that; then a bias
 * vector; `kind` 0: straight into the loop, 1: a preheader that also
 * branches to the exit, 2: the data pointer loaded on two paths and merged
 * by a phi (as after a call that may grow memory). */
static void head(sbuf *b, int kind, const char *entry_extra, const char *phis) {
  put(b,
      "%%struct.wasm_rt_memory_t = type { i8*, i64, i64, i64, i8, i32* }\n"
      "@sw_count = global i32 0\n"
      "declare <4 x i32> @llvm.smin.v4i32(<4 x i32>, <4 x i32>)\n"
      "declare <4 x i32> @llvm.smax.v4i32(<4 x i32>, <4 x i32>)\n"
      "declare <4 x float> @llvm.experimental.constrained.fadd.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x i1> @llvm.experimental.constrained.fcmps.v4f32(<4 x float>, <4 x float>, "
      "metadata, metadata)\n"
      "declare <4 x float> @llvm.x86.sse.min.ps(<4 x float>, <4 x float>)\n"
      "declare <4 x i32> @llvm.x86.avx512.pternlog.d.128(<4 x i32>, <4 x i32>, <4 x i32>, i32)\n"
      "define void @k(%%struct.wasm_rt_memory_t** %%ms, i32 %%xin, i32 %%xout, i32 %%xb) #0 "
      "{\n"
      "entry:\n");
  const char *load_data =
      "  %%mem%s = load %%struct.wasm_rt_memory_t*, %%struct.wasm_rt_memory_t** %%ms, align 8\n"
      "  %%dp%s = getelementptr %%struct.wasm_rt_memory_t, %%struct.wasm_rt_memory_t* %%mem%s, "
      "i64 0, i32 0\n"
      "  %%data%s = load i8*, i8** %%dp%s, align 8\n";
  if (kind == 2) {
    put(b, "  %%c0 = icmp sgt i32 %%xb, 100\n  br i1 %%c0, label %%pa, label %%pb\npa:\n");
    put(b, load_data, "a", "a", "a", "a", "a");
    put(b, "  br label %%pre\npb:\n");
    put(b, load_data, "b", "b", "b", "b", "b");
    put(b, "  br label %%pre\npre:\n  %%data = phi i8* [ %%dataa, %%pa ], [ %%datab, %%pb ]\n");
  } else {
    put(b, load_data, "", "", "", "", "");
  }
  put(b,
      "  %%bz = zext i32 %%xb to i64\n"
      "  %%bp = getelementptr inbounds i8, i8* %%data, i64 %%bz\n"
      "  %%bpv = bitcast i8* %%bp to <4 x i32>*\n"
      "  %%bias = load <4 x i32>, <4 x i32>* %%bpv, align 1\n"
      "%s",
      entry_extra ? entry_extra : "");
  if (kind == 1) put(b, "  %%c = icmp ne i32 %%xb, -1\n  br i1 %%c, label %%loop, label %%exit\n");
  else put(b, "  br label %%loop\n");
  const char *from = kind == 2 ? "pre" : "entry";
  put(b, "loop:\n  %%iv = phi i64 [ 0, %%%s ], [ %%iv.next, %%loop ]\n", from);
  if (phis) put(b, phis, from, from);
  else put(b, "  %%xp = phi i32 [ %%xin, %%%s ], [ %%xp.next, %%loop ]\n", from);
  put(b,
      "  %%t = trunc i64 %%iv to i32\n"
      "  %%xz = zext i32 %%xp to i64\n"
      "  %%xg = getelementptr inbounds i8, i8* %%data, i64 %%xz\n");
}

static const char k_tail[] =
    "  %%iv.next = add nuw nsw i64 %%iv, %u\n"
    "  %%done = icmp eq i64 %%iv.next, %u\n"
    "  br i1 %%done, label %%exit, label %%loop\n"
    "exit:\n"
    "  ret void\n"
    "}\n"
    "attributes #0 = { %s }\n";

/* TVM's requantize epilogue: 16 bytes in (stride 16), bias, multiply,
 * shift, clip, narrow to 4 bytes out (stride 4, contiguous), plus the
 * clipped i32x4 to a second output at xout + 4096 (stride 16) and the
 * biased input to a third at xout + 8192 (stride 32, with gaps). */
static const char k_requant[] =
    "  %xv = bitcast i8* %xg to <2 x i64>*\n"
    "  %l = load <2 x i64>, <2 x i64>* %xv, align 1\n"
    "  call void asm sideeffect \"\", \"x,~{dirflag},~{fpsr},~{flags}\"(<2 x i64> %l)\n"
    "  %li = bitcast <2 x i64> %l to <4 x i32>\n"
    "  %s = add <4 x i32> %li, %bias\n"
    "  %m = mul <4 x i32> %s, <i32 3, i32 -5, i32 7, i32 65537>\n"
    "  %sh = ashr <4 x i32> %m, <i32 2, i32 3, i32 4, i32 5>\n"
    "  %mn = call <4 x i32> @llvm.smin.v4i32(<4 x i32> %sh, <4 x i32> <i32 255, i32 255, i32 255, "
    "i32 255>)\n"
    "  %mx = call <4 x i32> @llvm.smax.v4i32(<4 x i32> %mn, <4 x i32> zeroinitializer)\n"
    "  %b8 = bitcast <4 x i32> %mx to <16 x i8>\n"
    "  %n8 = shufflevector <16 x i8> %b8, <16 x i8> poison, <16 x i32> <i32 0, i32 4, i32 8, i32 "
    "12, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, "
    "i32 undef, i32 undef, i32 undef, i32 undef>\n"
    "  %n32 = bitcast <16 x i8> %n8 to <4 x i32>\n"
    "  %e = extractelement <4 x i32> %n32, i64 0\n"
    "  %oa = add i32 %xout, %t\n"
    "  %oz = zext i32 %oa to i64\n"
    "  %og = getelementptr inbounds i8, i8* %data, i64 %oz\n"
    "  %op = bitcast i8* %og to i32*\n"
    "  store i32 %e, i32* %op, align 1\n"
    "  %t4 = shl i32 %t, 2\n"
    "  %ob = add i32 %xout, %t4\n"
    "  %obz = zext i32 %ob to i64\n"
    "  %obc = add nuw i64 %obz, 4096\n"
    "  %obg = getelementptr inbounds i8, i8* %data, i64 %obc\n"
    "  %obp = bitcast i8* %obg to <4 x i32>*\n"
    "  store <4 x i32> %mx, <4 x i32>* %obp, align 1\n"
    /* and %s itself every 32 bytes (a stream with gaps: one store per iteration) */
    "  %t8 = shl i32 %t, 3\n"
    "  %oc = add i32 %xout, %t8\n"
    "  %ocz = zext i32 %oc to i64\n"
    "  %occ = add nuw i64 %ocz, 8192\n"
    "  %ocg = getelementptr inbounds i8, i8* %data, i64 %occ\n"
    "  %ocp = bitcast i8* %ocg to <4 x i32>*\n"
    "  store <4 x i32> %s, <4 x i32>* %ocp, align 1\n"
    "  %xp.next = add i32 %xp, 16\n";

/* nn.pad + cast: 4 bytes in (stride 4, a scalar load), zero-extended to
 * 8 bytes out (stride 8, a scalar store of an extracted lane). */
static const char k_pad_cast[] =
    "  %ap = bitcast i8* %xg to i32*\n"
    "  %a = load i32, i32* %ap, align 1\n"
    "  call void asm sideeffect \"\", \"r,~{dirflag},~{fpsr},~{flags}\"(i32 %a)\n"
    "  %v = insertelement <4 x i32> undef, i32 %a, i64 0\n"
    "  %vb = bitcast <4 x i32> %v to <16 x i8>\n"
    "  %z = shufflevector <16 x i8> <i8 poison, i8 0, i8 poison, i8 0, i8 poison, i8 0, i8 poison, "
    "i8 0, i8 poison, i8 poison, i8 poison, i8 poison, i8 poison, i8 poison, i8 poison, i8 "
    "poison>, "
    "<16 x i8> %vb, <16 x i32> <i32 16, i32 1, i32 17, i32 3, i32 18, i32 5, i32 19, i32 7, i32 "
    "undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef, i32 undef>\n"
    "  %zq = bitcast <16 x i8> %z to <2 x i64>\n"
    "  %e = extractelement <2 x i64> %zq, i64 0\n"
    "  %t2 = shl i32 %t, 1\n"
    "  %oa = add i32 %xout, %t2\n"
    "  %oz = zext i32 %oa to i64\n"
    "  %og = getelementptr inbounds i8, i8* %data, i64 %oz\n"
    "  %op = bitcast i8* %og to i64*\n"
    "  store i64 %e, i64* %op, align 1\n"
    "  %xp.next = add i32 %xp, 4\n";

/* Plain float arithmetic on f32x4 (16 bytes in, 16 out). */
static const char k_float[] =
    "  %xv = bitcast i8* %xg to <4 x float>*\n"
    "  %l = load <4 x float>, <4 x float>* %xv, align 1\n"
    "  %f = fadd <4 x float> %l, %l\n"
    "  %oa = add i32 %xout, %t\n"
    "  %oz = zext i32 %oa to i64\n"
    "  %og = getelementptr inbounds i8, i8* %data, i64 %oz\n"
    "  %op = bitcast i8* %og to <4 x float>*\n"
    "  store <4 x float> %f, <4 x float>* %op, align 1\n"
    "  %xp.next = add i32 %xp, 16\n";

/* An fp32 conv's epilogue (TVM's bias + relu6 as wasm2c and SIMDe write
 * it): constrained add of the bias, SSE min with 6 (NaN: the second operand),
 * max with 0 as a signalling compare and a select (`sel`), or the
 * compare's mask and pternlog (AVX-512's form of the select). */
#define BIAS_RELU6_HEAD                                                                      \
  "  %xv = bitcast i8* %xg to <4 x float>*\n"                                                \
  "  %l = load <4 x float>, <4 x float>* %xv, align 1\n"                                     \
  "  %bf = bitcast <4 x i32> %bias to <4 x float>\n"                                         \
  "  %a = call <4 x float> @llvm.experimental.constrained.fadd.v4f32(<4 x float> %bf, <4 x " \
  "float> %l, metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\")\n"                 \
  "  %mn = call <4 x float> @llvm.x86.sse.min.ps(<4 x float> %a, <4 x float> <float 6.0, "   \
  "float 6.0, float 6.0, float 6.0>)\n"                                                      \
  "  %c = call <4 x i1> @llvm.experimental.constrained.fcmps.v4f32(<4 x float> "             \
  "zeroinitializer, <4 x float> %mn, metadata !\"olt\", metadata !\"fpexcept.ignore\")\n"    \
  "  %oa = add i32 %xout, %t\n"                                                              \
  "  %oz = zext i32 %oa to i64\n"                                                            \
  "  %og = getelementptr inbounds i8, i8* %data, i64 %oz\n"
static const char k_bias_relu6_sel[] = BIAS_RELU6_HEAD
    "  %r = select <4 x i1> %c, <4 x float> %mn, <4 x float> zeroinitializer\n"
    "  %op = bitcast i8* %og to <4 x float>*\n"
    "  store <4 x float> %r, <4 x float>* %op, align 1\n"
    "  %xp.next = add i32 %xp, 16\n";
static const char k_bias_relu6_pternlog[] = BIAS_RELU6_HEAD
    "  %cm = sext <4 x i1> %c to <4 x i32>\n"
    "  %mi = bitcast <4 x float> %mn to <4 x i32>\n"
    "  %r = call <4 x i32> @llvm.x86.avx512.pternlog.d.128(<4 x i32> %cm, <4 x i32> %mi, <4 x "
    "i32> zeroinitializer, i32 202)\n"
    "  %op = bitcast i8* %og to <4 x i32>*\n"
    "  store <4 x i32> %r, <4 x i32>* %op, align 1\n"
    "  %xp.next = add i32 %xp, 16\n";

/* The bias + relu6 loop as LLVM unrolls it by 2: two positions per
 * iteration, each a stream of stride 32 (loads at xp and xp + 16, stores at
 * xout + t and + 16): an interleaved group each way, which W reads and
 * writes 128 bytes at a time. `gap`: the second position 32 bytes on
 * (stride 48): no group, but the two store streams never touch the same
 * byte, so each is accessed on its own and their overlap check is left out.
 * Negative, `overlap`: the second position 8 bytes on: the stores overlap
 * each other every iteration, so the overlap check could never pass. */
#define UNROLLED_POSITION(P, X, O)                                                     \
  "  %xz" P " = zext i32 " X                                                           \
  " to i64\n"                                                                          \
  "  %xg" P " = getelementptr inbounds i8, i8* %data, i64 %xz" P                       \
  "\n"                                                                                 \
  "  %xv" P " = bitcast i8* %xg" P                                                     \
  " to <4 x float>*\n"                                                                 \
  "  %l" P " = load <4 x float>, <4 x float>* %xv" P                                   \
  ", align 1\n"                                                                        \
  "  %a" P                                                                             \
  " = call <4 x float> @llvm.experimental.constrained.fadd.v4f32(<4 x float> %bf, <4 " \
  "x float> %l" P                                                                      \
  ", metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\")\n"                    \
  "  %mn" P " = call <4 x float> @llvm.x86.sse.min.ps(<4 x float> %a" P                \
  ", <4 x float> <float "                                                              \
  "6.0, float 6.0, float 6.0, float 6.0>)\n"                                           \
  "  %c" P                                                                             \
  " = call <4 x i1> @llvm.experimental.constrained.fcmps.v4f32(<4 x float> "           \
  "zeroinitializer, <4 x float> %mn" P                                                 \
  ", metadata !\"olt\", metadata !\"fpexcept.ignore\")\n"                              \
  "  %r" P " = select <4 x i1> %c" P ", <4 x float> %mn" P                             \
  ", <4 x float> zeroinitializer\n"                                                    \
  "  %oz" P " = zext i32 " O                                                           \
  " to i64\n"                                                                          \
  "  %og" P " = getelementptr inbounds i8, i8* %data, i64 %oz" P                       \
  "\n"                                                                                 \
  "  %op" P " = bitcast i8* %og" P                                                     \
  " to <4 x float>*\n"                                                                 \
  "  store <4 x float> %r" P ", <4 x float>* %op" P ", align 1\n"
#define UNROLLED_BODY(GAP)                                               \
  "  %bf = bitcast <4 x i32> %bias to <4 x float>\n"                     \
  "  %oa = add i32 %xout, %t\n"                                          \
  "  %xa1 = add i32 %xp, " GAP                                           \
  "\n"                                                                   \
  "  %ob1 = add i32 %oa, " GAP "\n" UNROLLED_POSITION("0", "%xp", "%oa") \
      UNROLLED_POSITION("1", "%xa1", "%ob1")
static const char k_unrolled_relu6[] = UNROLLED_BODY("16") "  %xp.next = add i32 %xp, 32\n";
static const char k_unrolled_relu6_gap[] = UNROLLED_BODY("32") "  %xp.next = add i32 %xp, 48\n";
static const char k_unrolled_relu6_overlap[] = UNROLLED_BODY("8") "  %xp.next = add i32 %xp, 32\n";

/* In place (TVM's elementwise kernels on one buffer): each position is
 * loaded and stored back at the same address; plain and unrolled by 2. The
 * store and the load of a position are exempt from each other's overlap
 * check, so the wide loop runs wherever the accesses are in bounds. */
static const char k_in_place[] =
    "  %bf = bitcast <4 x i32> %bias to <4 x float>\n" UNROLLED_POSITION(
        "0", "%xp", "%xp") "  %xp.next = add i32 %xp, 16\n";
static const char k_unrolled_in_place[] =
    "  %bf = bitcast <4 x i32> %bias to <4 x float>\n"
    "  %xa1 = add i32 %xp, 16\n" UNROLLED_POSITION("0", "%xp", "%xp")
        UNROLLED_POSITION("1", "%xa1", "%xa1") "  %xp.next = add i32 %xp, 32\n";

/* Negative: in place and unrolled by 2, but each position's bytes are
 * stored before they are loaded back (store p0, load p0, store p1, load
 * p1). W would load the group at p0's load, before p1's store: refused. */
static const char k_grouped_load_after_store[] =
    "  %bf = bitcast <4 x i32> %bias to <4 x float>\n"
    "  %xa1 = add i32 %xp, 16\n"
    "  %xz0 = zext i32 %xp to i64\n"
    "  %xg0 = getelementptr inbounds i8, i8* %data, i64 %xz0\n"
    "  %xv0 = bitcast i8* %xg0 to <4 x float>*\n"
    "  %xz1 = zext i32 %xa1 to i64\n"
    "  %xg1 = getelementptr inbounds i8, i8* %data, i64 %xz1\n"
    "  %xv1 = bitcast i8* %xg1 to <4 x float>*\n"
    "  store <4 x float> %bf, <4 x float>* %xv0, align 1\n"
    "  %l0 = load <4 x float>, <4 x float>* %xv0, align 1\n"
    "  store <4 x float> %bf, <4 x float>* %xv1, align 1\n"
    "  %l1 = load <4 x float>, <4 x float>* %xv1, align 1\n"
    "  %s0 = fadd <4 x float> %l0, %l0\n"
    "  %s1 = fadd <4 x float> %l1, %l1\n"
    "  %oa = add i32 %xout, %t\n"
    "  %ob1 = add i32 %oa, 16\n"
    "  %oz0 = zext i32 %oa to i64\n"
    "  %og0 = getelementptr inbounds i8, i8* %data, i64 %oz0\n"
    "  %op0 = bitcast i8* %og0 to <4 x float>*\n"
    "  store <4 x float> %s0, <4 x float>* %op0, align 1\n"
    "  %oz1 = zext i32 %ob1 to i64\n"
    "  %og1 = getelementptr inbounds i8, i8* %data, i64 %oz1\n"
    "  %op1 = bitcast i8* %og1 to <4 x float>*\n"
    "  store <4 x float> %s1, <4 x float>* %op1, align 1\n"
    "  %xp.next = add i32 %xp, 32\n";

/* Negative: a float lane computed on its own. */
static const char k_float_lane[] =
    "  %xv = bitcast i8* %xg to <4 x float>*\n"
    "  %l = load <4 x float>, <4 x float>* %xv, align 1\n"
    "  %e = extractelement <4 x float> %l, i64 1\n"
    "  %oa = add i32 %xout, %t\n"
    "  %oz = zext i32 %oa to i64\n"
    "  %og = getelementptr inbounds i8, i8* %data, i64 %oz\n"
    "  %op = bitcast i8* %og to float*\n"
    "  store float %e, float* %op, align 1\n"
    "  %xp.next = add i32 %xp, 16\n";

typedef struct scase {
  const char *name;
  const char *body;
  unsigned step;                  /* of %iv: the byte stride of the first output */
  unsigned trip;                  /* iterations */
  unsigned in_stride, out_span;   /* bytes per iteration read; bytes written after xout */
  int entry;                      /* head()'s kind */
  const char *entry_extra, *phis; /* head()'s extras (NULL: none, the plain %xp phi) */
  bool joined;                    /* expected to get a wide copy */
  const char *why;                /* for negative cases: the reject reason expected */
  bool affine;     /* false: the run-time check must always fail (the wide loop never runs) */
  unsigned groups; /* interleaved groups expected */
  bool in_place;   /* writes only what it reads: no placement overlaps */
} scase;

static char *kernel_ir(const scase *c) {
  sbuf b = {0};
  head(&b, c->entry, c->entry_extra, c->phis);
  put(&b, "%s", c->body);
  put(&b, k_tail, c->step, c->step * c->trip, host_attrs);
  return b.p;
}

/* ---- memory -------------------------------------------------------------- */

static uint8_t *g_mem; /* MEM bytes, then a PROT_NONE page */
static uint8_t g_init[MEM], g_after0[MEM];

/* Runs f from g_init with the memory's size field `size`; false if it
 * faulted. */
typedef struct stream_call {
  kernel_fn f;
  memory *slot; /* the instance's memory field */
  uint32_t xin, xout;
} stream_call;
static void stream_thunk(void *arg) {
  stream_call *c = arg;
  c->f(&c->slot, (int32_t)c->xin, (int32_t)c->xout, 64);
}
static bool run(kernel_fn f, uint64_t size, uint32_t xin, uint32_t xout) {
  static const uint32_t no_interrupt = 0;
  memory mem = {
      .data = g_mem, .pages = 1, .max_pages = 1, .size = size, .interrupt = &no_interrupt};
  memcpy(g_mem, g_init, MEM);
  stream_call c = {f, &mem, xin, xout};
  return ir_call_guarded(stream_thunk, &c);
}

/* After the pass: count the wide loop's trips in @sw_count. */
static bool instrument(LLVMModuleRef m) {
  LLVMValueRef fn = LLVMGetNamedFunction(m, "k"), g = LLVMGetNamedGlobal(m, "sw_count");
  for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(fn); b; b = LLVMGetNextBasicBlock(b)) {
    const char *name = LLVMGetBasicBlockName(b);
    if (!name || strcmp(name, "sw.body") != 0) continue;
    LLVMValueRef at = LLVMGetFirstInstruction(b);
    while (at && LLVMIsAPHINode(at)) at = LLVMGetNextInstruction(at);
    LLVMBuilderRef bd = LLVMCreateBuilderInContext(LLVMGetModuleContext(m));
    LLVMPositionBuilderBefore(bd, at);
    LLVMTypeRef i32 = LLVMInt32TypeInContext(LLVMGetModuleContext(m));
    LLVMValueRef v = LLVMBuildLoad2(bd, i32, g, "");
    LLVMBuildStore(bd, LLVMBuildAdd(bd, v, LLVMConstInt(i32, 1, 0), ""), g);
    LLVMDisposeBuilder(bd);
    return true;
  }
  return false;
}

/* LLVM's rotated loops carry the input address one iteration late: %xp is
 * last iteration's %xq. An induction only if %xin2 == %xin + 16. */
static const char k_late_phis[] =
    "  %%xp = phi i32 [ %%xin, %%%s ], [ %%xq, %%loop ]\n"
    "  %%xq = phi i32 [ %%xin2, %%%s ], [ %%xp.next, %%loop ]\n";

static void run_case(const scase *c, unsigned k) {
  ir_pair P;
  if (!open_pair(c->name, kernel_ir(c), &P)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_stream_stats st;
  check(wgc_stream_widen(&ctx, P.m[1], true, &st) == WASMGRAPH_OK, c->name, err);
  bool want = c->joined && k > 0;
  char *after = LLVMPrintModuleToString(P.m[1]);
  if (want) {
    check(st.loops == 1 && st.functions == 1, c->name, "no wide copy");
    check(st.groups == c->groups, c->name, "not the expected interleaved groups");
    check((k == 4 ? st.by4 : st.by2) == 1, c->name, "wrong width");
    check(instrument(P.m[1]), c->name, "no sw.body block");
  } else {
    check(st.loops == 0, c->name, "widened, but should have been left alone");
    check(strcmp(after, P.orig) == 0, c->name, "the IR changed");
    if (c->why && k)
      check(st.first_reject && strstr(st.first_reject, c->why), c->name,
            st.first_reject ? st.first_reject : "no reject reason");
  }
  LLVMDisposeMessage(after);
  check_verifies(P.m[1], c->name);

  uintptr_t fa[2];
  bool jitted = jit_pair(&P, "k", fa);
  kernel_fn f0 = (kernel_fn)fa[0], f1 = (kernel_fn)fa[1];
  uint32_t *count =
      jitted ? (uint32_t *)(uintptr_t)LLVMGetGlobalValueAddress(P.ee[1], "sw_count") : NULL;
  check(!jitted || count, c->name, "no sw_count in the JIT-compiled copy");
  unsigned in_span = c->in_stride * c->trip;
  /* (xin, xout, size, does it fault, does the wide loop run) */
  struct {
    const char *what;
    uint32_t xin, xout;
    uint64_t size;
    bool fault, wide;
  } pl[] = {
      {"middle", 256, 16384, MEM, false, true},
      {"flush against the end", MEM - in_span, 16384, MEM, false, true},
      {"one iteration past the end", MEM - in_span + c->in_stride, 16384, MEM, true, false},
      {"size below the mapping", 40000, 16384, 32768, false, false},
      {"stores overlapping later loads", 256, 256 + c->in_stride, MEM, false, false},
  };
  for (unsigned p = 0; f0 && f1 && count && p < sizeof pl / sizeof *pl; p++) {
    for (unsigned i = 0; i < MEM; i++) g_init[i] = (uint8_t)(rand() >> 7);
    bool ok0 = run(f0, pl[p].size, pl[p].xin, pl[p].xout);
    memcpy(g_after0, g_mem, MEM);
    *count = 0;
    bool ok1 = run(f1, pl[p].size, pl[p].xin, pl[p].xout);
    char what[160];
    snprintf(what, sizeof what, "%s: loop %s, pass %s, want %s", pl[p].what,
             ok0 ? "ran" : "faulted", ok1 ? "ran" : "faulted",
             pl[p].fault ? "a fault" : "no fault");
    /* a loop that is not affine reads elsewhere: only "the same" holds */
    check(ok0 == ok1 && (!c->affine || ok0 == !pl[p].fault), c->name, what);
    snprintf(what, sizeof what, "%s: memory differs from the loop's", pl[p].what);
    check(memcmp(g_after0, g_mem, MEM) == 0, c->name, what);
    bool wide = pl[p].wide || (c->in_place && p == 4); /* p 4: the overlap placement */
    unsigned want_trips = want && c->affine && wide ? (c->trip - 1) / k : 0;
    snprintf(what, sizeof what, "%s: the wide loop ran %u trips, want %u", pl[p].what, *count,
             want_trips);
    check(*count == want_trips, c->name, what);
  }
  (void)c->out_span;
  close_pair(&P);
  finish_case(P.before_failed, "%s", c->name);
}

int main(void) {
  char *feat = jit_init_host(host_attrs, sizeof host_attrs);
  if (!(g_mem = guarded_memory(MEM))) {
    printf("FAIL cannot map the test memory\n");
    return 1;
  }
  srand(7);
  unsigned k = strstr(feat, "+avx512f") && strstr(feat, "+avx512bw") ? 4
               : strstr(feat, "+avx2")                               ? 2
                                                                     : 0;
  if (!k) printf("SKIP the wide copies: this CPU has no AVX2; every loop must stay\n");
  LLVMDisposeMessage(feat);

  char *late = NULL;
  {
    sbuf b = {0};
    const char *from = "  %xp.next = add i32 %xp, 16\n";
    const char *at = strstr(k_requant, from);
    put(&b, "%.*s  %%xp.next = add i32 %%xq, 16\n%s", (int)(at - k_requant), k_requant,
        at + strlen(from));
    late = b.p;
  }
  const scase cases[] = {
      {"requant_trip28", k_requant, 4, 28, 16, 0, 0, NULL, NULL, true, NULL, true, 0, false},
      {"requant_trip5", k_requant, 4, 5, 16, 0, 0, NULL, NULL, true, NULL, true, 0, false},
      {"requant_branching_preheader", k_requant, 4, 13, 16, 0, 1, NULL, NULL, true, NULL, true, 0,
       false},
      {"requant_data_pointer_phi", k_requant, 4, 13, 16, 0, 2, NULL, NULL, true, NULL, true, 0,
       false},
      {"requant_late_phi", late, 4, 28, 16, 0, 0, "  %xin2 = add i32 %xin, 16\n", k_late_phis, true,
       NULL, true, 0, false},
      /* the same loop where %xp is not an induction: the check must fail */
      {"requant_late_phi_not_affine", late, 4, 28, 16, 0, 0, "  %xin2 = add i32 %xin, 0\n",
       k_late_phis, true, NULL, false, 0, false},
      {"pad_cast_trip40", k_pad_cast, 4, 40, 4, 0, 0, NULL, NULL, true, NULL, true, 0, false},
      {"float_plain_fadd", k_float, 16, 28, 16, 0, 0, NULL, NULL, true, NULL, true, 0, false},
      {"float_bias_relu6_select", k_bias_relu6_sel, 16, 14, 16, 0, 0, NULL, NULL, true, NULL, true,
       0, false},
      {"float_bias_relu6_pternlog", k_bias_relu6_pternlog, 16, 14, 16, 0, 0, NULL, NULL, true, NULL,
       true, 0, false},
      {"float_unrolled_groups", k_unrolled_relu6, 32, 14, 32, 0, 0, NULL, NULL, true, NULL, true, 2,
       false},
      {"float_unrolled_gap", k_unrolled_relu6_gap, 48, 14, 48, 0, 0, NULL, NULL, true, NULL, true,
       0, false},
      {"float_in_place", k_in_place, 16, 28, 16, 0, 0, NULL, NULL, true, NULL, true, 0, true},
      {"float_unrolled_in_place", k_unrolled_in_place, 32, 14, 32, 0, 0, NULL, NULL, true, NULL,
       true, 2, true},
      {"neg_grouped_load_after_store", k_grouped_load_after_store, 32, 14, 32, 0, 0, NULL, NULL,
       false, "after the store", true, 0, false},
      {"neg_float_unrolled_overlap", k_unrolled_relu6_overlap, 32, 14, 32, 0, 0, NULL, NULL, false,
       "interleaved", true, 0, false},
      {"neg_float_lane", k_float_lane, 4, 28, 16, 0, 0, NULL, NULL, false, "a float lane", true, 0,
       false},
      {"neg_too_few_iterations", k_requant, 4, 2, 16, 0, 0, NULL, NULL, false, "too few", true, 0,
       false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (cases[i].body != k_bias_relu6_pternlog || k == 4) run_case(&cases[i], k);
    else printf("SKIP %s: pternlog needs AVX-512, which this CPU lacks\n", cases[i].name);
  /* the AVX2 form (2 iterations per trip) where the host runs AVX2 code too */
  if (k == 4) {
    snprintf(host_attrs, sizeof host_attrs,
             "\"target-cpu\"=\"haswell\" \"target-features\"=\"+avx,+avx2,+sse2,+sse3,+ssse3,"
             "+sse4.1,+sse4.2,+popcnt,+fma,+bmi,+bmi2,+f16c\"");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      if (cases[i].body == k_bias_relu6_pternlog) continue; /* AVX-512 only */
      char name[96];
      scase c2 = cases[i];
      snprintf(name, sizeof name, "%s/avx2", cases[i].name);
      c2.name = name;
      run_case(&c2, 2);
    }
  }
  free(late);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
