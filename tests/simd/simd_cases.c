/*
 * simd_cases.c — inputs and spec-required results for every kernel of
 * modules/simd_sem.wat (see the layout comment at the top of that file).
 *
 * Every expected word here was worked out by hand from the WebAssembly 2.0
 * spec (§4.3 numerics, §4.4.3 vector instructions), never produced by
 * running an implementation; the comment next to each vector says why.
 * Floats are written as IEEE-754 binary32 bit patterns. Where the spec lets
 * an implementation choose (the payload of a NaN produced by arithmetic),
 * the check accepts exactly the allowed set: a canonical NaN of either sign
 * when every NaN input was canonical (or there was none), otherwise any
 * arithmetic NaN (quiet bit set). Operations that only move bits (splat,
 * extract/replace lane, pmin/pmax, bitselect, shuffles, loads) must keep NaN
 * payloads bit-exactly, signalling ones included.
 *
 * Binary kernels compute y = op(a,b), op(b,a), op(c,d), op(d,c): both operand
 * orders, because x86 min/max instructions are not symmetric. Memory kernels
 * address END - k (END = linear memory size in bytes) or an absolute address;
 * runs of one case share an executor, so a store's effect, or the absence of
 * one after a trap, is read back by the next run.
 */
#include "simd_cases.h"

/* ---- binary32 bit patterns ---------------------------------------------- */
#define P0 0x00000000u   /* +0 */
#define N0 0x80000000u   /* -0 */
#define ONE 0x3f800000u  /* 1 */
#define NEG1 0xbf800000u /* -1 */
#define TWO 0x40000000u
#define THREE 0x40400000u
#define FIVE 0x40a00000u
#define HALF 0x3f000000u
#define PINF 0x7f800000u
#define NINF 0xff800000u
#define QNAN 0x7fc00000u /* canonical NaN */
#define SNAN 0x7fa00001u /* signalling NaN, payload 0x200001 */
#define DEN 0x00000001u  /* smallest denormal, 2^-149 */
#define MAXF 0x7f7fffffu /* largest finite */
#define T 0xffffffffu    /* comparison: true lane */

#define CNAN SIMD_WANT_CNAN
#define ANAN SIMD_WANT_ANAN
#define ANY SIMD_WANT_ANY

bool simd_word_ok(uint32_t got, uint64_t want) {
  bool nan = (got & 0x7f800000u) == 0x7f800000u && (got & 0x007fffffu) != 0;
  if (want == SIMD_WANT_ANY) return true;
  if (want == SIMD_WANT_CNAN) return (got & 0x7fffffffu) == 0x7fc00000u;
  if (want == SIMD_WANT_ANAN) return nan && (got & 0x00400000u) != 0;
  return got == (uint32_t)want;
}

/* ---- lane-wise float arithmetic (x = a | b | c | d) --------------------- */

static const simd_run add_runs[] = {
    /* a = 1, +inf, canonical NaN, sNaN; b = 2, -inf, 1, 1
     * c = -0, +0, denormal, max;      d = -0, -0, denormal, max */
    {{ONE, PINF, QNAN, SNAN, TWO, NINF, ONE, ONE, N0, P0, DEN, MAXF, N0, N0, DEN, MAXF},
     {THREE, CNAN, CNAN, ANAN,   /* inf + -inf has no NaN input: canonical */
      THREE, CNAN, CNAN, ANAN,   /* sNaN in: arithmetic NaN out */
      N0, P0, 0x00000002u, PINF, /* -0+-0 = -0, +0+-0 = +0, no flush to zero, overflow */
      N0, P0, 0x00000002u, PINF},
     false},
};

