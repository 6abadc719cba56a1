/* wg_simd_fixups.h -- force-included (clang -include) before wasm2c 1.0.39 output.
 * Where SIMDe 0.7.4 (Debian 12) disagrees with the wasm spec on x86, the
 * operation is replaced here (each found by tests/simd or the spec suite):
 *  - f32x4.min/max get zeros of opposite sign wrong (wasm: max(+0,-0) = +0,
 *    min(-0,+0) = -0; maxps/minps return the second operand when the inputs
 *    compare equal): V8's sequence, both operand orders merged, NaNs made
 *    canonical.
 *  - i32x4.trunc_sat_f32x4_u saturates [2^31, 2^32) wrongly (below).
 * On non-x86 targets SIMDe's portable code is used unchanged. */
#ifndef WG_SIMD_FIXUPS_H_
#define WG_SIMD_FIXUPS_H_
#include <simde/wasm/simd128.h>
#if defined(__SSE2__)
#include <immintrin.h>
static inline simde_v128_t wg_f32x4_max(simde_v128_t a, simde_v128_t b) {
  __m128 x = simde_v128_to_m128(a), y = simde_v128_to_m128(b);
  __m128 t = _mm_max_ps(y, x), d = _mm_max_ps(x, y);
  d = _mm_xor_ps(d, t);      /* discrepancies: NaNs and signed zeros */
  t = _mm_or_ps(t, d);       /* propagate NaNs */
  t = _mm_sub_ps(t, d);      /* propagate sign discrepancy, quiet NaNs */
  d = _mm_cmpunord_ps(t, t); /* canonicalise NaNs */
  d = _mm_castsi128_ps(_mm_srli_epi32(_mm_castps_si128(d), 10));
  return simde_v128_from_m128(_mm_andnot_ps(d, t));
}
static inline simde_v128_t wg_f32x4_min(simde_v128_t a, simde_v128_t b) {
  __m128 x = simde_v128_to_m128(a), y = simde_v128_to_m128(b);
  __m128 t = _mm_min_ps(y, x), d = _mm_min_ps(x, y);
  t = _mm_or_ps(t, d);       /* propagate -0 and NaNs */
  d = _mm_cmpunord_ps(d, t); /* canonicalise NaNs */
  t = _mm_or_ps(t, d);
  d = _mm_castsi128_ps(_mm_srli_epi32(_mm_castps_si128(d), 10));
  return simde_v128_from_m128(_mm_andnot_ps(d, t));
}
/* SIMDe 0.7.4's SSE2 path converts lanes in [2^31, 2^32) to 0x80000000
 * (cvttps2dq's "integer indefinite"): split off 2^31 first, as V8 does. */
static inline simde_v128_t wg_u32x4_trunc_sat_f32x4(simde_v128_t a) {
  __m128 x = _mm_max_ps(simde_v128_to_m128(a), _mm_setzero_ps()); /* NaN, < 0, -0 -> +0 */
  __m128 two31 = _mm_set1_ps(2147483648.0f);
  __m128i lo = _mm_cvttps_epi32(x);                    /* lanes >= 2^31: 0x80000000 */
  __m128i hi = _mm_cvttps_epi32(_mm_sub_ps(x, two31)); /* exact for x >= 2^31 */
  hi = _mm_and_si128(hi, _mm_castps_si128(_mm_cmple_ps(two31, x)));
  __m128i r = _mm_add_epi32(lo, hi);                   /* 0x80000000 + (x - 2^31) */
  __m128 sat = _mm_cmpge_ps(x, _mm_set1_ps(4294967296.0f));
  return simde_v128_from_m128i(_mm_or_si128(r, _mm_castps_si128(sat)));
}
#define simde_wasm_u32x4_trunc_sat_f32x4 wg_u32x4_trunc_sat_f32x4
#define simde_wasm_f32x4_max wg_f32x4_max
#define simde_wasm_f32x4_min wg_f32x4_min
#endif
#endif
