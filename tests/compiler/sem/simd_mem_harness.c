/*
 * simd_mem_harness.c — runs simd_mem.wat as `wasmgraph compile` translates it
 * (wasm2c 1.0.39, memory_rewrite.c, the load-barrier pass; built by
 * w2c_stage.c) against the runtime's wasm-rt layer and trap boundary, and
 * checks that the rewrites kept wasm's semantics:
 *   - every SIMD access traps exactly when it is out of bounds, at the page
 *     edge, with a large offset and at the top of the 32-bit range (the
 *     `splat` rewrite moved these to the _default32 helpers), and a failing
 *     v128.store writes nothing;
 *   - after a host call that grows the memory, and after memory.grow, the
 *     same function can access the new page (the `copyr` copy of the memory
 *     struct was refreshed; in bounds-check mode a stale size would trap);
 *   - f32x4.max/min give wasm's signed zeros (wg_simd_fixups.h was
 *     force-included).
 * The host side is the import env.memory (one page, at most three) and
 * env.grow. Prints "ok"/"FAIL" per check and "N passed, M failed".
 */
#include <stdio.h>
#include <string.h>

#include "simd_mem_w2c.h"
#include "trap_boundary.h"

struct w2c_env {
  wasm_rt_memory_t mem;
};

wasm_rt_memory_t *w2c_env_memory(struct w2c_env *env) { return &env->mem; }

u32 w2c_env_grow(struct w2c_env *env, u32 pages) {
  return (u32)wasm_rt_grow_memory(&env->mem, pages);
}

static struct w2c_env env;
static w2c_simd__mem inst;
static int passed, failed;

static void check(int ok, const char *fmt, const char *what, unsigned long long a,
                  unsigned long long b) {
  printf("%s ", ok ? "ok  " : "FAIL");
  printf(fmt, what, a, b);
  printf("\n");
  ok ? passed++ : failed++;
}

/* ---- calls under the trap boundary ------------------------------------- */

typedef struct call {
  int kind;
  u32 a, b;
  f32 x, y;
  u32 r;
} call;

static void body(void *ctx) {
  call *c = ctx;
  switch (c->kind) {
    case 0:
      c->r = w2c_simd__mem_load(&inst, c->a);
      break;
    case 1:
      c->r = w2c_simd__mem_splat(&inst, c->a);
      break;
    case 2:
      c->r = w2c_simd__mem_splatoff(&inst, c->a);
      break;
    case 3:
      c->r = w2c_simd__mem_zero64(&inst, c->a);
      break;
    case 4:
      c->r = w2c_simd__mem_lane32(&inst, c->a);
      break;
    case 5:
      c->r = w2c_simd__mem_ext16(&inst, c->a);
      break;
    case 6:
      w2c_simd__mem_store(&inst, c->a);
      break;
    case 7:
      w2c_simd__mem_store64lane(&inst, c->a);
      break;
    case 8:
      c->r = w2c_simd__mem_peek(&inst, c->a);
      break;
    case 9:
      w2c_simd__mem_poke(&inst, c->a, c->b);
      break;
    case 10:
      c->r = w2c_simd__mem_grow_call(&inst, c->a);
      break;
    case 11:
      c->r = w2c_simd__mem_grow_inline(&inst, c->a);
      break;
    case 12:
      c->r = w2c_simd__mem_size(&inst);
      break;
    case 13:
      c->r = w2c_simd__mem_fmax(&inst, c->x, c->y);
      break;
    case 14:
      c->r = w2c_simd__mem_fmin(&inst, c->x, c->y);
      break;
    case 15:
      c->r = w2c_simd__mem_load_lane0(&inst, c->a);
      break;
    case 16:
      c->r = w2c_simd__mem_wrap64(&inst, c->a);
      break;
    case 17:
      c->r = w2c_simd__mem_low_byte(&inst, c->a);
      break;
    case 18:
      c->r = w2c_simd__mem_high_half(&inst, c->a);
      break;
    case 19:
      c->r = w2c_simd__mem_splat_lane(&inst, c->a);
      break;
    case 20:
      c->r = w2c_simd__mem_wrap_no_anchor(&inst, c->a);
      break;
    case 21:
      c->r = w2c_simd__mem_wrap_anchored(&inst, c->a);
      break;
    case 22:
      c->r = w2c_simd__mem_wrap_anchor_k0(&inst, c->a);
      break;
    case 23:
      c->r = w2c_simd__mem_wrap_store_between(&inst, c->a);
      break;
    case 24:
      c->r = w2c_simd__mem_window4(&inst, c->a, c->b);
      break;
    case 25:
      c->r = w2c_simd__mem_window_split(&inst, c->a, c->b);
      break;
    default:
      break;
  }
}

