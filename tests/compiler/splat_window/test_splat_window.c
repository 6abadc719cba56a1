/*
 * test_splat_window.c — unit test of compiler/llvm/splat_window.c on small
 * hand-written LLVM modules shaped like wasm2c + clang -O2 output:
 * 4-byte loads at base + zext(x + k) (i32 adds, i8 GEP, bitcast, align 1),
 * splatted (insertelement + bitcast + zero-mask shufflevector) and paired
 * by an 8-lane concat shuffle, as v128_pair.c builds the operand of a
 * paired multiply. Each case is a list of ops (see gen_ir()).
 *
 * Positive cases assert the stats, the number of <8 x T> / <4 x T>
 * `sw.window` loads, that the concats and the replaced scalar loads are
 * gone, that the module verifies, and run the kernel (MCJIT) before and
 * after on the same memory: outputs bit-identical and equal to the bytes
 * the C side reads (the data holds sNaN / NaN-payload / denormal patterns,
 * so bits must be moved, not computed). Quad cases (AVX-512 groups of
 * v128_pair.c) concatenate two such 8-lane concats into 16 lanes and expect
 * one or two 64-byte windows. Each run places the loads' byte
 * hull against a PROT_NONE page, once at its end and once at its start
 * (there x wraps around 2^32 as wasm's i32 adds do): a window reaching
 * outside the hull faults, which is reported as a failure. Negative cases
 * assert that the printed module is unchanged and the stats. Two last
 * cases splat through a bitcast that changes the lane width (lane 0 is not
 * the loaded 4 bytes): whatever the pass does there, the results must stay
 * bit-identical and no read may leave the hull. Prints one line per case
 * and "N passed, M failed"; exits 1 on failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sigsetjmp, mmap */
#endif
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/Target.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "llvm/splat_window.h"
#include "ir_test_util.h"

enum {
  MAX_OPS = 24,
  OUT_SLOT = 64, /* bytes per concat result (<8 x i64> is the widest) */
  AUX_SLOT = 32, /* bytes per value stored to %aux */
  AUX_BYTES = 1024,
  EFFECT_AT = 1020 /* where the "S" op stores, inside %aux */
};

#define CONCAT_MASK "<8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7>"
#define SWAP_MASK "<8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 0, i32 1, i32 2, i32 3>"
#define QUAD_MASK                                                                              \
  "<16 x i32> <i32 0, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7, i32 8, i32 9, i32 10, " \
  "i32 11, i32 12, i32 13, i32 14, i32 15>"
#define MD "metadata !\"round.dynamic\", metadata !\"fpexcept.ignore\""

/* One op of a case. Loads: "L tag kind base root k" where kind is
 *   i  i32 load, insertelement <4 x i32>, bitcast to <4 x float>, splat
 *   f  float load, insertelement <4 x float>, splat
 *   V  like i, but the load is volatile
 *   v  <4 x float> load (16 bytes; widens the hull, not a splat)
 *   h  like i, but bitcast to <8 x i16> before a 4-lane zero-mask shuffle
 *   q  like i, but bitcast to <2 x i64> before a 4-lane zero-mask shuffle
 * base is b or c (the two i8* parameters), root x or y (the two i32 ones);
 * k = 0 addresses zext(root) without an add.
 * "C lo hi": concat of the two tags' values (stored to %out);
 * "X lo hi": the same shuffle with the halves swapped in the mask (no concat);
 * "Q a b c d": a quad operand, concat(concat(a, b), concat(c, d)) (stored to %out);
 * "U tag": the tag's value is also stored to %aux (a second use);
 * "S": a store (an effect); "F": a constrained fadd (not an effect);
 * "B": ends the block, the rest goes to the next one. */
typedef struct op {
  char what; /* L C X Q U S F B */
  char tag[8], kind, base, root;
  uint32_t k;
  char lo[8], hi[8]; /* C, X; U uses lo; Q: the first two inputs */
  char q3[8], q4[8]; /* Q: the last two inputs */
} op;

typedef struct tcase {
  const char *name;
  const char *ops; /* ';'-separated */
  wgc_window_options opt;
  /* expected stats; windows == 0 and !exact_only: the module must not change */
  unsigned windows, split, in_lane, no_window;
  unsigned removed;     /* scalar loads erased */
  const char *disabled; /* expected stats->disabled prefix, or NULL */
  bool exact_only;      /* only require: verifies and runs bit-identical */
} tcase;

/* What a case expects of the quads (all zero for the pair cases). */
typedef struct quad_expect {
  unsigned quads, quad_two, quad_in_lane, quad_no_window;
} quad_expect;