static const simd_run sub_runs[] = {
    /* a = 3, +inf, NaN, 1; b = 1, +inf, 1, sNaN; c = +0, -0, den, 1; d = +0, +0, den, 1 */
    {{THREE, PINF, QNAN, ONE, ONE, PINF, ONE, SNAN, P0, N0, DEN, ONE, P0, P0, DEN, ONE},
     {TWO, CNAN, CNAN, ANAN,         /* inf - inf: canonical NaN */
      0xc0000000u, CNAN, CNAN, ANAN, /* 1 - 3 = -2 */
      P0, N0, P0, P0,                /* -0 - +0 = -0; x - x = +0 */
      P0, P0, P0, P0},               /* +0 - -0 = +0 */
     false},
};

static const simd_run mul_runs[] = {
    /* a = 2, +inf, -0, NaN; b = 3, +0, 5, 2
     * c = 2^-148, 2^-126, max, -1; d = 0.5, 0.5, 2, sNaN */
    {{TWO, PINF, N0, QNAN, THREE, P0, FIVE, TWO, 0x00000002u, 0x00800000u, MAXF, NEG1, HALF, HALF,
      TWO, SNAN},
     {0x40c00000u, CNAN, N0, CNAN, /* 6; inf * 0 = canonical NaN; -0 * 5 = -0 */
      0x40c00000u, CNAN, N0, CNAN, 0x00000001u, 0x00400000u, PINF,
      ANAN, /* denormal results kept exactly */
      0x00000001u, 0x00400000u, PINF, ANAN},
     false},
};

static const simd_run div_runs[] = {
    /* a = 1, 1, +0, -1; b = +0, -0, +0, 4; c = +inf, 6, NaN, 1; d = +inf, 3, 2, 3 */
    {{ONE, ONE, P0, NEG1, P0, N0, P0, 0x40800000u, PINF, 0x40c00000u, QNAN, ONE, PINF, THREE, TWO,
      THREE},
     {PINF, NINF, CNAN, 0xbe800000u, /* 1/+0, 1/-0, 0/0, -1/4 = -0.25 */
      P0, N0, CNAN, 0xc0800000u,     /* 0/1, -0/1, 0/0, 4/-1 = -4 */
      CNAN, TWO, CNAN, 0x3eaaaaabu,  /* inf/inf; 6/3; NaN/2; 1/3 rounded to nearest */
      CNAN, HALF, CNAN, THREE},
     false},
};

/* min and max share their inputs: a = +0, -0, 1, -1; b = -0, +0, NaN, sNaN;
 * c = 1, -inf, +inf, denormal; d = 2, 5, 3, -0. */
#define MINMAX_IN \
  { P0, N0, ONE, NEG1, N0, P0, QNAN, SNAN, ONE, NINF, PINF, DEN, TWO, FIVE, THREE, N0 }
static const simd_run min_runs[] = {
    {MINMAX_IN,
     {N0, N0, CNAN, ANAN,                       /* min(+0,-0) = min(-0,+0) = -0 in either order */
      N0, N0, CNAN, ANAN, ONE, NINF, THREE, N0, /* min(denormal, -0) = -0 */
      ONE, NINF, THREE, N0},
     false},
};
static const simd_run max_runs[] = {
    {MINMAX_IN,
     {P0, P0, CNAN, ANAN, /* max(+0,-0) = max(-0,+0) = +0 in either order */
      P0, P0, CNAN, ANAN, TWO, FIVE, PINF, DEN, TWO, FIVE, PINF, DEN},
     false},
};

/* pmin(z1,z2) = z2 < z1 ? z2 : z1 and pmax(z1,z2) = z1 < z2 ? z2 : z1: a
 * select, so the chosen operand comes back bit-exactly (NaN payloads and
 * signalling NaNs included). a = +0, -0, -NaN(0xabc), 1; b = -0, +0, 1,
 * NaN(0xabc); c = sNaN, 2, -inf, 3; d = 1, sNaN, 5, 3. */
#define PMINMAX_IN                                                                               \
  {                                                                                              \
    P0, N0, 0xffc00abcu, ONE, N0, P0, ONE, 0x7fc00abcu, SNAN, TWO, NINF, THREE, ONE, SNAN, FIVE, \
        THREE                                                                                    \
  }
