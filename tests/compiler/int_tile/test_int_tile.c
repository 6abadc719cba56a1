/*
 * test_int_tile.c — unit cases for the integer mode of
 * compiler/llvm/tile_vectorize.c (the `int-tile` pass), alone and followed
 * by compiler/llvm/int_dot.c, which must accept what it produces.
 *
 * Each case is a kernel shaped like TVM's scalar int8 conv after -O2 with
 * SLP held back: one block, a loop of T steps over the 4 input channels of
 * a block, and a register tile of P positions x 4 output channels,
 *   acc[p][o] += sext(x[p][k]) * sext(w[k][o])      (wrapping i32)
 * with E = i8 (relay.quantize) or i16 (QNN), wasm2c's load barriers on
 * every load, the multiply written x * w in three lanes and w * x in the
 * fourth (as TVM's code has it), the accumulators stored after the loop.
 *
 * Three copies of each kernel run under MCJIT on the same memory (64 KiB,
 * then a PROT_NONE page as with guard pages): unchanged, after int-tile,
 * after int-tile and int-dot. Stored results and whether the run faulted
 * must agree: on random bytes, on the extremes of E, with the weights
 * flush against the end of memory (no fault) and one element past it (a
 * fault). Negative cases must leave the module exactly as it was.
 */
#include <stdint.h>

#include "ir_test_util.h"
#include "llvm/int_dot.h"
#include "llvm/tile_vectorize.h"

enum { MEM = 65536, MAXP = 16, T = 4, OC = 4 };

#define BAR "call void asm sideeffect \"\", \"r,~{dirflag},~{fpsr},~{flags}\""

typedef struct kspec {
  const char *name;
  int eb;           /* element bytes: 1 or 2 */
  unsigned npos;    /* positions */
  bool acc_first;   /* add(acc, mul) instead of add(mul, acc) */
  bool all_x_first; /* every multiply x * w (no lane written w * x) */
  /* the memory's base pointer loaded inside the loop, after the weight
   * address (as wasm2c reloads it after a call): packed, but int_dot.c
   * wants the base from outside the loop and leaves it */
  bool base_in_loop;
  /* negative shapes: the pass must leave the module alone */
  bool w_gap;  /* weight lane 3 one element further: not contiguous */
  bool w_zext; /* weights zero-extended: not a sext of a load */
  bool store;  /* a store in the loop */
  bool want;   /* packed (positive case) */
} kspec;

static char host_attrs[4096];

static char *kernel_ir(const kspec *k) {
  sbuf b = {0};
  const char *E = k->eb == 1 ? "i8" : "i16";
  unsigned row = OC * (unsigned)k->eb; /* bytes from one position (or step) to the next */
  put(&b, "define void @k(%s, i32 %%xb, i32 %%wb, i32* %%out) #0 {\n",
      k->base_in_loop ? "i8** %ms" : "i8* %mem");
  put(&b,
      "entry:\n  br label %%loop\nloop:\n"
      "  %%j = phi i32 [ 0, %%entry ], [ %%j.n, %%loop ]\n"
      "  %%xp = phi i32 [ %%xb, %%entry ], [ %%xp.n, %%loop ]\n");
  for (unsigned p = 0; p < k->npos; p++)
    for (unsigned o = 0; o < OC; o++)
      put(&b, "  %%a%u_%u = phi i32 [ %u, %%entry ], [ %%n%u_%u, %%loop ]\n", p, o, p * 7 + o, p,
          o);
  /* the weight row of step j: wb + j (j advances one row), lanes o * eb apart */
  put(&b, "  %%wa = add i32 %%wb, %%j\n  %%wz = zext i32 %%wa to i64\n");
  if (k->base_in_loop) put(&b, "  %%mem = load i8*, i8** %%ms, align 8\n");
  for (unsigned o = 0; o < OC; o++) {
    unsigned off = o * (unsigned)k->eb + (k->w_gap && o == 3 ? (unsigned)k->eb : 0);
    put(&b, "  %%wo%u = add nuw nsw i64 %%wz, %u\n", o, off);
    put(&b, "  %%wg%u = getelementptr inbounds i8, i8* %%mem, i64 %%wo%u\n", o, o);
    put(&b, "  %%wq%u = bitcast i8* %%wg%u to %s*\n", o, o, E);
    put(&b, "  %%wl%u = load %s, %s* %%wq%u, align 1\n  " BAR "(%s %%wl%u)\n", o, E, E, o, E, o);
    put(&b, "  %%w%u = %s %s %%wl%u to i32\n", o, k->w_zext ? "zext" : "sext", E, o);
  }
  for (unsigned p = 0; p < k->npos; p++) {
    /* position p's input of step j: xb + p * row + j * eb (p = 0 is the
     * unfolded anchor the folded others need) */
    if (p == 0) put(&b, "  %%xz0 = zext i32 %%xp to i64\n");
    else
      put(&b, "  %%xa%u = add i32 %%xp, %u\n  %%xz%u = zext i32 %%xa%u to i64\n", p, p * row, p, p);
    put(&b, "  %%xg%u = getelementptr inbounds i8, i8* %%mem, i64 %%xz%u\n", p, p);
    put(&b, "  %%xq%u = bitcast i8* %%xg%u to %s*\n", p, p, E);
    put(&b, "  %%xl%u = load %s, %s* %%xq%u, align 1\n  " BAR "(%s %%xl%u)\n", p, E, E, p, E, p);
    put(&b, "  %%x%u = sext %s %%xl%u to i32\n", p, E, p);
    for (unsigned o = 0; o < OC; o++) {
      if (o == 3 && !k->all_x_first) put(&b, "  %%m%u_%u = mul nsw i32 %%w%u, %%x%u\n", p, o, o, p);
      else put(&b, "  %%m%u_%u = mul nsw i32 %%x%u, %%w%u\n", p, o, p, o);
      if (k->acc_first) put(&b, "  %%n%u_%u = add i32 %%a%u_%u, %%m%u_%u\n", p, o, p, o, p, o);
      else put(&b, "  %%n%u_%u = add i32 %%m%u_%u, %%a%u_%u\n", p, o, p, o, p, o);
    }
  }
  if (k->store) put(&b, "  store i32 %%n0_0, i32* %%out, align 4\n");
  put(&b, "  %%xp.n = add i32 %%xp, %d\n  %%j.n = add i32 %%j, %u\n", k->eb, row);
  put(&b, "  %%done = icmp eq i32 %%j.n, %u\n  br i1 %%done, label %%exit, label %%loop\nexit:\n",
      T * row);
  for (unsigned p = 0; p < k->npos; p++)
    for (unsigned o = 0; o < OC; o++)
      put(&b,
          "  %%og%u_%u = getelementptr inbounds i32, i32* %%out, i64 %u\n"
          "  store i32 %%n%u_%u, i32* %%og%u_%u, align 4\n",
          p, o, p * OC + o, p, o, p, o);
  put(&b, "  ret void\n}\nattributes #0 = { nounwind %s }\n", host_attrs);
  return b.p;
}