/* The options of a guard-page build with the largest memory the pass accepts. */
#define GUARDED \
  { true, 65535 }

/* ---- parsing the op list ------------------------------------------------- */

static int parse_ops(const char *text, op *ops) {
  int n = 0;
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, ';');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char line[64];
    if (len >= sizeof line || n >= MAX_OPS) return -1;
    memcpy(line, p, len);
    line[len] = 0;
    op *o = &ops[n];
    memset(o, 0, sizeof *o);
    char w;
    if (sscanf(line, " %c", &w) != 1) return -1;
    o->what = w;
    bool ok = true;
    switch (w) {
      case 'L':
        ok = sscanf(line, " L %7s %c %c %c %u", o->tag, &o->kind, &o->base, &o->root, &o->k) == 5;
        break;
      case 'C':
      case 'X':
        ok = sscanf(line, " %*c %7s %7s", o->lo, o->hi) == 2;
        break;
      case 'U':
        ok = sscanf(line, " U %7s", o->lo) == 1;
        break;
      case 'Q':
        ok = sscanf(line, " Q %7s %7s %7s %7s", o->lo, o->hi, o->q3, o->q4) == 4;
        break;
      case 'S':
      case 'F':
      case 'B':
        break;
      default:
        ok = false;
    }
    if (!ok) return -1;
    n++;
    p = e ? e + 1 : p + len;
  }
  return n;
}

static const op *find_load(const op *ops, int n, const char *tag) {
  for (int i = 0; i < n; i++)
    if (ops[i].what == 'L' && strcmp(ops[i].tag, tag) == 0) return &ops[i];
  return NULL;
}

/* The IR type of a load op's value and of the concat of two of them. */
static const char *half_type(char kind) {
  return kind == 'h' ? "<4 x i16>" : kind == 'q' ? "<4 x i64>" : "<4 x float>";
}
static const char *full_type(char kind) {
  return kind == 'h' ? "<8 x i16>" : kind == 'q' ? "<8 x i64>" : "<8 x float>";
}

static bool used_by_concat(const op *ops, int n, const char *tag) {
  for (int i = 0; i < n; i++) {
    if ((ops[i].what == 'C' || ops[i].what == 'X' || ops[i].what == 'Q') &&
        (strcmp(ops[i].lo, tag) == 0 || strcmp(ops[i].hi, tag) == 0))
      return true;
    if (ops[i].what == 'Q' && (strcmp(ops[i].q3, tag) == 0 || strcmp(ops[i].q4, tag) == 0))
      return true;
  }
  return false;
}

/* The IR type of a quad operand (float lanes: the loads are i or f). */
static bool is_output(char what) { return what == 'C' || what == 'X' || what == 'Q'; }

/* ---- generating the kernel ----------------------------------------------- */

/* The kernel is compiled for the widest vectors this machine runs, so that
 * a 32- or 64-byte window stays one load in the machine code (and reads
 * past the hull fault) as it does in a compiled model. */
static const char *host_features(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "+avx,+avx2,+avx512f,+avx512vl,+avx512bw,+avx512dq";
  if (__builtin_cpu_supports("avx2")) return "+avx,+avx2";
  return "";
}

/* void @k(i8* %b, i8* %c, i32 %x, i32 %y, i8* %out, i8* %aux): the ops in
 * order, then the stores of the concats (out + 64 j) and of the values not
 * used by a concat or marked U (aux + 32 j). */
