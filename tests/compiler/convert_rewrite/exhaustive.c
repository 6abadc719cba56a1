/*
 * exhaustive.c — appended by exact.sh to the preamble of a real wasm2c
 * translation that went through `wasmgraph compile` (so it holds wasm2c's
 * TRUNC_S/TRUNC_U macros, convert_rewrite.c's wg_i32_trunc_*_f32 and its
 * wasm_fabsf/wasm_fabs), with TRAP(x) redefined to record the trap instead
 * of leaving. For every one of the 2^32 f32 bit patterns (or every STRIDE-th,
 * from argv[1]) it checks:
 *   - wg_i32_trunc_s_f32(x) against wasm2c's TRUNC_S for i32.trunc_f32_s:
 *     the same value, and the same trap (kind) or none;
 *   - wg_i32_trunc_u_f32(x) against TRUNC_U for i32.trunc_f32_u, likewise;
 *   - wasm_fabsf(x) against wasm2c's definition (NaN: the sign bit cleared;
 *     otherwise fabsf), bit for bit;
 * and wasm_fabs on 2^26 f64 patterns spread over every exponent, with NaN
 * payloads. Prints the counts and "exhaustive: N passed, M failed".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t g_checked, g_failed;

static void expect(int ok, const char *what, uint64_t bits) {
  g_checked++;
  if (ok) return;
  if (g_failed++ < 20) fprintf(stderr, "FAIL %s at 0x%08" PRIx64 "\n", what, bits);
}

static float f32_of(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}

static uint32_t bits_f32(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}

/* wasm2c 1.0.39's wasm_fabsf, as it was before the rewrite */
static float ref_fabsf(float x) {
  if (isnan(x)) return f32_of(bits_f32(x) & 0x7fffffffu);
  return fabsf(x);
}

static double ref_fabs(double x) {
  uint64_t b;
  if (isnan(x)) {
    memcpy(&b, &x, 8);
    b &= ~(1ULL << 63);
    memcpy(&x, &b, 8);
    return x;
  }
  return fabs(x);
}

int main(int argc, char **argv) {
  uint64_t stride = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  if (stride == 0) stride = 1;
  uint64_t traps_s = 0, traps_u = 0;
  for (uint64_t i = 0; i < (1ULL << 32); i += stride) {
    f32 x = f32_of((uint32_t)i);
    volatile f32 vx = x; /* no folding across iterations */
    x = vx;

    g_trap = 0;
    u32 want = TRUNC_S(u32, s32, f32, (f32)INT32_MIN, >=, 2147483648.f, x);
    int want_trap = g_trap;
    g_trap = 0;
    u32 got = wg_i32_trunc_s_f32(x);
    int got_trap = g_trap;
    traps_s += want_trap != 0;
    expect(got_trap == want_trap && (want_trap || got == want), "i32.trunc_f32_s", i);

    g_trap = 0;
    want = TRUNC_U(u32, f32, 4294967296.f, x);
    want_trap = g_trap;
    g_trap = 0;
    got = wg_i32_trunc_u_f32(x);
    got_trap = g_trap;
    traps_u += want_trap != 0;
    expect(got_trap == want_trap && (want_trap || got == want), "i32.trunc_f32_u", i);

    expect(bits_f32(wasm_fabsf(x)) == bits_f32(ref_fabsf(x)), "f32.abs", i);
  }
  /* f64.abs: every sign and exponent, mantissas spread (NaN payloads too) */
  for (uint64_t i = 0; i < (1ULL << 26); i++) {
    uint64_t b = (i << 38) | (i * 0x9E3779B97F4A7C15ULL >> 26);
    double x, a, r;
    memcpy(&x, &b, 8);
    a = wasm_fabs(x);
    r = ref_fabs(x);
    expect(memcmp(&a, &r, 8) == 0, "f64.abs", b);
  }
  printf("f32 patterns: every %" PRIu64 "th; traps: %" PRIu64 " (s), %" PRIu64 " (u)\n", stride,
         traps_s, traps_u);
  printf("exhaustive: %" PRIu64 " passed, %" PRIu64 " failed\n", g_checked - g_failed, g_failed);
  return g_failed || !g_checked || !traps_s || !traps_u;
}
