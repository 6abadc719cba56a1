/*
 * spec_values.c — parsing, comparing and printing the values of spec
 * assertions. Floats are handled as bit patterns throughout (memcpy, never
 * arithmetic), so a signalling NaN or a -0.0 argument reaches the guest
 * exactly as written in the .wast and results are compared bit for bit.
 *
 * A v128 is written as its lane shape and lanes ("v128:f32:0,nan:canonical,
 * 1065353216,0"), the way wast2json reports it. The lanes are stored
 * little-endian into the 16 bytes of wgs_val.v128 (wasm's lane order), and
 * float lanes keep a NaN pattern each, since an expected f32x4 may mix exact
 * lanes with nan:canonical / nan:arithmetic ones. Integer lanes compare as
 * plain bytes: only float lanes have patterns.
 */
#include "spec_values.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wasm_rt_externref_t spec_externref(unsigned long long n) {
  /* +1 keeps (ref.extern 0) distinct from null. */
  return (wasm_rt_externref_t)(uintptr_t)(n + 1);
}

/* Decimal digits only, up to the first `stop` character (or the end). */
static bool parse_u64_until(const char *s, char stop, uint64_t *out, const char **end_out) {
  if (*s < '0' || *s > '9') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || (*end && *end != stop)) return false;
  *out = v;
  *end_out = end;
  return true;
}

static bool parse_u64(const char *s, uint64_t *out) {
  const char *end;
  return parse_u64_until(s, '\0', out, &end);
}

/* "nan:canonical" / "nan:arithmetic" at s, ending at `stop` or the end. */
static bool parse_nan(const char *s, char stop, spec_pattern *p, const char **end_out) {
  static const struct {
    const char *text;
    spec_pattern p;
  } pats[] = {{"nan:canonical", SV_NAN_CANONICAL}, {"nan:arithmetic", SV_NAN_ARITHMETIC}};
  for (size_t i = 0; i < 2; i++) {
    size_t n = strlen(pats[i].text);
    if (!strncmp(s, pats[i].text, n) && (s[n] == '\0' || s[n] == stop)) {
      *p = pats[i].p;
      *end_out = s + n;
      return true;
    }
  }
  return false;
}

/* "<lane>:<v0>,<v1>,..." (what follows "v128:"). */
static bool parse_v128(const char *s, spec_value *out) {
  static const struct {
    const char *name;
    uint8_t bytes;
    bool is_float;
  } shapes[] = {{"i8:", 1, false},  {"i16:", 2, false}, {"i32:", 4, false},
                {"i64:", 8, false}, {"f32:", 4, true},  {"f64:", 8, true}};
  size_t k = 0;
  for (; k < sizeof shapes / sizeof shapes[0]; k++)
    if (!strncmp(s, shapes[k].name, strlen(shapes[k].name))) break;
  if (k == sizeof shapes / sizeof shapes[0]) return false;
  out->type = 'v';
  out->lane_bytes = shapes[k].bytes;
  out->lane_float = shapes[k].is_float;
  const char *p = s + strlen(shapes[k].name);
  int lanes = 16 / shapes[k].bytes;
  for (int i = 0; i < lanes; i++) {
    uint64_t bits = 0;
    const char *end;
    spec_pattern pat = SV_EXACT;
    if (out->lane_float && parse_nan(p, ',', &pat, &end)) {
      out->lane_pattern[i] = pat;
    } else if (!parse_u64_until(p, ',', &bits, &end)) {
      return false;
    }
    if (shapes[k].bytes < 8 && bits >> (8 * shapes[k].bytes)) return false;
    for (int b = 0; b < shapes[k].bytes; b++) /* little-endian, wasm's lane order */
      out->v.v128[i * shapes[k].bytes + b] = (uint8_t)(bits >> (8 * b));
    bool last = i == lanes - 1;
    if (last ? *end != '\0' : *end != ',') return false;
    p = end + 1;
  }
  return true;
}

