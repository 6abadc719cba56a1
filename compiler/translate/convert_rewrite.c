/*
 * convert_rewrite.c — cheaper, bit-identical float conversions in wasm2c
 * 1.0.39's output, applied after memory_rewrite.c.
 *
 * Quantized models convert floats to integers in every requantize step, and
 * TVM's wasm code reaches wasm2c as, per lane:
 *     f1 = 2.14748365e+09;                       (an f32 constant)
 *     if (wasm_fabsf(x) < f1) r = I32_TRUNC_S_F32(x); else r = INT32_MIN;
 * Under -frounding-math (kept for wasm's NaN rules) each piece costs more
 * than it needs to, and none of it can be vectorized or folded:
 *
 * f32 constants. wasm2c writes an f32 constant as a decimal double literal
 *   assigned to an f32 variable, so the double-to-float conversion happens at
 *   run time (clang may not fold it when the rounding mode is dynamic). wasm
 *   only ever runs in round-to-nearest, so the rewrite does that conversion
 *   here, in round-to-nearest (strtod, then a cast; both correctly rounded,
 *   like clang's literal parsing and the run-time conversion), and writes the
 *   float as a hexadecimal float literal with an `f` suffix: exactly the
 *   value the run-time conversion produced.
 * wasm_fabsf / wasm_fabs. wasm2c clears the sign bit for a NaN and calls
 *   fabsf otherwise, with a branch; f32.abs is defined as clearing the sign
 *   bit, which is what fabsf does for every other input, so the rewrite
 *   clears it unconditionally.
 * I32_TRUNC_S_F32, I32_TRUNC_U_F32 (x86-64 only). wasm2c tests NaN, then the
 *   range, then converts. cvttss2si returns the truncated value when it fits
 *   in the destination and the "integer indefinite" value (INT_MIN of its
 *   width) otherwise, NaN included. So a result other than that value (for
 *   the signed i32 form), or within [0, 2^32) from the 64-bit conversion
 *   (for the unsigned form), proves x is a number whose truncation is in
 *   range, and is exactly what wasm2c's macro returns; anything else takes
 *   wasm2c's macro unchanged, which traps or returns as before. Other
 *   targets keep wasm2c's macros.
 *
 * Fail-safe like memory_rewrite.c: each piece is replaced only where
 * wasm2c's exact text is found; otherwise the file keeps wasm2c's version of
 * it (logged, never an error).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler_internal.h"
#include "text_buf.h"

/* ---- the preamble: wasm2c 1.0.39's text and its replacement -------------- */

static const char k_trunc_s_f32[] =
    "#define I32_TRUNC_S_F32(x) \\\n"
    "  TRUNC_S(u32, s32, f32, (f32)INT32_MIN, >=, 2147483648.f, x)\n";

static const char k_trunc_u_f32[] =
    "#define I32_TRUNC_U_F32(x) TRUNC_U(u32, f32, 4294967296.f, x)\n";

/* After both macros (the TRUNC_U block follows the TRUNC_S block). */
static const char k_fast_trunc[] =
    "#if defined(__x86_64__) && defined(__SSE2__)\n"
    "#include <emmintrin.h>\n"
    "/* wasmgraph (convert_rewrite.c): cvttss2si gives the truncation when it\n"
    "   fits and INT_MIN of its width otherwise (NaN included); every other\n"
    "   result is what the macro returns, the rest takes the macro. */\n"
    "static inline u32 wg_i32_trunc_s_f32(f32 x) {\n"
    "  s32 r = _mm_cvttss_si32(_mm_set_ss(x));\n"
    "  if (LIKELY(r != INT32_MIN)) return (u32)r;\n"
    "  return TRUNC_S(u32, s32, f32, (f32)INT32_MIN, >=, 2147483648.f, x);\n"
    "}\n"
    "static inline u32 wg_i32_trunc_u_f32(f32 x) {\n"
    "  long long r = _mm_cvttss_si64(_mm_set_ss(x));\n"
    "  if (LIKELY((unsigned long long)r <= 0xffffffffull)) return (u32)r;\n"
    "  return TRUNC_U(u32, f32, 4294967296.f, x);\n"
    "}\n"
    "#undef I32_TRUNC_S_F32\n"
    "#define I32_TRUNC_S_F32(x) wg_i32_trunc_s_f32(x)\n"
    "#undef I32_TRUNC_U_F32\n"
    "#define I32_TRUNC_U_F32(x) wg_i32_trunc_u_f32(x)\n"
    "#endif\n";

static const char k_fabsf[] =
    "static float wasm_fabsf(float x) {\n"
    "  if (UNLIKELY(isnan(x))) {\n"
    "    uint32_t tmp;\n"
    "    wasm_rt_memcpy(&tmp, &x, 4);\n"
    "    tmp = tmp & ~(1UL << 31);\n"
    "    wasm_rt_memcpy(&x, &tmp, 4);\n"
    "    return x;\n"
    "  }\n"
    "  return fabsf(x);\n"
    "}\n";

static const char k_fabsf_new[] =
    "static float wasm_fabsf(float x) {\n"
    "  /* f32.abs clears the sign bit, NaN or not (convert_rewrite.c) */\n"
    "  uint32_t tmp;\n"
    "  wasm_rt_memcpy(&tmp, &x, 4);\n"
    "  tmp = tmp & ~(1UL << 31);\n"
    "  wasm_rt_memcpy(&x, &tmp, 4);\n"
    "  return x;\n"
    "}\n";