static const simd_run pmin_runs[] = {
    {PMINMAX_IN,
     {P0, N0, 0xffc00abcu, ONE, /* zeros compare equal: z1 is kept */
      N0, P0, ONE, 0x7fc00abcu, /* a NaN never compares less: z1 is kept */
      SNAN, TWO, NINF, THREE, ONE, SNAN, NINF, THREE},
     false},
};
static const simd_run pmax_runs[] = {
    {PMINMAX_IN,
     {P0, N0, 0xffc00abcu, ONE, N0, P0, ONE, 0x7fc00abcu, SNAN, TWO, FIVE, THREE, ONE, SNAN, FIVE,
      THREE},
     false},
};

/* a = 2, 1, NaN, +0; b = 1, 1, NaN, -0; c = +inf, 1, -inf, den; d = max, NaN, -inf, +0 */
#define CMP_IN \
  { TWO, ONE, QNAN, P0, ONE, ONE, QNAN, N0, PINF, ONE, NINF, DEN, MAXF, QNAN, NINF, P0 }
static const simd_run gt_runs[] = {
    {CMP_IN,
     {T, 0, 0, 0, /* NaN compares false; +0 > -0 is false */
      0, 0, 0, 0, T, 0, 0, T, 0, 0, 0, 0},
     false},
};
static const simd_run ge_runs[] = {
    {CMP_IN,
     {T, T, 0, T, /* +0 >= -0 is true */
      0, T, 0, T, T, 0, T, T, 0, 0, T, 0},
     false},
};

/* integer lanes: -0 and +0 differ, equal NaN bit patterns are equal */
static const simd_run ne_runs[] = {
    {{1, 0, QNAN, 5, 1, N0, QNAN, 6, T, 2, 3, 4, T, 2, 0, 4},
     {0, T, 0, T, 0, T, 0, T, 0, 0, T, 0, 0, 0, T, 0},
     false},
};

/* bitselect(v1, v2, m) = (v1 & m) | (v2 & ~m), bit by bit */
static const simd_run bitselect_runs[] = {
    {{T, 0x12345678u, 0xaaaaaaaau, 0,            /* a */
      0, 0x9abcdef0u, 0x55555555u, T,            /* b */
      T, 0x0000ffffu, 0xf0f0f0f0u, 0,            /* c (mask) */
      0, 0xffff0000u, 0x0f0f0f0fu, 0x80000001u}, /* d (mask) */
     {T, 0x9abc5678u, 0xa5a5a5a5u, T, 0, 0x1234def0u, 0x5a5a5a5au, 0, 0, 0x1234def0u, 0x5a5a5a5au,
      0x7ffffffeu, T, 0x9abc5678u, 0xa5a5a5a5u, 0x80000001u},
     false},
};

/* ---- conversions (y = op(a), op(b), op(c), op(d)) ----------------------- */

/* trunc_sat: NaN -> 0, out of range saturates, otherwise round toward zero */
static const simd_run trunc_s_runs[] = {
    {{QNAN, PINF, NINF, 0x4f000000u,                      /* NaN, +inf, -inf, 2^31 */
      0x4effffffu, 0xcf000000u, 0xcf000001u, 0xffa00001u, /* 2^31-128, -2^31, below, -sNaN */
      0xbff33333u, 0x3ff33333u, 0xbf000000u, N0,          /* -1.9, 1.9, -0.5, -0 */
      DEN, 0x4b800001u, 0xdf000000u, 0x42f78000u},        /* den, 16777218, -2^63, 123.75 */
     {0, 0x7fffffffu, 0x80000000u, 0x7fffffffu, 0x7fffff80u, 0x80000000u, 0x80000000u, 0,
      0xffffffffu, 1, 0, 0, 0, 0x01000002u, 0x80000000u, 123},
     false},
};
static const simd_run trunc_u_runs[] = {
    {{QNAN, PINF, NINF, 0x4f800000u,               /* NaN, +inf, -inf, 2^32 */
      0x4f7fffffu, 0x4f000000u, 0xbf666666u, NEG1, /* 2^32-256, 2^31, -0.9, -1 */
      0x3ff33333u, 0x4f400000u, 0xbff33333u, SNAN, /* 1.9, 3*2^30, -1.9, sNaN */
      DEN, MAXF, 0xc0000000u, 0x477fff80u},        /* den, max, -2, 65535.5 */
     {0, 0xffffffffu, 0, 0xffffffffu, 0xffffff00u, 0x80000000u, 0,
      0, /* -0.9 truncates to 0, -1 saturates to 0 */
      1, 0xc0000000u, 0, 0, 0, 0xffffffffu, 0, 0xffffu},
     false},
};