/* ---- memory and runs ----------------------------------------------------- */

static uint8_t *g_mem; /* MEM bytes, then a PROT_NONE page */
static uint8_t g_init[MEM];

typedef void (*kernel_fn)(uint8_t *, int32_t, int32_t, int32_t *);
typedef struct tile_call {
  kernel_fn f;
  uint32_t xb, wb;
  int32_t out[MAXP * OC];
} tile_call;
static bool g_base_in_loop; /* the case's kernel takes &g_mem, not g_mem */
static void tile_thunk(void *arg) {
  tile_call *c = arg;
  c->f(g_base_in_loop ? (uint8_t *)&g_mem : g_mem, (int32_t)c->xb, (int32_t)c->wb, c->out);
}
/* Runs f from g_init; false if it faulted. */
static bool run(kernel_fn f, uint32_t xb, uint32_t wb, int32_t *out) {
  memcpy(g_mem, g_init, MEM);
  tile_call c = {f, xb, wb, {0}};
  bool ok = ir_call_guarded(tile_thunk, &c);
  memcpy(out, c.out, sizeof c.out);
  return ok;
}

/* ---- cases --------------------------------------------------------------- */

static bool pass_int_tile(LLVMModuleRef m, const char *name, wgc_tile_stats *st) {
  char err[256] = "";
  wgc_ctx ctx = test_ctx(err, sizeof err);
  wgc_tile_options o;
  wgc_tile_options_init(&o);
  o.guard_pages = true;
  o.memory_max_pages = 65535;
  o.ints = true;
  o.verify = true;
  bool ok = wgc_tile_vectorize(&ctx, m, &o, st) == WASMGRAPH_OK;
  check(ok, name, err);
  return ok;
}