/* Runs one call; returns the trap (WASM_RT_TRAP_NONE if none), *r the result. */
static wasm_rt_trap_t run(int kind, u32 a, u32 b, u32 *r) {
  call c = {kind, a, b, 0, 0, 0};
  int oom = 0;
  wasm_rt_trap_t t = wg_protected_call(body, &c, &oom);
  if (r) *r = c.r;
  return t;
}

static u32 value(int kind, u32 a, u32 b) {
  u32 r = 0;
  wasm_rt_trap_t t = run(kind, a, b, &r);
  if (t != WASM_RT_TRAP_NONE) {
    printf("FAIL call %d(0x%x) trapped (%d)\n", kind, a, (int)t);
    failed++;
  }
  return r;
}

static void oob(const char *what, int kind, u32 a, int want_trap) {
  wasm_rt_trap_t t = run(kind, a, 0, NULL);
  int ok = want_trap ? t == WASM_RT_TRAP_OOB : t == WASM_RT_TRAP_NONE;
  check(ok, "%s(0x%llx): trap %llu", what, a, (unsigned long long)t);
}

/* A one-step call (b = 1) that must trap out of bounds. */
static void oob1(const char *what, int kind, u32 a) {
  wasm_rt_trap_t t = run(kind, a, 1, NULL);
  check(t == WASM_RT_TRAP_OOB, "%s(0x%llx): trap %llu", what, a, (unsigned long long)t);
}

static u32 fbits(int kind, f32 x, f32 y) {
  call c = {kind, 0, 0, x, y, 0};
  int oom = 0;
  if (wg_protected_call(body, &c, &oom) != WASM_RT_TRAP_NONE) return 0xdeadbeefu;
  return c.r;
}

static void inst_body(void *ctx) {
  (void)ctx;
  wasm_rt_allocate_memory(&env.mem, 1, 3, false, 65536);
  wasm2c_simd__mem_instantiate(&inst, &env);
}