/* convert: round to nearest, ties to even (spacing 2 above 2^24, 256 above 2^31) */
static const simd_run convert_s_runs[] = {
    {{0, 1, 0xffffffffu, 0x7fffffffu,                     /* 0, 1, -1, 2^31-1 */
      0x80000000u, 0x01000001u, 0x01000003u, 0xfeffffffu, /* -2^31, 2^24+1, 2^24+3, -(2^24+1) */
      100, 0xffffff9cu, 0x7fffff80u, 0x7fffffc0u,         /* 100, -100, 2^31-128, 2^31-64 */
      3, 0xfffffffdu, 0x00ffffffu, 5},                    /* 3, -3, 2^24-1, 5 */
     {P0, ONE, NEG1, 0x4f000000u, 0xcf000000u, 0x4b800000u, 0x4b800002u,
      0xcb800000u, /* ties go to the even neighbour */
      0x42c80000u, 0xc2c80000u, 0x4effffffu, 0x4f000000u, THREE, 0xc0400000u, 0x4b7fffffu, FIVE},
     false},
};
static const simd_run convert_u_runs[] = {
    {{0, 1, 0xffffffffu, 0x80000000u,                     /* 0, 1, 2^32-1, 2^31 */
      0x80000080u, 0x80000081u, 0xffffff7fu, 0xffffff80u, /* ties and near-ties */
      0x01000001u, 100, 0x7fffffffu, 3, 0xc0000000u, 0x00ffffffu, 0xfffffffeu, 0x80000100u},
     {P0, ONE, 0x4f800000u, 0x4f000000u, 0x4f000000u, 0x4f000001u, 0x4f7fffffu, 0x4f800000u,
      0x4b800000u, 0x42c80000u, 0x4f000000u, THREE, 0x4f400000u, 0x4b7fffffu, 0x4f800000u,
      0x4f000001u},
     false},
};

/* ---- splats, lanes, shuffles -------------------------------------------- */

static const simd_run splat_runs[] = {
    /* f32x4.splat keeps an sNaN bit-exactly; i8x16/i16x8.splat take the low bits */
    {{SNAN, 0xdeadbeefu, 0x123456abu, 0x8001beefu},
     {SNAN, SNAN, SNAN, SNAN, 0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu, 0xababababu,
      0xababababu, 0xababababu, 0xababababu, 0xbeefbeefu, 0xbeefbeefu, 0xbeefbeefu, 0xbeefbeefu},
     false},
    {{N0, 1, 0x80, 0xffff},
     {N0, N0, N0, N0, 1, 1, 1, 1, 0x80808080u, 0x80808080u, 0x80808080u, 0x80808080u, T, T, T, T},
     false},
};

