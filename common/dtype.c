/*
 * dtype.c — TVM dtype strings <-> wasmgraph_dtype, element sizes and shape
 * products.
 *
 * The accepted spellings follow TVM's String2DLDataType restricted to what a
 * CPU graph can carry: "int<8|16|32|64>", "uint<1|8|16|32|64>",
 * "float<8|16|32|64>", "bfloat16", "bool" (= uint1), "handle" (code 3, 64
 * bits), "e4m3_float8" / "e5m2_float8" (TVM codes 6 and 7), each optionally
 * followed by "x<lanes>" with 1 <= lanes <= 65535. Anything else (int4,
 * "custom[...]", "", "void", leading zeros or signs in numbers) is rejected,
 * so every dtype that reaches the executor has a known, nonzero size.
 *
 * Sizes: elem bytes = ceil(bits*lanes/8), never 0 for a parsed dtype.
 * wg_shape_numel multiplies with an overflow check in uint64_t.
 */
#include "dtype.h"

#include <stdio.h>
#include <string.h>

enum { CODE_HANDLE = 3, CODE_E4M3 = 6, CODE_E5M2 = 7 };

/* Parses an unsigned decimal without sign or leading zero, at most `max`.
 * Returns the number of characters consumed, 0 on failure. */
static size_t parse_small_uint(const char *s, unsigned long max, unsigned long *out) {
  size_t i = 0;
  unsigned long v = 0;
  if (s[0] < '1' || s[0] > '9') return 0;
  while (s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + (unsigned long)(s[i] - '0');
    if (v > max) return 0;
    i++;
  }
  *out = v;
  return i;
}

static bool bits_allowed(uint8_t code, unsigned long bits) {
  switch (code) {
    case WASMGRAPH_DTYPE_INT:
      return bits == 8 || bits == 16 || bits == 32 || bits == 64;
    case WASMGRAPH_DTYPE_UINT:
      return bits == 1 || bits == 8 || bits == 16 || bits == 32 || bits == 64;
    case WASMGRAPH_DTYPE_FLOAT:
      return bits == 8 || bits == 16 || bits == 32 || bits == 64;
    case WASMGRAPH_DTYPE_BFLOAT:
      return bits == 16;
    default:
      return false;
  }
}

bool wg_dtype_parse(const char *s, wasmgraph_dtype *out) {
  /* Fixed-width names first; the generic prefixes below need a bit count. */
  static const struct {
    const char *name;
    uint8_t code, bits;
  } fixed[] = {
      {"bool", WASMGRAPH_DTYPE_UINT, 1},
      {"handle", CODE_HANDLE, 64},
      {"e4m3_float8", CODE_E4M3, 8},
      {"e5m2_float8", CODE_E5M2, 8},
  };
  static const struct {
    const char *prefix;
    uint8_t code;
  } generic[] = {
      {"bfloat", WASMGRAPH_DTYPE_BFLOAT},
      {"float", WASMGRAPH_DTYPE_FLOAT},
      {"uint", WASMGRAPH_DTYPE_UINT},
      {"int", WASMGRAPH_DTYPE_INT},
  };
  wasmgraph_dtype t = {0, 0, 1};
  const char *rest = NULL;
  if (s == NULL) return false;
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !rest; i++) {
    size_t n = strlen(fixed[i].name);
    if (strncmp(s, fixed[i].name, n) == 0) {
      t.code = fixed[i].code;
      t.bits = fixed[i].bits;
      rest = s + n;
    }
  }
  for (size_t i = 0; i < sizeof generic / sizeof generic[0] && !rest; i++) {
    size_t n = strlen(generic[i].prefix);
    unsigned long bits = 0;
    size_t used;
    if (strncmp(s, generic[i].prefix, n) != 0) continue;
    used = parse_small_uint(s + n, 255, &bits);
    if (used == 0 || !bits_allowed(generic[i].code, bits)) return false;
    t.code = generic[i].code;
    t.bits = (uint8_t)bits;
    rest = s + n + used;
  }
  if (!rest) return false;
  if (*rest == 'x') {
    unsigned long lanes = 0;
    size_t used = parse_small_uint(rest + 1, 65535, &lanes);
    if (used == 0) return false;
    t.lanes = (uint16_t)lanes;
    rest += 1 + used;
  }
  if (*rest != '\0') return false;
  if (out) *out = t;
  return true;
}

size_t wg_dtype_elem_bytes(wasmgraph_dtype t) { return ((size_t)t.bits * (size_t)t.lanes + 7) / 8; }

bool wg_dtype_equal(wasmgraph_dtype a, wasmgraph_dtype b) {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}

void wg_dtype_format(wasmgraph_dtype t, char *buf, size_t buf_size) {
  char base[32];
  if (buf == NULL || buf_size == 0) return;
  switch (t.code) {
    case WASMGRAPH_DTYPE_INT:
      snprintf(base, sizeof base, "int%u", (unsigned)t.bits);
      break;
    case WASMGRAPH_DTYPE_UINT:
      snprintf(base, sizeof base, "uint%u", (unsigned)t.bits);
      break;
    case WASMGRAPH_DTYPE_FLOAT:
      snprintf(base, sizeof base, "float%u", (unsigned)t.bits);
      break;
    case WASMGRAPH_DTYPE_BFLOAT:
      snprintf(base, sizeof base, "bfloat%u", (unsigned)t.bits);
      break;
    case CODE_HANDLE:
      snprintf(base, sizeof base, "handle");
      break;
    case CODE_E4M3:
      snprintf(base, sizeof base, "e4m3_float8");
      break;
    case CODE_E5M2:
      snprintf(base, sizeof base, "e5m2_float8");
      break;
    default:
      snprintf(base, sizeof base, "code%u_bits%u", (unsigned)t.code, (unsigned)t.bits);
      break;
  }
  if (t.lanes == 1) snprintf(buf, buf_size, "%s", base);
  else snprintf(buf, buf_size, "%sx%u", base, (unsigned)t.lanes);
}

bool wg_shape_numel(const int64_t *shape, int ndim, uint64_t *out) {
  uint64_t n = 1;
  if (ndim < 0 || (ndim > 0 && shape == NULL)) return false;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return false;
    if (shape[i] != 0 && n > UINT64_MAX / (uint64_t)shape[i]) return false;
    n *= (uint64_t)shape[i];
  }
  if (out) *out = n;
  return true;
}