static char *gen_ir(const op *ops, int n) {
  sbuf b = {malloc(4096), 0, 4096};
  if (!b.p) abort();
  put(&b,
      "declare <4 x float> @llvm.experimental.constrained.fadd.v4f32(<4 x float>, "
      "<4 x float>, metadata, metadata)\n"
      "define void @k(i8* %%b, i8* %%c, i32 %%x, i32 %%y, i8* %%out, i8* %%aux) #0 {\n"
      "entry:\n");
  unsigned blocks = 0, effects = 0, fadds = 0;
  for (int i = 0; i < n; i++) {
    const op *o = &ops[i];
    const char *t = o->tag;
    switch (o->what) {
      case 'L': {
        if (o->k)
          put(&b, "  %%%s.a = add i32 %%%c, %u\n  %%%s.z = zext i32 %%%s.a to i64\n", t, o->root,
              o->k, t, t);
        else put(&b, "  %%%s.z = zext i32 %%%c to i64\n", t, o->root);
        put(&b, "  %%%s.p = getelementptr inbounds i8, i8* %%%c, i64 %%%s.z\n", t, o->base, t);
        if (o->kind == 'v') {
          put(&b,
              "  %%%s.q = bitcast i8* %%%s.p to <4 x float>*\n"
              "  %%%s.s = load <4 x float>, <4 x float>* %%%s.q, align 1\n",
              t, t, t, t);
        } else if (o->kind == 'f') {
          put(&b,
              "  %%%s.q = bitcast i8* %%%s.p to float*\n"
              "  %%%s.l = load float, float* %%%s.q, align 1\n"
              "  %%%s.i = insertelement <4 x float> undef, float %%%s.l, i64 0\n"
              "  %%%s.s = shufflevector <4 x float> %%%s.i, <4 x float> undef, "
              "<4 x i32> zeroinitializer\n",
              t, t, t, t, t, t, t, t);
        } else {
          /* h and q insert into zeroinitializer: their wider lane 0 then has
           * defined upper bits, so the outputs can be compared */
          bool odd = o->kind == 'h' || o->kind == 'q';
          const char *src = o->kind == 'h'   ? "<8 x i16>"
                            : o->kind == 'q' ? "<2 x i64>"
                                             : "<4 x float>";
          put(&b,
              "  %%%s.q = bitcast i8* %%%s.p to i32*\n"
              "  %%%s.l = load %si32, i32* %%%s.q, align 1\n"
              "  %%%s.i = insertelement <4 x i32> %s, i32 %%%s.l, i64 0\n"
              "  %%%s.f = bitcast <4 x i32> %%%s.i to %s\n"
              "  %%%s.s = shufflevector %s %%%s.f, %s undef, <4 x i32> zeroinitializer\n",
              t, t, t, o->kind == 'V' ? "volatile " : "", t, t, odd ? "zeroinitializer" : "undef",
              t, t, t, src, t, src, t, src);
        }
        break;
      }
      case 'C':
      case 'X': {
        const op *lo = find_load(ops, n, o->lo);
        const char *ht = lo ? half_type(lo->kind) : "<4 x float>";
        put(&b, "  %%cat%d = shufflevector %s %%%s.s, %s %%%s.s, %s\n", i, ht, o->lo, ht, o->hi,
            o->what == 'C' ? CONCAT_MASK : SWAP_MASK);
        break;
      }
      case 'Q': {
        const op *a = find_load(ops, n, o->lo);
        const char *ht = a ? half_type(a->kind) : "<4 x float>";
        const char *ft = a ? full_type(a->kind) : "<8 x float>";
        put(&b,
            "  %%qa%d = shufflevector %s %%%s.s, %s %%%s.s, " CONCAT_MASK
            "\n"
            "  %%qb%d = shufflevector %s %%%s.s, %s %%%s.s, " CONCAT_MASK
            "\n"
            "  %%cat%d = shufflevector %s %%qa%d, %s %%qb%d, " QUAD_MASK "\n",
            i, ht, o->lo, ht, o->hi, i, ht, o->q3, ht, o->q4, i, ft, i, ft, i);
        break;
      }
      case 'S':
        put(&b,
            "  %%st%u = getelementptr inbounds i8, i8* %%aux, i64 %d\n"
            "  %%st%u.q = bitcast i8* %%st%u to i32*\n"
            "  store i32 %u, i32* %%st%u.q, align 1\n",
            effects, EFFECT_AT, effects, effects, effects + 1, effects);
        effects++;
        break;
      case 'F':
        put(&b,
            "  %%fa%u = call <4 x float> @llvm.experimental.constrained.fadd.v4f32("
            "<4 x float> zeroinitializer, <4 x float> <float 1.0, float 2.0, float 3.0, "
            "float 4.0>, " MD ") #1\n",
            fadds);
        fadds++;
        break;
      case 'B':
        put(&b, "  br label %%bb%u\nbb%u:\n", blocks, blocks);
        blocks++;
        break;
      default:
        break;
    }
  }
  unsigned nout = 0, naux = 0;
  for (int i = 0; i < n; i++) {
    const op *o = &ops[i];
    if (is_output(o->what)) {
      const op *lo = find_load(ops, n, o->lo);
      const char *ft = o->what == 'Q' ? "<16 x float>" : lo ? full_type(lo->kind) : "<8 x float>";
      put(&b,
          "  %%o%d = getelementptr inbounds i8, i8* %%out, i64 %u\n"
          "  %%o%d.q = bitcast i8* %%o%d to %s*\n"
          "  store %s %%cat%d, %s* %%o%d.q, align 1\n",
          i, nout * OUT_SLOT, i, i, ft, ft, i, ft, i);
      nout++;
    }
    const char *tag = o->what == 'L' && !used_by_concat(ops, n, o->tag) ? o->tag
                      : o->what == 'U'                                  ? o->lo
                                                                        : NULL;
    if (tag) {
      const op *l = find_load(ops, n, tag);
      const char *ht = l ? half_type(l->kind) : "<4 x float>";
      put(&b,
          "  %%x%d = getelementptr inbounds i8, i8* %%aux, i64 %u\n"
          "  %%x%d.q = bitcast i8* %%x%d to %s*\n"
          "  store %s %%%s.s, %s* %%x%d.q, align 1\n",
          i, naux * AUX_SLOT, i, i, ht, ht, tag, ht, i);
      naux++;
    }
  }
  put(&b,
      "  ret void\n}\nattributes #0 = { strictfp \"min-legal-vector-width\"=\"512\" "
      "\"target-features\"=\"%s\" }\nattributes #1 = { strictfp }\n",
      host_features());
  return b.p;
}