static const simd_run lanes_runs[] = {
    /* a = 0x11223344 0x5566f788 0x99aabbcc 0xddeeff00 (byte 5 = 0xf7, i16 lane 7 = 0xddee)
     * b = sNaN, -NaN(0xabc), 0x123456c8, 0x0badf00d; c = 0, 0, 0, 0xa1a2a3a4 */
    {{0x11223344u, 0x5566f788u, 0x99aabbccu, 0xddeeff00u, SNAN, 0xffc00abcu, 0x123456c8u,
      0x0badf00du, 0, 0, 0, 0xa1a2a3a4u},
     {0xddeeff00u, /* f32x4.extract_lane 3 a */
      0x99aabbccu, /* i32x4.extract_lane 2 a */
      0xfffffff7u, /* i8x16.extract_lane_s 5 a: sign-extended */
      0x000000f7u, /* i8x16.extract_lane_u 5 a */
      0xffffddeeu, /* i16x8.extract_lane_s 7 a */
      0x0000ddeeu, /* i16x8.extract_lane_u 7 a */
      SNAN,        /* f32x4.extract_lane 0 b: bit-exact */
      0xffffffbcu, /* i8x16.extract_lane_s 4 b */
      /* f32x4.replace_lane 2 a (lane 1 of b) */
      0x11223344u, 0x5566f788u, 0xffc00abcu, 0xddeeff00u,
      /* i8x16.replace_lane 13 c (0xc8), then i32x4.replace_lane 0 (0x0badf00d) */
      0x0badf00du, 0, 0, 0xa1a2c8a4u},
     false},
};

static const simd_run shuffle_runs[] = {
    /* a = bytes 0xa0..0xaf, b = bytes 0xb0..0xbf, c = swizzle indices
     * 15 0 16 255 | 128 3 31 7 | 14 14 16 1 | 2 127 240 12 (>= 16 selects 0) */
    {{0xa3a2a1a0u, 0xa7a6a5a4u, 0xabaaa9a8u, 0xafaeadacu, 0xb3b2b1b0u, 0xb7b6b5b4u, 0xbbbab9b8u,
      0xbfbebdbcu, 0xff10000fu, 0x071f0380u, 0x01100e0eu, 0x0cf07f02u},
     {0xa3a2a1a0u, 0xabaaa9a8u, 0xb3b2b1b0u, 0xbbbab9b8u, /* 0-3 8-11 16-19 24-27 */
      0xa0a0a0a0u, 0xa0a0a0a0u, 0xa3a2a1a0u, 0xabaaa9a8u, /* 0 x9, 1 2 3, 8-11 */
      0xa0afb0bfu, 0xb9aab4a5u, 0xaeb1a1beu, 0xa8b6b3a3u, /* 31 16 15 0 | 5 20 10 25 | ... */
      0x0000a0afu, 0xa700a300u, 0xa100aeaeu, 0xac0000a2u},
     false},
};

/* ---- memory at the end of linear memory --------------------------------- */

/* the fill: bytes END-32 .. END-1 = 0xe0 .. 0xff, as little-endian words */
#define F0 0xe3e2e1e0u
#define F1 0xe7e6e5e4u
#define F2 0xebeae9e8u
#define F3 0xefeeedecu
#define F4 0xf3f2f1f0u
#define F5 0xf7f6f5f4u
#define F6 0xfbfaf9f8u
#define F7 0xfffefdfcu
#define FILL F0, F1, F2, F3, F4, F5, F6, F7
/* what the stores write: bytes 0x00 .. 0x0f */
#define S0 0x03020100u
#define S1 0x07060504u
#define S2 0x0b0a0908u
#define S3 0x0f0e0d0cu
/* the vector the lane loads start from */
#define L0 0x11111111u
#define L1 0x22222222u
#define L2 0x33333333u
#define L3 0x44444444u

/* x = base, k, mode: address END - k, or an absolute address */
#define AT_END(k) \
  { (uint32_t)0 - (uint32_t)(k), 1u, 0u }
#define AT_ABS(a) \
  { (uint32_t)(a), 0u, 0u }
#define LOAD_OK(k, v0, v1, v2, v3) \
  { AT_END(k), {v0, v1, v2, v3, ANY, ANY, 0, 0, FILL}, false }
#define STORE_OK(k, ...) \
  { AT_END(k), {0, 0, 0, 0, ANY, ANY, 0, 0, __VA_ARGS__}, false }
