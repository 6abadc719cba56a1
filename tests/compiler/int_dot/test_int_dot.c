/*
 * test_int_dot.c — unit test of compiler/llvm/int_dot.c on hand-written
 * modules shaped like wasm2c (SIMD) + clang output after -O2: a loop of T
 * steps over the input channels of a block,
 *   acc_p += sext(splat(x[p][k])) * sext(w[k][0..3])   for P positions,
 * int8 (relay.quantize) or int16 (QNN), with wasm2c's load barriers.
 *
 * Positive cases run the kernel under MCJIT before and after the pass, for
 * every way the pass can compute (plain IR, x86 pmaddwd, VNNI when the
 * host has it), and compare both with a reference computed here in
 * wrapping i32 arithmetic: on random data, on the extremes of i8 and i16
 * (the (-32768)^2 + (-32768)^2 corner of a pair) and with accumulators near
 * both ends of i32. Memory is a 4 GiB + 64 KiB PROT_NONE reservation with
 * one readable page, as the runtime's guard pages are: each case also runs
 * with the last byte read at the end of that page (no trap), one byte
 * further (trap), and with an input address that wraps in i32 (trap); the
 * pass must keep each outcome. Negative cases must leave the module
 * exactly as it was. Prints one line per case and "N passed, M failed".
 */
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ir_test_util.h"
#include "llvm/int_dot.h"

enum { MAXP = 32, OUTER_X = 256, OUTER_W = 64 };

typedef struct kspec {
  int eb;         /* element bytes: 1 (int8) or 2 (int16) */
  unsigned npos;  /* accumulators */
  unsigned trip;  /* loop steps */
  bool off_i32;   /* position offsets added in i32 before the zext (else a 64-bit add) */
  unsigned first; /* offset of position 0 (then no input is at the loop address itself) */
  unsigned terms; /* > 1 (with rows): products per iteration, acc + x0*w0 + x1*w1 + ...;
                     term k of position p reads row p + j + k, weights row j*terms + k */
  bool rows;      /* depthwise: x_p is a row of 4 elements too, one row further per step
                     (position p, step j reads row p + j), an int16 loop over taps */
  unsigned outer; /* > 0: an outer loop of this many iterations carries the accumulators,
                     inputs OUTER_X and weights OUTER_W bytes further each time */
  bool acc_first; /* add(acc, mul) instead of add(mul, acc) */
  bool w_first;   /* mul(w, x) instead of mul(x, w) */
  /* negative shapes */
  bool store_in_loop, var_bound, w_skips, acc_read_twice, iv_escapes, volatile_x, wide_x;
} kspec;

#define BAR_R "call void asm sideeffect \"\", \"r,~{dirflag},~{fpsr},~{flags}\""
#define BAR_X "call void asm sideeffect \"\", \"x,~{dirflag},~{fpsr},~{flags}\""

static char host_attrs[4096];
static bool g_avx2; /* the host has AVX2: the 256-bit pairs */

/* The loop body of a multi-term depthwise kernel (k->terms products per
 * accumulator and iteration, int16 rows): weights rows at %wa + 8t, inputs
 * of position p's term t at %xp + first + 8(p + t), summed into the
 * accumulator as ((acc + m0) + m1) + ... */
static void terms_body(sbuf *b, const kspec *k) {
  for (unsigned t = 0; t < k->terms; t++) {
    put(b, "  %%wta%u = add i32 %%wa, %u\n", t, 8 * t);
    put(b, "  %%wtz%u = zext i32 %%wta%u to i64\n", t, t);
    put(b, "  %%wtg%u = getelementptr inbounds i8, i8* %%mem, i64 %%wtz%u\n", t, t);
    put(b, "  %%wtp%u = bitcast i8* %%wtg%u to <4 x i16>*\n", t, t);
    put(b, "  %%wtl%u = load <4 x i16>, <4 x i16>* %%wtp%u, align 1\n", t, t);
    put(b, "  %%wt%u = sext <4 x i16> %%wtl%u to <4 x i32>\n", t, t);
  }
  for (unsigned p = 0; p < k->npos; p++)
    for (unsigned t = 0; t < k->terms; t++) {
      put(b, "  %%xa%u_%u = add i32 %%xp, %u\n", p, t, k->first + 8 * (p + t));
      put(b, "  %%xz%u_%u = zext i32 %%xa%u_%u to i64\n", p, t, p, t);
      put(b, "  %%xg%u_%u = getelementptr inbounds i8, i8* %%mem, i64 %%xz%u_%u\n", p, t, p, t);
      put(b, "  %%xq%u_%u = bitcast i8* %%xg%u_%u to <4 x i16>*\n", p, t, p, t);
      put(b, "  %%xl%u_%u = load <4 x i16>, <4 x i16>* %%xq%u_%u, align 1\n", p, t, p, t);
      put(b, "  %%x%u_%u = sext <4 x i16> %%xl%u_%u to <4 x i32>\n", p, t, p, t);
      put(b, "  %%m%u_%u = mul nsw <4 x i32> %%wt%u, %%x%u_%u\n", p, t, t, p, t);
      if (t == 0) put(b, "  %%s%u_0 = add <4 x i32> %%m%u_0, %%acc%u\n", p, p, p);
      else if (t + 1 < k->terms)
        put(b, "  %%s%u_%u = add <4 x i32> %%s%u_%u, %%m%u_%u\n", p, t, p, t - 1, p, t);
      else put(b, "  %%accn%u = add <4 x i32> %%s%u_%u, %%m%u_%u\n", p, p, t - 1, p, t);
    }
}