static const char k_fabs[] =
    "static double wasm_fabs(double x) {\n"
    "  if (UNLIKELY(isnan(x))) {\n"
    "    uint64_t tmp;\n"
    "    wasm_rt_memcpy(&tmp, &x, 8);\n"
    "    tmp = tmp & ~(1ULL << 63);\n"
    "    wasm_rt_memcpy(&x, &tmp, 8);\n"
    "    return x;\n"
    "  }\n"
    "  return fabs(x);\n"
    "}\n";

static const char k_fabs_new[] =
    "static double wasm_fabs(double x) {\n"
    "  /* f64.abs clears the sign bit, NaN or not (convert_rewrite.c) */\n"
    "  uint64_t tmp;\n"
    "  wasm_rt_memcpy(&tmp, &x, 8);\n"
    "  tmp = tmp & ~(1ULL << 63);\n"
    "  wasm_rt_memcpy(&x, &tmp, 8);\n"
    "  return x;\n"
    "}\n";

/* ---- f32 constants --------------------------------------------------------- */

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* The length of a wasm2c decimal literal at s ("-1.5", "2.14748365e+09",
 * "0"): optional '-', digits, optional '.' digits, optional e[+-]digits,
 * with nothing else up to the ';' at s[len]. 0 if s is no such literal. */
static size_t decimal_literal(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '-') i++;
  size_t d0 = i;
  while (i < n && digit(s[i])) i++;
  if (i == d0) return 0;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && digit(s[i])) i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t e0 = i;
    while (i < n && digit(s[i])) i++;
    if (i == e0) return 0;
  }
  return i < n && s[i] == ';' ? i : 0;
}

/* A line "<indent>var_f<digits> = <decimal>;": rewrites it into o with the
 * constant as the float the run-time conversion gives; false if the line
 * is not of that shape. */
static bool f32_constant(wgc_text_buf *o, const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] == ' ') i++;
  if (n - i < 6 || memcmp(s + i, "var_f", 5) != 0 || !digit(s[i + 5])) return false;
  i += 5;
  while (i < n && digit(s[i])) i++;
  if (n - i < 4 || memcmp(s + i, " = ", 3) != 0) return false;
  i += 3;
  size_t len = decimal_literal(s + i, n - i);
  if (!len || i + len + 1 != n || len > 60) return false;
  char lit[64];
  memcpy(lit, s + i, len);
  lit[len] = 0;
  /* strtod and the cast round to nearest, as the run-time conversion does
   * (wasm never runs in another rounding mode) */
  float f = (float)strtod(lit, NULL);
  if (!isfinite(f)) return false; /* rounds to an infinity: keep wasm2c's line */
  char hex[64];
  snprintf(hex, sizeof hex, "%af", (double)f);
  wgc_text_put(o, s, i);
  wgc_text_puts(o, hex);
  wgc_text_puts(o, ";");
  return true;
}

/* ---- the whole file ---------------------------------------------------------- */

static bool replace_once(wgc_text_buf *o, const char **p, const char *end, const char *old,
                         const char *with) {
  const char *at = wgc_text_find(*p, (size_t)(end - *p), old);
  if (!at) return false;
  wgc_text_put(o, *p, (size_t)(at - *p));
  wgc_text_puts(o, with);
  *p = at + strlen(old);
  return true;
}

char *wgc_convert_rewrite_text(const char *text, size_t len, wgc_convert_stats *st) {
  memset(st, 0, sizeof *st);
  wgc_text_buf o = {0};
  const char *p = text, *end = text + len;
  /* the preamble, in wasm2c's order: TRUNC_S macros, TRUNC_U macros,
   * wasm_fabsf, wasm_fabs */
  const char *trunc_u = wgc_text_find(p, len, k_trunc_u_f32);
  const char *trunc_s = wgc_text_find(p, len, k_trunc_s_f32);
  if (trunc_s && trunc_u && trunc_s < trunc_u) {
    size_t upto = (size_t)(trunc_u - text) + sizeof k_trunc_u_f32 - 1; /* <= len: found */
    wgc_text_put(&o, text, upto);
    wgc_text_puts(&o, k_fast_trunc);
    p = text + upto;
    st->trunc = true;
  }
  st->fabs = replace_once(&o, &p, end, k_fabsf, k_fabsf_new);
  st->fabs = replace_once(&o, &p, end, k_fabs, k_fabs_new) && st->fabs;
  /* the f32 constants, line by line */
  while (p < end && !o.oom) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (f32_constant(&o, p, n)) st->constants++;
    else wgc_text_put(&o, p, n);
    if (nl) wgc_text_put(&o, "\n", 1);
    p += n + (nl ? 1 : 0);
  }
  if (o.oom) {
    free(o.d);
    return NULL;
  }
  return o.d ? o.d : calloc(1, 1);
}

wasmgraph_status wgc_convert_rewrite(wgc_ctx *ctx, const char *c_path, wgc_convert_stats *st) {
  wgc_buf b;
  wasmgraph_status s = wgc_read_file(ctx, c_path, &b);
  if (s != WASMGRAPH_OK) return s;
  char *out = wgc_convert_rewrite_text((const char *)b.data, b.size, st);
  wgc_buf_free(&b);
  if (!out) return wgc_fail(ctx, WASMGRAPH_ERR_NO_MEMORY, "out of memory");
  if (!st->trunc) wgc_log(ctx, "convert rewrite: wasm2c's I32_TRUNC macros not found; kept");
  if (!st->fabs) wgc_log(ctx, "convert rewrite: wasm2c's wasm_fabsf/wasm_fabs not found; kept");
  s = wgc_write_file(ctx, c_path, out, strlen(out));
  free(out);
  return s;
}