int main(void) {
  wasm_rt_init();
  int oom = 0;
  if (wg_protected_call(inst_body, NULL, &oom) != WASM_RT_TRAP_NONE) {
    puts("FAIL instantiate trapped");
    return 1;
  }
  const u32 P = 65536;

  /* values at the edge of page 1 */
  value(9, P - 4, 0x11223344u);
  check(value(1, P - 4, 0) == 0x11223344u, "%s = 0x%llx (want 0x%llx)", "v128.load32_splat",
        value(1, P - 4, 0), 0x11223344u);
  check(value(4, P - 4, 0) == 0x11223344u, "%s = 0x%llx (want 0x%llx)", "v128.load32_lane 1",
        value(4, P - 4, 0), 0x11223344u);
  check(value(5, P - 8, 0) == 0x1122u, "%s = 0x%llx (want 0x%llx)", "i32x4.load16x4_s lane 3",
        value(5, P - 8, 0), 0x1122u);

  /* one page: every access traps exactly past its last byte */
  oob("v128.load", 0, P - 16, 0);
  oob("v128.load", 0, P - 15, 1);
  oob("v128.load", 0, 0xffffffffu, 1);
  oob("v128.load32_splat", 1, P - 4, 0);
  oob("v128.load32_splat", 1, P - 3, 1);
  oob("v128.load32_splat", 1, 0xfffffffcu, 1);
  oob("v128.load32_splat offset=65532", 2, 0, 0);
  oob("v128.load32_splat offset=65532", 2, 1, 1);
  oob("v128.load32_splat offset=65532", 2, 0xffffffffu, 1);
  oob("v128.load64_zero", 3, P - 8, 0);
  oob("v128.load64_zero", 3, P - 7, 1);
  oob("v128.load32_lane", 4, P - 4, 0);
  oob("v128.load32_lane", 4, P - 3, 1);
  oob("i32x4.load16x4_s", 5, P - 8, 0);
  oob("i32x4.load16x4_s", 5, P - 7, 1);
  oob("i32x4.load16x4_s", 5, 0xfffffff9u, 1);
  /* part of the value used: the access still covers all its bytes */
  oob("v128.load, lane 0 used", 15, P - 16, 0);
  oob("v128.load, lane 0 used", 15, P - 15, 1);
  oob("v128.load, lane 0 used", 15, P - 1, 1);
  oob("i64.load, wrapped to i32", 16, P - 8, 0);
  oob("i64.load, wrapped to i32", 16, P - 7, 1);
  oob("i32.load, low byte used", 17, P - 4, 0);
  oob("i32.load, low byte used", 17, P - 3, 1);
  oob("i64.load, high half used", 18, P - 8, 0);
  oob("i64.load, high half used", 18, P - 7, 1);
  oob("v128.load, lane 1 splatted", 19, P - 16, 0);
  oob("v128.load, lane 1 splatted", 19, P - 9, 1);
  /* a wrapping i32 address: x + 32 is 16 when x = -16 (address_fold.c) */
  value(9, 16, 0x5a5a5a5au);
  value(9, 100, 1000u);
  value(9, 132, 32u);
  check(value(20, 0xfffffff0u, 0) == 0x5a5a5a5au, "%s = 0x%llx (want 0x%llx)",
        "x + 32 wrapping to 16, no anchor", value(20, 0xfffffff0u, 0), 0x5a5a5a5au);
  check(value(21, 100, 0) == 1032u, "%s = %llu (want %llu)",
        "x + 32 with an anchor at x, in bounds", value(21, 100, 0), 1032u);
  oob("x + 32 wrapping, anchor at x", 21, 0xfffffff0u, 1);
  oob("x + 48 wrapping, anchor at x + 16", 22, 0xffffffd8u, 1);
  value(9, 0, 1u);
  oob("x + 32 wrapping, a store before the anchor", 23, 0xfffffff0u, 1);
  check(value(8, 0, 0) == 7u, "%s: word 0 = %llu (want %llu)",
        "the store before the trapping anchor happened", value(8, 0, 0), 7u);
  /* splat windows (splat_window.c): inputs at x + 16 + 16 j (+ 4 in the
   * second iteration), weights [1 2 3 4] then [1 1 1 1] at 1024 */
  const f32 weights[8] = {1, 2, 3, 4, 1, 1, 1, 1};
  memcpy(env.mem.data + 1024, weights, sizeof weights);
  const u32 xs[3] = {100, 0xfffffff0u, P - 68};
  const f32 scale[4] = {1, 10, 100, 1000};
  for (int at = 0; at < 3; at++)
    for (u32 j = 0; j < 4; j++)
      for (u32 step = 0; step < 2; step++) {
        u32 addr = xs[at] + 16 + 16 * j + 4 * step; /* wraps like the guest's */
        f32 in = (f32)(at + 1) * (f32)(step + 1) * scale[j];
        if (addr <= P - 4) memcpy(env.mem.data + addr, &in, sizeof in);
      }
  /* lane k of accumulator k: 1*1 + 10*2 + 100*3 + 1000*4, then + 2 + 20 + 200 + 2000 */
  check(value(24, 100, 1) == 4321u, "%s = %llu (want %llu)", "window4, one step", value(24, 100, 1),
        4321u);
  check(value(24, 100, 2) == 6543u, "%s = %llu (want %llu)", "window4, two steps",
        value(24, 100, 2), 6543u);
  check(value(24, 0xfffffff0u, 1) == 2u * 4321u, "%s = %llu (want %llu)",
        "window4, every address wrapping (x = -16)", value(24, 0xfffffff0u, 1), 2u * 4321u);
  check(value(24, P - 68, 1) == 3u * 4321u, "%s = %llu (want %llu)",
        "window4, last input ends at the end of memory", value(24, P - 68, 1), 3u * 4321u);
  oob1("window4, last input straddles the end", 24, P - 67);
  oob1("window4, last input past the end", 24, P - 64);
  oob1("window4, first input past the end, the rest wrapping (x = -24)", 24, 0xffffffe8u);
  oob1("window4, two inputs past the end, two wrapping (x = -48)", 24, 0xffffffd0u);
  oob1("window4, three past the end, one wrapping (x = -60)", 24, 0xffffffc4u);
  /* split windows: inputs at x, x + 32, x + 44; weights [1 2 3 4] */
  const u32 sx[2] = {200, P - 48};
  const f32 sv[3] = {1, 10, 100};
  const u32 soff[3] = {0, 32, 44};
  for (int at = 0; at < 2; at++)
    for (int j = 0; j < 3; j++) memcpy(env.mem.data + sx[at] + soff[j], &sv[j], sizeof sv[j]);
  /* lane k of accumulator k: 1*1 + 10*2 + 100*3 */
  check(value(25, 200, 1) == 321u, "%s = %llu (want %llu)", "window_split", value(25, 200, 1),
        321u);
  check(value(25, P - 48, 1) == 321u, "%s = %llu (want %llu)",
        "window_split, last input ends at the end of memory", value(25, P - 48, 1), 321u);
  oob1("window_split, last input straddles the end", 25, P - 47);
  oob1("window_split, first input past the end, the rest wrapping (x = -16)", 25, 0xfffffff0u);
  oob("v128.store", 6, P - 16, 0);
  oob("v128.store", 6, P - 15, 1);
  oob("v128.store64_lane", 7, P - 8, 0);
  oob("v128.store64_lane", 7, P - 7, 1);
  /* a failed store writes nothing */
  memset(env.mem.data + P - 16, 0, 16);
  run(6, P - 15, 0, NULL);
  check(value(8, P - 4, 0) == 0, "%s: last word 0x%llx (want 0x%llx)", "v128.store OOB",
        value(8, P - 4, 0), 0);

  /* growth inside a guest function, seen by the same function */
  oob("i32.load of page 2 before growing", 8, P, 1);
  u32 r = 0;
  wasm_rt_trap_t t = run(10, P + 4, 0, &r);
  check(t == WASM_RT_TRAP_NONE && r == 0, "%s: trap %llu, result %llu",
        "host call grows, then a load of the new page", (unsigned long long)t, r);
  check(value(12, 0, 0) == 2, "%s: %llu pages (want %llu)", "memory.size", value(12, 0, 0), 2);
  oob("i32.load of page 3 before growing", 8, 2 * P + 8, 1);
  t = run(11, 2 * P + 8, 0, &r);
  check(t == WASM_RT_TRAP_NONE && r == 2000, "%s: trap %llu, result %llu",
        "memory.grow, then a load of the new page", (unsigned long long)t, r);
  value(9, 2 * P + 8, 7u);
  check(value(8, 2 * P + 8, 0) == 7, "%s = %llu (want %llu)", "page 3 written and read",
        value(8, 2 * P + 8, 0), 7);
  oob("v128.load32_splat at the new end", 1, 3 * P - 4, 0);
  oob("v128.load32_splat past the new end", 1, 3 * P - 3, 1);

  /* SIMDe's signed-zero fix */
  check(fbits(13, 0.0f, -0.0f) == 0u, "%s = 0x%llx (want 0x%llx)", "f32x4.max(+0, -0)",
        fbits(13, 0.0f, -0.0f), 0);
  check(fbits(13, -0.0f, 0.0f) == 0u, "%s = 0x%llx (want 0x%llx)", "f32x4.max(-0, +0)",
        fbits(13, -0.0f, 0.0f), 0);
  check(fbits(14, -0.0f, 0.0f) == 0x80000000u, "%s = 0x%llx (want 0x%llx)", "f32x4.min(-0, +0)",
        fbits(14, -0.0f, 0.0f), 0x80000000u);
  check(fbits(14, 0.0f, -0.0f) == 0x80000000u, "%s = 0x%llx (want 0x%llx)", "f32x4.min(+0, -0)",
        fbits(14, 0.0f, -0.0f), 0x80000000u);

  wasm2c_simd__mem_free(&inst);
  wasm_rt_free_memory(&env.mem);
  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) printf("FAIL: no check ran\n");
  return failed != 0 || passed + failed == 0;
}
