/* wg_simd_fixups.h -- force-included (clang -include) before wasm2c 1.0.39 output.
 * Where SIMDe 0.7.4 (Debian 12) disagrees with the wasm spec, the operation
 * is replaced here (each found by tests/simd or the spec suite, tests/spec):
 *  - f32x4.min/max and f64x2.min/max get zeros of opposite sign wrong on x86
 *    (wasm: max(+0,-0) = +0, min(-0,+0) = -0; minps/maxps/minpd/maxpd return
 *    the second operand when the inputs compare equal): V8's sequence, both
 *    operand orders merged, NaNs made canonical.
 *  - i32x4.trunc_sat_f32x4_u saturates [2^31, 2^32) wrongly (below).
 *  - i16x8.q15mulr_sat_s: SIMDe's SSSE3/SSE2 code saturates the wrong lane
 *    value (it flips a correct 0x7fff into 0x8000, and leaves the overflowed
 *    0x8000 of -32768 * -32768 instead of saturating it to 0x7fff).
 *  - f64x2.ceil without SSE4.1 turns -0 results (ceil(-0.5), ceil(-0)) into
 *    +0: its last step adds a masked +0.0 to -0.0.
 *  - f32x4.nearest/f64x2.nearest round -0.5 to +0 instead of -0 on every
 *    target: SIMDe has no vector code for them, and its scalar
 *    round-half-even fallback (taken because clang 14 lacks
 *    __builtin_roundeven) loses the sign. roundps/roundpd with SSE4.1, else
 *    the same scalar code with the input's sign put back.
 * On non-x86 targets SIMDe's code is used unchanged, except for nearest. */
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
/* The same for f64x2 (the NaN mask shifted right by 13 keeps the sign,
 * exponent and quiet bit of a canonical NaN). */
static inline simde_v128_t wg_f64x2_max(simde_v128_t a, simde_v128_t b) {
  __m128d x = simde_v128_to_m128d(a), y = simde_v128_to_m128d(b);
  __m128d t = _mm_max_pd(y, x), d = _mm_max_pd(x, y);
  d = _mm_xor_pd(d, t);
  t = _mm_or_pd(t, d);
  t = _mm_sub_pd(t, d);
  d = _mm_cmpunord_pd(t, t);
  d = _mm_castsi128_pd(_mm_srli_epi64(_mm_castpd_si128(d), 13));
  return simde_v128_from_m128d(_mm_andnot_pd(d, t));
}
static inline simde_v128_t wg_f64x2_min(simde_v128_t a, simde_v128_t b) {
  __m128d x = simde_v128_to_m128d(a), y = simde_v128_to_m128d(b);
  __m128d t = _mm_min_pd(y, x), d = _mm_min_pd(x, y);
  t = _mm_or_pd(t, d);
  d = _mm_cmpunord_pd(d, t);
  t = _mm_or_pd(t, d);
  d = _mm_castsi128_pd(_mm_srli_epi64(_mm_castpd_si128(d), 13));
  return simde_v128_from_m128d(_mm_andnot_pd(d, t));
}
/* SIMDe 0.7.4's SSE2 path converts lanes in [2^31, 2^32) to 0x80000000
 * (cvttps2dq's "integer indefinite"): split off 2^31 first, as V8 does. */
static inline simde_v128_t wg_u32x4_trunc_sat_f32x4(simde_v128_t a) {
  __m128 x = _mm_max_ps(simde_v128_to_m128(a), _mm_setzero_ps()); /* NaN, < 0, -0 -> +0 */
  __m128 two31 = _mm_set1_ps(2147483648.0f);
  __m128i lo = _mm_cvttps_epi32(x);                    /* lanes >= 2^31: 0x80000000 */
  __m128i hi = _mm_cvttps_epi32(_mm_sub_ps(x, two31)); /* exact for x >= 2^31 */
  hi = _mm_and_si128(hi, _mm_castps_si128(_mm_cmple_ps(two31, x)));
  __m128i r = _mm_add_epi32(lo, hi); /* 0x80000000 + (x - 2^31) */
  __m128 sat = _mm_cmpge_ps(x, _mm_set1_ps(4294967296.0f));
  return simde_v128_from_m128i(_mm_or_si128(r, _mm_castps_si128(sat)));
}
/* (a * b + 0x4000) >> 15 per lane: only -32768 * -32768 overflows, to
 * 0x8000, which must saturate to 0x7fff (V8: pmulhrsw, pcmpeqw 0x8000, pxor). */
static inline simde_v128_t wg_i16x8_q15mulr_sat(simde_v128_t a, simde_v128_t b) {
  __m128i x = simde_v128_to_m128i(a), y = simde_v128_to_m128i(b);
#if defined(__SSSE3__)
  __m128i r = _mm_mulhrs_epi16(x, y);
#else
  /* 2*hi + ((lo + 0x4000) >> 15), the last term as avg(lo >> 14, 0) */
  __m128i lo = _mm_mullo_epi16(x, y), hi = _mm_mulhi_epi16(x, y);
  __m128i r = _mm_add_epi16(_mm_avg_epu16(_mm_srli_epi16(lo, 14), _mm_setzero_si128()),
                            _mm_add_epi16(hi, hi));
#endif
  return simde_v128_from_m128i(_mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16(INT16_MIN))));
}
#if !defined(__SSE4_1__)
/* ceil of a negative lane is <= -0, so the input's sign bit is the result's
 * (NaN lanes stay NaN). Calls SIMDe's function: the #define comes after. */
static inline simde_v128_t wg_f64x2_ceil(simde_v128_t a) {
  __m128d s = _mm_and_pd(simde_v128_to_m128d(a), _mm_set1_pd(-0.0));
  return simde_v128_from_m128d(_mm_or_pd(simde_v128_to_m128d(simde_wasm_f64x2_ceil(a)), s));
}
#define simde_wasm_f64x2_ceil wg_f64x2_ceil
#endif
#define simde_wasm_u32x4_trunc_sat_f32x4 wg_u32x4_trunc_sat_f32x4
#define simde_wasm_f32x4_max wg_f32x4_max
#define simde_wasm_f32x4_min wg_f32x4_min
#define simde_wasm_f64x2_max wg_f64x2_max
#define simde_wasm_f64x2_min wg_f64x2_min
#define simde_wasm_i16x8_q15mulr_sat wg_i16x8_q15mulr_sat
#endif /* __SSE2__ */

/* nearest, all targets. Round half to even keeps the sign of the input. */
static inline simde_v128_t wg_f32x4_nearest(simde_v128_t a) {
#if defined(__SSE4_1__)
  return simde_v128_from_m128(
      _mm_round_ps(simde_v128_to_m128(a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#else
  simde_v128_private r = simde_v128_to_private(a);
  for (int i = 0; i < 4; i++)
    r.f32[i] = simde_math_copysignf(simde_math_roundevenf(r.f32[i]), r.f32[i]);
  return simde_v128_from_private(r);
#endif
}
static inline simde_v128_t wg_f64x2_nearest(simde_v128_t a) {
#if defined(__SSE4_1__)
  return simde_v128_from_m128d(
      _mm_round_pd(simde_v128_to_m128d(a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#else
  simde_v128_private r = simde_v128_to_private(a);
  for (int i = 0; i < 2; i++)
    r.f64[i] = simde_math_copysign(simde_math_roundeven(r.f64[i]), r.f64[i]);
  return simde_v128_from_private(r);
#endif
}
#define simde_wasm_f32x4_nearest wg_f32x4_nearest
#define simde_wasm_f64x2_nearest wg_f64x2_nearest
#endif