/* k(mem, xb, wb, io): io[p] holds acc_p on entry and on exit. Position p's
 * element k is at mem + zext(xb + k*eb) + off(p), off(p) = 4*eb*p; weight
 * row k at mem + zext(wb + 4*eb*k). */
static char *kernel_ir(const kspec *k, const char *attrs) {
  sbuf b = {malloc(8192), 0, 8192};
  if (!b.p) abort();
  int eb = k->eb, row = 4 * eb;
  const char *E = eb == 1 ? "i8" : "i16";
  put(&b, "define void @k(i8* %%mem, i32 %%xb, i32 %%wb, <4 x i32>* %%io, i64 %%bound) #0 {\n");
  put(&b, "entry:\n");
  for (unsigned p = 0; p < k->npos; p++)
    put(&b,
        "  %%ip%u = getelementptr <4 x i32>, <4 x i32>* %%io, i64 %u\n"
        "  %%init%u = load <4 x i32>, <4 x i32>* %%ip%u\n",
        p, p, p, p);
  /* the loop's entry values: from entry, or from the outer loop's phis */
  const char *pre = "entry", *xin = "%xb", *win = "%wb", *ain = "%init";
  if (k->outer) {
    put(&b, "  br label %%outer\nouter:\n");
    put(&b, "  %%r = phi i32 [ 0, %%entry ], [ %%r.n, %%latch ]\n");
    put(&b, "  %%xo = phi i32 [ %%xb, %%entry ], [ %%xo.n, %%latch ]\n");
    put(&b, "  %%wo = phi i32 [ %%wb, %%entry ], [ %%wo.n, %%latch ]\n");
    for (unsigned p = 0; p < k->npos; p++)
      put(&b, "  %%oacc%u = phi <4 x i32> [ %%init%u, %%entry ], [ %%accn%u, %%latch ]\n", p, p, p);
    pre = "outer", xin = "%xo", win = "%wo", ain = "%oacc";
  }
  put(&b, "  br label %%loop\nloop:\n");
  put(&b, "  %%j = phi i64 [ 0, %%%s ], [ %%j.n, %%loop ]\n", pre);
  put(&b, "  %%xp = phi i32 [ %s, %%%s ], [ %%xp.n, %%loop ]\n", xin, pre);
  for (unsigned p = 0; p < k->npos; p++)
    put(&b, "  %%acc%u = phi <4 x i32> [ %s%u, %%%s ], [ %%accn%u, %%loop ]\n", p, ain, p, pre, p);
  /* the weight row */
  put(&b,
      "  %%jt = trunc i64 %%j to i32\n"
      "  %%wa = add i32 %s, %%jt\n"
      "  %%wz = zext i32 %%wa to i64\n"
      "  %%wg = getelementptr inbounds i8, i8* %%mem, i64 %%wz\n",
      win);
  if (k->terms > 1) {
    terms_body(&b, k);
    goto latch;
  }
  if (eb == 1)
    put(&b,
        "  %%wpp = bitcast i8* %%wg to i32*\n"
        "  %%wl = load i32, i32* %%wpp, align 1\n  " BAR_R
        "(i32 %%wl)\n"
        "  %%wi = insertelement <4 x i32> undef, i32 %%wl, i64 0\n"
        "  %%wb8 = bitcast <4 x i32> %%wi to <16 x i8>\n"
        "  %%ws = shufflevector <16 x i8> %%wb8, <16 x i8> poison, <16 x i32> <i32 0, i32 0, "
        "i32 0, i32 0, i32 1, i32 0, i32 0, i32 0, i32 2, i32 0, i32 0, i32 0, i32 3, i32 0, "
        "i32 0, i32 0>\n"
        "  %%wsi = bitcast <16 x i8> %%ws to <4 x i32>\n"
        "  %%wsh = shl <4 x i32> %%wsi, <i32 24, i32 24, i32 24, i32 24>\n"
        "  %%w = ashr exact <4 x i32> %%wsh, <i32 24, i32 24, i32 24, i32 24>\n");
  else
    put(&b,
        "  %%wpp = bitcast i8* %%wg to <4 x i16>*\n"
        "  %%wl = load <4 x i16>, <4 x i16>* %%wpp, align 1\n"
        "  %%w = sext <4 x i16> %%wl to <4 x i32>\n"
        "  %%wbar = bitcast <4 x i32> %%w to <2 x i64>\n  " BAR_X "(<2 x i64> %%wbar)\n");
  for (unsigned p = 0; p < k->npos; p++) {
    unsigned off = k->first + (unsigned)row * p;
    if (k->off_i32)
      put(&b,
          "  %%xa%u = add i32 %%xp, %u\n"
          "  %%xz%u = zext i32 %%xa%u to i64\n"
          "  %%xg%u = getelementptr inbounds i8, i8* %%mem, i64 %%xz%u\n",
          p, off, p, p, p, p);
    else
      put(&b,
          "  %%xz%u = zext i32 %%xp to i64\n"
          "  %%xo%u = add nuw i64 %%xz%u, %u\n"
          "  %%xg%u = getelementptr inbounds i8, i8* %%mem, i64 %%xo%u\n",
          p, p, p, off, p, p);
    const char *vol = k->volatile_x && p == 0 ? "volatile " : "";
    if (k->rows) {
      put(&b,
          "  %%xq%u = bitcast i8* %%xg%u to <4 x i16>*\n"
          "  %%xr%u = load <4 x i16>, <4 x i16>* %%xq%u, align 1\n"
          "  %%x%u = sext <4 x i16> %%xr%u to <4 x i32>\n"
          "  %%xbar%u = bitcast <4 x i32> %%x%u to <2 x i64>\n  " BAR_X "(<2 x i64> %%xbar%u)\n",
          p, p, p, p, p, p, p, p, p);
    } else if (k->wide_x && p == 0) {
      /* an i32 load of which only the low element is used */
      put(&b,
          "  %%xq%u = bitcast i8* %%xg%u to i32*\n"
          "  %%xw%u = load i32, i32* %%xq%u, align 1\n  " BAR_R
          "(i32 %%xw%u)\n"
          "  %%xi%u = insertelement <4 x i32> undef, i32 %%xw%u, i64 0\n"
          "  %%xs%u = shufflevector <4 x i32> %%xi%u, <4 x i32> poison, <4 x i32> "
          "zeroinitializer\n",
          p, p, p, p, p, p, p, p, p);
    } else if (eb == 1) {
      put(&b,
          "  %%xl%u = load %s%s, %s* %%xg%u, align 1\n"
          "  %%xi%u = insertelement <16 x i8> undef, i8 %%xl%u, i64 0\n"
          "  %%xv%u = shufflevector <16 x i8> %%xi%u, <16 x i8> poison, <16 x i32> "
          "zeroinitializer\n"
          "  %%xbar%u = bitcast <16 x i8> %%xv%u to <2 x i64>\n  " BAR_X
          "(<2 x i64> %%xbar%u)\n"
          "  %%xs%u = bitcast <16 x i8> %%xv%u to <4 x i32>\n",
          p, vol, E, E, p, p, p, p, p, p, p, p, p, p);
    } else {
      put(&b,
          "  %%xq%u = bitcast i8* %%xg%u to i16*\n"
          "  %%xl%u = load %si16, i16* %%xq%u, align 1\n"
          "  %%xi%u = insertelement <8 x i16> undef, i16 %%xl%u, i64 0\n"
          "  %%xv%u = shufflevector <8 x i16> %%xi%u, <8 x i16> poison, <8 x i32> "
          "zeroinitializer\n"
          "  %%xbar%u = bitcast <8 x i16> %%xv%u to <2 x i64>\n  " BAR_X
          "(<2 x i64> %%xbar%u)\n"
          "  %%xb8%u = bitcast <8 x i16> %%xv%u to <16 x i8>\n"
          "  %%xh%u = shufflevector <16 x i8> %%xb8%u, <16 x i8> poison, <16 x i32> <i32 0, "
          "i32 1, i32 0, i32 0, i32 2, i32 3, i32 0, i32 0, i32 4, i32 5, i32 0, i32 0, i32 6, "
          "i32 7, i32 0, i32 0>\n"
          "  %%xs%u = bitcast <16 x i8> %%xh%u to <4 x i32>\n",
          p, p, p, vol, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
    }
    int sh = 32 - 8 * eb;
    if (!k->rows)
      put(&b,
          "  %%xsh%u = shl <4 x i32> %%xs%u, <i32 %d, i32 %d, i32 %d, i32 %d>\n"
          "  %%x%u = ashr exact <4 x i32> %%xsh%u, <i32 %d, i32 %d, i32 %d, i32 %d>\n",
          p, p, sh, sh, sh, sh, p, p, sh, sh, sh, sh);
    const char *wv = k->w_skips && p == 1 ? "%wl2" : "%w";
    if (k->w_skips && p == 1)
      put(&b, "  %%wl2 = mul <4 x i32> %%w, <i32 1, i32 1, i32 1, i32 1>\n");
    if (k->w_first) put(&b, "  %%m%u = mul nsw <4 x i32> %s, %%x%u\n", p, wv, p);
    else put(&b, "  %%m%u = mul nsw <4 x i32> %%x%u, %s\n", p, p, wv);
    if (k->acc_first) put(&b, "  %%accn%u = add <4 x i32> %%acc%u, %%m%u\n", p, p, p);
    else put(&b, "  %%accn%u = add <4 x i32> %%m%u, %%acc%u\n", p, p, p);
    if (k->acc_read_twice && p == 0) put(&b, "  %%twice = add <4 x i32> %%acc0, %%acc0\n");
  }
latch:
  if (k->store_in_loop) put(&b, "  store i8 0, i8* %%wg\n");
  unsigned K = k->terms > 1 ? k->terms : 1;
  put(&b,
      "  %%xp.n = add i32 %%xp, %d\n"
      "  %%j.n = add nuw nsw i64 %%j, %u\n",
      k->rows ? row : eb, (unsigned)row * K);
  if (k->var_bound) put(&b, "  %%c = icmp eq i64 %%j.n, %%bound\n");
  else put(&b, "  %%c = icmp eq i64 %%j.n, %u\n", k->trip * (unsigned)row * K);
  if (k->outer) {
    put(&b, "  br i1 %%c, label %%latch, label %%loop\nlatch:\n");
    put(&b,
        "  %%r.n = add i32 %%r, 1\n  %%xo.n = add i32 %%xo, %d\n  %%wo.n = add i32 %%wo, %d\n"
        "  %%oc = icmp eq i32 %%r.n, %u\n  br i1 %%oc, label %%exit, label %%outer\nexit:\n",
        OUTER_X, OUTER_W, k->outer);
  } else {
    put(&b, "  br i1 %%c, label %%exit, label %%loop\nexit:\n");
  }
  for (unsigned p = 0; p < k->npos; p++)
    put(&b, "  store <4 x i32> %%accn%u, <4 x i32>* %%ip%u\n", p, p);
  if (k->iv_escapes)
    put(&b, "  %%ipb = bitcast <4 x i32>* %%ip0 to i32*\n  store i32 %%xp.n, i32* %%ipb\n");
  put(&b, "  ret void\n}\nattributes #0 = { %s }\n", attrs);
  return b.p;
}

/* ---- memory: a guard-page reservation like the runtime's ---------------- */

static uint8_t *g_mem; /* 4 GiB + 64 KiB, PROT_NONE but the first page */
static size_t g_page;

static bool mem_init(void) {
  long ps = sysconf(_SC_PAGESIZE);
  g_page = ps > 0 ? (size_t)ps : 4096;
  size_t size = (UINT64_C(1) << 32) + 65536;
  void *m = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return false;
  g_mem = m;
  return mprotect(g_mem, g_page, PROT_READ | PROT_WRITE) == 0;
}

typedef void (*kernel_fn)(uint8_t *, int32_t, int32_t, int32_t *, int64_t);

/* Calls f; false if it faulted. */
typedef struct dot_call {
  kernel_fn f;
  uint32_t xb, wb;
  int32_t *io;
} dot_call;
static void dot_thunk(void *arg) {
  dot_call *c = arg;
  c->f(g_mem, (int32_t)c->xb, (int32_t)c->wb, c->io, 0);
}
static bool call_guarded(kernel_fn f, uint32_t xb, uint32_t wb, int32_t *io) {
  dot_call c = {f, xb, wb, io};
  return ir_call_guarded(dot_thunk, &c);
}

/* ---- data and the reference --------------------------------------------- */

static uint32_t g_seed = 12345;
static uint32_t rnd(void) { return g_seed = g_seed * 1664525u + 1013904223u; }

static int32_t elem_at(const kspec *k, uint32_t addr) {
  if (k->eb == 1) return (int8_t)g_mem[addr];
  int16_t v;
  memcpy(&v, g_mem + addr, 2);
  return v;
}

/* io[p][o] += sum_k x[p][k] * w[k][o], wrapping, as the loop computes it. */
static void reference(const kspec *k, uint32_t xb, uint32_t wb, int32_t *io) {
  int row = 4 * k->eb;
  for (unsigned r = 1; r < k->outer; r++) /* the outer loop's earlier rounds */
    reference(&(kspec){.eb = k->eb,
                       .npos = k->npos,
                       .trip = k->trip,
                       .first = k->first,
                       .rows = k->rows,
                       .terms = k->terms},
              xb + (r - 1) * OUTER_X, wb + (r - 1) * OUTER_W, io);
  if (k->outer) xb += (k->outer - 1) * OUTER_X, wb += (k->outer - 1) * OUTER_W;
  for (unsigned p = 0; p < k->npos; p++)
    for (unsigned o = 0; o < 4; o++) {
      uint32_t acc = (uint32_t)io[p * 4 + o];
      for (unsigned j = 0; j < k->trip && k->terms > 1; j++)
        for (unsigned t = 0; t < k->terms; t++) {
          int32_t x = elem_at(k, xb + k->first + (unsigned)row * (p + j + t) + o * 2u);
          int32_t w = elem_at(k, wb + (unsigned)row * (j * k->terms + t) + o * 2u);
          acc += (uint32_t)x * (uint32_t)w;
        }
      for (unsigned j = 0; j < k->trip && k->terms <= 1; j++) {
        int32_t x = k->rows
                        ? elem_at(k, xb + k->first + (unsigned)row * (p + j) + o * (unsigned)k->eb)
                        : elem_at(k, xb + k->first + j * (unsigned)k->eb + (unsigned)row * p);
        int32_t w = elem_at(k, wb + (unsigned)row * j + o * (unsigned)k->eb);
        acc += (uint32_t)x * (uint32_t)w;
      }
      io[p * 4 + o] = (int32_t)acc;
    }
}

/* What the readable page holds: random bytes, or the extremes of i8 and
 * i16 (elements are aligned to their size, little endian). */
typedef enum {
  FILL_RANDOM,
  FILL_I8_MIN,
  FILL_I16_MIN,
  FILL_MAX,
  FILL_I16_MAX,
  FILL_MIXED
} fill_kind;

static void fill(fill_kind f) {
  for (size_t i = 0; i < g_page; i++) {
    uint8_t v = (uint8_t)rnd();
    if (f == FILL_I8_MIN) v = 0x80;                 /* -128 (and -32640) */
    if (f == FILL_I16_MIN) v = i % 2 ? 0x80 : 0x00; /* -32768: pairs reach 2^31 */
    if (f == FILL_MAX) v = 0x7f;                    /* 127 (and 32639) */
    if (f == FILL_I16_MAX) v = i % 2 ? 0x7f : 0xff; /* 32767 */
    if (f == FILL_MIXED) v = (rnd() & 1) ? 0x80 : 0x7f;
    g_mem[i] = v;
  }
}

static void init_accs(int32_t *io, unsigned n, int mode) {
  for (unsigned i = 0; i < n * 4; i++)
    io[i] = mode == 0   ? (int32_t)rnd()
            : mode == 1 ? INT32_MAX - (int32_t)(rnd() % 70000)
                        : INT32_MIN + (int32_t)(rnd() % 70000);
}

/* ---- running a case ----------------------------------------------------- */

static const char *isa_name(int isa) {
  return isa == WGC_DOT_VNNI512 ? "vnni512"
         : isa == WGC_DOT_VNNI  ? "vnni"
         : isa == WGC_DOT_X86   ? "x86"
                                : "generic";
}

/* Bytes the kernel reads above xb: positions and elements. */
static uint32_t x_span(const kspec *k) {
  /* the last row: position npos - 1, iteration trip - 1, term terms - 1 */
  if (k->terms > 1) return k->first + 8u * (k->npos + k->trip + k->terms - 3) + 8u;
  return (k->outer ? (k->outer - 1) * OUTER_X : 0) + k->first +
         (unsigned)(4 * k->eb) * (k->npos - 1) +
         (k->rows ? (unsigned)(4 * k->eb) * k->trip : (unsigned)k->eb * k->trip);
}
static uint32_t w_span(const kspec *k) {
  if (k->terms > 1) return 8u * k->trip * k->terms;
  return (k->outer ? (k->outer - 1) * OUTER_W : 0) + (unsigned)(4 * k->eb) * k->trip;
}

/* split: wgc_dot_options.split_chains (-1 the pass's choice, 1 always);
 * pairs: 512-bit groups of 2 positions expected with pair windows on
 * (int16, trip 4), or 0: pair windows off, `wide` groups of 4 expected */
static void positive(const char *name, const kspec *k, int isa, unsigned wide, unsigned pairs,
                     int split) {
  char full[160];
  snprintf(full, sizeof full, "%s/%s%s%s", name, isa_name(isa), split == 1 ? "/split" : "",
           pairs ? "/pairs" : "");
  ir_pair P;
  if (!open_pair(full, kernel_ir(k, host_attrs), &P)) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_dot_options o;
  wgc_dot_options_init(&o);
  o.guard_pages = true;
  o.memory_max_pages = 65535;
  o.isa = isa;
  o.split_chains = split;
  o.pair_windows = pairs != 0;
  o.verify = true;
  wgc_dot_stats st;
  wasmgraph_status s = wgc_int_dot(&ctx, P.m[1], &o, &st);
  check(s == WASMGRAPH_OK, full, err);
  check(st.loops == 1 && st.positions == k->npos, full, "the loop was not replaced");
  unsigned G = k->eb == 1 ? 4 : 2;
  unsigned steps = k->trip * (k->terms > 1 ? k->terms : 1); /* products per accumulator */
  check(st.groups == steps / G && st.single_steps == steps % G, full, "wrong grouping");
  unsigned want_wide = pairs ? pairs : wide;
  check(st.wide_groups == (isa == WGC_DOT_VNNI512 ? want_wide : 0), full,
        "wrong number of 512-bit groups");
  check(st.pair_windows == (pairs && isa == WGC_DOT_VNNI512 ? pairs : 0), full,
        "wrong number of pair windows");
  /* every accumulator of a loop with two or more dot steps per chain: wide
   * groups count once, the positions outside them once each */
  unsigned chains = st.wide_groups + k->npos - st.wide_positions;
  /* a loop with pair windows keeps its chains: one step per group */
  bool long_chains = isa >= WGC_DOT_VNNI && k->terms <= 1 && steps / G >= 2 && !st.pair_windows;
  if (split == 1)
    check(st.split_chains == (long_chains ? chains : 0), full, "wrong number of split chains");
  if (split == -1)
    check(st.split_chains == (long_chains && chains < WGC_DOT_SPLIT_BELOW ? chains : 0), full,
          "split where the pass should not, or not where it should");
  /* int8 on x86 with AVX2 but no VNNI, accumulators around an outer loop
   * and every step in a quad: positions in pairs of 256-bit registers, an
   * odd last one with itself */
  bool ymm = isa == WGC_DOT_X86 && g_avx2 && k->eb == 1 && k->outer && steps % G == 0;
  check(st.ymm_pairs == (ymm ? (k->npos + 1) / 2 : 0u), full,
        "256-bit pairs where the pass should not, or not where it should");
  /* int8 VNNI steps around an outer loop: the corrections wait for its end */
  check(st.deferred_corrections == (isa >= WGC_DOT_VNNI && k->eb == 1 && k->outer ? 1u : 0u), full,
        "corrections deferred where they should not be, or not where they should");
  char *after = LLVMPrintModuleToString(P.m[1]);
  check(count(after, "label %loop") == 0, full, "the loop is still there");
  if (isa >= WGC_DOT_VNNI && steps >= G)
    check(count(after, k->eb == 1 ? "vpdpbusd" : "vpdpwssd") > 0, full, "no VNNI intrinsic");
  /* int8 without VNNI: pmaddwd on sign-extended pairs, not 32-bit multiplies */
  if (isa == WGC_DOT_X86 && k->eb == 1 && steps >= G)
    check(count(after, "pmadd.wd") > 0 && count(after, "mul <16 x i32>") == 0, full,
          "an int8 quad without VNNI is not two pmaddwd");
  if (st.ymm_pairs)
    check(count(after, "avx2.pmadd.wd") > 0 && count(after, "<8 x i32>") > 0, full,
          "the pairs are not 256-bit pmaddwd");
  /* int8 positions are 4 bytes apart: a pair's inputs are one 8-byte load
   * (where their offsets are above one i32 address) */
  if (st.ymm_pairs && k->npos >= 2 && !k->off_i32)
    check(count(after, "%dot.xadj") > 0, full, "adjacent positions not read with one load");
  check(count(after, "asm sideeffect") > 0, full, "the new loads lost their barriers");
  /* the weight row of a step left after the groups is loaded once, not once
   * per position: its name, a use and its barrier's bitcast per row */
  unsigned singles = steps % G;
  check(count(after, "%dot.w1row") <= 3 * singles, full,
        "a single step's weight row loaded per position");
  if (isa >= WGC_DOT_X86 && k->eb == 2 && !k->rows && singles)
    check(count(after, "%dot.wz") > 0, full, "an int16 single step is not a half pair");
  LLVMDisposeMessage(after);
  check_verifies(P.m[1], full);

  uintptr_t fa[2];
  jit_pair(&P, "k", fa);
  kernel_fn f0 = (kernel_fn)fa[0], f1 = (kernel_fn)fa[1];
  static const fill_kind fills[] = {FILL_RANDOM, FILL_I8_MIN,  FILL_I16_MIN,
                                    FILL_MAX,    FILL_I16_MAX, FILL_MIXED};
  for (unsigned fi = 0; f0 && f1 && fi < sizeof fills / sizeof fills[0]; fi++)
    for (int mode = 0; mode < 3; mode++) {
      fill(fills[fi]);
      uint32_t xb = 64 + (rnd() % 64) * (unsigned)k->eb, wb = 2048 + (rnd() % 64) * 4;
      int32_t io0[MAXP * 4], io1[MAXP * 4], ref[MAXP * 4];
      init_accs(io0, k->npos, mode);
      memcpy(io1, io0, sizeof io0);
      memcpy(ref, io0, sizeof io0);
      reference(k, xb, wb, ref);
      bool ok0 = call_guarded(f0, xb, wb, io0), ok1 = call_guarded(f1, xb, wb, io1);
      check(ok0 && ok1, full, "a run in bounds faulted");
      check(memcmp(io0, ref, k->npos * 16) == 0, full, "the loop differs from the reference");
      check(memcmp(io1, ref, k->npos * 16) == 0, full, "the pass's result differs from the loop");
    }
  /* at the end of memory: the last byte read is the page's last, then one
   * more; then an input address that wraps in i32 (a trap), and, where no
   * input is at the loop's address itself, one whose positions all wrap
   * back into memory (no trap: an anchor-less offset must stay in i32) */
  for (int t = 0; f0 && f1 && t < (k->first && !k->outer ? 5 : 4); t++) {
    fill(FILL_RANDOM);
    uint32_t xb = 64, wb = 2048;
    bool want = true;
    if (t == 0) xb = (uint32_t)g_page - x_span(k);
    if (t == 1) xb = (uint32_t)g_page - x_span(k) + 1, want = false;
    if (t == 2) wb = (uint32_t)g_page - w_span(k) + 1, want = false;
    /* x + k wraps in the loop: past the end, or back into memory after `first` */
    if (t == 3) xb = UINT32_MAX - 1, want = k->first != 0;
    if (t == 4) xb = 0u - k->first + 64;
    int32_t io0[MAXP * 4] = {0}, io1[MAXP * 4] = {0};
    bool ok0 = call_guarded(f0, xb, wb, io0), ok1 = call_guarded(f1, xb, wb, io1);
    char what[96];
    snprintf(what, sizeof what, "placement %d: loop %s, pass %s (want %s)", t,
             ok0 ? "ran" : "trapped", ok1 ? "ran" : "trapped", want ? "ran" : "trapped");
    check(ok0 == want && ok1 == want, full, what);
    if (want && ok0 && ok1) {
      int32_t ref[MAXP * 4] = {0};
      reference(k, xb, wb, ref);
      check(memcmp(io0, ref, k->npos * 16) == 0 && memcmp(io1, ref, k->npos * 16) == 0, full,
            "values at the end of memory or wrapped");
    }
  }
  close_pair(&P);
  finish_case(P.before_failed, "%s", full);
}

static void negative(const char *name, const kspec *k, const wgc_dot_options *opt,
                     const char *why) {
  int before_failed = failed;
  char *ir = kernel_ir(k, host_attrs);
  LLVMContextRef c;
  char *orig;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  free(ir);
  if (!m) return;
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_dot_stats st;
  check(wgc_int_dot(&ctx, m, opt, &st) == WASMGRAPH_OK, name, err);
  char *after = LLVMPrintModuleToString(m);
  check(strcmp(orig, after) == 0, name, "the module changed");
  check(st.loops == 0, name, "a loop was counted as replaced");
  const char *got = st.disabled ? st.disabled : st.first_reject;
  check(got && strstr(got, why), name, got ? got : "no reason given");
  LLVMDisposeMessage(after);
  LLVMDisposeMessage(orig);
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
  if (failed == before_failed) passed++;
  printf("%s %s\n", failed == before_failed ? "ok  " : "FAIL", name);
}

static bool host_has(const char *features, const char *f) {
  size_t n = strlen(f);
  for (const char *p = features; (p = strstr(p, f)) != NULL; p += n)
    if ((p == features || p[-1] == ',') && (p[n] == ',' || p[n] == 0)) return true;
  return false;
}

int main(void) {
  char *feat = jit_init_host(host_attrs, sizeof host_attrs);
  if (!mem_init()) {
    printf("FAIL cannot reserve 4 GiB of address space for the guard-page cases\n");
    return 1;
  }
  char *triple = LLVMGetDefaultTargetTriple();
  bool x86 = strncmp(triple, "x86_64", 6) == 0;
  LLVMDisposeMessage(triple);
  bool vl = host_has(feat, "+avx512vnni") && host_has(feat, "+avx512vl");
  bool vnni = x86 && (vl || host_has(feat, "+avxvnni"));
  bool vnni512 = x86 && vl && host_has(feat, "+avx512f");
  g_avx2 = x86 && host_has(feat, "+avx2");
  int isas[4] = {WGC_DOT_GENERIC, WGC_DOT_X86, WGC_DOT_VNNI, WGC_DOT_VNNI512};
  int nisa = x86 ? (vnni512 ? 4 : vnni ? 3 : 2) : 1;
  if (!vnni) printf("SKIP the VNNI forms: this CPU has no AVX512-VNNI/AVX-VNNI\n");
  else if (!vnni512) printf("SKIP the 512-bit VNNI form: this CPU has no AVX512-VNNI\n");
  LLVMDisposeMessage(feat);

  static const struct {
    const char *name;
    kspec k;
    unsigned wide;  /* 512-bit groups expected where the host has AVX512-VNNI */
    unsigned pairs; /* with pair windows (int16, trip 4), else 0 */
  } cases[] = {
      {"i8_13pos_trip4", {.eb = 1, .npos = 13, .trip = 4}, 0, 0},
      {"i8_trip8_acc_first", {.eb = 1, .npos = 5, .trip = 8, .acc_first = true}, 0, 0},
      {"i8_trip3_remainder", {.eb = 1, .npos = 4, .trip = 3, .w_first = true}, 0, 0},
      {"i8_trip6_off_i32", {.eb = 1, .npos = 7, .trip = 6, .off_i32 = true}, 0, 0},
      {"i8_no_anchor_wraps", {.eb = 1, .npos = 4, .trip = 4, .off_i32 = true, .first = 16}, 0, 0},
      {"i16_28pos_trip4", {.eb = 2, .npos = 28, .trip = 4}, 0, 0},
      {"i16_trip3_remainder", {.eb = 2, .npos = 3, .trip = 3, .acc_first = true}, 0, 0},
      /* mobilenet_v2_qnn's first conv: 3 input channels, a pair and a half pair */
      {"i16_28pos_trip3", {.eb = 2, .npos = 28, .trip = 3}, 0, 0},
      {"i16_7pos_trip3_outer2", {.eb = 2, .npos = 7, .trip = 3, .outer = 2}, 0, 0},
      {"i16_trip2_off_i32",
       {.eb = 2, .npos = 9, .trip = 2, .off_i32 = true, .w_first = true},
       0,
       0},
      /* depthwise: rows of taps, pairs interleaved */
      {"i16_rows_28pos_trip3", {.eb = 2, .npos = 28, .trip = 3, .rows = true}, 0, 0},
      {"i16_rows_1pos_trip4", {.eb = 2, .npos = 1, .trip = 4, .rows = true, .w_first = true}, 0, 0},
      {"i16_rows_5pos_trip2_outer2",
       {.eb = 2, .npos = 5, .trip = 2, .rows = true, .outer = 2},
       0,
       0},
      /* depthwise with a kernel row unrolled: 3 products per iteration */
      {"i16_terms3_14pos_trip3", {.eb = 2, .npos = 14, .trip = 3, .rows = true, .terms = 3}, 0, 0},
      {"i16_terms2_1pos_trip2", {.eb = 2, .npos = 1, .trip = 2, .rows = true, .terms = 2}, 0, 0},
      /* accumulators carried by an outer loop: 512-bit groups of 4 positions */
      {"i8_13pos_outer3", {.eb = 1, .npos = 13, .trip = 4, .outer = 3}, 3, 0},
      {"i8_6pos_outer2_acc_first",
       {.eb = 1, .npos = 6, .trip = 4, .outer = 2, .acc_first = true},
       1,
       0},
      /* a 1x1 conv on a 7x7 map (mobilenet_v2_qnn): one group, then one that
       * repeats a position (int16 only) */
      {"i16_7pos_outer2", {.eb = 2, .npos = 7, .trip = 4, .outer = 2}, 2, 4},
      {"i16_13pos_outer2", {.eb = 2, .npos = 13, .trip = 4, .outer = 2}, 4, 7},
      {"i16_2pos_outer3", {.eb = 2, .npos = 2, .trip = 4, .outer = 3}, 0, 1},
      {"i16_4pos_outer2_acc_first",
       {.eb = 2, .npos = 4, .trip = 4, .outer = 2, .acc_first = true},
       1,
       2},
      {"i8_trip8_outer2", {.eb = 1, .npos = 8, .trip = 8, .outer = 2}, 0, 0}, /* hull 36 */
      {"i16_28pos_outer2", {.eb = 2, .npos = 28, .trip = 4, .outer = 2}, 7, 14},
      {"i16_trip2_outer3_off_i32",
       {.eb = 2, .npos = 8, .trip = 2, .outer = 3, .off_i32 = true},
       0,
       0},
      {"i8_no_anchor_outer2",
       {.eb = 1, .npos = 4, .trip = 4, .outer = 2, .off_i32 = true, .first = 16},
       0,
       0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (int t = 0; t < nisa; t++) {
      /* pair windows off, then (where a case expects them) on */
      for (int pw = 0; pw < (cases[i].pairs ? 2 : 1); pw++) {
        unsigned pairs = pw ? cases[i].pairs : 0;
        positive(cases[i].name, &cases[i].k, isas[t], cases[i].wide, pairs, -1);
        if (isas[t] >= WGC_DOT_VNNI)
          positive(cases[i].name, &cases[i].k, isas[t], cases[i].wide, pairs, 1);
      }
    }

  wgc_dot_options on;
  wgc_dot_options_init(&on);
  on.guard_pages = true;
  on.memory_max_pages = 65535;
  on.verify = true;
  const kspec base = {.eb = 1, .npos = 4, .trip = 4};
  kspec k;
  k = base, k.store_in_loop = true;
  negative("neg_store_in_loop", &k, &on, "effect");
  k = base, k.var_bound = true;
  negative("neg_variable_trip_count", &k, &on, "trip count");
  k = base, k.w_skips = true;
  negative("neg_two_weight_rows", &k, &on, "sext(x) * sext(w)");
  k = base, k.acc_read_twice = true;
  negative("neg_accumulator_read_elsewhere", &k, &on, "read elsewhere");
  k = base, k.iv_escapes = true;
  negative("neg_induction_used_after", &k, &on, "used after the loop");
  k = base, k.volatile_x = true;
  negative("neg_volatile_input", &k, &on, "effect");
  k = base, k.wide_x = true;
  negative("neg_input_load_wider_than_used", &k, &on, "sext(x) * sext(w)");
  wgc_dot_options o = on;
  o.guard_pages = false;
  negative("neg_bounds_check_mode", &base, &o, "bounds-check");
  o = on;
  o.memory_max_pages = 65536;
  negative("neg_memory_may_reach_4gib", &base, &o, "65535");

  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