#define PEEK(...) \
  { {0u, 0u, 1u}, {0, 0, 0, 0, ANY, ANY, 0, 0, __VA_ARGS__}, false }
#define TRAP_END(k) \
  { AT_END(k), {0}, true }
#define TRAP_ABS(a) \
  { AT_ABS(a), {0}, true }

static const simd_run load_runs[] = {
    LOAD_OK(16, F4, F5, F6, F7),
    LOAD_OK(20, F3, F4, F5, F6), /* last 16 bytes; unaligned */
    TRAP_END(15),
    TRAP_END(1),
    TRAP_END(0),
    TRAP_ABS(0xfffffff0u),
    TRAP_ABS(0xffffffffu),
};
static const simd_run load_off16_runs[] = {
    LOAD_OK(32, F4, F5, F6, F7),
    TRAP_END(31),
    TRAP_ABS(0xfffffff0u), /* address + offset = 2^32: no 32-bit wrap to 0 */
    TRAP_ABS(0xffffffffu),
};
static const simd_run load_offmax_runs[] = {
    TRAP_ABS(0), TRAP_ABS(1), TRAP_ABS(0xffffffffu), /* up to 0xffffffff + 0xffffffff + 15 */
};
static const simd_run load32_splat_runs[] = {
    LOAD_OK(4, F7, F7, F7, F7),
    LOAD_OK(7, 0xfcfbfaf9u, 0xfcfbfaf9u, 0xfcfbfaf9u, 0xfcfbfaf9u),
    TRAP_END(3),
    TRAP_END(1),
    TRAP_ABS(0xfffffffcu),
    TRAP_ABS(0xffffffffu),
};
static const simd_run load32_splat_offmax_runs[] = {
    TRAP_ABS(0),
    TRAP_ABS(0xffffffffu),
};
/* the value is never stored: y[0..3] keep the zeros written first */
static const simd_run load32_splat_dead_runs[] = {
    LOAD_OK(4, 0, 0, 0, 0), TRAP_END(3), TRAP_END(1), TRAP_ABS(0xfffffffcu), TRAP_ABS(0xffffffffu),
};
static const simd_run load64_zero_runs[] = {
    LOAD_OK(8, F6, F7, 0, 0),
    LOAD_OK(9, 0xfaf9f8f7u, 0xfefdfcfbu, 0, 0),
    TRAP_END(7),
    TRAP_ABS(0xfffffff8u),
};
static const simd_run load32_zero_runs[] = {
    LOAD_OK(4, F7, 0, 0, 0),
    TRAP_END(3),
    TRAP_ABS(0xffffffffu),
};
static const simd_run load8_splat_runs[] = {
    LOAD_OK(1, T, T, T, T),
    LOAD_OK(2, 0xfefefefeu, 0xfefefefeu, 0xfefefefeu, 0xfefefefeu),
    TRAP_END(0),
    TRAP_ABS(0xffffffffu),
};
static const simd_run load64_splat_runs[] = {
    LOAD_OK(8, F6, F7, F6, F7),
    TRAP_END(7),
    TRAP_ABS(0xfffffff9u),
};
static const simd_run load32_lane_runs[] = {
    LOAD_OK(4, L0, F7, L2, L3), /* lane 1 replaced, the others kept */
    TRAP_END(3),
    TRAP_ABS(0xfffffffdu),
};
static const simd_run load64_lane_runs[] = {
    LOAD_OK(8, F6, F7, L2, L3),
    TRAP_END(7),
};
static const simd_run load8_lane_runs[] = {
    LOAD_OK(1, L0, L1, L2, 0xff444444u), /* byte 15 = 0xff */
    TRAP_END(0),
};
static const simd_run load8x8_s_runs[] = {
    /* bytes 0xf8..0xff sign-extended to i16 lanes */
    LOAD_OK(8, 0xfff9fff8u, 0xfffbfffau, 0xfffdfffcu, 0xfffffffeu),
    TRAP_END(7),
};