/* ---- running it ---------------------------------------------------------- */

typedef void (*kernel_fn)(uint8_t *, uint8_t *, int32_t, int32_t, uint8_t *, uint8_t *);

/* A read-write page between two PROT_NONE pages, filled with 4-byte
 * patterns that differ at every position: signalling NaNs (with payloads),
 * negative quiet NaNs with payloads, denormals, pseudo-random words. */
typedef struct guarded {
  uint8_t *map, *page;
  size_t psize;
} guarded;

static bool guarded_init(guarded *g, uint32_t seed) {
  long ps = sysconf(_SC_PAGESIZE);
  g->psize = ps > 0 ? (size_t)ps : 4096;
  g->map = mmap(NULL, 3 * g->psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (g->map == MAP_FAILED) return false;
  g->page = g->map + g->psize;
  if (mprotect(g->page, g->psize, PROT_READ | PROT_WRITE) != 0) return false;
  for (size_t i = 0; i < g->psize / 4; i++) {
    seed = seed * 1664525u + 1013904223u;
    uint32_t w;
    switch (i % 4) {
      case 0:
        w = 0x7f800000u | (uint32_t)(i + 1);
        break; /* sNaN, payload i + 1 */
      case 1:
        w = 0xffc00000u | (uint32_t)(i * 7 + 3);
        break; /* -qNaN with payload */
      case 2:
        w = (uint32_t)(i * 13 + 1);
        break; /* denormal */
      default:
        w = seed;
        break;
    }
    memcpy(g->page + 4 * i, &w, 4);
  }
  return true;
}

/* Calls f; false if it faulted (a load reached a PROT_NONE page). */
typedef struct window_call {
  kernel_fn f;
  uint8_t *b, *c, *out, *aux;
  uint32_t x;
} window_call;
static void window_thunk(void *arg) {
  window_call *w = arg;
  w->f(w->b, w->c, (int32_t)w->x, (int32_t)w->x, w->out, w->aux);
}
static bool call_guarded(kernel_fn f, uint8_t *b, uint8_t *c, uint32_t x, uint8_t *out,
                         uint8_t *aux) {
  window_call w = {f, b, c, out, aux, x};
  return ir_call_guarded(window_thunk, &w);
}

enum { RUNS = 2 }; /* hull end against the upper guard page; hull start at the page start */

typedef struct results {
  uint8_t out[RUNS][8 * OUT_SLOT], aux[RUNS][AUX_BYTES];
  bool faulted[RUNS];
} results;

/* Runs @k of m (consumed) for both placements; false if the JIT failed. */
static bool run(LLVMModuleRef m, const guarded *gb, const guarded *gc, const uint32_t *xs,
                results *r) {
  LLVMExecutionEngineRef ee = jit(m);
  if (!ee) return false;
  kernel_fn f = (kernel_fn)(uintptr_t)LLVMGetFunctionAddress(ee, "k");
  memset(r, 0, sizeof *r);
  for (int run_i = 0; f && run_i < RUNS; run_i++)
    r->faulted[run_i] =
        !call_guarded(f, gb->page, gc->page, xs[run_i], r->out[run_i], r->aux[run_i]);
  LLVMDisposeExecutionEngine(ee);
  return f != NULL;
}

/* Bytes [hmin, hmax) the case's loads read relative to the root (all of
 * them: the positive cases use one base and one root). */
static void case_hull(const op *ops, int n, uint32_t *hmin, uint32_t *hmax) {
  *hmin = UINT32_MAX;
  *hmax = 0;
  for (int i = 0; i < n; i++) {
    if (ops[i].what != 'L') continue;
    uint32_t size = ops[i].kind == 'v' ? 16 : 4;
    if (ops[i].k < *hmin) *hmin = ops[i].k;
    if (ops[i].k + size > *hmax) *hmax = ops[i].k + size;
  }
}

/* Checks every 4-byte-lane concat result against the bytes in memory. */
static void check_expected(const char *name, const op *ops, int n, const guarded *gb,
                           const guarded *gc, uint32_t x, const uint8_t *out) {
  unsigned slot = 0;
  for (int i = 0; i < n; i++) {
    if (ops[i].what == 'Q') {
      const char *tags[4] = {ops[i].lo, ops[i].hi, ops[i].q3, ops[i].q4};
      for (unsigned lane = 0; lane < 16; lane++) {
        const op *l = find_load(ops, n, tags[lane / 4]);
        if (!l) continue;
        const guarded *g = l->base == 'b' ? gb : gc;
        check(memcmp(out + slot * OUT_SLOT + 4 * lane, g->page + (uint32_t)(x + l->k), 4) == 0,
              name, "a quad lane differs from the bytes in memory");
      }
      slot++;
      continue;
    }
    if (ops[i].what != 'C' && ops[i].what != 'X') continue;
    const op *half[2] = {find_load(ops, n, ops[i].lo), find_load(ops, n, ops[i].hi)};
    if (ops[i].what == 'X') {
      const op *t = half[0];
      half[0] = half[1];
      half[1] = t;
    }
    bool wide = half[0] && half[1] && strchr("ifV", half[0]->kind) && strchr("ifV", half[1]->kind);
    for (unsigned lane = 0; wide && lane < 8; lane++) {
      const op *l = half[lane / 4];
      const guarded *g = l->base == 'b' ? gb : gc;
      uint32_t at = x + l->k; /* wraps like wasm's i32 add */
      check(memcmp(out + slot * OUT_SLOT + 4 * lane, g->page + at, 4) == 0, name,
            "a lane differs from the bytes in memory");
    }
    slot++;
  }
}

/* Lines of `s` holding both `a` and `b`. */
static unsigned count_lines(const char *s, const char *a, const char *b) {
  unsigned n = 0;
  while (*s) {
    const char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    const char *pa = strstr(s, a), *pb = strstr(s, b);
    if (pa && pb && pa < s + len && pb < s + len) n++;
    s += len + (e ? 1 : 0);
  }
  return n;
}

static unsigned scalar_loads(const char *ir) {
  return count(ir, " = load i32,") + count(ir, " = load volatile i32,") +
         count(ir, " = load float,");
}

static guarded mem_b, mem_c;

static void run_case(const tcase *tc, const quad_expect *q) {
  int before_failed = failed;
  const char *name = tc->name;
  op ops[MAX_OPS];
  int n = parse_ops(tc->ops, ops);
  if (n < 0) {
    check(false, name, "bad op list");
    return;
  }
  char *ir = gen_ir(ops, n), *orig;
  LLVMContextRef c;
  LLVMModuleRef m = open_case(name, ir, &c, &orig);
  if (!m) {
    free(ir);
    return;
  }
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_window_stats st;
  memset(&st, 0xa5, sizeof st); /* the pass must reset every field */
  wasmgraph_status s = wgc_splat_window(&ctx, m, &tc->opt, true, &st);
  check(s == WASMGRAPH_OK, name, err);
  check_verifies(m, name);
  char *out = LLVMPrintModuleToString(m);
  unsigned concats = 0, quad_ops = 0; /* 8-lane concats (two per quad), quads */
  for (int i = 0; i < n; i++) {
    concats += ops[i].what == 'C' ? 1 : ops[i].what == 'Q' ? 2 : 0;
    quad_ops += ops[i].what == 'Q';
  }
  if (tc->disabled)
    check(st.disabled && strncmp(st.disabled, tc->disabled, strlen(tc->disabled)) == 0, name,
          "stats->disabled");
  else check(st.disabled == NULL, name, "stats->disabled set");
  if (!tc->exact_only) {
    check(st.windows == tc->windows && st.split == tc->split && st.in_lane == tc->in_lane &&
              st.no_window == tc->no_window && st.functions == (tc->windows || q->quads ? 1u : 0u),
          name, "stats (windows / split / in_lane / no_window / functions)");
    check(st.quads == q->quads && st.quad_two == q->quad_two &&
              st.quad_in_lane == q->quad_in_lane && st.quad_no_window == q->quad_no_window,
          name, "quad stats (quads / two windows / in-lane / without a window)");
  }
  if (tc->windows == 0 && q->quads == 0 && !tc->exact_only) {
    check(strcmp(orig, out) == 0, name, "module changed although nothing may be windowed");
    check(count(out, "sw.") == 0, name, "window instructions appeared");
  } else if (!tc->exact_only) {
    check(count_lines(out, "%sw.window", "= load <8 x ") == tc->windows - tc->split, name,
          "32-byte window loads");
    check(count_lines(out, "%sw.window", "= load <4 x float>, <4 x float>* ") == 2 * tc->split,
          name, "16-byte window loads");
    check(count_lines(out, "%sw.window", "= load <16 x ") == q->quads + q->quad_two, name,
          "64-byte window loads");
    check(count_lines(out, "%sw.window", "align 1") ==
              tc->windows + tc->split + q->quads + q->quad_two,
          name, "window loads are align 1");
    /* a split window concatenates its two 16-byte windows (%sw.pair); a
     * windowed quad's two inner concats go with it */
    check(count(out, CONCAT_MASK) == concats - 2 * q->quads - tc->windows + tc->split, name,
          "concat shuffles left");
    check(count(out, QUAD_MASK) == quad_ops - q->quads, name, "quad concats left");
    check(count_lines(out, "%sw.quad", "shufflevector") == q->quads, name,
          "one window shuffle per quad");
    check(count_lines(out, "%sw.quad", "shufflevector <16 x float> %sw.window") == q->quads, name,
          "quad shuffles read the windows");
    check(count_lines(out, "%sw.pair", CONCAT_MASK) == tc->split, name,
          "split windows joined by one concat each");
    check(count_lines(out, "  %sw.splat", "= shufflevector") == tc->windows, name,
          "one window shuffle per pair");
    check(scalar_loads(orig) - scalar_loads(out) == tc->removed, name, "scalar loads erased");
    check(count(out, "store ") == count(orig, "store "), name, "a store was added or removed");
  }
  if (tc->windows || q->quads || tc->exact_only) {
    /* bit-identical outputs and no fault with the hull against guard pages */
    uint32_t hmin, hmax;
    case_hull(ops, n, &hmin, &hmax);
    uint32_t xs[RUNS] = {(uint32_t)mem_b.psize - hmax, 0u - hmin};
    results *before = calloc(1, sizeof *before), *after = calloc(1, sizeof *after);
    if (!before || !after) abort();
    LLVMContextRef c2 = LLVMContextCreate();
    LLVMModuleRef m2 = parse(c2, ir);
    bool ran = m2 && run(m2, &mem_b, &mem_c, xs, before) && run(m, &mem_b, &mem_c, xs, after);
    m = NULL; /* owned by the engine now */
    check(ran, name, "JIT");
    for (int r = 0; ran && r < RUNS; r++) {
      char what[96];
      snprintf(what, sizeof what, "the original kernel faulted (run %d: test bug)", r);
      check(!before->faulted[r], name, what);
      snprintf(what, sizeof what, "windowed kernel faulted (run %d): reads outside the hull", r);
      check(!after->faulted[r], name, what);
      check(memcmp(before->out[r], after->out[r], sizeof before->out[r]) == 0, name,
            "concat results differ");
      check(memcmp(before->aux[r], after->aux[r], sizeof before->aux[r]) == 0, name,
            "other results differ");
      check_expected(name, ops, n, &mem_b, &mem_c, xs[r], after->out[r]);
    }
    LLVMContextDispose(c2);
    free(before);
    free(after);
  }
  if (failed == before_failed) {
    printf(
        "ok   %s (%u windows, %u split, %u in-lane, %u without a window; %u quads, %u two, %u "
        "in-lane, %u without%s%s)\n",
        name, st.windows, st.split, st.in_lane, st.no_window, st.quads, st.quad_two,
        st.quad_in_lane, st.quad_no_window, st.disabled ? "; off: " : "",
        st.disabled ? st.disabled : "");
    passed++;
  } else {
    printf("---- IR after:\n%s\n", out);
  }
  free(ir);
  LLVMDisposeMessage(orig);
  LLVMDisposeMessage(out);
  if (m) LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

/* Four loads 16 bytes apart: the shape of TVM's 4-channel input blocks. */
#define FOUR "L a i b x 0;L b i b x 16;L c i b x 32;L d i b x 48;"

static const tcase cases[] = {
    /* positive */
    {"in-lane windows (x+0,x+16) (x+32,x+48)", FOUR "C a b;C c d", GUARDED, 2, 0, 2, 0, 4, NULL,
     false},
    {"memory maximum 16 pages", FOUR "C a b;C c d", {true, 16}, 2, 0, 2, 0, 4, NULL, false},
    {"reversed halves (x+24 low, x+8 high)", "L a i b x 8;L b i b x 24;L e v b x 28;C b a", GUARDED,
     1, 0, 0, 0, 2, NULL, false},
    {"split: inputs 32 bytes apart", "L a i b x 0;L b i b x 32;L e i b x 44;C a b", GUARDED, 1, 1,
     1, 0, 2, NULL, false},
    {"split: float loads, same lane 2", "L e i b x 0;L a f b x 8;L b f b x 40;L g i b x 44;C a b",
     GUARDED, 1, 1, 1, 0, 2, NULL, false},
    {"split: reversed, inputs 32 bytes apart", "L a i b x 0;L b i b x 32;L e i b x 44;C b a",
     GUARDED, 1, 1, 1, 0, 2, NULL, false},
    /* close inputs, but no 32-byte window in the hull: two overlapping 16-byte ones */
    {"split: inputs 8 bytes apart, hull 24 bytes", "L a i b x 0;L b i b x 8;L e i b x 20;C a b",
     GUARDED, 1, 1, 1, 0, 2, NULL, false},
    {"one splat in three pairs", FOUR "C a b;C b c;C a c", GUARDED, 3, 1, 3, 0, 3, NULL, false},
    {"splat with another use survives", "L a i b x 0;L b i b x 16;L c i b x 32;U a;C a b", GUARDED,
     1, 0, 1, 0, 1, NULL, false},
    {"unaligned offsets x+2, x+18", "L a i b x 2;L b i b x 18;L e i b x 30;C a b", GUARDED, 1, 0, 1,
     0, 2, NULL, false},
    {"constrained fadd between the loads", "L a i b x 0;F;L b i b x 16;L e v b x 16;C a b", GUARDED,
     1, 0, 1, 0, 2, NULL, false},
    {"one pair windowed, one after a store not",
     "L a i b x 0;L b i b x 16;L e v b x 16;S;L c i b x 100;L d i b x 116;C a b;C c d", GUARDED, 1,
     0, 1, 1, 2, NULL, false},
    /* negative */
    {"store between the loads", "L a i b x 0;S;L b i b x 16;L c i b x 32;L d i b x 48;C a b",
     GUARDED, 0, 0, 0, 1, 0, NULL, false},
    {"hull too small (x+0, x+16 only)", "L a i b x 0;L b i b x 16;C a b", GUARDED, 0, 0, 0, 1, 0,
     NULL, false},
    {"pair split by a store, hull wide enough", "L a i b x 0;L e v b x 16;S;L b i b x 16;C a b",
     GUARDED, 0, 0, 0, 1, 0, NULL, false},
    {"load after a store does not widen the hull", "L a i b x 0;L b i b x 16;S;L e v b x 16;C a b",
     GUARDED, 0, 0, 0, 1, 0, NULL, false},
    {"inputs 36 bytes apart, hull too small", "L a i b x 0;L b i b x 36;C a b", GUARDED, 0, 0, 0, 1,
     0, NULL, false},
    {"inputs 6 bytes apart", "L a i b x 0;L b i b x 6;L e v b x 16;C a b", GUARDED, 0, 0, 0, 1, 0,
     NULL, false},
    {"different roots", "L a i b x 0;L b i b y 16;L c i b x 32;L d i b y 32;C a b", GUARDED, 0, 0,
     0, 1, 0, NULL, false},
    {"different bases", "L a i b x 0;L b i c x 16;L e i b x 48;L g i c x 48;C a b", GUARDED, 0, 0,
     0, 1, 0, NULL, false},
    {"bounds-check mode", FOUR "C a b;C c d", {false, 65535}, 0, 0, 0, 0, 0, "bounds-check", false},
    {"memory maximum 65536 pages",
     FOUR "C a b;C c d",
     {true, 65536},
     0,
     0,
     0,
     0,
     0,
     "memory maximum",
     false},
    {"volatile load in the pair (low)", "L a V b x 0;L b i b x 16;L c i b x 32;C a b", GUARDED, 0,
     0, 0, 0, 0, NULL, false},
    {"volatile load in the pair (high)", "L a i b x 0;L b V b x 16;L c i b x 32;C a b", GUARDED, 0,
     0, 0, 0, 0, NULL, false},
    {"loads in the block before the concat", "L a i b x 0;L b i b x 16;L c i b x 32;B;C a b",
     GUARDED, 0, 0, 0, 0, 0, NULL, false},
    {"same load in both halves", "L a i b x 0;L e i b x 32;C a a", GUARDED, 0, 0, 0, 0, 0, NULL,
     false},
    {"halves swapped in the mask (not a concat)", "L a i b x 0;L b i b x 16;L c i b x 32;X a b",
     GUARDED, 0, 0, 0, 0, 0, NULL, false},
    /* whatever the pass does here, the results must not change */
    {"splat through <8 x i16>: lane 0 is 2 bytes", "L a h b x 0;L b h b x 16;L e v b x 16;C a b",
     GUARDED, 0, 0, 0, 0, 0, NULL, true},
    {"splat through <2 x i64>: lane 0 is 8 bytes", "L a q b x 0;L b q b x 16;L e v b x 16;C a b",
     GUARDED, 0, 0, 0, 0, 0, NULL, true},
};

/* Quads: 16-lane operands of AVX-512 groups. */
static const struct {
  tcase tc;
  quad_expect q;
} quad_cases[] = {
    {{.name = "quad in lane: inputs 16 bytes apart, hull 64 bytes",
      .ops = FOUR "L e v b x 48;Q a b c d",
      .opt = GUARDED,
      .removed = 4},
     {1, 0, 1, 0}},
    {{.name = "quad at a row's end: window 12 bytes back, in lane 3",
      .ops = "L a i b x 0;L b i b x 16;L c i b x 32;L d i b x 48;L e i b x 64;L f i b x 80;"
             "L g i b x 96;Q d e f g;C a b",
      .opt = GUARDED,
      .windows = 1,
      .in_lane = 1,
      .removed = 6},
     {1, 0, 1, 0}},
    {{.name = "quad of float loads, lanes in reverse (one window, not in lane)",
      .ops = "L a f b x 0;L b f b x 16;L c f b x 32;L d f b x 48;L e v b x 48;Q d c b a",
      .opt = GUARDED,
      .removed = 4},
     {1, 0, 0, 0}},
    {{.name = "quad stride 2: two 64-byte windows",
      .ops = "L a i b x 0;L b i b x 32;L c i b x 64;L d i b x 96;L e v b x 112;Q a b c d",
      .opt = GUARDED,
      .removed = 4},
     {1, 1, 0, 0}},
    {{.name = "quad stride 2, hull 100 bytes: two overlapping windows",
      .ops = "L a i b x 0;L b i b x 32;L c i b x 64;L d i b x 96;Q a b c d",
      .opt = GUARDED,
      .removed = 4},
     {1, 1, 0, 0}},
    {{.name = "quad, hull 52 bytes: no 64-byte window, its pairs windowed",
      .ops = FOUR "Q a b c d",
      .opt = GUARDED,
      .windows = 2,
      .in_lane = 2,
      .removed = 4},
     {0, 0, 0, 1}},
    {{.name = "quad 64 bytes apart: no quad window, its pairs split",
      .ops = "L a i b x 0;L b i b x 64;L c i b x 128;L d i b x 192;Q a b c d",
      .opt = GUARDED,
      .windows = 2,
      .split = 2,
      .in_lane = 2,
      .removed = 4},
     {0, 0, 0, 1}},
    {{.name = "quad split by a store: only the pair after it",
      .ops = "L a i b x 0;S;L b i b x 16;L c i b x 32;L d i b x 48;Q a b c d",
      .opt = GUARDED,
      .windows = 1,
      .in_lane = 1,
      .no_window = 1,
      .removed = 2},
     {0, 0, 0, 1}},
    {{.name = "quad in bounds-check mode",
      .ops = FOUR "L e v b x 48;Q a b c d",
      .opt = {false, 65535},
      .disabled = "bounds-check"},
     {0, 0, 0, 0}},
    {{.name = "quad of two roots",
      .ops = "L a i b x 0;L b i b y 16;L c i b x 32;L d i b y 48;Q a b c d",
      .opt = GUARDED,
      .no_window = 2},
     {0, 0, 0, 1}},
};

int main(void) {
  LLVMLinkInMCJIT();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  if (!guarded_init(&mem_b, 12345u) || !guarded_init(&mem_c, 777u)) {
    printf("FAIL: cannot map guarded memory\n");
    return 1;
  }
  static const quad_expect no_quads = {0, 0, 0, 0};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i], &no_quads);
  for (size_t i = 0; i < sizeof quad_cases / sizeof *quad_cases; i++)
    run_case(&quad_cases[i].tc, &quad_cases[i].q);
  munmap(mem_b.map, 3 * mem_b.psize);
  munmap(mem_c.map, 3 * mem_c.psize);
  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