bool spec_value_parse(const char *tok, spec_value *out) {
  memset(out, 0, sizeof *out);
  const char *colon = strchr(tok, ':');
  if (!colon) return false;
  size_t tlen = (size_t)(colon - tok);
  const char *val = colon + 1;
  uint64_t bits;
  if (tlen == 3 && (!strncmp(tok, "f32", 3) || !strncmp(tok, "f64", 3))) {
    bool is32 = tok[1] == '3';
    out->type = is32 ? 'f' : 'F';
    const char *end;
    if (parse_nan(val, '\0', &out->pattern, &end)) return true;
    if (!parse_u64(val, &bits)) return false;
    if (is32) {
      if (bits > UINT32_MAX) return false;
      uint32_t b = (uint32_t)bits;
      memcpy(&out->v.f32, &b, 4);
    } else {
      memcpy(&out->v.f64, &bits, 8);
    }
    return true;
  }
  if (tlen == 3 && !strncmp(tok, "i32", 3)) {
    out->type = 'i';
    if (!parse_u64(val, &bits) || bits > UINT32_MAX) return false;
    out->v.i32 = (uint32_t)bits;
    return true;
  }
  if (tlen == 3 && !strncmp(tok, "i64", 3)) {
    out->type = 'I';
    if (!parse_u64(val, &bits)) return false;
    out->v.i64 = bits;
    return true;
  }
  if (tlen == 4 && !strncmp(tok, "v128", 4)) return parse_v128(val, out);
  if (tlen == 9 && !strncmp(tok, "externref", 9)) {
    out->type = 'x';
    if (!strcmp(val, "null")) {
      out->v.externref = wasm_rt_externref_null_value;
      return true;
    }
    if (!parse_u64(val, &bits)) return false;
    out->v.externref = spec_externref(bits);
    return true;
  }
  if (tlen == 7 && !strncmp(tok, "funcref", 7)) {
    out->type = 'r';
    if (strcmp(val, "null") != 0) return false; /* a host cannot make other funcrefs */
    out->v.funcref = wasm_rt_funcref_null_value;
    return true;
  }
  return false;
}

static bool f32_matches(spec_pattern p, uint32_t got, uint32_t want) {
  if (p == SV_NAN_CANONICAL) return (got & 0x7fffffffu) == 0x7fc00000u;
  if (p == SV_NAN_ARITHMETIC) return (got & 0x7fc00000u) == 0x7fc00000u;
  return got == want;
}