static void run_case(const kspec *k) {
  char *ir = kernel_ir(k);
  LLVMContextRef c[3];
  char *orig[3] = {NULL, NULL, NULL};
  LLVMModuleRef m[3];
  for (int i = 0; i < 3; i++) m[i] = open_case(k->name, ir, &c[i], &orig[i]);
  free(ir);
  if (!m[0] || !m[1] || !m[2]) return;
  int before_failed = failed;
  g_base_in_loop = k->base_in_loop;
  wgc_tile_stats st;
  pass_int_tile(m[1], k->name, &st);
  pass_int_tile(m[2], k->name, &st);
  char *after = LLVMPrintModuleToString(m[1]);
  if (k->want) {
    check(st.groups == k->npos && st.functions == 1, k->name, "not every position packed");
    char err[256] = "";
    wgc_ctx ctx = test_ctx(err, sizeof err);
    wgc_dot_options o;
    wgc_dot_options_init(&o);
    o.guard_pages = true;
    o.memory_max_pages = 65535;
    o.verify = true;
    wgc_dot_stats ds;
    check(wgc_int_dot(&ctx, m[2], &o, &ds) == WASMGRAPH_OK, k->name, err);
    char why[160];
    snprintf(why, sizeof why, "int-dot did not take the packed loop (%s)",
             ds.first_reject ? ds.first_reject : "no reason");
    if (k->base_in_loop) check(ds.loops == 0, k->name, "int-dot took a loop that loads its base");
    else check(ds.loops == 1 && ds.positions == k->npos, k->name, why);
  } else {
    check(st.groups == 0, k->name, "packed, but should have been left alone");
    check(strcmp(after, orig[1]) == 0, k->name, "the IR changed");
  }
  LLVMDisposeMessage(after);
  check_verifies(m[1], k->name);
  check_verifies(m[2], k->name);
  for (int i = 0; i < 3; i++) LLVMDisposeMessage(orig[i]);

  LLVMExecutionEngineRef e[3];
  kernel_fn f[3];
  for (int i = 0; i < 3; i++) f[i] = (kernel_fn)jit_function(m[i], "k", &e[i]);
  check(f[0] && f[1] && f[2], k->name, "JIT failed");
  unsigned wspan = T * OC * (unsigned)k->eb + (k->w_gap ? (unsigned)k->eb : 0);
  /* (xb, wb, data, does it fault) */
  struct {
    const char *what;
    uint32_t xb, wb;
    int data; /* 0 random, 1 all minimum, 2 all maximum, 3 minimum inputs and maximum weights */
    bool fault;
  } pl[] = {
      {"random", 1000, 30000, 0, false},
      {"random, odd addresses", 1001, 30003, 0, false},
      {"all minimum", 1000, 30000, 1, false},
      {"all maximum", 1000, 30000, 2, false},
      {"minimum times maximum", 1000, 30000, 3, false},
      {"weights flush against the end", 1000, MEM - wspan, 0, false},
      {"weights one element past the end", 1000, MEM - wspan + (unsigned)k->eb, 0, true},
  };
  for (unsigned p = 0; f[0] && f[1] && f[2] && p < sizeof pl / sizeof *pl; p++) {
    for (int rep = 0; rep < (pl[p].data ? 1 : 20); rep++) {
      for (unsigned i = 0; i < MEM; i++) g_init[i] = (uint8_t)(rand() >> 7);
      if (pl[p].data) {
        /* little-endian minimum / maximum elements of E everywhere, or
         * minimum inputs (below 30000) and maximum weights */
        for (unsigned i = 0; i < MEM; i++) {
          bool hi = k->eb == 1 || (i & 1);
          bool max = pl[p].data == 2 || (pl[p].data == 3 && i >= 30000);
          g_init[i] = max ? (hi ? 0x7f : 0xff) : (hi ? 0x80 : 0x00);
        }
      }
      int32_t out[3][MAXP * OC];
      bool ok[3];
      for (int i = 0; i < 3; i++) ok[i] = run(f[i], pl[p].xb, pl[p].wb, out[i]);
      char what[160];
      snprintf(what, sizeof what, "%s: loop %s, int-tile %s, with int-dot %s, want %s", pl[p].what,
               ok[0] ? "ran" : "faulted", ok[1] ? "ran" : "faulted", ok[2] ? "ran" : "faulted",
               pl[p].fault ? "a fault" : "no fault");
      check(ok[0] == !pl[p].fault && ok[1] == ok[0] && ok[2] == ok[0], k->name, what);
      if (ok[0]) {
        size_t n = k->npos * OC * sizeof(int32_t);
        snprintf(what, sizeof what, "%s: results differ from the loop's", pl[p].what);
        check(memcmp(out[0], out[1], n) == 0 && memcmp(out[0], out[2], n) == 0, k->name, what);
      }
    }
  }
  for (int i = 0; i < 3; i++) dispose_case(e[i], m[i], c[i]);
  if (failed == before_failed) passed++;
  printf("%s %s\n", failed == before_failed ? "ok  " : "FAIL", k->name);
}

int main(void) {
  LLVMDisposeMessage(jit_init_host(host_attrs, sizeof host_attrs));
  if (!(g_mem = guarded_memory(MEM))) {
    printf("FAIL cannot map the test memory\n");
    return 1;
  }
  srand(14);
  static const kspec cases[] = {
      {.name = "int8_13_positions", .eb = 1, .npos = 13, .want = true},
      {.name = "int16_7_positions", .eb = 2, .npos = 7, .want = true},
      {.name = "int8_acc_first", .eb = 1, .npos = 4, .acc_first = true, .want = true},
      {.name = "int16_all_x_first", .eb = 2, .npos = 5, .all_x_first = true, .want = true},
      {.name = "int8_base_loaded_in_loop", .eb = 1, .npos = 6, .base_in_loop = true, .want = true},
      {.name = "neg_weights_not_contiguous", .eb = 1, .npos = 4, .w_gap = true},
      {.name = "neg_weights_zero_extended", .eb = 1, .npos = 4, .w_zext = true},
      {.name = "neg_store_in_loop", .eb = 2, .npos = 4, .store = true},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
  printf("%d passed, %d failed\n", passed, failed);
  return failed || passed == 0;
}
