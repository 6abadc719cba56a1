/*
 * spec_values.c — parsing, comparing and printing the values of spec
 * assertions. Floats are handled as bit patterns throughout (memcpy, never
 * arithmetic), so a signalling NaN or a -0.0 argument reaches the guest
 * exactly as written in the .wast and results are compared bit for bit.
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

static bool parse_u64(const char *s, uint64_t *out) {
  if (!*s || *s == '-') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
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
    if (!strcmp(val, "nan:canonical")) {
      out->pattern = SV_NAN_CANONICAL;
      return true;
    }
    if (!strcmp(val, "nan:arithmetic")) {
      out->pattern = SV_NAN_ARITHMETIC;
      return true;
    }
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

bool spec_value_matches(const spec_value *e, const wgs_val *got) {
  uint32_t b32;
  uint64_t b64;
  switch (e->type) {
    case 'i': return got->i32 == e->v.i32;
    case 'I': return got->i64 == e->v.i64;
    case 'f':
      memcpy(&b32, &got->f32, 4);
      if (e->pattern == SV_NAN_CANONICAL) return (b32 & 0x7fffffffu) == 0x7fc00000u;
      if (e->pattern == SV_NAN_ARITHMETIC) return (b32 & 0x7fc00000u) == 0x7fc00000u;
      return memcmp(&got->f32, &e->v.f32, 4) == 0;
    case 'F':
      memcpy(&b64, &got->f64, 8);
      if (e->pattern == SV_NAN_CANONICAL)
        return (b64 & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
      if (e->pattern == SV_NAN_ARITHMETIC)
        return (b64 & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
      return memcmp(&got->f64, &e->v.f64, 8) == 0;
    case 'x': return got->externref == e->v.externref;
    case 'r': /* only null is ever expected */
      return (got->funcref.func == NULL) == (e->v.funcref.func == NULL);
  }
  return false;
}

void spec_value_format(char type, const wgs_val *v, char *buf, size_t size) {
  uint32_t b32;
  uint64_t b64;
  switch (type) {
    case 'i': snprintf(buf, size, "i32:0x%08x", v->i32); return;
    case 'I': snprintf(buf, size, "i64:0x%016llx", (unsigned long long)v->i64); return;
    case 'f':
      memcpy(&b32, &v->f32, 4);
      snprintf(buf, size, "f32:0x%08x (%.9g)", b32, (double)v->f32);
      return;
    case 'F':
      memcpy(&b64, &v->f64, 8);
      snprintf(buf, size, "f64:0x%016llx (%.17g)", (unsigned long long)b64, v->f64);
      return;
    case 'x': snprintf(buf, size, "externref:%p", v->externref); return;
    case 'r': snprintf(buf, size, "funcref:%s", v->funcref.func ? "non-null" : "null"); return;
  }
  snprintf(buf, size, "?");
}

void spec_expected_format(const spec_value *e, char *buf, size_t size) {
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
    case 'i': snprintf(buf, size, "i32:0x%08x", v->i32); return;
    case 'I': snprintf(buf, size, "i64:0x%016llx", (unsigned long long)v->i64); return;
  }
  spec_value_format(type, v, buf, size);
}