/* Stores: a trapping store must leave every byte as the fill left it. The
 * PEEK after a trap runs in mode 1 (no fill), so it sees exactly what the
 * trapping run left behind; the PEEK before it shows the stored bytes, so a
 * trapping run that never refilled would be caught too. */
static const simd_run store_runs[] = {
    STORE_OK(16, F0, F1, F2, F3, S0, S1, S2, S3),
    PEEK(F0, F1, F2, F3, S0, S1, S2, S3),
    TRAP_END(15),
    PEEK(FILL),
    STORE_OK(20, F0, F1, F2, S0, S1, S2, S3, F7), /* unaligned */
    TRAP_END(1),
    PEEK(FILL),
    STORE_OK(16, F0, F1, F2, F3, S0, S1, S2, S3),
    TRAP_ABS(0xfffffff8u),
    PEEK(FILL), /* would wrap to address 8 with 32-bit arithmetic */
};
static const simd_run store_offmax_runs[] = {
    TRAP_ABS(0), PEEK(FILL),           /* effective address 0xffffffff */
    TRAP_ABS(0xffffffffu), PEEK(FILL), /* effective address 0x1fffffffe */
};
static const simd_run store64_lane_runs[] = {
    STORE_OK(8, F0, F1, F2, F3, F4, F5, S2, S3),  TRAP_END(7), PEEK(FILL),
    STORE_OK(12, F0, F1, F2, F3, F4, S2, S3, F7), TRAP_END(1), PEEK(FILL),
};
static const simd_run store32_lane_runs[] = {
    STORE_OK(4, F0, F1, F2, F3, F4, F5, F6, S2), TRAP_END(3), PEEK(FILL),
    STORE_OK(4, F0, F1, F2, F3, F4, F5, F6, S2), TRAP_END(0), PEEK(FILL),
};
static const simd_run store8_lane_runs[] = {
    STORE_OK(1, F0, F1, F2, F3, F4, F5, F6, 0x0ffefdfcu), /* byte 15 of S */
    TRAP_END(0),
    PEEK(FILL),
    STORE_OK(32, 0xe3e2e10fu, F1, F2, F3, F4, F5, F6, F7),
};

#define CASE(group, kernel, runs, what) \
  { group, kernel, what, runs, sizeof runs / sizeof runs[0] }