static bool f64_matches(spec_pattern p, uint64_t got, uint64_t want) {
  if (p == SV_NAN_CANONICAL) return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
  if (p == SV_NAN_ARITHMETIC) return (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
  return got == want;
}

/* Lane i of a v128 (lane_bytes wide) as an unsigned integer. */
static uint64_t lane_bits(const uint8_t *v128, int lane_bytes, int i) {
  uint64_t x = 0;
  for (int b = lane_bytes - 1; b >= 0; b--) x = (x << 8) | v128[i * lane_bytes + b];
  return x;
}

bool spec_value_matches(const spec_value *e, const wgs_val *got) {
  uint32_t g32, w32;
  uint64_t g64, w64;
  switch (e->type) {
    case 'i':
      return got->i32 == e->v.i32;
    case 'I':
      return got->i64 == e->v.i64;
    case 'f':
      memcpy(&g32, &got->f32, 4);
      memcpy(&w32, &e->v.f32, 4);
      return f32_matches(e->pattern, g32, w32);
    case 'F':
      memcpy(&g64, &got->f64, 8);
      memcpy(&w64, &e->v.f64, 8);
      return f64_matches(e->pattern, g64, w64);
    case 'v':
      if (!e->lane_float) return memcmp(got->v128, e->v.v128, 16) == 0;
      for (int i = 0; i < 16 / e->lane_bytes; i++) {
        uint64_t g = lane_bits(got->v128, e->lane_bytes, i);
        uint64_t w = lane_bits(e->v.v128, e->lane_bytes, i);
        bool ok = e->lane_bytes == 4 ? f32_matches(e->lane_pattern[i], (uint32_t)g, (uint32_t)w)
                                     : f64_matches(e->lane_pattern[i], g, w);
        if (!ok) return false;
      }
      return true;
    case 'x':
      return got->externref == e->v.externref;
    case 'r': /* only null is ever expected */
      return (got->funcref.func == NULL) == (e->v.funcref.func == NULL);
  }
  return false;
}

/* "v128:<shape>[l0 l1 ...]" with each lane in hex; patterns (expected values
 * only) replace their lane. */
static void format_v128(const uint8_t *v128, int lane_bytes, bool lane_float,
                        const spec_pattern *pats, char *buf, size_t size) {
  static const char *const int_names[9] = {NULL, "i8", "i16", NULL, "i32", NULL, NULL, NULL, "i64"};
  const char *shape = lane_float ? (lane_bytes == 4 ? "f32" : "f64") : int_names[lane_bytes];
  size_t used = 0;
  int n = snprintf(buf, size, "v128:%s[", shape);
  if (n < 0 || (size_t)n >= size) return;
  used = (size_t)n;
  for (int i = 0; i < 16 / lane_bytes; i++) {
    const char *sep = i ? " " : "";
    if (pats && pats[i] != SV_EXACT)
      n = snprintf(buf + used, size - used, "%s%s", sep,
                   pats[i] == SV_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic");
    else
      n = snprintf(buf + used, size - used, "%s0x%0*llx", sep, 2 * lane_bytes,
                   (unsigned long long)lane_bits(v128, lane_bytes, i));
    if (n < 0 || (size_t)n >= size - used) return;
    used += (size_t)n;
  }
  snprintf(buf + used, size - used, "]");
}

void spec_value_format(char type, const wgs_val *v, char *buf, size_t size) {
  uint32_t b32;
  uint64_t b64;
  switch (type) {
    case 'i':
      snprintf(buf, size, "i32:0x%08x", v->i32);
      return;
    case 'I':
      snprintf(buf, size, "i64:0x%016llx", (unsigned long long)v->i64);
      return;
    case 'f':
      memcpy(&b32, &v->f32, 4);
      snprintf(buf, size, "f32:0x%08x (%.9g)", b32, (double)v->f32);
      return;
    case 'F':
      memcpy(&b64, &v->f64, 8);
      snprintf(buf, size, "f64:0x%016llx (%.17g)", (unsigned long long)b64, v->f64);
      return;
    case 'v':
      format_v128(v->v128, 4, false, NULL, buf, size);
      return;
    case 'x':
      snprintf(buf, size, "externref:%p", v->externref);
      return;
    case 'r':
      snprintf(buf, size, "funcref:%s", v->funcref.func ? "non-null" : "null");
      return;
  }
  snprintf(buf, size, "?");
}

void spec_value_format_like(const spec_value *e, const wgs_val *got, char *buf, size_t size) {
  if (e->type == 'v') format_v128(got->v128, e->lane_bytes, e->lane_float, NULL, buf, size);
  else spec_value_format(e->type, got, buf, size);
}

void spec_expected_format(const spec_value *e, char *buf, size_t size) {
  if (e->type == 'v') {
    format_v128(e->v.v128, e->lane_bytes, e->lane_float, e->lane_float ? e->lane_pattern : NULL,
                buf, size);
    return;
  }
  if (e->pattern != SV_EXACT) {
    snprintf(buf, size, "%s:%s", e->type == 'f' ? "f32" : "f64",
             e->pattern == SV_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic");
    return;
  }
  spec_value_format(e->type, &e->v, buf, size);
}

void spec_value_format_bits(char type, const wgs_val *v, char *buf, size_t size) {
  uint32_t b32;
  uint64_t b64;
  switch (type) {
    case 'f':
      memcpy(&b32, &v->f32, 4);
      if ((b32 & 0x7f800000u) == 0x7f800000u && (b32 & 0x007fffffu)) snprintf(buf, size, "f32:nan");
      else snprintf(buf, size, "f32:0x%08x", b32);
      return;
    case 'F':
      memcpy(&b64, &v->f64, 8);
      if ((b64 & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b64 & 0xfffffffffffffull))
        snprintf(buf, size, "f64:nan");
      else snprintf(buf, size, "f64:0x%016llx", (unsigned long long)b64);
      return;
    case 'i':
      snprintf(buf, size, "i32:0x%08x", v->i32);
      return;
    case 'I':
      snprintf(buf, size, "i64:0x%016llx", (unsigned long long)v->i64);
      return;
  }
  spec_value_format(type, v, buf, size);
}
