/*
 * test_convert_rewrite.c — compiler/translate/convert_rewrite.c on text:
 *   - an f32 constant line becomes a hexadecimal float literal whose value is
 *     what the run-time conversion gives (the decimal parsed as a double,
 *     then rounded to float in round-to-nearest, done here through a volatile
 *     double), for literals printed from random floats and doubles and for
 *     hand-picked ones (halfway cases, subnormals, the largest floats);
 *   - a constant that rounds to an infinity, and every line of another shape,
 *     is left as it was;
 *   - the preamble pieces are replaced only where wasm2c's text is found.
 * exact.sh proves the replacements themselves on real wasm2c output.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../parsers/check.h"
#include "compiler_internal.h"

static char *rewrite(const char *text, wgc_convert_stats *st) {
  return wgc_convert_rewrite_text(text, strlen(text), st);
}

/* The float the run-time conversion of literal `lit` gives. */
static float runtime_float(const char *lit) {
  volatile double d = strtod(lit, NULL);
  return (float)d;
}

static void check_constant(const char *lit) {
  char line[128], ctx[256];
  snprintf(line, sizeof line, "  var_f12 = %s;\n", lit);
  wgc_convert_stats st;
  char *out = rewrite(line, &st);
  snprintf(ctx, sizeof ctx, "literal %s -> %s", lit, out ? out : "(null)");
  CHECK_MSG(out != NULL, ctx);
  if (!out) return;
  float want = runtime_float(lit);
  if (!isfinite(want)) {
    CHECK_MSG(strcmp(out, line) == 0 && st.constants == 0, ctx); /* kept */
  } else {
    const char *eq = strstr(out, " = ");
    size_t n = strlen(out);
    CHECK_MSG(strncmp(out, "  var_f12 = 0x", 14) == 0 || strncmp(out, "  var_f12 = -0x", 15) == 0,
              ctx);
    CHECK_MSG(n > 3 && strcmp(out + n - 3, "f;\n") == 0, ctx);
    float got = eq ? strtof(eq + 3, NULL) : NAN;
    uint32_t gb, wb;
    memcpy(&gb, &got, 4);
    memcpy(&wb, &want, 4);
    CHECK_MSG(gb == wb && st.constants == 1, ctx);
  }
  free(out);
}

static void check_kept(const char *line) {
  wgc_convert_stats st;
  char *out = rewrite(line, &st);
  CHECK_MSG(out && strcmp(out, line) == 0 && st.constants == 0, line);
  free(out);
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int main(void) {
  static const char *const picked[] = {
      "0",
      "-0",
      "1",
      "-1",
      "0.5",
      "2.14748365e+09",
      "4.2949673e+09",
      "-2.14748365e+09",
      "0.100000001",
      "0.1",
      "3.40282347e+38",
      "-3.40282347e+38",
      "1.17549435e-38",
      "1.40129846e-45",
      "7.0e-46",
      "7.00649232e-46",
      "1e-50",
      "16777217",
      "16777219",
      "3.4028235677973366e+38", /* just below the halfway point to 2^128: FLT_MAX */
      "3.4028235677973367e+38", /* at or above it: an infinity, kept */
      "1e39",
      "-1e39",
      "123456789012345678901234567890",
      "9.99999944e-39"};
  for (size_t i = 0; i < sizeof picked / sizeof picked[0]; i++) check_constant(picked[i]);

  char lit[64];
  for (int i = 0; i < 20000; i++) {
    uint32_t b = (uint32_t)next();
    float f;
    memcpy(&f, &b, 4);
    if (!isfinite(f)) continue;
    snprintf(lit, sizeof lit, "%.9g", (double)f); /* how wasm2c prints an f32 */
    if (strpbrk(lit, "in")) continue;
    check_constant(lit);
    uint64_t d64 = next();
    double d;
    memcpy(&d, &d64, 8);
    if (!isfinite(d)) continue;
    snprintf(lit, sizeof lit, "%.17g", d); /* any decimal: also rounds twice */
    check_constant(lit);
  }

  /* other shapes stay */
  check_kept("  var_f3 = var_f2;\n");
  check_kept("  var_f3 = 1.5 + var_f2;\n");
  check_kept("  var_d3 = 0.1;\n");
  check_kept("  var_i3 = 5;\n");
  check_kept("  var_f3 = INFINITY;\n");
  check_kept("  var_f3 = 1.5f;\n");
  check_kept("  var_f3 = 1.5; x = 2;\n");
  check_kept("  var_f3 = 1e;\n");
  check_kept("  var_f3 = .5;\n");
  check_kept("  var_fx = 0.5;\n");
  check_kept("  /* var_f3 = 0.5; */\n");

  /* the preamble: replaced only on wasm2c's exact text */
  wgc_convert_stats st;
  char *out = rewrite("#define I32_TRUNC_S_F32(x) something_else\n", &st);
  CHECK(out && !st.trunc && !st.fabs &&
        strcmp(out, "#define I32_TRUNC_S_F32(x) something_else\n") == 0);
  free(out);
  out = rewrite("", &st);
  CHECK(out && out[0] == 0 && !st.trunc && st.constants == 0);
  free(out);
  return check_report("convert_rewrite");
}