const simd_case simd_cases[] = {
    CASE("float", "simd_f32x4_add", add_runs, "NaN rules, signed zeros, denormals, overflow"),
    CASE("float", "simd_f32x4_sub", sub_runs, "inf - inf, NaN operands both sides, -0 - +0"),
    CASE("float", "simd_f32x4_mul", mul_runs, "inf * 0, -0 * x, denormal results, sNaN"),
    CASE("float", "simd_f32x4_div", div_runs, "x/+-0, 0/0, inf/inf, rounding of 1/3"),
    CASE("float", "simd_f32x4_min", min_runs, "NaN lanes, min(+0,-0) = min(-0,+0) = -0"),
    CASE("float", "simd_f32x4_max", max_runs, "NaN lanes, max(+0,-0) = max(-0,+0) = +0"),
    CASE("float", "simd_f32x4_pmin", pmin_runs, "select semantics: NaN/zero operand kept exactly"),
    CASE("float", "simd_f32x4_pmax", pmax_runs, "select semantics: NaN/zero operand kept exactly"),
    CASE("float", "simd_f32x4_gt", gt_runs, "NaN compares false, +0 > -0 false, inf vs max"),
    CASE("float", "simd_f32x4_ge", ge_runs, "NaN compares false, +0 >= -0 true"),
    CASE("float", "simd_i32x4_ne", ne_runs, "integer compare: -0 != +0, NaN bits == NaN bits"),
    CASE("float", "simd_v128_bitselect", bitselect_runs, "bitwise select with mixed masks"),
    CASE("convert", "simd_i32x4_trunc_sat_f32x4_s", trunc_s_runs,
         "NaN -> 0, +-inf and out of range saturate, -2^31 exact, truncation toward 0"),
    CASE("convert", "simd_i32x4_trunc_sat_f32x4_u", trunc_u_runs,
         "NaN and negatives -> 0, >= 2^32 saturates, -0.9 -> 0"),
    CASE("convert", "simd_f32x4_convert_i32x4_s", convert_s_runs,
         "round to nearest even above 2^24 and near 2^31, INT_MIN"),
    CASE("convert", "simd_f32x4_convert_i32x4_u", convert_u_runs,
         "values >= 2^31 (no signed shortcut), ties to even near 2^31 and 2^32"),
    CASE("lanes", "simd_splat", splat_runs, "f32x4/i32x4/i8x16/i16x8.splat, sNaN bit-exact"),
    CASE("lanes", "simd_lanes", lanes_runs,
         "f32x4/i32x4/i8x16_s/u/i16x8_s/u.extract_lane, f32x4/i8x16/i32x4.replace_lane"),
    CASE("lanes", "simd_shuffle", shuffle_runs,
         "TVM's two i8x16.shuffle patterns, a mixed one, i8x16.swizzle out of range"),
    CASE("memory", "simd_load", load_runs, "v128.load at END-16 ok; END-15, END, 2^32-1 trap"),
    CASE("memory", "simd_load_off16", load_off16_runs, "v128.load offset=16: no 32-bit wrap"),
    CASE("memory", "simd_load_offmax", load_offmax_runs, "v128.load offset=0xffffffff traps"),
    CASE("memory", "simd_load32_splat", load32_splat_runs, "v128.load32_splat at the end"),
    CASE("memory", "simd_load32_splat_offmax", load32_splat_offmax_runs,
         "v128.load32_splat offset=0xffffffff traps"),
    CASE("memory", "simd_load64_zero", load64_zero_runs, "v128.load64_zero at the end"),
    CASE("memory", "simd_load32_zero", load32_zero_runs, "v128.load32_zero at the end"),
    CASE("memory", "simd_load8_splat", load8_splat_runs, "v128.load8_splat at the end"),
    CASE("memory", "simd_load64_splat", load64_splat_runs, "v128.load64_splat at the end"),
    CASE("memory", "simd_load32_lane", load32_lane_runs, "v128.load32_lane 1 at the end"),
    CASE("memory", "simd_load64_lane", load64_lane_runs, "v128.load64_lane 0 at the end"),
    CASE("memory", "simd_load8_lane", load8_lane_runs, "v128.load8_lane 15 at the end"),
    CASE("memory", "simd_load8x8_s", load8x8_s_runs, "v128.load8x8_s at the end"),
    CASE("memory", "simd_store", store_runs,
         "v128.store at the end; a trapping store writes nothing"),
    CASE("memory", "simd_store_offmax", store_offmax_runs,
         "v128.store offset=0xffffffff traps and writes nothing"),
    CASE("memory", "simd_store64_lane", store64_lane_runs,
         "v128.store64_lane 1 at the end; trapping store writes nothing"),
    CASE("memory", "simd_store32_lane", store32_lane_runs,
         "v128.store32_lane 2 at the end; trapping store writes nothing"),
    CASE("memory", "simd_store8_lane", store8_lane_runs,
         "v128.store8_lane 15 at the end; trapping store writes nothing"),
    CASE("memory", "simd_load32_splat_dropped", load32_splat_dead_runs,
         "a dropped v128.load32_splat still traps"),
    CASE("memory", "simd_load32_splat_times_zero", load32_splat_dead_runs,
         "v128.load32_splat times zero still traps"),
    CASE("memory", "simd_load32_splat_select", load32_splat_dead_runs,
         "v128.load32_splat feeding an untaken select still traps"),
};
const size_t simd_num_cases = sizeof simd_cases / sizeof simd_cases[0];
